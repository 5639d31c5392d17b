package school_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/validate"
	"github.com/curatorops/curatorops/modules/school"
)

// FuzzImportCSV feeds the student import arbitrary files: it never
// panics, answers every bad file with a refusal rather than an internal
// error, and never stores a student that breaks the rules of a student.
func FuzzImportCSV(f *testing.F) {
	for _, seed := range []string{
		"full_name,email,telegram,phone,birth_date,source,external_id,cohort_external_id,tariff,curator_email\n" +
			"Ольга Лебедева,olga@example.ru,@olga_l,+7 900 123-45-67,2001-05-04,lms,s-1,flow-1,VIP,\n",
		"full_name\n" + strings.Repeat("я", 3007) + "\n",
		"full_name,telegram,phone\nX,<script>alert(1)</script>,=cmd|' /C calc'!A0\n",
		"full_name,email\na\x00b,not-an-email\n",
		"\ufefffull_name,cohort_id\nИра,not-a-uuid\n",
		"full_name,cohort_external_id,source\nИра,flow-1,l\x01ms\n",
		"full_name\n\"unterminated\n",
		"name\nX\n",
		"\xff\xfe\n\xff\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	s := apptest.New(f, "sqlite")
	alpha := s.NewSchool("alpha")
	newCohort(f, s, alpha.Org.ID, "flow-1")
	svc := s.Services.School
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := svc.ImportStudents(s.Ctx(), alpha.Org.ID, data, false)
		var refused *errs.ValidationError
		if err != nil && !errors.As(err, &refused) {
			t.Fatalf("an import answered an internal error: %v", err)
		}
		var stored []school.Student
		if err := s.DB.NewSelect().Model(&stored).Where("org_id = ?", alpha.Org.ID).Scan(s.Ctx()); err != nil {
			t.Fatal(err)
		}
		for _, st := range stored {
			in := school.StudentInput{FullName: st.FullName, Email: st.Email, Telegram: st.Telegram, Phone: st.Phone, BirthDate: st.BirthDate, External: st.External}
			if err := validate.Struct(apptest.Start, "", in); err != nil {
				t.Fatalf("a stored student breaks the rules: %v", err)
			}
		}
		// Start every input from an empty school, so the check stays cheap.
		for _, table := range []string{"curator_assignments", "enrollments", "students"} {
			if _, err := s.DB.NewDelete().TableExpr(table).Where("org_id = ?", alpha.Org.ID).Exec(s.Ctx()); err != nil {
				t.Fatal(err)
			}
		}
	})
}
