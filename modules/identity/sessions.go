package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Session is a new sign-in: the token is shown once.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      *User
}

// Login checks an email and password and opens a session. Unknown email and
// wrong password give the same error; repeated failures are throttled.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	now := s.Now()
	ip := reqctx.From(ctx).IP
	keys := throttleKeys(email, ip)
	if err := s.checkThrottle(ctx, keys, now); err != nil {
		return nil, err
	}
	u, err := s.checkCredentials(ctx, email, password)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if err := s.recordFailure(ctx, keys, now); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: wrong email or password", errs.ErrUnauthorized)
	}
	token := newSecret(tokenPrefix)
	m := reqctx.From(ctx)
	t := &Token{ID: ids.New(), UserID: u.ID, TokenHash: hashSecret(token), CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.TokenTTL), IP: m.IP, UserAgent: truncate(m.UserAgent, 500)}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.ClearThrottle(ctx, tx, keys[0].key); err != nil {
			return err
		}
		if err := s.store.InsertToken(ctx, tx, t); err != nil {
			return err
		}
		// The principal is not on the context yet: name the user explicitly.
		m.Principal = &reqctx.Principal{Kind: reqctx.ActorUser, UserID: u.ID, Name: u.Email}
		return s.Record(ctx, tx, "", "session", t.ID, map[string]auditlog.Change{"expires_at": {After: t.ExpiresAt}})
	})
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, ExpiresAt: t.ExpiresAt, User: u}, nil
}

// checkCredentials returns the active user with email and password, or nil
// when they do not match. An unknown email is checked against a dummy hash,
// so that it takes as long as a wrong password.
func (s *Service) checkCredentials(ctx context.Context, email, password string) (*User, error) {
	u, err := s.store.UserByEmail(ctx, s.DB, email)
	hash := s.dummyHash
	switch {
	case err == nil:
		hash = u.PasswordHash
	case errors.Is(err, errs.ErrNotFound):
		u = nil
	default:
		return nil, err
	}
	ok, err := checkPassword(password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil || u.Status != StatusActive {
		return nil, nil
	}
	return u, nil
}

// Logout revokes the session the request was made with.
func (s *Service) Logout(ctx context.Context, p *reqctx.Principal) error {
	return s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		if err := s.store.RevokeToken(ctx, tx, p.TokenID, s.Now()); err != nil {
			return nil, err
		}
		changed := []credentialChange{sessionChanged(p.TokenID)}
		return changed, s.Record(ctx, tx, "", "session", p.TokenID, map[string]auditlog.Change{"revoked": {Before: false, After: true}})
	})
}

// ChangePassword sets a new password after checking the current one, and
// ends the user's other sessions.
func (s *Service) ChangePassword(ctx context.Context, p *reqctx.Principal, current, next string) error {
	u, err := s.store.UserByID(ctx, s.DB, p.UserID)
	if err != nil {
		return err
	}
	ok, err := checkPassword(current, u.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Invalid("body.current_password", "does not match your current password")
	}
	if err := checkNewPasswordOf(next, u.Email, u.Name, "body.new_password"); err != nil {
		return err
	}
	now := s.Now()
	u.PasswordHash = hashPassword(next, s.cfg.PasswordParams)
	u.Bump(now)
	return s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		if err := s.store.UpdatePassword(ctx, tx, u); err != nil {
			return nil, err
		}
		if err := s.store.RevokeOtherTokens(ctx, tx, u.ID, p.TokenID, now); err != nil {
			return nil, err
		}
		// Every session of the user is forgotten, the current one too: it
		// is read again on its next request.
		changed := []credentialChange{userChanged(u.ID)}
		return changed, s.Record(ctx, tx, "", "user", u.ID, map[string]auditlog.Change{"password": {Before: "(set)", After: "(changed)"}})
	})
}

func checkNewPassword(password, email, location string) error {
	return checkNewPasswordOf(password, email, "", location)
}

// minPasswordLength and minPasswordScore are the strength rules of every new
// password: a zxcvbn score of 3 resists an online attack with no throttling
// and a slow offline one.
const (
	minPasswordLength = 10
	minPasswordScore  = 3
)

// checkNewPasswordOf refuses a password that is short or easy to guess. The
// person's email and name are given to zxcvbn, so that a password built from
// them scores lower.
func checkNewPasswordOf(password, email, name, location string) error {
	if utf8.RuneCountInString(password) < minPasswordLength {
		return errs.Invalid(location, fmt.Sprintf("is too short: use at least %d characters", minPasswordLength))
	}
	if weakPassword(password, email) || zxcvbn.PasswordStrength(password, personalWords(email, name)).Score < minPasswordScore {
		return errs.Invalid(location, "is too easy to guess: avoid repeated characters, keyboard rows, common words and your own name or email; "+
			"several unrelated words with digits or symbols make a strong password")
	}
	return nil
}

// Me is the signed-in user with every school they belong to.
type Me struct {
	User        *User
	Memberships []MembershipOfMe
}

// MembershipOfMe is one school of the signed-in user.
type MembershipOfMe struct {
	Org    Org
	Status string
	Roles  []string
}

// Me returns the signed-in user and their memberships: from the credential
// cache, or in one query. The answer may be shared with other requests and
// must not be changed.
func (s *Service) Me(ctx context.Context, p *reqctx.Principal) (*Me, error) {
	if e, ok := s.cache.userMe(p.UserID); ok {
		return &Me{User: e.user, Memberships: e.memberships}, nil
	}
	generation := s.cache.begin()
	u, ms, err := s.store.UserWithMemberships(ctx, s.DB, p.UserID)
	if err != nil {
		return nil, err
	}
	s.cache.storeMe(generation, &cachedMe{user: u, memberships: ms, loadedAt: time.Now()})
	return &Me{User: u, Memberships: ms}, nil
}

// SetUserStatus enables or disables a person's account in every school at
// once: a disabled account's sessions are refused from the next request on,
// on every replica, and work again if it is enabled again. Its memberships
// and roles stay as they are.
func (s *Service) SetUserStatus(ctx context.Context, email, status string) (*User, error) {
	if status != StatusActive && status != StatusDisabled {
		return nil, errs.Invalid("status", "must be active or disabled")
	}
	var out *User
	err := s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		u, err := s.store.UserByEmail(ctx, tx, email)
		if err != nil || u.Status == status {
			out = u
			return nil, err
		}
		before := u.Status
		u.Status = status
		u.Bump(s.Now())
		if err := s.store.UpdateUserStatus(ctx, tx, u); err != nil {
			return nil, err
		}
		out = u
		changed := []credentialChange{userChanged(u.ID)}
		return changed, s.Record(ctx, tx, "", "user", u.ID, map[string]auditlog.Change{"status": {Before: before, After: status}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// personalWords are the words of a person's email and name that zxcvbn should
// count as known to an attacker.
func personalWords(email, name string) []string {
	local, domain, _ := strings.Cut(email, "@")
	words := []string{email, local, domain}
	words = append(words, strings.Fields(name)...)
	out := words[:0]
	for _, w := range words {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
