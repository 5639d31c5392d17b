package school_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

func TestStudentContactsAreShownOnlyToThoseWhoNeedThem(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, head, cur := alpha.People["admin"], alpha.People["head_of_service"], alpha.People["curator"]
		other := s.NewMember(alpha.Org.ID, "other.curator@alpha.test", "curator")
		cohort := newCohort(t, s, alpha.Org.ID, "c1")

		created := s.Do(post, alpha.Path("/students"), student("Анна Петрова", "anna@example.ru"), admin.Auth()).Expect(201).Map()
		id := created["id"].(string)
		if created["email"] != "anna@example.ru" || created["minor"] != true || created["contacts_visible"] != true {
			t.Fatalf("admin sees %v", created)
		}
		s.Do(post, alpha.Path("/enrollments"), map[string]any{"student_id": id, "cohort_id": cohort, "curator_id": cur.UserID}, admin.Auth()).Expect(201)

		cases := []struct {
			who      apptest.Actor
			status   int
			contacts bool
		}{
			{head, 200, true},
			{alpha.People["senior_curator"], 200, true},
			{cur, 200, true}, // her own student
			{other, 200, false},
			{alpha.People["finance"], 200, false},
			{alpha.People["hr"], 403, false},
		}
		for _, c := range cases {
			res := s.Do(get, alpha.Path("/students/"+id), nil, c.who.Auth())
			if c.status != 200 {
				res.ExpectProblem(c.status)
				continue
			}
			body := res.Expect(200).Map()
			_, hasEmail := body["email"]
			_, hasPhone := body["phone"]
			if hasEmail != c.contacts || hasPhone != c.contacts || body["contacts_visible"] != c.contacts {
				t.Errorf("%s: contacts shown %v, want %v: %v", c.who.Email, hasEmail, c.contacts, body)
			}
		}
		// The list never shows contacts to a curator, not even of her own.
		list := s.Do(get, alpha.Path("/students"), nil, cur.Auth()).Expect(200)
		if strings.Contains(string(list.Body), "anna@example.ru") {
			t.Fatal("a curator's student list shows contacts")
		}
		if !strings.Contains(string(s.Do(get, alpha.Path("/students?name=анна"), nil, head.Auth()).Expect(200).Body), "anna@example.ru") {
			t.Fatal("the head's list filtered by name misses the student or her contacts")
		}
	})
}

func TestStudentValidationAndVersions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		admin := alpha.People["admin"]

		bad := student("Борис", "boris@example.ru")
		bad["birth_date"] = "05.04.2010"
		s.Do(post, alpha.Path("/students"), bad, admin.Auth()).ExpectProblem(422, "body.birth_date")
		bad = student("Борис", "not-an-email")
		s.Do(post, alpha.Path("/students"), bad, admin.Auth()).ExpectProblem(422, "body.email")
		bad = student("Борис", "boris@example.ru")
		bad["telegram"] = "has spaces"
		s.Do(post, alpha.Path("/students"), bad, admin.Auth()).ExpectProblem(422, "body.telegram")
		if s.Count("students", "") != 0 {
			t.Fatal("refused students were written")
		}
		s.Do(post, alpha.Path("/students"), student("Борис", "boris@example.ru"), alpha.People["curator"].Auth()).ExpectProblem(403)

		ext := student("Вера", "vera@example.ru")
		ext["source"], ext["external_id"] = "getcourse", "u-1"
		id := s.Do(post, alpha.Path("/students"), ext, admin.Auth()).Expect(201).Map()["id"].(string)
		s.Do(post, alpha.Path("/students"), ext, admin.Auth()).ExpectProblem(409)

		path := alpha.Path("/students/" + id)
		s.Do(patch, path, map[string]any{"full_name": "Вера Иванова"}, admin.Auth()).ExpectProblem(428)
		s.Do(patch, path, map[string]any{"full_name": "Вера Иванова"}, admin.Auth(), ifMatch(1)).Expect(200)
		s.Do(patch, path, map[string]any{"full_name": "Lost"}, admin.Auth(), ifMatch(1)).ExpectProblem(412)
		got := s.Do(get, path, nil, admin.Auth()).Expect(200).Map()
		if got["full_name"] != "Вера Иванова" || got["email"] != "vera@example.ru" {
			t.Fatalf("after update: %v", got)
		}
		s.Do(get, beta.Path("/students/"+id), nil, beta.People["admin"].Auth()).ExpectProblem(404)
		s.Do(get, alpha.Path("/students/"+id), nil, beta.People["admin"].Auth()).ExpectProblem(404)
	})
}

