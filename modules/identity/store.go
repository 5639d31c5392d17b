package identity

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Store holds the identity queries, and nothing else of the module issues
// one. Every function takes bun.IDB so that it runs inside the caller's
// transaction. The queries are split by area: schools and users here,
// memberships in store_members.go, sessions and sign-in in store_auth.go,
// API keys in store_keys.go.
type Store struct{}

// --- orgs

// OrgByID returns a school by id.
func (Store) OrgByID(ctx context.Context, db bun.IDB, id string) (*Org, error) {
	o := new(Org)
	return o, database.ScanOne(ctx, db.NewSelect().Model(o).Where("id = ?", id), "school")
}

func (Store) OrgBySlug(ctx context.Context, db bun.IDB, slug string) (*Org, error) {
	o := new(Org)
	return o, database.ScanOne(ctx, db.NewSelect().Model(o).Where("slug = ?", slug), "organisation")
}

// LockOrg holds the school's row until the transaction ends.
func (Store) LockOrg(ctx context.Context, db bun.IDB, orgID string) error {
	var id string
	return database.ForUpdate(db.NewSelect().Model((*Org)(nil)).Column("id").Where("id = ?", orgID)).Scan(ctx, &id)
}

func (Store) InsertOrg(ctx context.Context, db bun.IDB, o *Org) error {
	_, err := db.NewInsert().Model(o).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("an organisation with slug %q already exists", o.Slug)
	}
	return err
}

// UpdateOrg writes o if its stored version is still wasVersion.
func (Store) UpdateOrg(ctx context.Context, db bun.IDB, o *Org, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, o, wasVersion, "name", "time_zone", "currency", "updated_at", "version")
}

func (Store) ListOrgs(ctx context.Context, db bun.IDB, limit int, afterSlug string) ([]Org, error) {
	var rows []Org
	q := db.NewSelect().Model(&rows).OrderExpr("slug ASC").Limit(int64(limit + 1))
	if afterSlug != "" {
		q = q.Where("slug > ?", afterSlug)
	}
	return rows, q.Scan(ctx)
}

// --- users

func (Store) UserByEmail(ctx context.Context, db bun.IDB, email string) (*User, error) {
	u := new(User)
	return u, database.ScanOne(ctx, db.NewSelect().Model(u).Where("email_key = ?", emailKey(email)), "user")
}

func (Store) UserByID(ctx context.Context, db bun.IDB, id string) (*User, error) {
	u := new(User)
	return u, database.ScanOne(ctx, db.NewSelect().Model(u).Where("id = ?", id), "user")
}

func (Store) InsertUser(ctx context.Context, db bun.IDB, u *User) error {
	_, err := db.NewInsert().Model(u).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("a user with email %s already exists", u.Email)
	}
	return err
}

func (Store) UpdatePassword(ctx context.Context, db bun.IDB, u *User) error {
	_, err := db.NewUpdate().Model(u).Column("password_hash", "updated_at", "version").WherePK().Exec(ctx)
	return err
}

// SetPlatformAdmin writes the user's platform_admin flag.
func (Store) SetPlatformAdmin(ctx context.Context, db bun.IDB, u *User) error {
	_, err := db.NewUpdate().Model(u).Column("platform_admin").WherePK().Exec(ctx)
	return err
}
