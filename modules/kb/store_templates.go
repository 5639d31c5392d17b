package kb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

func (Store) Template(ctx context.Context, db bun.IDB, orgID, id string) (*Template, error) {
	t := new(Template)
	return t, database.ScanOne(ctx, db.NewSelect().Model(t).Where("org_id = ? AND id = ?", orgID, id), "template")
}

func (Store) InsertTemplate(ctx context.Context, db bun.IDB, t *Template) error {
	_, err := db.NewInsert().Model(t).Exec(ctx)
	return err
}

// UpdateTemplate writes t if its stored version is still wasVersion.
func (Store) UpdateTemplate(ctx context.Context, db bun.IDB, t *Template, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, t, wasVersion, "category", "title", "body", "updated_at", "version")
}

func (Store) DeleteTemplate(ctx context.Context, db bun.IDB, orgID, id string, version int64) (bool, error) {
	res, err := db.NewDelete().Model((*Template)(nil)).Where("org_id = ? AND id = ? AND version = ?", orgID, id, version).Exec(ctx)
	return database.AffectedOne(res, err)
}

// TemplateFilter narrows a listing of templates.
type TemplateFilter struct {
	Category string
	Limit    int
	AfterID  string
}

// Templates returns up to f.Limit+1 templates by id.
func (Store) Templates(ctx context.Context, db bun.IDB, orgID string, f TemplateFilter) ([]Template, error) {
	var rows []Template
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("category", f.Category))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// CountUse adds one to a template's usage counter in the database itself,
// so that concurrent renders are all counted, and returns the new count.
func (Store) CountUse(ctx context.Context, db bun.IDB, orgID, id string, at time.Time) (int64, error) {
	var n int64
	err := db.NewUpdate().Model((*Template)(nil)).Set("usage_count = usage_count + 1").Set("last_used_at = ?", at).
		Where("org_id = ? AND id = ?", orgID, id).Returning("usage_count").Scan(ctx, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.NotFound("template")
	}
	return n, err
}
