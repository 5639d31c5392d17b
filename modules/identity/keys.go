package identity

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

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
	now := s.Now()
	if expiresAt != nil && !expiresAt.After(now) {
		return nil, errs.Invalid("body.expires_at", "must be in the future")
	}
	if expiresAt != nil {
		if err := clock.CheckPlan("body.expires_at", *expiresAt); err != nil {
			return nil, err
		}
	}
	key := newSecret(apiKeyPrefix)
	p := reqctx.From(ctx).Principal
	k := &APIKey{ID: ids.New(), OrgID: orgID, Name: name, Role: role, KeyPrefix: key[:12], KeyHash: hashSecret(key),
		CreatedBy: p.ActorID(), CreatedAt: now, ExpiresAt: expiresAt}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertAPIKey(ctx, tx, k); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "api_key", k.ID, auditlog.Diff(nil, k))
	})
	if err != nil {
		return nil, err
	}
	return &NewAPIKey{Key: key, APIKey: k}, nil
}

// ListAPIKeys returns a page of the school's keys (never their secrets).
func (s *Service) ListAPIKeys(ctx context.Context, orgID string, limit int, afterID string) ([]APIKey, error) {
	return s.store.ListAPIKeys(ctx, s.DB, orgID, limit, afterID)
}

// RevokeAPIKey stops a key from working. The row stays, for the audit log.
func (s *Service) RevokeAPIKey(ctx context.Context, orgID, id string) (*APIKey, error) {
	var out *APIKey
	err := s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		k, err := s.store.APIKey(ctx, tx, orgID, id)
		if err != nil {
			return nil, err
		}
		if k.RevokedAt != nil {
			return nil, errs.Conflict("the API key was already revoked at %s", k.RevokedAt.UTC().Format(time.RFC3339))
		}
		before := *k
		now := s.Now()
		k.RevokedAt = &now
		if err := s.store.RevokeAPIKey(ctx, tx, k); err != nil {
			return nil, err
		}
		out = k
		return []credentialChange{keyChanged(k.ID)}, s.Record(ctx, tx, orgID, "api_key", k.ID, auditlog.Diff(&before, k))
	})
	return out, err
}
