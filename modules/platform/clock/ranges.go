package clock

import (
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// The times the service accepts, on every entry point (API, LMS events, CSV).
// A fact (something that happened: a message sent, a homework submitted, a
// payment made) lies in [EarliestFact, now + Skew]; a plan (a due time, a
// warning, a report's range) lies in [EarliestFact, LatestPlan). Anything
// else is an input error, never a stored value: both databases store and
// read back every instant inside these bounds, and a year-10000 due time
// cannot even be read back on SQLite.
var (
	EarliestFact = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestPlan   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Skew is how far ahead of the server's clock a sender's clock may run.
const Skew = 5 * time.Minute

// IsFact reports whether t can have happened by now.
func IsFact(t, now time.Time) bool {
	return !t.Before(EarliestFact) && !t.After(now.Add(Skew))
}

// CheckFact refuses, naming location, a time that cannot have happened.
func CheckFact(location string, t, now time.Time) error {
	if !IsFact(t, now) {
		return errs.Invalid(location, "must lie between 2000-01-01 and five minutes from now")
	}
	return nil
}

// IsPlan reports whether t lies in the range plans may be made for.
func IsPlan(t time.Time) bool {
	return !t.Before(EarliestFact) && t.Before(LatestPlan)
}

// CheckPlan refuses, naming location, a time outside the range of plans.
func CheckPlan(location string, t time.Time) error {
	if !IsPlan(t) {
		return errs.Invalid(location, "must lie between 2000-01-01 and 2100-01-01")
	}
	return nil
}

// CheckPeriod refuses a listing's or report's optional period [from, to),
// given as query.from and query.to, when an end lies outside the range of
// plans or the period ends before it begins. A zero end is left open.
func CheckPeriod(from, to time.Time) error {
	for _, end := range []struct {
		location string
		at       time.Time
	}{{"query.from", from}, {"query.to", to}} {
		if !end.at.IsZero() {
			if err := CheckPlan(end.location, end.at); err != nil {
				return err
			}
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return errs.Invalid("query.to", "must be after from")
	}
	return nil
}

// ParseDay reads date (YYYY-MM-DD) as the start of that day in loc and
// refuses, naming location, a malformed date or one outside the range of
// plans. Every "school-local day" input goes through it, so the message
// and the bounds are the same wherever a day is asked for.
func ParseDay(location, date string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return time.Time{}, errs.Invalid(location, "must be a date such as 2026-11-30")
	}
	if err := CheckPlan(location, d); err != nil {
		return time.Time{}, err
	}
	return d, nil
}
