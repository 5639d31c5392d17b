package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Authentication: the Service is the httpapi.Authenticator, which tells the
// HTTP kernel who a caller is and what they may do in a school.

var _ httpapi.Authenticator = (*Service)(nil)

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
	hash := hashSecret(token)
	e, cached := s.cache.session(hash)
	if !cached {
		var err error
		if e, err = s.loadSession(ctx, hash); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	if !now.Before(e.expiresAt) {
		return nil, errBadCredentials
	}
	err := s.touch(ctx, &e.lastUsed, now, func(ctx context.Context, db bun.IDB) error {
		return s.store.TouchToken(ctx, db, e.tokenID, now)
	})
	if err != nil {
		return nil, err
	}
	return e.principal(), nil
}

// loadSession reads the session with its user and keeps it in the cache
// when both are live; revoked sessions and disabled accounts are refused.
func (s *Service) loadSession(ctx context.Context, hash string) (*cachedSession, error) {
	generation := s.cache.begin()
	t, err := s.store.SessionByHash(ctx, s.DB, hash)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil || t.UserStatus != StatusActive {
		return nil, errBadCredentials
	}
	e := &cachedSession{hash: hash, tokenID: t.ID, userID: t.UserID, email: t.Email, platformAdmin: t.PlatformAdmin,
		expiresAt: t.ExpiresAt, loadedAt: time.Now()}
	if t.LastUsedAt != nil {
		e.lastUsed.Store(t.LastUsedAt.UnixNano())
	}
	s.cache.storeSession(generation, e)
	return e, nil
}

func (s *Service) authenticateAPIKey(ctx context.Context, key string) (*reqctx.Principal, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return nil, errBadCredentials
	}
	hash := hashSecret(key)
	e, cached := s.cache.key(hash)
	if !cached {
		var err error
		if e, err = s.loadAPIKey(ctx, hash); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	if e.expiresAt != nil && !now.Before(*e.expiresAt) {
		return nil, errBadCredentials
	}
	err := s.touch(ctx, &e.lastUsed, now, func(ctx context.Context, db bun.IDB) error {
		return s.store.TouchAPIKey(ctx, db, e.id, now)
	})
	if err != nil {
		return nil, err
	}
	return e.principal(), nil
}

// loadAPIKey reads an unrevoked key and keeps it in the cache.
func (s *Service) loadAPIKey(ctx context.Context, hash string) (*cachedKey, error) {
	generation := s.cache.begin()
	k, err := s.store.APIKeyByHash(ctx, s.DB, hash)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if k.RevokedAt != nil {
		return nil, errBadCredentials
	}
	e := &cachedKey{hash: hash, id: k.ID, name: k.Name, orgID: k.OrgID, role: k.Role, expiresAt: k.ExpiresAt, loadedAt: time.Now()}
	if k.LastUsedAt != nil {
		e.lastUsed.Store(k.LastUsedAt.UnixNano())
	}
	s.cache.storeKey(generation, e)
	return e, nil
}

// touch writes a credential's last use when the last write is at least
// TouchEvery old. One request of this replica wins the right to write it;
// the write is skipped, and left to a later request, while SQLite's writer
// is busy, so that authenticating never waits behind a long write.
func (s *Service) touch(ctx context.Context, lastUsed *atomic.Int64, now time.Time, write func(context.Context, bun.IDB) error) error {
	prev := lastUsed.Load()
	if prev != 0 && now.Sub(time.Unix(0, prev)) < s.cfg.TouchEvery {
		return nil
	}
	if !lastUsed.CompareAndSwap(prev, now.UnixNano()) {
		return nil
	}
	written, err := database.WriteUnlessBusy(ctx, s.DB, write)
	if err != nil || !written {
		lastUsed.CompareAndSwap(now.UnixNano(), prev)
	}
	return err
}

// OrgAccess returns the school by slug with the principal's roles in it, or
// not-found when the principal has no access: a school one does not belong
// to is indistinguishable from one that does not exist.
func (s *Service) OrgAccess(ctx context.Context, p *reqctx.Principal, slug string) (*reqctx.OrgAccess, error) {
	e, cached := s.cache.orgAccess(p.ActorID(), slug)
	if !cached {
		var err error
		if e, err = s.loadOrgAccess(ctx, p, slug); err != nil {
			return nil, err
		}
	}
	if len(e.roles) == 0 {
		return nil, errs.NotFound("organisation")
	}
	return e.orgAccess(), nil
}

// loadOrgAccess reads the school and the principal's roles in it (none
// when the principal has no access) and keeps them in the cache when there
// are some. No access is not remembered, so that a person added to a
// school (through the API, the command line or the demo seed) gets in at
// once without every way of adding one having to announce it.
func (s *Service) loadOrgAccess(ctx context.Context, p *reqctx.Principal, slug string) (*cachedAccess, error) {
	generation := s.cache.begin()
	var (
		org   *Org
		roles []string
		err   error
	)
	switch p.Kind {
	case reqctx.ActorUser:
		org, roles, err = s.store.OrgWithRoles(ctx, s.DB, slug, p.UserID)
	case reqctx.ActorAPIKey:
		org, err = s.store.OrgBySlug(ctx, s.DB, slug)
		if err == nil && p.KeyOrgID == org.ID {
			roles = []string{p.KeyRole}
		}
	default:
		return nil, errs.NotFound("organisation")
	}
	if err != nil {
		return nil, err
	}
	e := &cachedAccess{org: *org, roles: roles, loadedAt: time.Now()}
	if len(roles) > 0 {
		s.cache.storeAccess(generation, p.ActorID(), slug, e)
	}
	return e, nil
}
