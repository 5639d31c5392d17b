package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Config tunes sessions and password hashing.
type Config struct {
	TokenTTL       time.Duration
	PasswordParams PasswordParams
	// TouchEvery limits how often a session's or key's last use is written,
	// so that every request does not become a write.
	TouchEvery time.Duration
}

// DefaultConfig is what serve uses unless told otherwise.
func DefaultConfig() Config {
	return Config{TokenTTL: 12 * time.Hour, PasswordParams: DefaultPasswordParams, TouchEvery: time.Minute}
}

// Service holds the identity rules.
type Service struct {
	db    *bun.DB
	clock clock.Clock
	audit auditlog.Recorder
	cfg   Config
	store Store
	// dummyHash is checked against when an email is unknown, so that an
	// unknown email and a wrong password take the same time.
	dummyHash string
}

// NewService returns the identity service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, cfg Config) *Service {
	return &Service{db: db, clock: c, audit: audit, cfg: cfg,
		dummyHash: hashPassword("no user has this password", cfg.PasswordParams)}
}

var _ httpapi.Authenticator = (*Service)(nil)

func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// likePrefix escapes s for a LIKE prefix match.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return database.InTx(ctx, s.db, fn)
}

// --- authentication (httpapi.Authenticator)

var errBadCredentials = fmt.Errorf("%w: missing, invalid or expired credentials", errs.ErrUnauthorized)

// Authenticate resolves a bearer token or an API key to a principal.
func (s *Service) Authenticate(ctx context.Context, c httpapi.Credentials) (*reqctx.Principal, error) {
	switch {
	case c.BearerToken != "" && c.APIKey != "":
		return nil, fmt.Errorf("%w: send either a bearer token or an API key, not both", errs.ErrUnauthorized)
	case c.BearerToken != "":
		return s.authenticateToken(ctx, c.BearerToken)
	case c.APIKey != "":
		return s.authenticateAPIKey(ctx, c.APIKey)
	}
	return nil, fmt.Errorf("%w: sign in and send Authorization: Bearer <token>", errs.ErrUnauthorized)
}

func (s *Service) authenticateToken(ctx context.Context, token string) (*reqctx.Principal, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, errBadCredentials
	}
	t, err := s.store.SessionByHash(ctx, s.db, hashSecret(token))
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) || t.UserStatus != StatusActive {
		return nil, errBadCredentials
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= s.cfg.TouchEvery {
		if err := s.store.TouchToken(ctx, s.db, t.ID, now); err != nil {
			return nil, err
		}
	}
	return &reqctx.Principal{Kind: reqctx.ActorUser, UserID: t.UserID, TokenID: t.ID, Name: t.Email, PlatformAdmin: t.PlatformAdmin}, nil
}

func (s *Service) authenticateAPIKey(ctx context.Context, key string) (*reqctx.Principal, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return nil, errBadCredentials
	}
	k, err := s.store.APIKeyByHash(ctx, s.db, hashSecret(key))
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if k.RevokedAt != nil || (k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)) {
		return nil, errBadCredentials
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= s.cfg.TouchEvery {
		if err := s.store.TouchAPIKey(ctx, s.db, k.ID, now); err != nil {
			return nil, err
		}
	}
	return &reqctx.Principal{Kind: reqctx.ActorAPIKey, APIKeyID: k.ID, Name: k.Name, KeyOrgID: k.OrgID, KeyRole: k.Role}, nil
}

// OrgAccess returns the school by slug with the principal's roles in it, or
// not-found when the principal has no access: a school one does not belong
// to is indistinguishable from one that does not exist.
func (s *Service) OrgAccess(ctx context.Context, p *reqctx.Principal, slug string) (*reqctx.OrgAccess, error) {
	var (
		org   *Org
		roles []string
		err   error
	)
	switch p.Kind {
	case reqctx.ActorUser:
		org, roles, err = s.store.OrgWithRoles(ctx, s.db, slug, p.UserID)
	case reqctx.ActorAPIKey:
		org, err = s.store.OrgBySlug(ctx, s.db, slug)
		if err == nil && p.KeyOrgID == org.ID {
			roles = []string{p.KeyRole}
		}
	}
	if err != nil {
		return nil, err
	}
	if len(roles) == 0 {
		return nil, errs.NotFound("organisation")
	}
	return &reqctx.OrgAccess{ID: org.ID, Slug: org.Slug, TimeZone: org.TimeZone, Currency: org.Currency, Roles: roles}, nil
}

