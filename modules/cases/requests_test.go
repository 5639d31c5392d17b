package cases_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/cases"
)

// Success moments open one request per student per interval, never after
// an opt-out, only for top survey answers, and once per moment.
func TestSuccessMoments(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "moments", 4)
		requests := func() int { return s.Count("case_requests", "org_id = ?", f.sc.Org.ID) }
		published := func() int {
			return s.Count("outbox_events", "org_id = ? AND type = ?", f.sc.Org.ID, "case.requested")
		}

		// CSI 4 and NPS 8 are not success moments; CSI 5 is.
		for _, m := range []struct {
			kind  string
			value int
		}{{cases.MomentCSITop, 4}, {cases.MomentNPSPromoter, 8}} {
			if err := f.moment(t, 0, m.kind, "answer-"+m.kind, num(m.value)); err != nil {
				t.Fatal(err)
			}
		}
		if n := requests(); n != 0 {
			t.Fatalf("%d requests after a CSI 4 and an NPS 8, want 0", n)
		}
		if err := f.moment(t, 0, cases.MomentCSITop, "answer-1", num(5)); err != nil {
			t.Fatal(err)
		}
		if n := requests(); n != 1 || published() != 1 {
			t.Fatalf("%d requests / %d case.requested after CSI 5, want 1 / 1", n, published())
		}
		// The same moment again changes nothing; another moment inside the
		// interval is too soon.
		if err := f.moment(t, 0, cases.MomentCSITop, "answer-1", num(5)); err != nil {
			t.Fatal(err)
		}
		if err := f.moment(t, 0, cases.MomentModuleCompleted, "module-1", nil); err != nil {
			t.Fatal(err)
		}
		if n := requests(); n != 1 {
			t.Fatalf("%d requests, want 1: a repeated moment and one within 90 days make none", n)
		}
		if s.Count("case_moments", "org_id = ? AND outcome = 'too_soon'", f.sc.Org.ID) != 1 {
			t.Fatal("the moment within the interval must be recorded as too soon")
		}
		// After the interval the student may be asked again; NPS 10 counts.
		f.advance(91 * 24 * time.Hour)
		if err := f.moment(t, 0, cases.MomentNPSPromoter, "answer-2", num(10)); err != nil {
			t.Fatal(err)
		}
		if n := requests(); n != 2 {
			t.Fatalf("%d requests after the interval, want 2", n)
		}

		// A student who opted out through the link is never asked again,
		// by a moment or by hand.
		_, token := f.ask(t, 1)
		s.Do(post, "/v1/case-requests/"+token+"/decline", map[string]any{"opt_out": true}).Expect(http.StatusNoContent)
		f.advance(400 * 24 * time.Hour)
		if err := f.moment(t, 1, cases.MomentCourseCompleted, "course-1", nil); err != nil {
			t.Fatal(err)
		}
		if s.Count("case_requests", "student_id = ?", f.students[1].ID) != 1 {
			t.Fatal("an opted-out student was asked again")
		}
		s.Do(post, f.sc.Path("/case-requests"), map[string]any{"student_id": f.students[1].ID}, f.as("head_of_service")).
			ExpectProblem(http.StatusConflict)

		// A moment naming another school's enrollment makes no request.
		other := newFixture(t, s, "moments-other", 1)
		e := other.enrolled[0]
		f.enrolled = append(f.enrolled, e)
		if err := f.moment(t, len(f.enrolled)-1, cases.MomentCourseCompleted, "foreign", nil); err != nil {
			t.Fatal(err)
		}
		if s.Count("case_moments", "org_id = ? AND outcome = 'not_enrolled'", f.sc.Org.ID) != 1 ||
			s.Count("case_requests", "student_id = ?", e.StudentID) != 0 {
			t.Fatal("a moment about another school's enrollment must make no request")
		}
	})
}

