package homework_test

import (
	"context"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// payMonth is the month the pay reads are asked for.
var payFrom, payTo = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// payRows is a hand-made review queue: the rows are written as they are,
// so each read is checked against ids known in advance.
type payRows struct {
	s     *apptest.Server
	orgID string
	// course, modules, assignment and students are only ids here: the
	// homework tables keep no reference to the school's.
	course, module1, module2, assignment, student1, student2 string
	attempts                                                 map[string]int // submission → attempt
}

func newPayRows(t *testing.T, s *apptest.Server, slug string) *payRows {
	t.Helper()
	return &payRows{s: s, orgID: s.NewSchool(slug).Org.ID, course: ids.New(), module1: ids.New(), module2: ids.New(),
		assignment: ids.New(), student1: ids.New(), student2: ids.New(), attempts: map[string]int{}}
}

// submission writes attempt of student's homework of module, handed in at.
func (p *payRows) submission(t *testing.T, student, module string, attempt int, previous *string, at time.Time) string {
	t.Helper()
	sub := &homework.Submission{ID: ids.New(), OrgID: p.orgID, Source: "lms", ExternalID: ids.New(), StudentID: student,
		AssignmentID: p.assignment, CourseID: p.course, ModuleID: module, CohortID: ids.New(), EnrollmentID: ids.New(),
		Attempt: attempt, PreviousSubmissionID: previous, Rubric: []homework.RubricCriterion{}, SubmittedAt: at,
		TargetMinutes: homework.DefaultTargetMinutes, DueAt: at.Add(24 * time.Hour), Status: homework.StatusAccepted,
		CreatedAt: at, UpdatedAt: at, Version: 1}
	if _, err := p.s.DB.NewInsert().Model(sub).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.attempts[sub.ID] = attempt
	return sub.ID
}

// review writes a verdict (overturns nil) or an overturn of one, made at.
func (p *payRows) review(t *testing.T, submissionID, reviewerID string, overturns *string, at time.Time) string {
	t.Helper()
	kind := homework.KindReview
	if overturns != nil {
		kind = homework.KindOverturn
	}
	r := &homework.Review{ID: ids.New(), OrgID: p.orgID, SubmissionID: submissionID, AssignmentID: p.assignment,
		Attempt: p.attempts[submissionID], Kind: kind, ReviewerID: reviewerID,
		Verdict: homework.StatusAccepted, Scores: map[string]int{}, Score: 1, MaxScore: 1, OverturnsReviewID: overturns, CreatedAt: at}
	if _, err := p.s.DB.NewInsert().Model(r).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// check writes a quality check of review with the four criteria's points.
func (p *payRows) check(t *testing.T, reviewID, submissionID, curatorID string, points [4]int, at time.Time) string {
	t.Helper()
	c := &homework.QualityCheck{ID: ids.New(), OrgID: p.orgID, ReviewID: reviewID, SubmissionID: submissionID, CuratorID: curatorID,
		CheckerID: ids.New(), VerdictCorrect: points[0], FeedbackHelpful: points[1], Tone: points[2], OnTime: points[3],
		Month: at.Format("2006-01"), CreatedAt: at}
	if _, err := p.s.DB.NewInsert().Model(c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func day(d, hour int) time.Time { return time.Date(2026, 3, d, hour, 0, 0, 0, time.UTC) }

// TestPayReadsReviewGroups: the month's verdicts arrive grouped by
// reviewer, assignment, resubmission, overturn and part, with their ids;
// neither an overturn row, nor a verdict of another month or school, is
// one of them.
func TestPayReadsReviewGroups(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		p := newPayRows(t, s, "pay-reviews")
		curator, other := ids.New(), ids.New()
		first := p.submission(t, p.student1, p.module1, 1, nil, day(1, 0).Add(-72*time.Hour))
		p.review(t, first, curator, nil, day(1, 0).Add(-time.Microsecond)) // the month before
		resubmitted := p.submission(t, p.student1, p.module1, 2, &first, day(1, 0).Add(-time.Hour))
		onFrom := p.review(t, resubmitted, curator, nil, day(1, 0))
		third := p.submission(t, p.student2, p.module1, 1, nil, day(5, 10))
		overturned := p.review(t, third, other, nil, day(6, 10))
		p.review(t, third, ids.New(), &overturned, day(10, 10)) // an overturn marks the verdict, is none
		early1 := p.review(t, p.submission(t, p.student1, p.module2, 1, nil, day(2, 9)), curator, nil, day(3, 10))
		early2 := p.review(t, p.submission(t, p.student2, p.module2, 1, nil, day(4, 9)), curator, nil, day(15, 23))
		onCut := p.review(t, p.submission(t, p.student1, p.module2, 1, nil, day(15, 9)), curator, nil, day(16, 0))
		late := p.submission(t, p.student2, p.module2, 1, nil, day(31, 10))
		p.review(t, late, curator, nil, payTo) // the month after
		// Another school's verdict in the month is not this school's.
		q := newPayRows(t, s, "pay-reviews-other")
		q.review(t, q.submission(t, q.student1, q.module1, 1, nil, day(2, 9)), curator, nil, day(2, 10))

		got := testkit.IDGroups[homework.PayReviewGroup]{}
		err := s.Services.Homework.PayReviewGroups(s.Ctx(), p.orgID, payFrom, payTo, []time.Time{day(16, 0)}, func(g homework.PayReviewGroup) {
			count, ids := g.Count, g.IDs
			g.Count, g.IDs = 0, ""
			got.Add(t, g, count, ids)
		})
		if err != nil {
			t.Fatal(err)
		}
		group := func(reviewer string, resubmission, overturned bool, part int) homework.PayReviewGroup {
			return homework.PayReviewGroup{ReviewerID: reviewer, AssignmentID: p.assignment, Resubmission: resubmission, Overturned: overturned, Part: part}
		}
		got.Expect(t, map[homework.PayReviewGroup][]string{
			group(curator, true, false, 0):  {onFrom},
			group(curator, false, false, 0): {early1, early2},
			group(curator, false, false, 1): {onCut},
			group(other, false, true, 0):    {overturned},
		})
	})
}

func TestPayReadsChecks(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		p := newPayRows(t, s, "pay-checks")
		curator := ids.New()
		old := p.submission(t, p.student1, p.module1, 1, nil, day(1, 0).Add(-48*time.Hour))
		oldReview := p.review(t, old, curator, nil, day(1, 0).Add(-time.Hour))
		// Checked in March, but of a February review: February's.
		p.check(t, oldReview, old, curator, [4]int{5, 5, 5, 5}, day(2, 10))
		sub := p.submission(t, p.student2, p.module1, 1, nil, day(30, 10))
		review := p.review(t, sub, curator, nil, day(31, 23))
		// Checked in April, of a March review: March's.
		checked := p.check(t, review, sub, curator, [4]int{5, 4, 3, 2}, payTo.Add(48*time.Hour))

		got, err := s.Services.Homework.PayChecks(s.Ctx(), p.orgID, payFrom, payTo)
		if err != nil {
			t.Fatal(err)
		}
		want := []homework.PayCheck{{ID: checked, ReviewID: review, CuratorID: curator, Points: 14}}
		if len(got) != 1 || got[0] != want[0] {
			t.Fatalf("want %+v, got %+v", want, got)
		}
	})
}

