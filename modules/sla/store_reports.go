package sla

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// reportFilter is the clocks a report covers: started in [From, To), of
// one curator when CuratorID is set; Now decides which open clocks are
// past due.
type reportFilter struct {
	From, To, Now time.Time
	CuratorID     *string
}

// where narrows q to the filter's clocks of the school.
func (f reportFilter) where(q *bun.SelectQuery, orgID string) *bun.SelectQuery {
	q = q.Where("org_id = ? AND started_at >= ? AND started_at < ?", orgID, f.From, f.To)
	if f.CuratorID != nil {
		q = q.Where("curator_id = ?", *f.CuratorID)
	}
	return q
}

// groupCounts is one group's clock counts, as the report query returns them.
type groupCounts struct {
	Key                                               string
	CourseID                                          string // of a cohort group
	Answered, Compliant, Open, OpenPastDue, Dismissed int
}

// ReportCounts counts the clocks of the filter by outcome, grouped by
// column; the database aggregates, only one row per group travels. A
// cohort belongs to one course, so the smallest course id of a cohort's
// clocks is its course.
func (Store) ReportCounts(ctx context.Context, db bun.IDB, orgID, column string, f reportFilter) ([]groupCounts, error) {
	q := db.NewSelect().TableExpr("sla_clocks").
		ColumnExpr("? AS grp", bun.Ident(column)).
		ColumnExpr("MIN(course_id)").
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockAnswered).
		ColumnExpr("SUM(CASE WHEN status = ? AND breached = ? THEN 1 ELSE 0 END)", ClockAnswered, false).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockOpen).
		ColumnExpr("SUM(CASE WHEN status = ? AND due_at <= ? THEN 1 ELSE 0 END)", ClockOpen, f.Now).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockDismissed)
	rows, err := f.where(q, orgID).GroupExpr("grp").Rows(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []groupCounts
	for rows.Next() {
		var g groupCounts
		if err := rows.Scan(&g.Key, &g.CourseID, &g.Answered, &g.Compliant, &g.Open, &g.OpenPastDue, &g.Dismissed); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ReportDurations streams the business durations of the answered clocks of
// the filter, with their group, in no particular order: sorting a few
// hundred thousand integers in Go is cheaper than a database sort that
// spills to disk.
func (Store) ReportDurations(ctx context.Context, db bun.IDB, orgID, column string, f reportFilter, fn func(key string, seconds int64)) error {
	q := db.NewSelect().TableExpr("sla_clocks").ColumnExpr("? AS grp", bun.Ident(column)).Column("business_seconds").
		Where("status = ?", ClockAnswered)
	rows, err := f.where(q, orgID).Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		key     string
		seconds int64
	)
	for rows.Next() {
		if err := rows.Scan(&key, &seconds); err != nil {
			return err
		}
		fn(key, seconds)
	}
	return rows.Err()
}

// reportClock is one clock as a report grouped in Go reads it.
type reportClock struct {
	StartedAt       time.Time `bun:"started_at"`
	Status          string    `bun:"status"`
	Breached        bool      `bun:"breached"`
	PastDue         bool      `bun:"past_due"`
	BusinessSeconds *int64    `bun:"business_seconds"`
}

// ReportClocks passes every clock of the filter to fn, in no particular
// order; the few columns it reads of a year of a large school's clocks
// take a few tens of megabytes. Whether an open clock is past due is
// asked of the database, so the due time itself is never read.
func (Store) ReportClocks(ctx context.Context, db bun.IDB, orgID string, f reportFilter, fn func(reportClock)) error {
	var out []reportClock
	q := db.NewSelect().TableExpr("sla_clocks").Column("started_at", "status", "breached", "business_seconds").
		ColumnExpr("CASE WHEN status = ? AND due_at <= ? THEN 1 ELSE 0 END AS past_due", ClockOpen, f.Now)
	if err := f.where(q, orgID).Scan(ctx, &out); err != nil {
		return err
	}
	for _, c := range out {
		fn(c)
	}
	return nil
}
