package sla

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// ConversationInput opens a conversation.
type ConversationInput struct {
	ExternalID *string
	Channel    string
	StudentID  string
	CohortID   *string
}

// CreateConversation opens a conversation with a student. An external id
// the school already used answers 409.
func (s *Service) CreateConversation(ctx context.Context, orgID string, in ConversationInput) (*Conversation, error) {
	if err := s.school.CheckStudent(ctx, orgID, in.StudentID); errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid("body.student_id", "the school has no student with this id")
	} else if err != nil {
		return nil, err
	}
	if in.CohortID != nil {
		// The cohort only picks among the student's enrollments.
		p, err := s.school.Placement(ctx, orgID, in.StudentID, *in.CohortID)
		if err != nil {
			return nil, err
		}
		if p.CohortID != *in.CohortID {
			return nil, errs.Invalid("body.cohort_id", "the student is not enrolled in this cohort")
		}
	}
	c := &Conversation{ID: ids.New(), OrgID: orgID, ExternalID: in.ExternalID, Channel: in.Channel, StudentID: in.StudentID,
		CohortID: in.CohortID, CreatedAt: s.now()}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertConversation(ctx, tx, c); err != nil {
			if isUnique(err) {
				return errs.Conflict("a conversation with this external id already exists")
			}
			return err
		}
		return s.record(ctx, tx, orgID, "sla_conversation", c.ID, created(map[string]any{
			"channel": c.Channel, "student_id": c.StudentID, "external_id": c.ExternalID, "cohort_id": c.CohortID}))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Conversation returns one conversation.
func (s *Service) Conversation(ctx context.Context, orgID, id string) (*Conversation, error) {
	return s.store.Conversation(ctx, s.db, orgID, id)
}

// Conversations lists conversations, oldest first.
func (s *Service) Conversations(ctx context.Context, orgID string, f ConversationFilter) ([]Conversation, error) {
	return s.store.ListConversations(ctx, s.db, orgID, f)
}

// Messages lists a conversation's messages in the order they were sent.
func (s *Service) Messages(ctx context.Context, orgID, conversationID string, limit int, after []string) ([]Message, error) {
	if _, err := s.store.Conversation(ctx, s.db, orgID, conversationID); err != nil {
		return nil, err
	}
	return s.store.ListMessages(ctx, s.db, orgID, conversationID, limit, after)
}

// MessageInput is one message of a conversation.
type MessageInput struct {
	ExternalID  *string
	Direction   string
	AuthorKind  string
	AuthorEmail string // staff: whose reply it is
	Kind        string
	Text        string
	SentAt      time.Time
}

// checkMessage applies the rules huma cannot: who may write in which
// direction. prefix is "body." or "data.".
func checkMessage(in MessageInput, prefix string) error {
	switch {
	case in.Direction == DirectionStudent && in.AuthorKind != AuthorStudent:
		return errs.Invalid(prefix+"author_kind", "a student's message has author_kind student")
	case in.Direction == DirectionStaff && in.AuthorKind == AuthorStudent:
		return errs.Invalid(prefix+"author_kind", "a message to the student is written by staff or a bot")
	case in.SentAt.IsZero():
		return errs.Invalid(prefix+"sent_at", "is required")
	}
	return nil
}

// AddMessage records a message of a conversation and moves its clock.
func (s *Service) AddMessage(ctx context.Context, orgID, conversationID string, in MessageInput) (*Message, error) {
	if err := checkMessage(in, "body."); err != nil {
		return nil, err
	}
	var out *Message
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		conv, err := s.store.LockConversation(ctx, tx, orgID, conversationID)
		if err != nil {
			return err
		}
		out, err = s.addMessage(ctx, tx, conv, in)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, orgID, "sla_message", out.ID, created(map[string]any{
			"conversation_id": conv.ID, "direction": out.Direction, "author_kind": out.AuthorKind, "kind": out.Kind,
			"sent_at": out.SentAt, "effect": out.Effect, "clock_id": out.ClockID}))
	})
	return out, err
}

// addMessage stores the message and applies the clock rules:
//   - a student's message that needs an answer starts a clock, or joins
//     the open one (a burst counts once, from its first message);
//   - stickers, reactions, emoji and thanks start nothing;
//   - a human staff member's text reply stops the open clock; bots,
//     reactions and system notes do not.
func (s *Service) addMessage(ctx context.Context, tx bun.IDB, conv *Conversation, in MessageInput) (*Message, error) {
	if in.ExternalID != nil {
		if _, err := s.store.MessageByExternalID(ctx, tx, conv.OrgID, *in.ExternalID); err == nil {
			return nil, errs.Conflict("a message with this external id already exists")
		} else if !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
	}
	now := s.now()
	m := &Message{ID: ids.New(), OrgID: conv.OrgID, ConversationID: conv.ID, ExternalID: in.ExternalID, Direction: in.Direction,
		AuthorKind: in.AuthorKind, AuthorEmail: strings.TrimSpace(in.AuthorEmail), Kind: in.Kind, Text: in.Text,
		SentAt: in.SentAt.UTC(), Effect: EffectNone, CreatedAt: now}
	if m.AuthorKind == AuthorStaff && m.AuthorEmail != "" {
		id, err := s.people.UserIDByEmail(ctx, conv.OrgID, m.AuthorEmail)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
		if id != "" {
			m.AuthorUserID = &id
		}
	}
	open, err := s.store.OpenClock(ctx, tx, conv.OrgID, conv.ID)
	if err != nil {
		return nil, err
	}
	switch m.Direction {
	case DirectionStudent:
		err = s.studentMessage(ctx, tx, conv, open, m)
	case DirectionStaff:
		err = s.staffMessage(ctx, tx, open, m)
	}
	if err != nil {
		return nil, err
	}
	if conv.LastMessageAt == nil || m.SentAt.After(*conv.LastMessageAt) {
		conv.LastMessageAt = &m.SentAt
	}
	if err := s.store.UpdateConversation(ctx, tx, conv); err != nil {
		return nil, err
	}
	if err := s.store.InsertMessage(ctx, tx, m); err != nil {
		if isUnique(err) {
			return nil, errs.Conflict("a message with this external id already exists")
		}
		return nil, err
	}
	return m, nil
}

