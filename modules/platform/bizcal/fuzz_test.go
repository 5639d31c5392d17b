package bizcal

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// fuzzSpecs are calendars chosen to stress the model: a six-day week with
// holidays; Berlin with intervals across both daylight-saving changes, an
// overnight interval, touching intervals, a holiday and transferred days on
// change days; 24/7 with holidays; Lord Howe Island, whose clocks move by
// half an hour; Havana, whose clocks change at midnight; plain 24/7.
func fuzzSpecs() []Spec {
	return []Spec{
		demoSpec(),
		{
			TimeZone: "Europe/Berlin",
			Weekly: Weekly{
				Monday:    days(iv("08:00", "12:00"), iv("13:00", "17:00")),
				Tuesday:   days(iv("08:00", "12:00"), iv("13:00", "17:00")),
				Wednesday: days(iv("08:00", "12:00"), iv("13:00", "17:00")),
				Thursday:  days(iv("08:00", "12:00"), iv("13:00", "17:00")),
				Friday:    days(iv("22:00", "02:00")),
				Saturday:  days(iv("02:30", "05:00"), iv("22:00", "00:30")),
				Sunday:    days(iv("00:30", "04:00")),
			},
			Holidays: []string{"2025-03-30", "2026-04-03", "2026-12-25", "2028-10-29"},
			WorkingDays: []WorkingDay{
				{Date: "2026-03-29", Like: "friday"},
				{Date: "2027-10-31", Intervals: days(iv("01:30", "02:30"), iv("23:00", "03:00"))},
			},
		},
		{TimeZone: "Europe/Berlin", AlwaysOpen: true, Holidays: []string{"2026-03-29", "2026-10-25", "2027-01-01"}},
		{TimeZone: "Australia/Lord_Howe", Weekly: everyDay(iv("01:45", "02:15"), iv("09:00", "17:00"))},
		{TimeZone: "America/Havana", Weekly: Weekly{
			Wednesday: days(iv("09:00", "17:00")),
			Saturday:  days(iv("20:00", "24:00")),
			Sunday:    days(iv("00:00", "03:00")),
		}},
		{TimeZone: "Asia/Kolkata", AlwaysOpen: true},
	}
}

var fuzzCalendars = sync.OnceValue(func() []*Calendar {
	var out []*Calendar
	for _, s := range fuzzSpecs() {
		c, err := New(s)
		if err != nil {
			panic(err)
		}
		out = append(out, c)
	}
	return out
})

// FuzzAddThenBetween checks that AddBusiness and BusinessBetween are
// inverses and agree with Segments and with a slow reference that walks
// the local dates one by one.
func FuzzAddThenBetween(f *testing.F) {
	seeds := []struct {
		which     uint8
		a         string
		d, window int64
	}{
		{0, "2026-03-14 16:00", 2 * 3600, 72 * 3600},
		{0, "2026-03-13 17:00", 24 * 3600, 100 * 3600},
		{0, "2025-12-31 17:00", 30 * 3600, 500 * 3600},
		{1, "2026-03-28 20:00", 5 * 3600, 48 * 3600},
		{1, "2026-10-24 20:00", 7 * 3600, 48 * 3600},
		{1, "2027-10-30 20:00", 3 * 3600, 48 * 3600},
		{2, "2026-10-24 12:00", 36 * 3600, 60 * 3600},
		{3, "2026-04-04 14:00", 3600, 24 * 3600},
		{3, "2026-10-03 14:00", 3600, 24 * 3600},
		{4, "2026-03-07 20:00", 9 * 3600, 96 * 3600},
		{4, "2026-10-31 20:00", 9 * 3600, 96 * 3600},
		{5, "2026-01-01 00:00", 500 * 3600, 1},
	}
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range seeds {
		a, err := time.Parse("2006-01-02 15:04", s.a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.which, int64(a.Sub(base)/time.Second), s.d, s.window)
	}
	f.Fuzz(func(t *testing.T, which uint8, aSec, dSec, windowSec int64) {
		cals := fuzzCalendars()
		cal := cals[int(which)%len(cals)]
		const tenYears = 10 * 365 * 24 * 3600
		a := base.Add(time.Duration(mod(aSec, tenYears)) * time.Second)
		d := time.Duration(mod(dSec, 500*3600+1)) * time.Second
		b := a.Add(time.Duration(mod(windowSec, 2000*3600)) * time.Second)
		checkAddThenBetween(t, cal, a, d)
		checkBetweenThenAdd(t, cal, a, b)
	})
}

func checkAddThenBetween(t *testing.T, cal *Calendar, a time.Time, d time.Duration) {
	due := cal.AddBusiness(a, d)
	if due.Before(a) {
		t.Fatalf("AddBusiness(%v, %v) = %v is before the start", a, d, due)
	}
	if got := cal.BusinessBetween(a, due); got != d {
		t.Fatalf("BusinessBetween(%v, AddBusiness(…, %v) = %v) = %v", a, d, due, got)
	}
	if d > 0 {
		// The due time is the earliest: a nanosecond earlier, d has not passed.
		if got := cal.BusinessBetween(a, due.Add(-1)); got != d-1 {
			t.Fatalf("BusinessBetween(%v, %v - 1ns) = %v, want %v", a, due, got, d-1)
		}
	}
	half := d / 2
	if got := cal.AddBusiness(cal.AddBusiness(a, half), d-half); !got.Equal(due) {
		t.Fatalf("AddBusiness in two steps from %v = %v, in one %v", a, got, due)
	}
}

