package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// target is one GET the load generator sends, with the headers it needs.
type target struct {
	url    string
	header http.Header
}

// result is what one load phase measured.
type result struct {
	requests int
	errors   int
	elapsed  time.Duration
	// latencies are sorted, one per successful request.
	latencies []time.Duration
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// percentile is the nearest-rank percentile p (0–100) of the latencies.
func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(r.latencies))+0.5) - 1
	rank = max(0, min(rank, len(r.latencies)-1))
	return r.latencies[rank]
}

// loader sends requests over keep-alive connections of one client, so
// that connection set-up is not what is measured.
type loader struct {
	client      *http.Client
	maxRequests int // per phase: the run stays bounded in count
}

func newLoader(connections, maxRequests int) *loader {
	tr := &http.Transport{
		MaxIdleConns:        connections * 2,
		MaxIdleConnsPerHost: connections * 2,
		DisableCompression:  true,
	}
	return &loader{client: &http.Client{Transport: tr, Timeout: 10 * time.Second}, maxRequests: maxRequests}
}

// send makes one request and reads the whole answer; anything but 200 is
// an error.
func (l *loader) send(t target) error {
	req, err := http.NewRequest(http.MethodGet, t.url, nil)
	if err != nil {
		return err
	}
	req.Header = t.header.Clone()
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}

// closedLoop runs workers that each send the next request as soon as the
// previous one is answered, for d or until maxRequests: the maximum rate.
func (l *loader) closedLoop(t target, workers int, d time.Duration) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu      sync.Mutex
		all     []time.Duration
		errs    atomic.Int64
		started atomic.Int64
		wg      sync.WaitGroup
	)
	begin := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil && started.Add(1) <= int64(l.maxRequests) {
				t0 := time.Now()
				if err := l.send(t); err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return finish(all, int(errs.Load()), time.Since(begin))
}

// paced starts requests on a fixed schedule of rate per second for d, each
// on a free worker; a request's latency counts from its scheduled start, so
// that waiting for a free worker is not hidden.
func (l *loader) paced(t target, rate float64, d time.Duration, workers int) result {
	n := min(int(rate*d.Seconds()), l.maxRequests)
	interval := time.Duration(float64(time.Second) / rate)
	due := make(chan time.Time, n)
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs atomic.Int64
		wg   sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for at := range due {
				if err := l.send(t); err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(at))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	begin := time.Now()
	for i := 0; i < n; i++ {
		at := begin.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(at))
		due <- at
	}
	close(due)
	wg.Wait()
	return finish(all, int(errs.Load()), time.Since(begin))
}

func finish(latencies []time.Duration, errors int, elapsed time.Duration) result {
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	return result{requests: len(latencies), errors: errors, elapsed: elapsed, latencies: latencies}
}
