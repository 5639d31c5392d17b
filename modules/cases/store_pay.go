package cases

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// CreditedBetween lists the collected submissions submitted in [from, to)
// that name a curator.
func (Store) CreditedBetween(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]Submission, error) {
	var rows []Submission
	return rows, db.NewSelect().Model(&rows).
		Column("id", "curator_id", "has_video", "status", "submitted_at").
		Where("org_id = ? AND submitted_at >= ? AND submitted_at < ?", orgID, from, to).
		Where("status IN (?) AND curator_id IS NOT NULL", bun.In(collected)).OrderExpr("submitted_at ASC, id ASC").Scan(ctx)
}