func checkBetweenThenAdd(t *testing.T, cal *Calendar, a, b time.Time) {
	x := cal.BusinessBetween(a, b)
	if x < 0 || x > b.Sub(a) {
		t.Fatalf("BusinessBetween(%v, %v) = %v, outside 0..%v", a, b, x, b.Sub(a))
	}
	if due := cal.AddBusiness(a, x); due.After(b) {
		t.Fatalf("AddBusiness(%v, BusinessBetween(…, %v) = %v) = %v is after b", a, b, x, due)
	}
	m := a.Add(b.Sub(a) / 3)
	if sum := cal.BusinessBetween(a, m) + cal.BusinessBetween(m, b); sum != x {
		t.Fatalf("BusinessBetween split at %v adds up to %v, whole %v", m, sum, x)
	}
	var sum time.Duration
	segs := cal.Segments(a, b)
	for i, s := range segs {
		if !s.Start.Before(s.End) || s.Start.Before(a) || s.End.After(b) || (i > 0 && !segs[i-1].End.Before(s.Start)) {
			t.Fatalf("Segments(%v, %v) has a bad segment %d: %v", a, b, i, segs)
		}
		sum += s.Duration()
	}
	if sum != x {
		t.Fatalf("Segments(%v, %v) add up to %v, BusinessBetween says %v", a, b, sum, x)
	}
	if b.Sub(a) <= 40*24*time.Hour {
		if want := oracleBetween(t, cal, a, b); x != want {
			t.Fatalf("BusinessBetween(%v, %v) = %v, the reference says %v", a, b, x, want)
		}
	}
}

func mod(v, m int64) int64 { return ((v % m) + m) % m }

// oracleBetween computes business time the slow way, with time.Date on
// every local date from two days before a to a day after b. It resolves a
// repeated wall time to its first occurrence by looking back up to two
// hours, which covers every zone the tests use.
func oracleBetween(tb testing.TB, cal *Calendar, a, b time.Time) time.Duration {
	tb.Helper()
	r := cal.rules
	la, lb := a.In(r.loc), b.In(r.loc)
	type span2 struct{ s, e time.Time }
	var spans []span2
	for d := time.Date(la.Year(), la.Month(), la.Day()-2, 12, 0, 0, 0, time.UTC); !d.After(time.Date(lb.Year(), lb.Month(), lb.Day()+1, 12, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
		list := r.weekly[d.Weekday()]
		if w, ok := r.working[day]; ok {
			list = w
		}
		if r.holidays[day] {
			list = nil
		}
		for _, sp := range list {
			s := oracleInstant(r.loc, d, sp.start)
			e := oracleInstant(r.loc, d, sp.end)
			if e.After(s) {
				spans = append(spans, span2{s, e})
			}
		}
	}
	slices.SortFunc(spans, func(x, y span2) int { return x.s.Compare(y.s) })
	var total time.Duration
	var reach time.Time // end of the union so far
	for _, sp := range spans {
		s, e := sp.s, sp.e
		if s.Before(reach) {
			s = reach
		}
		if s.Before(a) {
			s = a
		}
		if e.After(b) {
			e = b
		}
		if e.After(s) {
			total += e.Sub(s)
		}
		if sp.e.After(reach) {
			reach = sp.e
		}
	}
	return total
}

func oracleInstant(loc *time.Location, d time.Time, minute int) time.Time {
	t := time.Date(d.Year(), d.Month(), d.Day(), 0, minute, 0, 0, loc)
	wall := func(x time.Time) [5]int {
		x = x.In(loc)
		return [5]int{x.Year(), int(x.Month()), x.Day(), x.Hour(), x.Minute()}
	}
	best := t
	for _, back := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if e := t.Add(-back); wall(e) == wall(t) {
			best = e
		}
	}
	return best
}

// TestSweepClockChanges runs the fuzz properties on a fixed grid of start
// times around the 2026 clock changes of every fuzz calendar's zone.
func TestSweepClockChanges(t *testing.T) {
	windows := [][2]string{
		{"2026-03-05 00:00", "2026-03-10 00:00"}, // Havana, 8 March
		{"2026-03-26 00:00", "2026-04-06 00:00"}, // Europe, 29 March; Lord Howe, 5 April
		{"2026-10-01 00:00", "2026-10-06 00:00"}, // Lord Howe, 4 October
		{"2026-10-22 00:00", "2026-11-03 00:00"}, // Europe, 25 October; Havana, 1 November
	}
	for i, cal := range fuzzCalendars() {
		for _, w := range windows {
			for a := utc(t, w[0]); a.Before(utc(t, w[1])); a = a.Add(23 * time.Minute) {
				checkAddThenBetween(t, cal, a, 7*time.Hour+13*time.Minute)
				checkBetweenThenAdd(t, cal, a, a.Add(50*time.Hour))
			}
		}
		if t.Failed() {
			t.Fatalf("calendar %d failed", i)
		}
	}
}
