package sla

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// moveClock applies a new message to the conversation's open clock and
// says in m what it did.
func (s *Service) moveClock(ctx context.Context, tx bun.IDB, conv *Conversation, m *Message) error {
	open, err := s.store.OpenClock(ctx, tx, conv.OrgID, conv.ID)
	if err != nil {
		return err
	}
	switch m.Direction {
	case DirectionStudent:
		return s.studentMessage(ctx, tx, conv, open, m)
	case DirectionStaff:
		return s.staffMessage(ctx, tx, open, m)
	}
	return nil
}

// studentMessage starts a clock, or joins the open one, unless the message
// needs no reply. The conversation is locked, so the clock is written
// without a version check.
func (s *Service) studentMessage(ctx context.Context, tx bun.IDB, conv *Conversation, open *ResponseClock, m *Message) error {
	phrases, err := s.phrases(ctx, tx, conv.OrgID)
	if err != nil {
		return err
	}
	if !phrases.needsReply(m.Kind, m.Text) {
		m.Effect = EffectNoReplyNeeded
		return nil
	}
	if open != nil {
		was := open.Version
		open.MessageCount++
		if m.SentAt.After(open.LastStudentMessageAt) {
			open.LastStudentMessageAt = m.SentAt
		}
		open.Bump(s.Now())
		if _, err := s.store.UpdateClock(ctx, tx, open, was); err != nil {
			return err
		}
		m.Effect, m.ClockID = EffectJoined, &open.ID
		return nil
	}
	c, err := s.startClock(ctx, tx, conv, m)
	if err != nil {
		return err
	}
	m.Effect, m.ClockID = EffectStarted, &c.ID
	return nil
}

// errDueOutOfRange: the clock would be due after clock.LatestPlan (a calendar
// open too rarely for the target); the caller says which input caused it.
var errDueOutOfRange = errors.New("due time out of range")

