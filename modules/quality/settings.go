package quality

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// SettingsInput replaces a school's sampling settings.
type SettingsInput struct {
	ReviewsPerWeek         int
	NewcomerReviewsPerWeek int
	DefaultScorecardID     *string
}

// Settings returns the school's settings (the defaults, version 0, when
// never saved).
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, s.DB, orgID)
}

// SaveSettings replaces the school's settings; version is the one the
// caller read (0 when never saved).
func (s *Service) SaveSettings(ctx context.Context, orgID string, version int64, in SettingsInput) (*Settings, error) {
	if in.ReviewsPerWeek < 0 || in.ReviewsPerWeek > 100 {
		return nil, errs.Invalid("body.reviews_per_week", "must be 0 to 100")
	}
	if in.NewcomerReviewsPerWeek < 0 || in.NewcomerReviewsPerWeek > 100 {
		return nil, errs.Invalid("body.newcomer_reviews_per_week", "must be 0 to 100")
	}
	if in.DefaultScorecardID != nil && !ids.Valid(*in.DefaultScorecardID) {
		return nil, errs.Invalid("body.default_scorecard_id", "must be a scorecard id")
	}
	var out *Settings
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if in.DefaultScorecardID != nil {
			if _, err := s.store.Scorecard(ctx, tx, orgID, *in.DefaultScorecardID); err != nil {
				return errs.Invalid("body.default_scorecard_id", "the school has no scorecard with this id")
			}
		}
		before, after, err := database.Optimistic[Settings, *Settings]{What: "quality settings",
			Load: func() (*Settings, error) { return s.store.Settings(ctx, tx, orgID) },
			Change: func(st *Settings) error {
				st.ReviewsPerWeek, st.NewcomerReviewsPerWeek, st.DefaultScorecardID = in.ReviewsPerWeek, in.NewcomerReviewsPerWeek, in.DefaultScorecardID
				return nil
			},
			Write: func(st *Settings, was int64) (bool, error) { return s.store.SaveSettings(ctx, tx, st, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "quality_settings", orgID, auditlog.Diff(settingsAudit(before), settingsAudit(after)))
	})
	return out, err
}

func settingsAudit(st *Settings) map[string]any {
	return map[string]any{"reviews_per_week": st.ReviewsPerWeek, "newcomer_reviews_per_week": st.NewcomerReviewsPerWeek,
		"default_scorecard_id": st.DefaultScorecardID}
}
