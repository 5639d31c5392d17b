package school_test

import (
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// Every id a school's input names must be a record of that school: an id
// of another school is a 422 on its field, exactly like an unknown id, and
// links nothing.
func TestIDsInBodiesNameRecordsOfTheSameSchool(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin, finance := alpha.People["admin"], alpha.People["finance"]
		cohort := newCohort(t, s, alpha.Org.ID, "flow-1")
		betaCohort := newCohort(t, s, beta.Org.ID, "flow-1")
		var betaCourse string
		if err := s.DB.NewSelect().Table("cohorts").Column("course_id").Where("id = ?", betaCohort).Scan(s.Ctx(), &betaCourse); err != nil {
			t.Fatal(err)
		}
		student := s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Ольга"}, admin.Auth()).Expect(201).Map()["id"].(string)
		betaStudent := s.Do(post, beta.Path("/students"), map[string]any{"full_name": "Чужая"}, beta.People["admin"].Auth()).Expect(201).Map()["id"].(string)
		betaProduct := s.Do(post, beta.Path("/products"), map[string]any{"kind": "consultation", "title": "Чужая консультация",
			"price": map[string]any{"amount": 100, "currency": "RUB"}}, beta.People["admin"].Auth()).Expect(201).Map()["id"].(string)
		betaCurator := beta.People["curator"].UserID
		enrollment := s.Do(post, alpha.Path("/enrollments"), map[string]any{"student_id": student, "cohort_id": cohort}, admin.Auth()).Expect(201).Map()["id"].(string)
		order := func(edit map[string]any) map[string]any {
			o := map[string]any{"student_id": student, "amount": map[string]any{"amount": 100, "currency": "RUB"}, "payment_method": "card", "paid_at": apptest.Start.Add(-time.Hour)}
			for k, v := range edit {
				o[k] = v
			}
			return o
		}
		cases := []struct {
			name, method, path string
			who                apptest.Actor
			body               map[string]any
			field              string
			opts               []apptest.Option
		}{
			{"enrollment of another school's student", post, "/enrollments", admin, map[string]any{"student_id": betaStudent, "cohort_id": cohort}, "body.student_id", nil},
			{"enrollment in another school's cohort", post, "/enrollments", admin, map[string]any{"student_id": student, "cohort_id": betaCohort}, "body.cohort_id", nil},
			{"enrollment with another school's curator", post, "/enrollments", admin, map[string]any{"student_id": student, "cohort_id": cohort, "curator_id": betaCurator}, "body.curator_id", nil},
			{"order of another school's student", post, "/orders", finance, order(map[string]any{"student_id": betaStudent}), "body.student_id", nil},
			{"order of another school's product", post, "/orders", finance, order(map[string]any{"product_id": betaProduct}), "body.product_id", nil},
			{"order for another school's cohort", post, "/orders", finance, order(map[string]any{"cohort_id": betaCohort}), "body.cohort_id", nil},
			{"product of another school's course", post, "/products", admin, map[string]any{"kind": "course", "title": "Курс", "course_id": betaCourse,
				"price": map[string]any{"amount": 100, "currency": "RUB"}}, "body.course_id", nil},
			{"cohort of another school's course", post, "/cohorts", admin, map[string]any{"course_id": betaCourse, "name": "Поток", "starts_on": "2026-03-01", "ends_on": "2026-05-01"}, "body.course_id", nil},
			{"balancing another school's cohort", post, "/enrollments/assign-curators", admin, map[string]any{"cohort_id": betaCohort}, "body.cohort_id", nil},
			{"balancing over another school's curator", post, "/enrollments/assign-curators", admin, map[string]any{"cohort_id": cohort, "curator_ids": []string{betaCurator}}, "body.curator_ids[0]", nil},
			{"another school's curator for an enrollment", put, "/enrollments/" + enrollment + "/curator", admin, map[string]any{"curator_id": betaCurator}, "body.curator_id", []apptest.Option{ifMatch(1)}},
		}
		tables := []string{"enrollments", "orders", "products", "cohorts", "curator_assignments", "audit_entries"}
		count := func() map[string]int {
			out := map[string]int{}
			for _, table := range tables {
				out[table] = s.Count(table, "")
			}
			return out
		}
		before := count()
		for _, c := range cases {
			s.Do(c.method, alpha.Path(c.path), c.body, append([]apptest.Option{c.who.Auth()}, c.opts...)...).ExpectProblem(422, c.field)
		}
		var r importReport
		postCSV(s, alpha.Path("/students/import"), "full_name,cohort_id\nОльга,"+betaCohort+"\nИра,not-a-uuid\n", admin).Expect(422).Decode(&r)
		if len(r.Errors) != 2 || r.Errors[0].Location != "rows[2].cohort_id" || r.Errors[1].Location != "rows[3].cohort_id" {
			t.Fatalf("import report %+v", r)
		}
		after := count()
		for _, table := range tables {
			if after[table] != before[table] {
				t.Errorf("refused requests changed %s: %d rows before, %d after", table, before[table], after[table])
			}
		}
	})
}
