package sla

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// scorecardClock is one clock as the scorecard reads it.
type scorecardClock struct {
	CuratorID       string
	CohortID        string
	CourseID        string
	StartedAt       time.Time
	Status          string
	Breached        bool
	PastDue         bool
	BusinessSeconds *int64
}

// ScorecardClocks streams the clocks that started in [from, to) with the
// few columns the scorecard groups and counts.
func (Store) ScorecardClocks(ctx context.Context, db bun.IDB, orgID string, from, to, now time.Time, fn func(scorecardClock)) error {
	rows, err := db.NewSelect().TableExpr("sla_clocks").
		Column("curator_id", "cohort_id", "course_id", "started_at", "status", "breached").
		ColumnExpr("CASE WHEN status = ? AND due_at <= ? THEN 1 ELSE 0 END AS past_due", ClockOpen, now).
		Column("business_seconds").
		Where("org_id = ? AND started_at >= ? AND started_at < ? AND status <> ?", orgID, from, to, ClockDismissed).
		Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c scorecardClock
		var pastDue int
		if err := rows.Scan(&c.CuratorID, &c.CohortID, &c.CourseID, &c.StartedAt, &c.Status, &c.Breached, &pastDue, &c.BusinessSeconds); err != nil {
			return err
		}
		c.PastDue = pastDue == 1
		fn(c)
	}
	return rows.Err()
}
