package surveys

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// CSIAnswers streams the scored CSI answers answered in [from, to); the
// (org_id, answered_at) index finds them.
func (Store) CSIAnswers(ctx context.Context, db bun.IDB, orgID string, from, to time.Time, fn func(CSIAnswer)) error {
	rows, err := db.NewSelect().TableExpr("survey_answers").Column("id", "curator_id", "value", "answered_at").
		Where("org_id = ? AND answered_at >= ? AND answered_at < ? AND scale = ? AND value IS NOT NULL", orgID, from, to, ScaleCSI).
		OrderExpr("answered_at ASC, id ASC").Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a CSIAnswer
		if err := rows.Scan(&a.ID, &a.CuratorID, &a.Value, &a.AnsweredAt); err != nil {
			return err
		}
		a.AnsweredAt = a.AnsweredAt.UTC()
		fn(a)
	}
	return rows.Err()
}
