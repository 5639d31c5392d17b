package school_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/school"
)

type criterion struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	MaxPoints int    `json:"max_points"`
	Required  bool   `json:"required"`
}

type assignment struct {
	ID                  string      `json:"id"`
	ModuleID            string      `json:"module_id"`
	Position            int         `json:"position"`
	Title               string      `json:"title"`
	Kind                string      `json:"kind"`
	ReviewTargetMinutes int         `json:"review_target_minutes"`
	Rubric              []criterion `json:"rubric"`
	Source              *string     `json:"source"`
	ExternalID          *string     `json:"external_id"`
}

type module struct {
	ID          string       `json:"id"`
	Position    int          `json:"position"`
	Title       string       `json:"title"`
	Assignments []assignment `json:"assignments"`
}

type course struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Status      string   `json:"status"`
	Source      *string  `json:"source"`
	ExternalID  *string  `json:"external_id"`
	Version     int64    `json:"version"`
	Modules     []module `json:"modules"`
}

type cohort struct {
	ID       string `json:"id"`
	CourseID string `json:"course_id"`
	Name     string `json:"name"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
	Status   string `json:"status"`
	Version  int64  `json:"version"`
}

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type product struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	Title    string  `json:"title"`
	CourseID *string `json:"course_id"`
	Price    money   `json:"price"`
	Status   string  `json:"status"`
	Version  int64   `json:"version"`
}

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

type obj = map[string]any

func withVersion(version int64) apptest.Option {
	return apptest.Header("If-Match", fmt.Sprintf(`"%d"`, version))
}

// psychologyCourse is a two-module course: two regular assignments (one
// with its own review target and a rubric) and a final project.
func psychologyCourse() obj {
	return obj{
		"title":       "Психология отношений",
		"description": "Шесть модулей о привязанности и границах.",
		"source":      "getcourse", "external_id": "course-17",
		"modules": []obj{
			{"title": "Привязанность", "assignments": []obj{
				{"title": "Дневник эмоций", "kind": "regular"},
				{"title": "Карта отношений", "kind": "regular", "review_target_minutes": 600, "rubric": []obj{
					{"key": "depth", "title": "Глубина анализа", "max_points": 10, "required": true},
					{"key": "examples", "title": "Примеры из жизни", "max_points": 5},
				}},
			}},
			{"title": "Границы", "assignments": []obj{
				{"title": "Итоговый проект", "kind": "final_project", "source": "getcourse", "external_id": "hw-final"},
			}},
		},
	}
}

// smallCourse is the least a course can be: one module, one assignment.
func smallCourse(title string) obj {
	return obj{"title": title, "modules": []obj{{"title": "Модуль 1", "assignments": []obj{{"title": "ДЗ 1", "kind": "regular"}}}}}
}

func createCourse(t *testing.T, s *apptest.Server, sc *apptest.School, body obj) course {
	t.Helper()
	var c course
	s.WithT(t).Do(http.MethodPost, sc.Path("/courses"), body, sc.People["admin"].Auth()).Expect(http.StatusCreated).Decode(&c)
	return c
}

func createCohort(t *testing.T, s *apptest.Server, sc *apptest.School, body obj) cohort {
	t.Helper()
	var c cohort
	s.WithT(t).Do(http.MethodPost, sc.Path("/cohorts"), body, sc.People["admin"].Auth()).Expect(http.StatusCreated).Decode(&c)
	return c
}

func TestCreateCourseAndReadItBack(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		r := s.Do(http.MethodPost, alpha.Path("/courses"), psychologyCourse(), alpha.People["head_of_service"].Auth()).Expect(http.StatusCreated)
		if r.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q, want \"1\"", r.Header.Get("ETag"))
		}
		var created course
		r.Decode(&created)

		check := func(t *testing.T, c course) {
			t.Helper()
			if c.Title != "Психология отношений" || c.Description != "Шесть модулей о привязанности и границах." || c.Status != "active" || c.Version != 1 {
				t.Fatalf("course %+v", c)
			}
			if c.Source == nil || *c.Source != "getcourse" || c.ExternalID == nil || *c.ExternalID != "course-17" {
				t.Errorf("course LMS id %v/%v, want getcourse/course-17", c.Source, c.ExternalID)
			}
			if len(c.Modules) != 2 || c.Modules[0].Title != "Привязанность" || c.Modules[1].Title != "Границы" ||
				c.Modules[0].Position != 1 || c.Modules[1].Position != 2 {
				t.Fatalf("modules %+v, want Привязанность (1) then Границы (2)", c.Modules)
			}
			m1, m2 := c.Modules[0].Assignments, c.Modules[1].Assignments
			if len(m1) != 2 || len(m2) != 1 {
				t.Fatalf("assignments per module %d and %d, want 2 and 1", len(m1), len(m2))
			}
			for i, want := range []struct {
				a        assignment
				module   string
				position int
				kind     string
				target   int
				criteria int
			}{
				{m1[0], c.Modules[0].ID, 1, "regular", 1440, 0},
				{m1[1], c.Modules[0].ID, 2, "regular", 600, 2},
				{m2[0], c.Modules[1].ID, 1, "final_project", 4320, 0},
			} {
				a := want.a
				if a.ModuleID != want.module || a.Position != want.position || a.Kind != want.kind ||
					a.ReviewTargetMinutes != want.target || len(a.Rubric) != want.criteria || a.Rubric == nil {
					t.Errorf("assignment %d: %+v, want module %s position %d kind %s target %d with %d criteria",
						i, a, want.module, want.position, want.kind, want.target, want.criteria)
				}
			}
			rubric := m1[1].Rubric
			if rubric[0] != (criterion{"depth", "Глубина анализа", 10, true}) || rubric[1] != (criterion{"examples", "Примеры из жизни", 5, false}) {
				t.Errorf("rubric %+v", rubric)
			}
			if m2[0].Source == nil || *m2[0].Source != "getcourse" || *m2[0].ExternalID != "hw-final" {
				t.Errorf("final project LMS id %v/%v", m2[0].Source, m2[0].ExternalID)
			}
		}
		check(t, created)

		var got course
		r = s.Do(http.MethodGet, alpha.Path("/courses/"+created.ID), nil, alpha.People["curator"].Auth()).Expect(http.StatusOK)
		r.Decode(&got)
		check(t, got)
		if r.Header.Get("ETag") != `"1"` || got.ID != created.ID || got.Modules[1].Assignments[0].ID != created.Modules[1].Assignments[0].ID {
			t.Errorf("read back %+v with ETag %s differs from the created course", got, r.Header.Get("ETag"))
		}

		if n := s.Count("course_modules", "course_id = ?", created.ID); n != 2 {
			t.Errorf("%d module rows, want 2", n)
		}
		// Every row created is audited: the course, two modules, three assignments.
		if n := s.Count("audit_entries", "org_id = ? AND action = ?", alpha.Org.ID, "create-course"); n != 6 {
			t.Errorf("%d audit entries for create-course, want 6", n)
		}
	})
}

func TestCourseValidationNamesNestedFields(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"].Auth()
		edit := func(change func(b obj)) obj {
			b := psychologyCourse()
			change(b)
			return b
		}
		rubricOf := func(b obj, m, a int) []obj {
			return b["modules"].([]obj)[m]["assignments"].([]obj)[a]["rubric"].([]obj)
		}
		assignmentOf := func(b obj, m, a int) obj { return b["modules"].([]obj)[m]["assignments"].([]obj)[a] }
		for _, tc := range []struct {
			name      string
			body      obj
			locations []string
		}{
			{"no modules", edit(func(b obj) { b["modules"] = []obj{} }), []string{"body.modules"}},
			{"no title", edit(func(b obj) { delete(b, "title") }), []string{"body.title"}},
			{"max points out of range", edit(func(b obj) {
				assignmentOf(b, 1, 0)["rubric"] = []obj{
					{"key": "a", "title": "A", "max_points": 1}, {"key": "b", "title": "B", "max_points": 1000},
					{"key": "c", "title": "C", "max_points": 1001},
				}
			}), []string{"body.modules[1].assignments[0].rubric[2].max_points"}},
			{"zero max points", edit(func(b obj) { rubricOf(b, 0, 1)[1]["max_points"] = 0 }), []string{"body.modules[0].assignments[1].rubric[1].max_points"}},
			{"duplicate criterion keys", edit(func(b obj) { rubricOf(b, 0, 1)[1]["key"] = "depth" }), []string{"body.modules[0].assignments[1].rubric[1].key"}},
			{"unknown kind", edit(func(b obj) { assignmentOf(b, 0, 0)["kind"] = "essay" }), []string{"body.modules[0].assignments[0].kind"}},
			{"review target zero", edit(func(b obj) { assignmentOf(b, 1, 0)["review_target_minutes"] = 0 }), []string{"body.modules[1].assignments[0].review_target_minutes"}},
			{"external id without source", edit(func(b obj) { delete(b, "source") }), []string{"body.source"}},
			{"assignment source without id", edit(func(b obj) { delete(assignmentOf(b, 1, 0), "external_id") }), []string{"body.modules[1].assignments[0].external_id"}},
			{"one LMS id for two assignments", edit(func(b obj) {
				a := assignmentOf(b, 0, 0)
				a["source"], a["external_id"] = "getcourse", "hw-final"
			}), []string{"body.modules[1].assignments[0].external_id"}},
			{"several errors at once", edit(func(b obj) {
				rubricOf(b, 0, 1)[1]["key"] = "depth"
				delete(b, "source")
			}), []string{"body.modules[0].assignments[1].rubric[1].key", "body.source"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.WithT(t).Do(http.MethodPost, alpha.Path("/courses"), tc.body, admin).ExpectProblem(http.StatusUnprocessableEntity, tc.locations...)
			})
		}
		for _, table := range []string{"courses", "course_modules", "assignments"} {
			if n := s.Count(table, ""); n != 0 {
				t.Errorf("%d rows in %s after refused requests", n, table)
			}
		}
	})
}

func TestCatalogAccessByRole(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		c := createCourse(t, s, alpha, smallCourse("Практическая психология"))
		for _, tc := range []struct {
			method, path string
			body         any
			allowed      []string
		}{
			{http.MethodGet, "/courses", nil, []string{"admin", "head_of_service", "senior_curator", "curator", "hr", "finance", "integration"}},
			{http.MethodGet, "/courses/" + c.ID, nil, []string{"admin", "head_of_service", "senior_curator", "curator", "hr", "finance", "integration"}},
			{http.MethodPost, "/courses", smallCourse("x"), []string{"admin", "head_of_service", "integration"}},
			{http.MethodGet, "/cohorts", nil, []string{"admin", "head_of_service", "senior_curator", "curator", "hr", "finance", "integration"}},
			{http.MethodPost, "/cohorts", obj{"course_id": c.ID, "name": "x", "starts_on": "2026-04-01", "ends_on": "2026-06-30"}, []string{"admin", "head_of_service", "integration"}},
			{http.MethodGet, "/products", nil, []string{"admin", "head_of_service", "finance", "integration"}},
			{http.MethodPost, "/products", obj{"kind": "consultation", "title": "x", "price": obj{"amount": 100, "currency": "RUB"}}, []string{"admin", "head_of_service", "integration"}},
		} {
			allowed := map[string]bool{}
			for _, r := range tc.allowed {
				allowed[r] = true
			}
			s.Do(tc.method, alpha.Path(tc.path), tc.body).ExpectProblem(http.StatusUnauthorized)
			for role, actor := range alpha.People {
				r := s.Do(tc.method, alpha.Path(tc.path), tc.body, actor.Auth())
				if allowed[role] {
					if r.Code != http.StatusOK && r.Code != http.StatusCreated {
						t.Errorf("%s %s as %s: status %d, want success; body %s", tc.method, tc.path, role, r.Code, r.Body)
					}
				} else if r.Code != http.StatusForbidden {
					t.Errorf("%s %s as %s: status %d, want 403", tc.method, tc.path, role, r.Code)
				}
			}
		}
	})
}

func TestCatalogIsPerSchool(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin := alpha.People["admin"].Auth()
		mine := createCourse(t, s, alpha, smallCourse("Наш курс"))
		theirs := createCourse(t, s, beta, psychologyCourse())
		theirCohort := createCohort(t, s, beta, obj{"course_id": theirs.ID, "name": "Поток 1", "starts_on": "2026-04-01", "ends_on": "2026-06-30"})
		var theirProduct product
		s.Do(http.MethodPost, beta.Path("/products"), obj{"kind": "course", "title": "Курс", "course_id": theirs.ID, "price": obj{"amount": 1250000, "currency": "RUB"}},
			beta.People["admin"].Auth()).Expect(http.StatusCreated).Decode(&theirProduct)
		theirAssignment := theirs.Modules[0].Assignments[0].ID

		for _, tc := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/courses/" + theirs.ID, nil},
			{http.MethodPatch, "/courses/" + theirs.ID, obj{"title": "Захвачено"}},
			{http.MethodPost, "/courses/" + theirs.ID + "/modules", obj{"title": "Чужой модуль"}},
			{http.MethodPatch, "/courses/" + theirs.ID + "/assignments/" + theirAssignment, obj{"title": "x"}},
			// Their assignment under our course is no more ours.
			{http.MethodPatch, "/courses/" + mine.ID + "/assignments/" + theirAssignment, obj{"title": "x"}},
			{http.MethodGet, "/cohorts/" + theirCohort.ID, nil},
			{http.MethodPatch, "/cohorts/" + theirCohort.ID, obj{"name": "x"}},
			{http.MethodGet, "/products/" + theirProduct.ID, nil},
			{http.MethodPatch, "/products/" + theirProduct.ID, obj{"title": "x"}},
		} {
			s.Do(tc.method, alpha.Path(tc.path), tc.body, admin, withVersion(1)).ExpectProblem(http.StatusNotFound)
		}

		// Their course named in our bodies is an unknown course, exactly like
		// one that does not exist.
		s.Do(http.MethodPost, alpha.Path("/cohorts"), obj{"course_id": theirs.ID, "name": "x", "starts_on": "2026-04-01", "ends_on": "2026-04-02"}, admin).
			ExpectProblem(http.StatusUnprocessableEntity, "body.course_id")
		s.Do(http.MethodPost, alpha.Path("/products"), obj{"kind": "course", "title": "x", "course_id": theirs.ID, "price": obj{"amount": 1, "currency": "RUB"}}, admin).
			ExpectProblem(http.StatusUnprocessableEntity, "body.course_id")

		// Lists show only the school's own records, and the same LMS id may be
		// used by two schools.
		var courses page[course]
		s.Do(http.MethodGet, alpha.Path("/courses"), nil, admin).Expect(http.StatusOK).Decode(&courses)
		if len(courses.Items) != 1 || courses.Items[0].ID != mine.ID {
			t.Errorf("alpha's course list %+v, want only its own course", courses.Items)
		}
		for _, path := range []string{"/cohorts", "/products"} {
			var p page[obj]
			s.Do(http.MethodGet, alpha.Path(path), nil, admin).Expect(http.StatusOK).Decode(&p)
			if len(p.Items) != 0 {
				t.Errorf("alpha's %s list %+v, want none", path, p.Items)
			}
		}
		createCourse(t, s, alpha, psychologyCourse())
		var got course
		s.Do(http.MethodGet, beta.Path("/courses/"+theirs.ID), nil, beta.People["admin"].Auth()).Expect(http.StatusOK).Decode(&got)
		if got.Title != theirs.Title || got.Version != 1 {
			t.Errorf("beta's course changed: %+v", got)
		}
	})
}

func TestCourseEditsNeedTheCurrentVersion(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, head := alpha.People["admin"].Auth(), alpha.People["head_of_service"].Auth()
		c := createCourse(t, s, alpha, psychologyCourse())
		coursePath := alpha.Path("/courses/" + c.ID)
		target := c.Modules[0].Assignments[1]
		assignmentPath := coursePath + "/assignments/" + target.ID

		s.Do(http.MethodPatch, coursePath, obj{"title": "Новое"}, admin).ExpectProblem(http.StatusPreconditionRequired)
		s.Do(http.MethodPatch, coursePath, obj{"title": "Новое"}, admin, withVersion(2)).ExpectProblem(http.StatusPreconditionFailed)
		s.Do(http.MethodPatch, coursePath, obj{"title": "Новое"}, admin, apptest.Header("If-Match", "v1")).ExpectProblem(http.StatusUnprocessableEntity, "header.If-Match")

		var got course
		r := s.Do(http.MethodPatch, coursePath, obj{"title": "Психология отношений 2.0"}, admin, withVersion(1)).Expect(http.StatusOK)
		r.Decode(&got)
		if got.Title != "Психология отношений 2.0" || got.Description != c.Description || got.Version != 2 || r.Header.Get("ETag") != `"2"` || len(got.Modules) != 2 {
			t.Fatalf("after rename: %+v, ETag %s", got, r.Header.Get("ETag"))
		}

		// An assignment edit is checked against, and bumps, the course's version.
		newRubric := obj{"rubric": []obj{{"key": "insight", "title": "Инсайт", "max_points": 20, "required": true}}, "review_target_minutes": 120}
		s.Do(http.MethodPatch, assignmentPath, newRubric, admin).ExpectProblem(http.StatusPreconditionRequired)
		s.Do(http.MethodPatch, assignmentPath, newRubric, admin, withVersion(1)).ExpectProblem(http.StatusPreconditionFailed)
		s.Do(http.MethodPatch, assignmentPath, obj{"rubric": []obj{{"key": "a", "title": "A", "max_points": 1}, {"key": "a", "title": "B", "max_points": 2}}}, admin, withVersion(2)).
			ExpectProblem(http.StatusUnprocessableEntity, "body.rubric[1].key")
		s.Do(http.MethodPatch, assignmentPath, obj{"rubric": []obj{{"key": "a", "title": "A", "max_points": 0}}}, admin, withVersion(2)).
			ExpectProblem(http.StatusUnprocessableEntity, "body.rubric[0].max_points")
		r = s.Do(http.MethodPatch, assignmentPath, newRubric, head, withVersion(2)).Expect(http.StatusOK)
		r.Decode(&got)
		edited := got.Modules[0].Assignments[1]
		if r.Header.Get("ETag") != `"3"` || got.Version != 3 || edited.ID != target.ID || edited.Title != target.Title || edited.ReviewTargetMinutes != 120 ||
			len(edited.Rubric) != 1 || edited.Rubric[0] != (criterion{"insight", "Инсайт", 20, true}) {
			t.Fatalf("after assignment edit: %+v, ETag %s", edited, r.Header.Get("ETag"))
		}
		// Clearing the rubric is a change; sending the same values is not.
		s.Do(http.MethodPatch, assignmentPath, obj{"rubric": []obj{}}, admin, withVersion(3)).Expect(http.StatusOK).Decode(&got)
		if got.Version != 4 || len(got.Modules[0].Assignments[1].Rubric) != 0 {
			t.Errorf("after clearing the rubric: version %d, rubric %+v", got.Version, got.Modules[0].Assignments[1].Rubric)
		}
		s.Do(http.MethodPatch, assignmentPath, obj{"review_target_minutes": 120}, admin, withVersion(4)).Expect(http.StatusOK).Decode(&got)
		if got.Version != 4 {
			t.Errorf("an edit that changes nothing moved the version to %d", got.Version)
		}
		if n := s.Count("audit_entries", "entity_type = ? AND entity_id = ? AND action = ?", "assignment", target.ID, "update-assignment"); n != 2 {
			t.Errorf("%d audit entries of assignment edits, want 2", n)
		}

		// Appending a module: If-Match is optional, and checked when sent.
		module := obj{"title": "Практика", "assignments": []obj{{"title": "Разбор случая", "kind": "regular"}, {"title": "Эссе", "kind": "final_project"}}}
		s.Do(http.MethodPost, coursePath+"/modules", module, admin, withVersion(3)).ExpectProblem(http.StatusPreconditionFailed)
		s.Do(http.MethodPost, coursePath+"/modules", obj{"title": "x", "assignments": []obj{{"title": "y", "kind": "regular", "rubric": []obj{{"key": "k", "title": "K", "max_points": 2000}}}}}, admin).
			ExpectProblem(http.StatusUnprocessableEntity, "body.assignments[0].rubric[0].max_points")
		r = s.Do(http.MethodPost, coursePath+"/modules", module, admin, withVersion(4)).Expect(http.StatusCreated)
		r.Decode(&got)
		if r.Header.Get("ETag") != `"5"` || len(got.Modules) != 3 || got.Modules[2].Position != 3 || got.Modules[2].Title != "Практика" {
			t.Fatalf("after appending: %+v, ETag %s", got.Modules, r.Header.Get("ETag"))
		}
		added := got.Modules[2].Assignments
		if len(added) != 2 || added[0].Position != 1 || added[1].Position != 2 || added[0].ReviewTargetMinutes != 1440 || added[1].ReviewTargetMinutes != 4320 {
			t.Errorf("appended assignments %+v", added)
		}
		s.Do(http.MethodPost, coursePath+"/modules", obj{"title": "Без заданий"}, admin).Expect(http.StatusCreated).Decode(&got)
		if got.Version != 6 || len(got.Modules) != 4 || got.Modules[3].Position != 4 || got.Modules[3].Assignments == nil {
			t.Errorf("after appending without If-Match: version %d, modules %+v", got.Version, got.Modules)
		}
		s.Do(http.MethodPatch, alpha.Path("/courses/"+c.ID+"/assignments/00000000-0000-7000-8000-000000000000"), obj{"title": "x"}, admin, withVersion(6)).
			ExpectProblem(http.StatusNotFound)
	})
}

func TestArchivedCourseIsFrozen(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"].Auth()
		c := createCourse(t, s, alpha, psychologyCourse())
		other := createCourse(t, s, alpha, smallCourse("Другой курс"))
		coursePath := alpha.Path("/courses/" + c.ID)

		var got course
		s.Do(http.MethodPatch, coursePath, obj{"status": "archived"}, admin, withVersion(1)).Expect(http.StatusOK).Decode(&got)
		if got.Status != "archived" || got.Version != 2 || len(got.Modules) != 2 {
			t.Fatalf("archived course %+v", got)
		}
		s.Do(http.MethodPost, coursePath+"/modules", obj{"title": "Ещё"}, admin).ExpectProblem(http.StatusConflict)
		s.Do(http.MethodPatch, coursePath+"/assignments/"+c.Modules[0].Assignments[0].ID, obj{"title": "x"}, admin, withVersion(2)).ExpectProblem(http.StatusConflict)
		s.Do(http.MethodPost, alpha.Path("/cohorts"), obj{"course_id": c.ID, "name": "x", "starts_on": "2026-04-01", "ends_on": "2026-04-02"}, admin).
			ExpectProblem(http.StatusUnprocessableEntity, "body.course_id")
		s.Do(http.MethodPost, alpha.Path("/products"), obj{"kind": "course", "title": "x", "course_id": c.ID, "price": obj{"amount": 1, "currency": "RUB"}}, admin).
			ExpectProblem(http.StatusUnprocessableEntity, "body.course_id")
		if n := s.Count("course_modules", "course_id = ?", c.ID); n != 2 {
			t.Errorf("%d modules after refused changes, want 2", n)
		}

		var active, archived page[course]
		s.Do(http.MethodGet, alpha.Path("/courses?status=active"), nil, admin).Expect(http.StatusOK).Decode(&active)
		s.Do(http.MethodGet, alpha.Path("/courses?status=archived"), nil, admin).Expect(http.StatusOK).Decode(&archived)
		if len(active.Items) != 1 || active.Items[0].ID != other.ID || len(archived.Items) != 1 || archived.Items[0].ID != c.ID {
			t.Errorf("active %+v, archived %+v", active.Items, archived.Items)
		}
		if archived.Items[0].Modules != nil {
			t.Errorf("course lists carry no modules, got %+v", archived.Items[0].Modules)
		}

		s.Do(http.MethodPatch, coursePath, obj{"status": "active"}, admin, withVersion(2)).Expect(http.StatusOK).Decode(&got)
		if got.Status != "active" || got.Version != 3 {
			t.Fatalf("reactivated course %+v", got)
		}
		s.Do(http.MethodPost, coursePath+"/modules", obj{"title": "Ещё"}, admin).Expect(http.StatusCreated)
		if n := s.Count("audit_entries", "entity_type = ? AND entity_id = ? AND action = ?", "course", c.ID, "update-course"); n != 2 {
			t.Errorf("%d audit entries of course updates, want 2 (archive, reactivate)", n)
		}
	})
}

func TestExternalIDsAreUniquePerSchool(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		key := alpha.People["integration"].Auth()
		c := createCourse(t, s, alpha, psychologyCourse())

		s.Do(http.MethodPost, alpha.Path("/courses"), psychologyCourse(), key).ExpectProblem(http.StatusConflict)
		// Another course whose assignment reuses an LMS id is refused whole.
		again := psychologyCourse()
		again["external_id"] = "course-18"
		s.Do(http.MethodPost, alpha.Path("/courses"), again, key).ExpectProblem(http.StatusConflict)
		s.Do(http.MethodPost, alpha.Path("/courses/"+c.ID+"/modules"),
			obj{"title": "x", "assignments": []obj{{"title": "y", "kind": "regular", "source": "getcourse", "external_id": "hw-final"}}}, key).
			ExpectProblem(http.StatusConflict)
		if n := s.Count("courses", ""); n != 1 {
			t.Errorf("%d courses, want 1", n)
		}
		if n := s.Count("course_modules", ""); n != 2 {
			t.Errorf("%d modules, want 2", n)
		}

		cohortBody := obj{"course_id": c.ID, "name": "Поток 1", "starts_on": "2026-04-01", "ends_on": "2026-06-30", "source": "getcourse", "external_id": "stream-1"}
		createCohort(t, s, alpha, cohortBody)
		s.Do(http.MethodPost, alpha.Path("/cohorts"), cohortBody, key).ExpectProblem(http.StatusConflict)

		productBody := obj{"kind": "mentoring", "title": "Наставничество", "price": obj{"amount": 500000, "currency": "RUB"}, "source": "crm", "external_id": "p-1"}
		s.Do(http.MethodPost, alpha.Path("/products"), productBody, key).Expect(http.StatusCreated)
		s.Do(http.MethodPost, alpha.Path("/products"), productBody, key).ExpectProblem(http.StatusConflict)
		// Without an LMS id, nothing clashes.
		delete(productBody, "source")
		delete(productBody, "external_id")
		s.Do(http.MethodPost, alpha.Path("/products"), productBody, key).Expect(http.StatusCreated)
		s.Do(http.MethodPost, alpha.Path("/products"), productBody, key).Expect(http.StatusCreated)
	})
}

func TestCohorts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"].Auth()
		c1 := createCourse(t, s, alpha, smallCourse("Курс 1"))
		c2 := createCourse(t, s, alpha, smallCourse("Курс 2"))

		r := s.Do(http.MethodPost, alpha.Path("/cohorts"), obj{"course_id": c1.ID, "name": "Весна", "starts_on": "2026-03-01", "ends_on": "2026-03-01"}, admin).Expect(http.StatusCreated)
		var spring cohort
		r.Decode(&spring)
		if spring.CourseID != c1.ID || spring.Name != "Весна" || spring.StartsOn != "2026-03-01" || spring.EndsOn != "2026-03-01" ||
			spring.Status != "planned" || spring.Version != 1 || r.Header.Get("ETag") != `"1"` {
			t.Fatalf("created cohort %+v, ETag %s", spring, r.Header.Get("ETag"))
		}

		for _, tc := range []struct {
			name     string
			body     obj
			location string
		}{
			{"ends before it starts", obj{"course_id": c1.ID, "name": "x", "starts_on": "2026-03-02", "ends_on": "2026-03-01"}, "body.ends_on"},
			{"not a date", obj{"course_id": c1.ID, "name": "x", "starts_on": "2026-13-01", "ends_on": "2026-12-31"}, "body.starts_on"},
			{"date with time", obj{"course_id": c1.ID, "name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31T00:00:00Z"}, "body.ends_on"},
			{"unknown course", obj{"course_id": "00000000-0000-7000-8000-000000000000", "name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31"}, "body.course_id"},
			{"course id not a uuid", obj{"course_id": "course-1", "name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31"}, "body.course_id"},
			{"unknown status", obj{"course_id": c1.ID, "name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "status": "running"}, "body.status"},
			{"no name", obj{"course_id": c1.ID, "starts_on": "2026-03-01", "ends_on": "2026-03-31"}, "body.name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.WithT(t).Do(http.MethodPost, alpha.Path("/cohorts"), tc.body, admin).ExpectProblem(http.StatusUnprocessableEntity, tc.location)
			})
		}
		if n := s.Count("cohorts", ""); n != 1 {
			t.Fatalf("%d cohorts after refused requests, want 1", n)
		}

		path := alpha.Path("/cohorts/" + spring.ID)
		s.Do(http.MethodPatch, path, obj{"status": "active"}, admin).ExpectProblem(http.StatusPreconditionRequired)
		s.Do(http.MethodPatch, path, obj{"status": "active"}, admin, withVersion(7)).ExpectProblem(http.StatusPreconditionFailed)
		// The dates are checked as they would be after the change.
		s.Do(http.MethodPatch, path, obj{"starts_on": "2026-03-02"}, admin, withVersion(1)).ExpectProblem(http.StatusUnprocessableEntity, "body.ends_on")
		var got cohort
		r = s.Do(http.MethodPatch, path, obj{"ends_on": "2026-05-31", "status": "active", "name": "Весна 2026"}, alpha.People["integration"].Auth(), withVersion(1)).Expect(http.StatusOK)
		r.Decode(&got)
		if got.EndsOn != "2026-05-31" || got.StartsOn != "2026-03-01" || got.Status != "active" || got.Name != "Весна 2026" || got.Version != 2 || r.Header.Get("ETag") != `"2"` {
			t.Fatalf("updated cohort %+v, ETag %s", got, r.Header.Get("ETag"))
		}
		s.Do(http.MethodGet, path, nil, alpha.People["curator"].Auth()).Expect(http.StatusOK).Decode(&got)
		if got.Status != "active" || got.Version != 2 {
			t.Errorf("read back %+v", got)
		}

		// Filters and paging.
		createCohort(t, s, alpha, obj{"course_id": c2.ID, "name": "Лето", "starts_on": "2026-06-01", "ends_on": "2026-08-31"})
		createCohort(t, s, alpha, obj{"course_id": c1.ID, "name": "Осень", "starts_on": "2026-09-01", "ends_on": "2026-11-30"})
		createCohort(t, s, alpha, obj{"course_id": c1.ID, "name": "Зима", "starts_on": "2026-12-01", "ends_on": "2027-02-28", "status": "active"})
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"Весна 2026", "Лето", "Осень", "Зима"}},
			{"course_id=" + c1.ID, []string{"Весна 2026", "Осень", "Зима"}},
			{"status=active", []string{"Весна 2026", "Зима"}},
			{"course_id=" + c1.ID + "&status=planned", []string{"Осень"}},
			{"course_id=" + c2.ID + "&status=active", nil},
		} {
			var names []string
			for _, item := range listAll[cohort](t, s, alpha.Path("/cohorts?limit=2&"+tc.query), admin) {
				names = append(names, item.Name)
			}
			if fmt.Sprint(names) != fmt.Sprint(tc.want) {
				t.Errorf("cohorts?%s: %v, want %v", tc.query, names, tc.want)
			}
		}
		s.Do(http.MethodGet, alpha.Path("/cohorts?status=running"), nil, admin).ExpectProblem(http.StatusUnprocessableEntity, "query.status")
		s.Do(http.MethodGet, alpha.Path("/cohorts?cursor=nonsense"), nil, admin).ExpectProblem(http.StatusUnprocessableEntity, "query.cursor")
	})
}

// listAll walks every page of a list, two at a time, and checks that no
// item shows up twice.
func listAll[T any](t *testing.T, s *apptest.Server, path string, auth apptest.Option) []T {
	t.Helper()
	var all []T
	seen := map[string]bool{}
	next := path
	for pages := 0; next != ""; pages++ {
		if pages > 20 {
			t.Fatalf("%s: paging does not end", path)
		}
		var p page[T]
		s.WithT(t).Do(http.MethodGet, next, nil, auth).Expect(http.StatusOK).Decode(&p)
		for _, item := range p.Items {
			key := fmt.Sprint(item)
			if seen[key] {
				t.Fatalf("%s: %v listed twice", path, item)
			}
			seen[key] = true
		}
		if len(p.Items) > 2 {
			t.Fatalf("%s: page of %d items, limit 2", path, len(p.Items))
		}
		all = append(all, p.Items...)
		next = ""
		if p.NextCursor != "" {
			next = path + "&cursor=" + url.QueryEscape(p.NextCursor)
		}
	}
	return all
}

func TestProducts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head, finance := alpha.People["head_of_service"].Auth(), alpha.People["finance"].Auth()
		c := createCourse(t, s, alpha, psychologyCourse())

		r := s.Do(http.MethodPost, alpha.Path("/products"),
			obj{"kind": "course", "title": "Психология отношений, тариф «Стандарт»", "course_id": c.ID, "price": obj{"amount": 1250000, "currency": "RUB"}}, head).
			Expect(http.StatusCreated)
		var standard product
		r.Decode(&standard)
		if standard.Kind != "course" || standard.CourseID == nil || *standard.CourseID != c.ID || standard.Price != (money{1250000, "RUB"}) ||
			standard.Status != "active" || standard.Version != 1 || r.Header.Get("ETag") != `"1"` {
			t.Fatalf("created product %+v, ETag %s", standard, r.Header.Get("ETag"))
		}
		if raw := r.Map()["price"].(map[string]any)["amount"]; raw != float64(1250000) {
			t.Errorf("price amount on the wire %v, want the integer 1250000", raw)
		}

		for _, tc := range []struct {
			name     string
			body     obj
			location string
		}{
			{"course product without course", obj{"kind": "course", "title": "x", "price": obj{"amount": 1, "currency": "RUB"}}, "body.course_id"},
			{"negative price", obj{"kind": "consultation", "title": "x", "price": obj{"amount": -1, "currency": "RUB"}}, "body.price.amount"},
			{"fractional price", obj{"kind": "consultation", "title": "x", "price": obj{"amount": 10.5, "currency": "RUB"}}, "body.price.amount"},
			{"lower-case currency", obj{"kind": "consultation", "title": "x", "price": obj{"amount": 1, "currency": "rub"}}, "body.price.currency"},
			{"no price", obj{"kind": "consultation", "title": "x"}, "body.price"},
			{"unknown kind", obj{"kind": "webinar", "title": "x", "price": obj{"amount": 1, "currency": "RUB"}}, "body.kind"},
			{"unknown course", obj{"kind": "mentoring", "title": "x", "course_id": "00000000-0000-7000-8000-000000000000", "price": obj{"amount": 1, "currency": "RUB"}}, "body.course_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.WithT(t).Do(http.MethodPost, alpha.Path("/products"), tc.body, head).ExpectProblem(http.StatusUnprocessableEntity, tc.location)
			})
		}

		// The list price changes with If-Match; it is list data, not money paid.
		path := alpha.Path("/products/" + standard.ID)
		newPrice := obj{"price": obj{"amount": 1490000, "currency": "RUB"}}
		s.Do(http.MethodPatch, path, newPrice, head).ExpectProblem(http.StatusPreconditionRequired)
		s.Do(http.MethodPatch, path, newPrice, head, withVersion(2)).ExpectProblem(http.StatusPreconditionFailed)
		s.Do(http.MethodPatch, path, obj{"price": obj{"amount": -5, "currency": "RUB"}}, head, withVersion(1)).ExpectProblem(http.StatusUnprocessableEntity, "body.price.amount")
		var got product
		r = s.Do(http.MethodPatch, path, newPrice, head, withVersion(1)).Expect(http.StatusOK)
		r.Decode(&got)
		if got.Price != (money{1490000, "RUB"}) || got.Title != standard.Title || got.Version != 2 || r.Header.Get("ETag") != `"2"` {
			t.Fatalf("repriced product %+v, ETag %s", got, r.Header.Get("ETag"))
		}
		var entries struct {
			Items []struct {
				Changes map[string]struct{ Before, After any } `json:"changes"`
			} `json:"items"`
		}
		s.Do(http.MethodGet, alpha.Path("/audit?entity_type=product&entity_id="+standard.ID+"&action=update-product"), nil, head).Expect(http.StatusOK).Decode(&entries)
		if len(entries.Items) != 1 || entries.Items[0].Changes["price_amount"].Before != float64(1250000) || entries.Items[0].Changes["price_amount"].After != float64(1490000) {
			t.Errorf("repricing audited as %+v", entries.Items)
		}

		s.Do(http.MethodGet, path, nil, finance).Expect(http.StatusOK).Decode(&got)
		if got.Price.Amount != 1490000 {
			t.Errorf("read back price %+v", got.Price)
		}

		// Filters and paging.
		for _, p := range []obj{
			{"kind": "consultation", "title": "Консультация", "price": obj{"amount": 300000, "currency": "RUB"}},
			{"kind": "mentoring", "title": "Наставник курса", "course_id": c.ID, "price": obj{"amount": 900000, "currency": "RUB"}},
			{"kind": "club_subscription", "title": "Клуб", "price": obj{"amount": 99000, "currency": "RUB"}, "status": "archived"},
			{"kind": "course", "title": "Тариф «VIP»", "course_id": c.ID, "price": obj{"amount": 2500000, "currency": "RUB"}},
		} {
			s.Do(http.MethodPost, alpha.Path("/products"), p, head).Expect(http.StatusCreated)
		}
		s.Do(http.MethodPatch, path, obj{"status": "archived"}, head, withVersion(2)).Expect(http.StatusOK)
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"Психология отношений, тариф «Стандарт»", "Консультация", "Наставник курса", "Клуб", "Тариф «VIP»"}},
			{"kind=course", []string{"Психология отношений, тариф «Стандарт»", "Тариф «VIP»"}},
			{"status=active", []string{"Консультация", "Наставник курса", "Тариф «VIP»"}},
			{"course_id=" + c.ID, []string{"Психология отношений, тариф «Стандарт»", "Наставник курса", "Тариф «VIP»"}},
			{"kind=course&status=active&course_id=" + c.ID, []string{"Тариф «VIP»"}},
			{"kind=consultation&status=archived", nil},
		} {
			var titles []string
			for _, item := range listAll[product](t, s, alpha.Path("/products?limit=2&"+tc.query), finance) {
				titles = append(titles, item.Title)
			}
			if fmt.Sprint(titles) != fmt.Sprint(tc.want) {
				t.Errorf("products?%s: %v, want %v", tc.query, titles, tc.want)
			}
		}
	})
}

func TestCourseListPaging(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"].Auth()
		var want []string
		for i := 1; i <= 5; i++ {
			c := createCourse(t, s, alpha, smallCourse(fmt.Sprintf("Курс %d", i)))
			want = append(want, c.Title)
		}
		var got []string
		for _, c := range listAll[course](t, s, alpha.Path("/courses?limit=2&status=active"), admin) {
			got = append(got, c.Title)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("paged courses %v, want %v in creation order", got, want)
		}
		s.Do(http.MethodGet, alpha.Path("/courses?limit=0"), nil, admin).ExpectProblem(http.StatusUnprocessableEntity, "query.limit")
		s.Do(http.MethodGet, alpha.Path("/courses/not-a-uuid"), nil, admin).ExpectProblem(http.StatusUnprocessableEntity, "path.id")
	})
}

// The lookups other modules and the event handlers use find a school's own
// records, by id or by LMS id, and nothing of another school.
func TestCatalogStoreLookups(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		c := createCourse(t, s, alpha, psychologyCourse())
		var withThird course
		s.Do(http.MethodPost, alpha.Path("/courses/"+c.ID+"/modules"), obj{"title": "Практика", "assignments": []obj{
			{"title": "Разбор", "kind": "regular"}, {"title": "Эссе", "kind": "regular"},
		}}, alpha.People["admin"].Auth()).Expect(http.StatusCreated).Decode(&withThird)
		co := createCohort(t, s, alpha, obj{"course_id": c.ID, "name": "Поток 1", "starts_on": "2026-04-01", "ends_on": "2026-06-30",
			"source": "getcourse", "external_id": "stream-1"})
		var p product
		s.Do(http.MethodPost, alpha.Path("/products"), obj{"kind": "course", "title": "Курс", "course_id": c.ID,
			"price": obj{"amount": 1250000, "currency": "RUB"}, "source": "crm", "external_id": "sku-1"}, alpha.People["admin"].Auth()).
			Expect(http.StatusCreated).Decode(&p)
		final := c.Modules[1].Assignments[0]

		ctx, st, db := context.Background(), school.Store{}, s.DB
		orgID, otherID := alpha.Org.ID, beta.Org.ID
		lookups := []struct {
			what  string
			find  func(orgID string) (string, error)
			wants string
		}{
			{"course", func(o string) (string, error) { r, err := st.Course(ctx, db, o, c.ID); return idOf(r, err) }, c.ID},
			{"course", func(o string) (string, error) {
				r, err := st.CourseByExternalID(ctx, db, o, "getcourse", "course-17")
				return idOf(r, err)
			}, c.ID},
			{"cohort", func(o string) (string, error) { r, err := st.Cohort(ctx, db, o, co.ID); return idOf(r, err) }, co.ID},
			{"cohort", func(o string) (string, error) {
				r, err := st.CohortByExternalID(ctx, db, o, "getcourse", "stream-1")
				return idOf(r, err)
			}, co.ID},
			{"product", func(o string) (string, error) { r, err := st.Product(ctx, db, o, p.ID); return idOf(r, err) }, p.ID},
			{"product", func(o string) (string, error) {
				r, err := st.ProductByExternalID(ctx, db, o, "crm", "sku-1")
				return idOf(r, err)
			}, p.ID},
			{"assignment", func(o string) (string, error) { r, err := st.Assignment(ctx, db, o, final.ID); return idOf(r, err) }, final.ID},
			{"assignment", func(o string) (string, error) {
				r, err := st.AssignmentByExternalID(ctx, db, o, "getcourse", "hw-final")
				return idOf(r, err)
			}, final.ID},
		}
		for i, l := range lookups {
			if got, err := l.find(orgID); err != nil || got != l.wants {
				t.Errorf("lookup %d of a %s: %q, %v; want %s", i, l.what, got, err, l.wants)
			}
			_, err := l.find(otherID)
			if !errors.Is(err, errs.ErrNotFound) || err.Error() != "not found: "+l.what+" not found" {
				t.Errorf("lookup %d of a %s in another school: %v, want %s not found", i, l.what, err, l.what)
			}
		}
		if _, err := st.CohortByExternalID(ctx, db, orgID, "other-lms", "stream-1"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("an LMS id is matched with its source only, got %v", err)
		}

		modules, err := st.CourseModules(ctx, db, orgID, c.ID)
		if err != nil || len(modules) != 3 {
			t.Fatalf("modules %+v, %v", modules, err)
		}
		assignments, err := st.Assignments(ctx, db, orgID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, a := range assignments {
			order = append(order, a.Title)
		}
		if fmt.Sprint(order) != "[Дневник эмоций Карта отношений Итоговый проект Разбор Эссе]" {
			t.Errorf("assignments in order %v", order)
		}
		if a := assignments[1]; a.ModuleID != modules[0].ID || a.Position != 2 || len(a.Rubric) != 2 || a.Rubric[0].Key != "depth" || !a.Rubric[0].Required {
			t.Errorf("assignment as stored: %+v", a)
		}
		if other, err := st.Assignments(ctx, db, otherID, c.ID); err != nil || len(other) != 0 {
			t.Errorf("another school's assignments of the course: %+v, %v", other, err)
		}
		if other, err := st.CourseModules(ctx, db, otherID, c.ID); err != nil || len(other) != 0 {
			t.Errorf("another school's modules of the course: %+v, %v", other, err)
		}
	})
}

// idOf returns the id of a row found, for lookups of any row type.
func idOf[R interface {
	*school.Course | *school.Cohort | *school.Product | *school.Assignment
}](r R, err error) (string, error) {
	if err != nil {
		return "", err
	}
	switch v := any(r).(type) {
	case *school.Course:
		return v.ID, nil
	case *school.Cohort:
		return v.ID, nil
	case *school.Product:
		return v.ID, nil
	case *school.Assignment:
		return v.ID, nil
	}
	return "", nil
}
