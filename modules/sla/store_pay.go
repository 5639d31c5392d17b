package sla

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// PayClocks streams the clocks that started in [from, to) and are items of
// the compliance at now: answered, or open and due at or before now.
func (Store) PayClocks(ctx context.Context, db bun.IDB, orgID string, from, to, now time.Time, fn func(PayClock)) error {
	rows, err := db.NewSelect().TableExpr("sla_clocks").
		Column("id", "curator_id", "started_at", "status", "breached").
		Where("org_id = ? AND started_at >= ? AND started_at < ?", orgID, from, to).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("status = ?", ClockAnswered).WhereOr("status = ? AND due_at <= ?", ClockOpen, now)
		}).
		OrderExpr("started_at ASC, id ASC").Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c PayClock
		var status string
		var breached bool
		if err := rows.Scan(&c.ID, &c.CuratorID, &c.StartedAt, &status, &breached); err != nil {
			return err
		}
		c.StartedAt, c.Compliant = c.StartedAt.UTC(), status == ClockAnswered && !breached
		fn(c)
	}
	return rows.Err()
}
