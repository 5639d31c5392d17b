package identity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Sessions, what authenticating a request reads, and sign-in throttling.

func (Store) InsertToken(ctx context.Context, db bun.IDB, t *Token) error {
	_, err := db.NewInsert().Model(t).Exec(ctx)
	return err
}

// sessionRow is a sign-in token with the user it belongs to: what
// authenticating a request reads, in one query.
type sessionRow struct {
	Token         `bun:",extend"`
	Email         string `bun:"email"`
	UserStatus    string `bun:"user_status"`
	PlatformAdmin bool   `bun:"platform_admin"`
}

// SessionByHash returns the token with the given hash and its user.
func (Store) SessionByHash(ctx context.Context, db bun.IDB, hash string) (*sessionRow, error) {
	r := new(sessionRow)
	q := db.NewSelect().Model(r).ColumnExpr("token.*").
		ColumnExpr("u.email AS email, u.status AS user_status, u.platform_admin AS platform_admin").
		Join("JOIN users AS u ON u.id = token.user_id").
		Where("token.token_hash = ?", hash)
	return r, database.ScanOne(ctx, q, "token")
}

func (Store) RevokeToken(ctx context.Context, db bun.IDB, id string, at time.Time) error {
	_, err := db.NewUpdate().Model((*Token)(nil)).Set("revoked_at = ?", at).
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
	return err
}

// RevokeOtherTokens ends every session of a user but keepID.
func (Store) RevokeOtherTokens(ctx context.Context, db bun.IDB, userID, keepID string, at time.Time) error {
	_, err := db.NewUpdate().Model((*Token)(nil)).Set("revoked_at = ?", at).
		Where("user_id = ? AND id <> ? AND revoked_at IS NULL", userID, keepID).Exec(ctx)
	return err
}

func (Store) TouchToken(ctx context.Context, db bun.IDB, id string, at time.Time) error {
	_, err := db.NewUpdate().Model((*Token)(nil)).Set("last_used_at = ?", at).Where("id = ?", id).Exec(ctx)
	return err
}

// orgRoleRow is a school with one role the user holds in it (none when the
// user is not an active member).
type orgRoleRow struct {
	Org  `bun:",extend"`
	Role *string `bun:"role"`
}

// OrgWithRoles returns the school by slug and the roles the user holds in
// it through an active membership, in one query; no roles means no access.
func (Store) OrgWithRoles(ctx context.Context, db bun.IDB, slug, userID string) (*Org, []string, error) {
	var rows []orgRoleRow
	err := db.NewSelect().Model(&rows).ColumnExpr("org.*").ColumnExpr("r.role AS role").
		Join("LEFT JOIN memberships AS m ON m.org_id = org.id AND m.user_id = ? AND m.status = ?", userID, StatusActive).
		Join("LEFT JOIN membership_roles AS r ON r.membership_id = m.id").
		Where("org.slug = ?", slug).OrderExpr("r.role").Scan(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, errs.NotFound("organisation")
	}
	var roles []string
	for _, r := range rows {
		if r.Role != nil {
			roles = append(roles, *r.Role)
		}
	}
	return &rows[0].Org, roles, nil
}

// Sign-in throttling.

// LockThrottle returns the counter for key, creating it, locked until the
// transaction ends.
func (Store) LockThrottle(ctx context.Context, db bun.IDB, key string, now time.Time) (*throttleRow, error) {
	row := &throttleRow{Key: key, WindowStartedAt: now}
	if _, err := db.NewInsert().Model(row).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return nil, err
	}
	err := database.ForUpdate(db.NewSelect().Model(row).WherePK()).Scan(ctx)
	return row, err
}

func (Store) SaveThrottle(ctx context.Context, db bun.IDB, row *throttleRow) error {
	_, err := db.NewUpdate().Model(row).WherePK().Exec(ctx)
	return err
}

// Throttle returns the counter for key, or nil when there is none.
func (Store) Throttle(ctx context.Context, db bun.IDB, key string) (*throttleRow, error) {
	row := new(throttleRow)
	err := db.NewSelect().Model(row).Where("key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return row, err
}

func (Store) ClearThrottle(ctx context.Context, db bun.IDB, key string) error {
	_, err := db.NewDelete().Model((*throttleRow)(nil)).Where("key = ?", key).Exec(ctx)
	return err
}

// AnnounceCredentialChanges tells the other replicas, through PostgreSQL
// notifications delivered when tx commits, what a write changed about
// access. Nothing is sent on SQLite.
func (Store) AnnounceCredentialChanges(ctx context.Context, tx bun.IDB, changes []credentialChange) error {
	for _, c := range changes {
		if err := database.Notify(ctx, tx, credentialChannel, c.String()); err != nil {
			return err
		}
	}
	return nil
}

// UpdateUserStatus writes whether the account may sign in and be used.
func (Store) UpdateUserStatus(ctx context.Context, db bun.IDB, u *User) error {
	_, err := db.NewUpdate().Model(u).Column("status", "updated_at", "version").WherePK().Exec(ctx)
	return err
}
