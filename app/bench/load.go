package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// phase is one load phase: a closed loop at the maximum rate when Rate is
// zero, otherwise Rate requests per second on a fixed schedule.
type phase struct {
	URL         string
	Header      http.Header
	Workers     int
	Duration    time.Duration
	Rate        float64
	MaxRequests int // the run stays bounded in count
}

// result is what one load phase measured.
type result struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	// Latencies are sorted, one per successful request.
	Latencies []time.Duration
	// Stalls are the times the generator's process was not run during a
	// paced phase (see stallWatch).
	Stalls stallWatch
}

func (r result) rate() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// percentile is the nearest-rank percentile p (0–100) of the latencies.
func (r result) percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(r.Latencies))+0.5) - 1
	rank = max(0, min(rank, len(r.Latencies)-1))
	return r.Latencies[rank]
}

// collectRarely is how the generator's process collects garbage: a
// collection would delay the requests it is due to send and count as the
// servers' latency, so it collects only when its heap nears a limit that
// a phase (a few KB per request) seldom reaches.
func collectRarely() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(2 << 30)
}

// generatorCommand is the hidden argument that makes the tool the load
// generator of a parent run.
const generatorCommand = "load-generator"

// generator is the load generator, in a process of its own as wrk would
// be: its allocations start no garbage collection in the servers it
// measures, and its pauses stop no request being answered.
type generator struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	enc *json.Encoder
	dec *json.Decoder
}

// startGenerator starts the generator, on its share of the processors
// when split is set.
func startGenerator(split *cpuSplit) (*generator, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, generatorCommand)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := cmd.Start
	if split != nil {
		start = func() error { return split.start(cmd) }
	}
	if err := start(); err != nil {
		return nil, err
	}
	return &generator{cmd: cmd, in: in, enc: json.NewEncoder(in), dec: json.NewDecoder(out)}, nil
}

// run has the generator run p and waits for what it measured.
func (g *generator) run(p phase) (result, error) {
	if err := g.enc.Encode(p); err != nil {
		return result{}, fmt.Errorf("load generator: %w", err)
	}
	var r result
	if err := g.dec.Decode(&r); err != nil {
		return result{}, fmt.Errorf("load generator: %w", err)
	}
	return r, nil
}

func (g *generator) stop() error {
	_ = g.in.Close()
	return g.cmd.Wait()
}

// serveGenerator is the generator's side: it runs each phase read from in
// and writes its result to out, until in ends.
func serveGenerator(in io.Reader, out io.Writer) error {
	dec, enc := json.NewDecoder(in), json.NewEncoder(out)
	l := newLoader()
	for {
		var p phase
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := enc.Encode(l.run(p)); err != nil {
			return err
		}
	}
}

// loader sends requests over keep-alive connections of one client, so
// that connection set-up is not what is measured.
type loader struct{ client *http.Client }

// maxWorkers bounds a phase's workers: --concurrency at most, four times
// that when paced.
const maxWorkers = 4 * 256

func newLoader() *loader {
	tr := &http.Transport{
		MaxIdleConns:        2 * maxWorkers, // two servers
		MaxIdleConnsPerHost: maxWorkers,
		DisableCompression:  true,
	}
	return &loader{client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func (l *loader) run(p phase) result {
	if p.Rate > 0 {
		return l.paced(p)
	}
	return l.closedLoop(p)
}

// request is the phase's GET; a worker makes it once and sends it again
// and again, as it has no body.
func (p phase) request() *http.Request {
	req, err := http.NewRequest(http.MethodGet, p.URL, nil)
	if err != nil {
		panic(err) // the URLs are the tool's own
	}
	req.Header = p.Header.Clone()
	return req
}

// send makes one request and reads the whole answer; anything but 200 is
// an error.
func (l *loader) send(req *http.Request) error {
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
// previous one is answered, for the phase's duration or until its
// maximum count: the maximum rate. Only the rate is wanted from it, so
// no latency is kept.
func (l *loader) closedLoop(p phase) result {
	ctx, cancel := context.WithTimeout(context.Background(), p.Duration)
	defer cancel()
	var (
		answered, errs, started atomic.Int64
		wg                      sync.WaitGroup
	)
	begin := time.Now()
	for w := 0; w < p.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := p.request()
			for ctx.Err() == nil && started.Add(1) <= int64(p.MaxRequests) {
				if err := l.send(req); err != nil {
					errs.Add(1)
					continue
				}
				answered.Add(1)
			}
		}()
	}
	wg.Wait()
	return result{Requests: int(answered.Load()), Errors: int(errs.Load()), Elapsed: time.Since(begin)}
}

// paced starts requests on a fixed schedule of the phase's rate, each on
// a free worker; a request's latency counts from its scheduled start, so
// that waiting for a free worker is not hidden.
func (l *loader) paced(p phase) result {
	n := min(int(p.Rate*p.Duration.Seconds()), p.MaxRequests)
	interval := time.Duration(float64(time.Second) / p.Rate)
	due := make(chan time.Time, n)
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs atomic.Int64
		wg   sync.WaitGroup
	)
	for w := 0; w < p.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			req := p.request()
			for at := range due {
				if err := l.send(req); err != nil {
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
	stop := make(chan struct{})
	stalls := watchStalls(stop)
	begin := time.Now()
	for i := 0; i < n; i++ {
		at := begin.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(at))
		due <- at
	}
	close(due)
	wg.Wait()
	close(stop)
	r := finish(all, int(errs.Load()), time.Since(begin))
	r.Stalls = <-stalls
	return r
}

func finish(latencies []time.Duration, errors int, elapsed time.Duration) result {
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	return result{Requests: len(latencies), Errors: errors, Elapsed: elapsed, Latencies: latencies}
}

// stallWatch counts the times the generator's process went unrun for
// stallAt or more: a sleeper due every millisecond that woke that much
// late. Every request due in such a gap is sent late and counted late,
// whichever server is measured, so the count tells a round's tail that
// the machine made (the virtual machine paused, the generator's processor
// busy) from one the server made.
type stallWatch struct {
	Count   int
	Longest time.Duration
}

const (
	stallTick = time.Millisecond
	stallAt   = 5 * time.Millisecond
)

// woke records a wake-up gap after the previous one.
func (w *stallWatch) woke(gap time.Duration) {
	if late := gap - stallTick; late >= stallAt {
		w.Count++
		w.Longest = max(w.Longest, late)
	}
}

// plus is w and v together.
func (w stallWatch) plus(v stallWatch) stallWatch {
	return stallWatch{Count: w.Count + v.Count, Longest: max(w.Longest, v.Longest)}
}

// watchStalls watches until stop is closed, then sends what it saw.
func watchStalls(stop <-chan struct{}) <-chan stallWatch {
	out := make(chan stallWatch, 1)
	go func() {
		var w stallWatch
		tick := time.NewTicker(stallTick)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				out <- w
				return
			case <-tick.C:
				// When the tick was received, not sent: a goroutine
				// left waiting for a processor is a stall too.
				now := time.Now()
				w.woke(now.Sub(last))
				last = now
			}
		}
	}()
	return out
}
