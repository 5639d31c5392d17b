package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// --- schools

// NewOrg is what creating a school takes.
type NewOrg struct {
	Slug, Name, TimeZone, Currency string
}

// CreateOrg adds a school.
func (s *Service) CreateOrg(ctx context.Context, in NewOrg) (*Org, error) {
	if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "" || in.TimeZone == "Local" {
		return nil, errs.Invalid("body.time_zone", "must be an IANA time zone such as Europe/Moscow")
	}
	now := s.clock.Now()
	o := &Org{ID: ids.New(), Slug: in.Slug, Name: in.Name, TimeZone: in.TimeZone, Currency: in.Currency,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	return o, s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertOrg(ctx, tx, o); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: o.ID, EntityType: "org", EntityID: o.ID, Changes: auditlog.Diff(nil, o)})
	})
}

// Org returns a school by id.
func (s *Service) Org(ctx context.Context, slug string) (*Org, error) {
	return s.store.OrgBySlug(ctx, s.db, slug)
}

// ListOrgs returns a page of schools by slug.
func (s *Service) ListOrgs(ctx context.Context, limit int, afterSlug string) ([]Org, error) {
	return s.store.ListOrgs(ctx, s.db, limit, afterSlug)
}

// OrgChanges are the settings a school's administrator may change; nil
// fields stay as they are.
type OrgChanges struct {
	Name, TimeZone, Currency *string
}

// UpdateOrg changes a school's settings if it is still at version.
func (s *Service) UpdateOrg(ctx context.Context, slug string, version int64, ch OrgChanges) (*Org, error) {
	if ch.TimeZone != nil {
		if _, err := time.LoadLocation(*ch.TimeZone); err != nil || *ch.TimeZone == "" || *ch.TimeZone == "Local" {
			return nil, errs.Invalid("body.time_zone", "must be an IANA time zone such as Europe/Moscow")
		}
	}
	var out *Org
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.OrgBySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.Stale("the organisation", before.Version)
		}
		after := *before
		setIf(&after.Name, ch.Name)
		setIf(&after.TimeZone, ch.TimeZone)
		setIf(&after.Currency, ch.Currency)
		after.UpdatedAt, after.Version = s.clock.Now(), before.Version+1
		ok, err := s.store.UpdateOrg(ctx, tx, &after, version)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("the organisation", version+1)
		}
		out = &after
		return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: after.ID, EntityType: "org", EntityID: after.ID, Changes: auditlog.Diff(before, &after)})
	})
	return out, err
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// --- members

// NewMember is what adding a person to a school takes.
type NewMember struct {
	Email, Name, Password string
	Roles                 []string
}

// AddMember adds a person to a school with roles. A person new to the
// deployment gets a user account with the given password; a person who
// already has an account (in another school) keeps their name and password
// and only gains the membership.
func (s *Service) AddMember(ctx context.Context, orgID string, in NewMember) (*Member, error) {
	if err := checkRoles(in.Roles, "body.roles"); err != nil {
		return nil, err
	}
	if err := checkNewPassword(in.Password, in.Email, "body.password"); err != nil {
		return nil, err
	}
	hash := hashPassword(in.Password, s.cfg.PasswordParams)
	var userID string
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, err := s.findOrCreateUser(ctx, tx, orgID, in.Email, in.Name, hash)
		if err != nil {
			return err
		}
		userID = u.ID
		return s.addMembership(ctx, tx, orgID, u.ID, in.Roles)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Member(ctx, s.db, orgID, userID)
}

// findOrCreateUser returns the account with email, creating it when new. The
// creation is audited in orgID's log when a school's administrator made it.
func (s *Service) findOrCreateUser(ctx context.Context, tx bun.IDB, orgID, email, name, hash string) (*User, error) {
	u, err := s.store.UserByEmail(ctx, tx, email)
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	now := s.clock.Now()
	u = &User{ID: ids.New(), Email: email, EmailKey: emailKey(email), Name: name, PasswordHash: hash,
		Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.InsertUser(ctx, tx, u); err != nil {
		return nil, err
	}
	return u, s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: "user", EntityID: u.ID, Changes: auditlog.Diff(nil, u)})
}

