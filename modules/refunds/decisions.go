package refunds

import (
	"context"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// change runs one optimistic change of a request at version in a
// transaction: edit may refuse it; the history, event and audit entry
// follow. after, when given, runs in the same transaction once the row is
// written.
func (s *Service) change(ctx context.Context, orgID, id string, version int64, v Viewer, note string, amount func(*Request) *int64,
	edit func(tx bun.IDB, r *Request) error, after func(tx bun.IDB, r *Request) error) (*Request, error) {
	var out *Request
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, next, err := database.Optimistic[Request, *Request]{
			What: "the refund request",
			Load: func() (*Request, error) {
				r, err := s.store.LockRequest(ctx, tx, orgID, id)
				if err == nil && !v.sees(r) {
					return nil, errs.Forbidden("the request is of a student you do not curate")
				}
				return r, err
			},
			Change: func(r *Request) error { return edit(tx, r) },
			Write:  func(r *Request, was int64) (bool, error) { return s.store.UpdateRequest(ctx, tx, r, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		if after != nil {
			if err := after(tx, next); err != nil {
				return err
			}
		}
		out = next
		var amt *int64
		if amount != nil {
			amt = amount(next)
		}
		return s.recordChange(ctx, tx, before, next, note, amt)
	})
	return out, err
}

func actorOf(ctx context.Context) string { return reqctx.From(ctx).Principal.ActorID() }

// StartReview takes a raised request into review.
func (s *Service) StartReview(ctx context.Context, orgID, id string, version int64, v Viewer) (*Request, error) {
	return s.change(ctx, orgID, id, version, v, "", nil, func(_ bun.IDB, r *Request) error {
		if r.Status != StatusRequested {
			return errs.Conflict("the request is %s; only a requested one can be taken into review", r.Status)
		}
		r.Status = StatusInReview
		return nil
	}, nil)
}

// AttemptInput is one retention attempt.
type AttemptInput struct {
	Offer   string
	Outcome string
	Note    string
}

func (in AttemptInput) check() error {
	var v errs.ValidationError
	if !slices.Contains(Offers, in.Offer) {
		v.Fields = append(v.Fields, errs.FieldError{Location: "body.offer", Message: "must be one of " + strings.Join(Offers, ", ")})
	}
	if in.Outcome != OutcomeKept && in.Outcome != OutcomeRefundContinues {
		v.Fields = append(v.Fields, errs.FieldError{Location: "body.outcome", Message: "must be kept or refund_continues"})
	}
	if len([]rune(in.Note)) > 2000 {
		v.Fields = append(v.Fields, errs.FieldError{Location: "body.note", Message: "must be at most 2000 characters"})
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

// AddAttempt records a retention attempt on an undecided request: it is
// in review from then on, and a kept student closes it as retained.
func (s *Service) AddAttempt(ctx context.Context, orgID, id string, version int64, v Viewer, in AttemptInput) (*Request, *Attempt, error) {
	if err := in.check(); err != nil {
		return nil, nil, err
	}
	actor := actorOf(ctx)
	a := &Attempt{ID: ids.New(), OrgID: orgID, RequestID: id, ByID: actor, Offer: in.Offer, Outcome: in.Outcome, Note: strings.TrimSpace(in.Note), At: s.Now()}
	r, err := s.change(ctx, orgID, id, version, v, a.Note, nil, func(_ bun.IDB, r *Request) error {
		if !r.Undecided() {
			return errs.Conflict("the request is %s; retention is tried before the decision", r.Status)
		}
		r.Status = StatusInReview
		if in.Outcome == OutcomeKept {
			now := s.Now()
			r.Status, r.DecidedAt, r.DecidedBy, r.DecisionNote = StatusRetained, &now, &actor, a.Note
		}
		return nil
	}, func(tx bun.IDB, _ *Request) error { return s.store.InsertAttempt(ctx, tx, a) })
	return r, a, err
}

// ApproveInput is an approver's yes with the amount to refund.
type ApproveInput struct {
	Amount          int64
	Note            string
	StopInstalments bool
}

// Approve records the caller's approval of amount. Within the caller's
// limit (the highest of their roles' limits in the settings) the request
// is approved; above it, it waits in review for a second, different
// approver agreeing to the same amount. The amount never exceeds what was
// paid and not yet refunded.
func (s *Service) Approve(ctx context.Context, orgID, id string, version int64, in ApproveInput) (*Request, error) {
	if in.Amount <= 0 {
		return nil, errs.Invalid("body.amount", "must be positive, in minor units (kopecks)")
	}
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	m := reqctx.From(ctx)
	actor, limit := m.Principal.ActorID(), st.Limit(m.Org.Roles)
	r, err := s.store.Request(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	o, err := s.school.Order(ctx, orgID, r.OrderID)
	if err != nil {
		return nil, err
	}
	ceiling := Calculate(*o, OfferTerms{}, s.Now(), 0).Ceiling
	if in.Amount > ceiling {
		return nil, errs.Invalid("body.amount", "exceeds what was paid and not yet refunded on the order")
	}
	note := strings.TrimSpace(in.Note)
	a := &Approval{ID: ids.New(), OrgID: orgID, RequestID: id, ApproverID: actor, Amount: in.Amount, LimitAmount: limit, Note: note, At: s.Now()}
	return s.change(ctx, orgID, id, version, Viewer{SeesAll: true}, note, func(r *Request) *int64 { return r.ApprovedAmount },
		func(tx bun.IDB, r *Request) error {
			if !r.Undecided() {
				return errs.Conflict("the request is %s; only an undecided one can be approved", r.Status)
			}
			earlier, err := s.store.Approvals(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			r.Status, r.StopInstalments = StatusInReview, in.StopInstalments
			if in.Amount <= limit || seconded(earlier, actor, in.Amount) {
				now, amount := s.Now(), in.Amount
				r.Status, r.ApprovedAmount, r.DecidedAt, r.DecidedBy, r.DecisionNote = StatusApproved, &amount, &now, &actor, note
				return nil
			}
			r.ApprovalsNeeded = 2
			return nil
		}, func(tx bun.IDB, _ *Request) error { return s.store.InsertApproval(ctx, tx, a) })
}

// seconded reports whether someone other than actor approved amount
// already: the second approval a sum above the first approver's limit
// needs.
func seconded(earlier []Approval, actor string, amount int64) bool {
	for _, a := range earlier {
		if a.ApproverID != actor && a.Amount == amount {
			return true
		}
	}
	return false
}

// Reject refuses an undecided request, saying why.
func (s *Service) Reject(ctx context.Context, orgID, id string, version int64, note string) (*Request, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, errs.Invalid("body.note", "is required: say why the refund is refused")
	}
	actor := actorOf(ctx)
	return s.change(ctx, orgID, id, version, Viewer{SeesAll: true}, note, nil, func(_ bun.IDB, r *Request) error {
		if !r.Undecided() {
			return errs.Conflict("the request is %s; only an undecided one can be rejected", r.Status)
		}
		now := s.Now()
		r.Status, r.DecidedAt, r.DecidedBy, r.DecisionNote = StatusRejected, &now, &actor, note
		return nil
	}, nil)
}

// checker refuses (403) the payout of a request to anyone who approved it:
// the maker/checker rule.
func (s *Service) checker(ctx context.Context, tx bun.IDB, r *Request, actor string) error {
	approvals, err := s.store.Approvals(ctx, tx, r.OrgID, r.ID)
	if err != nil {
		return err
	}
	for _, a := range approvals {
		if a.ApproverID == actor {
			return errs.Forbidden("you approved this refund, so someone else must pay it out")
		}
	}
	return nil
}

// StartProcessing marks an approved request as being paid out.
func (s *Service) StartProcessing(ctx context.Context, orgID, id string, version int64) (*Request, error) {
	actor := actorOf(ctx)
	return s.change(ctx, orgID, id, version, Viewer{SeesAll: true}, "", nil, func(tx bun.IDB, r *Request) error {
		if r.Status != StatusApproved {
			return errs.Conflict("the request is %s; only an approved one can be paid out", r.Status)
		}
		if err := s.checker(ctx, tx, r, actor); err != nil {
			return err
		}
		r.Status, r.ExecutedBy = StatusProcessing, &actor
		return nil
	}, nil)
}

// Fail records that the payout of a request in processing failed.
func (s *Service) Fail(ctx context.Context, orgID, id string, version int64, reason string) (*Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, errs.Invalid("body.reason", "is required: say why the payout failed")
	}
	actor := actorOf(ctx)
	return s.change(ctx, orgID, id, version, Viewer{SeesAll: true}, reason, nil, func(tx bun.IDB, r *Request) error {
		if r.Status != StatusProcessing {
			return errs.Conflict("the request is %s; only one in processing can fail", r.Status)
		}
		if err := s.checker(ctx, tx, r, actor); err != nil {
			return err
		}
		r.Status, r.FailureReason = StatusFailed, reason
		return nil
	}, nil)
}
