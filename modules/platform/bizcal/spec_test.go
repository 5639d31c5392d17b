package bizcal

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

func TestNewRejectsBadSpecs(t *testing.T) {
	week := func(w Weekly) Spec { return Spec{TimeZone: "Europe/Moscow", Weekly: w} }
	mon := func(ivs ...Interval) Spec { return week(Weekly{Monday: ivs}) }
	withHolidays := func(h ...string) Spec { s := mon(iv("09:00", "18:00")); s.Holidays = h; return s }
	withDays := func(w ...WorkingDay) Spec { s := mon(iv("09:00", "18:00")); s.WorkingDays = w; return s }
	cases := []struct {
		name  string
		spec  Spec
		field string
		text  string
	}{
		{"no time zone", Spec{Weekly: Weekly{Monday: days(iv("09:00", "18:00"))}}, "time_zone", "required"},
		{"unknown time zone", Spec{TimeZone: "Mars/Olympus", Weekly: Weekly{Monday: days(iv("09:00", "18:00"))}}, "time_zone", "unknown"},
		{"host time zone", Spec{TimeZone: "Local", Weekly: Weekly{Monday: days(iv("09:00", "18:00"))}}, "time_zone", "IANA"},
		{"no hours", week(Weekly{}), "weekly", "no working intervals"},
		{"always open with hours", Spec{TimeZone: "UTC", AlwaysOpen: true, Weekly: Weekly{Monday: days(iv("09:00", "18:00"))}}, "weekly", "always_open"},
		{"start without leading zero", mon(iv("09:00", "12:00"), iv("9:00", "10:00")), "weekly.monday[1].start", "HH:MM"},
		{"start at 24:00", mon(iv("24:00", "10:00")), "weekly.monday[0].start", "23:59"},
		{"end past 24:00", week(Weekly{Tuesday: days(iv("09:00", "24:01"))}), "weekly.tuesday[0].end", "24:00"},
		{"minutes out of range", week(Weekly{Sunday: days(iv("09:60", "10:00"))}), "weekly.sunday[0].start", "HH:MM"},
		{"not digits", mon(iv("ab:cd", "10:00")), "weekly.monday[0].start", "HH:MM"},
		{"overlap within a day", mon(iv("09:00", "12:00"), iv("11:00", "13:00")), "weekly.monday[1]", "overlaps weekly.monday[0]"},
		{"two 24-hour intervals", mon(iv("09:00", "09:00"), iv("10:00", "11:00")), "weekly.monday[1]", "overlaps"},
		{"overnight into next day", week(Weekly{Friday: days(iv("22:00", "02:00")), Saturday: days(iv("01:00", "05:00"))}), "weekly.saturday[0]", "overlaps weekly.friday[0]"},
		{"sunday overnight into monday", week(Weekly{Sunday: days(iv("23:00", "10:00")), Monday: days(iv("09:00", "12:00"))}), "weekly.monday[0]", "overlaps weekly.sunday[0]"},
		{"malformed holiday", withHolidays("2026-01-01", "2026-13-01"), "holidays[1]", "YYYY-MM-DD"},
		{"holiday out of range", withHolidays("1969-12-31"), "holidays[0]", "1970"},
		{"duplicate holiday", withHolidays("2026-01-01", "2026-01-01"), "holidays[1]", "twice"},
		{"working day bad date", withDays(WorkingDay{Date: "07.11.2026", Like: "monday"}), "working_days[0].date", "YYYY-MM-DD"},
		{"working day unknown weekday", withDays(WorkingDay{Date: "2026-11-07", Like: "Funday"}), "working_days[0].like", "not a weekday"},
		{"working day like a closed weekday", withDays(WorkingDay{Date: "2026-11-07", Like: "sunday"}), "working_days[0].like", "no working hours"},
		{"working day both", withDays(WorkingDay{Date: "2026-11-07", Like: "monday", Intervals: days(iv("09:00", "10:00"))}), "working_days[0]", "either"},
		{"working day neither", withDays(WorkingDay{Date: "2026-11-07"}), "working_days[0]", "set like"},
		{"working day bad interval", withDays(WorkingDay{Date: "2026-11-07", Intervals: days(iv("09:00", "10:00"), iv("09:30", "11:00"))}), "working_days[0].intervals[1]", "overlaps"},
		{"working day twice", withDays(WorkingDay{Date: "2026-11-07", Like: "monday"}, WorkingDay{Date: "2026-11-07", Like: "tuesday"}), "working_days[1].date", "twice"},
		{"working day is a holiday", func() Spec {
			s := withDays(WorkingDay{Date: "2026-11-07", Like: "monday"})
			s.Holidays = []string{"2026-11-07"}
			return s
		}(), "working_days[0].date", "holiday"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cal, err := New(tc.spec)
			if err == nil {
				t.Fatalf("New accepted the spec: %+v", cal)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is %T, want *ValidationError", err, err)
			}
			if ve.Field != tc.field || !strings.Contains(ve.Message, tc.text) {
				t.Errorf("got %q: %q, want %q: …%s…", ve.Field, ve.Message, tc.field, tc.text)
			}
			if !strings.HasPrefix(err.Error(), tc.field+": ") {
				t.Errorf("Error() = %q does not start with the field", err.Error())
			}
		})
	}
}