func (s *Service) studentMessage(ctx context.Context, tx bun.IDB, conv *Conversation, open *Clock, m *Message) error {
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
		open.UpdatedAt, open.Version = s.now(), was+1
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

// startClock opens a clock at the message under the policy that matches
// the student's enrollment now; the clock keeps that version for good.
func (s *Service) startClock(ctx context.Context, tx bun.IDB, conv *Conversation, m *Message) (*Clock, error) {
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
	now := s.now()
	c := &Clock{ID: ids.New(), OrgID: conv.OrgID, ConversationID: conv.ID, StudentID: conv.StudentID, CohortID: place.CohortID,
		CourseID: place.CourseID, Tariff: place.Tariff, Channel: conv.Channel, Kind: kind, Status: ClockOpen, StartedAt: m.SentAt,
		LocalDay: m.SentAt.In(cal.Location()).Format(time.DateOnly), MessageCount: 1, LastStudentMessageAt: m.SentAt,
		DueAt: due, WarnAt: warn, TargetSeconds: int64(target / time.Second), PolicyID: t.PolicyID, PolicyVersionID: t.VersionID,
		PolicyVersionNumber: t.Number, CalendarID: t.CalendarID, AlwaysOpen: t.AlwaysOpen, CuratorID: place.CuratorID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	conv.ClockCount++
	return c, s.store.InsertClock(ctx, tx, c)
}

func (s *Service) staffMessage(ctx context.Context, tx bun.IDB, open *Clock, m *Message) error {
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
	open.UpdatedAt, open.Version = s.now(), was+1
	if _, err := s.store.UpdateClock(ctx, tx, open, was); err != nil {
		return err
	}
	m.Effect, m.ClockID = EffectStopped, &open.ID
	return nil
}

// DismissClock closes an open clock as needing no reply ("the student
// wrote 'ok, got it'"). It is audited and reported apart from answers.
func (s *Service) DismissClock(ctx context.Context, orgID, id string, version int64, reason string) (*Clock, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, errs.Invalid("body.reason", "say why no reply is needed")
	}
	var out *Clock
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.store.Clock(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if c.Version != version {
			return errs.Stale("clock", c.Version)
		}
		if c.Status != ClockOpen {
			return errs.Conflict("the clock is %s already", c.Status)
		}
		now := s.now()
		by := actorID(ctx)
		c.Status, c.StoppedAt, c.DismissReason, c.UpdatedAt, c.Version = ClockDismissed, &now, reason, now, version+1
		if by != "" {
			c.ResponderID = &by
		}
		ok, err := s.store.UpdateClock(ctx, tx, c, version)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("clock", version+1)
		}
		out = c
		return s.record(ctx, tx, orgID, "sla_clock", id, map[string]auditlog.Change{
			"status":         {Before: ClockOpen, After: ClockDismissed},
			"dismiss_reason": {After: reason},
		})
	})
	return out, err
}

// Clock returns one clock.
func (s *Service) Clock(ctx context.Context, orgID, id string) (*Clock, error) {
	return s.store.Clock(ctx, s.db, orgID, id)
}

// Explanation shows how a clock's due time was reached: the open calendar
// segments between its start and its due time, which add up to its
// target.
type Explanation struct {
	Clock    *Clock
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
	c, err := s.store.Clock(ctx, s.db, orgID, id)
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

// OpenClocks lists open clocks, the next to breach first.
func (s *Service) OpenClocks(ctx context.Context, orgID string, f ClockFilter) ([]Clock, error) {
	return s.store.OpenClocks(ctx, s.db, orgID, f)
}

// ConversationByExternalID returns the conversation the LMS knows as
// externalID, or errs.ErrNotFound.
func (s *Service) ConversationByExternalID(ctx context.Context, orgID, externalID string) (*Conversation, error) {
	return s.store.ConversationByExternalID(ctx, s.db, orgID, externalID)
}

// MessageExists reports whether the school has a message with the
// external id.
func (s *Service) MessageExists(ctx context.Context, orgID, externalID string) (bool, error) {
	_, err := s.store.MessageByExternalID(ctx, s.db, orgID, externalID)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
