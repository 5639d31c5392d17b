package sla_test

import (
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

func TestPolicyVersions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 3)
		f.at(s, mon(10, 0))
		beta := s.NewSchool("beta")
		head := f.People["head_of_service"]
		policies := f.Path("/sla/policies")

		s.Do(post, policies, map[string]any{"name": "Telegram", "first_response_minutes": 60, "next_response_minutes": 30}, f.People["curator"].Auth()).ExpectProblem(403)
		s.Do(post, policies, map[string]any{"name": "Telegram", "first_response_minutes": 0, "next_response_minutes": 30}, head.Auth()).ExpectProblem(422, "body.first_response_minutes")
		s.Do(post, policies, map[string]any{"name": "Telegram", "first_response_minutes": 60, "next_response_minutes": 30,
			"calendar_id": beta.Org.ID}, head.Auth()).ExpectProblem(422, "body.calendar_id")
		s.Do(post, policies, map[string]any{"name": "Telegram", "first_response_minutes": 60, "next_response_minutes": 30,
			"always_open": true, "calendar_id": f.calendarID}, head.Auth()).ExpectProblem(422, "body.calendar_id")

		created := s.Do(post, policies, map[string]any{"name": "Telegram", "priority": 10, "channel": "telegram",
			"first_response_minutes": 60, "next_response_minutes": 30, "warning_percent": 50}, head.Auth()).Expect(201).Map()
		policyID := created["id"].(string)
		s.Do(post, policies, map[string]any{"name": "Telegram", "first_response_minutes": 60, "next_response_minutes": 30}, head.Auth()).ExpectProblem(409)
		// A lower-priority catch-all does not shadow it.
		s.Do(post, policies, map[string]any{"name": "Все", "priority": 1, "first_response_minutes": 240, "next_response_minutes": 240}, head.Auth()).Expect(201)

		conv := f.conversation(s, 0)
		old := f.clock(s, f.send(s, conv, student("Вопрос", mon(10, 0)))["clock_id"].(string))
		if want := mon(11, 0); !old.DueAt.Equal(want) || old.PolicyID != policyID || old.PolicyVersionNumber != 1 {
			t.Fatalf("clock under version 1: %+v", old)
		}
		if want := mon(10, 30); !old.WarnAt.Equal(want) {
			t.Errorf("warning at %v, want 50 %% of the target", old.WarnAt.In(msk))
		}

		draft := s.Do(post, f.Path("/sla/policies/"+policyID+"/versions"), map[string]any{"priority": 10, "channel": "telegram",
			"first_response_minutes": 20, "next_response_minutes": 20}, head.Auth()).Expect(201).Map()
		draftID := draft["id"].(string)
		if draft["status"] != "draft" || draft["number"].(float64) != 2 {
			t.Fatalf("draft %v", draft)
		}
		// Answered after 40 minutes: compliant under 60, breached under 20.
		f.at(s, mon(10, 40))
		f.send(s, conv, staff("Ответ", mon(10, 40)))
		f.at(s, mon(12, 0))
		var w struct {
			Evaluated, Governed int
			NewlyBreached       int `json:"newly_breached"`
			Current, Draft      struct {
				Items, Compliant  int
				CompliancePercent float64 `json:"compliance_percent"`
			}
		}
		s.Do(get, f.Path("/sla/policies/"+policyID+"/versions/"+draftID+"/what-if?days=7"), nil, head.Auth()).Expect(200).Decode(&w)
		if w.Evaluated != 1 || w.Governed != 1 || w.Current.CompliancePercent != 100 || w.Draft.CompliancePercent != 0 || w.NewlyBreached != 1 {
			t.Errorf("what-if %+v", w)
		}
		s.Do(get, beta.Path("/sla/policies/"+policyID+"/versions/"+draftID+"/what-if"), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)

		// The conversation's second clock is a next response: 30 minutes.
		next := f.clock(s, f.send(s, conv, student("А ещё?", mon(12, 0)))["clock_id"].(string))
		if next.Kind != "next" || next.TargetSeconds != 1800 || !next.DueAt.Equal(mon(12, 30)) {
			t.Errorf("next response %+v", next)
		}

		// A second clock, still open, started under version 1.
		conv2 := f.conversation(s, 1)
		open := f.clock(s, f.send(s, conv2, student("Ещё вопрос", mon(12, 0)))["clock_id"].(string))

		activate := f.Path("/sla/policies/" + policyID + "/versions/" + draftID + "/activate")
		s.Do(post, activate, nil, head.Auth()).ExpectProblem(428)
		s.Do(post, activate, nil, head.Auth(), apptest.Header("If-Match", `"7"`)).ExpectProblem(412)
		s.Do(post, activate, nil, f.People["senior_curator"].Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(403)
		got := s.Do(post, activate, nil, head.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200).Map()
		if got["active_number"].(float64) != 2 {
			t.Fatalf("after activation %v", got)
		}
		s.Do(post, activate, nil, head.Auth(), apptest.Header("If-Match", `"2"`)).ExpectProblem(409)

		// Clocks already running keep their version and due time.
		if again := f.clock(s, open.ID); !again.DueAt.Equal(open.DueAt) || again.PolicyVersionNumber != 1 || !again.DueAt.Equal(mon(13, 0)) {
			t.Errorf("running clock changed: %+v, was due %v", again, open.DueAt)
		}
		if again := f.clock(s, old.ID); !again.DueAt.Equal(old.DueAt) {
			t.Errorf("answered clock changed: %+v", again)
		}
		fresh := f.clock(s, f.send(s, f.conversation(s, 2), student("Новый вопрос", mon(12, 5)))["clock_id"].(string))
		if fresh.PolicyVersionNumber != 2 || !fresh.DueAt.Equal(mon(12, 25)) {
			t.Errorf("new clock %+v", fresh)
		}
		var list struct{ Items []map[string]any }
		s.Do(get, policies, nil, f.People["senior_curator"].Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 2 {
			t.Errorf("%d policies listed", len(list.Items))
		}
		s.Do(get, beta.Path("/sla/policies/"+policyID), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)
		if n := s.Count("audit_entries", "org_id = ? AND entity_type = ?", f.Org.ID, "sla_policy"); n < 3 {
			t.Errorf("%d policy audit entries, want creation ×2 and activation", n)
		}
	})
}

