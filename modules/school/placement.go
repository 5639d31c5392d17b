package school

import (
	"context"
	"sort"
)

// Placement is where a student stands for a conversation with the school:
// the enrollment that counts, its cohort and course, curator and tariff.
type Placement struct {
	EnrollmentID string
	CohortID     string
	CourseID     string
	CuratorID    *string
	Tariff       string
}

// Placement picks the student's enrollment that counts for a conversation:
// the one in cohortID when the conversation names a cohort the student is
// in, else the most recent active one, else the most recent of any status.
// It answers nil, nil for a student with no enrollment.
func (s *Service) Placement(ctx context.Context, orgID, studentID, cohortID string) (*Placement, error) {
	es, err := s.store.ListEnrollments(ctx, s.DB, orgID, EnrollmentFilter{StudentID: studentID})
	if err != nil || len(es) == 0 {
		return nil, err
	}
	chosen := placementOf(es, cohortID)
	cohort, err := s.store.Cohort(ctx, s.DB, orgID, chosen.CohortID)
	if err != nil {
		return nil, err
	}
	return &Placement{EnrollmentID: chosen.ID, CohortID: chosen.CohortID, CourseID: cohort.CourseID,
		CuratorID: chosen.CuratorID, Tariff: chosen.Tariff}, nil
}

// placementOf chooses among a student's enrollments (at least one, by id):
// the one in cohortID, else the most recent active, else the most recent.
// Enrollments of the same time keep their order.
func placementOf(es []Enrollment, cohortID string) *Enrollment {
	sort.SliceStable(es, func(i, j int) bool { return es[i].EnrolledAt.After(es[j].EnrolledAt) })
	if cohortID != "" {
		for i := range es {
			if es[i].CohortID == cohortID {
				return &es[i]
			}
		}
	}
	for i := range es {
		if es[i].Status == EnrollmentActive {
			return &es[i]
		}
	}
	return &es[0]
}
