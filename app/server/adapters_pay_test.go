package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/pay"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/school"
)

// TestPayReadsFacts checks the two facts the adapter puts together from
// two modules: a verdict's assignment kind (the school's) and the first
// submissions of the module at a position of each course.
func TestPayReadsFacts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		ctx, orgID := s.Ctx(), s.NewSchool("pay-facts").Org.ID
		lms := "lms"
		in := school.NewCourse{Title: "Курс"}
		for i, kind := range []string{school.KindRegular, school.KindFinalProject} {
			ext := []string{"hw-1", "hw-2"}[i]
			in.Modules = append(in.Modules, school.NewModule{Title: "Модуль", Assignments: []school.NewAssignment{{Title: "Задание", Kind: kind,
				Source: &lms, ExternalID: &ext}}})
		}
		course, err := s.Services.School.CreateCourse(ctx, orgID, in)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		student, reviewer := ids.New(), ids.New()
		write := func(row any) {
			t.Helper()
			if _, err := s.DB.NewInsert().Model(row).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// submit hands in the module's homework and reviews it: the
		// submission's id and the verdict's.
		submit := func(m school.ModuleDetail) (string, string) {
			sub := &homework.Submission{ID: ids.New(), OrgID: orgID, Source: "lms", ExternalID: ids.New(), StudentID: student,
				AssignmentID: m.Assignments[0].ID, CourseID: course.Course.ID, ModuleID: m.ID, CohortID: ids.New(), EnrollmentID: ids.New(),
				Attempt: 1, Rubric: []homework.RubricCriterion{}, SubmittedAt: at, TargetMinutes: 60, DueAt: at.Add(time.Hour),
				Status: homework.StatusAccepted, CreatedAt: at, UpdatedAt: at, Version: 1}
			write(sub)
			review := &homework.Review{ID: ids.New(), OrgID: orgID, SubmissionID: sub.ID, AssignmentID: sub.AssignmentID, Attempt: sub.Attempt,
				Kind: homework.KindReview, ReviewerID: reviewer,
				Verdict: homework.StatusAccepted, Scores: map[string]int{}, CreatedAt: at.Add(time.Hour)}
			write(review)
			return sub.ID, review.ID
		}
		_, regular := submit(course.Modules[0])
		final, finalReview := submit(course.Modules[1])

		facts := server.PayFacts(s.Services)
		kinds := map[string]string{}
		err = facts.ReviewGroups(ctx, orgID, at.Add(-24*time.Hour), at.Add(24*time.Hour), nil, func(g pay.ReviewGroup) { kinds[g.IDs] = g.AssignmentKind })
		if err != nil {
			t.Fatal(err)
		}
		if len(kinds) != 2 || kinds[regular] != school.KindRegular || kinds[finalReview] != school.KindFinalProject {
			t.Errorf("want the verdicts' assignment kinds regular and final_project, got %v", kinds)
		}
		got, err := facts.ModuleSubmissions(ctx, orgID, course.Modules[1].Position, at.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		key := pay.ModuleKey{CourseID: course.Course.ID, StudentID: student}
		if len(got) != 1 || got[key] != final {
			t.Errorf("want the second module's submission %s, got %v", final, got)
		}
		if got, err := facts.ModuleSubmissions(ctx, orgID, course.Modules[1].Position, at); err != nil || len(got) != 0 {
			t.Errorf("nothing was handed in before %v, got %v, %v", at, got, err)
		}
	})
}
