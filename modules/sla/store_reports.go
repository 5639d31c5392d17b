package sla

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// groupCounts is one group's clock counts, as the report query returns them.
type groupCounts struct {
	Key                                               string
	Answered, Compliant, Open, OpenPastDue, Dismissed int
}

// ReportCounts counts the clocks started in [from, to) by outcome, grouped
// by column; the database aggregates, only one row per group travels.
func (Store) ReportCounts(ctx context.Context, db bun.IDB, orgID, column string, from, to, now time.Time) ([]groupCounts, error) {
	rows, err := db.NewSelect().TableExpr("sla_clocks").
		ColumnExpr("? AS grp", bun.Ident(column)).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockAnswered).
		ColumnExpr("SUM(CASE WHEN status = ? AND breached = ? THEN 1 ELSE 0 END)", ClockAnswered, false).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockOpen).
		ColumnExpr("SUM(CASE WHEN status = ? AND due_at <= ? THEN 1 ELSE 0 END)", ClockOpen, now).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockDismissed).
		Where("org_id = ? AND started_at >= ? AND started_at < ?", orgID, from, to).
		GroupExpr("grp").Rows(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []groupCounts
	for rows.Next() {
		var g groupCounts
		if err := rows.Scan(&g.Key, &g.Answered, &g.Compliant, &g.Open, &g.OpenPastDue, &g.Dismissed); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ReportDurations streams the business durations of the clocks answered
// among those started in [from, to), with their group, in no particular
// order: sorting a few hundred thousand integers in Go is cheaper than a
// database sort that spills to disk.
func (Store) ReportDurations(ctx context.Context, db bun.IDB, orgID, column string, from, to time.Time, fn func(key string, seconds int64)) error {
	rows, err := db.NewSelect().TableExpr("sla_clocks").
		ColumnExpr("? AS grp", bun.Ident(column)).Column("business_seconds").
		Where("org_id = ? AND started_at >= ? AND started_at < ? AND status = ?", orgID, from, to, ClockAnswered).Rows(ctx)
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
