package cases_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// A student's cases are in their export, the cases module's and the
// school's; erasure removes the words and the video link, keeps the count,
// and takes the case out of the marketing export.
func TestPrivacy(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "privacy", 1)
		f.addStudent(t, 0, f.sc.People["curator"].UserID, str("2011-01-01"))
		c := f.record(t, 1, map[string]any{"text": "Мой кейс", "video_url": "https://video.example.com/1",
			"consent": map[string]any{"scopes": []string{"website"}, "text_version": "v1", "given_by": "guardian", "guardian_name": "Петров Пётр"}})
		f.moderate(t, c, "approved", "")
		id := c["id"].(string)

		x := s.Do(post, f.sc.Path("/students/"+f.students[1].ID+"/cases-export"), nil, f.as("head_of_service")).Expect(http.StatusOK)
		if !strings.Contains(string(x.Body), "Мой кейс") || !strings.Contains(string(x.Body), "Петров Пётр") {
			t.Fatalf("the export lacks the case or the consent: %s", x.Body)
		}
		s.Do(post, f.sc.Path("/students/"+f.students[1].ID+"/cases-export"), nil, f.as("curator")).ExpectProblem(http.StatusForbidden)

		// The school's export of the person carries the same cases part.
		personCases := func() (cases []map[string]any, consents []map[string]any) {
			t.Helper()
			var full struct {
				Student struct {
					ID string `json:"id"`
				} `json:"student"`
				Modules struct {
					Cases *struct {
						StudentID string           `json:"student_id"`
						Cases     []map[string]any `json:"cases"`
						Consents  []map[string]any `json:"consents"`
						Requests  []map[string]any `json:"requests"`
					} `json:"cases"`
				} `json:"modules"`
			}
			s.Do(post, f.sc.Path("/students/"+f.students[1].ID+"/export"), nil, f.as("admin")).Expect(http.StatusOK).Decode(&full)
			if full.Modules.Cases == nil || full.Modules.Cases.StudentID != f.students[1].ID || full.Student.ID != f.students[1].ID {
				t.Fatalf("the school's export lacks the cases part: %+v", full)
			}
			return full.Modules.Cases.Cases, full.Modules.Cases.Consents
		}
		cs, consents := personCases()
		if len(cs) != 1 || cs[0]["id"] != id || cs[0]["text"] != "Мой кейс" || cs[0]["video_url"] != "https://video.example.com/1" ||
			len(consents) != 1 || consents[0]["guardian_name"] != "Петров Пётр" {
			t.Fatalf("the school's export of the cases: %v %v", cs, consents)
		}
		// Another student's export holds none of them.
		var other struct {
			Modules map[string]struct {
				Cases []any `json:"cases"`
			} `json:"modules"`
		}
		s.Do(post, f.sc.Path("/students/"+f.students[0].ID+"/export"), nil, f.as("admin")).Expect(http.StatusOK).Decode(&other)
		if len(other.Modules["cases"].Cases) != 0 {
			t.Fatalf("student 0's export holds cases: %+v", other)
		}

		if _, err := s.Services.School.Erase(s.Ctx(), f.sc.Org.ID, f.students[1].ID); err != nil {
			t.Fatal(err)
		}
		got := s.Do(get, f.sc.Path("/cases/"+id), nil, f.as("head_of_service")).Expect(http.StatusOK).Map()
		if got["text"] != nil || got["video_url"] != nil || got["erased"] != true || got["has_video"] != true {
			t.Fatalf("after erasure: %v", got)
		}
		if got["consents"].([]any)[0].(map[string]any)["guardian_name"] != "[erased]" {
			t.Fatal("the guardian's name survived erasure")
		}
		if contains(f.exportIDs(t, "website"), id) {
			t.Fatal("an erased case is still exported")
		}
		if cs, consents := personCases(); len(cs) != 1 || cs[0]["text"] != nil || cs[0]["video_url"] != nil || cs[0]["erased"] != true ||
			consents[0]["guardian_name"] != "[erased]" {
			t.Fatalf("the school's export after erasure: %v %v", cs, consents)
		}
		var counts struct {
			Items []struct {
				Reviews int `json:"reviews"`
				Videos  int `json:"videos"`
			}
		}
		s.Do(get, f.sc.Path("/case-stats/cohorts"), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&counts)
		if counts.Items[0].Reviews != 1 || counts.Items[0].Videos != 1 {
			t.Fatalf("erasure must keep the count: %+v", counts.Items[0])
		}
	})
}

// The LMS's case.submitted is stored once, answers its request, and is
// refused with the field named when it is bad.
func TestLMSEvents(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "lms", 2)
		reqID, _ := f.ask(t, 0)
		now := s.Clock.Now().Format(time.RFC3339)
		if err := f.event(f.sc.Org.ID, "ev-sent", "case.request_sent", map[string]any{"request_id": reqID}); err != nil {
			t.Fatal(err)
		}
		data := map[string]any{"external_id": "lms-case-1", "student_external_id": "st-1", "request_id": reqID, "text": "Из LMS",
			"rating": 5, "submitted_at": now, "consent": map[string]any{"scopes": []string{"social"}, "text_version": "v1"}}
		for _, ev := range []string{"ev-1", "ev-2"} {
			if err := f.event(f.sc.Org.ID, ev, "case.submitted", data); err != nil {
				t.Fatal(err)
			}
		}
		if n := s.Count("case_submissions", "org_id = ? AND source = 'lms'", f.sc.Org.ID); n != 1 {
			t.Fatalf("%d LMS cases, want 1", n)
		}
		var r struct{ Status string }
		s.Do(get, f.sc.Path("/case-requests/"+reqID), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&r)
		if r.Status != "submitted" {
			t.Fatalf("request %s, want submitted", r.Status)
		}
		for _, bad := range []struct {
			data  map[string]any
			field string
		}{
			{map[string]any{"external_id": "x", "student_external_id": "st-2", "submitted_at": now}, "data.text"},
			{map[string]any{"external_id": "x", "student_external_id": "nobody", "text": "a", "submitted_at": now}, "data.student_external_id"},
			{map[string]any{"external_id": "x", "student_external_id": "st-2", "text": "a", "submitted_at": now, "request_id": reqID}, "data.request_id"},
			{map[string]any{"external_id": "x", "student_external_id": "st-2", "text": "a"}, "data.submitted_at"},
		} {
			if err := f.event(f.sc.Org.ID, "bad", "case.submitted", bad.data); err == nil || !strings.Contains(err.Error(), bad.field) {
				t.Errorf("want an error naming %s, got %v", bad.field, err)
			}
		}
	})
}
