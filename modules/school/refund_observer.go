package school

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// RecordedRefund is a ledger refund that arrived from the LMS or a payment
// provider as an order.refunded event, with the order it belongs to.
type RecordedRefund struct {
	OrgID      string
	RefundID   string
	OrderID    string
	StudentID  string
	CohortID   *string
	Amount     int64
	Currency   string
	RefundedAt time.Time
	Reason     string
}

// RefundObserver hears of refunds recorded from order.refunded events, in
// the transaction that records them, so that refund handling can link them
// to the request they settle. An error rolls the event back.
type RefundObserver interface {
	OrderRefunded(ctx context.Context, tx bun.IDB, r RecordedRefund) error
}

// ObserveRefunds sets who hears of refunds recorded from events.
func (s *Service) ObserveRefunds(o RefundObserver) { s.refunds = o }

// refundRecorded tells the observer, when there is one, of a refund just
// recorded from an event.
func (s *Service) refundRecorded(ctx context.Context, tx bun.IDB, o *Order, r *OrderRefund) error {
	if s.refunds == nil {
		return nil
	}
	return s.refunds.OrderRefunded(ctx, tx, RecordedRefund{OrgID: r.OrgID, RefundID: r.ID, OrderID: o.ID, StudentID: o.StudentID,
		CohortID: o.CohortID, Amount: r.Amount, Currency: o.Currency, RefundedAt: r.RefundedAt, Reason: r.Reason})
}
