package onboarding_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// TestFromApplicationToFirstStudent walks the whole path through the API:
// an application moves through the stages to an offer; accepting it makes
// the account, the curator membership and the onboarding plan from the
// curator template at once; the new curator gets no student (409 naming
// what is left) until the required items are done; acknowledging the
// regulations and passing the quiz completes theirs with no manual step;
// HR and the mentor confirm the rest; then the first student is given.
func TestFromApplicationToFirstStudent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc := s.NewSchool("alpha")
		hr, head, mentor := sc.People["hr"], sc.People["head_of_service"], sc.People["senior_curator"]
		rules, _ := article(t, s, sc, "Регламент проверки ДЗ", true)
		refunds, _ := article(t, s, sc, "Регламент возвратов", false)
		s.Do(post, sc.Path("/onboarding-templates"), curatorTemplate(rules, refunds), hr.Auth()).Expect(201)

		// Application → screening → interview → offer.
		var vacancy, cand struct{ ID string }
		s.Do(post, sc.Path("/hiring-vacancies"), map[string]any{"title": "Куратор", "headcount": 1, "pay_scheme": "Оклад + KPI",
			"status": "open"}, hr.Auth()).Expect(201).Decode(&vacancy)
		s.Do(post, sc.Path("/hiring-candidates"), map[string]any{"full_name": "Вера Новикова", "email": "vera@example.com",
			"source": "job_site", "consent_expires_at": s.Clock.Now().AddDate(1, 0, 0)}, hr.Auth()).Expect(201).Decode(&cand)
		var app struct{ ID string }
		r := s.Do(post, sc.Path("/hiring-applications"), map[string]any{"candidate_id": cand.ID, "vacancy_id": vacancy.ID}, hr.Auth()).Expect(201)
		r.Decode(&app)
		var stages struct {
			Items []struct{ ID, Key string }
		}
		s.Do(get, sc.Path("/hiring-stages"), nil, hr.Auth()).Expect(200).Decode(&stages)
		stage := map[string]string{}
		for _, st := range stages.Items {
			stage[st.Key] = st.ID
		}
		for _, key := range []string{"screening", "interview"} {
			r = s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/moves"), map[string]any{"stage_id": stage[key]}, hr.Auth(),
				apptest.Header("If-Match", r.Header.Get("ETag"))).Expect(200)
		}
		start := s.Clock.Now().UTC().Format(time.DateOnly)
		var offer struct {
			Offer struct{ ID string }
		}
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/offers"), map[string]any{"start_date": start, "pay_scheme": "Оклад + KPI",
			"monthly_base_kopecks": 2000000, "mentor_id": mentor.UserID}, hr.Auth()).Expect(201).Decode(&offer)

		// Acceptance: account, membership and plan together.
		var accepted struct {
			UserID string `json:"user_id"`
			PlanID string `json:"plan_id"`
		}
		s.Do(post, sc.Path("/hiring-offers/"+offer.Offer.ID+"/acceptance"), map[string]any{"password": "Novikova-curator-2026!"}, hr.Auth()).
			Expect(200).Decode(&accepted)
		if accepted.UserID == "" || accepted.PlanID == "" {
			t.Fatalf("accepted %+v: want the account and the plan", accepted)
		}
		newcomer := apptest.Actor{UserID: accepted.UserID, Email: "vera@example.com", Token: s.Login("vera@example.com", "Novikova-curator-2026!")}
		var p plan
		s.Do(get, sc.Path("/onboarding-plans/"+accepted.PlanID), nil, newcomer.Auth()).Expect(200).Decode(&p)
		if p.UserID != newcomer.UserID || p.StartDate != start || p.MentorID == nil || *p.MentorID != mentor.UserID ||
			p.Status != "onboarding" || len(p.Unfinished) != 5 {
			t.Fatalf("the hire's plan: %+v", p)
		}

		// No student yet: the refusal names every unfinished required item.
		c := cohort(t, s, sc)
		enr := enrollment(t, s, sc, c, "Анна Смирнова")
		assign := func() *apptest.Response {
			return s.Do(put, sc.Path("/enrollments/"+enr+"/curator"), map[string]any{"curator_id": newcomer.UserID}, head.Auth(), ifMatch(1))
		}
		refused := assign().ExpectProblem(http.StatusConflict)
		for _, title := range p.Unfinished {
			if !strings.Contains(string(refused.Body), title) {
				t.Fatalf("the refusal does not name %q: %s", title, refused.Body)
			}
		}

		// The hire passes the quiz and acknowledges both regulations in the
		// knowledge base; nobody touches the plan.
		s.Clock.Advance(time.Hour)
		s.Do(post, sc.Path("/kb/articles/"+rules+"/quiz/attempts"), map[string]any{"answers": []map[string]any{
			{"question_id": "q1", "option_ids": []string{"o2"}}}}, newcomer.Auth()).Expect(201)
		acknowledge(t, s, sc, rules, newcomer)
		acknowledge(t, s, sc, refunds, newcomer)
		s.Do(get, sc.Path("/onboarding-plans/"+p.ID), nil, newcomer.Auth()).Expect(200).Decode(&p)
		for _, key := range []string{"quiz-rules", "read-rules", "read-refunds"} {
			if it := p.item(key); it.Status != "done" || it.Source == nil || *it.Source != "kb" {
				t.Fatalf("%s after the knowledge base: %+v, want done by itself", key, it)
			}
		}
		refused = assign().ExpectProblem(http.StatusConflict)
		if strings.Contains(string(refused.Body), "регламент") || !strings.Contains(string(refused.Body), "Подписать договор") {
			t.Fatalf("the refusal after the reading: %s", refused.Body)
		}

		// HR and the mentor confirm the rest; the first student follows.
		s.Clock.Advance(time.Hour)
		s.Do(post, sc.Path("/onboarding-plans/"+p.ID+"/items/"+p.item("shadow").ID+"/complete"), map[string]any{"note": "готово"}, mentor.Auth()).Expect(200)
		s.Do(post, sc.Path("/onboarding-plans/"+p.ID+"/items/"+p.item("contract").ID+"/complete"), map[string]any{"note": "подписан"}, hr.Auth()).
			Expect(200).Decode(&p)
		if p.Status == "onboarding" || len(p.Unfinished) != 0 {
			t.Fatalf("after the required items: %+v", p)
		}
		assign().Expect(200)
	})
}
