package integration

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Store holds the integration queries: the settings here, the inbox in
// store_inbox.go, webhooks, the outbox and deliveries in store_webhooks.go.
// Every function takes bun.IDB so that it runs inside the caller's
// transaction.
type Store struct{}

// --- settings

// Settings returns the school's settings, or errs.ErrNotFound when none were
// ever saved.
func (Store) Settings(ctx context.Context, db bun.IDB, orgID string) (*Settings, error) {
	s := new(Settings)
	return s, database.ScanOne(ctx, db.NewSelect().Model(s).Where("org_id = ?", orgID), "integration settings")
}

// SaveSettings inserts or overwrites the school's settings.
func (Store) SaveSettings(ctx context.Context, db bun.IDB, s *Settings) error {
	_, err := db.NewInsert().Model(s).
		On("CONFLICT (org_id) DO UPDATE").
		Set("signing_secret = EXCLUDED.signing_secret").
		Set("signing_secret_prefix = EXCLUDED.signing_secret_prefix").
		Set("signing_secret_set_at = EXCLUDED.signing_secret_set_at").
		Set("updated_at = EXCLUDED.updated_at").
		Set("version = EXCLUDED.version").
		Exec(ctx)
	return err
}

// --- erasure

// mentioning narrows q to rows whose JSON column mentions any of values,
// ignoring case. It scans text and is meant for rare erasure requests.
func mentioning(q *bun.SelectQuery, column string, values []string) *bun.SelectQuery {
	match := "? LIKE ? ESCAPE '\\'"
	if database.IsPostgres(q.DB()) {
		column += "::text"
		match = "? ILIKE ? ESCAPE '\\'"
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, p := range likeAny(values) {
			q = q.WhereOr(match, bun.Safe(column), p)
		}
		return q
	})
}

// likeAny escapes values for a LIKE substring match.
func likeAny(values []string) []string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = "%" + r.Replace(v) + "%"
	}
	return out
}