func TestEnrollmentsAndCuratorHistory(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		admin, head, senior := alpha.People["admin"], alpha.People["head_of_service"], alpha.People["senior_curator"]
		cur := alpha.People["curator"]
		cur2 := s.NewMember(alpha.Org.ID, "second.curator@alpha.test", "curator")
		cohort := newCohort(t, s, alpha.Org.ID, "c1")
		betaCohort := newCohort(t, s, beta.Org.ID, "c1")
		sid := s.Do(post, alpha.Path("/students"), student("Галина", "galina@example.ru"), admin.Auth()).Expect(201).Map()["id"].(string)

		s.Do(post, alpha.Path("/enrollments"), map[string]any{"student_id": sid, "cohort_id": betaCohort}, admin.Auth()).ExpectProblem(422, "body.cohort_id")
		s.Do(post, alpha.Path("/enrollments"), map[string]any{"student_id": sid, "cohort_id": cohort, "curator_id": head.UserID}, admin.Auth()).ExpectProblem(422, "body.curator_id")
		e := s.Do(post, alpha.Path("/enrollments"), map[string]any{"student_id": sid, "cohort_id": cohort, "tariff": "VIP", "curator_id": cur.UserID}, admin.Auth()).Expect(201).Map()
		eid := e["id"].(string)
		s.Do(post, alpha.Path("/enrollments"), map[string]any{"student_id": sid, "cohort_id": cohort}, admin.Auth()).ExpectProblem(409)

		curator := alpha.Path("/enrollments/" + eid + "/curator")
		s.Do(put, curator, map[string]any{"curator_id": cur2.UserID, "reason": "отпуск"}, cur.Auth(), ifMatch(1)).ExpectProblem(403)
		s.Do(put, curator, map[string]any{"curator_id": cur2.UserID, "reason": "отпуск"}, senior.Auth()).ExpectProblem(428)
		s.Do(put, curator, map[string]any{"curator_id": cur2.UserID, "reason": "отпуск"}, senior.Auth(), ifMatch(1)).Expect(200)
		s.Do(put, curator, map[string]any{"curator_id": cur.UserID}, senior.Auth(), ifMatch(1)).ExpectProblem(412)

		var history struct {
			Items []struct {
				CuratorID         *string `json:"curator_id"`
				PreviousCuratorID *string `json:"previous_curator_id"`
				Reason            string
				AssignedBy        string `json:"assigned_by"`
			}
		}
		s.Do(get, alpha.Path("/enrollments/"+eid+"/curator-history"), nil, head.Auth()).Expect(200).Decode(&history)
		if len(history.Items) != 2 || *history.Items[0].CuratorID != cur.UserID || history.Items[0].PreviousCuratorID != nil ||
			*history.Items[1].CuratorID != cur2.UserID || *history.Items[1].PreviousCuratorID != cur.UserID ||
			history.Items[1].Reason != "отпуск" || history.Items[1].AssignedBy != senior.UserID {
			t.Fatalf("history %+v", history.Items)
		}
		s.Do(get, beta.Path("/enrollments/"+eid+"/curator-history"), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)

		s.Do(patch, alpha.Path("/enrollments/"+eid), map[string]any{"status": "finished"}, admin.Auth(), ifMatch(2)).ExpectProblem(422, "body.status")
		upd := s.Do(patch, alpha.Path("/enrollments/"+eid), map[string]any{"status": "completed"}, admin.Auth(), ifMatch(2)).Expect(200)
		if upd.Map()["status"] != "completed" || upd.Header.Get("ETag") != `"3"` {
			t.Fatalf("after update %s %s", upd.Header.Get("ETag"), upd.Body)
		}
	})
}

func TestBalancedCuratorAssignment(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		busy := alpha.People["curator"]
		free1 := s.NewMember(alpha.Org.ID, "free1@alpha.test", "curator")
		free2 := s.NewMember(alpha.Org.ID, "free2@alpha.test", "curator")
		cohort := newCohort(t, s, alpha.Org.ID, "c1")
		enroll := func(name string, curator *string) {
			id := s.Do(post, alpha.Path("/students"), map[string]any{"full_name": name}, admin.Auth()).Expect(201).Map()["id"].(string)
			body := map[string]any{"student_id": id, "cohort_id": cohort}
			if curator != nil {
				body["curator_id"] = *curator
			}
			s.Do(post, alpha.Path("/enrollments"), body, admin.Auth()).Expect(201)
		}
		for i := 0; i < 3; i++ {
			enroll(fmt.Sprintf("Занятой %d", i), &busy.UserID)
		}
		for i := 0; i < 7; i++ {
			enroll(fmt.Sprintf("Новый %d", i), nil)
		}
		var out struct {
			Assigned []struct {
				CuratorID string `json:"curator_id"`
			}
		}
		s.Do(post, alpha.Path("/enrollments/assign-curators"), map[string]any{"cohort_id": cohort}, alpha.People["curator"].Auth()).ExpectProblem(403)
		s.Do(post, alpha.Path("/enrollments/assign-curators"), map[string]any{"cohort_id": cohort}, alpha.People["head_of_service"].Auth()).Expect(200).Decode(&out)
		got := map[string]int{}
		for _, a := range out.Assigned {
			got[a.CuratorID]++
		}
		// Loads end 3+1 / 3 / 3 or 3 / 3+? : ten students over three curators,
		// the busy one already holding three, end at 4/3/3 at most apart by one.
		total := map[string]int{busy.UserID: 3 + got[busy.UserID], free1.UserID: got[free1.UserID], free2.UserID: got[free2.UserID]}
		if len(out.Assigned) != 7 || total[free1.UserID] < 3 || total[free2.UserID] < 3 || total[busy.UserID] > 4 {
			t.Fatalf("assigned %v, loads %v", got, total)
		}
		var again struct{ Assigned []any }
		s.Do(post, alpha.Path("/enrollments/assign-curators"), map[string]any{"cohort_id": cohort}, admin.Auth()).Expect(200).Decode(&again)
		if len(again.Assigned) != 0 {
			t.Fatalf("a second run reassigned %d enrollments", len(again.Assigned))
		}
		s.Do(post, alpha.Path("/enrollments/assign-curators"), map[string]any{"cohort_id": cohort, "curator_ids": []string{admin.UserID}}, admin.Auth()).ExpectProblem(422, "body.curator_ids[0]")
	})
}

