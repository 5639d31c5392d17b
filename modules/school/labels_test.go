package school_test

import (
	"reflect"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/school"
)

// Reports put names beside ids through Labels, and completion counts
// enrollments through EnrollmentStatuses; neither may reach into another
// school.
func TestLabelsAndEnrollmentStatusesStayInTheirSchool(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		ctx, svc := s.Ctx(), s.Services.School
		cohortID := newCohort(t, s, alpha.Org.ID, "a1")
		newCohort(t, s, beta.Org.ID, "b1")
		cohort, err := svc.Cohort(ctx, alpha.Org.ID, cohortID)
		if err != nil {
			t.Fatal(err)
		}
		st, err := svc.CreateStudent(ctx, alpha.Org.ID, school.StudentInput{FullName: "Анна Петрова"})
		if err != nil {
			t.Fatal(err)
		}
		curator := alpha.People["curator"].UserID
		if _, err := svc.CreateEnrollment(ctx, alpha.Org.ID, school.EnrollmentInput{StudentID: st.ID, CohortID: cohortID,
			Tariff: "base", Status: school.EnrollmentDropped, CuratorID: &curator}); err != nil {
			t.Fatal(err)
		}

		labels, err := svc.Labels(ctx, alpha.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &school.Labels{Cohorts: map[string]string{cohortID: "Поток a1"}, Courses: map[string]string{cohort.CourseID: "Психология отношений"}}
		if !reflect.DeepEqual(labels, want) {
			t.Errorf("Labels = %+v, want %+v", labels, want)
		}

		statuses, err := svc.EnrollmentStatuses(ctx, alpha.Org.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		wantStatuses := []school.EnrollmentStatus{{StudentID: st.ID, CohortID: cohortID, CuratorID: &curator, Status: school.EnrollmentDropped}}
		if !reflect.DeepEqual(statuses, wantStatuses) {
			t.Errorf("EnrollmentStatuses = %+v, want %+v", statuses, wantStatuses)
		}
		if other, err := svc.EnrollmentStatuses(ctx, beta.Org.ID, ""); err != nil || len(other) != 0 {
			t.Errorf("another school's enrollment statuses = %v, %v; want none", other, err)
		}
	})
}