func (s *Service) addMembership(ctx context.Context, tx bun.IDB, orgID, userID string, roles []string) error {
	now := s.clock.Now()
	m := &Membership{ID: ids.New(), OrgID: orgID, UserID: userID, Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.InsertMembership(ctx, tx, m); err != nil {
		return err
	}
	for _, r := range roles {
		if err := s.store.InsertRole(ctx, tx, &MembershipRole{MembershipID: m.ID, OrgID: orgID, Role: r, CreatedAt: now}); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: "user", EntityID: userID,
		Changes: map[string]auditlog.Change{"membership": {After: StatusActive}, "roles": {After: sortedRoles(roles)}}})
}

func checkRoles(roles []string, location string) error {
	if len(roles) == 0 {
		return errs.Invalid(location, "give at least one role")
	}
	for i, r := range roles {
		if !authz.IsRole(r) {
			return errs.Invalid(fmt.Sprintf("%s[%d]", location, i), fmt.Sprintf("unknown role %q", r))
		}
	}
	return nil
}

// Member returns one member of a school.
func (s *Service) Member(ctx context.Context, orgID, userID string) (*Member, error) {
	return s.store.Member(ctx, s.db, orgID, userID)
}

// ListMembers returns a page of a school's members.
func (s *Service) ListMembers(ctx context.Context, orgID string, f MemberFilter) ([]Member, error) {
	return s.store.ListMembers(ctx, s.db, orgID, f)
}

// SetMemberStatus enables or disables a person's access to one school. The
// last active administrator cannot be disabled.
func (s *Service) SetMemberStatus(ctx context.Context, orgID, userID string, version int64, status string) (*Member, error) {
	err := s.changeMember(ctx, orgID, userID, version, func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error) {
		if m.Status == status {
			return nil, nil
		}
		if status == StatusDisabled && m.hasRole("admin") {
			if err := s.keepAnAdmin(ctx, tx, orgID); err != nil {
				return nil, err
			}
		}
		before := m.Status
		m.Status = status
		return map[string]auditlog.Change{"membership": {Before: before, After: status}}, nil
	})
	if err != nil {
		return nil, err
	}
	return s.store.Member(ctx, s.db, orgID, userID)
}

// GrantRole gives a member a role; granting a role already held changes nothing.
func (s *Service) GrantRole(ctx context.Context, orgID, userID string, version int64, role string) (*Member, error) {
	err := s.changeMember(ctx, orgID, userID, version, func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error) {
		if m.hasRole(role) {
			return nil, nil
		}
		err := s.store.InsertRole(ctx, tx, &MembershipRole{MembershipID: m.ID, OrgID: orgID, Role: role, CreatedAt: s.clock.Now()})
		return roleChange(m.Roles, append(append([]string{}, m.Roles...), role)), err
	})
	if err != nil {
		return nil, err
	}
	return s.store.Member(ctx, s.db, orgID, userID)
}

// RevokeRole takes a role from a member. A member keeps at least one role,
// and the school keeps at least one active administrator.
func (s *Service) RevokeRole(ctx context.Context, orgID, userID string, version int64, role string) (*Member, error) {
	err := s.changeMember(ctx, orgID, userID, version, func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error) {
		if !m.hasRole(role) {
			return nil, errs.NotFound("role " + role + " of this member")
		}
		if len(m.Roles) == 1 {
			return nil, errs.Conflict("a member keeps at least one role; disable the member instead")
		}
		if role == "admin" && m.Status == StatusActive {
			if err := s.keepAnAdmin(ctx, tx, orgID); err != nil {
				return nil, err
			}
		}
		var rest []string
		for _, r := range m.Roles {
			if r != role {
				rest = append(rest, r)
			}
		}
		return roleChange(m.Roles, rest), s.store.DeleteRole(ctx, tx, m.ID, role)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Member(ctx, s.db, orgID, userID)
}

// changeMember runs one change of a membership in a transaction: it checks
// the version the caller saw, applies change, bumps the version and audits.
// A change that returns no field changes writes nothing.
func (s *Service) changeMember(ctx context.Context, orgID, userID string, version int64,
	change func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error)) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		m, err := s.store.Member(ctx, tx, orgID, userID)
		if err != nil {
			return err
		}
		if m.Version != version {
			return errs.Stale("the member", m.Version)
		}
		changes, err := change(ctx, tx, m)
		if err != nil || len(changes) == 0 {
			return err
		}
		m.UpdatedAt, m.Version = s.clock.Now(), m.Version+1
		ok, err := s.store.UpdateMembership(ctx, tx, &m.Membership, version)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("the member", version+1)
		}
		return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: "user", EntityID: userID, Changes: changes})
	})
}

