package refunds

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// NewRefundRequestBody is a refund request as staff enter it.
type NewRefundRequestBody struct {
	OrderID  string `json:"order_id" format:"uuid" doc:"The order the money was paid on."`
	Reason   string `json:"reason" maxLength:"40" example:"no_time" doc:"Required: a code of an active reason of the school's catalog (GET refund-settings)."`
	Comment  string `json:"comment,omitempty" maxLength:"2000" doc:"What the student said, in their words."`
	Channel  string `json:"channel" enum:"lms,chat,email,phone,in_person,other" doc:"How the request reached the school."`
	RaisedBy string `json:"raised_by" enum:"student,curator,head" doc:"Who asked for the refund: the student (entered by staff), or the curator or head on the student's behalf."`
	Amount   *int64 `json:"amount,omitempty" minimum:"1" maximum:"1000000000000" doc:"What the student asks for, in minor units; omitted, the calculator's refundable amount. Never above what was paid and not yet refunded."`
}

// RefundHistoryDTO is one status change of a request.
type RefundHistoryDTO struct {
	From      *string   `json:"from" doc:"The status before; null for the request's first entry."`
	To        string    `json:"to" enum:"requested,in_review,approved,rejected,retained,processing,refunded,failed"`
	ActorID   *string   `json:"actor_id" format:"uuid"`
	ActorName *string   `json:"actor_name"`
	Amount    *int64    `json:"amount"`
	Note      string    `json:"note"`
	At        time.Time `json:"at"`
}

// RefundApprovalDTO is one approver's yes.
type RefundApprovalDTO struct {
	ApproverID   string    `json:"approver_id" format:"uuid"`
	ApproverName *string   `json:"approver_name"`
	Amount       int64     `json:"amount"`
	LimitAmount  int64     `json:"limit_amount" doc:"The approver's limit at the time: above it, a second approver was needed."`
	Note         string    `json:"note"`
	At           time.Time `json:"at"`
}

// RetentionAttemptDTO is one retention attempt.
type RetentionAttemptDTO struct {
	ID      string    `json:"id" format:"uuid"`
	ByID    string    `json:"by_id" format:"uuid"`
	ByName  *string   `json:"by_name"`
	Offer   string    `json:"offer" enum:"pause,transfer,consultation,partial_refund,nothing"`
	Outcome string    `json:"outcome" enum:"kept,refund_continues"`
	Note    string    `json:"note"`
	At      time.Time `json:"at"`
}

// RefundRequestDetailDTO is a request with its frozen evidence and
// everything that happened to it.
type RefundRequestDetailDTO struct {
	RefundRequestDTO
	Evidence  EvidencePack          `json:"evidence" doc:"Frozen when the request was raised."`
	History   []RefundHistoryDTO    `json:"history" nullable:"false"`
	Approvals []RefundApprovalDTO   `json:"approvals" nullable:"false"`
	Attempts  []RetentionAttemptDTO `json:"retention_attempts" nullable:"false"`
}

func detailDTO(d *RequestDetail, st *Settings) RefundRequestDetailDTO {
	out := RefundRequestDetailDTO{RefundRequestDTO: requestDTO(d.Request, d.Names, st), Evidence: *d.Evidence,
		History: make([]RefundHistoryDTO, len(d.History)), Approvals: make([]RefundApprovalDTO, len(d.Approvals)), Attempts: make([]RetentionAttemptDTO, len(d.Attempts))}
	for i, h := range d.History {
		out.History[i] = RefundHistoryDTO{From: h.FromStatus, To: h.ToStatus, ActorID: h.ActorID, ActorName: nameOf(d.Names, h.ActorID), Amount: h.Amount, Note: h.Note, At: h.At.UTC()}
	}
	for i, a := range d.Approvals {
		out.Approvals[i] = RefundApprovalDTO{ApproverID: a.ApproverID, ApproverName: nameOf(d.Names, &a.ApproverID), Amount: a.Amount, LimitAmount: a.LimitAmount, Note: a.Note, At: a.At.UTC()}
	}
	for i, a := range d.Attempts {
		out.Attempts[i] = RetentionAttemptDTO{ID: a.ID, ByID: a.ByID, ByName: nameOf(d.Names, &a.ByID), Offer: a.Offer, Outcome: a.Outcome, Note: a.Note, At: a.At.UTC()}
	}
	return out
}

type detailOutput struct {
	ETag string `header:"ETag"`
	Body RefundRequestDetailDTO
}

type listRequestsInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Status    string `query:"status" enum:"requested,in_review,approved,rejected,retained,processing,refunded,failed"`
	Reason    string `query:"reason" maxLength:"40"`
	CohortID  string `query:"cohort_id" format:"uuid"`
	CuratorID string `query:"curator_id" format:"uuid"`
	StudentID string `query:"student_id" format:"uuid"`
	OrderID   string `query:"order_id" format:"uuid"`
	Flagged   string `query:"flagged" enum:"true,false" doc:"Refunds that reached the ledger without an approved request."`
	Escalated string `query:"escalated" enum:"true,false" doc:"Requests that missed their decision deadline."`
}

