package kb_test

import (
	"sync"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

type template struct {
	ID         string
	Category   string
	Title      string
	Body       string
	Variables  []string
	UsageCount int64 `json:"usage_count"`
	Version    int64
}

func TestAnswerTemplates(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		head, cur := alpha.People["head_of_service"], alpha.People["curator"]
		body := map[string]string{"category": "homework_checking", "title": "Доработка ДЗ",
			"body": "{{student_name}}, спасибо за работу! Доработайте, пожалуйста, задание до {{ deadline }}."}

		s.Do(post, alpha.Path("/kb/templates"), body).ExpectProblem(401)
		s.Do(post, alpha.Path("/kb/templates"), body, cur.Auth()).ExpectProblem(403)
		bad := map[string]string{"category": "homework_checking", "title": "x", "body": "Здравствуйте, {{Имя}}!"}
		s.Do(post, alpha.Path("/kb/templates"), bad, head.Auth()).ExpectProblem(422, "body.body")
		bad["body"], bad["category"] = "ok", "nope"
		s.Do(post, alpha.Path("/kb/templates"), bad, head.Auth()).ExpectProblem(422, "body.category")
		res := s.Do(post, alpha.Path("/kb/templates"), body, head.Auth()).Expect(201)
		var tpl template
		res.Decode(&tpl)
		if res.Header.Get("ETag") != `"1"` || tpl.UsageCount != 0 || len(tpl.Variables) != 2 || tpl.Variables[0] != "student_name" || tpl.Variables[1] != "deadline" {
			t.Fatalf("created %s %s", res.Header.Get("ETag"), res.Body)
		}
		path := alpha.Path("/kb/templates/" + tpl.ID)

		// Curators read and render; rendering counts.
		var list page[template]
		s.Do(get, alpha.Path("/kb/templates?category=homework_checking"), nil, cur.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != tpl.ID {
			t.Fatalf("list: %+v", list.Items)
		}
		s.Do(get, alpha.Path("/kb/templates?category=refunds"), nil, cur.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 0 {
			t.Fatalf("category filter: %+v", list.Items)
		}
		s.Do(get, alpha.Path("/kb/templates"), nil, alpha.People["finance"].Auth()).ExpectProblem(403)

		render := func(vars map[string]string) *apptest.Response {
			return s.Do(post, path+"/render", map[string]any{"variables": vars}, cur.Auth())
		}
		var out struct {
			Text       string
			UsageCount int64 `json:"usage_count"`
		}
		render(map[string]string{"student_name": "Анна", "deadline": "пятницы"}).Expect(200).Decode(&out)
		if out.Text != "Анна, спасибо за работу! Доработайте, пожалуйста, задание до пятницы." || out.UsageCount != 1 {
			t.Fatalf("rendered %+v", out)
		}
		render(map[string]string{"student_name": "Анна"}).ExpectProblem(422, "body.variables.deadline")
		render(map[string]string{"student_name": "Анна", "deadline": "  "}).ExpectProblem(422, "body.variables.deadline")
		render(map[string]string{"student_name": "Анна", "deadline": "завтра", "course": "x"}).ExpectProblem(422, "body.variables.course")
		s.Do(post, path+"/render", map[string]any{}, cur.Auth()).ExpectProblem(422, "body.variables")
		s.Do(post, path+"/render", map[string]any{"variables": map[string]string{}}, alpha.People["hr"].Auth()).ExpectProblem(403)

		// Concurrent renders are all counted.
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.Do(post, path+"/render", map[string]any{"variables": map[string]string{"student_name": "Б", "deadline": "В"}}, cur.Auth())
			}()
		}
		wg.Wait()
		s.Do(get, path, nil, cur.Auth()).Expect(200).Decode(&tpl)
		if tpl.UsageCount != 9 || tpl.Version != 1 {
			t.Fatalf("after 9 renders: usage %d, version %d (rendering is not an edit)", tpl.UsageCount, tpl.Version)
		}

		// Edits need the version.
		change := map[string]string{"body": "{{student_name}}, принято!"}
		s.Do(patch, path, change, head.Auth()).ExpectProblem(428)
		s.Do(patch, path, change, head.Auth(), ifMatch(2)).ExpectProblem(412)
		s.Do(patch, path, change, cur.Auth(), ifMatch(1)).ExpectProblem(403)
		s.Do(patch, path, map[string]string{"body": "{{oops"}, head.Auth(), ifMatch(1)).ExpectProblem(422, "body.body")
		var edited template
		s.Do(patch, path, change, head.Auth(), ifMatch(1)).Expect(200).Decode(&edited)
		if edited.Version != 2 || len(edited.Variables) != 1 || edited.UsageCount != 9 {
			t.Fatalf("edited %+v", edited)
		}
		render(map[string]string{"student_name": "Анна", "deadline": "завтра"}).ExpectProblem(422, "body.variables.deadline")

		// Another school sees none of it.
		s.Do(get, beta.Path("/kb/templates/"+tpl.ID), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)
		s.Do(post, beta.Path("/kb/templates/"+tpl.ID+"/render"), map[string]any{"variables": map[string]string{"student_name": "x"}}, beta.People["curator"].Auth()).ExpectProblem(404)
		s.Do(del, beta.Path("/kb/templates/"+tpl.ID), nil, beta.People["head_of_service"].Auth(), ifMatch(2)).ExpectProblem(404)

		s.Do(del, path, nil, head.Auth(), ifMatch(1)).ExpectProblem(412)
		s.Do(del, path, nil, head.Auth(), ifMatch(2)).Expect(204)
		s.Do(get, path, nil, cur.Auth()).ExpectProblem(404)
		if n := s.Count("audit_entries", "entity_type = ? AND entity_id = ?", "kb_template", tpl.ID); n != 3 {
			t.Fatalf("%d audit entries of the template, want create, edit, delete", n)
		}
	})
}
