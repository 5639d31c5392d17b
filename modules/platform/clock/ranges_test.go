package clock

import (
	"testing"
	"time"
)

func TestFactAndPlanRangesHaveTheirEdges(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		at         time.Time
		fact, plan bool
	}{
		{EarliestFact.Add(-time.Nanosecond), false, false},
		{EarliestFact, true, true},
		{now.Add(Skew), true, true},
		{now.Add(Skew + time.Nanosecond), false, true},
		{LatestPlan.Add(-time.Nanosecond), false, true},
		{LatestPlan, false, false},
		{time.Date(9999, 12, 31, 23, 30, 0, 0, time.UTC), false, false},
	}
	for _, c := range cases {
		if got := IsFact(c.at, now); got != c.fact {
			t.Errorf("IsFact(%v) = %v, want %v", c.at, got, c.fact)
		}
		if got := IsPlan(c.at); got != c.plan {
			t.Errorf("IsPlan(%v) = %v, want %v", c.at, got, c.plan)
		}
		if err := CheckFact("body.at", c.at, now); (err == nil) != c.fact {
			t.Errorf("CheckFact(%v) = %v", c.at, err)
		}
		if err := CheckPlan("body.at", c.at); (err == nil) != c.plan {
			t.Errorf("CheckPlan(%v) = %v", c.at, err)
		}
	}
}
