package homework_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
)

const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
)

var msk, _ = time.LoadLocation("Europe/Moscow")

// fixture is a school with the demo calendar, one course of four regular
// modules and a final project, one cohort and students whose curator is
// the school's fixture curator.
type fixture struct {
	s           *apptest.Server
	sc          *apptest.School
	cohort      *school.Cohort
	assignments []school.Assignment // by module, the last one a final project
	students    []*school.Student
}

var rubric = []school.Criterion{
	{Key: "task", Title: "Task done", MaxPoints: 5, Required: true},
	{Key: "depth", Title: "Depth", MaxPoints: 5, Required: true},
	{Key: "theory", Title: "Theory", MaxPoints: 3},
}

func demoSpec() bizcal.Spec {
	day := []bizcal.Interval{{Start: "09:00", End: "21:00"}}
	return bizcal.Spec{TimeZone: "Europe/Moscow",
		Weekly: bizcal.Weekly{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day,
			Saturday: []bizcal.Interval{{Start: "10:00", End: "18:00"}}}}
}

func str(s string) *string { return &s }

// newFixture builds the school slug with n students, each enrolled with
// curatorID (none when empty).
func newFixture(t testing.TB, s *apptest.Server, slug string, n int, curatorID string) *fixture {
	t.Helper()
	sc := s.NewSchool(slug)
	f := &fixture{s: s, sc: sc}
	ctx, org := s.Ctx(), sc.Org.ID
	svc := s.Services.School
	if _, err := svc.CreateCalendar(ctx, org, school.CalendarInput{Name: "Main", IsDefault: true, Spec: demoSpec()}); err != nil {
		t.Fatal(err)
	}
	in := school.NewCourse{Title: "Course " + slug, Source: str("lms"), ExternalID: str("course")}
	for i := 1; i <= 5; i++ {
		kind := school.KindRegular
		if i == 5 {
			kind = school.KindFinalProject
		}
		in.Modules = append(in.Modules, school.NewModule{Title: fmt.Sprintf("Module %d", i), Assignments: []school.NewAssignment{{
			Title: fmt.Sprintf("Homework %d", i), Kind: kind, Rubric: rubric, Source: str("lms"), ExternalID: str(fmt.Sprintf("hw-%d", i))}}})
	}
	course, err := svc.CreateCourse(ctx, org, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range course.Modules {
		f.assignments = append(f.assignments, m.Assignments...)
	}
	f.cohort, err = svc.CreateCohort(ctx, org, school.NewCohort{CourseID: course.Course.ID, Name: "Cohort 1", StartsOn: "2026-02-01",
		EndsOn: "2026-06-30", Status: school.CohortActive, Source: str("lms"), ExternalID: str("cohort-1")})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		f.addStudent(t, curatorID)
	}
	return f
}

// addStudent enrolls one more student in the cohort with the curator.
func (f *fixture) addStudent(t testing.TB, curatorID string) *school.Student {
	t.Helper()
	ctx, org := f.s.Ctx(), f.sc.Org.ID
	ext := fmt.Sprintf("st-%d", len(f.students)+1)
	st, err := f.s.Services.School.CreateStudent(ctx, org, school.StudentInput{FullName: "Student " + ext, External: school.External{Source: str("lms"), ExternalID: &ext}})
	if err != nil {
		t.Fatal(err)
	}
	var curator *string
	if curatorID != "" {
		curator = &curatorID
	}
	if _, err := f.s.Services.School.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: f.cohort.ID,
		Status: school.EnrollmentActive, CuratorID: curator}); err != nil {
		t.Fatal(err)
	}
	f.students = append(f.students, st)
	return st
}

// submission is a submission.created body for student i and module m.
func submission(ext string, student, module int, at time.Time) map[string]any {
	return map[string]any{
		"external_id": ext, "student_external_id": fmt.Sprintf("st-%d", student+1), "assignment_external_id": fmt.Sprintf("hw-%d", module+1),
		"submitted_at": at.Format(time.RFC3339),
		"content": map[string]any{"text": "My answer", "links": []string{"https://example.com/doc"},
			"attachments": []map[string]any{{"name": "essay.pdf", "url": "https://lms.example.com/f/1", "size_bytes": 1024, "content_type": "application/pdf"}}},
	}
}

// submit posts a submission as the school's integration account.
func (f *fixture) submit(body map[string]any) map[string]any {
	return f.s.Do(post, f.sc.Path("/homework-submissions"), body, f.sc.People["integration"].Auth()).Expect(http.StatusCreated).Map()
}

// event applies a submission.created event the way the inbox does.
func (f *fixture) event(id string, data map[string]any) error {
	raw, _ := json.Marshal(data)
	ev := events.Inbound{OrgID: f.sc.Org.ID, EventID: id, Type: "submission.created", OccurredAt: f.s.Clock.Now(), Data: raw}
	return events.Apply(f.s.Ctx(), f.s.DB, f.s.Services.Homework.EventHandlers(), ev)
}

func (f *fixture) as(role string) apptest.Option { return f.sc.People[role].Auth() }

func etag(r *apptest.Response) apptest.Option {
	return apptest.Header("If-Match", r.Header.Get("ETag"))
}

func fullScores() map[string]int { return map[string]int{"task": 5, "depth": 4, "theory": 2} }

func opts(o ...apptest.Option) []apptest.Option { return o }

// refusal is a request the API must refuse with status, naming each field
// of where and, when detail is set, saying it in the problem's detail.
type refusal struct {
	name         string
	method, path string
	body         any
	opts         []apptest.Option
	status       int
	where        []string
	detail       string
}

// expectRefusals sends each request, in order, as a subtest of t.
func expectRefusals(t *testing.T, s *apptest.Server, rows []refusal) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p := s.WithT(t).Do(r.method, r.path, r.body, r.opts...).ExpectProblem(r.status, r.where...).Map()
			if r.detail != "" && !contains(p["detail"], r.detail) {
				t.Errorf("the problem must say %q: %v", r.detail, p["detail"])
			}
		})
	}
}

func contains(v any, sub string) bool {
	s, ok := v.(string)
	return ok && strings.Contains(s, sub)
}
