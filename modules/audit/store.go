package audit

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Store reads and appends audit entries. Its functions take bun.IDB so that
// they run inside the caller's transaction.
type Store struct{}

// Insert appends one entry.
func (Store) Insert(ctx context.Context, db bun.IDB, e *Entry) error {
	_, err := db.NewInsert().Model(e).Exec(ctx)
	return err
}

// List returns up to f.Limit+1 entries of one school, newest first, so the
// caller can tell whether another page follows.
func (Store) List(ctx context.Context, db bun.IDB, orgID string, f Filter) ([]Entry, error) {
	var rows []Entry
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q,
		database.Eq("actor_id", f.ActorID),
		database.Eq("entity_type", f.EntityType),
		database.Eq("entity_id", f.EntityID),
		database.Eq("action", f.Action),
	)
	if !f.From.IsZero() {
		q = q.Where("occurred_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("occurred_at < ?", f.To)
	}
	if f.AfterID != "" {
		q = q.Where("id < ?", f.AfterID)
	}
	err := q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
	return rows, err
}

// WithAnyValue returns the school's entries whose changes mention any of
// values. It scans text and is meant for rare erasure requests.
func (Store) WithAnyValue(ctx context.Context, db bun.IDB, orgID string, values []string) ([]Entry, error) {
	var rows []Entry
	changes := "changes"
	if database.IsPostgres(db) {
		changes = "changes::text"
	}
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, v := range values {
			q = q.WhereOr("? LIKE ?", bun.Safe(changes), "%"+v+"%")
		}
		return q
	})
	return rows, q.Scan(ctx)
}

// UpdateChanges rewrites the changes of one entry; only erasure does this.
func (Store) UpdateChanges(ctx context.Context, db bun.IDB, e *Entry) error {
	_, err := db.NewUpdate().Model(e).Column("changes").WherePK().Exec(ctx)
	return err
}
