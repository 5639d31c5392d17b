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

// Store holds the identity queries. Every function takes bun.IDB so that it
// runs inside the caller's transaction.
type Store struct{}

// --- orgs

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
	res, err := db.NewUpdate().Model(o).Column("name", "time_zone", "currency", "updated_at", "version").
		WherePK().Where("version = ?", wasVersion).Exec(ctx)
	return database.AffectedOne(res, err)
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

// --- memberships

func (Store) Membership(ctx context.Context, db bun.IDB, orgID, userID string) (*Membership, error) {
	m := new(Membership)
	return m, database.ScanOne(ctx, db.NewSelect().Model(m).Where("org_id = ? AND user_id = ?", orgID, userID), "member")
}

func (Store) InsertMembership(ctx context.Context, db bun.IDB, m *Membership) error {
	_, err := db.NewInsert().Model(m).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("the user is already a member of this organisation")
	}
	return err
}

// UpdateMembership writes status, updated_at and version if the stored
// version is still wasVersion. Role changes bump the version through it too,
// so that concurrent edits of one member are detected.
func (Store) UpdateMembership(ctx context.Context, db bun.IDB, m *Membership, wasVersion int64) (bool, error) {
	res, err := db.NewUpdate().Model(m).Column("status", "updated_at", "version").
		WherePK().Where("org_id = ?", m.OrgID).Where("version = ?", wasVersion).Exec(ctx)
	return database.AffectedOne(res, err)
}

func (Store) Roles(ctx context.Context, db bun.IDB, membershipID string) ([]string, error) {
	var roles []string
	err := db.NewSelect().Model((*MembershipRole)(nil)).Column("role").
		Where("membership_id = ?", membershipID).OrderExpr("role").Scan(ctx, &roles)
	return roles, err
}

func (Store) InsertRole(ctx context.Context, db bun.IDB, r *MembershipRole) error {
	_, err := db.NewInsert().Model(r).On("CONFLICT DO NOTHING").Exec(ctx)
	return err
}

func (Store) DeleteRole(ctx context.Context, db bun.IDB, membershipID, role string) error {
	_, err := db.NewDelete().Model((*MembershipRole)(nil)).
		Where("membership_id = ? AND role = ?", membershipID, role).Exec(ctx)
	return err
}

// CountActiveWithRole counts active members of a school holding role.
func (Store) CountActiveWithRole(ctx context.Context, db bun.IDB, orgID, role string) (int, error) {
	n, err := db.NewSelect().TableExpr("membership_roles AS r").
		Join("JOIN memberships AS m ON m.id = r.membership_id").
		Join("JOIN users AS u ON u.id = m.user_id").
		Where("r.org_id = ? AND r.role = ?", orgID, role).
		Where("m.status = ? AND u.status = ?", StatusActive, StatusActive).Count(ctx)
	return int(n), err
}

// MemberFilter narrows the school's user list.
type MemberFilter struct {
	Role    string
	Status  string
	Email   string // prefix, case-insensitive
	Limit   int
	AfterID string
}

// memberRow is one line of the member listing query.
type memberRow struct {
	Membership `bun:",extend"`
	Email      string `bun:"email"`
	Name       string `bun:"name"`
	UserStatus string `bun:"user_status"`
}

func (s Store) memberQuery(db bun.IDB, rows *[]memberRow, orgID string) *bun.SelectQuery {
	return db.NewSelect().Model(rows).
		ColumnExpr("membership.*").
		ColumnExpr("u.email AS email, u.name AS name, u.status AS user_status").
		Join("JOIN users AS u ON u.id = membership.user_id").
		Where("membership.org_id = ?", orgID)
}

// ListMembers returns up to f.Limit+1 members of a school by membership id.
func (s Store) ListMembers(ctx context.Context, db bun.IDB, orgID string, f MemberFilter) ([]Member, error) {
	var rows []memberRow
	q := s.memberQuery(db, &rows, orgID)
	q = database.WhereSet(q, database.Eq("membership.status", f.Status))
	if f.Email != "" {
		q = q.Where("u.email_key LIKE ? ESCAPE '\\'", likePrefix(emailKey(f.Email)))
	}
	if f.Role != "" {
		q = q.Where("EXISTS (SELECT 1 FROM membership_roles AS r WHERE r.membership_id = membership.id AND r.role = ?)", f.Role)
	}
	if f.AfterID != "" {
		q = q.Where("membership.id > ?", f.AfterID)
	}
	if err := q.OrderExpr("membership.id ASC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, err
	}
	return s.withRoles(ctx, db, rows)
}

// Member returns one member of a school.
func (s Store) Member(ctx context.Context, db bun.IDB, orgID, userID string) (*Member, error) {
	var rows []memberRow
	if err := s.memberQuery(db, &rows, orgID).Where("membership.user_id = ?", userID).Scan(ctx); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.NotFound("member")
	}
	members, err := s.withRoles(ctx, db, rows)
	if err != nil {
		return nil, err
	}
	return &members[0], nil
}

// withRoles loads the roles of a page of members in one query.
func (Store) withRoles(ctx context.Context, db bun.IDB, rows []memberRow) ([]Member, error) {
	members := make([]Member, len(rows))
	if len(rows) == 0 {
		return members, nil
	}
	idx := make(map[string]int, len(rows))
	idList := make([]string, len(rows))
	for i, r := range rows {
		members[i] = Member{Membership: r.Membership, Email: r.Email, Name: r.Name, UserStatus: r.UserStatus, Roles: []string{}}
		idx[r.ID] = i
		idList[i] = r.ID
	}
	var roles []MembershipRole
	if err := db.NewSelect().Model(&roles).Where("membership_id IN (?)", bun.In(idList)).OrderExpr("role").Scan(ctx); err != nil {
		return nil, err
	}
	for _, r := range roles {
		m := &members[idx[r.MembershipID]]
		m.Roles = append(m.Roles, r.Role)
	}
	return members, nil
}

// MembershipsOfUser lists every school a user belongs to, for /v1/me; the
// orgs come back in the same order as the memberships.
func (Store) MembershipsOfUser(ctx context.Context, db bun.IDB, userID string) ([]Membership, []Org, error) {
	var ms []Membership
	if err := db.NewSelect().Model(&ms).Where("user_id = ?", userID).OrderExpr("id").Scan(ctx); err != nil || len(ms) == 0 {
		return ms, nil, err
	}
	orgIDs := make([]string, len(ms))
	for i, m := range ms {
		orgIDs[i] = m.OrgID
	}
	var found []Org
	if err := db.NewSelect().Model(&found).Where("id IN (?)", bun.In(orgIDs)).Scan(ctx); err != nil {
		return nil, nil, err
	}
	byID := make(map[string]Org, len(found))
	for _, o := range found {
		byID[o.ID] = o
	}
	orgs := make([]Org, len(ms))
	for i, m := range ms {
		orgs[i] = byID[m.OrgID]
	}
	return ms, orgs, nil
}

// --- tokens

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

// --- API keys

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

// --- sign-in throttling

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
