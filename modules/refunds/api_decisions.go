package refunds

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// RetentionAttemptBody is one retention attempt.
type RetentionAttemptBody struct {
	Offer   string `json:"offer" enum:"pause,transfer,consultation,partial_refund,nothing" doc:"What the student was offered: a pause, a move to another cohort, a consultation, a partial refund, or nothing."`
	Outcome string `json:"outcome" enum:"kept,refund_continues" doc:"kept closes the request as retained."`
	Note    string `json:"note,omitempty" maxLength:"2000"`
}

// ApproveRefundBody is an approver's yes.
type ApproveRefundBody struct {
	Amount          int64  `json:"amount" minimum:"1" maximum:"1000000000000" doc:"What to refund, in minor units: at most what was paid and not yet refunded."`
	Note            string `json:"note,omitempty" maxLength:"2000"`
	StopInstalments bool   `json:"stop_instalments,omitempty" doc:"Cancel the instalments not yet due (announced in refund.status_changed)."`
}

// RejectRefundBody says why a refund is refused.
type RejectRefundBody struct {
	Note string `json:"note" minLength:"1" maxLength:"2000" doc:"Why the refund is refused; the student is told."`
}

// ExecuteRefundBody is finance's payout.
type ExecuteRefundBody struct {
	RefundedAt *time.Time `json:"refunded_at,omitempty" doc:"When the money left; now when omitted. Not before the order was paid, nor after now."`
	Note       string     `json:"note,omitempty" maxLength:"2000"`
}

// FailRefundBody says why a payout failed.
type FailRefundBody struct {
	Reason string `json:"reason" minLength:"1" maxLength:"2000"`
}

// RetentionAttemptResultDTO is a request after a retention attempt.
type RetentionAttemptResultDTO struct {
	Request RefundRequestDTO    `json:"request"`
	Attempt RetentionAttemptDTO `json:"attempt"`
}

type attemptOutput struct {
	ETag string `header:"ETag"`
	Body RetentionAttemptResultDTO
}

type decisionInput[B any] struct {
	RequestPath
	httpapi.IfMatch
	Body B
}

