package identity

import (
	"context"

	"github.com/uptrace/bun"
)

// Hire is the account a hired person joins a school with.
type Hire struct {
	UserID string
	// Invited is true when the email already had an account (in another
	// school): the person joins once they accept the invitation, signed in
	// with the password they already have; Password was not used.
	Invited bool
}

// AddMemberIn adds a person to a school with roles inside the caller's
// transaction tx, under the same rules as AddMember: a new email gets an
// account with the given password (checked by the password rules) and the
// membership; an email that already has an account is invited instead.
// The credential-change announcement is written in tx, so the other
// replicas hear of it only if tx commits. The hiring module calls it when
// a candidate accepts an offer, so that the account, the membership and
// the onboarding plan commit together.
func (s *Service) AddMemberIn(ctx context.Context, tx bun.IDB, orgID string, in NewMember) (*Hire, error) {
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
	joined, changes, err := s.addMemberIn(ctx, tx, orgID, email, hashPassword(in.Password, s.cfg.PasswordParams), in)
	if err != nil {
		return nil, err
	}
	if err := s.store.AnnounceCredentialChanges(ctx, tx, changes); err != nil {
		return nil, err
	}
	// Nothing of a new membership can be cached before it commits; forgetting
	// now keeps this replica's cache right whether tx commits or not.
	s.cache.forget(changes...)
	return &Hire{UserID: joined.userID, Invited: joined.invited}, nil
}
