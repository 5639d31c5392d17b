package refunds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// ExecuteInput is finance's payout of an approved request.
type ExecuteInput struct {
	// RefundedAt is when the money left; zero means now.
	RefundedAt time.Time
	Note       string
}

func (in ExecuteInput) check(now time.Time) error {
	if !in.RefundedAt.IsZero() {
		if err := clock.CheckFact("body.refunded_at", in.RefundedAt, now); err != nil {
			return err
		}
	}
	if len([]rune(in.Note)) > 2000 {
		return errs.Invalid("body.note", "must be at most 2000 characters")
	}
	return nil
}

func (in ExecuteInput) hash() string {
	at := ""
	if !in.RefundedAt.IsZero() {
		at = in.RefundedAt.UTC().Format(time.RFC3339Nano)
	}
	sum := sha256.Sum256([]byte(at + "\x00" + strings.TrimSpace(in.Note)))
	return hex.EncodeToString(sum[:])
}

// Execute pays an approved request out: in one transaction it writes the
// refund into the order ledger (never beyond what was actually paid, the
// order locked on PostgreSQL) and closes the request as refunded. The
// idempotency key makes a retry answer the first result (created false);
// the same key with another body, or a request already paid under another
// key, is a conflict. Whoever approved the request may not pay it (403).
func (s *Service) Execute(ctx context.Context, orgID, id, key string, in ExecuteInput) (*Request, bool, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, false, errs.Invalid("header.Idempotency-Key", "is required: a payout is recorded once")
	}
	if err := in.check(s.Now()); err != nil {
		return nil, false, err
	}
	var (
		out     *Request
		created bool
	)
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.store.LockRequest(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if r.ExecutionKey != nil {
			out = r
			return replayedExecution(r, key, in)
		}
		if !r.Executable() {
			return errs.Conflict("the request is %s; only an approved one can be paid out", r.Status)
		}
		actor := actorOf(ctx)
		if err := s.checker(ctx, tx, r, actor); err != nil {
			return err
		}
		out, err = s.payOut(ctx, tx, r, actor, key, in)
		created = err == nil
		return err
	})
	return out, created, err
}

// replayedExecution answers a payout asked for again.
func replayedExecution(r *Request, key string, in ExecuteInput) error {
	if *r.ExecutionKey != key {
		return errs.Conflict("the request was paid out already under another idempotency key")
	}
	if r.ExecutionHash == nil || *r.ExecutionHash != in.hash() {
		return errs.Conflict("a payout with this idempotency key exists with different content")
	}
	return nil
}

// payOut writes the ledger refund and moves the request through
// processing to refunded.
func (s *Service) payOut(ctx context.Context, tx bun.IDB, r *Request, actor, key string, in ExecuteInput) (*Request, error) {
	now := s.Now()
	at := in.RefundedAt
	if at.IsZero() {
		at = now
	}
	o, err := s.school.Order(ctx, r.OrgID, r.OrderID)
	if err != nil {
		return nil, err
	}
	paid := Calculate(*o, OfferTerms{}, at, 0).Paid
	ledger, err := s.school.RecordRefund(ctx, tx, r.OrgID, r.OrderID, r.ID, *r.ApprovedAmount, at, s.reasonTitle(ctx, r), paid)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusApproved {
		next := *r
		next.Status, next.ExecutedBy = StatusProcessing, &actor
		if err := s.write(ctx, tx, r, &next, ""); err != nil {
			return nil, err
		}
		r = &next
	}
	next := *r
	hash, refunded, refundedAt := in.hash(), ledger.Amount, ledger.RefundedAt
	next.Status, next.ExecutedBy, next.ExecutionKey, next.ExecutionHash = StatusRefunded, &actor, &key, &hash
	next.RefundedAmount, next.RefundedAt, next.OrderRefundID = &refunded, &refundedAt, &ledger.ID
	return &next, s.write(ctx, tx, r, &next, strings.TrimSpace(in.Note))
}

// write stores a change of a request already locked in tx, with its
// history, event and audit entry.
func (s *Service) write(ctx context.Context, tx bun.IDB, before, after *Request, note string) error {
	after.Bump(s.Now())
	ok, err := s.store.UpdateRequest(ctx, tx, after, before.Version)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Stale("the refund request", before.Version+1)
	}
	return s.recordChange(ctx, tx, before, after, note, after.RefundedAmount)
}

// reasonTitle is the ledger's text for the request's reason.
func (s *Service) reasonTitle(ctx context.Context, r *Request) string {
	st, err := s.store.Settings(ctx, s.DB, r.OrgID)
	if err == nil {
		if reason, ok := st.Reason(r.Reason); ok {
			return reason.Title
		}
	}
	return r.Reason
}
