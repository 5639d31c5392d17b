package bizcal

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// TestDemoAcceptance pins the two due times the SLA module is built on.
func TestDemoAcceptance(t *testing.T) {
	cal := mustNew(t, demoSpec())
	msk := cal.Location()

	// A chat message on Saturday 14 March 2026 at 19:00, after the Saturday
	// closing at 18:00, with a 2-hour target: Sunday is closed, so counting
	// starts on Monday 16 March at 09:00 and ends at 11:00.
	got := cal.AddBusiness(at(t, msk, "2026-03-14 19:00"), 2*time.Hour)
	if want := at(t, msk, "2026-03-16 11:00"); !got.Equal(want) {
		t.Errorf("Saturday 19:00 + 2h = %v, want %v", got, want)
	}

	// Homework submitted on Friday 13 March 2026 at 20:00 with a 24-hour
	// target: Fri 20–21 = 1h, Sat 10–18 = 8h (9h), Sun closed, Mon 09–21 =
	// 12h (21h), Tue 09:00 + 3h = Tue 12:00.
	got = cal.AddBusiness(at(t, msk, "2026-03-13 20:00"), 24*time.Hour)
	if want := at(t, msk, "2026-03-17 12:00"); !got.Equal(want) {
		t.Errorf("Friday 20:00 + 24h = %v, want %v", got, want)
	}
}

type addCase struct {
	name  string
	start string
	d     time.Duration
	want  string
}

func runAddCases(t *testing.T, cal *Calendar, cases []addCase) {
	t.Helper()
	loc := cal.Location()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := at(t, loc, tc.start)
			got := cal.AddBusiness(start, tc.d)
			if want := at(t, loc, tc.want); !got.Equal(want) {
				t.Fatalf("AddBusiness(%s, %v) = %v, want %s", tc.start, tc.d, got.In(loc), tc.want)
			}
			if got.Location() != start.Location() {
				t.Errorf("answer in %v, want the start's location %v", got.Location(), start.Location())
			}
			if tc.d > 0 {
				if back := cal.BusinessBetween(start, got); back != tc.d {
					t.Errorf("BusinessBetween(start, due) = %v, want %v", back, tc.d)
				}
			}
		})
	}
}

func TestAddBusinessDemo(t *testing.T) {
	runAddCases(t, mustNew(t, demoSpec()), []addCase{
		{"start outside hours counts from next opening", "2026-03-15 12:00", time.Hour, "2026-03-16 10:00"},
		{"start exactly at opening", "2026-03-16 09:00", time.Hour, "2026-03-16 10:00"},
		{"start exactly at closing", "2026-03-16 21:00", time.Hour, "2026-03-17 10:00"},
		{"deadline at closing stays at closing", "2026-03-16 20:00", time.Hour, "2026-03-16 21:00"},
		{"second precision", "2026-03-16 20:59", 61 * time.Second, "2026-03-17 09:00:01"},
		{"whole working week ends Saturday 18:00", "2026-03-16 09:00", 68 * time.Hour, "2026-03-21 18:00"},
		{"one second past a week", "2026-03-16 09:00", 68*time.Hour + time.Second, "2026-03-23 09:00:01"},
		{"three weeks", "2026-03-16 09:00", 3 * 68 * time.Hour, "2026-04-04 18:00"},
		// Sat 7 March is an ordinary Saturday; Mon 9 March is the day off
		// for 8 March: Sat 17–18 = 1h, Tue 10 March 09:00 + 1h.
		{"holiday Monday skipped", "2026-03-07 17:00", 2 * time.Hour, "2026-03-10 10:00"},
		// Wed 31 Dec 2025 20–21 = 1h, 1–9 January closed, Sat 10 January.
		{"new year holidays", "2025-12-31 20:00", 2 * time.Hour, "2026-01-10 11:00"},
		// Fri 8 May 20–21 = 1h; Sat 9 May and Mon 11 May are holidays.
		{"victory day weekend", "2026-05-08 20:00", 2 * time.Hour, "2026-05-12 10:00"},
		{"zero returns start even when closed", "2026-03-15 12:00", 0, "2026-03-15 12:00"},
		{"negative returns start", "2026-03-16 10:00", -time.Hour, "2026-03-16 10:00"},
	})
}

