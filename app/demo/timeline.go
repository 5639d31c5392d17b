package demo

import (
	"context"
	"errors"
	"time"
	_ "time/tzdata" // the school's zone must resolve on hosts without zoneinfo

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// timeline places the demo school's story in time. Everything is laid out
// from the Monday of the week the school was first seeded, so that a demo
// opened on any day shows two cohorts still running, homework handed in
// over the last days and conversations of the last weeks. The first seed
// creates the cohorts from it; every later seed reads it back from a
// recorded cohort's start, so that the history it replays is the one
// already recorded.
type timeline struct {
	anchor time.Time // the Monday, at 00:00 UTC, the layout counts back from
	now    time.Time // the hour this seed replays the school up to
}

// newTimeline reads the layout of a school seeded before, or starts one in
// the week of now.
func newTimeline(ctx context.Context, svc *server.Services, orgID string, now time.Time) (timeline, error) {
	for _, c := range demoCohorts {
		cohort, err := svc.School.CohortByExternalID(ctx, orgID, demoSource, c.key)
		if errors.Is(err, errs.ErrNotFound) {
			continue
		}
		if err != nil {
			return timeline{}, err
		}
		starts, err := time.Parse(time.DateOnly, cohort.StartsOn)
		if err != nil {
			return timeline{}, err
		}
		return timeline{anchor: starts.AddDate(0, 0, 7*c.weeksAgo), now: now}, nil
	}
	return timeline{anchor: mondayOf(now), now: now}, nil
}

// mondayOf is the Monday of t's week in the school's time zone, as a date.
func mondayOf(t time.Time) time.Time {
	local := t.In(moscow)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -(int(day.Weekday())+6)%7)
}

// starts is the first day of a cohort.
func (tl timeline) starts(c demoCohort) time.Time { return tl.anchor.AddDate(0, 0, -7*c.weeksAgo) }

// ends is the last day of a cohort.
func (tl timeline) ends(c demoCohort) time.Time { return tl.starts(c).AddDate(0, 0, c.days) }

// moscow is the demo school's time zone.
var moscow = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}
