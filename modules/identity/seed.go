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

// UserSpec describes an account to make sure of and, when Org is set, the
// school (by slug) it works for with Roles.
type UserSpec struct {
	Email, Name, Password string
	PlatformAdmin         bool
	Org                   string
	Roles                 []string
}

// EnsureUser creates the user unless the email is taken, adds them to
// spec.Org unless they are a member already, and reports whether the user
// was created. It is one transaction: a school that does not exist leaves no
// account behind. The email and password must pass the usual rules.
func (s *Service) EnsureUser(ctx context.Context, spec UserSpec) (*User, bool, error) {
	email, err := normalizeEmail(spec.Email, "email")
	if err != nil {
		return nil, false, err
	}
	spec.Email = email
	if err := checkNewPasswordOf(spec.Password, spec.Email, spec.Name, "password"); err != nil {
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
	if spec.Org != "" {
		if err := checkRoles(spec.Roles, "roles"); err != nil {
			return nil, false, err
		}
	}
	var (
		u       *User
		created bool
	)
	err := s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		var err error
		if u, created, err = s.findOrCreatePlatformUser(ctx, tx, spec); err != nil || spec.Org == "" {
			return nil, err
		}
		o, err := s.store.OrgBySlug(ctx, tx, spec.Org)
		if err != nil {
			return nil, err
		}
		if _, err := s.store.Membership(ctx, tx, o.ID, u.ID); err == nil {
			return nil, nil
		} else if !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
		return []credentialChange{memberChanged(o.ID, u.ID)}, s.addMembership(ctx, tx, o.ID, u.ID, spec.Roles)
	})
	if err != nil {
		return nil, false, err
	}
	return u, created, nil
}

// findOrCreatePlatformUser returns the account with spec's email, creating it
// (with the platform flag when asked) when new. An existing account is left
// alone.
func (s *Service) findOrCreatePlatformUser(ctx context.Context, tx bun.IDB, spec UserSpec) (*User, bool, error) {
	if u, err := s.store.UserByEmail(ctx, tx, spec.Email); err == nil {
		return u, false, nil
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, false, err
	}
	u, err := s.createUser(ctx, tx, "", spec.Email, spec.Name, hashPassword(spec.Password, s.cfg.PasswordParams))
	if err != nil || !spec.PlatformAdmin {
		return u, true, err
	}
	u.PlatformAdmin = true
	if err := s.store.SetPlatformAdmin(ctx, tx, u); err != nil {
		return nil, false, err
	}
	return u, true, s.Record(ctx, tx, "", "user", u.ID, map[string]auditlog.Change{"platform_admin": {Before: false, After: true}})
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