func TestDismissAndViews(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 3)
		f.at(s, mon(11, 0))
		cur := f.People["curator"]
		// Due 11:00, 12:00 and 13:00.
		a := f.send(s, f.conversation(s, 0), student("Первый", mon(9, 0)))["clock_id"].(string)
		b := f.send(s, f.conversation(s, 1), student("Второй", mon(10, 0)))["clock_id"].(string)
		c := f.send(s, f.conversation(s, 2), student("Третий", mon(11, 0)))["clock_id"].(string)
		f.at(s, mon(11, 30))
		beta := s.NewSchool("beta")

		ids := func(cs []clockDTO) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		check := func(name string, got []clockDTO, want ...string) {
			t.Helper()
			if g := ids(got); len(g) != len(want) || (len(g) > 0 && (g[0] != want[0] || g[len(g)-1] != want[len(want)-1])) {
				t.Errorf("%s: %v, want %v", name, g, want)
			}
		}
		check("open", f.clocks(s, "/sla/clocks", cur), a, b, c)
		check("at risk within 45 minutes: the breached one is not", f.clocks(s, "/sla/clocks?view=at_risk&within_minutes=45", cur), b)
		check("breached", f.clocks(s, "/sla/clocks?view=breached", cur), a)
		check("mine", f.clocks(s, "/sla/my-clocks", cur), a, b, c)
		check("the head has none of their own", f.clocks(s, "/sla/my-clocks", f.People["head_of_service"]))
		check("by curator", f.clocks(s, "/sla/clocks?curator_id="+cur.UserID, f.People["senior_curator"]), a, b, c)
		var page struct {
			Items      []clockDTO
			NextCursor string `json:"next_cursor"`
		}
		s.Do(get, f.Path("/sla/clocks?limit=2"), nil, cur.Auth()).Expect(200).Decode(&page)
		check("first page", page.Items, a, b)
		check("second page", f.clocks(s, "/sla/clocks?limit=2&cursor="+page.NextCursor, cur), c)
		s.Do(get, f.Path("/sla/clocks?cursor=zzz"), nil, cur.Auth()).ExpectProblem(422, "query.cursor")
		s.Do(get, f.Path("/sla/clocks"), nil, f.People["finance"].Auth()).ExpectProblem(403)

		dismiss := f.Path("/sla/clocks/" + b + "/dismiss")
		s.Do(post, dismiss, map[string]any{"reason": "Студент написал «ок, разобралась»"}, cur.Auth()).ExpectProblem(428)
		s.Do(post, dismiss, map[string]any{"reason": "x"}, cur.Auth(), apptest.Header("If-Match", `"9"`)).ExpectProblem(412)
		s.Do(post, dismiss, map[string]any{"reason": ""}, cur.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(422, "body.reason")
		s.Do(post, dismiss, map[string]any{"reason": "x"}, f.People["hr"].Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(403)
		s.Do(post, beta.Path("/sla/clocks/"+b+"/dismiss"), map[string]any{"reason": "x"}, beta.People["curator"].Auth(),
			apptest.Header("If-Match", `"1"`)).ExpectProblem(404)
		var got clockDTO
		s.Do(post, dismiss, map[string]any{"reason": "Вопрос снят"}, cur.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200).Decode(&got)
		if got.Status != "dismissed" || got.DismissReason != "Вопрос снят" || got.Version != 2 {
			t.Errorf("dismissed clock %+v", got)
		}
		s.Do(post, dismiss, map[string]any{"reason": "x"}, cur.Auth(), apptest.Header("If-Match", `"2"`)).ExpectProblem(409)
		check("open after dismissal", f.clocks(s, "/sla/clocks", cur), a, c)
		if n := s.Count("audit_entries", "org_id = ? AND entity_type = ? AND entity_id = ?", f.Org.ID, "sla_clock", b); n != 1 {
			t.Errorf("%d audit entries for the dismissal", n)
		}
		var r struct{ Total map[string]any }
		q := "/sla/report?group_by=curator&from=" + mon(0, 0).UTC().Format(time.RFC3339) + "&to=" + mon(23, 0).UTC().Format(time.RFC3339)
		s.Do(get, f.Path(q), nil, f.People["head_of_service"].Auth()).Expect(200).Decode(&r)
		if r.Total["dismissed"].(float64) != 1 || r.Total["items"].(float64) != 1 || r.Total["open"].(float64) != 2 {
			t.Errorf("report total %v: one breached open clock is an item, one dismissed is apart", r.Total)
		}
	})
}
