package refunds

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// DefaultSource names requests that arrive from the LMS without a source.
const DefaultSource = "lms"

// EventHandlers returns the handlers of the refund events the LMS sends.
func (s *Service) EventHandlers() map[string]events.Handler {
	return map[string]events.Handler{"refund.requested": s.handleRefundRequested}
}

type requestedEvent struct {
	ExternalID      string `json:"external_id"`
	Source          string `json:"source"`
	OrderExternalID string `json:"order_external_id"`
	Reason          string `json:"reason"`
	Comment         string `json:"comment"`
	Amount          *int64 `json:"amount"`
}

// handleRefundRequested raises the request a student made in the LMS, in
// the inbox's transaction; the evidence is read beside it.
func (s *Service) handleRefundRequested(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d requestedEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("external_id", d.ExternalID, "order_external_id", d.OrderExternalID, "reason", d.Reason); err != nil {
		return err
	}
	src := d.Source
	if strings.TrimSpace(src) == "" {
		src = DefaultSource
	}
	o, err := s.school.OrderByExternalID(ctx, ev.OrgID, src, d.OrderExternalID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("data.order_external_id", "no order with this external id")
	} else if err != nil {
		return err
	}
	r, pack, err := s.prepareRequest(ctx, ev.OrgID, NewRequest{OrderID: o.ID, Reason: d.Reason, Comment: d.Comment, Channel: "lms",
		RaisedBy: RaisedByStudent, Amount: d.Amount, Source: src, ExternalID: d.ExternalID, RequestedAt: ev.OccurredAt, loc: "data."})
	if err != nil {
		return err
	}
	return s.insertRequest(ctx, tx, r, pack)
}

// LedgerRefundFact is a refund that reached the order ledger from an
// order.refunded event rather than through a request.
type LedgerRefundFact struct {
	OrgID      string
	RefundID   string
	OrderID    string
	Amount     int64
	RefundedAt time.Time
	Reason     string
}

// RefundArrived links a refund that arrived from the LMS or a payment
// provider to the order's oldest open request, which it closes as refunded;
// with no request open it records one with reason unspecified, flagged for
// the head, so that every refund has a request and a reason to be asked
// about. It runs in the transaction that wrote the ledger row.
func (s *Service) RefundArrived(ctx context.Context, tx bun.IDB, f LedgerRefundFact) error {
	r, err := s.store.OpenRequestOfOrder(ctx, tx, f.OrgID, f.OrderID)
	if err == nil {
		next := *r
		amount, at := f.Amount, f.RefundedAt.UTC()
		next.Status, next.RefundedAmount, next.RefundedAt, next.OrderRefundID = StatusRefunded, &amount, &at, &f.RefundID
		if next.ApprovedAmount == nil {
			next.Flagged = true
		}
		return s.write(ctx, tx, r, &next, "refund arrived from the ledger: "+f.Reason)
	}
	if !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	o, err := s.school.OrderIn(ctx, tx, f.OrgID, f.OrderID)
	if err != nil {
		return err
	}
	now := s.Now()
	amount, at := f.Amount, f.RefundedAt.UTC()
	req := &Request{ID: ids.New(), OrgID: f.OrgID, OrderID: o.ID, StudentID: o.StudentID, EnrollmentID: o.EnrollmentID, CohortID: o.CohortID,
		CourseID: o.CourseID, ProductID: o.ProductID, CuratorID: o.CuratorID, Reason: ReasonUnspecified, Comment: f.Reason, Channel: "other",
		RaisedByKind: RaisedByLedger, RequestedAmount: f.Amount, RefundedAmount: &amount, RefundedAt: &at, OrderRefundID: &f.RefundID,
		Currency: o.Currency, Status: StatusRefunded, ApprovalsNeeded: 1, Flagged: true, DueAt: at, RequestedAt: at,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.InsertRequest(ctx, tx, req); err != nil {
		return err
	}
	pack := EvidencePack{AssembledAt: now.UTC(), ModulesTotal: o.ModuleCount, Homework: []HomeworkFact{}, Conversations: []ConversationFact{},
		Surveys: []SurveyAnswerFact{}, PreviousRefunds: []PreviousRefund{}, Notes: []string{"the refund arrived without a request: no evidence was gathered before it"}}
	if err := s.store.InsertEvidence(ctx, tx, &Evidence{RequestID: req.ID, OrgID: f.OrgID, Body: pack, AssembledAt: now}); err != nil {
		return err
	}
	return s.recordChange(ctx, tx, nil, req, "refund arrived without a request", &amount)
}
