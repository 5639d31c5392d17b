package integration

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

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
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Webhook id."`
}

type createWebhookInput struct {
	httpapi.OrgPath
	Body struct {
		URL         string   `json:"url" minLength:"1" maxLength:"2000" format:"uri" pattern:"^[Hh][Tt][Tt][Pp][Ss]?://" patternDescription:"an http or https URL" doc:"Where deliveries are POSTed: an http or https URL on a public address (or in a range the operator opened)."`
		Description string   `json:"description,omitempty" maxLength:"500"`
		EventTypes  []string `json:"event_types" minItems:"1" maxItems:"50" nullable:"false" doc:"Event types to deliver, e.g. review.completed, sla.breached; \"*\" for all."`
		Active      *bool    `json:"active,omitempty" doc:"Inactive webhooks get no new deliveries, and their queued ones wait. Default true."`
	}
}

type updateWebhookInput struct {
	WebhookPath
	httpapi.IfMatch
	Body struct {
		URL         *string  `json:"url,omitempty" minLength:"1" maxLength:"2000" format:"uri" pattern:"^[Hh][Tt][Tt][Pp][Ss]?://" patternDescription:"an http or https URL"`
		Description *string  `json:"description,omitempty" maxLength:"500"`
		EventTypes  []string `json:"event_types,omitempty" minItems:"1" maxItems:"50" nullable:"false"`
		Active      *bool    `json:"active,omitempty"`
	}
}

type listWebhooksInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
}

type listWebhooksOutput struct{ Body httpapi.Page[WebhookDTO] }

func registerWebhooks(api huma.API, svc *Service) {
	conflicts := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "read"), huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/v1/orgs/{org}/webhooks", Tags: []string{"Webhooks"},
		Summary:     "List the school's webhooks",
		Description: "Ordered by creation; secrets are never shown, only their first characters.",
	}, func(ctx context.Context, in *listWebhooksInput) (*listWebhooksOutput, error) {
		after, err := afterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListEndpoints(ctx, httpapi.OrgID(ctx), in.Limit, after)
		if err != nil {
			return nil, err
		}
		return &listWebhooksOutput{Body: httpapi.NewPage(rows, in.Limit, webhookDTO, func(e Endpoint) []string { return []string{e.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("webhooks", "create"), huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/v1/orgs/{org}/webhooks", Tags: []string{"Webhooks"},
		Summary: "Register a webhook",
		Description: "Events of the listed types are POSTed to the URL, signed with the webhook's secret, which is shown only in this response. " +
			"Only http and https URLs are taken, to public addresses or ranges the operator opened: a loopback, private, link-local or " +
			"cloud metadata address (or localhost) is a 422, and every delivery checks the address it connects to. One webhook per URL.",
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
}
