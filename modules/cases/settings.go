package cases

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// Audited entity types.
const (
	entitySettings   = "case_settings"
	entityTarget     = "case_target"
	entityRequest    = "case_request"
	entitySubmission = "case"
)

// Settings returns the school's collection rules (the defaults until saved).
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, s.DB, orgID)
}

// SettingsInput is what saving the settings takes.
type SettingsInput struct {
	RequestIntervalDays int    `json:"request_interval_days" validate:"min=1,max=3650"`
	LinkTTLDays         int    `json:"link_ttl_days" validate:"min=1,max=365"`
	VideoTarget         int    `json:"video_target" validate:"min=0,max=100000"`
	ReviewTarget        int    `json:"review_target" validate:"min=0,max=100000"`
	Incentive           string `json:"incentive" validate:"text,max=2000"`
	ConsentTextVersion  string `json:"consent_text_version" validate:"required,singleline,max=64"`
	ConsentText         string `json:"consent_text" validate:"text,max=20000"`
}

// SaveSettings replaces the school's rules if they are still at version.
// The incentive is one text for every request: the school cannot offer a
// reward that depends on the rating a student gives.
func (s *Service) SaveSettings(ctx context.Context, orgID string, version int64, in SettingsInput) (*Settings, error) {
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return nil, err
	}
	var out *Settings
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Settings, *Settings]{
			What: "the case settings",
			Load: func() (*Settings, error) { return s.store.Settings(ctx, tx, orgID) },
			Change: func(st *Settings) error {
				st.RequestIntervalDays, st.LinkTTLDays, st.VideoTarget, st.ReviewTarget = in.RequestIntervalDays, in.LinkTTLDays, in.VideoTarget, in.ReviewTarget
				st.Incentive, st.ConsentTextVersion, st.ConsentText = in.Incentive, in.ConsentTextVersion, in.ConsentText
				return nil
			},
			Write: func(st *Settings, was int64) (bool, error) { return s.store.SaveSettings(ctx, tx, st, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entitySettings, orgID, auditlog.Diff(before, after))
	})
	return out, err
}

// TargetInput is a cohort's own target.
type TargetInput struct {
	VideoTarget  int `json:"video_target" validate:"min=0,max=100000"`
	ReviewTarget int `json:"review_target" validate:"min=0,max=100000"`
}

// SetCohortTarget saves a cohort's own target. version is the target's
// version, or nil to set it for the first time.
func (s *Service) SetCohortTarget(ctx context.Context, orgID, cohortID string, version *int64, in TargetInput) (*CohortTarget, error) {
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return nil, err
	}
	if !ids.Valid(cohortID) {
		return nil, errs.NotFound("cohort")
	}
	if err := s.checkCohort(ctx, orgID, cohortID); err != nil {
		return nil, err
	}
	var out *CohortTarget
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		current, err := s.store.CohortTarget(ctx, tx, orgID, cohortID)
		if err != nil {
			return err
		}
		switch {
		case current == nil && version != nil:
			return errs.Stale("the cohort's target", 0)
		case current != nil && version == nil:
			return errs.Conflict("the cohort already has a target (version %d); send If-Match to change it", current.Version)
		case current != nil && *version != current.Version:
			return errs.Stale("the cohort's target", current.Version)
		}
		before := current
		after := &CohortTarget{OrgID: orgID, CohortID: cohortID, Version: 0}
		was := int64(0)
		if current != nil {
			copied := *current
			after, was = &copied, current.Version
		}
		after.VideoTarget, after.ReviewTarget = in.VideoTarget, in.ReviewTarget
		after.Bump(now)
		ok, err := s.store.SaveCohortTarget(ctx, tx, after, was)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("the cohort's target", was+1)
		}
		out = after
		return s.Record(ctx, tx, orgID, entityTarget, cohortID, auditlog.Diff(before, after))
	})
	return out, err
}

// checkCohort answers not found for a cohort the school does not have.
func (s *Service) checkCohort(ctx context.Context, orgID, cohortID string) error {
	cohorts, err := s.school.Cohorts(ctx, orgID)
	if err != nil {
		return err
	}
	for _, c := range cohorts {
		if c.ID == cohortID {
			return nil
		}
	}
	return errs.NotFound("cohort")
}
