package cases_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// An accepted homework is a success moment: with the top score, for its
// module and, once every module has homework handed in, for the course.
func TestHomeworkMoments(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "hw-moments", 1)
		review := func(module string, score int) {
			t.Helper()
			f.s.Do(post, f.sc.Path("/homework-submissions"), map[string]any{"external_id": "sub-" + module, "student_external_id": "st-1",
				"assignment_external_id": "hw-" + module, "submitted_at": s.Clock.Now().Add(-time.Hour).Format(time.RFC3339),
				"content": map[string]any{"text": "Моё решение", "links": []string{}, "attachments": []any{}}}, f.sc.People["integration"].Auth()).Expect(http.StatusCreated)
			claimed := s.Do(post, f.sc.Path("/homework/claim-next"), nil, f.as("curator")).Expect(http.StatusOK)
			s.Do(post, f.sc.Path("/homework-submissions/"+claimed.Map()["id"].(string)+"/review"),
				map[string]any{"verdict": "accepted", "scores": map[string]int{"task": score}, "feedback": "Отлично"},
				f.as("curator"), apptest.Header("If-Match", claimed.Header.Get("ETag"))).Expect(http.StatusOK)
		}
		outcome := func(kind string) string {
			var out string
			if err := s.DB.NewSelect().Table("case_moments").Column("outcome").Where("org_id = ? AND kind = ?", f.sc.Org.ID, kind).
				Scan(s.Ctx(), &out); err != nil {
				return "none"
			}
			return out
		}

		review("1", 5)
		if outcome("module_completed") != "requested" || outcome("homework_top_score") != "too_soon" || outcome("course_completed") != "none" {
			t.Fatalf("after module 1 with the top score: module %s, top %s, course %s", outcome("module_completed"),
				outcome("homework_top_score"), outcome("course_completed"))
		}
		var page struct{ Items []map[string]any }
		s.Do(get, f.sc.Path("/case-requests"), nil, f.as("curator")).Expect(http.StatusOK).Decode(&page)
		if len(page.Items) != 1 || page.Items[0]["moment"] != "module_completed" || page.Items[0]["curator_id"] != f.sc.People["curator"].UserID {
			t.Fatalf("the student's curator sees %v, want one module_completed request credited to her", page.Items)
		}

		review("2", 3)
		if outcome("course_completed") != "too_soon" {
			t.Fatalf("the course is done after module 2: %s", outcome("course_completed"))
		}
		if n := s.Count("case_requests", "org_id = ?", f.sc.Org.ID); n != 1 {
			t.Fatalf("%d requests, want 1 within the interval", n)
		}
	})
}
