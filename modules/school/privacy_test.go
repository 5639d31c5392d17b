package school_test

import (
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/school"
)

func TestEraseLeavesNoPersonalDataAnywhere(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		cohort := newCohort(t, s, alpha.Org.ID, "c1")
		body := map[string]any{"full_name": personal[0], "email": personal[1], "telegram": personal[2], "phone": personal[4], "birth_date": "2001-02-03"}
		sid := s.Do(post, alpha.Path("/students"), body, admin.Auth()).Expect(201).Map()["id"].(string)
		s.Do(patch, alpha.Path("/students/"+sid), map[string]any{"full_name": personal[0], "phone": personal[4]}, admin.Auth(), ifMatch(1)).Expect(200)
		s.Do(post, alpha.Path("/enrollments"), map[string]any{"student_id": sid, "cohort_id": cohort}, admin.Auth()).Expect(201)
		order := map[string]any{"student_id": sid, "amount": map[string]any{"amount": 1500000, "currency": "RUB"}, "payment_method": "card", "paid_at": apptest.Start}
		s.Do(post, alpha.Path("/orders"), order, alpha.People["finance"].Auth()).Expect(201)

		export := s.Do(post, alpha.Path("/students/"+sid+"/export"), nil, alpha.People["head_of_service"].Auth()).Expect(200)
		var x struct {
			Student struct {
				Email string
			}
			Enrollments []any
			Orders      []any
		}
		export.Decode(&x)
		if x.Student.Email != personal[1] || len(x.Enrollments) != 1 || len(x.Orders) != 1 {
			t.Fatalf("export %s", export.Body)
		}
		// The search below must be able to see the values before erasure,
		// or its silence afterwards would prove nothing.
		if before := findValues(t, s, personal); len(before) < len(personal) {
			t.Fatalf("before erasure the values were found only in %v", before)
		}
		s.Do(post, alpha.Path("/students/"+sid+"/erase"), nil, alpha.People["head_of_service"].Auth()).ExpectProblem(403)
		erased := s.Do(post, alpha.Path("/students/"+sid+"/erase"), nil, admin.Auth()).Expect(200).Map()
		if erased["erased"] != true || erased["full_name"] != school.ErasedName {
			t.Fatalf("erased student %v", erased)
		}
		s.Do(post, alpha.Path("/students/"+sid+"/erase"), nil, admin.Auth()).ExpectProblem(409)

		for _, leak := range findValues(t, s, personal) {
			t.Errorf("personal data left after erasure: %s", leak)
		}
		if s.Count("enrollments", "") != 1 || s.Count("orders", "") != 1 {
			t.Fatal("erasure must keep enrollments and orders")
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