func TestPayReadsFirstSubmissions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		p := newPayRows(t, s, "pay-modules")
		first := p.submission(t, p.student1, p.module1, 1, nil, day(2, 10))
		p.submission(t, p.student1, p.module1, 2, &first, day(4, 10)) // a resubmission is not the first
		atBefore := p.submission(t, p.student2, p.module1, 1, nil, day(5, 0))
		p.submission(t, p.student2, p.module2, 1, nil, day(3, 0)) // another module

		svc := s.Services.Homework
		got, err := svc.FirstSubmissions(s.Ctx(), p.orgID, []string{p.module1}, day(5, 0))
		if err != nil {
			t.Fatal(err)
		}
		want := map[homework.CourseStudent]string{{CourseID: p.course, StudentID: p.student1}: first}
		if !sameMap(got, want) {
			t.Errorf("before the 5th: want %v, got %v", want, got)
		}
		got, err = svc.FirstSubmissions(s.Ctx(), p.orgID, []string{p.module1}, payTo)
		if err != nil {
			t.Fatal(err)
		}
		want[homework.CourseStudent{CourseID: p.course, StudentID: p.student2}] = atBefore
		if !sameMap(got, want) {
			t.Errorf("before April: want %v, got %v", want, got)
		}
		if got, err := svc.FirstSubmissions(s.Ctx(), p.orgID, nil, payTo); err != nil || len(got) != 0 {
			t.Errorf("no modules: want nothing, got %v, %v", got, err)
		}
	})
}

func sameMap[K comparable](a, b map[K]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
