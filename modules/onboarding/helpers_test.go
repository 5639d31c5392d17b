package onboarding_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/school"
)

const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
	del  = http.MethodDelete
)

type item struct {
	ID            string
	Key           string
	Title         string
	Kind          string
	Status        string
	Required      bool
	Automatic     bool
	DoneAt        *time.Time `json:"done_at"`
	DoneBy        *string    `json:"done_by"`
	Source        *string
	DueAt         time.Time `json:"due_at"`
	ReviewsPassed *int      `json:"reviews_passed"`
}

type plan struct {
	ID              string
	UserID          string  `json:"user_id"`
	UserName        *string `json:"user_name"`
	MentorID        *string `json:"mentor_id"`
	MentorName      *string `json:"mentor_name"`
	StartDate       string  `json:"start_date"`
	Status          string
	ProgressPercent *float64   `json:"progress_percent"`
	WeightDone      int        `json:"weight_done"`
	WeightTotal     int        `json:"weight_total"`
	OverdueItems    int        `json:"overdue_items"`
	Unfinished      []string   `json:"unfinished_required"`
	ActivatedAt     *time.Time `json:"activated_at"`
	Activation      *string
	Items           []item
	Version         int64
}

func (p *plan) item(key string) item {
	for _, it := range p.Items {
		if it.Key == key {
			return it
		}
	}
	panic("no item " + key)
}

type page[T any] struct {
	Items      []T
	NextCursor string `json:"next_cursor"`
}

func ifMatch(v int64) apptest.Option { return apptest.Header("If-Match", fmt.Sprintf(`"%d"`, v)) }

// article creates and publishes a regulation required for curators, with
// a one-question quiz when quiz is set, as the head of service.
func article(t *testing.T, s *apptest.Server, sc *apptest.School, title string, quiz bool) (id, revisionID string) {
	t.Helper()
	head := sc.People["head_of_service"].Auth()
	var a struct {
		ID                string
		Version           int64
		CurrentRevisionID string `json:"current_revision_id"`
	}
	s.Do(post, sc.Path("/kb/articles"), map[string]any{"category": "homework_checking", "title": title, "body": "Текст регламента «" + title + "».",
		"required_roles": []string{"curator"}, "due_days": 7}, head).Expect(201).Decode(&a)
	if quiz {
		s.Do(put, sc.Path("/kb/articles/"+a.ID+"/quiz"), map[string]any{"pass_mark_percent": 100, "questions": []map[string]any{
			{"text": "Кто одобряет возврат?", "kind": "single", "options": []map[string]any{{"text": "Куратор"}, {"text": "РОПиС", "correct": true}}}}},
			head, ifMatch(a.Version)).Expect(200)
		a.Version++
	}
	s.Do(post, sc.Path("/kb/articles/"+a.ID+"/publish"), map[string]string{"change": "major"}, head, ifMatch(a.Version)).Expect(200).Decode(&a)
	return a.ID, a.CurrentRevisionID
}

// cohort creates a course with one module and a cohort of it.
func cohort(t *testing.T, s *apptest.Server, sc *apptest.School) *school.Cohort {
	t.Helper()
	ctx, svc := s.Ctx(), s.Services.School
	str := func(v string) *string { return &v }
	course, err := svc.CreateCourse(ctx, sc.Org.ID, school.NewCourse{Title: "Курс", Source: str("lms"), ExternalID: str("course"),
		Modules: []school.NewModule{{Title: "Модуль 1", Assignments: []school.NewAssignment{{Title: "ДЗ 1", Kind: school.KindRegular,
			Rubric: []school.Criterion{{Key: "task", Title: "Задание", MaxPoints: 5, Required: true}}, Source: str("lms"), ExternalID: str("hw-1")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateCohort(ctx, sc.Org.ID, school.NewCohort{CourseID: course.Course.ID, Name: "Поток 1", StartsOn: "2026-02-01",
		EndsOn: "2026-12-31", Status: school.CohortActive, Source: str("lms"), ExternalID: str("cohort-1")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrollment enrolls a new student in the cohort without a curator and
// returns the enrollment's id.
func enrollment(t *testing.T, s *apptest.Server, sc *apptest.School, c *school.Cohort, name string) string {
	t.Helper()
	st, err := s.Services.School.CreateStudent(s.Ctx(), sc.Org.ID, school.StudentInput{FullName: name})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Services.School.CreateEnrollment(s.Ctx(), sc.Org.ID, school.EnrollmentInput{StudentID: st.ID, CohortID: c.ID, Status: school.EnrollmentActive})
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}
