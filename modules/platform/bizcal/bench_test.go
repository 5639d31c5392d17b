package bizcal

import (
	"math/rand/v2"
	"testing"
	"time"
)

// benchStarts are instants spread uniformly over 2026, so that the
// benchmarks touch every part of the year's schedule and holidays.
func benchStarts() []time.Time {
	rng := rand.New(rand.NewPCG(2026, 1))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	starts := make([]time.Time, 1<<12)
	for i := range starts {
		starts[i] = base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
	}
	return starts
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "computations/s")
}

// BenchmarkAddBusiness is the SLA module's due-time computation on the demo
// calendar, with the calendar's segments already built (warm).
func BenchmarkAddBusiness(b *testing.B) {
	cal := mustNew(b, demoSpec())
	starts := benchStarts()
	for _, d := range []time.Duration{2 * time.Hour, 24 * time.Hour} {
		for _, s := range starts {
			cal.AddBusiness(s, d)
		}
		b.Run(d.String(), func(b *testing.B) {
			var sink time.Time
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				sink = cal.AddBusiness(starts[i&(len(starts)-1)], d)
			}
			_ = sink
			reportRate(b)
		})
	}
}

// BenchmarkAddBusinessParallel runs the 24h computation on every core.
func BenchmarkAddBusinessParallel(b *testing.B) {
	cal := mustNew(b, demoSpec())
	starts := benchStarts()
	for _, s := range starts {
		cal.AddBusiness(s, 24*time.Hour)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			cal.AddBusiness(starts[i&(len(starts)-1)], 24*time.Hour)
			i++
		}
	})
	reportRate(b)
}

// BenchmarkBusinessBetween measures spans of up to three days.
func BenchmarkBusinessBetween(b *testing.B) {
	cal := mustNew(b, demoSpec())
	starts := benchStarts()
	ends := make([]time.Time, len(starts))
	rng := rand.New(rand.NewPCG(7, 7))
	for i, s := range starts {
		ends[i] = s.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
		cal.BusinessBetween(s, ends[i])
	}
	var sink time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		j := i & (len(starts) - 1)
		sink += cal.BusinessBetween(starts[j], ends[j])
	}
	_ = sink
	reportRate(b)
}

// BenchmarkColdYear is the one-off cost of a new calendar answering its
// first questions about a whole year: building its segments.
func BenchmarkColdYear(b *testing.B) {
	spec := demoSpec()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		cal := mustNew(b, spec)
		cal.BusinessBetween(start, start.AddDate(1, 0, 0))
	}
}
