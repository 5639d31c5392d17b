package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// OrgPath addresses one school.
type OrgPath struct {
	Org string `path:"org" maxLength:"64" doc:"School slug."`
}

// Register adds the integration operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Events", "Events from the school's LMS or CRM: the batch intake, the inbox and replay.")
	httpapi.DefineTag(api, "Webhooks", "The school's webhook endpoints and the delivery log of outbound events.")
	httpapi.DefineTag(api, "Integration settings", "The secret the LMS signs its event batches with.")
	registerEvents(api, svc)
	registerSettings(api, svc)
	registerWebhooks(api, svc)
}

func first(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// --- events

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
	OrgPath
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
		Status: e.Status, Attempts: e.Attempts, LastError: e.LastError, AppliedAt: utcPtr(e.AppliedAt), Data: e.Data}
}

type listEventsInput struct {
	OrgPath
	httpapi.PageQuery
	Status  string    `query:"status" enum:"applied,rejected,pending_handler,failed"`
	Type    string    `query:"type" maxLength:"100"`
	EventID string    `query:"event_id" maxLength:"200" doc:"The LMS's event id."`
	From    time.Time `query:"from" doc:"Received at or after this time (RFC 3339)."`
	To      time.Time `query:"to" doc:"Received before this time (RFC 3339)."`
}

type listEventsOutput struct{ Body httpapi.Page[InboxEventDTO] }