func TestAddBusinessSecondFraction(t *testing.T) {
	cal := mustNew(t, demoSpec())
	start := at(t, cal.Location(), "2026-03-16 20:59").Add(30*time.Second + 250*time.Millisecond)
	got := cal.AddBusiness(start, time.Minute)
	want := at(t, cal.Location(), "2026-03-17 09:00").Add(30*time.Second + 250*time.Millisecond)
	if !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestTransferredWorkingDays(t *testing.T) {
	withDay := func(w WorkingDay) *Calendar {
		s := demoSpec()
		s.WorkingDays = append(s.WorkingDays, w)
		return mustNew(t, s)
	}
	t.Run("sunday works like monday", func(t *testing.T) {
		runAddCases(t, withDay(WorkingDay{Date: "2026-03-15", Like: "monday"}), []addCase{
			{"saturday evening", "2026-03-14 19:00", 2 * time.Hour, "2026-03-15 11:00"},
			{"through the sunday", "2026-03-15 20:00", 2 * time.Hour, "2026-03-16 10:00"},
		})
	})
	t.Run("sunday with its own hours", func(t *testing.T) {
		runAddCases(t, withDay(WorkingDay{Date: "2026-03-15", Intervals: days(iv("12:00", "14:00"))}), []addCase{
			{"saturday evening", "2026-03-14 19:00", 3 * time.Hour, "2026-03-16 10:00"},
		})
	})
	t.Run("monday hours replaced", func(t *testing.T) {
		runAddCases(t, withDay(WorkingDay{Date: "2026-03-16", Intervals: days(iv("15:00", "16:00"))}), []addCase{
			{"saturday evening", "2026-03-14 19:00", 2 * time.Hour, "2026-03-17 10:00"},
			{"monday morning is closed", "2026-03-16 09:00", 30 * time.Minute, "2026-03-16 15:30"},
		})
	})
}

func TestOvernightInterval(t *testing.T) {
	base := Spec{TimeZone: "Europe/Berlin", Weekly: Weekly{Friday: days(iv("22:00", "02:00"))}}
	holidayOn := func(date string) *Calendar {
		s := base
		s.Holidays = []string{date}
		return mustNew(t, s)
	}
	t.Run("plain", func(t *testing.T) {
		runAddCases(t, mustNew(t, base), []addCase{
			{"runs past midnight", "2026-06-05 23:00", 2 * time.Hour, "2026-06-06 01:00"},
			{"continues next friday", "2026-06-05 23:00", 4 * time.Hour, "2026-06-12 23:00"},
			{"start inside the saturday part", "2026-06-06 01:30", time.Hour, "2026-06-12 22:30"},
			{"start after the saturday part", "2026-06-06 02:00", time.Hour, "2026-06-12 23:00"},
		})
	})
	t.Run("holiday on the day it ends does not close it", func(t *testing.T) {
		runAddCases(t, holidayOn("2026-06-06"), []addCase{
			{"runs past midnight", "2026-06-05 23:00", 2 * time.Hour, "2026-06-06 01:00"},
		})
	})
	t.Run("holiday on the day it starts closes it", func(t *testing.T) {
		runAddCases(t, holidayOn("2026-06-05"), []addCase{
			{"skips to next friday", "2026-06-05 23:00", time.Hour, "2026-06-12 23:00"},
			{"from thursday", "2026-06-04 12:00", time.Hour, "2026-06-12 23:00"},
		})
	})
	t.Run("sunday into monday", func(t *testing.T) {
		cal := mustNew(t, Spec{TimeZone: "Europe/Berlin", Weekly: Weekly{Sunday: days(iv("23:00", "01:00")), Monday: days(iv("09:00", "10:00"))}})
		runAddCases(t, cal, []addCase{
			{"past midnight", "2026-06-07 23:30", time.Hour, "2026-06-08 00:30"},
			{"then monday morning", "2026-06-07 23:30", 2 * time.Hour, "2026-06-08 09:30"},
		})
	})
}

// TestDaylightSaving uses Europe/Berlin: clocks jump 02:00→03:00 on
// 2026-03-29 and fall back 03:00→02:00 on 2026-10-25. The windows below
// cover exactly the intervals that start on those dates.
func TestDaylightSaving(t *testing.T) {
	spring := [2]string{"2026-03-28 22:00", "2026-03-29 12:00"} // UTC; 23:00 UTC is local midnight
	autumn := [2]string{"2026-10-24 21:00", "2026-10-25 12:00"} // UTC; 22:00 UTC is local midnight
	normal := [2]string{"2026-06-14 21:00", "2026-06-15 12:00"}
	cases := []struct {
		name     string
		interval Interval
		window   [2]string
		want     time.Duration
	}{
		{"01-04 spring loses an hour", iv("01:00", "04:00"), spring, 2 * time.Hour},
		{"01-04 autumn gains an hour", iv("01:00", "04:00"), autumn, 4 * time.Hour},
		{"01-04 ordinary day", iv("01:00", "04:00"), normal, 3 * time.Hour},
		// 02:30 does not exist on the spring day and becomes 03:30 CEST.
		{"end in the gap moves forward", iv("00:00", "02:30"), spring, 150 * time.Minute},
		{"start in the gap moves forward", iv("02:30", "04:00"), spring, 30 * time.Minute},
		{"both ends in the gap", iv("02:15", "02:45"), spring, 30 * time.Minute},
		{"swallowed by the gap", iv("02:30", "03:15"), spring, 0},
		// 02:30 happens twice on the autumn day; the first one counts.
		{"end in the repeated hour", iv("00:00", "02:30"), autumn, 150 * time.Minute},
		{"start in the repeated hour", iv("02:30", "04:00"), autumn, 150 * time.Minute},
		{"overnight across the spring change", iv("22:00", "06:00"), [2]string{"2026-03-28 12:00", "2026-03-29 12:00"}, 7 * time.Hour},
		{"overnight across the autumn change", iv("22:00", "06:00"), [2]string{"2026-10-24 12:00", "2026-10-25 12:00"}, 9 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cal := mustNew(t, Spec{TimeZone: "Europe/Berlin", Weekly: everyDay(tc.interval)})
			from, to := utc(t, tc.window[0]), utc(t, tc.window[1])
			if got := cal.BusinessBetween(from, to); got != tc.want {
				t.Errorf("BusinessBetween = %v, want %v", got, tc.want)
			}
			var sum time.Duration
			for _, s := range cal.Segments(from, to) {
				sum += s.Duration()
			}
			if sum != tc.want {
				t.Errorf("segments add up to %v, want %v", sum, tc.want)
			}
		})
	}

	cal := mustNew(t, Spec{TimeZone: "Europe/Berlin", Weekly: everyDay(iv("01:00", "04:00"))})
	addCases := []struct {
		name, start string // UTC
		d           time.Duration
		want        string // UTC
	}{
		{"spring: 01:00 CET + 2h is 04:00 CEST", "2026-03-28 23:00", 2 * time.Hour, "2026-03-29 02:00"},
		{"spring: one more minute is the next day", "2026-03-28 23:00", 2*time.Hour + time.Minute, "2026-03-29 23:01"},
		{"autumn: 01:00 CEST + 3h is 03:00 CET", "2026-10-24 22:00", 3 * time.Hour, "2026-10-25 02:00"},
		{"autumn: 01:00 CEST + 4h is 04:00 CET", "2026-10-24 22:00", 4 * time.Hour, "2026-10-25 03:00"},
	}
	for _, tc := range addCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.AddBusiness(utc(t, tc.start), tc.d); !got.Equal(utc(t, tc.want)) {
				t.Errorf("AddBusiness = %v, want %s UTC", got, tc.want)
			}
		})
	}
}

