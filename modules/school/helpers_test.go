package school_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/school"
)

const (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
)

func ifMatch(v int) apptest.Option { return apptest.Header("If-Match", fmt.Sprintf(`"%d"`, v)) }

// newCohort inserts a course and a cohort straight into the database: these
// tests are about people, not the catalog.
func newCohort(t testing.TB, s *apptest.Server, orgID, externalID string) string {
	t.Helper()
	now := apptest.Start
	course := &school.Course{ID: ids.New(), OrgID: orgID, Title: "Психология отношений", Status: "active", CreatedAt: now, UpdatedAt: now, Version: 1}
	src := "lms"
	cohort := &school.Cohort{ID: ids.New(), OrgID: orgID, CourseID: course.ID, Name: "Поток " + externalID, StartsOn: "2026-03-01",
		EndsOn: "2026-06-01", Status: "active", CreatedAt: now, UpdatedAt: now, Version: 1}
	cohort.Source, cohort.ExternalID = &src, &externalID
	for _, row := range []any{course, cohort} {
		if _, err := s.DB.NewInsert().Model(row).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return cohort.ID
}

func student(name, email string) map[string]any {
	return map[string]any{"full_name": name, "email": email, "telegram": "@" + strings.Split(email, "@")[0] + "_tg", "phone": "+7 900 123-45-67", "birth_date": "2010-05-04"}
}

// personal data of the erase test's student, searched for in every table.
var personal = []string{"Елизавета Секретова", "liza.secret@example.ru", "@liza_secret", "liza_secret", "+7 999 111-22-33"}

// findValues searches every text column of every table for the values.
func findValues(t *testing.T, s *apptest.Server, values []string) []string {
	t.Helper()
	ctx := context.Background()
	q := "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
	if s.Dialect == "postgres" {
		q = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
	}
	rows, err := s.DB.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	var found []string
	for _, c := range cols {
		col := c[1]
		if s.Dialect == "postgres" {
			col = `"` + col + `"::text`
		}
		for _, v := range values {
			var n int
			if err := s.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s LIKE ?`, c[0], col), "%"+v+"%").Scan(&n); err != nil {
				continue // a column whose type cannot be compared as text
			}
			if n > 0 {
				found = append(found, c[0]+"."+c[1]+" holds "+v)
			}
		}
	}
	return found
}
