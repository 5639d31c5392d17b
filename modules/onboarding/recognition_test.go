package onboarding_test

import (
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// TestTemplatesAndRecognitionRefuseBadInput: template items name what is
// wrong with them, and recognition follows the role and school rules.
func TestTemplatesAndRecognitionRefuseBadInput(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		hr := alpha.People["hr"]
		noQuiz, _ := article(t, s, alpha, "Регламент чатов", false)
		otherSchools, _ := article(t, s, beta, "Чужой регламент", true)
		s.Do(post, alpha.Path("/onboarding-templates"), map[string]any{"role": "curator", "title": "Адаптация", "items": []map[string]any{
			{"key": "a", "title": "Тест", "kind": "pass_quiz", "assignee": "newcomer", "day_offset": 1, "weight": 10, "article_id": noQuiz},
			{"key": "b", "title": "Чужой", "kind": "read_regulation", "assignee": "newcomer", "day_offset": 1, "weight": 10, "article_id": otherSchools},
			{"key": "b", "title": "Пара", "kind": "shadow", "assignee": "newcomer", "day_offset": 1, "weight": 10},
			{"key": "c", "title": "Проверки", "kind": "supervised_reviews", "assignee": "newcomer", "day_offset": 1, "weight": 10},
		}}, hr.Auth()).ExpectProblem(422, "body.items[0].article_id", "body.items[1].article_id", "body.items[2].key",
			"body.items[2].assignee", "body.items[3].review_count")
		if n := s.Count("onboarding_templates", ""); n != 0 {
			t.Fatalf("%d templates saved from a refused request", n)
		}

		cur := alpha.People["curator"]
		award := map[string]any{"user_id": cur.UserID, "kind": "thanks", "title": "Благодарность за CSI"}
		s.Do(post, alpha.Path("/recognitions"), award, cur.Auth()).ExpectProblem(403)
		s.Do(post, alpha.Path("/recognitions"), map[string]any{"user_id": beta.People["curator"].UserID, "kind": "thanks", "title": "Спасибо"},
			hr.Auth()).ExpectProblem(422, "body.user_id")
		var r struct {
			ID       string
			UserName *string `json:"user_name"`
		}
		s.Do(post, alpha.Path("/recognitions"), award, hr.Auth()).Expect(201).Decode(&r)
		if r.UserName == nil {
			t.Fatal("the recognition does not name the curator")
		}
		var mine page[struct{ ID string }]
		s.Do(get, alpha.Path("/recognitions?user_id="+cur.UserID), nil, cur.Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != r.ID {
			t.Fatalf("the curator's profile: %+v", mine.Items)
		}
		s.Do(get, beta.Path("/recognitions"), nil, beta.People["hr"].Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 0 {
			t.Fatalf("another school sees alpha's recognitions: %+v", mine.Items)
		}
		s.Do(del, beta.Path("/recognitions/"+r.ID), nil, beta.People["hr"].Auth()).ExpectProblem(404)
		s.Do(del, alpha.Path("/recognitions/"+r.ID), nil, cur.Auth()).ExpectProblem(403)
		s.Do(del, alpha.Path("/recognitions/"+r.ID), nil, hr.Auth()).Expect(204)
	})
}
