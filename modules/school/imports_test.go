package school_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

func postCSV(s *apptest.Server, path, body string, who apptest.Actor) *apptest.Response {
	return s.Do(http.MethodPost, path, body, who.Auth(), apptest.Header("Content-Type", "text/csv"))
}

type importReport struct {
	DryRun             bool `json:"dry_run"`
	Applied            bool
	Rows               int
	StudentsCreated    int `json:"students_created"`
	StudentsUpdated    int `json:"students_updated"`
	EnrollmentsCreated int `json:"enrollments_created"`
	Errors             []struct{ Location, Message string }
}

func TestImportStudentsFromCSV(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		newCohort(t, s, alpha.Org.ID, "flow-1")
		cur := alpha.People["curator"]

		good := "full_name,email,external_id,cohort_external_id,tariff,curator_email\n" +
			"Ольга Лебедева,olga@example.ru,s-1,flow-1,VIP," + cur.Email + "\n" +
			"Пётр Орлов,,s-2,flow-1,Стандарт,\n" +
			"Инна Ким,inna@example.ru,,,,\n"
		bad := good +
			"Без Почты,not-an-email,s-4,,,\n" +
			",nobody@example.ru,s-5,,,\n" +
			"Чужой Поток,x@example.ru,s-6,flow-404,,\n" +
			"Не куратор,y@example.ru,s-7,flow-1,," + alpha.People["hr"].Email + "\n"

		var r importReport
		postCSV(s, alpha.Path("/students/import?dry_run=true"), bad, admin).Expect(200).Decode(&r)
		want := map[string]bool{"rows[5].email": true, "rows[6].full_name": true, "rows[7].cohort_external_id": true, "rows[8].curator_email": true}
		if !r.DryRun || r.Applied || r.Rows != 7 || len(r.Errors) != len(want) {
			t.Fatalf("dry-run report %+v", r)
		}
		for _, e := range r.Errors {
			if !want[e.Location] {
				t.Errorf("unexpected error %+v", e)
			}
		}
		if s.Count("students", "") != 0 {
			t.Fatal("a dry run wrote students")
		}

		postCSV(s, alpha.Path("/students/import"), bad, admin).Expect(422).Decode(&r)
		if r.Applied || len(r.Errors) != 4 || s.Count("students", "") != 0 || s.Count("enrollments", "") != 0 {
			t.Fatalf("a file with wrong lines must write nothing: %+v", r)
		}

		postCSV(s, alpha.Path("/students/import?dry_run=true"), good, admin).Expect(200).Decode(&r)
		if r.StudentsCreated != 3 || r.EnrollmentsCreated != 2 || len(r.Errors) != 0 || s.Count("students", "") != 0 {
			t.Fatalf("dry run of a good file %+v", r)
		}
		postCSV(s, alpha.Path("/students/import"), good, admin).Expect(200).Decode(&r)
		if !r.Applied || r.StudentsCreated != 3 || r.EnrollmentsCreated != 2 {
			t.Fatalf("import %+v", r)
		}
		if s.Count("enrollments", "curator_id = ?", cur.UserID) != 1 || s.Count("students", "full_name = ?", "Пётр Орлов") != 1 {
			t.Fatal("imported rows are not as in the file")
		}
		// Importing the same file again updates the students with external
		// ids, adds no enrollment twice, and creates the one without an id anew.
		postCSV(s, alpha.Path("/students/import"), strings.Replace(good, "Ольга Лебедева", "Ольга Лебедева-Смит", 1), admin).Expect(200).Decode(&r)
		if r.StudentsUpdated != 2 || r.StudentsCreated != 1 || r.EnrollmentsCreated != 0 || s.Count("students", "full_name = ?", "Ольга Лебедева-Смит") != 1 {
			t.Fatalf("second import %+v", r)
		}

		postCSV(s, alpha.Path("/students/import"), "name,email\nX,x@example.ru\n", admin).ExpectProblem(422, "rows[1].name")
		postCSV(s, alpha.Path("/students/import"), "full_name\n\"unterminated\n", admin).ExpectProblem(422)
		postCSV(s, alpha.Path("/students/import"), good, alpha.People["curator"]).ExpectProblem(403)
	})
}
