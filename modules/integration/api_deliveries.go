package integration

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

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
		LastAttemptAt: httpapi.UTC(d.LastAttemptAt), ResponseCode: d.ResponseCode, LastError: d.LastError, DeliveredAt: httpapi.UTC(d.DeliveredAt),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	if d.Status == DeliveryPending {
		dto.NextAttemptAt = httpapi.UTC(&d.NextAttemptAt)
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
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Delivery id."`
}

type deliveryOutput struct{ Body DeliveryDTO }

func registerDeliveries(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("webhooks", "read"), huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/v1/orgs/{org}/webhooks/{id}/deliveries", Tags: []string{"Webhooks"},
		Summary:     "A webhook's delivery log",
		Description: "Every event queued for the webhook, newest first, with its status, attempts, last response code and error.",
	}, func(ctx context.Context, in *listDeliveriesInput) (*listDeliveriesOutput, error) {
		after, err := afterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListDeliveries(ctx, httpapi.OrgID(ctx), in.ID, DeliveryFilter{Status: in.Status, EventType: in.EventType, Limit: in.Limit, AfterID: after})
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
