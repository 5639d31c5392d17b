package sla

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Placement is where a student studies, as far as the SLA cares: the
// enrollment that decides the policy and the responsible curator. Empty
// fields are unknown.
type Placement struct {
	CohortID  string
	CourseID  string
	Tariff    string
	CuratorID string
}

// School answers the SLA's questions about students and calendars.
type School interface {
	// StudentIDByExternalID returns the id of the student the LMS knows as
	// externalID, or errs.ErrNotFound.
	StudentIDByExternalID(ctx context.Context, orgID, externalID string) (string, error)
	// CheckStudent returns errs.ErrNotFound unless the school has the student.
	CheckStudent(ctx context.Context, orgID, studentID string) error
	// CohortIDByExternalID returns the id of the cohort the LMS knows as
	// externalID, or errs.ErrNotFound.
	CohortIDByExternalID(ctx context.Context, orgID, externalID string) (string, error)
	// Placement picks the student's enrollment: the one in cohortID when
	// given and present, else the most recent active one.
	Placement(ctx context.Context, orgID, studentID, cohortID string) (Placement, error)
	// Calendar returns the school's calendar (the default when id is
	// empty) or, when alwaysOpen, a 24/7 calendar in the school's zone.
	Calendar(ctx context.Context, orgID, id string, alwaysOpen bool) (*bizcal.Calendar, error)
	// TimeZone returns the school's IANA time zone.
	TimeZone(ctx context.Context, orgID string) (string, error)
}

// Recipient is a staff member a notification goes to.
type Recipient struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
}

// People answers the SLA's questions about staff.
type People interface {
	// UserIDByEmail returns the active member with the email, or
	// errs.ErrNotFound.
	UserIDByEmail(ctx context.Context, orgID, email string) (string, error)
	// Person returns an active member, or errs.ErrNotFound.
	Person(ctx context.Context, orgID, userID string) (Recipient, error)
	// WithRole lists the active members holding role.
	WithRole(ctx context.Context, orgID, role string) ([]Recipient, error)
}

// Service holds the SLA rules.
type Service struct {
	db     *bun.DB
	clock  clock.Clock
	audit  auditlog.Recorder
	school School
	people People
	events events.Publisher
	store  Store
	logger *slog.Logger
}

// NewService returns the SLA service. Warnings and breaches leave through
// publisher, in the transaction that claims them.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, school School, people People, publisher events.Publisher) *Service {
	return &Service{db: db, clock: c, audit: audit, school: school, people: people, events: publisher}
}

func (s *Service) now() time.Time { return s.clock.Now() }

func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return database.InTx(ctx, s.db, fn)
}

func (s *Service) record(ctx context.Context, tx bun.IDB, orgID, entityType, entityID string, changes map[string]auditlog.Change) error {
	return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: entityType, EntityID: entityID, Changes: changes})
}

func created(fields map[string]any) map[string]auditlog.Change {
	out := map[string]auditlog.Change{}
	for k, v := range fields {
		out[k] = auditlog.Change{After: v}
	}
	return out
}

func actorID(ctx context.Context) string {
	if m := reqctx.From(ctx); m != nil && m.Principal != nil {
		return m.Principal.ActorID()
	}
	return ""
}

// --- settings

// SettingsInput changes a school's SLA settings.
type SettingsInput struct {
	QuietStart     string
	QuietEnd       string
	NoReplyPhrases []string
}

// Settings returns the school's settings (zero values when never saved).
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, s.db, orgID)
}

// SaveSettings replaces the school's settings. version is the one the
// caller read (0 when the school never saved any).
func (s *Service) SaveSettings(ctx context.Context, orgID string, version int64, in SettingsInput) (*Settings, error) {
	if err := checkQuiet(in.QuietStart, in.QuietEnd); err != nil {
		return nil, err
	}
	for i, p := range in.NoReplyPhrases {
		if normalise(p) == "" || strings.Contains(p, "\n") || len([]rune(p)) > 100 {
			return nil, errs.Invalid(fmt.Sprintf("body.no_reply_phrases[%d]", i), "must have a word or an emoji, no line break, at most 100 characters")
		}
	}
	var out *Settings
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Settings(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.Stale("SLA settings", before.Version)
		}
		after := *before
		after.QuietStart, after.QuietEnd = in.QuietStart, in.QuietEnd
		after.NoReplyPhrases = strings.Join(in.NoReplyPhrases, "\n")
		after.UpdatedAt = s.now()
		after.Version = before.Version + 1
		ok, err := s.store.SaveSettings(ctx, tx, &after, version)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("SLA settings", before.Version+1)
		}
		out = &after
		return s.record(ctx, tx, orgID, "sla_settings", orgID, auditlog.Diff(
			map[string]any{"quiet_start": before.QuietStart, "quiet_end": before.QuietEnd, "no_reply_phrases": before.NoReplyPhrases},
			map[string]any{"quiet_start": after.QuietStart, "quiet_end": after.QuietEnd, "no_reply_phrases": after.NoReplyPhrases}))
	})
	return out, err
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

func (s *Service) phrases(ctx context.Context, db bun.IDB, orgID string) (phraseSet, error) {
	st, err := s.store.Settings(ctx, db, orgID)
	if err != nil {
		return nil, err
	}
	return newPhraseSet(splitPhrases(st.NoReplyPhrases)), nil
}

func (s *Service) location(ctx context.Context, orgID string) (*time.Location, error) {
	tz, err := s.school.TimeZone(ctx, orgID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("school %s has an unknown time zone %q: %w", orgID, tz, err)
	}
	return loc, nil
}

func isUnique(err error) bool { return database.IsUniqueViolation(err) }
