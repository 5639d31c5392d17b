package homework

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
)

// settingsTTL bounds how long a replica serves a school's settings from
// memory: the claim path reads the lease length on every call.
const settingsTTL = 30 * time.Second

type cachedSettings struct {
	settings *Settings
	at       time.Time
}

// cachedSettings returns the school's settings, at most settingsTTL old.
func (s *Service) cachedSettings(ctx context.Context, orgID string) (*Settings, error) {
	if c, ok := s.settingsCache.Load(orgID); ok && time.Since(c.(cachedSettings).at) < settingsTTL {
		return c.(cachedSettings).settings, nil
	}
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	s.settingsCache.Store(orgID, cachedSettings{settings: st, at: time.Now()})
	return st, nil
}

// Settings returns the school's queue settings (the defaults until saved).
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, s.DB, orgID)
}

// SettingsInput is what saving the settings takes.
type SettingsInput struct {
	OpenCapacity           int
	LeaseMinutes           int
	SamplePercent          int
	ProbationSamplePercent int
	SampleRejected         bool
	LowScorePercent        int
}

// SaveSettings replaces the school's settings if they are still at version.
func (s *Service) SaveSettings(ctx context.Context, orgID string, version int64, in SettingsInput) (*Settings, error) {
	var out *Settings
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Settings, *Settings]{
			What:   "the homework settings",
			Load:   func() (*Settings, error) { return s.store.Settings(ctx, tx, orgID) },
			Change: func(st *Settings) error { in.apply(st); return nil },
			Write:  func(st *Settings, was int64) (bool, error) { return s.store.SaveSettings(ctx, tx, st, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entitySettings, orgID, auditlog.Diff(before, after))
	})
	if err == nil {
		s.settingsCache.Delete(orgID)
	}
	return out, err
}

// apply replaces every setting with the input's.
func (in SettingsInput) apply(st *Settings) {
	st.OpenCapacity, st.LeaseMinutes, st.SamplePercent = in.OpenCapacity, in.LeaseMinutes, in.SamplePercent
	st.ProbationSamplePercent = in.ProbationSamplePercent
	st.SampleRejected, st.LowScorePercent = in.SampleRejected, in.LowScorePercent
}