func TestNewAcceptsEdgeSpecs(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
		// business time in the week of Monday 2026-03-16, Moscow
		week time.Duration
	}{
		{"24:00 end", Spec{TimeZone: "Europe/Moscow", Weekly: Weekly{Monday: days(iv("00:00", "24:00"))}}, 24 * time.Hour},
		{"equal ends last 24 hours", Spec{TimeZone: "Europe/Moscow", Weekly: Weekly{Monday: days(iv("09:00", "09:00"))}}, 24 * time.Hour},
		{"touching intervals", Spec{TimeZone: "Europe/Moscow", Weekly: Weekly{Monday: days(iv("09:00", "12:00"), iv("12:00", "13:00"))}}, 4 * time.Hour},
		{"overnight touching next day", Spec{TimeZone: "Europe/Moscow", Weekly: Weekly{Monday: days(iv("22:00", "02:00")), Tuesday: days(iv("02:00", "03:00"))}}, 5 * time.Hour},
		{"every day around the clock", Spec{TimeZone: "Europe/Moscow", Weekly: everyDay(iv("00:00", "00:00"))}, 7 * 24 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cal := mustNew(t, tc.spec)
			msk := cal.Location()
			if got := cal.BusinessBetween(at(t, msk, "2026-03-16 00:00"), at(t, msk, "2026-03-23 00:00")); got != tc.week {
				t.Errorf("week = %v, want %v", got, tc.week)
			}
		})
	}
}

func TestValidationErrorWithin(t *testing.T) {
	_, err := New(Spec{TimeZone: "Europe/Moscow", Weekly: Weekly{Monday: days(iv("09:00", "25:00"))}})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v", err)
	}
	var fe *errs.ValidationError
	if !errors.As(ve.Within("body.calendar"), &fe) {
		t.Fatalf("Within did not give an errs.ValidationError")
	}
	if len(fe.Fields) != 1 || fe.Fields[0].Location != "body.calendar.weekly.monday[0].end" {
		t.Errorf("fields = %+v", fe.Fields)
	}
}

func TestSpecJSON(t *testing.T) {
	raw := `{
		"time_zone": "Europe/Moscow",
		"weekly": {
			"monday": [{"start": "09:00", "end": "21:00"}],
			"friday": [{"start": "09:00", "end": "21:00"}, {"start": "22:00", "end": "02:00"}],
			"saturday": [{"start": "10:00", "end": "18:00"}]
		},
		"holidays": ["2026-01-01"],
		"working_days": [{"date": "2026-11-08", "like": "monday"}, {"date": "2026-11-15", "intervals": [{"start": "10:00", "end": "12:00"}]}]
	}`
	var s Spec
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatal(err)
	}
	cal := mustNew(t, s)
	msk := cal.Location()
	// Sunday 8 November works like a Monday.
	if !cal.IsOpen(at(t, msk, "2026-11-08 20:00")) || !cal.IsOpen(at(t, msk, "2026-11-15 11:00")) {
		t.Error("transferred working days from JSON are closed")
	}

	out, err := json.Marshal(Spec{TimeZone: "UTC", AlwaysOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"time_zone":"UTC","always_open":true}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
