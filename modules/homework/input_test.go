package homework_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// One table, two entry points: each bad submission is refused by the API
// and by the submission.created event alike, naming the same field, and
// nothing is stored.
func TestSubmissionInputRulesAreTheSameOnTheAPIAndTheEvent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 1, "")
		at := s.Clock.Now().Add(-time.Hour)
		content := func(edit func(c map[string]any)) func(map[string]any) {
			return func(body map[string]any) { edit(body["content"].(map[string]any)) }
		}
		cases := []struct {
			name  string
			field string
			edit  func(map[string]any)
		}{
			{"javascript link", "content.links[0]", content(func(c map[string]any) { c["links"] = []string{"javascript:alert(1)"} })},
			{"data link", "content.links[1]", content(func(c map[string]any) {
				c["links"] = []string{"https://example.com/ok", "data:text/html,<script>alert(1)</script>"}
			})},
			{"link without a host", "content.links[0]", content(func(c map[string]any) { c["links"] = []string{"https:///path"} })},
			{"javascript attachment", "content.attachments[0].url", content(func(c map[string]any) {
				c["attachments"] = []map[string]any{attachment("a.pdf", "javascript:alert(document.cookie)", 1)}
			})},
			{"file attachment", "content.attachments[0].url", content(func(c map[string]any) {
				c["attachments"] = []map[string]any{attachment("a.pdf", "file:///etc/passwd", 1)}
			})},
			{"attachment without a name", "content.attachments[0].name", content(func(c map[string]any) {
				c["attachments"] = []map[string]any{attachment("", "https://lms.example.com/f/1", 1)}
			})},
			{"negative size", "content.attachments[0].size_bytes", content(func(c map[string]any) {
				c["attachments"] = []map[string]any{attachment("a.pdf", "https://lms.example.com/f/1", -1)}
			})},
			{"too many links", "content.links", content(func(c map[string]any) {
				links := make([]string, 51)
				for i := range links {
					links[i] = fmt.Sprintf("https://example.com/%d", i)
				}
				c["links"] = links
			})},
			{"bell in the text", "content.text", content(func(c map[string]any) { c["text"] = "ding\a" })},
			{"NUL in the external id", "external_id", func(b map[string]any) { b["external_id"] = "a\x00b" }},
			{"external id too long", "external_id", func(b map[string]any) { b["external_id"] = strings.Repeat("x", 201) }},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := s.WithT(t)
				body := submission(fmt.Sprintf("bad-%d", i), 0, 0, at)
				c.edit(body)
				s.Do(post, f.sc.Path("/homework-submissions"), body, f.as("integration")).ExpectProblem(http.StatusUnprocessableEntity, "body."+c.field)
				var ve *errs.ValidationError
				if err := f.event(fmt.Sprintf("ev-bad-%d", i), body); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Location != "data."+c.field {
					t.Fatalf("the event: %v, want one error at data.%s", err, c.field)
				}
				if strings.Contains(ve.Fields[0].Message, "alert") || strings.Contains(ve.Fields[0].Message, "passwd") {
					t.Errorf("the message echoes the value: %s", ve.Fields[0].Message)
				}
			})
		}
		if n := s.Count("homework_submissions", "org_id = ?", f.sc.Org.ID); n != 0 {
			t.Fatalf("%d refused submissions were stored", n)
		}
		// http and https links and attachments are taken, on both paths.
		good := submission("good-1", 0, 0, at)
		good["content"].(map[string]any)["links"] = []string{"http://example.com/a", "https://docs.example.com/d/1?x=1#y"}
		f.submit(good)
		if err := f.event("ev-good", submission("good-2", 0, 1, at)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReviewInputsAreChecked(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 0, "")
		cur := f.sc.People["curator"]
		f.addStudent(t, cur.UserID)
		id := f.submit(submission("own-1", 0, 0, s.Clock.Now()))["id"].(string)
		claimed := s.Do(post, f.sc.Path("/homework/claim-next"), nil, f.as("curator")).Expect(200)
		path := f.sc.Path("/homework-submissions/" + id)
		review := func(feedback string, scores map[string]int) map[string]any {
			return map[string]any{"verdict": "accepted", "scores": scores, "feedback": feedback}
		}
		expectRefusals(t, s, []refusal{
			{name: "bell in the feedback", method: post, path: path + "/review", body: review("ding\a", fullScores()),
				opts: opts(f.as("curator"), etag(claimed)), status: http.StatusUnprocessableEntity, where: []string{"body.feedback"}},
			{name: "NUL in a rubric key", method: post, path: path + "/review", body: review("ok", map[string]int{"task": 5, "depth": 4, "ta\x00sk": 1}),
				opts: opts(f.as("curator"), etag(claimed)), status: http.StatusUnprocessableEntity, where: []string{"body.scores"}},
			{name: "a rubric key far too long", method: post, path: path + "/review", body: review("ok", map[string]int{"task": 5, "depth": 4, strings.Repeat("k", 65): 1}),
				opts: opts(f.as("curator"), etag(claimed)), status: http.StatusUnprocessableEntity, where: []string{"body.scores"}},
			{name: "bell in a draft", method: put, path: path + "/draft", body: map[string]any{"feedback": "ding\a"},
				opts: opts(f.as("curator")), status: http.StatusUnprocessableEntity, where: []string{"body.feedback"}},
		})
		after := s.Do(get, path, nil, f.as("curator")).Expect(200).Map()
		if after["status"] != "in_review" || after["draft"] != nil {
			t.Fatalf("a refused review changed the submission: status %v, draft %v", after["status"], after["draft"])
		}
		s.Do(post, path+"/review", review("Хорошо,\n\tспасибо", fullScores()), f.as("curator"), etag(claimed)).Expect(200)
	})
}

// TestProbationIsOnboardingsToSay: the hand-kept probation list is gone
// from the settings (the onboarding module says who is a newcomer), so a
// client that still sends it is told so and nothing is saved.
func TestProbationIsOnboardingsToSay(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 0, "")
		settings := s.Do(get, f.sc.Path("/homework-settings"), nil, f.as("head_of_service")).Expect(200)
		if _, listed := settings.Map()["probation_curator_ids"]; listed {
			t.Fatalf("the settings still list probation curators: %s", settings.Body)
		}
		body := settings.Map()
		body["probation_curator_ids"] = []string{f.sc.People["curator"].UserID}
		s.Do(put, f.sc.Path("/homework-settings"), body, f.as("head_of_service"), etag(settings)).
			ExpectProblem(http.StatusUnprocessableEntity, "body.probation_curator_ids")
		if now := s.Do(get, f.sc.Path("/homework-settings"), nil, f.as("head_of_service")).Expect(200); now.Header.Get("ETag") != settings.Header.Get("ETag") {
			t.Fatalf("refused settings were saved: ETag %s, was %s", now.Header.Get("ETag"), settings.Header.Get("ETag"))
		}
		body = settings.Map()
		body["probation_sample_percent"] = 100
		saved := s.Do(put, f.sc.Path("/homework-settings"), body, f.as("head_of_service"), etag(settings)).Expect(200).Map()
		if saved["probation_sample_percent"] != float64(100) {
			t.Fatalf("saved settings: %v", saved)
		}
	})
}

func attachment(name, url string, size int) map[string]any {
	return map[string]any{"name": name, "url": url, "size_bytes": size, "content_type": "application/pdf"}
}
