package integration_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/privacy"
)

// Erasing a person leaves none of their values in the inbox or the outbox,
// however the LMS encoded them, and touches no one else.
func TestEraseSubjectScrubsInboxAndOutbox(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		key := integrationKey(t, s, alpha)
		// The second event spells the name with \u escapes, as some
		// encoders do; the third is about someone else.
		body := `{"events":[` +
			`{"event_id":"p1","type":"test.note","occurred_at":"2026-03-01T10:00:00Z","data":{"from":{"name":"Иван Петров","email":"Ivan.Petrov@example.com"},"text":"Здравствуйте, это Иван Петров"}},` +
			`{"event_id":"p2","type":"test.note","occurred_at":"2026-03-01T10:01:00Z","data":{"from":{"name":"\u0418\u0432\u0430\u043d \u041f\u0435\u0442\u0440\u043e\u0432"},"n":1.50}},` +
			`{"event_id":"p3","type":"test.note","occurred_at":"2026-03-01T10:02:00Z","data":{"from":{"name":"Анна Смирнова"}}}]}`
		if r := ingest(t, s, alpha, key, body); r.Accepted != 3 {
			t.Fatalf("ingest %+v", r)
		}
		ingest(t, s, beta, integrationKey(t, s, beta), `{"events":[{"event_id":"b1","type":"test.note","occurred_at":"2026-03-01T10:00:00Z","data":{"name":"Иван Петров"}}]}`)
		publish(t, s, alpha.Org.ID, "review.completed", map[string]any{"student": map[string]any{"name": "Иван Петров", "email": "ivan.petrov@example.com"}, "score": 9})

		subject := privacy.Subject{OrgID: alpha.Org.ID, EntityType: "student", EntityID: "x", Values: []string{"Иван Петров", "ivan.petrov@example.com", ""}}
		if err := s.DB.RunInTx(s.Ctx(), nil, func(ctx context.Context, tx bun.Tx) error {
			return s.Services.Integration.EraseSubject(ctx, tx, subject)
		}); err != nil {
			t.Fatal(err)
		}

		texts := func(query string, args ...any) []string {
			t.Helper()
			var out []string
			if err := s.DB.NewRaw(query, args...).Scan(s.Ctx(), &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		cast := ""
		if s.Dialect == "postgres" {
			cast = "::text"
		}
		alphaData := texts("SELECT data"+cast+" FROM integration_inbox WHERE org_id = ? ORDER BY event_id", alpha.Org.ID)
		alphaData = append(alphaData, texts("SELECT payload"+cast+" FROM outbox_events WHERE org_id = ?", alpha.Org.ID)...)
		all := strings.ToLower(strings.Join(alphaData, "\n"))
		for _, v := range []string{"иван петров", "ivan.petrov@example.com", `\u0418`} {
			if strings.Contains(all, v) {
				t.Fatalf("%q survived erasure: %s", v, all)
			}
		}
		if strings.Count(all, "[erased]") != 6 || !strings.Contains(all, "анна смирнова") || !strings.Contains(all, "здравствуйте, это [erased]") {
			t.Fatalf("erasure replaced the wrong things: %s", all)
		}
		if !strings.Contains(alphaData[1], "1.50") {
			t.Errorf("numbers were rewritten: %s", alphaData[1])
		}
		if beta := texts("SELECT data"+cast+" FROM integration_inbox WHERE org_id = ?", beta.Org.ID); !strings.Contains(beta[0], "Иван Петров") {
			t.Fatalf("another school's inbox was erased: %v", beta)
		}
	})
}
