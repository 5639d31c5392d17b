package school

import (
	"context"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Lookups for the homework review queue.

// EnrollmentInCourse returns the student's enrollment in a cohort of the
// course, preferring an active one, then the latest; errs.ErrNotFound when
// the student is in no cohort of the course.
func (s *Service) EnrollmentInCourse(ctx context.Context, orgID, studentID, courseID string) (*Enrollment, error) {
	var rows []Enrollment
	err := s.db.NewSelect().Model(&rows).
		Where("enrollment.org_id = ? AND enrollment.student_id = ?", orgID, studentID).
		Where("enrollment.cohort_id IN (SELECT c.id FROM cohorts c WHERE c.org_id = ? AND c.course_id = ?)", orgID, courseID).
		OrderExpr("CASE WHEN enrollment.status = ? THEN 0 ELSE 1 END, enrollment.enrolled_at DESC, enrollment.id DESC", EnrollmentActive).
		Limit(1).Scan(ctx)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.NotFound("enrollment")
	}
	return &rows[0], nil
}

// CuratorCohortIDs lists the cohorts in which the user curates at least
// one student.
func (s *Service) CuratorCohortIDs(ctx context.Context, orgID, curatorID string) ([]string, error) {
	var ids []string
	err := s.db.NewSelect().Model((*Enrollment)(nil)).ColumnExpr("DISTINCT cohort_id").
		Where("org_id = ? AND curator_id = ?", orgID, curatorID).Scan(ctx, &ids)
	return ids, err
}

// CohortHeadcount is a cohort with the number of its students whose
// enrollment is active or completed.
type CohortHeadcount struct {
	ID       string `bun:"id"`
	CourseID string `bun:"course_id"`
	Name     string `bun:"name"`
	Enrolled int    `bun:"enrolled"`
}

// CohortHeadcounts lists the school's cohorts with their headcounts.
func (s *Service) CohortHeadcounts(ctx context.Context, orgID string) ([]CohortHeadcount, error) {
	var rows []CohortHeadcount
	err := s.db.NewSelect().TableExpr("cohorts AS c").ColumnExpr("c.id, c.course_id, c.name").
		ColumnExpr("(SELECT COUNT(*) FROM enrollments e WHERE e.org_id = c.org_id AND e.cohort_id = c.id AND e.status IN (?, ?)) AS enrolled",
			EnrollmentActive, EnrollmentCompleted).
		Where("c.org_id = ?", orgID).OrderExpr("c.id ASC").Scan(ctx, &rows)
	return rows, err
}
