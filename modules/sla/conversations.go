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
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// ConversationInput opens a conversation.
type ConversationInput struct {
	ExternalID *string `json:"external_id" validate:"omitempty,singleline,max=200"`
	Channel    string  `json:"channel"`
	StudentID  string  `json:"student_id"`
	CohortID   *string `json:"cohort_id"`
}

// CreateConversation opens a conversation with a student. An external id
// the school already used answers 409.
func (s *Service) CreateConversation(ctx context.Context, orgID string, in ConversationInput) (*Conversation, error) {
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return nil, err
	}
	if err := s.checkConversation(ctx, orgID, in); err != nil {
		return nil, err
	}
	c := &Conversation{ID: ids.New(), OrgID: orgID, ExternalID: in.ExternalID, Channel: in.Channel, StudentID: in.StudentID,
		CohortID: in.CohortID, CreatedAt: s.Now()}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertConversation(ctx, tx, c); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("a conversation with this external id already exists")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "sla_conversation", c.ID, auditlog.Diff(nil, map[string]any{
			"channel": c.Channel, "student_id": c.StudentID, "external_id": c.ExternalID, "cohort_id": c.CohortID}))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkConversation asks the school whether the student exists and, when
// a cohort is given, is enrolled in it.
func (s *Service) checkConversation(ctx context.Context, orgID string, in ConversationInput) error {
	if err := s.school.CheckStudent(ctx, orgID, in.StudentID); errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("body.student_id", "the school has no student with this id")
	} else if err != nil {
		return err
	}
	if in.CohortID == nil {
		return nil
	}
	// The cohort only picks among the student's enrollments.
	p, err := s.school.Placement(ctx, orgID, in.StudentID, *in.CohortID)
	if err != nil {
		return err
	}
	if p.CohortID != *in.CohortID {
		return errs.Invalid("body.cohort_id", "the student is not enrolled in this cohort")
	}
	return nil
}

// Conversation returns one conversation.
func (s *Service) Conversation(ctx context.Context, orgID, id string) (*Conversation, error) {
	return s.store.Conversation(ctx, s.DB, orgID, id)
}

// Conversations lists conversations, oldest first.
func (s *Service) Conversations(ctx context.Context, orgID string, f ConversationFilter) ([]Conversation, error) {
	return s.store.ListConversations(ctx, s.DB, orgID, f)
}

// ConversationByExternalID returns the conversation the LMS knows as
// externalID, or errs.ErrNotFound.
func (s *Service) ConversationByExternalID(ctx context.Context, orgID, externalID string) (*Conversation, error) {
	return s.store.ConversationByExternalID(ctx, s.DB, orgID, externalID)
}

// Messages lists a conversation's messages in the order they were sent.
func (s *Service) Messages(ctx context.Context, orgID, conversationID string, limit int, after []string) ([]Message, error) {
	if _, err := s.store.Conversation(ctx, s.DB, orgID, conversationID); err != nil {
		return nil, err
	}
	return s.store.ListMessages(ctx, s.DB, orgID, conversationID, limit, after)
}

