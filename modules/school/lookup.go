package school

import (
	"context"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Lookups by the LMS's ids, for tools that sync or seed a school: each
// returns errs.ErrNotFound when the school has no such record.

// CourseByExternalID returns the course source knows as externalID.
func (s *Service) CourseByExternalID(ctx context.Context, orgID, source, externalID string) (*Course, error) {
	return s.store.CourseByExternalID(ctx, s.DB, orgID, source, externalID)
}

// CohortByExternalID returns the cohort source knows as externalID.
func (s *Service) CohortByExternalID(ctx context.Context, orgID, source, externalID string) (*Cohort, error) {
	return s.store.CohortByExternalID(ctx, s.DB, orgID, source, externalID)
}

// ProductByExternalID returns the product source knows as externalID.
func (s *Service) ProductByExternalID(ctx context.Context, orgID, source, externalID string) (*Product, error) {
	return s.store.ProductByExternalID(ctx, s.DB, orgID, source, externalID)
}

// StudentByExternalID returns the student source knows as externalID.
func (s *Service) StudentByExternalID(ctx context.Context, orgID, source, externalID string) (*Student, error) {
	return s.store.StudentByExternalID(ctx, s.DB, orgID, source, externalID)
}

// AssignmentByExternalID returns the assignment source knows as externalID.
func (s *Service) AssignmentByExternalID(ctx context.Context, orgID, source, externalID string) (*Assignment, error) {
	return s.store.AssignmentByExternalID(ctx, s.DB, orgID, source, externalID)
}

// Assignment returns one assignment of the school.
func (s *Service) Assignment(ctx context.Context, orgID, id string) (*Assignment, error) {
	return s.store.Assignment(ctx, s.DB, orgID, id)
}

// EnrollmentsOfStudent lists a student's enrollments, oldest first.
func (s *Service) EnrollmentsOfStudent(ctx context.Context, orgID, studentID string) ([]Enrollment, error) {
	return s.store.ListEnrollments(ctx, s.DB, orgID, EnrollmentFilter{StudentID: studentID})
}

// StudentInCohort returns the student's enrollment in the cohort, or
// errs.ErrNotFound.
func (s *Service) StudentInCohort(ctx context.Context, orgID, studentID, cohortID string) (*Enrollment, error) {
	rows, err := s.store.ListEnrollments(ctx, s.DB, orgID, EnrollmentFilter{StudentID: studentID, CohortID: cohortID})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.NotFound("enrollment")
	}
	return &rows[0], nil
}

// Lookups for the homework review queue.

// EnrollmentInCourse returns the student's enrollment in a cohort of the
// course, preferring an active one, then the latest; errs.ErrNotFound when
// the student is in no cohort of the course.
func (s *Service) EnrollmentInCourse(ctx context.Context, orgID, studentID, courseID string) (*Enrollment, error) {
	return s.store.EnrollmentInCourse(ctx, s.DB, orgID, studentID, courseID)
}

// CuratorCohortIDs lists the cohorts in which the user curates at least
// one student.
func (s *Service) CuratorCohortIDs(ctx context.Context, orgID, curatorID string) ([]string, error) {
	return s.store.CuratorCohortIDs(ctx, s.DB, orgID, curatorID)
}

// CohortHeadcounts lists the school's cohorts with their headcounts.
func (s *Service) CohortHeadcounts(ctx context.Context, orgID string) ([]CohortHeadcount, error) {
	return s.store.CohortHeadcounts(ctx, s.DB, orgID)
}

// Labels are the display names of a school's cohorts and courses, by id,
// for reports that group by them.
type Labels struct {
	Cohorts map[string]string
	Courses map[string]string
}

// Labels returns the names of every cohort and course of the school; a
// school has tens of them, so reports take them all at once.
func (s *Service) Labels(ctx context.Context, orgID string) (*Labels, error) {
	return s.store.Labels(ctx, s.DB, orgID)
}

// EnrollmentStatus is one enrollment reduced to what completion needs: who,
// in which cohort, with which curator, and in which status it is now.
type EnrollmentStatus struct {
	StudentID string
	CohortID  string
	CuratorID *string
	Status    string
}

// EnrollmentStatuses lists every enrollment of the school (or of one
// cohort, when cohortID is set) with its current status.
func (s *Service) EnrollmentStatuses(ctx context.Context, orgID, cohortID string) ([]EnrollmentStatus, error) {
	return s.store.EnrollmentStatuses(ctx, s.DB, orgID, cohortID)
}
