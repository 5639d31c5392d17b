package homework_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/school"
)

// TestSubmissionTimes: a submission's time is a fact, so it lies between
// 2000-01-01 and a few minutes from now; and a due time past 2100 is
// refused, never stored.
func TestSubmissionTimes(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 2, "")
		now := s.Clock.Now()
		year9999 := time.Date(9999, 12, 31, 23, 30, 0, 0, time.UTC)
		for _, at := range []time.Time{time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), now.Add(6 * time.Minute), year9999} {
			s.Do(post, f.sc.Path("/homework-submissions"), submission("bad-"+at.Format("2006"), 0, 0, at), f.as("integration")).
				ExpectProblem(http.StatusUnprocessableEntity, "body.submitted_at")
			var ve *errs.ValidationError
			if err := f.event("ev-"+at.String(), submission("bad-ev", 0, 0, at)); !errors.As(err, &ve) || !names(ve, "data.submitted_at") {
				t.Errorf("event submitted at %v: %v", at, err)
			}
		}
		if n := s.Count("homework_submissions", "1 = 1"); n != 0 {
			t.Fatalf("%d submissions stored from bad times", n)
		}
		// The edges: 2000-01-01 itself, and an LMS clock a few minutes fast.
		f.submit(submission("edge-2000", 0, 0, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)))
		f.submit(submission("edge-skew", 1, 0, now.Add(4*time.Minute)))

		// A calendar open one minute a week puts a 30-day review target
		// eight centuries away.
		slow := s.NewSchool("slow")
		ctx, org := s.Ctx(), slow.Org.ID
		minute := []bizcal.Interval{{Start: "09:00", End: "09:01"}}
		if _, err := s.Services.School.CreateCalendar(ctx, org, school.CalendarInput{Name: "Slow", IsDefault: true,
			Spec: bizcal.Spec{TimeZone: "Europe/Moscow", Weekly: bizcal.Weekly{Monday: minute}}}); err != nil {
			t.Fatal(err)
		}
		target := 43200
		course, err := s.Services.School.CreateCourse(ctx, org, school.NewCourse{Title: "Slow course", Modules: []school.NewModule{{Title: "Only",
			Assignments: []school.NewAssignment{{Title: "Essay", Kind: school.KindRegular, ReviewTargetMinutes: &target, Source: str("lms"), ExternalID: str("hw-1")}}}}})
		if err != nil {
			t.Fatal(err)
		}
		cohort, err := s.Services.School.CreateCohort(ctx, org, school.NewCohort{CourseID: course.Course.ID, Name: "Slow cohort", StartsOn: "2026-02-01",
			EndsOn: "2026-06-30", Status: school.CohortActive})
		if err != nil {
			t.Fatal(err)
		}
		ext := "st-1"
		st, err := s.Services.School.CreateStudent(ctx, org, school.StudentInput{FullName: "Slow student", External: school.External{Source: str("lms"), ExternalID: &ext}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services.School.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: cohort.ID, Status: school.EnrollmentActive}); err != nil {
			t.Fatal(err)
		}
		p := s.Do(post, slow.Path("/homework-submissions"), submission("never", 0, 0, now), slow.People["integration"].Auth()).
			ExpectProblem(http.StatusUnprocessableEntity, "body.submitted_at").Map()
		if !contains(p["errors"].([]any)[0].(map[string]any)["message"], "2100") {
			t.Errorf("the problem must say why: %v", p)
		}
		if n := s.Count("homework_submissions", "org_id = ?", org); n != 0 {
			t.Errorf("%d submissions stored with a due time past the range", n)
		}
	})
}
