package pay

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Store holds the pay module's SQL. It is stateless; every method runs on
// the db it is given, the caller's transaction or the pool.
type Store struct{}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFound(what)
	}
	return err
}

// Scheme reads one scheme of the school.
func (Store) Scheme(ctx context.Context, db bun.IDB, orgID, id string) (*Scheme, error) {
	s := new(Scheme)
	err := db.NewSelect().Model(s).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return s, notFound(err, "pay scheme")
}

// Schemes lists the school's schemes by name.
func (Store) Schemes(ctx context.Context, db bun.IDB, orgID string) ([]Scheme, error) {
	var out []Scheme
	err := db.NewSelect().Model(&out).Where("org_id = ?", orgID).Order("name", "id").Limit(500).Scan(ctx)
	return out, err
}

// SchemeByName finds a scheme by its name, nil when there is none.
func (Store) SchemeByName(ctx context.Context, db bun.IDB, orgID, name string) (*Scheme, error) {
	s := new(Scheme)
	err := db.NewSelect().Model(s).Where("org_id = ? AND name = ?", orgID, name).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return s, err
}

// Versions lists the versions of schemes, oldest first.
func (Store) Versions(ctx context.Context, db bun.IDB, orgID string, schemeIDs ...string) ([]SchemeVersion, error) {
	var out []SchemeVersion
	if len(schemeIDs) == 0 {
		return out, nil
	}
	err := db.NewSelect().Model(&out).Where("org_id = ? AND scheme_id IN (?)", orgID, bun.In(schemeIDs)).Order("scheme_id", "number").Scan(ctx)
	return out, err
}

// rowOf reads one row of the school by id, locked on PostgreSQL when
// forUpdate; what names it in a 404.
func rowOf[T any](ctx context.Context, db bun.IDB, orgID, id string, forUpdate bool, what string) (*T, error) {
	row := new(T)
	q := db.NewSelect().Model(row).Where("org_id = ? AND id = ?", orgID, id)
	if forUpdate {
		q = database.ForUpdate(q)
	}
	return row, notFound(q.Scan(ctx), what)
}

// Version reads one scheme version, locked on PostgreSQL when forUpdate.
func (Store) Version(ctx context.Context, db bun.IDB, orgID, id string, forUpdate bool) (*SchemeVersion, error) {
	return rowOf[SchemeVersion](ctx, db, orgID, id, forUpdate, "pay scheme version")
}

// VersionsByID reads scheme versions by id.
func (Store) VersionsByID(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]*SchemeVersion, error) {
	out := map[string]*SchemeVersion{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []SchemeVersion
	if err := db.NewSelect().Model(&rows).Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// LastNumber is the highest version number of a scheme.
func (Store) LastNumber(ctx context.Context, db bun.IDB, schemeID string) (int, error) {
	var n int
	err := db.NewSelect().Model((*SchemeVersion)(nil)).ColumnExpr("COALESCE(MAX(number), 0)").Where("scheme_id = ?", schemeID).Scan(ctx, &n)
	return n, err
}

// SaveVersionSpec writes a version's spec and note while it is at was.
func (Store) SaveVersionSpec(ctx context.Context, db bun.IDB, v *SchemeVersion, was int64) (bool, error) {
	return database.UpdateVersion(ctx, db, v, was, "spec", "note", "updated_at", "version")
}

// Assignments lists the school's assignments, of one person when userID
// is given, by person and date.
func (Store) Assignments(ctx context.Context, db bun.IDB, orgID, userID string) ([]Assignment, error) {
	var out []Assignment
	q := db.NewSelect().Model(&out).Where("org_id = ?", orgID)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	err := q.Order("user_id", "effective_from", "created_at", "id").Limit(10_000).Scan(ctx)
	return out, err
}
