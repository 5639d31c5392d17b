package cases_test

import (
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// Withdrawing consent takes the case out of the marketing export (JSON and
// CSV) in the same transaction and archives a published case; consent is
// append-only; a minor needs a guardian's named consent.
func TestConsentAndExport(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "consent", 2)
		c := f.record(t, 0, map[string]any{"text": "Нашла работу через месяц после курса", "video_url": "https://video.example.com/v/1",
			"rating": 5, "consent": map[string]any{"scopes": []string{"website", "social"}, "text_version": "v1", "channel": "paper"}})
		id := c["id"].(string)
		if len(f.exportIDs(t, "website")) != 0 {
			t.Fatal("a pending case must not be exported")
		}
		c = f.moderate(t, c, "approved", "")
		for _, scope := range []string{"website", "social"} {
			if !contains(f.exportIDs(t, scope), id) || !f.csvHas(t, scope, id) {
				t.Fatalf("an approved case with %s consent is missing from the %s export", scope, scope)
			}
		}
		for _, scope := range []string{"advertising", "internal"} {
			if contains(f.exportIDs(t, scope), id) || f.csvHas(t, scope, id) {
				t.Fatalf("a case without %s consent is in the %s export", scope, scope)
			}
		}
		c = f.moderate(t, c, "published", "на сайт")

		// Withdrawal: gone from every export, archived, trail kept.
		w := s.Do(post, f.sc.Path("/cases/"+id+"/consents/withdraw"), map[string]any{"channel": "email", "reason": "передумала"},
			f.as("curator")).Expect(http.StatusCreated).Map()
		if w["status"] != "archived" || len(w["consent_scopes"].([]any)) != 0 || len(w["consents"].([]any)) != 2 {
			t.Fatalf("after withdrawal: status %v, scopes %v, consents %d", w["status"], w["consent_scopes"], len(w["consents"].([]any)))
		}
		for _, scope := range []string{"website", "social"} {
			if contains(f.exportIDs(t, scope), id) || f.csvHas(t, scope, id) {
				t.Fatalf("a withdrawn case is still in the %s export", scope)
			}
		}
		if s.Count("audit_entries", "entity_id = ?", id) < 4 {
			t.Fatal("the withdrawal must be audited")
		}
		s.Do(post, f.sc.Path("/cases/"+id+"/consents/withdraw"), map[string]any{}, f.as("curator")).ExpectProblem(http.StatusConflict)

		// The database itself refuses to edit consent or the student's words.
		if _, err := s.DB.NewUpdate().Table("case_consents").Set("scopes = ','").Where("submission_id = ?", id).Exec(s.Ctx()); err == nil {
			t.Fatal("a consent row was edited")
		}
		if _, err := s.DB.NewDelete().Table("case_consents").Where("submission_id = ?", id).Exec(s.Ctx()); err == nil {
			t.Fatal("a consent row was deleted")
		}
		if _, err := s.DB.NewUpdate().Table("case_submissions").Set("body = 'улучшенный текст'").Where("id = ?", id).Exec(s.Ctx()); err == nil {
			t.Fatal("the student's words were edited")
		}
		if _, err := s.DB.NewUpdate().Table("case_moderations").Set("reason = ''").Where("submission_id = ?", id).Exec(s.Ctx()); err == nil {
			t.Fatal("a moderation decision was edited")
		}

		// A minor: the student's own consent is refused, a guardian's without
		// a name too; with the name it is recorded.
		_, _ = f.addStudent(t, 0, f.sc.People["curator"].UserID, str("2012-05-01"))
		minor := f.record(t, 2, map[string]any{"text": "Мне понравилось"})
		path := f.sc.Path("/cases/" + minor["id"].(string) + "/consents")
		s.Do(post, path, map[string]any{"scopes": []string{"website"}, "text_version": "v1"}, f.as("curator")).
			ExpectProblem(http.StatusUnprocessableEntity, "body.given_by")
		s.Do(post, path, map[string]any{"scopes": []string{"website"}, "text_version": "v1", "given_by": "guardian"}, f.as("curator")).
			ExpectProblem(http.StatusUnprocessableEntity, "body.guardian_name")
		got := s.Do(post, path, map[string]any{"scopes": []string{"website"}, "text_version": "v1", "given_by": "guardian",
			"guardian_name": "Иванова Мария Петровна"}, f.as("curator")).Expect(http.StatusCreated).Map()
		consent := got["consents"].([]any)[0].(map[string]any)
		if consent["given_by"] != "guardian" || consent["guardian_name"] != "Иванова Мария Петровна" {
			t.Fatalf("guardian consent %v", consent)
		}

		// Publishing without a public consent is refused.
		internal := f.record(t, 1, map[string]any{"text": "Хорошо", "consent": map[string]any{"scopes": []string{"internal"}, "text_version": "v1"}})
		internal = f.moderate(t, internal, "approved", "")
		s.Do(post, f.sc.Path("/cases/"+internal["id"].(string)+"/moderation"), map[string]any{"status": "published"},
			f.as("head_of_service"), apptest.Header("If-Match", `"`+jsonNum(internal["version"])+`"`)).ExpectProblem(http.StatusConflict)
	})
}

func jsonNum(v any) string {
	return strconvF(v.(float64))
}
