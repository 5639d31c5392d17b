package school_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

type ingestResult struct {
	Accepted   int
	Duplicates int
	Rejected   int
	Events     []struct {
		Status  string
		Problem *struct {
			Detail string
			Errors []struct{ Location, Message string }
		}
	}
}

func event(id, kind string, data map[string]any) map[string]any {
	return map[string]any{"event_id": id, "type": kind, "occurred_at": apptest.Start.Add(-time.Hour), "data": data}
}

// The school's LMS events go through the integration inbox: a batch sent
// three times takes effect once.
func TestSchoolEventsThroughTheInboxTakeEffectOnce(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		newCohort(t, s, alpha.Org.ID, "flow-1")
		lms := alpha.People["integration"]
		var batch []map[string]any
		for i := 0; i < 333; i++ {
			sid := fmt.Sprintf("s-%d", i)
			batch = append(batch,
				event("st-"+sid, "student.upserted", map[string]any{"external_id": sid, "full_name": "Студент " + sid}),
				event("en-"+sid, "enrollment.upserted", map[string]any{"external_id": "e-" + sid, "student_external_id": sid, "cohort_external_id": "flow-1"}),
				event("or-"+sid, "order.paid", map[string]any{"external_id": "o-" + sid, "student_external_id": sid, "amount": 1000000, "currency": "RUB", "payment_method": "card"}))
		}
		batch = append(batch, event("bad", "student.upserted", map[string]any{"external_id": "s-x", "full_name": "X", "email": 42}))
		for round := 0; round < 3; round++ {
			var r ingestResult
			s.Do(post, alpha.Path("/events"), map[string]any{"events": batch}, lms.Auth()).Expect(200).Decode(&r)
			wantAccepted, wantDup := 999, 0
			if round > 0 {
				wantAccepted, wantDup = 0, 999
			}
			if r.Accepted != wantAccepted || r.Duplicates != wantDup || r.Rejected != 1 {
				t.Fatalf("round %d: %d accepted, %d duplicates, %d rejected", round, r.Accepted, r.Duplicates, r.Rejected)
			}
			bad := r.Events[999]
			if bad.Status != "rejected" || bad.Problem == nil || len(bad.Problem.Errors) == 0 || bad.Problem.Errors[0].Location != "events[999].data.email" {
				t.Fatalf("the bad event is reported as %+v", bad)
			}
		}
		if s.Count("students", "") != 333 || s.Count("enrollments", "") != 333 || s.Count("orders", "") != 333 {
			t.Fatalf("effects: %d students, %d enrollments, %d orders", s.Count("students", ""), s.Count("enrollments", ""), s.Count("orders", ""))
		}
	})
}

// applyEvent runs the school's handler of kind straight, past the inbox,
// and commits what it did unless it refused the event.
func applyEvent(t *testing.T, s *apptest.Server, orgID, kind string, data map[string]any) error {
	t.Helper()
	raw, _ := json.Marshal(data)
	tx, err := s.DB.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Services.School.EventHandlers()[kind](s.Ctx(), tx, events.Inbound{OrgID: orgID, EventID: ids.New(), Type: kind, OccurredAt: apptest.Start, Data: raw})
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func TestSchoolEventHandlers(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		newCohort(t, s, alpha.Org.ID, "flow-7")
		apply := func(kind string, data map[string]any) error { return applyEvent(t, s, alpha.Org.ID, kind, data) }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(apply("student.upserted", map[string]any{"external_id": "s-1", "full_name": "Ирина", "email": "irina@example.ru"}))
		must(apply("student.upserted", map[string]any{"external_id": "s-1", "full_name": "Ирина Смирнова"}))
		must(apply("enrollment.upserted", map[string]any{"external_id": "e-1", "student_external_id": "s-1", "cohort_external_id": "flow-7",
			"tariff": "Стандарт", "curator_email": alpha.People["curator"].Email}))
		must(apply("order.paid", map[string]any{"external_id": "o-1", "student_external_id": "s-1", "amount": 2500000, "currency": "RUB", "payment_method": "card"}))
		must(apply("order.refunded", map[string]any{"external_id": "r-1", "order_external_id": "o-1", "amount": 500000}))

		if n := s.Count("students", "full_name = ? AND email = ?", "Ирина Смирнова", "irina@example.ru"); n != 1 {
			t.Fatalf("upserted student rows %d", n)
		}
		if n := s.Count("enrollments", "curator_id = ? AND tariff = ?", alpha.People["curator"].UserID, "Стандарт"); n != 1 {
			t.Fatalf("enrollments %d", n)
		}
		if s.Count("orders", "") != 1 || s.Count("order_refunds", "amount = ?", 500000) != 1 {
			t.Fatal("order or refund missing")
		}

		cases := []struct {
			kind     string
			data     map[string]any
			location string
		}{
			{"student.upserted", map[string]any{"full_name": "Без id"}, "data.external_id"},
			{"student.upserted", map[string]any{"external_id": "s-2", "full_name": "X", "emial": "typo@example.ru"}, "data.emial"},
			{"enrollment.upserted", map[string]any{"external_id": "e-2", "student_external_id": "nobody", "cohort_external_id": "flow-7"}, "data.student_external_id"},
			{"enrollment.upserted", map[string]any{"external_id": "e-2", "student_external_id": "s-1", "cohort_external_id": "flow-7", "curator_email": alpha.People["hr"].Email}, "data.curator_email"},
			{"order.paid", map[string]any{"external_id": "o-2", "student_external_id": "s-1", "amount": 100, "currency": "rub", "payment_method": "card"}, "data.currency"},
			{"order.paid", map[string]any{"external_id": "o-2", "student_external_id": "s-1", "amount": "много", "currency": "RUB", "payment_method": "card"}, "data.amount"},
			{"order.refunded", map[string]any{"external_id": "r-2", "order_external_id": "o-1", "amount": 2000001}, "data.amount"},
		}
		for _, c := range cases {
			err := apply(c.kind, c.data)
			if err == nil || !strings.Contains(err.Error(), c.location) {
				t.Errorf("%s %v: want an error naming %s, got %v", c.kind, c.data, c.location, err)
			}
		}
	})
}
