package identity

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Integration API keys.

func (Store) InsertAPIKey(ctx context.Context, db bun.IDB, k *APIKey) error {
	_, err := db.NewInsert().Model(k).Exec(ctx)
	return err
}

func (Store) APIKeyByHash(ctx context.Context, db bun.IDB, hash string) (*APIKey, error) {
	k := new(APIKey)
	return k, database.ScanOne(ctx, db.NewSelect().Model(k).Where("key_hash = ?", hash), "API key")
}

func (Store) APIKey(ctx context.Context, db bun.IDB, orgID, id string) (*APIKey, error) {
	k := new(APIKey)
	return k, database.ScanOne(ctx, db.NewSelect().Model(k).Where("org_id = ? AND id = ?", orgID, id), "API key")
}

func (Store) ListAPIKeys(ctx context.Context, db bun.IDB, orgID string, limit int, afterID string) ([]APIKey, error) {
	var rows []APIKey
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("id ASC").Limit(int64(limit + 1))
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	return rows, q.Scan(ctx)
}

func (Store) RevokeAPIKey(ctx context.Context, db bun.IDB, k *APIKey) error {
	_, err := db.NewUpdate().Model(k).Column("revoked_at").WherePK().Where("org_id = ?", k.OrgID).Exec(ctx)
	return err
}

func (Store) TouchAPIKey(ctx context.Context, db bun.IDB, id string, at time.Time) error {
	_, err := db.NewUpdate().Model((*APIKey)(nil)).Set("last_used_at = ?", at).Where("id = ?", id).Exec(ctx)
	return err
}
