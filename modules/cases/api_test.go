package cases_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// Roles, other schools, bad input, stale and missing versions.
func TestAccessAndInput(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "rules", 2)
		other := newFixture(t, s, "rules-other", 1)
		c := f.record(t, 0, map[string]any{"text": "Отзыв"})
		id := c["id"].(string)
		ifMatch := func(v any) apptest.Option { return apptest.Header("If-Match", fmt.Sprintf(`"%v"`, v)) }

		s.Do(get, f.sc.Path("/cases"), nil).ExpectProblem(http.StatusUnauthorized)
		// Curators do not moderate, set targets or export; HR sees nothing.
		s.Do(post, f.sc.Path("/cases/"+id+"/moderation"), map[string]any{"status": "approved"}, f.as("curator"), ifMatch(1)).
			ExpectProblem(http.StatusForbidden)
		s.Do(get, f.sc.Path("/case-export?scope=website"), nil, f.as("curator")).ExpectProblem(http.StatusForbidden)
		s.Do(put, f.sc.Path("/case-targets/"+f.cohorts[0].ID), map[string]any{"video_target": 1, "review_target": 1}, f.as("senior_curator")).
			ExpectProblem(http.StatusForbidden)
		s.Do(get, f.sc.Path("/cases"), nil, f.as("hr")).ExpectProblem(http.StatusForbidden)

		// Another school's case is not found, to its people and by its id.
		s.Do(get, other.sc.Path("/cases/"+id), nil, other.as("head_of_service")).ExpectProblem(http.StatusNotFound)
		s.Do(get, f.sc.Path("/cases"), nil, other.as("head_of_service")).ExpectProblem(http.StatusNotFound)
		s.Do(post, other.sc.Path("/cases/"+id+"/consents/withdraw"), map[string]any{}, other.as("head_of_service")).ExpectProblem(http.StatusNotFound)
		s.Do(post, f.sc.Path("/cases"), map[string]any{"student_id": other.students[0].ID, "text": "x"}, f.as("head_of_service")).
			ExpectProblem(http.StatusUnprocessableEntity, "body.student_id")
		s.Do(put, f.sc.Path("/case-targets/"+other.cohorts[0].ID), map[string]any{"video_target": 1, "review_target": 1},
			f.as("head_of_service")).ExpectProblem(http.StatusNotFound)

		// A curator sees only the cases credited to her.
		c2 := s.NewMember(f.sc.Org.ID, "c2@rules.test", "curator")
		s.Do(get, f.sc.Path("/cases/"+id), nil, c2.Auth()).ExpectProblem(http.StatusNotFound)
		s.Do(get, f.sc.Path("/cases/"+id), nil, f.as("curator")).Expect(http.StatusOK)
		var page struct{ Items []map[string]any }
		s.Do(get, f.sc.Path("/cases"), nil, c2.Auth()).Expect(http.StatusOK).Decode(&page)
		if len(page.Items) != 0 {
			t.Fatal("a curator sees another curator's cases")
		}
		s.Do(post, f.sc.Path("/case-requests"), map[string]any{"student_id": f.students[1].ID}, c2.Auth()).ExpectProblem(http.StatusForbidden)

		// Bad input names the field; nothing changes.
		before := s.Count("case_submissions", "")
		s.Do(post, f.sc.Path("/cases"), map[string]any{"student_id": f.students[1].ID}, f.as("curator")).
			ExpectProblem(http.StatusUnprocessableEntity, "body.text")
		s.Do(post, f.sc.Path("/cases"), map[string]any{"student_id": f.students[1].ID, "text": "x", "rating": 6}, f.as("curator")).
			ExpectProblem(http.StatusUnprocessableEntity)
		s.Do(post, f.sc.Path("/cases"), map[string]any{"student_id": f.students[1].ID, "text": "x", "tags": []string{"a,b"}}, f.as("curator")).
			ExpectProblem(http.StatusUnprocessableEntity, "body.tags[0]")
		s.Do(post, f.sc.Path("/cases"), map[string]any{"student_id": f.students[1].ID, "text": "x",
			"submitted_at": time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}, f.as("curator")).ExpectProblem(http.StatusUnprocessableEntity)
		s.Do(post, f.sc.Path("/cases"), map[string]any{"student_id": f.students[1].ID, "text": "x", "curator_id": f.sc.People["hr"].UserID},
			f.as("head_of_service")).ExpectProblem(http.StatusUnprocessableEntity, "body.curator_id")
		if s.Count("case_submissions", "") != before {
			t.Fatal("a refused case was stored")
		}

		// Moderation: 428 without If-Match, 412 stale, 422 reason, 409 step.
		path := f.sc.Path("/cases/" + id + "/moderation")
		s.Do(post, path, map[string]any{"status": "approved"}, f.as("senior_curator")).ExpectProblem(http.StatusPreconditionRequired)
		s.Do(post, path, map[string]any{"status": "approved"}, f.as("senior_curator"), ifMatch(9)).ExpectProblem(http.StatusPreconditionFailed)
		s.Do(post, path, map[string]any{"status": "rejected"}, f.as("senior_curator"), ifMatch(c["version"])).
			ExpectProblem(http.StatusUnprocessableEntity, "body.reason")
		s.Do(post, path, map[string]any{"status": "published"}, f.as("senior_curator"), ifMatch(c["version"])).ExpectProblem(http.StatusConflict)
		ok := s.Do(post, path, map[string]any{"status": "rejected", "reason": "не кейс"}, f.as("senior_curator"), ifMatch(c["version"])).
			Expect(http.StatusOK).Map()
		if ok["status"] != "rejected" || len(ok["moderations"].([]any)) != 1 {
			t.Fatalf("after rejection: %v", ok)
		}

		// The excerpt must be the student's words as written.
		c = f.record(t, 1, map[string]any{"text": "Курс изменил мою жизнь. Спасибо куратору!"})
		edit := f.sc.Path("/cases/" + c["id"].(string))
		s.Do(patch, edit, map[string]any{"excerpt": "Курс изменил жизнь"}, f.as("curator"), ifMatch(c["version"])).
			ExpectProblem(http.StatusUnprocessableEntity, "body.excerpt")
		e := s.Do(patch, edit, map[string]any{"excerpt": "Курс изменил мою жизнь.", "tags": []string{"карьера"}}, f.as("curator"),
			ifMatch(c["version"])).Expect(http.StatusOK).Map()
		if e["excerpt"] != "Курс изменил мою жизнь." || e["text"] != c["text"] {
			t.Fatalf("after the edit: %v", e)
		}
		s.Do(patch, edit, map[string]any{"curator_id": c2.UserID}, f.as("curator"), ifMatch(e["version"])).ExpectProblem(http.StatusForbidden)

		// Settings: 428, then saved with If-Match.
		s.Do(put, f.sc.Path("/case-settings"), map[string]any{"request_interval_days": 30, "link_ttl_days": 7, "video_target": 12,
			"review_target": 110, "incentive": "", "consent_text_version": "v2", "consent_text": "Согласие"}, f.as("head_of_service")).
			ExpectProblem(http.StatusPreconditionRequired)
		s.Do(put, f.sc.Path("/case-settings"), map[string]any{"request_interval_days": 30, "link_ttl_days": 7, "video_target": 12,
			"review_target": 110, "incentive": "Чек-лист для всех", "consent_text_version": "v2", "consent_text": "Согласие"},
			f.as("head_of_service"), ifMatch(1)).Expect(http.StatusOK)
		s.Do(put, f.sc.Path("/case-settings"), map[string]any{"request_interval_days": 0, "link_ttl_days": 7, "video_target": 12,
			"review_target": 110, "incentive": "", "consent_text_version": "v2", "consent_text": ""}, f.as("head_of_service"), ifMatch(2)).
			ExpectProblem(http.StatusUnprocessableEntity)
	})
}
