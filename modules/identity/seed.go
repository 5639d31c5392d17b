package identity

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Bootstrap operations for the command line and the demo seed. Each one
// leaves existing records alone, so running it twice changes nothing.

// UserSpec describes an account to make sure of.
type UserSpec struct {
	Email, Name, Password string
	PlatformAdmin         bool
}

// EnsureUser creates the user unless the email is taken, and reports
// whether it did. The password must pass the usual strength rules.
func (s *Service) EnsureUser(ctx context.Context, spec UserSpec) (*User, bool, error) {
	if err := checkNewPassword(spec.Password, spec.Email, "password"); err != nil {
		return nil, false, err
	}
	return s.ensureUser(ctx, spec)
}

// EnsureDemoUser is EnsureUser without the strength rules: the demo school's
// published password is on the weak list on purpose, so that nothing but the
// demo seed can set it.
func (s *Service) EnsureDemoUser(ctx context.Context, spec UserSpec) (*User, bool, error) {
	return s.ensureUser(ctx, spec)
}

func (s *Service) ensureUser(ctx context.Context, spec UserSpec) (*User, bool, error) {
	if u, err := s.store.UserByEmail(ctx, s.DB, spec.Email); err == nil {
		return u, false, nil
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, false, err
	}
	var u *User
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		u, err = s.findOrCreateUser(ctx, tx, "", spec.Email, spec.Name, hashPassword(spec.Password, s.cfg.PasswordParams))
		if err != nil || !spec.PlatformAdmin {
			return err
		}
		u.PlatformAdmin = true
		if err := s.store.SetPlatformAdmin(ctx, tx, u); err != nil {
			return err
		}
		return s.Record(ctx, tx, "", "user", u.ID, map[string]auditlog.Change{"platform_admin": {Before: false, After: true}})
	})
	return u, err == nil, err
}

// EnsureOrg creates the school unless its slug is taken, and reports whether
// it did.
func (s *Service) EnsureOrg(ctx context.Context, in NewOrg) (*Org, bool, error) {
	if o, err := s.store.OrgBySlug(ctx, s.DB, in.Slug); err == nil {
		return o, false, nil
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, false, err
	}
	o, err := s.CreateOrg(ctx, in)
	return o, err == nil, err
}

// EnsureMember adds the user to the school with roles unless they are a
// member already.
func (s *Service) EnsureMember(ctx context.Context, orgID, userID string, roles []string) error {
	if err := checkRoles(roles, "roles"); err != nil {
		return err
	}
	if _, err := s.store.Membership(ctx, s.DB, orgID, userID); err == nil {
		return nil
	} else if !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	return s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		return []credentialChange{memberChanged(orgID, userID)}, s.addMembership(ctx, tx, orgID, userID, roles)
	})
}
