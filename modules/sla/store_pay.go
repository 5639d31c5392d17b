package sla

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// PayClockGroups passes the clocks that started in [from, to) and are
// items of the compliance at now (answered, or open and due at or before
// now) to fn, grouped by curator and compliance, each group with its count
// and ids.
func (Store) PayClockGroups(ctx context.Context, db bun.IDB, orgID string, from, to, now time.Time, fn func(PayClockGroup)) error {
	rows, err := db.NewSelect().TableExpr("sla_clocks").
		ColumnExpr("curator_id, CASE WHEN status = ? AND breached = ? THEN 1 ELSE 0 END AS compliant", ClockAnswered, false).
		ColumnExpr("COUNT(*), "+database.JoinedIDs(db, "id")).
		Where("org_id = ? AND started_at >= ? AND started_at < ?", orgID, from, to).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("status = ?", ClockAnswered).WhereOr("status = ? AND due_at <= ?", ClockOpen, now)
		}).
		GroupExpr("1, 2").Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g PayClockGroup
		var compliant int
		if err := rows.Scan(&g.CuratorID, &compliant, &g.Count, &g.IDs); err != nil {
			return err
		}
		g.Compliant = compliant == 1
		fn(g)
	}
	return rows.Err()
}
