package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// NewMember is what adding a person to a school takes.
type NewMember struct {
	Email, Name, Password string
	Roles                 []string
}

// AddMember adds a person to a school with roles. A person new to the
// deployment gets a user account with the given password and the
// membership. A person who already has an account (in another school) is
// invited instead: they join when they accept, and keep their name and
// password. The administrator gets the same answer either way, built from
// what they typed, so that adding an email tells them nothing about an
// account they may not see.
func (s *Service) AddMember(ctx context.Context, orgID string, in NewMember) (*Member, error) {
	email, err := normalizeEmail(in.Email, "body.email")
	if err != nil {
		return nil, err
	}
	if err := checkRoles(in.Roles, "body.roles"); err != nil {
		return nil, err
	}
	if err := checkNewPasswordOf(in.Password, email, in.Name, "body.password"); err != nil {
		return nil, err
	}
	hash := hashPassword(in.Password, s.cfg.PasswordParams)
	var added *Member
	err = s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		joined, changes, err := s.addMemberIn(ctx, tx, orgID, email, hash, in)
		if err != nil {
			return nil, err
		}
		added = joined.answer
		return changes, nil
	})
	return added, err
}

// joining is what adding a person to a school did: the answer the
// administrator gets, the account that joins (now, or when they accept the
// invitation) and whether it was an invitation.
type joining struct {
	answer  *Member
	userID  string
	invited bool
}

// addMemberIn adds the person in tx (email normalised, password hashed) and
// returns the credential changes the caller announces in that transaction.
func (s *Service) addMemberIn(ctx context.Context, tx bun.IDB, orgID, email, hash string, in NewMember) (*joining, []credentialChange, error) {
	u, err := s.store.UserByEmail(ctx, tx, email)
	if err == nil {
		answer, err := s.invite(ctx, tx, orgID, u, email, in)
		if err != nil {
			return nil, nil, err
		}
		return &joining{answer: answer, userID: u.ID, invited: true}, nil, nil
	}
	if !errors.Is(err, errs.ErrNotFound) {
		return nil, nil, err
	}
	if u, err = s.createUser(ctx, tx, orgID, email, in.Name, hash); err != nil {
		return nil, nil, err
	}
	if err := s.addMembership(ctx, tx, orgID, u.ID, in.Roles); err != nil {
		return nil, nil, err
	}
	answer, err := s.store.Member(ctx, tx, orgID, u.ID)
	if err != nil {
		return nil, nil, err
	}
	return &joining{answer: answer, userID: u.ID}, []credentialChange{memberChanged(orgID, u.ID)}, nil
}

// createUser creates an account. The creation is audited in orgID's log
// when a school's administrator made it.
func (s *Service) createUser(ctx context.Context, tx bun.IDB, orgID, email, name, hash string) (*User, error) {
	now := s.Now()
	u := &User{ID: ids.New(), Email: email, EmailKey: emailKey(email), Name: name, PasswordHash: hash,
		Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.InsertUser(ctx, tx, u); err != nil {
		return nil, err
	}
	return u, s.Record(ctx, tx, orgID, "user", u.ID, auditlog.Diff(nil, u))
}

// addMembership makes userID a member of orgID with roles. Its callers
// announce memberChanged(orgID, userID): the new school must show in the
// person's cached /v1/me.
func (s *Service) addMembership(ctx context.Context, tx bun.IDB, orgID, userID string, roles []string) error {
	now := s.Now()
	m := &Membership{ID: ids.New(), OrgID: orgID, UserID: userID, Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.InsertMembership(ctx, tx, m); err != nil {
		return err
	}
	for _, r := range roles {
		if err := s.store.InsertRole(ctx, tx, &MembershipRole{MembershipID: m.ID, OrgID: orgID, Role: r, CreatedAt: now}); err != nil {
			return err
		}
	}
	return s.Record(ctx, tx, orgID, "user", userID,
		map[string]auditlog.Change{"membership": {After: StatusActive}, "roles": {After: sortedRoles(roles)}})
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
	return s.store.Member(ctx, s.DB, orgID, userID)
}

// ListMembers returns a page of a school's members.
func (s *Service) ListMembers(ctx context.Context, orgID string, f MemberFilter) ([]Member, error) {
	return s.store.ListMembers(ctx, s.DB, orgID, f)
}

// SetMemberStatus enables or disables a person's access to one school. The
// last active administrator cannot be disabled.
func (s *Service) SetMemberStatus(ctx context.Context, orgID, userID string, version int64, status string) (*Member, error) {
	return s.changeMember(ctx, orgID, userID, version, func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error) {
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
}

// GrantRole gives a member a role; granting a role already held changes nothing.
func (s *Service) GrantRole(ctx context.Context, orgID, userID string, version int64, role string) (*Member, error) {
	return s.changeMember(ctx, orgID, userID, version, func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error) {
		if m.hasRole(role) {
			return nil, nil
		}
		err := s.store.InsertRole(ctx, tx, &MembershipRole{MembershipID: m.ID, OrgID: orgID, Role: role, CreatedAt: s.Now()})
		return roleChange(m.Roles, append(append([]string{}, m.Roles...), role)), err
	})
}

// RevokeRole takes a role from a member. A member keeps at least one role,
// and the school keeps at least one active administrator.
func (s *Service) RevokeRole(ctx context.Context, orgID, userID string, version int64, role string) (*Member, error) {
	return s.changeMember(ctx, orgID, userID, version, func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error) {
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
}

// memberChange edits a copy of a member (and its roles) inside the
// transaction, and says what changed for the audit log.
type memberChange func(ctx context.Context, tx bun.IDB, m *Member) (map[string]auditlog.Change, error)

// changeMember runs one change of a membership as an optimistic update at
// version, audits it, and returns the member as it is afterwards. A change
// that returns no field changes writes nothing.
//
// Every change of a membership can take access away (a status, a role), so
// the caller's roles in the school are forgotten by every replica's
// credential cache once it commits.
func (s *Service) changeMember(ctx context.Context, orgID, userID string, version int64, change memberChange) (*Member, error) {
	err := s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		var changes map[string]auditlog.Change
		_, after, err := database.Optimistic[Member, *Member]{
			What: "the member",
			Load: func() (*Member, error) { return s.store.Member(ctx, tx, orgID, userID) },
			Change: func(m *Member) error {
				var err error
				if changes, err = change(ctx, tx, m); err == nil && len(changes) == 0 {
					return database.ErrUnchanged
				}
				return err
			},
			Write: func(m *Member, wasVersion int64) (bool, error) {
				return s.store.UpdateMembership(ctx, tx, &m.Membership, wasVersion)
			},
		}.Run(version, s.Now())
		if err != nil || after == nil {
			return nil, err
		}
		return []credentialChange{memberChanged(orgID, userID)}, s.Record(ctx, tx, orgID, "user", userID, changes)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Member(ctx, s.DB, orgID, userID)
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