func registerDecisions(api huma.API, svc *Service) {
	ifMatch := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}
	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "review"), huma.Operation{
		OperationID: "start-refund-review", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests/{id}/review", Tags: []string{"Refunds"},
		Summary: "Take a request into review", Description: "requested → in_review. With If-Match.", Errors: ifMatch,
	}, func(ctx context.Context, in *struct {
		RequestPath
		httpapi.IfMatch
	}) (*requestOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		r, err := svc.StartReview(ctx, httpapi.OrgID(ctx), in.ID, v, ViewerFrom(ctx))
		if err != nil {
			return nil, err
		}
		return requestOut(ctx, svc, httpapi.OrgID(ctx), r, http.StatusOK)
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "review"), huma.Operation{
		OperationID: "create-refund-retention-attempt", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests/{id}/retention-attempts", Tags: []string{"Refunds"},
		Summary:     "Record a retention attempt",
		Description: "Before the decision: the request goes into review; a kept student closes it as retained. Attempts are never changed. With If-Match.",
		Errors:      ifMatch, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *decisionInput[RetentionAttemptBody]) (*attemptOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		orgID := httpapi.OrgID(ctx)
		r, a, err := svc.AddAttempt(ctx, orgID, in.ID, v, ViewerFrom(ctx), AttemptInput{Offer: in.Body.Offer, Outcome: in.Body.Outcome, Note: in.Body.Note})
		if err != nil {
			return nil, err
		}
		out, err := requestOut(ctx, svc, orgID, r, http.StatusCreated)
		if err != nil {
			return nil, err
		}
		names, err := svc.StaffNames(ctx, orgID, []string{a.ByID})
		if err != nil {
			return nil, err
		}
		return &attemptOutput{ETag: out.ETag, Body: RetentionAttemptResultDTO{Request: out.Body, Attempt: RetentionAttemptDTO{ID: a.ID, ByID: a.ByID,
			ByName: nameOf(names, &a.ByID), Offer: a.Offer, Outcome: a.Outcome, Note: a.Note, At: a.At.UTC()}}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "approve"), huma.Operation{
		OperationID: "approve-refund-request", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests/{id}/approve", Tags: []string{"Refunds"},
		Summary: "Approve a refund",
		Description: "Within the approver's limit (refund-settings approval_limits, the highest of the approver's roles) the request is approved; " +
			"above it the request stays in review until a second, different approver approves the same amount. Whoever approves cannot pay out. With If-Match.",
		Errors: ifMatch,
	}, func(ctx context.Context, in *decisionInput[ApproveRefundBody]) (*requestOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		r, err := svc.Approve(ctx, httpapi.OrgID(ctx), in.ID, v, ApproveInput{Amount: in.Body.Amount, Note: in.Body.Note, StopInstalments: in.Body.StopInstalments})
		if err != nil {
			return nil, err
		}
		return requestOut(ctx, svc, httpapi.OrgID(ctx), r, http.StatusOK)
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "approve"), huma.Operation{
		OperationID: "reject-refund-request", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests/{id}/reject", Tags: []string{"Refunds"},
		Summary: "Reject a refund", Description: "An undecided request is refused, with the reason. With If-Match.", Errors: ifMatch,
	}, func(ctx context.Context, in *decisionInput[RejectRefundBody]) (*requestOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		r, err := svc.Reject(ctx, httpapi.OrgID(ctx), in.ID, v, in.Body.Note)
		if err != nil {
			return nil, err
		}
		return requestOut(ctx, svc, httpapi.OrgID(ctx), r, http.StatusOK)
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "execute"), huma.Operation{
		OperationID: "start-refund-processing", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests/{id}/processing", Tags: []string{"Refunds"},
		Summary:     "Mark a payout as sent",
		Description: "approved → processing, when the payout goes through a provider that confirms later. Not by whoever approved it (403). With If-Match.",
		Errors:      ifMatch,
	}, func(ctx context.Context, in *struct {
		RequestPath
		httpapi.IfMatch
	}) (*requestOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		r, err := svc.StartProcessing(ctx, httpapi.OrgID(ctx), in.ID, v)
		if err != nil {
			return nil, err
		}
		return requestOut(ctx, svc, httpapi.OrgID(ctx), r, http.StatusOK)
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "execute"), huma.Operation{
		OperationID: "execute-refund-request", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests/{id}/execute", Tags: []string{"Refunds"},
		Summary: "Pay a refund out",
		Description: "Writes the approved amount into the order ledger and closes the request as refunded, in one transaction; never beyond what " +
			"was actually paid. The Idempotency-Key is required: the same key again returns the result with 200; another key, or another body, 409. " +
			"Not by whoever approved it (403).",
		Errors: []int{http.StatusConflict}, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		RequestPath
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Required: the payout is recorded once under it."`
		Body           ExecuteRefundBody
	}) (*requestOutput, error) {
		var at time.Time
		if in.Body.RefundedAt != nil {
			at = *in.Body.RefundedAt
		}
		r, created, err := svc.Execute(ctx, httpapi.OrgID(ctx), in.ID, in.IdempotencyKey, ExecuteInput{RefundedAt: at, Note: in.Body.Note})
		if err != nil {
			return nil, err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return requestOut(ctx, svc, httpapi.OrgID(ctx), r, status)
	})
	documentReplay(api, "/v1/orgs/{org}/refund-requests/{id}/execute")

	httpapi.Register(api, httpapi.OrgPermission("refund_requests", "execute"), huma.Operation{
		OperationID: "fail-refund-request", Method: http.MethodPost, Path: "/v1/orgs/{org}/refund-requests/{id}/fail", Tags: []string{"Refunds"},
		Summary: "Record a failed payout", Description: "processing → failed, with the reason. With If-Match.", Errors: ifMatch,
	}, func(ctx context.Context, in *decisionInput[FailRefundBody]) (*requestOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		r, err := svc.Fail(ctx, httpapi.OrgID(ctx), in.ID, v, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return requestOut(ctx, svc, httpapi.OrgID(ctx), r, http.StatusOK)
	})
}
