package bizcal

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests' zones must resolve on hosts without zoneinfo
)

func mustNew(tb testing.TB, s Spec) *Calendar {
	tb.Helper()
	c, err := New(s)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return c
}

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// at reads "2006-01-02 15:04" or "2006-01-02 15:04:05" as a wall time in
// loc. Only for wall times that exist exactly once.
func at(tb testing.TB, loc *time.Location, v string) time.Time {
	tb.Helper()
	layout := "2006-01-02 15:04"
	if len(v) > len(layout) {
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func utc(tb testing.TB, v string) time.Time { return at(tb, time.UTC, v) }

func iv(start, end string) Interval { return Interval{Start: start, End: end} }

func days(ivs ...Interval) []Interval { return ivs }

// demoSpec is the school demo calendar: Mon–Fri 09:00–21:00, Sat
// 10:00–18:00, Moscow time, the 2026 Russian holidays.
func demoSpec() Spec {
	weekday := days(iv("09:00", "21:00"))
	return Spec{
		TimeZone: "Europe/Moscow",
		Weekly: Weekly{
			Monday: weekday, Tuesday: weekday, Wednesday: weekday, Thursday: weekday, Friday: weekday,
			Saturday: days(iv("10:00", "18:00")),
		},
		Holidays:    Russia2026Holidays(),
		WorkingDays: Russia2026WorkingDays(),
	}
}

// everyDay gives all seven weekdays the same intervals.
func everyDay(ivs ...Interval) Weekly {
	return Weekly{Monday: ivs, Tuesday: ivs, Wednesday: ivs, Thursday: ivs, Friday: ivs, Saturday: ivs, Sunday: ivs}
}