// MessageExists reports whether the school has a message with the
// external id.
func (s *Service) MessageExists(ctx context.Context, orgID, externalID string) (bool, error) {
	_, err := s.store.MessageByExternalID(ctx, s.DB, orgID, externalID)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// MessageInput is one message of a conversation.
// The json names are those of the API body and the event's data, and the
// validate tags the rules both entry points share.
type MessageInput struct {
	ExternalID  *string   `json:"external_id" validate:"omitempty,singleline,max=200"`
	Direction   string    `json:"direction"`
	AuthorKind  string    `json:"author_kind"`
	AuthorEmail string    `json:"author_email" validate:"omitempty,singleline,max=254"` // staff: whose reply it is
	Kind        string    `json:"kind"`
	Text        string    `json:"text" validate:"text,max=20000"`
	SentAt      time.Time `json:"sent_at"` // zero: not given

	// authorID is the staff author when the caller wrote as themselves.
	authorID string
}

// checkMessage applies the rules huma cannot: who may write in which
// direction, and when a message can have been sent. prefix is "body." or
// "data.".
func checkMessage(in MessageInput, prefix string, now time.Time) error {
	if err := validate.Struct(now, prefix, in); err != nil {
		return err
	}
	switch {
	case in.Direction == DirectionStudent && in.AuthorKind != AuthorStudent:
		return errs.Invalid(prefix+"author_kind", "a student's message has author_kind student")
	case in.Direction == DirectionStaff && in.AuthorKind == AuthorStudent:
		return errs.Invalid(prefix+"author_kind", "a message to the student is written by staff or a bot")
	case in.SentAt.IsZero():
		return errs.Invalid(prefix+"sent_at", "is required")
	}
	return clock.CheckFact(prefix+"sent_at", in.SentAt, now)
}

// AddMessage records a message of a conversation and moves its clock. Who
// may say whose message it is and when it was sent is decided by attribute.
func (s *Service) AddMessage(ctx context.Context, orgID, conversationID string, in MessageInput) (*Message, error) {
	backfill, err := s.attribute(ctx, orgID, &in)
	if err != nil {
		return nil, err
	}
	if err := checkMessage(in, "body.", s.Now()); err != nil {
		return nil, err
	}
	var out *Message
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		conv, err := s.store.LockConversation(ctx, tx, orgID, conversationID)
		if err != nil {
			return err
		}
		out, err = s.addMessage(ctx, tx, conv, in, "body.")
		if err != nil {
			return err
		}
		fields := map[string]any{"conversation_id": conv.ID, "direction": out.Direction, "author_kind": out.AuthorKind,
			"author_email": out.AuthorEmail, "author_user_id": out.AuthorUserID, "kind": out.Kind, "sent_at": out.SentAt,
			"effect": out.Effect, "clock_id": out.ClockID}
		if backfill {
			fields["backfill"] = true
		}
		return s.Record(ctx, tx, orgID, "sla_message", out.ID, auditlog.Diff(nil, fields))
	})
	return out, err
}

// addMessage stores the message and applies the clock rules:
//   - a student's message that needs an answer starts a clock, or joins
//     the open one (a burst counts once, from its first message);
//   - stickers, reactions, emoji and thanks start nothing;
//   - a human staff member's text reply stops the open clock; bots,
//     reactions and system notes do not.
//
// prefix locates the input's fields ("body." or "data.") in errors.
func (s *Service) addMessage(ctx context.Context, tx bun.IDB, conv *Conversation, in MessageInput, prefix string) (*Message, error) {
	if in.ExternalID != nil {
		if _, err := s.store.MessageByExternalID(ctx, tx, conv.OrgID, *in.ExternalID); err == nil {
			return nil, errs.Conflict("a message with this external id already exists")
		} else if !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
	}
	m, err := s.newMessage(ctx, conv, in)
	if err != nil {
		return nil, err
	}
	if err := s.moveClock(ctx, tx, conv, m); errors.Is(err, errDueOutOfRange) {
		return nil, errs.Invalid(prefix+"sent_at", "the answer would be due after 2100-01-01: the policy's calendar is open too rarely for its target")
	} else if err != nil {
		return nil, err
	}
	if conv.LastMessageAt == nil || m.SentAt.After(*conv.LastMessageAt) {
		conv.LastMessageAt = &m.SentAt
	}
	if err := s.store.UpdateConversation(ctx, tx, conv); err != nil {
		return nil, err
	}
	if err := s.store.InsertMessage(ctx, tx, m); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, errs.Conflict("a message with this external id already exists")
		}
		return nil, err
	}
	return m, nil
}

// newMessage builds the message row, with the staff author found by email
// when the school knows them.
func (s *Service) newMessage(ctx context.Context, conv *Conversation, in MessageInput) (*Message, error) {
	m := &Message{ID: ids.New(), OrgID: conv.OrgID, ConversationID: conv.ID, ExternalID: in.ExternalID, Direction: in.Direction,
		AuthorKind: in.AuthorKind, AuthorEmail: strings.TrimSpace(in.AuthorEmail), Kind: in.Kind, Text: in.Text,
		SentAt: in.SentAt.UTC(), Effect: EffectNone, CreatedAt: s.Now()}
	if in.authorID != "" {
		m.AuthorUserID = &in.authorID
		return m, nil
	}
	if m.AuthorKind == AuthorStaff && m.AuthorEmail != "" {
		id, err := s.people.UserIDByEmail(ctx, conv.OrgID, m.AuthorEmail)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
		if id != "" {
			m.AuthorUserID = &id
		}
	}
	return m, nil
}
