// Package identity holds schools (organisations), users, their memberships
// and roles in each school, sign-in sessions and integration API keys. It is
// the Authenticator the HTTP kernel asks who a caller is.
package identity

import (
	"strings"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"
)

// Status of a user or a membership.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Org is a school. Every business row of every module belongs to one.
type Org struct {
	bun.BaseModel `bun:"table:orgs"`

	ID        string    `bun:"id,pk" json:"id"`
	Slug      string    `bun:"slug" json:"slug"`
	Name      string    `bun:"name" json:"name"`
	TimeZone  string    `bun:"time_zone" json:"time_zone"`
	Currency  string    `bun:"currency" json:"currency"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"-"`
	Version   int64     `bun:"version" json:"version"`
}

// RowVersion is the school's version, for If-Match.
func (o *Org) RowVersion() int64 { return o.Version }

// Bump gives the school its next version, changed at at.
func (o *Org) Bump(at time.Time) { o.Version++; o.UpdatedAt = at }

// User is a person who can sign in. A user may work for several schools.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID            string    `bun:"id,pk" json:"id"`
	Email         string    `bun:"email" json:"email"`
	EmailKey      string    `bun:"email_key" json:"-"`
	Name          string    `bun:"name" json:"name"`
	PasswordHash  string    `bun:"password_hash" json:"-"`
	Status        string    `bun:"status" json:"status"`
	PlatformAdmin bool      `bun:"platform_admin" json:"platform_admin"`
	CreatedAt     time.Time `bun:"created_at" json:"-"`
	UpdatedAt     time.Time `bun:"updated_at" json:"-"`
	Version       int64     `bun:"version" json:"version"`
}

// RowVersion is the user's version.
func (u *User) RowVersion() int64 { return u.Version }

// Bump gives the user its next version, changed at at.
func (u *User) Bump(at time.Time) { u.Version++; u.UpdatedAt = at }

// emailKey is how an email is compared and stored for lookup: emails are
// unique whatever their case, Unicode form and surrounding spaces.
func emailKey(email string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(email)))
}

// Membership binds a user to a school. Its roles are MembershipRole rows.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	ID        string    `bun:"id,pk" json:"id"`
	OrgID     string    `bun:"org_id" json:"-"`
	UserID    string    `bun:"user_id" json:"user_id"`
	Status    string    `bun:"status" json:"status"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"-"`
	Version   int64     `bun:"version" json:"version"`
}

// RowVersion is the membership's version, for If-Match. Role changes bump
// it too, so that concurrent edits of one member are detected.
func (m *Membership) RowVersion() int64 { return m.Version }

// Bump gives the membership its next version, changed at at.
func (m *Membership) Bump(at time.Time) { m.Version++; m.UpdatedAt = at }

// MembershipRole is one role a member holds in a school.
type MembershipRole struct {
	bun.BaseModel `bun:"table:membership_roles"`

	MembershipID string    `bun:"membership_id,pk"`
	OrgID        string    `bun:"org_id"`
	Role         string    `bun:"role,pk"`
	CreatedAt    time.Time `bun:"created_at"`
}

// Member is a membership joined with its user and roles: what the school's
// user list shows.
type Member struct {
	Membership
	Email      string   `json:"email"`
	Name       string   `json:"name"`
	UserStatus string   `json:"user_status"`
	Roles      []string `json:"roles"`
}

// hasRole reports whether the member holds role in the school.
func (m *Member) hasRole(role string) bool {
	for _, r := range m.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Token is a sign-in session. Only the SHA-256 of the token is stored.
type Token struct {
	bun.BaseModel `bun:"table:auth_tokens"`

	ID         string     `bun:"id,pk"`
	UserID     string     `bun:"user_id"`
	TokenHash  string     `bun:"token_hash"`
	CreatedAt  time.Time  `bun:"created_at"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	IP         string     `bun:"ip"`
	UserAgent  string     `bun:"user_agent"`
}

// APIKey authenticates an integration account in one school with one role.
// Only the SHA-256 of the key is stored; the key is shown once at creation.
type APIKey struct {
	bun.BaseModel `bun:"table:api_keys"`

	ID         string     `bun:"id,pk" json:"id"`
	OrgID      string     `bun:"org_id" json:"-"`
	Name       string     `bun:"name" json:"name"`
	Role       string     `bun:"role" json:"role"`
	KeyPrefix  string     `bun:"key_prefix" json:"key_prefix"`
	KeyHash    string     `bun:"key_hash" json:"-"`
	CreatedBy  string     `bun:"created_by,nullzero" json:"created_by"`
	CreatedAt  time.Time  `bun:"created_at" json:"-"`
	ExpiresAt  *time.Time `bun:"expires_at" json:"expires_at"`
	RevokedAt  *time.Time `bun:"revoked_at" json:"revoked_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"-"`
}

// throttleRow counts failed sign-ins for one key (an email or an address).
type throttleRow struct {
	bun.BaseModel `bun:"table:auth_throttle"`

	Key             string     `bun:"key,pk"`
	Failures        int        `bun:"failures"`
	WindowStartedAt time.Time  `bun:"window_started_at"`
	BlockedUntil    *time.Time `bun:"blocked_until"`
}

// Invitation asks a person who already has an account to join a school with
// roles. Until they accept it, they have no membership and no access there.
type Invitation struct {
	bun.BaseModel `bun:"table:invitations"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	UserID    string    `bun:"user_id"`
	Roles     string    `bun:"roles"` // comma-separated, as authz.Roles orders them
	InvitedBy string    `bun:"invited_by,nullzero"`
	CreatedAt time.Time `bun:"created_at"`
}

// RoleList is the roles the invitation offers.
func (i *Invitation) RoleList() []string { return strings.Split(i.Roles, ",") }