type replayInput struct {
	OrgPath
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
	documentBody(api, "/v1/orgs/{org}/events", reflect.TypeFor[IngestRequest](), "IngestEventsRequest")

	httpapi.Register(api, httpapi.OrgPermission("events", "read"), huma.Operation{
		OperationID: "list-events", Method: http.MethodGet, Path: "/v1/orgs/{org}/events", Tags: []string{"Events"},
		Summary:     "List the school's inbox of events",
		Description: "Every event received, newest first, with what became of it. Filter by status, type, event id or time received.",
	}, func(ctx context.Context, in *listEventsInput) (*listEventsOutput, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		if !in.From.IsZero() && !in.To.IsZero() && !in.From.Before(in.To) {
			return nil, errs.Invalid("query.to", "must be after from")
		}
		rows, err := svc.ListInbox(ctx, httpapi.OrgID(ctx), InboxFilter{Status: in.Status, Type: in.Type, EventID: in.EventID,
			From: in.From.UTC(), To: in.To.UTC(), Limit: in.Limit, AfterID: first(after)})
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
func documentBody(api huma.API, path string, t reflect.Type, name string) {
	op := api.OpenAPI().Paths[path].Post
	op.RequestBody.Content["application/json"] = &huma.MediaType{Schema: api.OpenAPI().Components.Schemas.Schema(t, true, name)}
}

// --- settings

// SettingsDTO shows whether the school signs its batches, never the secret.
type SettingsDTO struct {
	SigningSecretSet    bool       `json:"signing_secret_set" doc:"Batches must then carry X-Signature."`
	SigningSecretPrefix string     `json:"signing_secret_prefix,omitempty" doc:"First characters of the secret, to tell secrets apart."`
	SigningSecretSetAt  *time.Time `json:"signing_secret_set_at,omitempty"`
}

func settingsDTO(s *Settings) SettingsDTO {
	return SettingsDTO{SigningSecretSet: s.SigningSecret != "", SigningSecretPrefix: s.SecretPrefix, SigningSecretSetAt: utcPtr(s.SecretSetAt)}
}

type settingsOutput struct{ Body SettingsDTO }

// CreatedSecretBody shows a new signing secret once.
type CreatedSecretBody struct {
	SettingsDTO
	SigningSecret string `json:"signing_secret" doc:"The HMAC key of X-Signature. Shown only in this response."`
}

type createdSecretOutput struct{ Body CreatedSecretBody }

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("integration_settings", "read"), huma.Operation{
		OperationID: "get-integration-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/integration-settings", Tags: []string{"Integration settings"},
		Summary:     "Whether the school's event batches must be signed",
		Description: "Shows whether a signing secret is set, its first characters and when it was set; never the secret itself.",
	}, func(ctx context.Context, _ *OrgPath) (*settingsOutput, error) {
		st, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return &settingsOutput{Body: settingsDTO(st)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("integration_settings", "update"), huma.Operation{
		OperationID: "rotate-signing-secret", Method: http.MethodPost, Path: "/v1/orgs/{org}/integration-settings/signing-secret", Tags: []string{"Integration settings"},
		Summary: "Set or rotate the signing secret of event batches",
		Description: "Generates a new secret, replacing any previous one at once, and shows it only in this response. " +
			"From then on every batch needs X-Signature: sha256=<hex HMAC-SHA256 of the raw body>.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, _ *OrgPath) (*createdSecretOutput, error) {
		st, secret, err := svc.RotateSigningSecret(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return &createdSecretOutput{Body: CreatedSecretBody{SettingsDTO: settingsDTO(st), SigningSecret: secret}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("integration_settings", "update"), huma.Operation{
		OperationID: "clear-signing-secret", Method: http.MethodDelete, Path: "/v1/orgs/{org}/integration-settings/signing-secret", Tags: []string{"Integration settings"},
		Summary:       "Stop requiring signed event batches",
		Description:   "Removes the signing secret; batches are then taken without X-Signature. 404 when none is set.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *OrgPath) (*struct{}, error) {
		return nil, svc.ClearSigningSecret(ctx, httpapi.OrgID(ctx))
	})
}

// --- webhooks

// WebhookDTO is a webhook endpoint without its secret.
type WebhookDTO struct {
	ID           string    `json:"id" format:"uuid"`
	URL          string    `json:"url"`
	Description  string    `json:"description"`
	EventTypes   []string  `json:"event_types" nullable:"false"`
	Active       bool      `json:"active"`
	SecretPrefix string    `json:"secret_prefix" doc:"First characters of the secret, to tell secrets apart."`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int64     `json:"version"`
}

func webhookDTO(e Endpoint) WebhookDTO {
	return WebhookDTO{ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: e.EventTypes, Active: e.Active,
		SecretPrefix: e.SecretPrefix, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(), Version: e.Version}
}

// CreatedWebhookBody shows a webhook's secret once.
type CreatedWebhookBody struct {
	WebhookDTO
	Secret string `json:"secret" doc:"The HMAC key of X-Curatorops-Signature. Shown only in this response."`
}

type createdWebhookOutput struct {
	ETag string `header:"ETag"`
	Body CreatedWebhookBody
}

func newCreatedWebhookOutput(e *Endpoint, secret string) *createdWebhookOutput {
	return &createdWebhookOutput{ETag: httpapi.ETag(e.Version), Body: CreatedWebhookBody{WebhookDTO: webhookDTO(*e), Secret: secret}}
}

type webhookOutput struct {
	ETag string `header:"ETag"`
	Body WebhookDTO
}

func newWebhookOutput(e *Endpoint) *webhookOutput {
	return &webhookOutput{ETag: httpapi.ETag(e.Version), Body: webhookDTO(*e)}
}

// WebhookPath addresses one webhook of a school.
type WebhookPath struct {
	OrgPath
	ID string `path:"id" format:"uuid" doc:"Webhook id."`
}

type createWebhookInput struct {
	OrgPath
	Body struct {
		URL         string   `json:"url" minLength:"1" maxLength:"2000" doc:"Where deliveries are POSTed: an http or https URL."`
		Description string   `json:"description,omitempty" maxLength:"500"`
		EventTypes  []string `json:"event_types" minItems:"1" maxItems:"50" doc:"Event types to deliver, e.g. review.completed, sla.breached; \"*\" for all."`
		Active      *bool    `json:"active,omitempty" doc:"Inactive webhooks get no new deliveries, and their queued ones wait. Default true."`
	}
}

type updateWebhookInput struct {
	WebhookPath
	httpapi.IfMatch
	Body struct {
		URL         *string  `json:"url,omitempty" minLength:"1" maxLength:"2000"`
		Description *string  `json:"description,omitempty" maxLength:"500"`
		EventTypes  []string `json:"event_types,omitempty" minItems:"1" maxItems:"50"`
		Active      *bool    `json:"active,omitempty"`
	}
}

type listWebhooksInput struct {
	OrgPath
	httpapi.PageQuery
}

type listWebhooksOutput struct{ Body httpapi.Page[WebhookDTO] }

// DeliveryDTO is one line of a webhook's delivery log.
type DeliveryDTO struct {
	ID            string     `json:"id" format:"uuid"`
	WebhookID     string     `json:"webhook_id" format:"uuid"`
	EventID       string     `json:"event_id" format:"uuid"`
	EventType     string     `json:"event_type"`
	Status        string     `json:"status" enum:"pending,sending,delivered,failed"`
	Attempts      int        `json:"attempts" doc:"Attempts since it was queued (or queued again)."`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty" doc:"When a pending delivery is tried next."`
	LastAttemptAt *time.Time `json:"last_attempt_at,omitempty"`
	ResponseCode  int        `json:"response_code,omitempty" doc:"HTTP status of the last attempt; absent when no answer came."`
	LastError     string     `json:"last_error,omitempty"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func deliveryDTO(d Delivery) DeliveryDTO {
	dto := DeliveryDTO{ID: d.ID, WebhookID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		LastAttemptAt: utcPtr(d.LastAttemptAt), ResponseCode: d.ResponseCode, LastError: d.LastError, DeliveredAt: utcPtr(d.DeliveredAt),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	if d.Status == DeliveryPending {
		dto.NextAttemptAt = utcPtr(&d.NextAttemptAt)
	}
	return dto
}

type listDeliveriesInput struct {
	WebhookPath
	httpapi.PageQuery
	Status    string `query:"status" enum:"pending,sending,delivered,failed"`
	EventType string `query:"event_type" maxLength:"100"`
}

type listDeliveriesOutput struct{ Body httpapi.Page[DeliveryDTO] }

// DeliveryPath addresses one webhook delivery of a school.
type DeliveryPath struct {
	OrgPath
	ID string `path:"id" format:"uuid" doc:"Delivery id."`
}

type deliveryOutput struct{ Body DeliveryDTO }

func registerWebhooks(api huma.API, svc *Service) {
	conflicts := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "read"), huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/v1/orgs/{org}/webhooks", Tags: []string{"Webhooks"},
		Summary:     "List the school's webhooks",
		Description: "Ordered by creation; secrets are never shown, only their first characters.",
	}, func(ctx context.Context, in *listWebhooksInput) (*listWebhooksOutput, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListEndpoints(ctx, httpapi.OrgID(ctx), in.Limit, first(after))
		if err != nil {
			return nil, err
		}
		return &listWebhooksOutput{Body: httpapi.NewPage(rows, in.Limit, webhookDTO, func(e Endpoint) []string { return []string{e.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "create"), huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/v1/orgs/{org}/webhooks", Tags: []string{"Webhooks"},
		Summary: "Register a webhook",
		Description: "Events of the listed types are POSTed to the URL, signed with the webhook's secret, which is shown only in this response. " +
			"Only http and https URLs are taken. One webhook per URL.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createWebhookInput) (*createdWebhookOutput, error) {
		active := in.Body.Active == nil || *in.Body.Active
		e, secret, err := svc.CreateEndpoint(ctx, httpapi.OrgID(ctx), EndpointSpec{URL: in.Body.URL, Description: in.Body.Description, EventTypes: in.Body.EventTypes, Active: active})
		if err != nil {
			return nil, err
		}
		return newCreatedWebhookOutput(e, secret), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "read"), huma.Operation{
		OperationID: "get-webhook", Method: http.MethodGet, Path: "/v1/orgs/{org}/webhooks/{id}", Tags: []string{"Webhooks"},
		Summary:     "Get one webhook",
		Description: "The ETag is needed to change it.",
	}, func(ctx context.Context, in *WebhookPath) (*webhookOutput, error) {
		e, err := svc.Endpoint(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newWebhookOutput(e), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "update"), huma.Operation{
		OperationID: "update-webhook", Method: http.MethodPatch, Path: "/v1/orgs/{org}/webhooks/{id}", Tags: []string{"Webhooks"},
		Summary: "Change a webhook", Errors: conflicts,
		Description: "Fields left out stay as they are. Deactivating stops new deliveries and holds queued ones until it is active again. " +
			"Needs If-Match with the ETag of the last read.",
	}, func(ctx context.Context, in *updateWebhookInput) (*webhookOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		e, err := svc.UpdateEndpoint(ctx, httpapi.OrgID(ctx), in.ID, version, EndpointChanges{
			URL: in.Body.URL, Description: in.Body.Description, EventTypes: in.Body.EventTypes, Active: in.Body.Active})
		if err != nil {
			return nil, err
		}
		return newWebhookOutput(e), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "delete"), huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/v1/orgs/{org}/webhooks/{id}", Tags: []string{"Webhooks"},
		Summary:       "Delete a webhook",
		Description:   "Removes the webhook with its delivery log; deliveries not sent yet are dropped. The deletion is audited.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *WebhookPath) (*struct{}, error) {
		return nil, svc.DeleteEndpoint(ctx, httpapi.OrgID(ctx), in.ID)
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "update"), huma.Operation{
		OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/v1/orgs/{org}/webhooks/{id}/rotate-secret", Tags: []string{"Webhooks"},
		Summary:     "Give a webhook a new secret",
		Description: "The new secret is shown only in this response; every attempt from now on, retries included, is signed with it.",
	}, func(ctx context.Context, in *WebhookPath) (*createdWebhookOutput, error) {
		e, secret, err := svc.RotateEndpointSecret(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newCreatedWebhookOutput(e, secret), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "read"), huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/v1/orgs/{org}/webhooks/{id}/deliveries", Tags: []string{"Webhooks"},
		Summary:     "A webhook's delivery log",
		Description: "Every event queued for the webhook, newest first, with its status, attempts, last response code and error.",
	}, func(ctx context.Context, in *listDeliveriesInput) (*listDeliveriesOutput, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListDeliveries(ctx, httpapi.OrgID(ctx), in.ID, DeliveryFilter{Status: in.Status, EventType: in.EventType, Limit: in.Limit, AfterID: first(after)})
		if err != nil {
			return nil, err
		}
		return &listDeliveriesOutput{Body: httpapi.NewPage(rows, in.Limit, deliveryDTO, func(d Delivery) []string { return []string{d.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "redeliver"), huma.Operation{
		OperationID: "redeliver-webhook-delivery", Method: http.MethodPost, Path: "/v1/orgs/{org}/webhook-deliveries/{id}/redeliver", Tags: []string{"Webhooks"},
		Summary:       "Send a delivery again",
		Description:   "Queues a delivered or failed delivery again, due now, with a fresh retry budget. 409 while it is still pending or being sent.",
		DefaultStatus: http.StatusAccepted, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *DeliveryPath) (*deliveryOutput, error) {
		d, err := svc.Redeliver(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &deliveryOutput{Body: deliveryDTO(*d)}, nil
	})
}
