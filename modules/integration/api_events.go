package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// IngestRequest documents the body of ingest-events; the handler reads the
// raw body itself, because the signature covers its exact bytes and each
// event is checked on its own.
type IngestRequest struct {
	Events []EventIn `json:"events" minItems:"1" maxItems:"1000" nullable:"false"`
}

// EventIn is one event of a batch.
type EventIn struct {
	EventID    string         `json:"event_id" minLength:"1" maxLength:"200" doc:"The LMS's unique id of the event; sending it again changes nothing."`
	Type       string         `json:"type" doc:"student.upserted, enrollment.upserted, order.paid, order.refunded, submission.created, message.created, lesson.viewed, survey.answered, or a type a module registered."`
	OccurredAt time.Time      `json:"occurred_at" doc:"When it happened in the LMS (RFC 3339)."`
	Data       map[string]any `json:"data" doc:"The event's content; its shape depends on the type (see docs/integration.md)."`
}

type ingestInput struct {
	httpapi.OrgPath
	Signature string `header:"X-Signature" maxLength:"100" doc:"sha256=<hex HMAC-SHA256 of the raw body with the school's signing secret>; required once the school has one."`
	RawBody   []byte `contentType:"application/json"`
}

// ProblemErrorDTO names one bad field of a rejected event.
type ProblemErrorDTO struct {
	Location string `json:"location" doc:"e.g. events[3].data.email"`
	Message  string `json:"message"`
}

// ProblemDTO says why an event was rejected (RFC 9457 shape).
type ProblemDTO struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Detail string            `json:"detail"`
	Errors []ProblemErrorDTO `json:"errors,omitempty"`
}

// EventOutcomeDTO is what became of one event of a batch.
type EventOutcomeDTO struct {
	EventID     string      `json:"event_id,omitempty"`
	Status      string      `json:"status" enum:"accepted,duplicate,rejected"`
	InboxStatus string      `json:"inbox_status,omitempty" enum:"applied,rejected,pending_handler,failed" doc:"The stored event's status: pending_handler means stored until its module is built, then replayed."`
	Problem     *ProblemDTO `json:"problem,omitempty"`
}

// IngestResult reports a batch event by event, in the order sent.
type IngestResult struct {
	Accepted   int               `json:"accepted"`
	Duplicates int               `json:"duplicates"`
	Rejected   int               `json:"rejected"`
	Events     []EventOutcomeDTO `json:"events" nullable:"false"`
}

type ingestOutput struct{ Body IngestResult }

func ingestResult(r *BatchResult) IngestResult {
	out := IngestResult{Accepted: r.Accepted, Duplicates: r.Duplicates, Rejected: r.Rejected, Events: make([]EventOutcomeDTO, len(r.Events))}
	for i, o := range r.Events {
		dto := EventOutcomeDTO{EventID: o.EventID, Status: o.Outcome, InboxStatus: o.InboxStatus}
		if p := o.Problem; p != nil {
			dto.Problem = &ProblemDTO{Status: p.Status, Title: http.StatusText(p.Status), Detail: p.Detail}
			for _, f := range p.Errors {
				dto.Problem.Errors = append(dto.Problem.Errors, ProblemErrorDTO{Location: f.Location, Message: f.Message})
			}
		}
		out.Events[i] = dto
	}
	return out
}

