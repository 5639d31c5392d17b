package refunds

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the refund operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Refunds", "Refund requests: reason, evidence, retention, approval by the head and payout by finance into the order ledger.")
	httpapi.DefineTag(api, "Refund analytics", "Refund rate by reason, cohort, course, curator and month; retention of attempts; time to decision.")
	registerRequests(api, svc)
	registerDecisions(api, svc)
	registerSettings(api, svc)
	registerAnalytics(api, svc)
}

// RequestPath addresses one refund request.
type RequestPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Refund request id."`
}

// RefundRequestDTO is a refund request with the names beside the ids.
type RefundRequestDTO struct {
	ID              string     `json:"id" format:"uuid"`
	OrderID         string     `json:"order_id" format:"uuid"`
	StudentID       string     `json:"student_id" format:"uuid"`
	EnrollmentID    *string    `json:"enrollment_id" format:"uuid"`
	CohortID        *string    `json:"cohort_id" format:"uuid"`
	CourseID        *string    `json:"course_id" format:"uuid"`
	ProductID       *string    `json:"product_id" format:"uuid"`
	CuratorID       *string    `json:"curator_id" format:"uuid" doc:"The student's curator when the request was raised."`
	CuratorName     *string    `json:"curator_name"`
	Reason          string     `json:"reason" doc:"Code from the school's reason catalog; unspecified for a refund that arrived without a request."`
	ReasonTitle     string     `json:"reason_title"`
	Comment         string     `json:"comment"`
	Channel         string     `json:"channel" enum:"lms,chat,email,phone,in_person,other"`
	RaisedBy        string     `json:"raised_by" enum:"student,curator,head,ledger" doc:"ledger: recorded because a refund arrived from the LMS or a payment provider with no request open."`
	RaisedByUserID  *string    `json:"raised_by_user_id" doc:"The person or API key that entered it."`
	RequestedAmount int64      `json:"requested_amount" doc:"Minor units (kopecks)."`
	ApprovedAmount  *int64     `json:"approved_amount"`
	RefundedAmount  *int64     `json:"refunded_amount"`
	Currency        string     `json:"currency" example:"RUB"`
	Status          string     `json:"status" enum:"requested,in_review,approved,rejected,retained,processing,refunded,failed"`
	ApprovalsNeeded int        `json:"approvals_needed" doc:"2 once an approver's limit was below the amount: a second approver must agree."`
	Flagged         bool       `json:"flagged" doc:"The refund reached the ledger without an approved request."`
	StopInstalments bool       `json:"stop_instalments" doc:"The approver asked to cancel the instalments not yet due."`
	DueAt           time.Time  `json:"decision_due_at" doc:"When the decision is due, in the school's business hours."`
	Escalated       bool       `json:"escalated"`
	EscalatedAt     *time.Time `json:"escalated_at"`
	DecidedAt       *time.Time `json:"decided_at"`
	DecidedBy       *string    `json:"decided_by" format:"uuid"`
	DecidedByName   *string    `json:"decided_by_name"`
	DecisionNote    string     `json:"decision_note"`
	ExecutedBy      *string    `json:"executed_by" format:"uuid"`
	ExecutedByName  *string    `json:"executed_by_name"`
	OrderRefundID   *string    `json:"order_refund_id" format:"uuid" doc:"The ledger refund that paid it."`
	RefundedAt      *time.Time `json:"refunded_at"`
	FailureReason   string     `json:"failure_reason"`
	ExternalID      *string    `json:"external_id" doc:"The LMS's id of a request raised there."`
	RequestedAt     time.Time  `json:"requested_at"`
	Version         int64      `json:"version"`
}

func nameOf(names map[string]string, id *string) *string {
	if id == nil {
		return nil
	}
	if n, ok := names[*id]; ok {
		return &n
	}
	return nil
}

func requestDTO(r *Request, names map[string]string, st *Settings) RefundRequestDTO {
	title := "Не указана"
	if reason, ok := st.Reason(r.Reason); ok {
		title = reason.Title
	}
	return RefundRequestDTO{ID: r.ID, OrderID: r.OrderID, StudentID: r.StudentID, EnrollmentID: r.EnrollmentID, CohortID: r.CohortID,
		CourseID: r.CourseID, ProductID: r.ProductID, CuratorID: r.CuratorID, CuratorName: nameOf(names, r.CuratorID), Reason: r.Reason,
		ReasonTitle: title, Comment: r.Comment, Channel: r.Channel, RaisedBy: r.RaisedByKind, RaisedByUserID: r.RaisedBy,
		RequestedAmount: r.RequestedAmount, ApprovedAmount: r.ApprovedAmount, RefundedAmount: r.RefundedAmount, Currency: r.Currency,
		Status: r.Status, ApprovalsNeeded: r.ApprovalsNeeded, Flagged: r.Flagged, StopInstalments: r.StopInstalments, DueAt: r.DueAt.UTC(),
		Escalated: r.EscalatedAt != nil, EscalatedAt: httpapi.UTC(r.EscalatedAt), DecidedAt: httpapi.UTC(r.DecidedAt), DecidedBy: r.DecidedBy,
		DecidedByName: nameOf(names, r.DecidedBy), DecisionNote: r.DecisionNote, ExecutedBy: r.ExecutedBy, ExecutedByName: nameOf(names, r.ExecutedBy),
		OrderRefundID: r.OrderRefundID, RefundedAt: httpapi.UTC(r.RefundedAt), FailureReason: r.FailureReason, ExternalID: r.ExternalID,
		RequestedAt: r.RequestedAt.UTC(), Version: r.Version}
}

type requestOutput struct {
	ETag   string `header:"ETag"`
	Status int
	Body   RefundRequestDTO
}

// requestOut answers a changed request with its names.
func requestOut(ctx context.Context, svc *Service, orgID string, r *Request, status int) (*requestOutput, error) {
	st, err := svc.Settings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range []*string{r.CuratorID, r.DecidedBy, r.ExecutedBy} {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	names, err := svc.StaffNames(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	return &requestOutput{ETag: httpapi.ETag(r.Version), Status: status, Body: requestDTO(r, names, st)}, nil
}

// documentReplay declares the 200 that a POST at path answers when its
// Idempotency-Key was used before: the recorded result, shaped as the 201.
func documentReplay(api huma.API, path string) {
	item := api.OpenAPI().Paths[path]
	if item == nil || item.Post == nil {
		return
	}
	created := item.Post.Responses[strconv.Itoa(http.StatusCreated)]
	if created == nil {
		return
	}
	item.Post.Responses[strconv.Itoa(http.StatusOK)] = &huma.Response{
		Description: "The result recorded under this Idempotency-Key by an earlier request.",
		Headers:     created.Headers, Content: created.Content,
	}
}
