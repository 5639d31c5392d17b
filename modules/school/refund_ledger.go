package school

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// What refund handling needs of the order ledger. The ledger stays the one
// record of money: a refund request that is executed becomes an
// OrderRefund through RecordRefundTx, under the same rules as any other.

// RefundableOrder is an order with what a refund calculation needs: the
// cohort's dates, the course's module count, the enrollment and its
// curator.
type RefundableOrder struct {
	Order
	CourseID       *string
	CohortName     string
	CohortStartsOn string
	CohortEndsOn   string
	ModuleCount    int
	EnrollmentID   *string
	CuratorID      *string
}

// RefundableOrder returns the order with its cohort, course and enrollment,
// or errs.ErrNotFound when the school has no such order.
func (s *Service) RefundableOrder(ctx context.Context, orgID, orderID string) (*RefundableOrder, error) {
	return s.RefundableOrderIn(ctx, s.DB, orgID, orderID)
}

// RefundableOrderIn is RefundableOrder read in db: an event handler's
// transaction sees the order an earlier event of its batch recorded.
func (s *Service) RefundableOrderIn(ctx context.Context, db bun.IDB, orgID, orderID string) (*RefundableOrder, error) {
	o, err := s.store.Order(ctx, db, orgID, orderID)
	if err != nil {
		return nil, err
	}
	return s.refundable(ctx, orgID, o)
}

// RefundableOrderByExternalID is RefundableOrder for the order the LMS
// knows by external id.
func (s *Service) RefundableOrderByExternalID(ctx context.Context, orgID, source, externalID string) (*RefundableOrder, error) {
	o, err := s.store.OrderByExternalID(ctx, s.DB, orgID, source, externalID)
	if err != nil {
		return nil, err
	}
	return s.refundable(ctx, orgID, o)
}

func (s *Service) refundable(ctx context.Context, orgID string, o *Order) (*RefundableOrder, error) {
	out := &RefundableOrder{Order: *o}
	if o.CohortID == nil {
		return out, nil
	}
	c, err := s.store.Cohort(ctx, s.DB, orgID, *o.CohortID)
	if err != nil {
		return nil, err
	}
	out.CourseID, out.CohortName, out.CohortStartsOn, out.CohortEndsOn = &c.CourseID, c.Name, c.StartsOn, c.EndsOn
	course, err := s.Course(ctx, orgID, c.CourseID)
	if err != nil {
		return nil, err
	}
	out.ModuleCount = len(course.Modules)
	e, err := s.StudentInCohort(ctx, orgID, o.StudentID, c.ID)
	switch {
	case err == nil:
		out.EnrollmentID, out.CuratorID = &e.ID, e.CuratorID
	case !errors.Is(err, errs.ErrNotFound):
		return nil, err
	}
	return out, nil
}

// OrderRefunds lists the refunds of an order, oldest first.
func (s *Service) OrderRefunds(ctx context.Context, orgID, orderID string) ([]OrderRefund, error) {
	return s.store.Refunds(ctx, s.DB, orgID, orderID)
}

// StudentOrders lists every order of a student, by id.
func (s *Service) StudentOrders(ctx context.Context, orgID, studentID string) ([]Order, error) {
	return s.store.ListOrders(ctx, s.DB, orgID, OrderFilter{StudentID: studentID})
}

// OrdersPage lists the school's orders by id after afterID, at most
// limit+1 of them so that the caller can tell a next page is there.
func (s *Service) OrdersPage(ctx context.Context, orgID, afterID string, limit int) ([]Order, error) {
	return s.store.ListOrders(ctx, s.DB, orgID, OrderFilter{AfterID: afterID, Limit: limit})
}

// RecordRefundTx records a refund of an order inside the caller's
// transaction, under the ledger's rules (never above what was paid, an
// external id recorded once), and besides never beyond ceiling in total:
// what an instalment order has actually been paid so far. The order row is
// locked on PostgreSQL first, so two refunds of one order are decided one
// after the other. A replayed external id answers the recorded refund and
// false.
func (s *Service) RecordRefundTx(ctx context.Context, tx bun.IDB, orgID, orderID string, in RefundInput, ceiling int64) (*OrderRefund, bool, error) {
	if err := s.store.LockOrder(ctx, tx, orgID, orderID); err != nil {
		return nil, false, err
	}
	o, err := s.store.Order(ctx, tx, orgID, orderID)
	if err != nil {
		return nil, false, err
	}
	replay := false
	if in.Source != nil && in.ExternalID != nil {
		_, err := s.store.RefundByExternalID(ctx, tx, orgID, *in.Source, *in.ExternalID)
		replay = err == nil
	}
	if !replay && o.Refunded+in.Amount > ceiling {
		return nil, false, errs.Conflict("the order has %d %s left to refund of what was paid", max(ceiling-o.Refunded, 0), o.Currency)
	}
	return s.recordRefund(ctx, tx, orgID, orderID, in, fromBody)
}
