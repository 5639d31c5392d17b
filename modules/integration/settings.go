package integration

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Settings returns the school's integration settings; a school that never
// saved any has none set.
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if errors.Is(err, errs.ErrNotFound) {
		return &Settings{OrgID: orgID}, nil
	}
	return st, err
}

// RotateSigningSecret gives the school a new signing secret, replacing any
// previous one at once, and returns it: this is the only time it is shown.
// From now on every batch of events must carry its signature.
func (s *Service) RotateSigningSecret(ctx context.Context, orgID string) (*Settings, string, error) {
	secret := newSecret(signingSecretPrefix)
	out, err := s.changeSettings(ctx, orgID, func(st *Settings, now time.Time) error {
		st.SigningSecret, st.SecretPrefix, st.SecretSetAt = secret, shownPrefix(secret), &now
		return nil
	})
	return out, secret, err
}

// ClearSigningSecret removes the school's signing secret: batches are then
// taken unsigned.
func (s *Service) ClearSigningSecret(ctx context.Context, orgID string) error {
	_, err := s.changeSettings(ctx, orgID, func(st *Settings, _ time.Time) error {
		if st.SigningSecret == "" {
			return errs.NotFound("signing secret")
		}
		st.SigningSecret, st.SecretPrefix, st.SecretSetAt = "", "", nil
		return nil
	})
	return err
}

// changeSettings lets change edit a copy of the school's settings (empty
// when it never saved any), then saves the copy at its next version in one
// audited transaction. An error from change aborts it. The settings take no
// If-Match: a rotation replaces whatever secret there was.
func (s *Service) changeSettings(ctx context.Context, orgID string, change func(st *Settings, now time.Time) error) (*Settings, error) {
	var out *Settings
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Settings(ctx, tx, orgID)
		if errors.Is(err, errs.ErrNotFound) {
			before, err = &Settings{OrgID: orgID}, nil
		}
		if err != nil {
			return err
		}
		now := s.Now()
		after := *before
		if err := change(&after, now); err != nil {
			return err
		}
		after.Bump(now)
		if err := s.store.SaveSettings(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return s.Record(ctx, tx, orgID, "integration_settings", orgID, auditlog.Diff(before, &after))
	})
	return out, err
}
