package cases_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
)

const (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
)

func str(s string) *string { return &s }
func num(n int) *int       { return &n }

// fixture is a school with one course of two modules, two cohorts and
// students enrolled in the first cohort with the school's curator.
type fixture struct {
	s        *apptest.Server
	sc       *apptest.School
	course   *school.CourseDetail
	cohorts  []*school.Cohort
	students []*school.Student
	enrolled []*school.Enrollment
}

func newFixture(t testing.TB, s *apptest.Server, slug string, n int) *fixture {
	t.Helper()
	sc := s.NewSchool(slug)
	f := &fixture{s: s, sc: sc}
	ctx, org := s.Ctx(), sc.Org.ID
	svc := s.Services.School
	in := school.NewCourse{Title: "Курс " + slug, Source: str("lms"), ExternalID: str("course")}
	for i := 1; i <= 2; i++ {
		in.Modules = append(in.Modules, school.NewModule{Title: fmt.Sprintf("Модуль %d", i), Assignments: []school.NewAssignment{{
			Title: fmt.Sprintf("ДЗ %d", i), Kind: school.KindRegular, Source: str("lms"), ExternalID: str(fmt.Sprintf("hw-%d", i)),
			Rubric: []school.Criterion{{Key: "task", Title: "Task", MaxPoints: 5, Required: true}}}}})
	}
	var err error
	if f.course, err = svc.CreateCourse(ctx, org, in); err != nil {
		t.Fatal(err)
	}
	for i, starts := range []string{"2026-02-01", "2026-09-01"} {
		c, err := svc.CreateCohort(ctx, org, school.NewCohort{CourseID: f.course.Course.ID, Name: fmt.Sprintf("Поток %d", i+1), StartsOn: starts,
			EndsOn: "2027-06-30", Status: school.CohortActive, Source: str("lms"), ExternalID: str(fmt.Sprintf("cohort-%d", i+1))})
		if err != nil {
			t.Fatal(err)
		}
		f.cohorts = append(f.cohorts, c)
	}
	for i := 0; i < n; i++ {
		f.addStudent(t, 0, sc.People["curator"].UserID, nil)
	}
	return f
}

// addStudent enrolls a new student in cohort i with the curator (none when
// empty) and the birth date, if any.
func (f *fixture) addStudent(t testing.TB, cohort int, curatorID string, birth *string) (*school.Student, *school.Enrollment) {
	t.Helper()
	ctx, org := f.s.Ctx(), f.sc.Org.ID
	ext := fmt.Sprintf("st-%d", len(f.students)+1)
	st, err := f.s.Services.School.CreateStudent(ctx, org, school.StudentInput{FullName: "Студент " + ext, BirthDate: birth,
		External: school.External{Source: str("lms"), ExternalID: &ext}})
	if err != nil {
		t.Fatal(err)
	}
	var curator *string
	if curatorID != "" {
		curator = &curatorID
	}
	e, err := f.s.Services.School.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: f.cohorts[cohort].ID,
		Status: school.EnrollmentActive, CuratorID: curator})
	if err != nil {
		t.Fatal(err)
	}
	f.students = append(f.students, st)
	f.enrolled = append(f.enrolled, e)
	return st, e
}

// advance moves the clock on and signs everyone in again: sessions lapse.
func (f *fixture) advance(d time.Duration) {
	f.s.Clock.Advance(d)
	for role, a := range f.sc.People {
		a.Token = f.s.Login(a.Email, apptest.Password)
		f.sc.People[role] = a
	}
}

func (f *fixture) as(role string) apptest.Option { return f.sc.People[role].Auth() }

func (f *fixture) viewerAll() cases.Viewer {
	return cases.Viewer{UserID: f.sc.People["head_of_service"].UserID, SeesAll: true}
}

// moment sends a success moment for student i the way an observer does.
func (f *fixture) moment(t testing.TB, i int, kind, source string, value *int) error {
	t.Helper()
	e := f.enrolled[i]
	return database.InTx(f.s.Ctx(), f.s.DB, func(ctx context.Context, tx bun.Tx) error {
		return f.s.Services.Cases.SuccessMoment(ctx, tx, cases.Moment{OrgID: f.sc.Org.ID, StudentID: e.StudentID, EnrollmentID: e.ID,
			CohortID: e.CohortID, Kind: kind, SourceID: source, Value: value, At: f.s.Clock.Now()})
	})
}

// ask makes a request by hand as the head and returns its id and token.
func (f *fixture) ask(t testing.TB, i int) (string, string) {
	t.Helper()
	var out struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	f.s.Do(post, f.sc.Path("/case-requests"), map[string]any{"student_id": f.students[i].ID}, f.as("head_of_service")).
		Expect(http.StatusCreated).Decode(&out)
	return out.ID, out.Token
}

// record records a case for student i as the head and returns it.
func (f *fixture) record(t testing.TB, i int, body map[string]any) map[string]any {
	t.Helper()
	body["student_id"] = f.students[i].ID
	return f.s.Do(post, f.sc.Path("/cases"), body, f.as("head_of_service")).Expect(http.StatusCreated).Map()
}

// moderate moves a case as the head, with If-Match.
func (f *fixture) moderate(t testing.TB, c map[string]any, status, reason string) map[string]any {
	t.Helper()
	return f.s.Do(post, f.sc.Path("/cases/"+c["id"].(string)+"/moderation"), map[string]any{"status": status, "reason": reason},
		f.as("head_of_service"), apptest.Header("If-Match", fmt.Sprintf(`"%v"`, c["version"]))).Expect(http.StatusOK).Map()
}

// event applies an inbound event the way the inbox does.
func (f *fixture) event(orgID, id, typ string, data map[string]any) error {
	raw, _ := json.Marshal(data)
	ev := events.Inbound{OrgID: orgID, EventID: id, Type: typ, OccurredAt: f.s.Clock.Now(), Data: raw}
	return events.Apply(f.s.Ctx(), f.s.DB, f.s.Services.Cases.EventHandlers(), ev)
}

// exportIDs lists the ids in the marketing export for scope.
func (f *fixture) exportIDs(t testing.TB, scope string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	f.s.Do(get, f.sc.Path("/case-export?scope="+scope), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&page)
	out := []string{}
	for _, it := range page.Items {
		out = append(out, it.ID)
	}
	return out
}

// csvHas reports whether the CSV export for scope lists id.
func (f *fixture) csvHas(t testing.TB, scope, id string) bool {
	t.Helper()
	r := f.s.Do(get, f.sc.Path("/case-export/csv?scope="+scope), nil, f.as("head_of_service")).Expect(http.StatusOK)
	return strings.Contains(string(r.Body), id)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func strconvF(f float64) string { return fmt.Sprintf("%d", int64(f)) }
