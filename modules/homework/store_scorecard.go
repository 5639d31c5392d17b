package homework

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// scorecardReview is a reviewed submission as the scorecard reads it.
type scorecardReview struct {
	ReviewedBy    *string   `bun:"reviewed_by"`
	CohortID      string    `bun:"cohort_id"`
	CourseID      string    `bun:"course_id"`
	ReviewedAt    time.Time `bun:"reviewed_at"`
	DueAt         time.Time `bun:"due_at"`
	ReviewSeconds *int64    `bun:"review_seconds"`
}

// ScorecardReviews streams the submissions reviewed in [from, to), row by
// row: a period of a large school has ~100,000 of them.
func (Store) ScorecardReviews(ctx context.Context, db bun.IDB, orgID string, from, to time.Time, fn func(scorecardReview)) error {
	rows, err := db.NewSelect().TableExpr("homework_submissions").
		Column("reviewed_by", "cohort_id", "course_id", "reviewed_at", "due_at", "review_seconds").
		Where("org_id = ? AND reviewed_at >= ? AND reviewed_at < ?", orgID, from, to).Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r scorecardReview
		if err := rows.Scan(&r.ReviewedBy, &r.CohortID, &r.CourseID, &r.ReviewedAt, &r.DueAt, &r.ReviewSeconds); err != nil {
			return err
		}
		fn(r)
	}
	return rows.Err()
}

// StudentsOfModules lists, per module id, the students who handed in the
// module's homework at least once; the (org_id, module_id, student_id)
// index answers it without reading the submissions.
func (Store) StudentsOfModules(ctx context.Context, db bun.IDB, orgID string, moduleIDs []string) (map[string]map[string]struct{}, error) {
	return studentsPerModule(ctx, db, orgID, "module_id", moduleIDs)
}

// scorecardCheck is a quality check with its submission's cohort and course
// and the time of the review checked.
type scorecardCheck struct {
	QualityCheck `bun:",extend"`
	CohortID     string    `bun:"cohort_id,scanonly"`
	CourseID     string    `bun:"course_id,scanonly"`
	ReviewedAt   time.Time `bun:"reviewed_at,scanonly"`
}

// ScorecardChecks lists the quality checks of the reviews made in [from, to).
func (Store) ScorecardChecks(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]scorecardCheck, error) {
	var out []scorecardCheck
	err := db.NewSelect().Model(&out).
		ColumnExpr("qc.*").ColumnExpr("s.cohort_id AS cohort_id, s.course_id AS course_id, r.created_at AS reviewed_at").
		Join("JOIN homework_reviews AS r ON r.id = qc.review_id AND r.org_id = qc.org_id").
		Join("JOIN homework_submissions AS s ON s.id = qc.submission_id AND s.org_id = qc.org_id").
		Where("qc.org_id = ? AND r.created_at >= ? AND r.created_at < ?", orgID, from, to).
		ModelTableExpr("homework_quality_checks AS qc").Scan(ctx)
	return out, err
}
