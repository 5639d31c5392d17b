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

// An event about an erased student is refused, and the inbox keeps its
// envelope and external ids only: GET /events never shows the erased
// name or email, nor the new ones the LMS sent.
func TestEventsAboutErasedStudentsAreKeptWithoutPersonalData(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		key := integrationKey(t, s, alpha)
		student := func(eventID, name, email string) map[string]any {
			return event(eventID, "student.upserted", map[string]any{"external_id": "st-77", "source": "lms", "full_name": name, "email": email, "phone": "+79001234567"})
		}
		if r := ingest(t, s, alpha, key, batch(student("evt-1", "Анна Смирнова", "anna@example.com"))); r.Accepted != 1 {
			t.Fatalf("first upsert %+v", r)
		}
		var studentID string
		if err := s.DB.NewSelect().TableExpr("students").Column("id").Where("org_id = ? AND external_id = 'st-77'", alpha.Org.ID).Scan(s.Ctx(), &studentID); err != nil {
			t.Fatal(err)
		}
		s.Do(post, alpha.Path("/students/"+studentID+"/erase"), nil, admin.Auth()).Expect(200)

		r := ingest(t, s, alpha, key, batch(student("evt-2", "Анна Смирнова", "anna.new@example.com")))
		if r.Rejected != 1 || r.Events[0].InboxStatus != "rejected" || r.Events[0].Problem == nil || r.Events[0].Problem.Status != 422 ||
			r.Events[0].Problem.Errors[0].Location != "events[0].data.external_id" {
			t.Fatalf("upsert after erasure %+v", r)
		}
		// Sending it again, corrected or not, is refused again and keeps nothing more.
		ingest(t, s, alpha, key, batch(student("evt-2", "Анна Смирнова-Петрова", "anna.petrova@example.com")))

		listing := s.Do(get, alpha.Path("/events"), nil, admin.Auth()).Expect(200)
		body := strings.ToLower(string(listing.Body))
		for _, v := range []string{"анна", "anna", "смирнова", "+7900", `\u0410`} {
			if strings.Contains(body, strings.ToLower(v)) {
				t.Fatalf("%q shows in the inbox after erasure: %s", v, listing.Body)
			}
		}
		var page struct {
			Items []struct {
				EventID   string `json:"event_id"`
				Status    string
				LastError string `json:"last_error"`
				Data      map[string]any
			}
		}
		listing.Decode(&page)
		if len(page.Items) != 2 || page.Items[0].EventID != "evt-2" || page.Items[0].Status != "rejected" || page.Items[0].LastError == "" ||
			len(page.Items[0].Data) != 2 || page.Items[0].Data["external_id"] != "st-77" || page.Items[0].Data["source"] != "lms" {
			t.Fatalf("inbox %+v", page.Items)
		}
	})
}

// Any refused event keeps only the ids of what it was about; a failed one
// keeps all its data, because replay applies it again.
func TestRefusedEventsKeepOnlyTheirExternalIDs(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		createEffectsTable(t, s)
		fx := &effects{}
		s.Services.Integration.Handle(effectType, fx.handler)
		alpha := s.NewSchool("alpha")
		key := integrationKey(t, s, alpha)
		refused := event("r1", effectType, map[string]any{"external_id": "e-1", "cohort_external_id": "c-1", "note": "Иван Петров",
			"order_external_id": strings.Repeat("x", 201), "nested": map[string]any{"email": "ivan@example.com"}})
		failed := event("f1", effectType, map[string]any{"value": "v", "boom": true, "note": "Иван Петров"})
		if r := ingest(t, s, alpha, key, batch(refused, failed)); r.Rejected != 2 {
			t.Fatalf("ingest %+v", r)
		}
		var page struct {
			Items []struct {
				EventID string `json:"event_id"`
				Status  string
				Data    map[string]any
			}
		}
		s.Do(get, alpha.Path("/events"), nil, alpha.People["admin"].Auth()).Expect(200).Decode(&page)
		byID := map[string]map[string]any{}
		for _, e := range page.Items {
			byID[e.EventID+"/"+e.Status] = e.Data
		}
		if d := byID["r1/rejected"]; len(d) != 2 || d["external_id"] != "e-1" || d["cohort_external_id"] != "c-1" {
			t.Fatalf("the refused event kept %v", d)
		}
		if d := byID["f1/failed"]; d["note"] != "Иван Петров" || d["value"] != "v" {
			t.Fatalf("the failed event kept %v", d)
		}
	})
}
