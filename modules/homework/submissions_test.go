package homework_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

func TestSubmissionsDueTimesAndRouting(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		s.Clock.Set(time.Date(2026, 3, 13, 20, 0, 0, 0, msk))
		f := newFixture(t, s, "alpha", 0, "")
		cur := f.sc.People["curator"]
		for i := 0; i < 4; i++ {
			f.addStudent(t, cur.UserID)
		}
		other := newFixture(t, s, "beta", 1, "")

		friday := time.Date(2026, 3, 13, 20, 0, 0, 0, msk)
		t.Run("due in business time on the school calendar", func(t *testing.T) {
			s := s.WithT(t)
			regular := f.submit(submission("sub-1", 0, 0, friday))
			due, _ := time.Parse(time.RFC3339, regular["due_at"].(string))
			// Friday 20:00 + 24 business hours: 1 h Friday, 8 h Saturday, 12 h Monday, 3 h Tuesday.
			if want := time.Date(2026, 3, 17, 12, 0, 0, 0, msk); !due.Equal(want) {
				t.Errorf("due %v, want %v", due.In(msk), want)
			}
			if regular["review_target_minutes"] != float64(24*60) || regular["status"] != "queued" || regular["attempt"] != float64(1) {
				t.Errorf("unexpected submission %v", regular)
			}
			if regular["queue_curator_id"] != cur.UserID {
				t.Errorf("routed to %v, want the student's curator", regular["queue_curator_id"])
			}
			content := regular["content"].(map[string]any)
			if content["text"] != "My answer" || len(content["attachments"].([]any)) != 1 {
				t.Errorf("content %v", content)
			}
			final := f.submit(submission("sub-2", 0, 4, friday))
			due, _ = time.Parse(time.RFC3339, final["due_at"].(string))
			// 72 h: 1 Friday, 8 Saturday, 4 × 12 Monday to Thursday, 12 Friday, 3 on Saturday: 13:00.
			if want := time.Date(2026, 3, 21, 13, 0, 0, 0, msk); !due.Equal(want) || final["review_target_minutes"] != float64(72*60) {
				t.Errorf("final project due %v (target %v), want %v", due.In(msk), final["review_target_minutes"], want)
			}
			s.Do(post, f.sc.Path("/homework-submissions"), submission("sub-1", 1, 0, friday), f.as("integration")).ExpectProblem(http.StatusConflict)
		})

		t.Run("the LMS event takes the same path", func(t *testing.T) {
			if err := f.event("ev-1", submission("sub-ev", 1, 0, friday)); err != nil {
				t.Fatal(err)
			}
			// The same submission under another event id changes nothing.
			if err := f.event("ev-1b", submission("sub-ev", 1, 0, friday)); err != nil || s.Count("homework_submissions", "external_id = ?", "sub-ev") != 1 {
				t.Errorf("resent submission: %v", err)
			}
			var ve *errs.ValidationError
			bad := submission("sub-bad", 1, 1, friday)
			delete(bad, "student_external_id")
			delete(bad, "submitted_at")
			if err := f.event("ev-2", bad); !errors.As(err, &ve) || !names(ve, "data.student_external_id", "data.submitted_at") {
				t.Errorf("missing fields: %v", err)
			}
			bad = submission("sub-bad", 1, 1, friday)
			bad["grade"] = 5
			if err := f.event("ev-3", bad); !errors.As(err, &ve) || !names(ve, "data.grade") {
				t.Errorf("unknown field: %v", err)
			}
			bad = submission("sub-bad", 1, 1, friday)
			bad["assignment_external_id"] = "nope"
			if err := f.event("ev-4", bad); !errors.As(err, &ve) || !names(ve, "data.assignment_external_id") {
				t.Errorf("unknown assignment: %v", err)
			}
			bad = submission("sub-bad", 1, 1, friday)
			bad["attempt"] = 2
			if err := f.event("ev-5", bad); !errors.As(err, &ve) || !names(ve, "data.attempt") {
				t.Errorf("wrong attempt: %v", err)
			}
			if n := s.Count("homework_submissions", "external_id = ?", "sub-bad"); n != 0 {
				t.Errorf("%d bad submissions stored", n)
			}
		})

		t.Run("resubmission after rework is the next attempt", func(t *testing.T) {
			s := s.WithT(t)
			first := f.submit(submission("re-1", 2, 0, friday))
			s.Do(post, f.sc.Path("/homework-submissions"), submission("re-2", 2, 0, friday), f.as("integration")).ExpectProblem(http.StatusConflict)
			claimed := s.Do(post, f.sc.Path("/homework-submissions/"+first["id"].(string)+"/claim"), nil, f.as("curator")).Expect(200)
			s.Do(post, f.sc.Path("/homework-submissions/"+first["id"].(string)+"/review"), map[string]any{
				"verdict": "rework_requested", "scores": map[string]int{"task": 2, "depth": 1}, "feedback": "Please expand"}, f.as("curator"), etag(claimed)).Expect(200)
			s.Clock.Advance(time.Hour)
			body := submission("re-2", 2, 0, s.Clock.Now())
			body["attempt"] = 2
			second := f.submit(body)
			if second["attempt"] != float64(2) || second["previous_submission_id"] != first["id"] || second["due_at"] == first["due_at"] {
				t.Errorf("resubmission %v", second)
			}
		})

		t.Run("routing falls back to the pool", func(t *testing.T) {
			s := s.WithT(t)
			settings := s.Do(get, f.sc.Path("/homework-settings"), nil, f.as("head_of_service")).Expect(200)
			if settings.Map()["open_capacity"] != float64(40) {
				t.Errorf("default settings %s", settings.Body)
			}
			full := settings.Map()
			full["open_capacity"] = 1
			s.Do(put, f.sc.Path("/homework-settings"), full, f.as("head_of_service")).ExpectProblem(http.StatusPreconditionRequired)
			s.Do(put, f.sc.Path("/homework-settings"), full, f.as("curator"), etag(settings)).ExpectProblem(http.StatusForbidden)
			s.Do(put, f.sc.Path("/homework-settings"), full, f.as("head_of_service"), etag(settings)).Expect(200)
			s.Do(put, f.sc.Path("/homework-settings"), full, f.as("head_of_service"), etag(settings)).ExpectProblem(http.StatusPreconditionFailed)
			pooled := f.submit(submission("cap-1", 3, 0, friday))
			if pooled["queue_curator_id"] != nil {
				t.Errorf("over capacity the item goes to the pool, got %v", pooled["queue_curator_id"])
			}
			unassigned := other.submit(submission("b-1", 0, 0, friday))
			if unassigned["queue_curator_id"] != nil {
				t.Errorf("a student without a curator goes to the pool, got %v", unassigned["queue_curator_id"])
			}
		})

		t.Run("who may submit and see", func(t *testing.T) {
			s := s.WithT(t)
			body := submission("perm-1", 3, 1, friday)
			s.Do(post, f.sc.Path("/homework-submissions"), body).ExpectProblem(http.StatusUnauthorized)
			for _, role := range []string{"curator", "hr", "finance"} {
				s.Do(post, f.sc.Path("/homework-submissions"), body, f.as(role)).ExpectProblem(http.StatusForbidden)
			}
			for _, role := range []string{"hr", "finance"} {
				s.Do(get, f.sc.Path("/homework-submissions"), nil, f.as(role)).ExpectProblem(http.StatusForbidden)
				s.Do(get, f.sc.Path("/homework-stats"), nil, f.as(role)).ExpectProblem(http.StatusForbidden)
			}
			s.Do(post, f.sc.Path("/homework-submissions"), map[string]any{"external_id": "x", "student_external_id": "st-1",
				"assignment_external_id": "hw-1", "submitted_at": friday, "content": map[string]any{}, "grade": 1}, f.as("integration")).ExpectProblem(422)
			bodyNoStudent := submission("perm-2", 3, 1, friday)
			delete(bodyNoStudent, "student_external_id")
			s.Do(post, f.sc.Path("/homework-submissions"), bodyNoStudent, f.as("integration")).ExpectProblem(422, "body.student_external_id")
			// Another school's submission is not found.
			b := other.submit(submission("b-2", 0, 1, friday))
			s.Do(get, f.sc.Path("/homework-submissions/"+b["id"].(string)), nil, f.as("head_of_service")).ExpectProblem(http.StatusNotFound)
			// A curator sees their queue; another curator does not see it.
			stranger := s.NewMember(f.sc.Org.ID, "stranger@alpha.test", "curator")
			var page struct {
				Items []map[string]any `json:"items"`
			}
			s.Do(get, f.sc.Path("/homework-submissions?view=mine"), nil, f.as("curator")).Expect(200).Decode(&page)
			if len(page.Items) == 0 {
				t.Fatal("the curator's queue is empty")
			}
			s.Do(get, f.sc.Path("/homework-submissions/"+page.Items[0]["id"].(string)), nil, stranger.Auth()).ExpectProblem(http.StatusForbidden)
			s.Do(get, f.sc.Path("/homework-submissions"), nil, stranger.Auth()).Expect(200).Decode(&page)
			if len(page.Items) != 0 {
				t.Errorf("a curator without students sees %d items", len(page.Items))
			}
			s.Do(get, f.sc.Path("/homework-submissions?limit=2"), nil, f.as("senior_curator")).Expect(200).Decode(&page)
			if len(page.Items) != 2 {
				t.Errorf("senior curator sees %d items on a page of 2", len(page.Items))
			}
		})
	})
}

func names(ve *errs.ValidationError, locations ...string) bool {
	for _, loc := range locations {
		found := false
		for _, f := range ve.Fields {
			found = found || f.Location == loc
		}
		if !found {
			return false
		}
	}
	return true
}
