package school

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// curatedEnrollment is an enrollment with its course and date.
type curatedEnrollment struct {
	ID         string    `bun:"id"`
	StudentID  string    `bun:"student_id"`
	CohortID   string    `bun:"cohort_id"`
	CourseID   string    `bun:"course_id"`
	CuratorID  *string   `bun:"curator_id"`
	EnrolledAt time.Time `bun:"enrolled_at"`
}

// CuratedEnrollments lists the school's enrollments made before `before`,
// whatever their status, with their cohort's course.
func (Store) CuratedEnrollments(ctx context.Context, db bun.IDB, orgID string, before time.Time) ([]curatedEnrollment, error) {
	var out []curatedEnrollment
	err := db.NewSelect().TableExpr("enrollments AS e").
		ColumnExpr("e.id, e.student_id, e.cohort_id, c.course_id, e.curator_id, e.enrolled_at").
		Join("JOIN cohorts AS c ON c.id = e.cohort_id AND c.org_id = e.org_id").
		Where("e.org_id = ? AND e.enrolled_at < ?", orgID, before).
		OrderExpr("e.id ASC").Scan(ctx, &out)
	return out, err
}

// CuratorHistoryBefore lists the school's curator changes made before
// `before`, oldest first, and the first change of every enrollment
// whenever made, which tells who held it before.
func (Store) CuratorHistoryBefore(ctx context.Context, db bun.IDB, orgID string, before time.Time) ([]CuratorAssignment, error) {
	var out []CuratorAssignment
	err := db.NewSelect().Model(&out).Where("org_id = ?", orgID).
		OrderExpr("enrollment_id ASC, assigned_at ASC, id ASC").Scan(ctx)
	if err != nil {
		return nil, err
	}
	// Keep each enrollment's first row and every row before `before`.
	kept := out[:0]
	for i, h := range out {
		if i == 0 || out[i-1].EnrollmentID != h.EnrollmentID || h.AssignedAt.Before(before) {
			kept = append(kept, h)
		}
	}
	return kept, nil
}

// OrdersPaidBefore lists the school's orders paid before `before`, oldest
// first; the (org_id, paid_at) index reads them in order.
func (Store) OrdersPaidBefore(ctx context.Context, db bun.IDB, orgID string, before time.Time) ([]Order, error) {
	var out []Order
	err := db.NewSelect().Model(&out).Column("id", "student_id", "cohort_id", "amount", "paid_at").
		Where("org_id = ? AND paid_at < ?", orgID, before).OrderExpr("paid_at ASC, id ASC").Scan(ctx)
	return out, err
}

// RefundsOfOrdersPaidBefore lists every refund of the orders paid before
// `before`, oldest first.
func (Store) RefundsOfOrdersPaidBefore(ctx context.Context, db bun.IDB, orgID string, before time.Time) ([]OrderRefund, error) {
	var out []OrderRefund
	err := db.NewSelect().Model(&out).ColumnExpr("r.id, r.order_id, r.amount, r.refunded_at, r.created_at").
		ModelTableExpr("order_refunds AS r").
		Join("JOIN orders AS o ON o.id = r.order_id AND o.org_id = r.org_id").
		Where("r.org_id = ? AND o.paid_at < ?", orgID, before).
		OrderExpr("r.refunded_at ASC, r.id ASC").Scan(ctx)
	return out, err
}

// AssignmentKinds lists the school's assignments with their kind.
func (Store) AssignmentKinds(ctx context.Context, db bun.IDB, orgID string) ([]Assignment, error) {
	var out []Assignment
	err := db.NewSelect().Model(&out).Column("id", "kind").Where("org_id = ?", orgID).Scan(ctx)
	return out, err
}

// ModulesAtPosition lists the ids of the modules at position in the
// school's courses.
func (Store) ModulesAtPosition(ctx context.Context, db bun.IDB, orgID string, position int) ([]string, error) {
	var out []string
	err := db.NewSelect().Model((*CourseModule)(nil)).Column("id").
		Where("org_id = ? AND position = ?", orgID, position).Scan(ctx, &out)
	return out, err
}