func TestAlwaysOpen(t *testing.T) {
	msk := mustZone(t, "Europe/Moscow")
	t.Run("plain elapsed time", func(t *testing.T) {
		cal := mustNew(t, Spec{TimeZone: "Europe/Moscow", AlwaysOpen: true})
		start := at(t, msk, "2026-03-14 19:00")
		if got, want := cal.AddBusiness(start, 30*time.Hour), start.Add(30*time.Hour); !got.Equal(want) {
			t.Errorf("AddBusiness = %v, want %v", got, want)
		}
		if got := cal.BusinessBetween(start, start.Add(90*time.Minute)); got != 90*time.Minute {
			t.Errorf("BusinessBetween = %v, want 1h30m", got)
		}
		if got := cal.BusinessBetween(start, start.Add(-time.Hour)); got != 0 {
			t.Errorf("BusinessBetween backwards = %v, want 0", got)
		}
		want := []Segment{{Start: start.UTC(), End: start.Add(time.Hour).UTC()}}
		if got := cal.Segments(start, start.Add(time.Hour)); !slices.Equal(got, want) {
			t.Errorf("Segments = %v, want %v", got, want)
		}
	})
	t.Run("holidays still close", func(t *testing.T) {
		cal := mustNew(t, Spec{TimeZone: "Europe/Moscow", AlwaysOpen: true, Holidays: []string{"2026-01-01"}})
		runAddCases(t, cal, []addCase{
			{"skips new year's day", "2025-12-31 23:00", 2 * time.Hour, "2026-01-02 01:00"},
		})
		if got := cal.BusinessBetween(at(t, msk, "2025-12-31 00:00"), at(t, msk, "2026-01-03 00:00")); got != 48*time.Hour {
			t.Errorf("BusinessBetween = %v, want 48h", got)
		}
		want := []Segment{
			{Start: at(t, msk, "2025-12-31 12:00").UTC(), End: at(t, msk, "2026-01-01 00:00").UTC()},
			{Start: at(t, msk, "2026-01-02 00:00").UTC(), End: at(t, msk, "2026-01-02 12:00").UTC()},
		}
		if got := cal.Segments(at(t, msk, "2025-12-31 12:00"), at(t, msk, "2026-01-02 12:00")); !slices.Equal(got, want) {
			t.Errorf("Segments = %v, want %v", got, want)
		}
	})
}

