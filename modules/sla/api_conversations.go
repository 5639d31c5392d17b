package sla

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// SLAConversationDTO is a conversation with a student.
type SLAConversationDTO struct {
	ID            string     `json:"id" format:"uuid"`
	ExternalID    *string    `json:"external_id"`
	Channel       string     `json:"channel" enum:"telegram,lms_comment,email,other"`
	StudentID     string     `json:"student_id"`
	CohortID      *string    `json:"cohort_id"`
	CreatedAt     time.Time  `json:"created_at"`
	LastMessageAt *time.Time `json:"last_message_at"`
	Clocks        int        `json:"clocks" doc:"How many response clocks the conversation has started."`
}

func conversationDTO(c Conversation) SLAConversationDTO {
	return SLAConversationDTO{ID: c.ID, ExternalID: c.ExternalID, Channel: c.Channel, StudentID: c.StudentID, CohortID: c.CohortID,
		CreatedAt: c.CreatedAt.UTC(), LastMessageAt: httpapi.UTC(c.LastMessageAt), Clocks: c.ClockCount}
}

// SLAMessageDTO is a message of a conversation.
type SLAMessageDTO struct {
	ID           string    `json:"id" format:"uuid"`
	ExternalID   *string   `json:"external_id"`
	Direction    string    `json:"direction" enum:"student,staff"`
	AuthorKind   string    `json:"author_kind" enum:"student,staff,bot"`
	AuthorUserID *string   `json:"author_user_id"`
	AuthorEmail  string    `json:"author_email,omitempty"`
	Kind         string    `json:"kind" enum:"text,sticker,reaction,system"`
	Text         string    `json:"text"`
	SentAt       time.Time `json:"sent_at"`
	Effect       string    `json:"effect" doc:"What it did to the response clock: started, joined, stopped, no_reply_needed or none."`
	ClockID      *string   `json:"clock_id"`
}

func messageDTO(m Message) SLAMessageDTO {
	return SLAMessageDTO{ID: m.ID, ExternalID: m.ExternalID, Direction: m.Direction, AuthorKind: m.AuthorKind, AuthorUserID: m.AuthorUserID,
		AuthorEmail: m.AuthorEmail, Kind: m.Kind, Text: m.Text, SentAt: m.SentAt.UTC(), Effect: m.Effect, ClockID: m.ClockID}
}

type conversationOutput struct{ Body SLAConversationDTO }

// ConversationPath addresses one conversation.
type ConversationPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Conversation id."`
}

