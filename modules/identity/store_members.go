package identity

import (
	"context"
	"database/sql"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Memberships, their roles and the school's member listing.

func (Store) Membership(ctx context.Context, db bun.IDB, orgID, userID string) (*Membership, error) {
	m := new(Membership)
	return m, database.ScanOne(ctx, db.NewSelect().Model(m).Where("org_id = ? AND user_id = ?", orgID, userID), "member")
}

func (Store) InsertMembership(ctx context.Context, db bun.IDB, m *Membership) error {
	_, err := db.NewInsert().Model(m).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errAlreadyMember
	}
	return err
}

// errAlreadyMember answers adding or inviting a person the school has
// already added or invited.
var errAlreadyMember = errs.Conflict("the user is already a member of this organisation")

// UpdateMembership writes status, updated_at and version if the stored
// version is still wasVersion. Role changes bump the version through it too,
// so that concurrent edits of one member are detected.
func (Store) UpdateMembership(ctx context.Context, db bun.IDB, m *Membership, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, m, wasVersion, "status", "updated_at", "version")
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

// likePrefix escapes s for a LIKE prefix match.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// MemberNames maps the user ids among ids that have a membership in the
// school, whatever its status, to the users' names.
func (Store) MemberNames(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]string, error) {
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	err := db.NewSelect().TableExpr("users AS u").ColumnExpr("u.id, u.name").
		Join("JOIN memberships AS m ON m.user_id = u.id AND m.org_id = ?", orgID).
		Where("u.id IN (?)", bun.In(ids)).Scan(ctx, &rows)
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, err
}

// UserWithMemberships returns a user with every school they belong to and
// their roles there, in one query, memberships in the order they were
// made. It reads only what /v1/me shows: the user's id, email, name, status
// and platform flag, and each school's public settings. The rows are
// scanned by hand: this query runs on every /v1/me, and reflection over a
// model cost more than the query itself.
func (Store) UserWithMemberships(ctx context.Context, db bun.IDB, userID string) (*User, []MembershipOfMe, error) {
	rows, err := db.NewSelect().TableExpr("users AS u").
		ColumnExpr("u.id, u.email, u.name, u.status, u.platform_admin").
		ColumnExpr("m.id, m.status, r.role").
		ColumnExpr("o.id, o.slug, o.name, o.time_zone, o.currency, o.version, o.created_at, o.updated_at").
		Join("LEFT JOIN memberships AS m ON m.user_id = u.id").
		Join("LEFT JOIN orgs AS o ON o.id = m.org_id").
		Join("LEFT JOIN membership_roles AS r ON r.membership_id = m.id").
		Where("u.id = ?", userID).
		OrderExpr("m.id, r.role").Rows(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		u      *User
		ms     = []MembershipOfMe{}
		lastID string
	)
	for rows.Next() {
		var (
			row                  User
			mID, mStatus, role   sql.NullString
			oID, oSlug, oName    sql.NullString
			oTimeZone, oCurrency sql.NullString
			oVersion             sql.NullInt64
			oCreated, oUpdated   sql.NullTime
		)
		if err := rows.Scan(&row.ID, &row.Email, &row.Name, &row.Status, &row.PlatformAdmin, &mID, &mStatus, &role,
			&oID, &oSlug, &oName, &oTimeZone, &oCurrency, &oVersion, &oCreated, &oUpdated); err != nil {
			return nil, nil, err
		}
		if u == nil {
			u = &row
		}
		if !mID.Valid {
			continue
		}
		if mID.String != lastID {
			lastID = mID.String
			org := Org{ID: oID.String, Slug: oSlug.String, Name: oName.String, TimeZone: oTimeZone.String, Currency: oCurrency.String,
				Version: oVersion.Int64, CreatedAt: oCreated.Time, UpdatedAt: oUpdated.Time}
			ms = append(ms, MembershipOfMe{Org: org, Status: mStatus.String, Roles: []string{}})
		}
		if role.Valid {
			last := &ms[len(ms)-1]
			last.Roles = append(last.Roles, role.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, errs.NotFound("user")
	}
	return u, ms, nil
}

// --- invitations

// InsertInvitation stores inv; a second invitation of the same person to the
// same school is a conflict, as adding a member twice is.
func (Store) InsertInvitation(ctx context.Context, db bun.IDB, inv *Invitation) error {
	_, err := db.NewInsert().Model(inv).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errAlreadyMember
	}
	return err
}

// InvitationOf returns the invitation id addressed to userID, locked until
// the transaction ends.
func (Store) InvitationOf(ctx context.Context, db bun.IDB, id, userID string) (*Invitation, error) {
	inv := new(Invitation)
	return inv, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(inv).Where("id = ? AND user_id = ?", id, userID)), "invitation")
}

func (Store) DeleteInvitation(ctx context.Context, db bun.IDB, id string) error {
	_, err := db.NewDelete().Model((*Invitation)(nil)).Where("id = ?", id).Exec(ctx)
	return err
}

// PendingInvitation is an invitation with the school it is to.
type PendingInvitation struct {
	Invitation
	Org Org
}

// InvitationsOfUser lists the invitations addressed to userID, oldest first,
// with their schools.
func (Store) InvitationsOfUser(ctx context.Context, db bun.IDB, userID string) ([]PendingInvitation, error) {
	var invs []Invitation
	if err := db.NewSelect().Model(&invs).Where("user_id = ?", userID).OrderExpr("created_at, id").Scan(ctx); err != nil || len(invs) == 0 {
		return []PendingInvitation{}, err
	}
	orgIDs := make([]string, len(invs))
	for i, inv := range invs {
		orgIDs[i] = inv.OrgID
	}
	var orgs []Org
	if err := db.NewSelect().Model(&orgs).Where("id IN (?)", bun.In(orgIDs)).Scan(ctx); err != nil {
		return nil, err
	}
	byID := make(map[string]Org, len(orgs))
	for _, o := range orgs {
		byID[o.ID] = o
	}
	out := make([]PendingInvitation, len(invs))
	for i, inv := range invs {
		out[i] = PendingInvitation{Invitation: inv, Org: byID[inv.OrgID]}
	}
	return out, nil
}