// The link works once, expires, is rate-limited, says nothing about anyone
// and leaves a status trail.
func TestLink(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "links", 3)
		id, token := f.ask(t, 0)
		if !strings.HasPrefix(token, "ccr_") {
			t.Fatalf("token %q", token)
		}
		link := "/v1/case-requests/" + token

		// The integration marks it sent; opening it records opened.
		s.Do(post, f.sc.Path("/case-requests/"+id+"/sent"), nil, f.sc.People["integration"].Auth()).Expect(http.StatusOK)
		view := s.Do(get, link, nil).Expect(http.StatusOK).Map()
		for _, k := range []string{"expires_at", "consent_text_version", "consent_text", "scopes", "incentive", "guardian_consent_required"} {
			if _, ok := view[k]; !ok {
				t.Errorf("the form lacks %s", k)
			}
		}
		if len(view) != 6 {
			t.Fatalf("the form must show nothing but itself: %v", view)
		}
		body := string(s.Do(get, link, nil).Expect(http.StatusOK).Body)
		for _, leak := range []string{f.students[0].ID, f.students[0].FullName, f.sc.Org.ID, f.sc.Slug, f.sc.People["curator"].UserID} {
			if strings.Contains(body, leak) {
				t.Fatalf("the form shows %q: %s", leak, body)
			}
		}

		// A bad answer changes nothing; a good one is stored once.
		s.Do(post, link, map[string]any{"rating": 5}).ExpectProblem(http.StatusUnprocessableEntity, "body.text")
		s.Do(post, link, map[string]any{"text": "x", "video_url": "ftp://x"}).ExpectProblem(http.StatusUnprocessableEntity)
		s.Do(post, link, map[string]any{"text": "Спасибо", "consent": map[string]any{"scopes": []string{"website"}, "text_version": "old"}}).
			ExpectProblem(http.StatusUnprocessableEntity, "body.consent.text_version")
		words := "Пришла без опыта,\r\n  через 4 месяца — первый заказ 🎉"
		s.Do(post, link, map[string]any{"text": words, "rating": 5, "tags": []string{"первый заказ"},
			"consent": map[string]any{"scopes": []string{"internal", "website"}, "text_version": "v1"}}).Expect(http.StatusCreated)
		var stored string
		if err := s.DB.NewSelect().Table("case_submissions").Column("body").Where("request_id = ?", id).Scan(s.Ctx(), &stored); err != nil {
			t.Fatal(err)
		}
		if stored != words {
			t.Fatalf("the words were not kept byte for byte: %q", stored)
		}
		// Used: every further call answers the same 404.
		used := s.Do(post, link, map[string]any{"text": "again"}).ExpectProblem(http.StatusNotFound).Map()
		unknown := s.Do(post, "/v1/case-requests/ccr_"+strings.Repeat("A", 43), map[string]any{"text": "x"}).ExpectProblem(http.StatusNotFound).Map()
		if used["detail"] != unknown["detail"] {
			t.Fatalf("a used and an unknown link must look alike: %v / %v", used["detail"], unknown["detail"])
		}
		s.Do(get, link, nil).ExpectProblem(http.StatusNotFound)
		var trail struct {
			Status string `json:"status"`
			Trail  []struct {
				Status string `json:"status"`
			} `json:"trail"`
		}
		s.Do(get, f.sc.Path("/case-requests/"+id), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&trail)
		var steps []string
		for _, st := range trail.Trail {
			steps = append(steps, st.Status)
		}
		if got := strings.Join(steps, ","); got != "created,sent,opened,submitted" || trail.Status != "submitted" {
			t.Fatalf("trail %s, status %s", got, trail.Status)
		}

		// An expired link answers the same 404 and records expired.
		f.advance(91 * 24 * time.Hour)
		id2, token2 := f.ask(t, 1)
		f.advance(15 * 24 * time.Hour)
		s.Do(get, "/v1/case-requests/"+token2, nil).ExpectProblem(http.StatusNotFound)
		if s.Count("case_request_events", "request_id = ? AND status = 'expired'", id2) != 1 {
			t.Fatal("an expired link must record expired")
		}

		// A token is useless in another school: its LMS cannot answer it.
		_, token3 := f.ask(t, 2)
		other := newFixture(t, s, "links-other", 1)
		err := other.event(other.sc.Org.ID, "ev-1", "case.submitted", map[string]any{"external_id": "c-1", "student_external_id": "st-1",
			"request_token": token3, "text": "чужой", "submitted_at": s.Clock.Now().Format(time.RFC3339)})
		if err == nil || !strings.Contains(err.Error(), "data.request_token") {
			t.Fatalf("another school's token must be refused naming data.request_token: %v", err)
		}

		// Too many calls from one address: 429 with Retry-After.
		var last *apptest.Response
		for i := 0; i < 40; i++ {
			last = s.Do(get, "/v1/case-requests/ccr_unknown"+strconv.Itoa(i), nil)
			if last.Code == http.StatusTooManyRequests {
				break
			}
		}
		if last.Code != http.StatusTooManyRequests {
			t.Fatalf("no 429 after 40 calls: %d", last.Code)
		}
		if secs, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 600 {
			t.Fatalf("Retry-After %q", last.Header.Get("Retry-After"))
		}
	})
}
