package main

import (
	"fmt"
	"math"
	"runtime/metrics"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// diag is what the process did during paced phases besides answering:
// it tells a slow tail that the project causes (garbage collection, a
// connection pool that makes requests wait, writes) from one the machine
// causes (goroutines ready to run but given no CPU).
type diag struct {
	gcCycles uint64
	gcPause  time.Duration // stop-the-world time, all cycles
	// runQueueP99 is the 99th percentile of the time goroutines waited,
	// ready to run, for a CPU: the process's own and everything else on
	// the machine competing for the cores.
	runQueueP99 time.Duration
	poolWaits   int64
	poolWait    time.Duration
	writes      int64 // statements other than SELECT
}

const (
	gcCyclesMetric = "/gc/cycles/total:gc-cycles"
	gcPausesMetric = "/sched/pauses/total/gc:seconds"
	runQueueMetric = "/sched/latencies:seconds"
)

// snapshot is the state diag is the difference of.
type snapshot struct {
	samples []metrics.Sample
	pool    struct {
		waits int64
		wait  time.Duration
	}
	writes int64
}

func takeSnapshot(db *bun.DB, q *queryCounter) snapshot {
	s := snapshot{samples: []metrics.Sample{{Name: gcCyclesMetric}, {Name: gcPausesMetric}, {Name: runQueueMetric}}}
	metrics.Read(s.samples)
	if db != nil {
		for _, pool := range database.Pools(db) {
			st := pool.Stats()
			s.pool.waits, s.pool.wait = s.pool.waits+st.WaitCount, s.pool.wait+st.WaitDuration
		}
	}
	if q != nil {
		s.writes = q.writes.Load()
	}
	return s
}

// plus is d and e together: counts and times add up, the run-queue wait
// is the worse of the two.
func (d diag) plus(e diag) diag {
	return diag{
		gcCycles: d.gcCycles + e.gcCycles, gcPause: d.gcPause + e.gcPause,
		runQueueP99: max(d.runQueueP99, e.runQueueP99),
		poolWaits:   d.poolWaits + e.poolWaits, poolWait: d.poolWait + e.poolWait, writes: d.writes + e.writes,
	}
}

// since is what happened between s0 and s.
func (s snapshot) since(s0 snapshot) diag {
	d := diag{poolWaits: s.pool.waits - s0.pool.waits, poolWait: s.pool.wait - s0.pool.wait, writes: s.writes - s0.writes}
	if s.samples[0].Value.Kind() == metrics.KindUint64 {
		d.gcCycles = s.samples[0].Value.Uint64() - s0.samples[0].Value.Uint64()
	}
	if s.samples[1].Value.Kind() == metrics.KindFloat64Histogram {
		h, h0 := s.samples[1].Value.Float64Histogram(), s0.samples[1].Value.Float64Histogram()
		d.gcPause = seconds(histogramSum(h, h0))
	}
	if s.samples[2].Value.Kind() == metrics.KindFloat64Histogram {
		h, h0 := s.samples[2].Value.Float64Histogram(), s0.samples[2].Value.Float64Histogram()
		d.runQueueP99 = seconds(histogramPercentile(h, h0, 99))
	}
	return d
}

// histogramSum estimates the total of the values counted between h0 and h,
// each at the middle of its bucket.
func histogramSum(h, h0 *metrics.Float64Histogram) float64 {
	var sum float64
	for i, c := range h.Counts {
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		if math.IsInf(lo, -1) {
			lo = 0
		}
		if math.IsInf(hi, 1) {
			hi = lo
		}
		sum += float64(c-h0.Counts[i]) * (lo + hi) / 2
	}
	return sum
}

// histogramPercentile is the upper bound of the bucket holding the p-th
// percentile of the values counted between h0 and h.
func histogramPercentile(h, h0 *metrics.Float64Histogram, p float64) float64 {
	var total uint64
	for i, c := range h.Counts {
		total += c - h0.Counts[i]
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(total)))
	var seen uint64
	for i, c := range h.Counts {
		seen += c - h0.Counts[i]
		if seen >= rank {
			if hi := h.Buckets[i+1]; !math.IsInf(hi, 1) {
				return hi
			}
			return h.Buckets[i]
		}
	}
	return 0
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// project is d for the project's phase, with its waits for a connection
// of either pool.
func (d diag) project() string {
	return fmt.Sprintf("%s; pool waits %d (%s); writes %d", d.machine(), d.poolWaits, ms(d.poolWait), d.writes)
}

// machine is the part of d that does not depend on the server: for the
// bare server, whose phase makes no queries.
func (d diag) machine() string {
	return fmt.Sprintf("GC %d cycles, %s stopped; run-queue wait p99 %s", d.gcCycles, ms(d.gcPause), ms(d.runQueueP99))
}

// share is the percentage of the requests of rs slower than limit.
func share(rs []result, limit time.Duration) string {
	n, total := 0, 0
	for _, r := range rs {
		total += len(r.Latencies)
		for _, l := range r.Latencies {
			if l > limit {
				n++
			}
		}
	}
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(total))
}
