package school

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// ledgerOrder is an order row with the course it belongs to.
type ledgerOrder struct {
	ID        string    `bun:"id"`
	StudentID string    `bun:"student_id"`
	CohortID  *string   `bun:"cohort_id"`
	CourseID  *string   `bun:"course_id"`
	Amount    int64     `bun:"amount"`
	PaidAt    time.Time `bun:"paid_at"`
}

// ledgerScope is the orders a period's money figures read: those of the
// students who paid in [from, to), and those refunded in it.
func ledgerScope(db bun.IDB, orgID string, from, to time.Time) *bun.SelectQuery {
	payers := db.NewSelect().TableExpr("orders").Column("student_id").
		Where("org_id = ? AND paid_at >= ? AND paid_at < ?", orgID, from, to)
	refunded := db.NewSelect().TableExpr("order_refunds").Column("order_id").
		Where("org_id = ? AND refunded_at >= ? AND refunded_at < ?", orgID, from, to)
	return db.NewSelect().TableExpr("orders AS o").Column("o.id").
		Where("o.org_id = ?", orgID).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("o.student_id IN (?)", payers).WhereOr("o.id IN (?)", refunded)
		})
}

// LedgerOrders lists the orders of the period's scope with their course.
func (Store) LedgerOrders(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]ledgerOrder, error) {
	var out []ledgerOrder
	err := db.NewSelect().TableExpr("orders AS o").
		ColumnExpr("o.id, o.student_id, o.cohort_id, COALESCE(c.course_id, p.course_id) AS course_id, o.amount, o.paid_at").
		Join("LEFT JOIN cohorts AS c ON c.id = o.cohort_id AND c.org_id = o.org_id").
		Join("LEFT JOIN products AS p ON p.id = o.product_id AND p.org_id = o.org_id").
		Where("o.org_id = ?", orgID).
		Where("o.id IN (?)", ledgerScope(db, orgID, from, to)).
		OrderExpr("o.paid_at ASC, o.id ASC").Scan(ctx, &out)
	return out, err
}

// LedgerRefunds lists the refunds of the orders of the period's scope.
func (Store) LedgerRefunds(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]OrderRefund, error) {
	var out []OrderRefund
	err := db.NewSelect().Model(&out).Column("id", "order_id", "amount", "refunded_at").
		Where("org_id = ?", orgID).
		Where("order_id IN (?)", ledgerScope(db, orgID, from, to)).
		OrderExpr("refunded_at ASC, id ASC").Scan(ctx)
	return out, err
}

// EnrollmentRecords lists every enrollment of the cohorts, through
// enrollments_cohort_idx.
func (Store) EnrollmentRecords(ctx context.Context, db bun.IDB, orgID string, cohortIDs []string) ([]EnrollmentRecord, error) {
	var out []EnrollmentRecord
	if len(cohortIDs) == 0 {
		return out, nil
	}
	err := db.NewSelect().Model((*Enrollment)(nil)).Column("id", "student_id", "cohort_id", "curator_id", "status").
		Where("org_id = ? AND cohort_id IN (?)", orgID, bun.In(cohortIDs)).OrderExpr("id ASC").Scan(ctx, &out)
	return out, err
}

// CuratorHistories lists the curator changes of the enrollments, oldest
// first.
func (Store) CuratorHistories(ctx context.Context, db bun.IDB, orgID string, enrollmentIDs []string) ([]CuratorAssignment, error) {
	var out []CuratorAssignment
	if len(enrollmentIDs) == 0 {
		return out, nil
	}
	err := db.NewSelect().Model(&out).Where("org_id = ? AND enrollment_id IN (?)", orgID, bun.In(enrollmentIDs)).
		OrderExpr("enrollment_id ASC, assigned_at ASC, id ASC").Scan(ctx)
	return out, err
}

// CohortDates lists the school's cohorts with their course and dates.
func (Store) CohortDates(ctx context.Context, db bun.IDB, orgID string) ([]CohortDates, error) {
	var out []CohortDates
	err := db.NewSelect().Model((*Cohort)(nil)).Column("id", "course_id", "name", "starts_on", "ends_on").
		Where("org_id = ?", orgID).OrderExpr("starts_on ASC, id ASC").Scan(ctx, &out)
	return out, err
}
