package onboarding_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// curatorTemplate is a curator's template over two regulations, the first
// with a quiz: the quiz, both readings, the contract HR confirms, the
// shadowing the mentor confirms, and an optional task.
func curatorTemplate(rules, refunds string) map[string]any {
	return map[string]any{"role": "curator", "title": "Адаптация куратора", "items": []map[string]any{
		{"key": "quiz-rules", "title": "Сдать тест по регламенту проверки", "kind": "pass_quiz", "assignee": "newcomer", "day_offset": 2, "weight": 20, "required": true, "article_id": rules},
		{"key": "read-rules", "title": "Прочитать регламент проверки", "kind": "read_regulation", "assignee": "newcomer", "day_offset": 2, "weight": 20, "required": true, "article_id": rules},
		{"key": "read-refunds", "title": "Прочитать регламент возвратов", "kind": "read_regulation", "assignee": "newcomer", "day_offset": 3, "weight": 10, "required": true, "article_id": refunds},
		{"key": "contract", "title": "Подписать договор", "kind": "sign_document", "assignee": "hr", "day_offset": 0, "weight": 10, "required": true},
		{"key": "shadow", "title": "День в паре со старшим куратором", "kind": "shadow", "assignee": "mentor", "day_offset": 5, "weight": 30, "required": true},
		{"key": "profile", "title": "Заполнить профиль", "kind": "task", "assignee": "newcomer", "day_offset": 1, "weight": 10, "required": false},
	}}
}

