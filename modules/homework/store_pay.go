package homework

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// PayReviews streams the verdicts (kind review) given in [from, to) with
// their submission's assignment and attempt, and whether an overturn row
// names them. The (org_id, created_at) index finds the month's rows, the
// partial index on overturns_review_id answers the EXISTS.
func (Store) PayReviews(ctx context.Context, db bun.IDB, orgID string, from, to time.Time, fn func(PayReview)) error {
	overturn := db.NewSelect().TableExpr("homework_reviews AS o").ColumnExpr("1").
		Where("o.overturns_review_id = r.id AND o.org_id = r.org_id AND o.kind = ?", KindOverturn)
	rows, err := db.NewSelect().TableExpr("homework_reviews AS r").
		Join("JOIN homework_submissions AS s ON s.id = r.submission_id AND s.org_id = r.org_id").
		ColumnExpr("r.id, r.submission_id, r.reviewer_id, s.assignment_id, s.attempt, r.created_at").
		ColumnExpr("CASE WHEN EXISTS (?) THEN 1 ELSE 0 END AS overturned", overturn).
		Where("r.org_id = ? AND r.kind = ? AND r.created_at >= ? AND r.created_at < ?", orgID, KindReview, from, to).
		OrderExpr("r.created_at ASC, r.id ASC").Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r PayReview
		var overturned int
		if err := rows.Scan(&r.ID, &r.SubmissionID, &r.ReviewerID, &r.AssignmentID, &r.Attempt, &r.At, &overturned); err != nil {
			return err
		}
		r.Overturned, r.At = overturned == 1, r.At.UTC()
		fn(r)
	}
	return rows.Err()
}

// PayChecks lists the quality checks of the reviews made in [from, to).
func (Store) PayChecks(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]QualityCheck, error) {
	var out []QualityCheck
	err := db.NewSelect().Model(&out).ColumnExpr("qc.*").
		Join("JOIN homework_reviews AS r ON r.id = qc.review_id AND r.org_id = qc.org_id").
		Where("qc.org_id = ? AND r.created_at >= ? AND r.created_at < ?", orgID, from, to).
		ModelTableExpr("homework_quality_checks AS qc").OrderExpr("r.created_at ASC, qc.id ASC").Scan(ctx)
	return out, err
}

// moduleSubmission is a submission's place: its course and student.
type moduleSubmission struct {
	ID        string `bun:"id"`
	CourseID  string `bun:"course_id"`
	StudentID string `bun:"student_id"`
}

// SubmissionsOfModules lists the submissions of the modules' homework
// handed in before `before`, oldest first; the (org_id, module_id,
// student_id) index narrows them to the modules.
func (Store) SubmissionsOfModules(ctx context.Context, db bun.IDB, orgID string, moduleIDs []string, before time.Time) ([]moduleSubmission, error) {
	var out []moduleSubmission
	err := db.NewSelect().Model((*Submission)(nil)).Column("id", "course_id", "student_id").
		Where("org_id = ? AND module_id IN (?) AND submitted_at < ?", orgID, bun.In(moduleIDs), before).
		OrderExpr("submitted_at ASC, id ASC").Scan(ctx, &out)
	return out, err
}