func boolParam(v string) *bool {
	if v == "" {
		return nil
	}
	b := v == "true"
	return &b
}

// CalculationQuery asks for a calculation at a moment.
type CalculationQuery struct {
	AsOf          time.Time `query:"as_of" doc:"The moment to calculate at; now when omitted."`
	ModulesOpened int       `query:"modules_opened" minimum:"-1" maximum:"1000" default:"-1" doc:"Modules the student opened; -1 (the default) counts those they handed homework in for."`
}

type calculationOutput struct{ Body RefundCalculation }

func registerRequests(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "create"), huma.Operation{
		OperationID: "create-refund-request", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests", Tags: []string{"Refunds"},
		Summary: "Raise a refund request",
		Description: "The reason is required and comes from the school's catalog. The evidence (modules reached, homework and review times, " +
			"conversations and response times, survey answers, previous refunds, the calculation) is gathered now and frozen. " +
			"Repeating with the same Idempotency-Key returns the recorded request with 200; with a different body, 409.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Repeating a request with the same key returns the first result instead of raising a second request."`
		Body           NewRefundRequestBody
	}) (*requestOutput, error) {
		b, orgID := in.Body, httpapi.OrgID(ctx)
		r, created, err := svc.CreateRequest(ctx, orgID, NewRequest{OrderID: b.OrderID, Reason: b.Reason, Comment: b.Comment, Channel: b.Channel,
			RaisedBy: b.RaisedBy, Amount: b.Amount, IdempotencyKey: in.IdempotencyKey})
		if err != nil {
			return nil, err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return requestOut(ctx, svc, orgID, r, status)
	})
	documentReplay(api, "/v1/orgs/{org}/refund-requests")

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "read"), huma.Operation{
		OperationID: "list-refund-requests", Method: http.MethodGet, Path: "/v1/orgs/{org}/refund-requests", Tags: []string{"Refunds"},
		Summary:     "List refund requests",
		Description: "Newest first. Curators see the requests of the students they curated when the request was raised; the head, senior curators and finance see all.",
	}, func(ctx context.Context, in *listRequestsInput) (*struct {
		Body httpapi.Page[RefundRequestDTO]
	}, error) {
		before, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		orgID := httpapi.OrgID(ctx)
		rows, names, err := svc.Requests(ctx, orgID, ViewerFrom(ctx), RequestFilter{Status: in.Status, Reason: in.Reason, CohortID: in.CohortID,
			CuratorID: in.CuratorID, StudentID: in.StudentID, OrderID: in.OrderID, Flagged: boolParam(in.Flagged), Escalated: boolParam(in.Escalated),
			Limit: in.Limit, BeforeID: before})
		if err != nil {
			return nil, err
		}
		st, err := svc.Settings(ctx, orgID)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(rows, in.Limit, func(r Request) RefundRequestDTO { return requestDTO(&r, names, st) },
			func(r Request) []string { return []string{r.ID} })
		return &struct {
			Body httpapi.Page[RefundRequestDTO]
		}{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "read"), huma.Operation{
		OperationID: "get-refund-request", Method: http.MethodGet, Path: "/v1/orgs/{org}/refund-requests/{id}", Tags: []string{"Refunds"},
		Summary:     "Get a refund request",
		Description: "With its frozen evidence, status history, approvals and retention attempts. The ETag is what decisions send as If-Match.",
	}, func(ctx context.Context, in *RequestPath) (*detailOutput, error) {
		orgID := httpapi.OrgID(ctx)
		d, err := svc.Request(ctx, orgID, in.ID, ViewerFrom(ctx))
		if err != nil {
			return nil, err
		}
		st, err := svc.Settings(ctx, orgID)
		if err != nil {
			return nil, err
		}
		return &detailOutput{ETag: httpapi.ETag(d.Request.Version), Body: detailDTO(d, st)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "read"), huma.Operation{
		OperationID: "get-refund-calculation", Method: http.MethodGet, Path: "/v1/orgs/{org}/refund-requests/{id}/calculation", Tags: []string{"Refunds"},
		Summary: "Calculate the refundable amount now",
		Description: "From the offer terms of the order's product (else the school's): a full refund within the window, then pro rata by days or by " +
			"modules, minus the documented costs and what was refunded already; for an instalment order, of what was actually paid. Itemised.",
	}, func(ctx context.Context, in *struct {
		RequestPath
		CalculationQuery
	}) (*calculationOutput, error) {
		orgID := httpapi.OrgID(ctx)
		d, err := svc.Request(ctx, orgID, in.ID, ViewerFrom(ctx))
		if err != nil {
			return nil, err
		}
		asOf := in.AsOf
		if asOf.IsZero() {
			asOf = svc.Now()
		} else if err := clock.CheckPlan("query.as_of", asOf); err != nil {
			return nil, err
		}
		var opened *int
		if in.ModulesOpened >= 0 {
			opened = &in.ModulesOpened
		}
		c, err := svc.CalculateOrder(ctx, orgID, d.Request.OrderID, asOf, opened)
		if err != nil {
			return nil, err
		}
		return &calculationOutput{Body: *c}, nil
	})
}
