package school_test

import (
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/school"
)

// The student list is read column by column, by hand; what it returns must
// be what the single-student read (bun's model scan) returns, but for the
// folded search key — contacts, LMS reference, erasure, both timestamps to
// the microsecond, version — on both databases, and only the school's own.
func TestStudentListReadsEveryColumnAsTheSingleRead(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		ctx, svc := s.Ctx(), s.Services.School
		text := func(v string) *string { return &v }
		inputs := []school.StudentInput{
			{FullName: "Анна Петрова", Email: text("anna@example.ru"), Telegram: text("@anna_p"), Phone: text("+7 900 123-45-67"),
				BirthDate: text("2010-05-04"), External: school.External{Source: text("lms"), ExternalID: text("st-1")}},
			{FullName: "Борис Без Контактов"},
			{FullName: "Вера Стёртая", Email: text("vera@example.ru")},
		}
		var ids []string
		for i, in := range inputs {
			s.Clock.Advance(time.Duration(i)*time.Hour + 123456*time.Microsecond)
			st, err := svc.CreateStudent(ctx, alpha.Org.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, st.ID)
		}
		s.Clock.Advance(time.Minute)
		if _, err := svc.Erase(ctx, alpha.Org.ID, ids[2]); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateStudent(ctx, beta.Org.ID, school.StudentInput{FullName: "Чужой Студент"}); err != nil {
			t.Fatal(err)
		}

		listed, err := svc.ListStudents(ctx, alpha.Org.ID, school.StudentFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(listed) != len(ids) {
			t.Fatalf("listed %d students, want %d (the other school's excluded)", len(listed), len(ids))
		}
		erased := 0
		for _, got := range listed {
			want, err := svc.Student(ctx, alpha.Org.ID, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ErasedAt != nil {
				erased++
			}
			sameStudent(t, got, *want)
		}
		if erased != 1 {
			t.Errorf("%d erased students listed, want 1", erased)
		}
	})
}

func sameStudent(t *testing.T, got, want school.Student) {
	t.Helper()
	text := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	stamp := func(p *time.Time) string {
		if p == nil {
			return "<nil>"
		}
		return p.UTC().Format(time.RFC3339Nano)
	}
	for _, c := range []struct{ name, got, want string }{
		{"id", got.ID, want.ID},
		{"org", got.OrgID, want.OrgID},
		{"full name", got.FullName, want.FullName},
		{"email", text(got.Email), text(want.Email)},
		{"telegram", text(got.Telegram), text(want.Telegram)},
		{"phone", text(got.Phone), text(want.Phone)},
		{"birth date", text(got.BirthDate), text(want.BirthDate)},
		{"source", text(got.Source), text(want.Source)},
		{"external id", text(got.ExternalID), text(want.ExternalID)},
		{"erased at", stamp(got.ErasedAt), stamp(want.ErasedAt)},
		{"created at", stamp(&got.CreatedAt), stamp(&want.CreatedAt)},
		{"updated at", stamp(&got.UpdatedAt), stamp(&want.UpdatedAt)},
	} {
		if c.got != c.want {
			t.Errorf("student %s: listed %s %q, read alone %q", want.FullName, c.name, c.got, c.want)
		}
	}
	if got.Version != want.Version {
		t.Errorf("student %s: listed version %d, read alone %d", want.FullName, got.Version, want.Version)
	}
}
