package school_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
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

// Erasure reaches the inbox: the raw student.upserted event keeps no
// personal value of the erased student.
func TestEraseScrubsTheInbox(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		data := map[string]any{"external_id": "s-secret", "full_name": personal[0], "email": personal[1], "telegram": personal[2], "phone": personal[4]}
		var r ingestResult
		s.Do(post, alpha.Path("/events"), map[string]any{"events": []any{event("ev-1", "student.upserted", data)}}, alpha.People["integration"].Auth()).Expect(200).Decode(&r)
		if r.Accepted != 1 {
			t.Fatalf("ingest %+v", r)
		}
		if before := findValues(t, s, personal[:2]); len(before) == 0 {
			t.Fatal("the values must be found before erasure")
		}
		id := s.Do(get, alpha.Path("/students?name="+strings.Fields(personal[0])[0]), nil, alpha.People["admin"].Auth()).Expect(200).Map()["items"].([]any)[0].(map[string]any)["id"].(string)
		s.Do(post, alpha.Path("/students/"+id+"/erase"), nil, alpha.People["admin"].Auth()).Expect(200)
		for _, leak := range findValues(t, s, personal) {
			t.Errorf("personal data left after erasure: %s", leak)
		}
	})
}