func (s *Service) keepAnAdmin(ctx context.Context, tx bun.IDB, orgID string) error {
	// Lock the school's row first, so that two administrators removing each
	// other at once are counted one after the other.
	if err := s.store.LockOrg(ctx, tx, orgID); err != nil {
		return err
	}
	n, err := s.store.CountActiveWithRole(ctx, tx, orgID, "admin")
	if err != nil {
		return err
	}
	if n <= 1 {
		return errs.Conflict("the organisation would be left without an active administrator")
	}
	return nil
}

func (m *Member) hasRole(role string) bool {
	for _, r := range m.Roles {
		if r == role {
			return true
		}
	}
	return false
}

func roleChange(before, after []string) map[string]auditlog.Change {
	return map[string]auditlog.Change{"roles": {Before: sortedRoles(before), After: sortedRoles(after)}}
}

// sortedRoles orders roles as authz.Roles lists them.
func sortedRoles(roles []string) []string {
	out := []string{}
	for _, r := range authz.Roles {
		for _, have := range roles {
			if have == r {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// --- API keys

// NewAPIKey is a created key: the secret is shown this once.
type NewAPIKey struct {
	Key    string
	APIKey *APIKey
}

// CreateAPIKey makes an integration key bound to the school and one role.
// Administrator keys are refused: a leaked key must not manage people.
func (s *Service) CreateAPIKey(ctx context.Context, orgID, name, role string, expiresAt *time.Time) (*NewAPIKey, error) {
	if role == "admin" || !authz.IsRole(role) {
		return nil, errs.Invalid("body.role", "must be a school role other than admin")
	}
	now := s.clock.Now()
	if expiresAt != nil && !expiresAt.After(now) {
		return nil, errs.Invalid("body.expires_at", "must be in the future")
	}
	key := newSecret(apiKeyPrefix)
	p := reqctx.From(ctx).Principal
	k := &APIKey{ID: ids.New(), OrgID: orgID, Name: name, Role: role, KeyPrefix: key[:12], KeyHash: hashSecret(key),
		CreatedBy: p.ActorID(), CreatedAt: now, ExpiresAt: expiresAt}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertAPIKey(ctx, tx, k); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: "api_key", EntityID: k.ID, Changes: auditlog.Diff(nil, k)})
	})
	if err != nil {
		return nil, err
	}
	return &NewAPIKey{Key: key, APIKey: k}, nil
}

// ListAPIKeys returns a page of the school's keys (never their secrets).
func (s *Service) ListAPIKeys(ctx context.Context, orgID string, limit int, afterID string) ([]APIKey, error) {
	return s.store.ListAPIKeys(ctx, s.db, orgID, limit, afterID)
}

// RevokeAPIKey stops a key from working. The row stays, for the audit log.
func (s *Service) RevokeAPIKey(ctx context.Context, orgID, id string) (*APIKey, error) {
	var out *APIKey
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		k, err := s.store.APIKey(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return errs.Conflict("the API key was already revoked at %s", k.RevokedAt.UTC().Format(time.RFC3339))
		}
		before := *k
		now := s.clock.Now()
		k.RevokedAt = &now
		if err := s.store.RevokeAPIKey(ctx, tx, k); err != nil {
			return err
		}
		out = k
		return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: "api_key", EntityID: k.ID, Changes: auditlog.Diff(&before, k)})
	})
	return out, err
}
