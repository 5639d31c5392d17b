package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestGeneratorRunsPhases drives the generator's side of the protocol as
// the parent does: phases in, results out, one per phase, until the input
// ends.
func TestGeneratorRunsPhases(t *testing.T) {
	var answered atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer x" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		answered.Add(1)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	auth := http.Header{"Authorization": {"Bearer x"}}
	phases := []phase{
		{URL: srv.URL, Header: auth, Workers: 2, Duration: 200 * time.Millisecond, MaxRequests: 50},
		{URL: srv.URL, Header: auth, Workers: 4, Duration: 500 * time.Millisecond, Rate: 100, MaxRequests: 1000},
		{URL: srv.URL, Header: nil, Workers: 1, Duration: time.Second, Rate: 20, MaxRequests: 5},
	}
	results := runGenerator(t, phases)

	closed := results[0]
	if closed.Requests != 50 || closed.Errors != 0 || closed.Latencies != nil {
		t.Errorf("closed loop bounded at 50 requests: got %d answered, %d errors, %d latencies kept",
			closed.Requests, closed.Errors, len(closed.Latencies))
	}
	paced := results[1]
	if paced.Requests != 50 || len(paced.Latencies) != 50 || paced.Errors != 0 {
		t.Errorf("100 req/s for 0.5 s: got %d answered, %d latencies, %d errors", paced.Requests, len(paced.Latencies), paced.Errors)
	}
	if !slices.IsSorted(paced.Latencies) || paced.Latencies[0] <= 0 {
		t.Errorf("latencies must come sorted and positive: %v", paced.Latencies[:3])
	}
	if refused := results[2]; refused.Errors != 5 || refused.Requests != 0 {
		t.Errorf("a 401 is an error, and the count bound holds: got %d answered, %d errors", refused.Requests, refused.Errors)
	}
	if got := answered.Load(); got != 100 {
		t.Errorf("the server answered %d requests, want 50 + 50", got)
	}
}

func runGenerator(t *testing.T, phases []phase) []result {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- serveGenerator(inR, outW); _ = outW.Close() }()
	enc, dec := json.NewEncoder(inW), json.NewDecoder(outR)
	var results []result
	for _, p := range phases {
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	_ = inW.Close()
	if err := <-done; err != nil {
		t.Fatalf("the generator ends without error when its input ends: %v", err)
	}
	return results
}

// TestTailIsTheMedianOfRounds: one round's stall shows beside the median,
// not as the result.
func TestTailIsTheMedianOfRounds(t *testing.T) {
	round := func(p99 time.Duration) result {
		lat := make([]time.Duration, 100)
		for i := range lat {
			lat[i] = time.Millisecond
		}
		lat[98], lat[99] = p99, p99 // nearest rank: the 99th of 100
		return result{Requests: 100, Latencies: lat}
	}
	rounds := []result{round(30 * time.Millisecond), round(4 * time.Millisecond), round(6 * time.Millisecond)}
	if got, want := tail(rounds, true), "1.00 ms / **6.00 ms** (30.00, 4.00, 6.00)"; got != want {
		t.Errorf("tail = %q, want %q", got, want)
	}
	if got, want := tail(rounds, false), "1.00 ms / 6.00 ms"; got != want {
		t.Errorf("tail without rounds = %q, want %q", got, want)
	}
	if got := share(rounds, 5*time.Millisecond); got != "1.3 %" {
		t.Errorf("share over 5 ms = %q, want 4 of 300 requests", got)
	}
}

// A wake-up of the stall watch counts as a stall when it comes stallAt or
// more after its tick was due; rounds add their counts and keep the
// longest.
func TestStallWatchCountsLateWakeUps(t *testing.T) {
	var w stallWatch
	for _, gap := range []time.Duration{stallTick, stallTick + stallAt - 1, stallTick + stallAt, 40 * time.Millisecond, 2 * stallTick} {
		w.woke(gap)
	}
	if w.Count != 2 || w.Longest != 40*time.Millisecond-stallTick {
		t.Fatalf("got %d stalls, longest %v; want 2, longest 39ms", w.Count, w.Longest)
	}
	both := w.plus(stallWatch{Count: 1, Longest: 10 * time.Millisecond})
	if both.Count != 3 || both.Longest != w.Longest {
		t.Errorf("rounds together: got %+v", both)
	}
	if got := stalls([]result{{Stalls: w}, {}}); got != "load generator paused 5 ms or more 2 times, longest 39.00 ms" {
		t.Errorf("shown as %q", got)
	}
}