func registerConversations(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "write"), huma.Operation{
		OperationID: "create-conversation", Method: http.MethodPost, Path: "/v1/orgs/{org}/conversations", Tags: []string{tag},
		Summary: "Open a conversation", Description: "A thread with one student in one channel. The LMS usually opens them through message.created events instead.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body struct {
			ExternalID *string `json:"external_id,omitempty" minLength:"1" maxLength:"200"`
			Channel    string  `json:"channel" enum:"telegram,lms_comment,email,other"`
			StudentID  string  `json:"student_id" format:"uuid"`
			CohortID   *string `json:"cohort_id,omitempty" format:"uuid" doc:"The cohort the conversation is about, when known; it picks the enrollment."`
		}
	}) (*conversationOutput, error) {
		c, err := svc.CreateConversation(ctx, httpapi.OrgID(ctx), ConversationInput{ExternalID: in.Body.ExternalID,
			Channel: in.Body.Channel, StudentID: in.Body.StudentID, CohortID: in.Body.CohortID})
		if err != nil {
			return nil, err
		}
		return &conversationOutput{Body: conversationDTO(*c)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "read"), huma.Operation{
		OperationID: "list-conversations", Method: http.MethodGet, Path: "/v1/orgs/{org}/conversations", Tags: []string{tag},
		Summary: "List conversations", Description: "Oldest first, optionally of one student or channel.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
		StudentID string `query:"student_id" format:"uuid"`
		Channel   string `query:"channel" enum:"telegram,lms_comment,email,other"`
	}) (*struct {
		Body httpapi.Page[SLAConversationDTO]
	}, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Conversations(ctx, httpapi.OrgID(ctx), ConversationFilter{StudentID: in.StudentID, Channel: in.Channel,
			Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &struct {
			Body httpapi.Page[SLAConversationDTO]
		}{Body: httpapi.NewPage(rows, in.Limit, conversationDTO,
			func(c Conversation) []string { return []string{c.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "read"), huma.Operation{
		OperationID: "get-conversation", Method: http.MethodGet, Path: "/v1/orgs/{org}/conversations/{id}", Tags: []string{tag},
		Summary: "Get a conversation", Description: "The conversation without its messages; list those separately.",
	}, func(ctx context.Context, in *IDPath) (*conversationOutput, error) {
		c, err := svc.Conversation(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &conversationOutput{Body: conversationDTO(*c)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "write"), huma.Operation{
		OperationID: "add-message", Method: http.MethodPost, Path: "/v1/orgs/{org}/conversations/{id}/messages", Tags: []string{tag},
		Summary: "Record a message", Description: "A student's message that needs an answer starts or joins the response clock; " +
			"a human staff member's text reply stops it. Bot replies, reactions, stickers, emoji and thanks change nothing.\n\n" +
			"Who may say what: the integration (and an administrator backfilling history, which is audited) records any message " +
			"with its author_email and sent_at. Anyone else records their own staff reply: it is theirs and sent now. " +
			"A student's or bot's message from them, or one naming another author, is refused (403); a sent_at from them is a 422.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		ConversationPath
		Body struct {
			ExternalID  *string    `json:"external_id,omitempty" minLength:"1" maxLength:"200"`
			Direction   string     `json:"direction" enum:"student,staff"`
			AuthorKind  string     `json:"author_kind" enum:"student,staff,bot"`
			AuthorEmail string     `json:"author_email,omitempty" maxLength:"254" doc:"Integration and backfill: the staff member whose reply it is. Others: leave out (or give their own)."`
			Kind        string     `json:"kind,omitempty" enum:"text,sticker,reaction,system" default:"text"`
			Text        string     `json:"text,omitempty" maxLength:"20000"`
			SentAt      *time.Time `json:"sent_at,omitempty" doc:"Integration and backfill: when it was sent, required, between 2000-01-01 and five minutes from now. Others: leave out; the server's time is recorded."`
		}
	}) (*struct{ Body SLAMessageDTO }, error) {
		b := in.Body
		msg := MessageInput{ExternalID: b.ExternalID, Direction: b.Direction, AuthorKind: b.AuthorKind, AuthorEmail: b.AuthorEmail,
			Kind: b.Kind, Text: b.Text}
		if b.SentAt != nil {
			msg.SentAt = *b.SentAt
		}
		m, err := svc.AddMessage(ctx, httpapi.OrgID(ctx), in.ID, msg)
		if err != nil {
			return nil, err
		}
		return &struct{ Body SLAMessageDTO }{Body: messageDTO(*m)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "read"), huma.Operation{
		OperationID: "list-messages", Method: http.MethodGet, Path: "/v1/orgs/{org}/conversations/{id}/messages", Tags: []string{tag},
		Summary: "List a conversation's messages", Description: "In the order they were sent, with what each did to the response clock.",
	}, func(ctx context.Context, in *struct {
		ConversationPath
		httpapi.PageQuery
	}) (*struct{ Body httpapi.Page[SLAMessageDTO] }, error) {
		after, err := httpapi.AfterTimeID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Messages(ctx, httpapi.OrgID(ctx), in.ID, in.Limit, after)
		if err != nil {
			return nil, err
		}
		return &struct{ Body httpapi.Page[SLAMessageDTO] }{Body: httpapi.NewPage(rows, in.Limit, messageDTO,
			func(m Message) []string { return []string{m.SentAt.UTC().Format(time.RFC3339Nano), m.ID} })}, nil
	})
}
