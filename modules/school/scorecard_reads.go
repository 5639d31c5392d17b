package school

import (
	"context"
	"time"
)

// LedgerRefund is one refund of an order.
type LedgerRefund struct {
	Amount int64
	At     time.Time
}

// LedgerOrder is an order with its refunds and the course it belongs to:
// its cohort's course, else its product's.
type LedgerOrder struct {
	ID        string
	StudentID string
	CohortID  *string
	CourseID  *string
	Amount    int64
	PaidAt    time.Time
	Refunds   []LedgerRefund
}

// LedgerForPeriod returns what money figures of [from, to) need from the
// order ledger: every order, of all time, of the students who paid in the
// period (their lifetime value and repeat purchases), and every order with
// a refund made in the period, each order with all its refunds.
func (s *Service) LedgerForPeriod(ctx context.Context, orgID string, from, to time.Time) ([]LedgerOrder, error) {
	orders, err := s.store.LedgerOrders(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	refunds, err := s.store.LedgerRefunds(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	byOrder := map[string][]LedgerRefund{}
	for _, r := range refunds {
		byOrder[r.OrderID] = append(byOrder[r.OrderID], LedgerRefund{Amount: r.Amount, At: r.RefundedAt})
	}
	out := make([]LedgerOrder, len(orders))
	for i, o := range orders {
		out[i] = LedgerOrder{ID: o.ID, StudentID: o.StudentID, CohortID: o.CohortID, CourseID: o.CourseID, Amount: o.Amount,
			PaidAt: o.PaidAt, Refunds: byOrder[o.ID]}
	}
	return out, nil
}

// EnrollmentRecord is an enrollment as the scorecard reads it.
type EnrollmentRecord struct {
	ID        string
	StudentID string
	CohortID  string
	CuratorID *string
	Status    string
}

// CohortEnrollments lists every enrollment of the cohorts, whatever its
// status.
func (s *Service) CohortEnrollments(ctx context.Context, orgID string, cohortIDs []string) ([]EnrollmentRecord, error) {
	return s.store.EnrollmentRecords(ctx, s.DB, orgID, cohortIDs)
}

// CuratorHistories returns the curator changes of the enrollments, oldest
// first, by enrollment id.
func (s *Service) CuratorHistories(ctx context.Context, orgID string, enrollmentIDs []string) (map[string][]CuratorAssignment, error) {
	rows, err := s.store.CuratorHistories(ctx, s.DB, orgID, enrollmentIDs)
	if err != nil {
		return nil, err
	}
	out := map[string][]CuratorAssignment{}
	for _, r := range rows {
		out[r.EnrollmentID] = append(out[r.EnrollmentID], r)
	}
	return out, nil
}

// CohortDates is a cohort with its course and dates.
type CohortDates struct {
	ID, CourseID, Name, StartsOn, EndsOn string
}

// AllCohorts lists every cohort of the school with its course and dates.
func (s *Service) AllCohorts(ctx context.Context, orgID string) ([]CohortDates, error) {
	return s.store.CohortDates(ctx, s.DB, orgID)
}
