package sla

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// SettingsInput changes a school's SLA settings.
type SettingsInput struct {
	QuietStart     string
	QuietEnd       string
	NoReplyPhrases []string
}

// Settings returns the school's settings (zero values when never saved).
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, s.DB, orgID)
}

// SaveSettings replaces the school's settings. version is the one the
// caller read (0 when the school never saved any).
func (s *Service) SaveSettings(ctx context.Context, orgID string, version int64, in SettingsInput) (*Settings, error) {
	if err := checkSettings(in); err != nil {
		return nil, err
	}
	var out *Settings
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Settings, *Settings]{What: "SLA settings",
			Load: func() (*Settings, error) { return s.store.Settings(ctx, tx, orgID) },
			Change: func(st *Settings) error {
				st.QuietStart, st.QuietEnd = in.QuietStart, in.QuietEnd
				st.NoReplyPhrases = strings.Join(in.NoReplyPhrases, "\n")
				return nil
			},
			Write: func(st *Settings, was int64) (bool, error) { return s.store.SaveSettings(ctx, tx, st, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "sla_settings", orgID, auditlog.Diff(settingsAudit(before), settingsAudit(after)))
	})
	return out, err
}

// settingsAudit is what the audit log records of the settings.
func settingsAudit(st *Settings) map[string]any {
	return map[string]any{"quiet_start": st.QuietStart, "quiet_end": st.QuietEnd, "no_reply_phrases": st.NoReplyPhrases}
}

func checkSettings(in SettingsInput) error {
	if err := checkQuiet(in.QuietStart, in.QuietEnd); err != nil {
		return err
	}
	for i, p := range in.NoReplyPhrases {
		if !validPhrase(p) || strings.Contains(p, "\n") || len([]rune(p)) > 100 {
			return errs.Invalid(fmt.Sprintf("body.no_reply_phrases[%d]", i),
				"must have a word or an emoji, no question mark, no line break, at most 100 characters")
		}
	}
	return nil
}

func checkQuiet(start, end string) error {
	if (start == "") != (end == "") {
		return errs.Invalid("body.quiet_end", "give both ends of the quiet hours, or neither")
	}
	if start == "" {
		return nil
	}
	for field, v := range map[string]string{"body.quiet_start": start, "body.quiet_end": end} {
		if _, err := minuteOfDay(v); err != nil {
			return errs.Invalid(field, "must be a local time HH:MM")
		}
	}
	if start == end {
		return errs.Invalid("body.quiet_end", "must differ from quiet_start")
	}
	return nil
}

func minuteOfDay(v string) (int, error) {
	t, err := time.Parse("15:04", v)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// quietUntil returns the end of the quiet hours that cover now in the
// zone, or the zero time when now is not in quiet hours.
func quietUntil(st *Settings, loc *time.Location, now time.Time) time.Time {
	if st.QuietStart == "" {
		return time.Time{}
	}
	start, err1 := minuteOfDay(st.QuietStart)
	end, err2 := minuteOfDay(st.QuietEnd)
	if err1 != nil || err2 != nil {
		return time.Time{}
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	at := func(d time.Time, minute int) time.Time { return d.Add(time.Duration(minute) * time.Minute) }
	switch {
	case start < end && m >= start && m < end:
		return at(day, end)
	case start > end && m >= start:
		return at(day.AddDate(0, 0, 1), end)
	case start > end && m < end:
		return at(day, end)
	}
	return time.Time{}
}

// phrases is the school's set of messages that need no reply.
func (s *Service) phrases(ctx context.Context, db bun.IDB, orgID string) (phraseSet, error) {
	st, err := s.store.Settings(ctx, db, orgID)
	if err != nil {
		return phraseSet{}, err
	}
	return newPhraseSet(splitPhrases(st.NoReplyPhrases)), nil
}