func TestBusinessBetween(t *testing.T) {
	cal := mustNew(t, demoSpec())
	cases := []struct {
		name, a, b string
		want       time.Duration
	}{
		{"empty when b before a", "2026-03-17 12:00", "2026-03-16 12:00", 0},
		{"empty when equal", "2026-03-16 12:00", "2026-03-16 12:00", 0},
		{"inside one interval", "2026-03-16 10:00", "2026-03-16 12:30", 150 * time.Minute},
		{"both ends closed", "2026-03-15 00:00", "2026-03-15 23:59", 0},
		{"b at opening counts nothing", "2026-03-15 12:00", "2026-03-16 09:00", 0},
		{"friday evening to tuesday noon", "2026-03-13 20:00", "2026-03-17 12:00", 24 * time.Hour},
		{"a full week", "2026-03-16 00:00", "2026-03-23 00:00", 68 * time.Hour},
		{"the holiday week loses monday", "2026-03-09 00:00", "2026-03-16 00:00", 56 * time.Hour},
		{"four weeks", "2026-03-16 00:00", "2026-04-13 00:00", 4 * 68 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.BusinessBetween(at(t, cal.Location(), tc.a), at(t, cal.Location(), tc.b)); got != tc.want {
				t.Errorf("BusinessBetween = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSegments(t *testing.T) {
	cal := mustNew(t, demoSpec())
	msk := cal.Location()
	seg := func(from, to string) Segment {
		return Segment{Start: at(t, msk, from).UTC(), End: at(t, msk, to).UTC()}
	}
	from, to := at(t, msk, "2026-03-13 20:00"), at(t, msk, "2026-03-17 12:00")
	want := []Segment{
		seg("2026-03-13 20:00", "2026-03-13 21:00"),
		seg("2026-03-14 10:00", "2026-03-14 18:00"),
		seg("2026-03-16 09:00", "2026-03-16 21:00"),
		seg("2026-03-17 09:00", "2026-03-17 12:00"),
	}
	got := cal.Segments(from, to)
	if !slices.Equal(got, want) {
		t.Fatalf("Segments =\n%v\nwant\n%v", got, want)
	}
	for _, s := range got {
		if s.Start.Location() != time.UTC || s.End.Location() != time.UTC {
			t.Errorf("segment %v is not in UTC", s)
		}
	}
	if got := cal.Segments(to, from); len(got) != 0 {
		t.Errorf("Segments backwards = %v, want none", got)
	}
}

// TestChunkBoundaries crosses the calendar's internal chunk boundaries:
// touching days must join into one segment and no time may be lost or
// counted twice.
func TestChunkBoundaries(t *testing.T) {
	allDay := mustNew(t, Spec{TimeZone: "Europe/Moscow", Weekly: everyDay(iv("00:00", "24:00"))})
	overnight := mustNew(t, Spec{TimeZone: "Europe/Berlin", Weekly: everyDay(iv("20:00", "08:00"))})
	demo := mustNew(t, demoSpec())
	for k := chunkOf(utc(t, "2020-01-01 00:00").UnixNano()) + 1; k <= chunkOf(utc(t, "2030-01-01 00:00").UnixNano()); k++ {
		boundary := time.Unix(0, int64(k)<<chunkShift).UTC()
		from, to := boundary.Add(-48*time.Hour), boundary.Add(48*time.Hour)
		if got := allDay.Segments(from, to); len(got) != 1 || !got[0].Start.Equal(from) || !got[0].End.Equal(to) {
			t.Errorf("boundary %v: all-day segments = %v, want one", boundary, got)
		}
		if got := allDay.BusinessBetween(from, to); got != 96*time.Hour {
			t.Errorf("boundary %v: all-day BusinessBetween = %v, want 96h", boundary, got)
		}
		if got := allDay.AddBusiness(boundary.Add(-time.Hour), 2*time.Hour); !got.Equal(boundary.Add(time.Hour)) {
			t.Errorf("boundary %v: AddBusiness = %v", boundary, got)
		}
		for _, cal := range []*Calendar{overnight, demo} {
			want := oracleBetween(t, cal, from, to)
			if got := cal.BusinessBetween(from, to); got != want {
				t.Errorf("boundary %v: BusinessBetween = %v, want %v", boundary, got, want)
			}
		}
	}
}

func TestNextOpenAndIsOpen(t *testing.T) {
	cal := mustNew(t, demoSpec())
	msk := cal.Location()
	cases := []struct {
		name, at, next string
		open           bool
	}{
		{"closed sunday", "2026-03-15 12:00", "2026-03-16 09:00", false},
		{"at opening", "2026-03-16 09:00", "2026-03-16 09:00", true},
		{"inside", "2026-03-16 10:00", "2026-03-16 10:00", true},
		{"at closing", "2026-03-16 21:00", "2026-03-17 09:00", false},
		{"holiday", "2026-03-09 12:00", "2026-03-10 09:00", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tm := at(t, msk, tc.at)
			if got := cal.NextOpen(tm); !got.Equal(at(t, msk, tc.next)) {
				t.Errorf("NextOpen = %v, want %s", got, tc.next)
			}
			if got := cal.IsOpen(tm); got != tc.open {
				t.Errorf("IsOpen = %v, want %v", got, tc.open)
			}
		})
	}
}

func TestRange(t *testing.T) {
	cal := mustNew(t, demoSpec())
	// 1970-01-01 was a Thursday; Moscow was at UTC+3.
	if got, want := cal.AddBusiness(time.Time{}, time.Hour), time.Date(1970, 1, 1, 7, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("AddBusiness from year 1 = %v, want %v", got, want)
	}
	if got, want := cal.BusinessBetween(time.Time{}, time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)), 12*time.Hour; got != want {
		t.Errorf("BusinessBetween from year 1 = %v, want %v", got, want)
	}
	end := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	if end.Unix() != maxSec {
		t.Fatalf("maxSec = %d, want %d", maxSec, end.Unix())
	}
	if got := cal.AddBusiness(time.Date(2199, 12, 30, 0, 0, 0, 0, time.UTC), 1000*time.Hour); !got.Equal(end) {
		t.Errorf("AddBusiness past 2200 = %v, want %v", got, end)
	}
	if got := cal.AddBusiness(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Duration(1<<63-1)); !got.Equal(end) {
		t.Errorf("AddBusiness of the longest duration = %v, want %v", got, end)
	}
	if got := cal.BusinessBetween(end, end.Add(1000*time.Hour)); got != 0 {
		t.Errorf("BusinessBetween after 2200 = %v, want 0", got)
	}
}

// TestConcurrentUse races first uses of the same chunks; run with -race.
func TestConcurrentUse(t *testing.T) {
	reference := mustNew(t, demoSpec())
	shared := mustNew(t, demoSpec())
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				s := start.Add(time.Duration(i*(g+1)) * 37 * time.Hour)
				if got, want := shared.AddBusiness(s, 24*time.Hour), reference.AddBusiness(s, 24*time.Hour); !got.Equal(want) {
					errs <- s.String()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Errorf("concurrent AddBusiness from %s differs from the sequential answer", s)
	}
}

func TestRussia2026(t *testing.T) {
	cal := mustNew(t, demoSpec())
	msk := cal.Location()
	weekdays := map[string]time.Weekday{
		"2026-01-09": time.Friday, "2026-03-08": time.Sunday, "2026-03-09": time.Monday,
		"2026-05-09": time.Saturday, "2026-05-11": time.Monday, "2026-12-31": time.Thursday,
	}
	holidays := Russia2026Holidays()
	for date, wd := range weekdays {
		if !slices.Contains(holidays, date) {
			t.Errorf("%s is missing", date)
		}
		if got := at(t, msk, date+" 12:00").Weekday(); got != wd {
			t.Errorf("%s is a %v, want %v", date, got, wd)
		}
	}
	for _, date := range holidays {
		if cal.IsOpen(at(t, msk, date+" 12:00")) {
			t.Errorf("demo calendar open on the holiday %s", date)
		}
	}
	if !cal.IsOpen(at(t, msk, "2026-01-10 12:00")) || !cal.IsOpen(at(t, msk, "2026-05-12 12:00")) {
		t.Error("demo calendar closed on an ordinary working day")
	}
	if len(Russia2026WorkingDays()) != 0 {
		t.Error("2026 has no working weekends")
	}
}
