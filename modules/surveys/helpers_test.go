package surveys_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/surveys"
)

const (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
)

func str(s string) *string { return &s }

func intp(n int) *int { return &n }

// fixture is a school with a course of three modules, one cohort and
// students enrolled with the school's fixture curator; the enrollments
// are recorded on 2026-01-05, so that the curator history starts then.
type fixture struct {
	s        *apptest.Server
	sc       *apptest.School
	course   *school.CourseDetail
	cohort   *school.Cohort
	students []*school.Student
	enrolled []*school.Enrollment
	other    apptest.Actor // a second curator
}

var enrolledAt = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, s *apptest.Server, slug string, n int) *fixture {
	t.Helper()
	sc := s.NewSchool(slug)
	f := &fixture{s: s, sc: sc, other: s.NewMember(sc.Org.ID, "second-curator@"+slug+".test", "curator")}
	ctx, org, svc := s.Ctx(), sc.Org.ID, s.Services.School
	in := school.NewCourse{Title: "Course " + slug, Source: str("lms"), ExternalID: str("course")}
	for i := 1; i <= 3; i++ {
		in.Modules = append(in.Modules, school.NewModule{Title: fmt.Sprintf("Module %d", i), Assignments: []school.NewAssignment{{
			Title: fmt.Sprintf("Homework %d", i), Kind: school.KindRegular, Source: str("lms"), ExternalID: str(fmt.Sprintf("hw-%d", i))}}})
	}
	var err error
	if f.course, err = svc.CreateCourse(ctx, org, in); err != nil {
		t.Fatal(err)
	}
	if f.cohort, err = svc.CreateCohort(ctx, org, school.NewCohort{CourseID: f.course.Course.ID, Name: "Поток 1", StartsOn: "2026-01-10",
		EndsOn: "2026-06-30", Status: school.CohortActive, Source: str("lms"), ExternalID: str("cohort-1")}); err != nil {
		t.Fatal(err)
	}
	now := s.Clock.Now()
	s.Clock.Set(enrolledAt)
	defer s.Clock.Set(now)
	for i := 0; i < n; i++ {
		ext := fmt.Sprintf("st-%d", i+1)
		st, err := svc.CreateStudent(ctx, org, school.StudentInput{FullName: "Студент " + ext, External: school.External{Source: str("lms"), ExternalID: &ext}})
		if err != nil {
			t.Fatal(err)
		}
		curator := sc.People["curator"].UserID
		e, err := svc.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: f.cohort.ID, Status: school.EnrollmentActive, CuratorID: &curator})
		if err != nil {
			t.Fatal(err)
		}
		f.students, f.enrolled = append(f.students, st), append(f.enrolled, e)
	}
	return f
}

// reassign gives student i the second curator at the moment at.
func (f *fixture) reassign(t testing.TB, i int, at time.Time) {
	t.Helper()
	now := f.s.Clock.Now()
	f.s.Clock.Set(at)
	defer f.s.Clock.Set(now)
	e, err := f.s.Services.School.AssignCurator(f.s.Ctx(), f.sc.Org.ID, f.enrolled[i].ID, f.enrolled[i].Version, &f.other.UserID, "отпуск куратора")
	if err != nil {
		t.Fatal(err)
	}
	f.enrolled[i] = e
}

// survey defines a module_end survey with a CSI, an NPS and a text question.
func (f *fixture) survey(t testing.TB) *surveys.Survey {
	t.Helper()
	sv, err := f.s.Services.Surveys.CreateSurvey(f.s.Ctx(), f.sc.Org.ID, surveys.SurveyInput{Title: "Оценка модуля", Moment: surveys.MomentModuleEnd,
		Questions: []surveys.Question{{Key: "csi", Scale: surveys.ScaleCSI, Text: "Насколько вы довольны?"},
			{Key: "nps", Scale: surveys.ScaleNPS, Text: "Порекомендуете нас?"}, {Key: "comment", Scale: surveys.ScaleText, Text: "Что улучшить?"}}})
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

// answered is a survey.answered event's data for student i (1-based
// external ids) at the end of module.
func answered(surveyID string, student, module, csi, nps int, at time.Time) map[string]any {
	return map[string]any{"survey_id": surveyID, "student_external_id": fmt.Sprintf("st-%d", student+1), "cohort_external_id": "cohort-1",
		"module_position": module, "answered_at": at.Format(time.RFC3339),
		"answers": []map[string]any{{"question_key": "csi", "value": csi}, {"question_key": "nps", "value": nps, "comment": "Спасибо!"}}}
}

// event applies a survey.answered event the way the inbox does.
func (f *fixture) event(id string, data map[string]any) error {
	raw, _ := json.Marshal(data)
	ev := events.Inbound{OrgID: f.sc.Org.ID, EventID: id, Type: surveys.EventSurveyAnswered, OccurredAt: f.s.Clock.Now(), Data: raw}
	return events.Apply(f.s.Ctx(), f.s.DB, f.s.Services.Surveys.EventHandlers(), ev)
}

func (f *fixture) as(role string) apptest.Option { return f.sc.People[role].Auth() }

func etag(r *apptest.Response) apptest.Option {
	return apptest.Header("If-Match", r.Header.Get("ETag"))
}