// startClock opens a clock at the message under the policy that matches
// the student's enrollment now; the clock keeps that version for good.
func (s *Service) startClock(ctx context.Context, tx bun.IDB, conv *Conversation, m *Message) (*ResponseClock, error) {
	cohort := ""
	if conv.CohortID != nil {
		cohort = *conv.CohortID
	}
	place, err := s.school.Placement(ctx, conv.OrgID, conv.StudentID, cohort)
	if err != nil {
		return nil, err
	}
	t, err := s.termsFor(ctx, tx, conv.OrgID, place, conv.Channel)
	if err != nil {
		return nil, err
	}
	cal, err := s.school.Calendar(ctx, conv.OrgID, t.CalendarID, t.AlwaysOpen)
	if err != nil {
		return nil, err
	}
	kind := ClockNext
	if conv.ClockCount == 0 {
		kind = ClockFirst
	}
	target := t.target(kind)
	due, warn := schedule(cal, m.SentAt, target, t.WarningPercent)
	if !clock.IsPlan(due) {
		return nil, errDueOutOfRange
	}
	loc, err := s.location(ctx, conv.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	c := &ResponseClock{ID: ids.New(), OrgID: conv.OrgID, ConversationID: conv.ID, StudentID: conv.StudentID, CohortID: place.CohortID,
		CourseID: place.CourseID, Tariff: place.Tariff, Channel: conv.Channel, Kind: kind, Status: ClockOpen, StartedAt: m.SentAt,
		LocalDay: m.SentAt.In(loc).Format(time.DateOnly), MessageCount: 1, LastStudentMessageAt: m.SentAt,
		DueAt: due, WarnAt: warn, TargetSeconds: int64(target / time.Second), PolicyID: t.PolicyID, PolicyVersionID: t.VersionID,
		PolicyVersionNumber: t.Number, CalendarID: t.CalendarID, AlwaysOpen: t.AlwaysOpen, CuratorID: place.CuratorID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	conv.ClockCount++
	return c, s.store.InsertClock(ctx, tx, c)
}

// staffMessage stops the open clock when a human replies in text; the
// conversation is locked, as for studentMessage.
func (s *Service) staffMessage(ctx context.Context, tx bun.IDB, open *ResponseClock, m *Message) error {
	if open == nil || m.AuthorKind != AuthorStaff || m.Kind != KindText || m.SentAt.Before(open.StartedAt) {
		return nil
	}
	cal, err := s.school.Calendar(ctx, open.OrgID, open.CalendarID, open.AlwaysOpen)
	if err != nil {
		return err
	}
	was := open.Version
	secs := int64(cal.BusinessBetween(open.StartedAt, m.SentAt) / time.Second)
	open.Status, open.StoppedAt, open.StoppedByMessageID, open.ResponderID = ClockAnswered, &m.SentAt, &m.ID, m.AuthorUserID
	open.BusinessSeconds, open.Breached = &secs, m.SentAt.After(open.DueAt)
	open.Bump(s.Now())
	if _, err := s.store.UpdateClock(ctx, tx, open, was); err != nil {
		return err
	}
	m.Effect, m.ClockID = EffectStopped, &open.ID
	return nil
}

// DismissClock closes an open clock as needing no reply ("the student
// wrote 'ok, got it'"). It is audited and reported apart from answers.
func (s *Service) DismissClock(ctx context.Context, orgID, id string, version int64, reason string) (*ResponseClock, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, errs.Invalid("body.reason", "say why no reply is needed")
	}
	if !validate.IsText(reason) {
		return nil, errs.Invalid("body.reason", "must be valid UTF-8 without control characters other than tab and line breaks")
	}
	var out *ResponseClock
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now, by := s.Now(), reqctx.From(ctx).Principal.ActorID()
		_, after, err := database.Optimistic[ResponseClock, *ResponseClock]{What: "clock",
			Load: func() (*ResponseClock, error) { return s.store.ResponseClock(ctx, tx, orgID, id) },
			Change: func(c *ResponseClock) error {
				if c.Status != ClockOpen {
					return errs.Conflict("the clock is %s already", c.Status)
				}
				c.Status, c.StoppedAt, c.DismissReason = ClockDismissed, &now, reason
				if by != "" {
					c.ResponderID = &by
				}
				return nil
			},
			Write: func(c *ResponseClock, was int64) (bool, error) { return s.store.UpdateClock(ctx, tx, c, was) },
		}.Run(version, now)
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "sla_clock", id, map[string]auditlog.Change{
			"status":         {Before: ClockOpen, After: ClockDismissed},
			"dismiss_reason": {After: reason},
		})
	})
	return out, err
}

// ResponseClock returns one clock.
func (s *Service) ResponseClock(ctx context.Context, orgID, id string) (*ResponseClock, error) {
	return s.store.ResponseClock(ctx, s.DB, orgID, id)
}

// OpenClocks lists open clocks, the next to breach first.
func (s *Service) OpenClocks(ctx context.Context, orgID string, f ClockFilter) ([]ResponseClock, error) {
	return s.store.OpenClocks(ctx, s.DB, orgID, f)
}

// Explanation shows how a clock's due time was reached: the open calendar
// segments between its start and its due time, which add up to its
// target.
type Explanation struct {
	Clock    *ResponseClock
	Segments []Segment
}

// Segment is one open stretch of the calendar.
type Segment struct {
	Start, End time.Time
}

// Explain lists the calendar segments behind a clock's due time. It uses
// the calendar as it is now; a calendar edited since the clock started may
// explain a slightly different due time than the stored one.
func (s *Service) Explain(ctx context.Context, orgID, id string) (*Explanation, error) {
	c, err := s.store.ResponseClock(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	cal, err := s.school.Calendar(ctx, orgID, c.CalendarID, c.AlwaysOpen)
	if err != nil {
		return nil, err
	}
	out := &Explanation{Clock: c}
	for _, seg := range cal.Segments(c.StartedAt, c.DueAt) {
		out.Segments = append(out.Segments, Segment{Start: seg.Start, End: seg.End})
	}
	return out, nil
}