func TestOrdersAndRefunds(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		finance := alpha.People["finance"]
		sid := s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Дина"}, alpha.People["admin"].Auth()).Expect(201).Map()["id"].(string)
		order := map[string]any{"student_id": sid, "amount": map[string]any{"amount": 4990000, "currency": "RUB"},
			"payment_method": "instalment", "instalment_months": 6, "paid_at": apptest.Start.Add(-24 * time.Hour)}
		key := apptest.Header("Idempotency-Key", "pay-1")

		first := s.Do(post, alpha.Path("/orders"), order, finance.Auth(), key).Expect(201).Map()
		again := s.Do(post, alpha.Path("/orders"), order, finance.Auth(), key).Expect(200).Map()
		if first["id"] != again["id"] || s.Count("orders", "") != 1 {
			t.Fatalf("a repeated idempotency key recorded twice: %v %v", first["id"], again["id"])
		}
		changed := map[string]any{"student_id": sid, "amount": map[string]any{"amount": 100, "currency": "RUB"}, "payment_method": "card", "paid_at": apptest.Start}
		s.Do(post, alpha.Path("/orders"), changed, finance.Auth(), key).ExpectProblem(409)
		noMonths := map[string]any{"student_id": sid, "amount": map[string]any{"amount": 100, "currency": "RUB"}, "payment_method": "instalment", "paid_at": apptest.Start}
		s.Do(post, alpha.Path("/orders"), noMonths, finance.Auth()).ExpectProblem(422, "body.instalment_months")
		zero := map[string]any{"student_id": sid, "amount": map[string]any{"amount": 0, "currency": "RUB"}, "payment_method": "card", "paid_at": apptest.Start}
		s.Do(post, alpha.Path("/orders"), zero, finance.Auth()).ExpectProblem(422, "body.amount.amount")
		s.Do(post, alpha.Path("/orders"), order, alpha.People["curator"].Auth()).ExpectProblem(403)

		oid := first["id"].(string)
		refunds := alpha.Path("/orders/" + oid + "/refunds")
		refund := func(amount int64) map[string]any {
			return map[string]any{"amount": map[string]any{"amount": amount, "currency": "RUB"}, "refunded_at": apptest.Start, "reason": "не подошёл формат"}
		}
		s.Do(post, refunds, refund(1000000), finance.Auth(), apptest.Header("Idempotency-Key", "r-1")).Expect(201)
		s.Do(post, refunds, refund(1000000), finance.Auth(), apptest.Header("Idempotency-Key", "r-1")).Expect(200)
		s.Do(post, refunds, refund(3990001), finance.Auth()).ExpectProblem(422, "body.amount.amount")
		usd := refund(10)
		usd["amount"] = map[string]any{"amount": 10, "currency": "USD"}
		s.Do(post, refunds, usd, finance.Auth()).ExpectProblem(422, "body.amount.currency")
		s.Do(post, beta.Path("/orders/"+oid+"/refunds"), refund(1), beta.People["finance"].Auth()).ExpectProblem(404)

		got := s.Do(get, alpha.Path("/orders/"+oid), nil, alpha.People["head_of_service"].Auth()).Expect(200).Map()
		if got["status"] != "partially_refunded" || got["refunded"].(map[string]any)["amount"] != float64(1000000) || len(got["refunds"].([]any)) != 1 {
			t.Fatalf("order after a partial refund: %v", got)
		}
		s.Do(post, refunds, refund(3990000), finance.Auth()).Expect(201)
		if st := s.Do(get, alpha.Path("/orders/"+oid), nil, finance.Auth()).Expect(200).Map()["status"]; st != "refunded" {
			t.Fatalf("status %v after refunding everything", st)
		}
	})
}