// --- sessions

// Session is a new sign-in: the token is shown once.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      *User
}

// Login checks an email and password and opens a session. Unknown email and
// wrong password give the same error; repeated failures are throttled.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	now := s.clock.Now()
	ip := reqctx.From(ctx).IP
	keys := throttleKeys(email, ip)
	if err := s.checkThrottle(ctx, keys, now); err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(ctx, s.db, email)
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
		if err := s.recordFailure(ctx, keys, now); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: wrong email or password", errs.ErrUnauthorized)
	}
	token := newSecret(tokenPrefix)
	m := reqctx.From(ctx)
	t := &Token{ID: ids.New(), UserID: u.ID, TokenHash: hashSecret(token), CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.TokenTTL), IP: m.IP, UserAgent: truncate(m.UserAgent, 500)}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.ClearThrottle(ctx, tx, keys[0].key); err != nil {
			return err
		}
		if err := s.store.InsertToken(ctx, tx, t); err != nil {
			return err
		}
		// The principal is not on the context yet: name the user explicitly.
		m.Principal = &reqctx.Principal{Kind: reqctx.ActorUser, UserID: u.ID, Name: u.Email}
		return s.audit.Record(ctx, tx, auditlog.Entry{EntityType: "session", EntityID: t.ID,
			Changes: map[string]auditlog.Change{"expires_at": {After: t.ExpiresAt}}})
	})
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, ExpiresAt: t.ExpiresAt, User: u}, nil
}

// Logout revokes the session the request was made with.
func (s *Service) Logout(ctx context.Context, p *reqctx.Principal) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.RevokeToken(ctx, tx, p.TokenID, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditlog.Entry{EntityType: "session", EntityID: p.TokenID,
			Changes: map[string]auditlog.Change{"revoked": {Before: false, After: true}}})
	})
}

// ChangePassword sets a new password after checking the current one, and
// ends the user's other sessions.
func (s *Service) ChangePassword(ctx context.Context, p *reqctx.Principal, current, next string) error {
	u, err := s.store.UserByID(ctx, s.db, p.UserID)
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
	if err := checkNewPassword(next, u.Email, "body.new_password"); err != nil {
		return err
	}
	now := s.clock.Now()
	u.PasswordHash, u.UpdatedAt, u.Version = hashPassword(next, s.cfg.PasswordParams), now, u.Version+1
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.UpdatePassword(ctx, tx, u); err != nil {
			return err
		}
		if err := s.store.RevokeOtherTokens(ctx, tx, u.ID, p.TokenID, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditlog.Entry{EntityType: "user", EntityID: u.ID,
			Changes: map[string]auditlog.Change{"password": {Before: "(set)", After: "(changed)"}}})
	})
}

func checkNewPassword(password, email, location string) error {
	if weakPassword(password, email) {
		return errs.Invalid(location, "is too easy to guess; choose another password")
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

// Me returns the signed-in user and their memberships.
func (s *Service) Me(ctx context.Context, p *reqctx.Principal) (*Me, error) {
	u, err := s.store.UserByID(ctx, s.db, p.UserID)
	if err != nil {
		return nil, err
	}
	ms, orgs, err := s.store.MembershipsOfUser(ctx, s.db, u.ID)
	if err != nil {
		return nil, err
	}
	me := &Me{User: u, Memberships: make([]MembershipOfMe, len(ms))}
	for i, m := range ms {
		roles, err := s.store.Roles(ctx, s.db, m.ID)
		if err != nil {
			return nil, err
		}
		me.Memberships[i] = MembershipOfMe{Org: orgs[i], Status: m.Status, Roles: roles}
	}
	return me, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
