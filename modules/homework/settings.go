package homework

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// settingsTTL bounds how long a replica serves a school's settings from
// memory: the claim path reads the lease length on every call.
const settingsTTL = 30 * time.Second

type cachedSettings struct {
	settings *Settings
	at       time.Time
}

var settingsCache sync.Map // org id → cachedSettings

func (s *Service) settings(ctx context.Context, db bun.IDB, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, db, orgID)
}

// cachedSettings returns the school's settings, at most settingsTTL old.
func (s *Service) cachedSettings(ctx context.Context, orgID string) (*Settings, error) {
	if c, ok := settingsCache.Load(orgID); ok && time.Since(c.(cachedSettings).at) < settingsTTL {
		return c.(cachedSettings).settings, nil
	}
	st, err := s.store.Settings(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	settingsCache.Store(orgID, cachedSettings{settings: st, at: time.Now()})
	return st, nil
}

// Settings returns the school's queue settings (the defaults until saved).
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, s.db, orgID)
}

// SettingsInput is what saving the settings takes.
type SettingsInput struct {
	OpenCapacity           int
	LeaseMinutes           int
	SamplePercent          int
	ProbationSamplePercent int
	ProbationCuratorIDs    []string
	SampleRejected         bool
	LowScorePercent        int
}

// SaveSettings replaces the school's settings if they are still at version.
func (s *Service) SaveSettings(ctx context.Context, orgID string, version int64, in SettingsInput) (*Settings, error) {
	if len(in.ProbationCuratorIDs) > maxSettingsProbationPeople {
		return nil, errs.Invalid("body.probation_curator_ids", "too many curators")
	}
	var out *Settings
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Settings(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.Stale("the homework settings", before.Version)
		}
		after := &Settings{OrgID: orgID, OpenCapacity: in.OpenCapacity, LeaseMinutes: in.LeaseMinutes, SamplePercent: in.SamplePercent,
			ProbationSamplePercent: in.ProbationSamplePercent, ProbationCuratorIDs: strings.Join(in.ProbationCuratorIDs, ","),
			SampleRejected: in.SampleRejected, LowScorePercent: in.LowScorePercent, UpdatedAt: s.now(), Version: version + 1}
		ok, err := s.store.SaveSettings(ctx, tx, after, version)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("the homework settings", version+1)
		}
		out = after
		return s.record(ctx, tx, orgID, entitySettings, orgID, auditlog.Diff(before, after))
	})
	if err == nil {
		settingsCache.Delete(orgID)
	}
	return out, err
}

// Probation lists the curators whose reviews are sampled at the higher rate.
func (st *Settings) Probation() []string {
	if st.ProbationCuratorIDs == "" {
		return nil
	}
	return strings.Split(st.ProbationCuratorIDs, ",")
}