// TestFromPlanToFirstStudent walks a newcomer from the plan to the first
// assigned student: assignment is refused naming what is left, the
// regulation and quiz items complete themselves from the knowledge base
// with no manual step and with the facts' times, the mentor confirms the
// shadowing, HR the contract, and then the student is given.
func TestFromPlanToFirstStudent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		hr, head, mentor, other := alpha.People["hr"], alpha.People["head_of_service"], alpha.People["senior_curator"], alpha.People["curator"]
		rules, _ := article(t, s, alpha, "Регламент проверки ДЗ", true)
		refunds, _ := article(t, s, alpha, "Регламент возвратов", false)

		s.Do(post, alpha.Path("/onboarding-templates"), curatorTemplate(rules, refunds), hr.Auth()).Expect(201)
		s.Do(post, alpha.Path("/onboarding-templates"), curatorTemplate(rules, refunds), hr.Auth()).ExpectProblem(409)
		s.Do(post, alpha.Path("/onboarding-templates"), curatorTemplate(rules, refunds), other.Auth()).ExpectProblem(403)

		newcomer := s.NewMember(alpha.Org.ID, "newcomer@alpha.test", "curator")
		start := s.Clock.Now().UTC().Format(time.DateOnly)
		body := map[string]any{"user_id": newcomer.UserID, "start_date": start, "mentor_id": mentor.UserID}
		s.Do(post, alpha.Path("/onboarding-plans"), map[string]any{"user_id": beta.People["curator"].UserID, "start_date": start}, hr.Auth()).
			ExpectProblem(422, "body.user_id")
		s.Do(post, alpha.Path("/onboarding-plans"), map[string]any{"user_id": newcomer.UserID, "start_date": start, "mentor_id": newcomer.UserID}, hr.Auth()).
			ExpectProblem(422, "body.mentor_id")
		s.Do(post, alpha.Path("/onboarding-plans"), body, other.Auth()).ExpectProblem(403)
		var p plan
		s.Do(post, alpha.Path("/onboarding-plans"), body, hr.Auth()).Expect(201).Decode(&p)
		s.Do(post, alpha.Path("/onboarding-plans"), body, hr.Auth()).ExpectProblem(409)
		if p.Status != "onboarding" || len(p.Unfinished) != 5 || p.WeightTotal != 100 || p.WeightDone != 0 || p.MentorName == nil {
			t.Fatalf("new plan: %+v", p)
		}
		if due := p.item("shadow").DueAt; !due.Equal(mustDate(t, start).AddDate(0, 0, 6)) {
			t.Fatalf("shadowing due %v, want the end of day 5 after %s", due, start)
		}

		// Before anything is done: no students, and the refusal names what is left.
		c := cohort(t, s, alpha)
		enr := enrollment(t, s, alpha, c, "Анна Смирнова")
		assign := func(version int64) *apptest.Response {
			return s.Do(put, alpha.Path("/enrollments/"+enr+"/curator"), map[string]any{"curator_id": newcomer.UserID}, head.Auth(), ifMatch(version))
		}
		refused := assign(1).ExpectProblem(http.StatusConflict)
		for _, title := range p.Unfinished {
			if !strings.Contains(string(refused.Body), title) {
				t.Fatalf("the refusal does not name %q: %s", title, refused.Body)
			}
		}
		s.Do(post, alpha.Path("/enrollments/assign-curators"), map[string]any{"cohort_id": c.ID, "curator_ids": []string{newcomer.UserID}}, head.Auth()).
			ExpectProblem(http.StatusConflict)

		// The newcomer passes the quiz and acknowledges both regulations
		// through the knowledge base; nobody touches the plan.
		s.Clock.Advance(time.Hour)
		var attempt struct {
			ID        string
			Passed    bool
			CreatedAt time.Time `json:"created_at"`
		}
		s.Do(post, alpha.Path("/kb/articles/"+rules+"/quiz/attempts"), map[string]any{"answers": []map[string]any{
			{"question_id": "q1", "option_ids": []string{"o2"}}}}, newcomer.Auth()).Expect(201).Decode(&attempt)
		passedAt := s.Clock.Now()
		s.Clock.Advance(10 * time.Minute)
		acknowledge(t, s, alpha, rules, newcomer)
		readAt := s.Clock.Now()
		s.Clock.Advance(10 * time.Minute)
		acknowledge(t, s, alpha, refunds, newcomer)

		s.Do(get, alpha.Path("/onboarding-plans/"+p.ID), nil, newcomer.Auth()).Expect(200).Decode(&p)
		for key, at := range map[string]time.Time{"quiz-rules": passedAt, "read-rules": readAt} {
			it := p.item(key)
			if it.Status != "done" || it.DoneAt == nil || !it.DoneAt.Equal(at) || *it.Source != "kb" || *it.DoneBy != "system" {
				t.Fatalf("%s: %+v, want done at %v from the knowledge base", key, it, at)
			}
		}
		if p.item("read-refunds").Status != "done" || p.WeightDone != 50 || *p.ProgressPercent != 50 {
			t.Fatalf("after the reading: %+v", p)
		}
		if want := []string{"Подписать договор", "День в паре со старшим куратором"}; !slices.Equal(p.Unfinished, want) {
			t.Fatalf("unfinished %v, want %v", p.Unfinished, want)
		}
		refused = assign(1).ExpectProblem(http.StatusConflict)
		if strings.Contains(string(refused.Body), "регламент") || !strings.Contains(string(refused.Body), "Подписать договор") {
			t.Fatalf("the refusal after the reading: %s", refused.Body)
		}

		// Who confirms what.
		complete := func(key string, who apptest.Actor) *apptest.Response {
			return s.Do(post, alpha.Path("/onboarding-plans/"+p.ID+"/items/"+p.item(key).ID+"/complete"), map[string]any{"note": "готово"}, who.Auth())
		}
		complete("read-rules", hr).ExpectProblem(http.StatusConflict)
		complete("shadow", hr).ExpectProblem(http.StatusForbidden)
		complete("shadow", newcomer).ExpectProblem(http.StatusForbidden)
		complete("contract", newcomer).ExpectProblem(http.StatusForbidden)
		complete("contract", other).ExpectProblem(http.StatusNotFound)
		complete("profile", newcomer).Expect(200)
		complete("profile", newcomer).ExpectProblem(http.StatusConflict)
		s.Clock.Advance(time.Hour)
		complete("shadow", mentor).Expect(200)
		s.Clock.Advance(time.Hour)
		complete("contract", hr).Expect(200).Decode(&p)
		if p.Status != "completed" || p.ActivatedAt == nil || !p.ActivatedAt.Equal(s.Clock.Now()) || *p.Activation != "completed" || len(p.Unfinished) != 0 {
			t.Fatalf("finished plan: %+v", p)
		}

		// The first student.
		assign(1).Expect(200)

		// Who sees the plan.
		s.Do(get, alpha.Path("/onboarding-plans/"+p.ID), nil, mentor.Auth()).Expect(200)
		s.Do(get, alpha.Path("/onboarding-plans/"+p.ID), nil, other.Auth()).ExpectProblem(404)
		s.Do(get, beta.Path("/onboarding-plans/"+p.ID), nil, beta.People["hr"].Auth()).ExpectProblem(404)
		var mine page[plan]
		s.Do(get, alpha.Path("/onboarding-plans"), nil, other.Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 0 {
			t.Fatalf("a curator sees others' plans: %+v", mine.Items)
		}
		s.Do(get, alpha.Path("/onboarding-plans?mentor_id="+mentor.UserID), nil, hr.Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != p.ID {
			t.Fatalf("HR's list by mentor: %+v", mine.Items)
		}
		if n := s.Count("audit_entries", "entity_type = ?", "onboarding_completion"); n != 6 {
			t.Fatalf("%d completions audited, want 6", n)
		}
		if _, err := s.DB.NewDelete().TableExpr("onboarding_completions").Where("plan_id = ?", p.ID).Exec(s.Ctx()); err == nil {
			t.Fatal("a completion was deleted")
		}
	})
}

