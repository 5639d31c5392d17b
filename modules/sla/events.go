package sla

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// EventMessageCreated is the inbound event of one message in a student
// conversation (Telegram, LMS comments, email).
const EventMessageCreated = "message.created"

// EventHandlers returns the handlers of the events the SLA consumes; the
// server registers them with the integration inbox.
func (s *Service) EventHandlers() map[string]events.Handler {
	return map[string]events.Handler{EventMessageCreated: s.handleMessageCreated}
}

// messageEvent is the data of message.created. The ids it names are looked
// up before the message is filed, so they carry the rules of the API's
// strings too.
type messageEvent struct {
	ExternalID             string     `json:"external_id" validate:"singleline,max=200"`
	ConversationExternalID string     `json:"conversation_external_id" validate:"singleline,max=200"`
	Channel                string     `json:"channel"`
	StudentExternalID      string     `json:"student_external_id" validate:"singleline,max=200"`
	CohortExternalID       *string    `json:"cohort_external_id" validate:"omitempty,singleline,max=200"`
	Direction              string     `json:"direction"`
	AuthorKind             string     `json:"author_kind"`
	AuthorEmail            string     `json:"author_email" validate:"omitempty,singleline,max=254"`
	Kind                   string     `json:"kind"`
	Text                   string     `json:"text" validate:"text,max=20000"`
	SentAt                 *time.Time `json:"sent_at"`
}

func (d *messageEvent) check(now time.Time) error {
	var v errs.ValidationError
	if err := validate.Struct(now, "data.", d); err != nil {
		var tagged *errs.ValidationError
		if !errors.As(err, &tagged) {
			return err
		}
		v.Fields = append(v.Fields, tagged.Fields...)
	}
	add := func(field, msg string) {
		v.Fields = append(v.Fields, errs.FieldError{Location: "data." + field, Message: msg})
	}
	for field, val := range map[string]string{"external_id": d.ExternalID, "conversation_external_id": d.ConversationExternalID,
		"student_external_id": d.StudentExternalID} {
		if strings.TrimSpace(val) == "" {
			add(field, "is required")
		}
	}
	if d.Channel == "" {
		d.Channel = ChannelOther
	}
	if d.Kind == "" {
		d.Kind = KindText
	}
	if !validChannel(d.Channel) {
		add("channel", "must be telegram, lms_comment, email or other")
	}
	if !slices.Contains([]string{DirectionStudent, DirectionStaff}, d.Direction) {
		add("direction", "must be student or staff")
	}
	if !slices.Contains([]string{AuthorStudent, AuthorStaff, AuthorBot}, d.AuthorKind) {
		add("author_kind", "must be student, staff or bot")
	}
	if !slices.Contains([]string{KindText, KindSticker, KindReaction, KindSystem}, d.Kind) {
		add("kind", "must be text, sticker, reaction or system")
	}
	if d.SentAt == nil {
		add("sent_at", "is required")
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

// handleMessageCreated files the message under its conversation (opened on
// its first message) and moves the conversation's clock. Events come from
// the integration inbox, so the author and time they name are taken as
// given, within the range a fact may lie in.
func (s *Service) handleMessageCreated(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d messageEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := d.check(s.Now()); err != nil {
		return err
	}
	in := MessageInput{ExternalID: &d.ExternalID, Direction: d.Direction, AuthorKind: d.AuthorKind, AuthorEmail: d.AuthorEmail,
		Kind: d.Kind, Text: d.Text, SentAt: *d.SentAt}
	if err := checkMessage(in, "data.", s.Now()); err != nil {
		return err
	}
	conv, err := s.conversationFor(ctx, tx, ev.OrgID, &d)
	if err != nil {
		return err
	}
	_, err = s.addMessage(ctx, tx, conv, in, "data.")
	if errors.Is(err, errs.ErrConflict) {
		return errs.Invalid("data.external_id", "a message with this external id was already recorded")
	}
	return err
}

func (s *Service) conversationFor(ctx context.Context, tx bun.IDB, orgID string, d *messageEvent) (*Conversation, error) {
	conv, err := s.store.ConversationByExternalID(ctx, tx, orgID, d.ConversationExternalID)
	if err == nil {
		if conv.Channel != d.Channel {
			return nil, errs.Invalid("data.channel", "the conversation is in "+conv.Channel)
		}
		return s.store.LockConversation(ctx, tx, orgID, conv.ID)
	}
	if !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	studentID, err := s.school.StudentIDByExternalID(ctx, orgID, d.StudentExternalID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid("data.student_external_id", "no student with this external id; send student.upserted first")
	} else if err != nil {
		return nil, err
	}
	conv = &Conversation{ID: ids.New(), OrgID: orgID, ExternalID: &d.ConversationExternalID, Channel: d.Channel,
		StudentID: studentID, CreatedAt: s.Now()}
	if d.CohortExternalID != nil {
		cohortID, err := s.school.CohortIDByExternalID(ctx, orgID, *d.CohortExternalID)
		if errors.Is(err, errs.ErrNotFound) {
			return nil, errs.Invalid("data.cohort_external_id", "no cohort with this external id")
		} else if err != nil {
			return nil, err
		}
		conv.CohortID = &cohortID
	}
	return conv, s.store.InsertConversation(ctx, tx, conv)
}