// InboxEventDTO is a stored inbound event.
type InboxEventDTO struct {
	ID         string          `json:"id" format:"uuid"`
	EventID    string          `json:"event_id"`
	Type       string          `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	ReceivedAt time.Time       `json:"received_at"`
	Status     string          `json:"status" enum:"applied,rejected,pending_handler,failed"`
	Attempts   int             `json:"attempts" doc:"How many times its handler ran."`
	LastError  string          `json:"last_error,omitempty"`
	AppliedAt  *time.Time      `json:"applied_at,omitempty"`
	Data       json.RawMessage `json:"data"`
}

func inboxDTO(e InboxEvent) InboxEventDTO {
	return InboxEventDTO{ID: e.ID, EventID: e.EventID, Type: e.Type, OccurredAt: e.OccurredAt.UTC(), ReceivedAt: e.ReceivedAt.UTC(),
		Status: e.Status, Attempts: e.Attempts, LastError: e.LastError, AppliedAt: httpapi.UTC(e.AppliedAt), Data: e.Data}
}

type listEventsInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Status  string    `query:"status" enum:"applied,rejected,pending_handler,failed"`
	Type    string    `query:"type" maxLength:"100"`
	EventID string    `query:"event_id" maxLength:"200" doc:"The LMS's event id."`
	From    time.Time `query:"from" doc:"Received at or after this time (RFC 3339)."`
	To      time.Time `query:"to" doc:"Received before this time (RFC 3339)."`
}

type listEventsOutput struct{ Body httpapi.Page[InboxEventDTO] }

type replayInput struct {
	httpapi.OrgPath
	Body struct {
		Types []string `json:"types" minItems:"1" maxItems:"50" uniqueItems:"true" doc:"Event types to replay; each needs a registered handler."`
		Limit int      `json:"limit,omitempty" minimum:"1" maximum:"10000" default:"1000" doc:"At most this many events; call again while remaining is above zero."`
	}
}

// ReplayResultDTO counts what a replay did.
type ReplayResultDTO struct {
	Applied   int `json:"applied"`
	Rejected  int `json:"rejected" doc:"Refused by their handler; see the inbox for why."`
	Failed    int `json:"failed" doc:"Their handler failed; still kept for replay."`
	Skipped   int `json:"skipped" doc:"Settled by another request meanwhile."`
	Remaining int `json:"remaining" doc:"Events of these types still waiting."`
}

type replayOutput struct{ Body ReplayResultDTO }

func registerEvents(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("events", "ingest"), huma.Operation{
		OperationID: "ingest-events", Method: http.MethodPost, Path: "/v1/orgs/{org}/events", Tags: []string{"Events"},
		Summary: "Send a batch of LMS events",
		Description: "Up to 1,000 events, each applied in a transaction of its own and reported in the order sent: accepted, " +
			"duplicate (its event_id was sent before; nothing changes) or rejected with a problem naming the field (events[3].data.email). " +
			"Events of a type whose module is not built yet are stored and accepted, then applied by replay. " +
			"Once the school has a signing secret, X-Signature must carry the HMAC of the raw body, or the batch gets 401.",
		SkipValidateBody: true,
	}, func(ctx context.Context, in *ingestInput) (*ingestOutput, error) {
		res, err := svc.Ingest(ctx, httpapi.OrgID(ctx), in.RawBody, in.Signature)
		if err != nil {
			return nil, err
		}
		return &ingestOutput{Body: ingestResult(res)}, nil
	})
	documentBody(api, "/v1/orgs/{org}/events", reflect.TypeFor[IngestRequest](), "IngestEventsRequest", IngestRequest{Events: []EventIn{{
		EventID: "lms-ev-1001", Type: "student.upserted", OccurredAt: time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC),
		Data: map[string]any{"external_id": "s-1001", "full_name": "Анна Петрова", "email": "anna@example.ru"},
	}}})
	// Each event is judged on its own: wrong ones are rejected in the 200
	// report, never the batch (see the contract check in app/apptest).
	api.OpenAPI().Paths["/v1/orgs/{org}/events"].Post.Extensions["x-items-checked-one-by-one"] = true

	httpapi.Register(api, httpapi.OrgPermission("events", "read"), huma.Operation{
		OperationID: "list-events", Method: http.MethodGet, Path: "/v1/orgs/{org}/events", Tags: []string{"Events"},
		Summary:     "List the school's inbox of events",
		Description: "Every event received, newest first, with what became of it. Filter by status, type, event id or time received.",
	}, func(ctx context.Context, in *listEventsInput) (*listEventsOutput, error) {
		after, err := afterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		if err := clock.CheckPeriod(in.From, in.To); err != nil {
			return nil, err
		}
		rows, err := svc.ListInbox(ctx, httpapi.OrgID(ctx), InboxFilter{Status: in.Status, Type: in.Type, EventID: in.EventID,
			From: in.From.UTC(), To: in.To.UTC(), Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listEventsOutput{Body: httpapi.NewPage(rows, in.Limit, inboxDTO, func(e InboxEvent) []string { return []string{e.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("events", "replay"), huma.Operation{
		OperationID: "replay-events", Method: http.MethodPost, Path: "/v1/orgs/{org}/events/replay", Tags: []string{"Events"},
		Summary: "Apply stored events that wait for a handler or failed",
		Description: "Applies events of the given types that are pending_handler or failed, in the order they were received, each in its own " +
			"transaction. Replaying twice applies nothing twice. Every type needs a registered handler.",
	}, func(ctx context.Context, in *replayInput) (*replayOutput, error) {
		limit := in.Body.Limit
		if limit == 0 {
			limit = 1000
		}
		r, err := svc.Replay(ctx, httpapi.OrgID(ctx), in.Body.Types, limit)
		if err != nil {
			return nil, err
		}
		return &replayOutput{Body: ReplayResultDTO{Applied: r.Applied, Rejected: r.Rejected, Failed: r.Failed, Skipped: r.Skipped, Remaining: r.Remaining}}, nil
	})
}

// documentBody puts the schema of t in the spec as the JSON body of the
// POST at path, whose handler reads the raw body.
func documentBody(api huma.API, path string, t reflect.Type, name string, example any) {
	op := api.OpenAPI().Paths[path].Post
	op.RequestBody.Content["application/json"] = &huma.MediaType{Schema: api.OpenAPI().Components.Schemas.Schema(t, true, name), Example: example}
}