// TestEarlyActivation: HR or the head may let a newcomer start sooner,
// with a reason, If-Match and an audit entry; a curator may not.
func TestEarlyActivation(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		hr, head := alpha.People["hr"], alpha.People["head_of_service"]
		newcomer := s.NewMember(alpha.Org.ID, "newcomer@alpha.test", "curator")
		var p plan
		s.Do(post, alpha.Path("/onboarding-plans"), map[string]any{"user_id": newcomer.UserID, "start_date": "2026-11-02"}, hr.Auth()).Expect(201).Decode(&p)
		if p.Status != "onboarding" || len(p.Unfinished) == 0 {
			t.Fatalf("default plan: %+v", p)
		}
		c := cohort(t, s, alpha)
		enr := enrollment(t, s, alpha, c, "Борис Иванов")
		path := alpha.Path("/onboarding-plans/" + p.ID + "/activate")
		reason := map[string]any{"reason": "Опыт куратора в другой школе, поток стартует завтра"}
		s.Do(post, path, reason, alpha.People["curator"].Auth(), ifMatch(p.Version)).ExpectProblem(403)
		s.Do(post, path, reason, hr.Auth()).ExpectProblem(428)
		s.Do(post, path, reason, hr.Auth(), ifMatch(p.Version+1)).ExpectProblem(412)
		s.Do(post, path, map[string]any{"reason": "  "}, hr.Auth(), ifMatch(p.Version)).ExpectProblem(422, "body.reason")
		s.Do(put, alpha.Path("/enrollments/"+enr+"/curator"), map[string]any{"curator_id": newcomer.UserID}, head.Auth(), ifMatch(1)).ExpectProblem(409)
		s.Do(post, path, reason, head.Auth(), ifMatch(p.Version)).Expect(200).Decode(&p)
		if p.Status != "active" || *p.Activation != "early" || len(p.Unfinished) == 0 {
			t.Fatalf("activated early: %+v", p)
		}
		s.Do(post, path, reason, head.Auth(), ifMatch(p.Version)).ExpectProblem(409)
		s.Do(put, alpha.Path("/enrollments/"+enr+"/curator"), map[string]any{"curator_id": newcomer.UserID}, head.Auth(), ifMatch(1)).Expect(200)
		if n := s.Count("audit_entries", "entity_type = ? AND entity_id = ?", "onboarding_plan", p.ID); n != 2 {
			t.Fatalf("%d audit entries of the plan, want its creation and the activation", n)
		}
	})
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// acknowledge acknowledges the article's current revision as who.
func acknowledge(t *testing.T, s *apptest.Server, sc *apptest.School, articleID string, who apptest.Actor) {
	t.Helper()
	var a struct {
		CurrentRevisionID string `json:"current_revision_id"`
	}
	s.Do(get, sc.Path("/kb/articles/"+articleID), nil, who.Auth()).Expect(200).Decode(&a)
	s.Do(post, sc.Path("/kb/articles/"+articleID+"/acknowledgments"), map[string]string{"revision_id": a.CurrentRevisionID}, who.Auth()).Expect(201)
}
