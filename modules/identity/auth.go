package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	t, err := s.store.SessionByHash(ctx, s.DB, hashSecret(token))
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) || t.UserStatus != StatusActive {
		return nil, errBadCredentials
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= s.cfg.TouchEvery {
		if err := s.store.TouchToken(ctx, s.DB, t.ID, now); err != nil {
			return nil, err
		}
	}
	return &reqctx.Principal{Kind: reqctx.ActorUser, UserID: t.UserID, TokenID: t.ID, Name: t.Email, PlatformAdmin: t.PlatformAdmin}, nil
}

func (s *Service) authenticateAPIKey(ctx context.Context, key string) (*reqctx.Principal, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return nil, errBadCredentials
	}
	k, err := s.store.APIKeyByHash(ctx, s.DB, hashSecret(key))
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if k.RevokedAt != nil || (k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)) {
		return nil, errBadCredentials
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= s.cfg.TouchEvery {
		if err := s.store.TouchAPIKey(ctx, s.DB, k.ID, now); err != nil {
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
		org, roles, err = s.store.OrgWithRoles(ctx, s.DB, slug, p.UserID)
	case reqctx.ActorAPIKey:
		org, err = s.store.OrgBySlug(ctx, s.DB, slug)
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
