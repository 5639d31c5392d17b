package homework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// PayReviewGroups passes the verdicts (kind review) given in [from, to)
// to fn grouped by reviewer, assignment, first submission or not,
// overturned or not and the part of the interval (see partOf), each group
// with its count and ids. A verdict carries its submission's assignment
// and attempt, so no submission is read; the overturns are read once, as
// a set the verdicts are looked up in.
func (Store) PayReviewGroups(ctx context.Context, db bun.IDB, orgID string, from, to time.Time, cuts []time.Time, fn func(PayReviewGroup)) error {
	overturned := db.NewSelect().TableExpr("homework_reviews AS o").Column("o.overturns_review_id").
		Where("o.org_id = ? AND o.kind = ? AND o.overturns_review_id IS NOT NULL", orgID, KindOverturn)
	part, partArgs := partOf("r.created_at", cuts)
	rows, err := db.NewSelect().TableExpr("homework_reviews AS r").
		ColumnExpr("r.reviewer_id, r.assignment_id").
		ColumnExpr("CASE WHEN r.attempt > 1 THEN 1 ELSE 0 END AS resubmission").
		ColumnExpr("CASE WHEN r.id IN (?) THEN 1 ELSE 0 END AS overturned", overturned).
		ColumnExpr(part+" AS part", partArgs...).
		ColumnExpr("COUNT(*), "+database.JoinedIDs(db, "r.id")).
		Where("r.org_id = ? AND r.kind = ? AND r.created_at >= ? AND r.created_at < ?", orgID, KindReview, from, to).
		GroupExpr("1, 2, 3, 4, 5").Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g PayReviewGroup
		var resubmission, overturned int
		if err := rows.Scan(&g.ReviewerID, &g.AssignmentID, &resubmission, &overturned, &g.Part, &g.Count, &g.IDs); err != nil {
			return err
		}
		g.Resubmission, g.Overturned = resubmission == 1, overturned == 1
		fn(g)
	}
	return rows.Err()
}

// partOf is the SQL expression numbering the part of an interval that
// column falls in, with its arguments: 0 before cuts[0], i from
// cuts[i-1] on.
func partOf(column string, cuts []time.Time) (string, []any) {
	if len(cuts) == 0 {
		return "0", nil
	}
	var b strings.Builder
	args := make([]any, 0, len(cuts))
	b.WriteString("CASE")
	for i, cut := range cuts {
		fmt.Fprintf(&b, " WHEN %s < ? THEN %d", column, i)
		args = append(args, cut)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(cuts))
	return b.String(), args
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
