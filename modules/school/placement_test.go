package school_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/school"
)

// The enrollment that counts for a student's conversation is the one in the
// conversation's cohort when the student is in it, else the most recent
// active one, else the most recent of any status.
func TestPlacementPicksTheEnrollmentThatCounts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		ctx, svc, orgID := s.Ctx(), s.Services.School, alpha.Org.ID
		curator := alpha.People["curator"].UserID
		cohorts := map[string]*school.Cohort{}
		for _, key := range []string{"c1", "c2", "c3", "c4"} {
			c, err := svc.Cohort(ctx, orgID, newCohort(t, s, orgID, key))
			if err != nil {
				t.Fatal(err)
			}
			cohorts[key] = c
		}
		newStudent := func(name string) string {
			st, err := svc.CreateStudent(ctx, orgID, school.StudentInput{FullName: name})
			if err != nil {
				t.Fatal(err)
			}
			return st.ID
		}
		enroll := func(studentID, cohort, status string, month time.Month, curatorID *string) *school.Enrollment {
			at := time.Date(2026, month, 1, 10, 0, 0, 0, time.UTC)
			e, err := svc.CreateEnrollment(ctx, orgID, school.EnrollmentInput{StudentID: studentID, CohortID: cohorts[cohort].ID,
				Tariff: "Тариф " + cohort, Status: status, CuratorID: curatorID, EnrolledAt: &at})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		anna := newStudent("Анна Петрова")
		droppedEarly := enroll(anna, "c1", school.EnrollmentDropped, time.January, nil)
		active := enroll(anna, "c2", school.EnrollmentActive, time.February, &curator)
		enroll(anna, "c3", school.EnrollmentCompleted, time.March, nil)
		boris := newStudent("Борис Иванов")
		enroll(boris, "c1", school.EnrollmentDropped, time.January, nil)
		latest := enroll(boris, "c2", school.EnrollmentCompleted, time.March, nil)
		enroll(boris, "c3", school.EnrollmentRefunded, time.February, nil) // the newest row, not the latest enrollment
		vera := newStudent("Вера Смирнова")

		cases := []struct {
			name    string
			student string
			cohort  string
			want    *school.Enrollment // nil: no placement
		}{
			{"the conversation's cohort, though dropped and not the latest", anna, cohorts["c1"].ID, droppedEarly},
			{"no cohort: the most recent active, though a later one is completed", anna, "", active},
			{"a cohort the student is not in counts as none", anna, cohorts["c4"].ID, active},
			{"no active enrollment: the most recent of any status", boris, "", latest},
			{"no enrollment at all", vera, "", nil},
		}
		for _, c := range cases {
			got, err := svc.Placement(ctx, orgID, c.student, c.cohort)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if c.want == nil {
				if got != nil {
					t.Errorf("%s: placed in %+v, want no placement", c.name, got)
				}
				continue
			}
			want := school.Placement{EnrollmentID: c.want.ID, CohortID: c.want.CohortID, CourseID: cohortByID(cohorts, c.want.CohortID).CourseID,
				CuratorID: c.want.CuratorID, Tariff: c.want.Tariff}
			if got == nil || !reflect.DeepEqual(*got, want) {
				t.Errorf("%s: placed in %+v, want %+v", c.name, got, want)
			}
		}
	})
}

func cohortByID(cohorts map[string]*school.Cohort, id string) *school.Cohort {
	for _, c := range cohorts {
		if c.ID == id {
			return c
		}
	}
	return nil
}
