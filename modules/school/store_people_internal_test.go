package school

import (
	"math/rand"
	"testing"
	"time"
)

// The listing parses SQLite's timestamps itself; it must read every form
// time.Parse reads, to the nanosecond, and refuse what time.Parse refuses.
func TestStoredTimesReadAsTimeParseReadsThem(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := 0; i < 5000; i++ {
		want := time.Unix(start+r.Int63n(40*365*24*3600), r.Int63n(1e9)).UTC()
		switch i % 3 {
		case 0:
			want = want.Truncate(time.Second) // no fraction at all
		case 1:
			want = want.Truncate(time.Microsecond) // what bun writes
		}
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999-07:00", time.RFC3339Nano} {
			s := want.Format(layout)
			if layout == "2006-01-02 15:04:05.999999-07:00" {
				want := want.Truncate(time.Microsecond)
				checkStoredTime(t, s, want)
				continue
			}
			checkStoredTime(t, s, want)
		}
	}
	moscow := time.FixedZone("MSK", 3*3600)
	for s, want := range map[string]time.Time{
		"2026-03-01 10:00:00+03:00":                 time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC),
		"2026-03-01T10:00:00.5+03:00":               time.Date(2026, 3, 1, 10, 0, 0, 5e8, moscow),
		"2026-03-01 10:00:00":                       time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		"2026-03-01 10:00":                          time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		"2026-03-01":                                time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"2026-03-01 10:00:00.123456789 +0000 UTC":   time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC),
		"2024-02-29 23:59:59.000001+00:00":          time.Date(2024, 2, 29, 23, 59, 59, 1000, time.UTC),
		"2026-03-01 10:00:00 +0300 MSK m=+0.000001": time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC),
	} {
		checkStoredTime(t, s, want)
	}
	for _, s := range []string{"", "garbage", "2026-02-30 10:00:00+00:00", "2026-13-01 10:00:00+00:00", "2026-03-01 24:00:00+00:00",
		"2026-03-01 10:00:00.+00:00", "2026-03-01 10:0x:00+00:00", "2026-03-01x10:00:00+00:00"} {
		var got time.Time
		if err := parseStoredTime(s, &got); err == nil {
			t.Errorf("parseStoredTime(%q) = %v, want an error", s, got)
		}
	}
}

func checkStoredTime(t *testing.T, s string, want time.Time) {
	t.Helper()
	var got time.Time
	if err := parseStoredTime(s, &got); err != nil || !got.Equal(want) {
		t.Fatalf("parseStoredTime(%q) = %v, %v; want %v", s, got, err, want)
	}
}
