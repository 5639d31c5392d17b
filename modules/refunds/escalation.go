package refunds

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/background"
)

// escalationBatch bounds one pass's transaction.
const escalationBatch = 100

// EscalationInterval is how often Start looks for overdue decisions.
const EscalationInterval = time.Minute

// EscalationPayload is the data of refund.escalated.
type EscalationPayload struct {
	RequestID   string    `json:"request_id"`
	OrderID     string    `json:"order_id"`
	StudentID   string    `json:"student_id"`
	CuratorID   *string   `json:"curator_id"`
	Status      string    `json:"status"`
	RequestedAt time.Time `json:"requested_at"`
	DueAt       time.Time `json:"due_at"`
}

// RunOnce escalates every undecided request whose decision deadline passed
// by now: it is marked escalated (the head's list shows it), audited and
// announced as refund.escalated, once. Rows another replica's pass holds
// are skipped, so every replica may run it. It returns how many it
// escalated.
func (s *Service) RunOnce(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		n := 0
		err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			rows, err := s.store.DueForEscalation(ctx, tx, now, escalationBatch)
			if err != nil {
				return err
			}
			n = len(rows)
			for i := range rows {
				if err := s.escalate(ctx, tx, &rows[i], now); err != nil {
					return err
				}
			}
			return nil
		})
		total += n
		if err != nil || n < escalationBatch {
			return total, err
		}
	}
}

func (s *Service) escalate(ctx context.Context, tx bun.IDB, r *Request, now time.Time) error {
	before := *r
	at := now.UTC()
	r.EscalatedAt = &at
	r.Bump(now)
	ok, err := s.store.UpdateRequest(ctx, tx, r, before.Version)
	if err != nil || !ok {
		return err
	}
	if err := s.publish.Publish(ctx, tx, r.OrgID, EventEscalated, EscalationPayload{RequestID: r.ID, OrderID: r.OrderID, StudentID: r.StudentID,
		CuratorID: r.CuratorID, Status: r.Status, RequestedAt: r.RequestedAt, DueAt: r.DueAt}); err != nil {
		return err
	}
	return s.Record(ctx, tx, r.OrgID, entityRequest, r.ID, auditlog.Diff(&before, r))
}

// Start escalates overdue decisions every EscalationInterval until ctx
// ends; the returned stop ends it and waits for a pass in flight.
func (s *Service) Start(ctx context.Context) (stop func()) {
	return background.Every(ctx, EscalationInterval, s.logger, "refund-escalations", func(ctx context.Context) error {
		_, err := s.RunOnce(ctx, s.Now())
		return err
	})
}
