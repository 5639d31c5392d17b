package integration_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/integration"
)

// Acceptance: the same batch of 1,000 events sent three times yields 1,000
// accepted, then 2,000 duplicates, and each effect is held once.
func TestResendingABatchChangesNothing(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		createEffectsTable(t, s)
		h := &effects{}
		s.Services.Integration.Handle(effectType, h.handler)
		alpha := s.NewSchool("alpha")
		key := integrationKey(t, s, alpha)
		body := effectBatch("ev", 1000)

		total := ingestResult{}
		for round := 0; round < 3; round++ {
			r := ingest(t, s, alpha, key, body)
			if len(r.Events) != 1000 {
				t.Fatalf("round %d reported %d events, want 1000", round, len(r.Events))
			}
			for i, e := range r.Events {
				want := "duplicate"
				if round == 0 {
					want = "accepted"
				}
				if e.Status != want || e.EventID != "ev-"+itoa(i) || e.InboxStatus != "applied" {
					t.Fatalf("round %d event %d: %+v, want %s of ev-%d", round, i, e, want, i)
				}
			}
			total.Accepted += r.Accepted
			total.Duplicates += r.Duplicates
			total.Rejected += r.Rejected
		}
		if total.Accepted != 1000 || total.Duplicates != 2000 || total.Rejected != 0 {
			t.Fatalf("three sends gave %+v, want 1000 accepted and 2000 duplicates", total)
		}
		if n := s.Count("test_effects", "org_id = ?", alpha.Org.ID); n != 1000 {
			t.Fatalf("the database holds %d effects, want each of the 1000 once", n)
		}
		if n := s.Count("integration_inbox", "org_id = ? AND status = 'applied' AND attempts = 1", alpha.Org.ID); n != 1000 {
			t.Fatalf("the inbox holds %d applied events, want 1000", n)
		}
		if got := len(h.applied()); got != 1000 {
			t.Fatalf("the handler ran %d times, want once per event", got)
		}
		// One audit entry per batch, with its counts.
		if n := s.Count("audit_entries", "org_id = ? AND entity_type = 'event_batch'", alpha.Org.ID); n != 3 {
			t.Fatalf("%d batch audit entries, want 3", n)
		}
	})
}

// Acceptance: a batch with one invalid event applies the others and
// reports the bad one with the field named.
func TestOneInvalidEventRejectsOnlyItself(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		createEffectsTable(t, s)
		h := &effects{}
		s.Services.Integration.Handle(effectType, h.handler)
		alpha := s.NewSchool("alpha")
		key := integrationKey(t, s, alpha)

		noTime := event("e2", effectType, map[string]any{"value": "x"})
		delete(noTime, "occurred_at")
		r := ingest(t, s, alpha, key, batch(
			event("e0", effectType, map[string]any{"value": "a"}),
			event("e1", effectType, map[string]any{"other": "no value"}),
			noTime,
			event("e3", "course.deleted", map[string]any{}),
			event("e4", effectType, map[string]any{"value": "b", "boom": true}),
			map[string]any{"event_id": "e5", "type": effectType, "occurred_at": "yesterday", "data": []int{1}, "extra": 1},
			event("e6", effectType, map[string]any{"value": "c"}),
		))
		if r.Accepted != 2 || r.Rejected != 5 || r.Duplicates != 0 {
			t.Fatalf("counts %+v, want 2 accepted and 5 rejected", r)
		}
		wantStatus := []string{"accepted", "rejected", "rejected", "rejected", "rejected", "rejected", "accepted"}
		for i, e := range r.Events {
			if e.Status != wantStatus[i] {
				t.Errorf("event %d: %s, want %s", i, e.Status, wantStatus[i])
			}
		}
		expectFields := func(i, status int, locations ...string) {
			t.Helper()
			p := r.Events[i].Problem
			if p == nil || p.Status != status {
				t.Fatalf("event %d: problem %+v, want status %d", i, p, status)
			}
			for _, loc := range locations {
				found := false
				for _, e := range p.Errors {
					found = found || e.Location == loc
				}
				if !found {
					t.Errorf("event %d: problem does not name %s: %+v", i, loc, p.Errors)
				}
			}
		}
		expectFields(1, 422, "events[1].data.value")
		expectFields(2, 422, "events[2].occurred_at")
		expectFields(3, 422, "events[3].type")
		expectFields(5, 422, "events[5].occurred_at", "events[5].data", "events[5].extra")
		// A handler that breaks is reported without its cause, and the
		// event is kept for replay.
		expectFields(4, 500)
		if p := r.Events[4].Problem; p.Detail != "could not apply the event; it is kept for replay" || strings.Contains(p.Detail, "boom") {
			t.Errorf("a failing handler reported %q", p.Detail)
		}

		// Only the good events took effect; the failing handler's own write
		// was rolled back with it.
		var values []string
		if err := s.DB.NewSelect().TableExpr("test_effects").Column("value").Where("org_id = ?", alpha.Org.ID).OrderExpr("value").Scan(s.Ctx(), &values); err != nil {
			t.Fatal(err)
		}
		if strings.Join(values, ",") != "a,c" {
			t.Fatalf("effects %v, want a,c", values)
		}
		// The inbox keeps what the handler refused or failed; events whose
		// envelope is broken never became events.
		inbox := map[string]string{}
		var rows []struct {
			EventID   string `bun:"event_id"`
			Status    string `bun:"status"`
			LastError string `bun:"last_error"`
		}
		if err := s.DB.NewSelect().TableExpr("integration_inbox").Column("event_id", "status", "last_error").Where("org_id = ?", alpha.Org.ID).Scan(s.Ctx(), &rows); err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			inbox[row.EventID] = row.Status
			if strings.Contains(row.LastError, "boom") {
				t.Errorf("the inbox shows the handler's internal error: %q", row.LastError)
			}
		}
		want := map[string]string{"e0": "applied", "e1": "rejected", "e4": "failed", "e6": "applied"}
		if len(inbox) != len(want) {
			t.Fatalf("inbox %v, want %v", inbox, want)
		}
		for id, st := range want {
			if inbox[id] != st {
				t.Errorf("inbox %s: %q, want %q", id, inbox[id], st)
			}
		}

		// Sending a rejected event again with corrected data applies it;
		// sending an applied one again is a duplicate.
		r = ingest(t, s, alpha, key, batch(
			event("e1", effectType, map[string]any{"value": "fixed"}),
			event("e0", effectType, map[string]any{"value": "changed"}),
		))
		if r.Events[0].Status != "accepted" || r.Events[0].InboxStatus != "applied" || r.Events[1].Status != "duplicate" {
			t.Fatalf("resend gave %+v", r.Events)
		}
		if n := s.Count("test_effects", "org_id = ? AND value IN ('fixed', 'a')", alpha.Org.ID); n != 2 {
			t.Fatalf("after the resend %d of the expected effects exist", n)
		}
		if n := s.Count("integration_inbox", "org_id = ? AND event_id = 'e1' AND status = 'applied' AND attempts = 2", alpha.Org.ID); n != 1 {
			t.Fatal("the corrected event is not stored as applied on its second attempt")
		}
	})
}

func TestEventsOfTypesWithoutHandlerWaitForReplay(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		createEffectsTable(t, s)
		const later = "test.later"
		s.Services.Integration.AcceptTypes(later)
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin := alpha.People["admin"]
		key := integrationKey(t, s, alpha)

		r := ingest(t, s, alpha, key, batch(
			event("l1", later, map[string]any{"value": "1"}),
			event("l2", later, map[string]any{"value": "2"}),
			event("l3", later, map[string]any{"value": "3", "boom": true}),
		))
		for _, e := range r.Events {
			if e.Status != "accepted" || e.InboxStatus != "pending_handler" {
				t.Fatalf("event without handler: %+v, want accepted and pending_handler", e)
			}
		}
		// Beta has a pending event of the same type: alpha's replay leaves it.
		ingest(t, s, beta, integrationKey(t, s, beta), batch(event("l1", later, map[string]any{"value": "beta"})))

		replay := map[string]any{"types": []string{later}}
		s.Do(post, alpha.Path("/events/replay"), replay, admin.Auth()).ExpectProblem(422, "body.types[0]")
		s.Do(post, alpha.Path("/events/replay"), map[string]any{"types": []string{}}, admin.Auth()).ExpectProblem(422, "body.types")
		s.Do(post, alpha.Path("/events/replay"), replay).ExpectProblem(401)
		s.Do(post, alpha.Path("/events/replay"), replay, apptest.APIKey(key)).ExpectProblem(403)
		s.Do(post, alpha.Path("/events/replay"), replay, alpha.People["head_of_service"].Auth()).ExpectProblem(403)

		h := &effects{}
		s.Services.Integration.Handle(later, h.handler)
		var res struct{ Applied, Rejected, Failed, Skipped, Remaining int }
		s.Do(post, alpha.Path("/events/replay"), map[string]any{"types": []string{later}, "limit": 2}, admin.Auth()).Expect(200).Decode(&res)
		if res.Applied != 2 || res.Remaining != 1 {
			t.Fatalf("first replay %+v, want 2 applied and 1 remaining", res)
		}
		s.Do(post, alpha.Path("/events/replay"), replay, admin.Auth()).Expect(200).Decode(&res)
		if res.Applied != 0 || res.Failed != 1 || res.Remaining != 1 {
			t.Fatalf("second replay %+v, want the failing event failed and still waiting", res)
		}
		if got := strings.Join(h.applied(), ","); got != "l1,l2,l3" {
			t.Fatalf("replay applied %s, want the order received l1,l2,l3", got)
		}
		// Replaying again applies nothing twice.
		s.Do(post, alpha.Path("/events/replay"), replay, admin.Auth()).Expect(200).Decode(&res)
		if res.Applied != 0 || res.Failed != 1 {
			t.Fatalf("third replay %+v", res)
		}
		if n := s.Count("test_effects", "org_id = ?", alpha.Org.ID); n != 2 {
			t.Fatalf("%d effects, want 2", n)
		}
		if n := s.Count("integration_inbox", "org_id = ? AND status = 'pending_handler'", beta.Org.ID); n != 1 {
			t.Fatal("alpha's replay touched beta's inbox")
		}
		if n := s.Count("integration_inbox", "org_id = ? AND event_id = 'l3' AND status = 'failed' AND attempts = 2", alpha.Org.ID); n != 1 {
			t.Fatal("the failing event is not kept as failed with its attempts counted")
		}
		// Resending a pending or applied event is a duplicate.
		r = ingest(t, s, alpha, key, batch(event("l1", later, map[string]any{"value": "again"})))
		if r.Events[0].Status != "duplicate" {
			t.Fatalf("resend after replay: %+v", r.Events[0])
		}
		// Each replay is audited once, with its counts.
		if n := s.Count("audit_entries", "org_id = ? AND entity_type = 'event_replay'", alpha.Org.ID); n != 3 {
			t.Fatalf("%d replay audit entries, want 3", n)
		}
	})
}

func TestIngestRefusals(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		key := integrationKey(t, s, alpha)
		good := batch(event("x1", noteType, map[string]any{"lesson": "1"}))

		s.Do(post, alpha.Path("/events"), good).ExpectProblem(401)
		s.Do(post, alpha.Path("/events"), good, apptest.APIKey("cok_not-a-key")).ExpectProblem(401)
		for _, role := range []string{"head_of_service", "curator", "finance", "hr"} {
			s.Do(post, alpha.Path("/events"), good, alpha.People[role].Auth()).ExpectProblem(403)
		}
		s.Do(post, beta.Path("/events"), good, apptest.APIKey(key)).ExpectProblem(404)
		s.Do(post, beta.Path("/events"), good, alpha.People["admin"].Auth()).ExpectProblem(404)

		tooMany := make([]map[string]any, integration.MaxBatch+1)
		for i := range tooMany {
			tooMany[i] = event("m"+itoa(i), noteType, map[string]any{})
		}
		for name, c := range map[string]struct {
			body     any
			location string
		}{
			"not JSON":      {"{events", "body"},
			"no events":     {map[string]any{}, "body.events"},
			"events object": {map[string]any{"events": map[string]any{}}, "body.events"},
			"empty":         {batch(), "body.events"},
			"too many":      {batch(tooMany...), "body.events"},
			"unknown field": {map[string]any{"events": []any{}, "extra": 1}, "body.extra"},
		} {
			t.Run(name, func(t *testing.T) {
				s.WithT(t).Do(post, alpha.Path("/events"), c.body, apptest.APIKey(key)).ExpectProblem(422, c.location)
			})
		}
		// An empty body is refused before it reaches the handler.
		s.Do(post, alpha.Path("/events"), "", apptest.APIKey(key)).ExpectProblem(422)
		if n := s.Count("integration_inbox", ""); n != 0 {
			t.Fatalf("refused batches stored %d events", n)
		}
		if n := s.Count("audit_entries", "entity_type = 'event_batch'"); n != 0 {
			t.Fatalf("refused batches were audited %d times", n)
		}

		// An admin may send events too; the batch is audited with counts.
		r := ingest(t, s, alpha, key, good)
		if r.Accepted != 1 || r.Events[0].InboxStatus != "pending_handler" {
			t.Fatalf("an event without a handler: %+v", r)
		}
		var audit struct {
			Items []struct {
				Actor   struct{ Type string }
				Action  string
				Changes map[string]struct{ After any }
			}
		}
		s.Do(get, alpha.Path("/audit?entity_type=event_batch"), nil, alpha.People["admin"].Auth()).Expect(200).Decode(&audit)
		if len(audit.Items) != 1 || audit.Items[0].Action != "ingest-events" || audit.Items[0].Actor.Type != "api_key" ||
			audit.Items[0].Changes["accepted"].After != float64(1) || audit.Items[0].Changes["events"].After != float64(1) {
			t.Fatalf("batch audit %+v", audit.Items)
		}
		r = ingest(t, s, alpha, "", batch(event("x1", noteType, map[string]any{}), event("x2", noteType, map[string]any{})), alpha.People["admin"].Auth())
		if r.Duplicates != 1 || r.Accepted != 1 {
			t.Fatalf("admin batch %+v", r)
		}
	})
}

func TestSignedBatches(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin := alpha.People["admin"]
		key := integrationKey(t, s, alpha)
		raw := func(id string) []byte {
			b, _ := json.Marshal(batch(event(id, noteType, map[string]any{"text": "hi"})))
			return b
		}

		// Without a secret, batches need no signature.
		ingest(t, s, alpha, key, raw("s0"))
		settings := s.Do(get, alpha.Path("/integration-settings"), nil, admin.Auth()).Expect(200).Map()
		if settings["signing_secret_set"] != false {
			t.Fatalf("settings %v", settings)
		}

		s.Do(post, alpha.Path("/integration-settings/signing-secret"), nil, apptest.APIKey(key)).ExpectProblem(403)
		s.Do(post, alpha.Path("/integration-settings/signing-secret"), nil, alpha.People["head_of_service"].Auth()).ExpectProblem(403)
		s.Do(post, beta.Path("/integration-settings/signing-secret"), nil, admin.Auth()).ExpectProblem(404)
		created := s.Do(post, alpha.Path("/integration-settings/signing-secret"), nil, admin.Auth()).Expect(201).Map()
		secret, _ := created["signing_secret"].(string)
		if !strings.HasPrefix(secret, "cosig_") || len(secret) < 40 || created["signing_secret_set"] != true ||
			!strings.HasPrefix(secret, created["signing_secret_prefix"].(string)) {
			t.Fatalf("created %v", created)
		}
		settings = s.Do(get, alpha.Path("/integration-settings"), nil, admin.Auth()).Expect(200).Map()
		if settings["signing_secret_set"] != true || strings.Contains(s.Do(get, alpha.Path("/integration-settings"), nil, admin.Auth()).Map()["signing_secret_prefix"].(string), secret) {
			t.Fatalf("settings %v", settings)
		}
		if _, shown := settings["signing_secret"]; shown {
			t.Fatal("the secret is shown again")
		}

		body := raw("s1")
		s.Do(post, alpha.Path("/events"), body, apptest.APIKey(key)).ExpectProblem(401)
		s.Do(post, alpha.Path("/events"), body, apptest.APIKey(key), apptest.Header("X-Signature", "sha256=00ff")).ExpectProblem(401)
		s.Do(post, alpha.Path("/events"), body, apptest.APIKey(key), apptest.Header("X-Signature", integration.Sign("wrong", body))).ExpectProblem(401)
		// The signature covers the exact bytes: a re-encoded body fails.
		s.Do(post, alpha.Path("/events"), append(body, ' '), apptest.APIKey(key), apptest.Header("X-Signature", integration.Sign(secret, body))).ExpectProblem(401)
		if n := s.Count("integration_inbox", "event_id = 's1'"); n != 0 {
			t.Fatal("an unsigned batch was stored")
		}
		r := ingest(t, s, alpha, key, body, apptest.Header("X-Signature", integration.Sign(secret, body)))
		if r.Accepted != 1 {
			t.Fatalf("signed batch: %+v", r)
		}
		// Upper-case hex is the same signature.
		body = raw("s2")
		ingest(t, s, alpha, key, body, apptest.Header("X-Signature", "sha256="+strings.ToUpper(strings.TrimPrefix(integration.Sign(secret, body), "sha256="))))

		// Rotating replaces the secret at once.
		rotated := s.Do(post, alpha.Path("/integration-settings/signing-secret"), nil, admin.Auth()).Expect(201).Map()["signing_secret"].(string)
		body = raw("s3")
		s.Do(post, alpha.Path("/events"), body, apptest.APIKey(key), apptest.Header("X-Signature", integration.Sign(secret, body))).ExpectProblem(401)
		ingest(t, s, alpha, key, body, apptest.Header("X-Signature", integration.Sign(rotated, body)))

		// Clearing it takes unsigned batches again; clearing twice is 404.
		s.Do(del, alpha.Path("/integration-settings/signing-secret"), nil, apptest.APIKey(key)).ExpectProblem(403)
		s.Do(del, alpha.Path("/integration-settings/signing-secret"), nil, admin.Auth()).Expect(204)
		s.Do(del, alpha.Path("/integration-settings/signing-secret"), nil, admin.Auth()).ExpectProblem(404)
		ingest(t, s, alpha, key, raw("s4"))

		// Changes are audited, the secrets never.
		var dump []string
		if err := s.DB.NewSelect().TableExpr("audit_entries").Column("changes").Where("entity_type = 'integration_settings'").Scan(s.Ctx(), &dump); err != nil {
			t.Fatal(err)
		}
		if len(dump) != 3 {
			t.Fatalf("%d settings audit entries, want 3 (set, rotate, clear)", len(dump))
		}
		for _, c := range dump {
			if strings.Contains(c, secret) || strings.Contains(c, rotated) || strings.Contains(c, secret[10:]) || strings.Contains(c, rotated[10:]) {
				t.Fatalf("the audit log holds a signing secret: %s", c)
			}
		}
	})
}

func TestListEvents(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		createEffectsTable(t, s)
		s.Services.Integration.Handle(effectType, (&effects{}).handler)
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		key := integrationKey(t, s, alpha)
		admin := alpha.People["admin"]
		for i := 0; i < 3; i++ {
			s.Clock.Set(apptest.Start.Add(time.Duration(i) * time.Hour))
			ingest(t, s, alpha, key, batch(
				event("a"+itoa(i), effectType, map[string]any{"value": "v"}),
				event("b"+itoa(i), noteType, map[string]any{"score": i}),
			))
		}
		ingest(t, s, alpha, key, batch(event("bad", effectType, map[string]any{})))
		ingest(t, s, beta, integrationKey(t, s, beta), batch(event("beta", noteType, map[string]any{})))

		type item struct {
			ID, Type, Status string
			EventID          string `json:"event_id"`
			LastError        string `json:"last_error"`
			Attempts         int
			ReceivedAt       time.Time  `json:"received_at"`
			OccurredAt       time.Time  `json:"occurred_at"`
			AppliedAt        *time.Time `json:"applied_at"`
			Data             map[string]any
		}
		type page struct {
			Items      []item
			NextCursor string `json:"next_cursor"`
		}
		list := func(query string) page {
			t.Helper()
			var p page
			s.Do(get, alpha.Path("/events"+query), nil, admin.Auth()).Expect(200).Decode(&p)
			return p
		}
		// Paging walks the whole inbox once, newest first.
		var ids []string
		next := "?limit=3"
		for next != "" {
			p := list(next)
			for _, it := range p.Items {
				ids = append(ids, it.EventID)
			}
			next = ""
			if p.NextCursor != "" {
				next = "?limit=3&cursor=" + p.NextCursor
			}
		}
		if strings.Join(ids, ",") != "bad,b2,a2,b1,a1,b0,a0" {
			t.Fatalf("paged inbox %v", ids)
		}

		p := list("?status=pending_handler&type=test.note")
		if len(p.Items) != 3 || p.Items[0].EventID != "b2" || p.Items[0].Data["score"] != float64(2) || p.Items[0].Attempts != 0 {
			t.Fatalf("pending filter %+v", p.Items)
		}
		p = list("?status=rejected")
		if len(p.Items) != 1 || p.Items[0].EventID != "bad" || p.Items[0].LastError != "data.value: required" {
			t.Fatalf("rejected filter %+v", p.Items)
		}
		p = list("?event_id=a1")
		if len(p.Items) != 1 || p.Items[0].Status != "applied" || p.Items[0].AppliedAt == nil || !p.Items[0].ReceivedAt.Equal(apptest.Start.Add(time.Hour)) ||
			!p.Items[0].OccurredAt.Equal(apptest.Start.Add(-time.Hour)) || p.Items[0].Attempts != 1 {
			t.Fatalf("event id filter %+v", p.Items)
		}
		from, to := url.QueryEscape(apptest.Start.Add(30*time.Minute).Format(time.RFC3339)), url.QueryEscape(apptest.Start.Add(90*time.Minute).Format(time.RFC3339))
		p = list("?from=" + from + "&to=" + to)
		if len(p.Items) != 2 || p.Items[0].EventID != "b1" || p.Items[1].EventID != "a1" {
			t.Fatalf("time range %+v", p.Items)
		}

		s.Do(get, alpha.Path("/events?from="+to+"&to="+from), nil, admin.Auth()).ExpectProblem(422, "query.to")
		s.Do(get, alpha.Path("/events?status=lost"), nil, admin.Auth()).ExpectProblem(422, "query.status")
		s.Do(get, alpha.Path("/events?cursor=%21%21"), nil, admin.Auth()).ExpectProblem(422, "query.cursor")
		s.Do(get, alpha.Path("/events"), nil).ExpectProblem(401)
		s.Do(get, alpha.Path("/events"), nil, alpha.People["curator"].Auth()).ExpectProblem(403)
		s.Do(get, beta.Path("/events"), nil, admin.Auth()).ExpectProblem(404)
		// The LMS's own key may read the inbox it fills.
		var own page
		s.Do(get, alpha.Path("/events?limit=1"), nil, apptest.APIKey(key)).Expect(200).Decode(&own)
		if len(own.Items) != 1 || own.Items[0].EventID != "bad" {
			t.Fatalf("integration key listing %+v", own.Items)
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

// Content that PostgreSQL cannot store is refused event by event, so that
// it never fails the whole batch at the database.
func TestUnstorableEventsAreRejectedAlone(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		acceptNotes(s)
		alpha := s.NewSchool("alpha")
		key := integrationKey(t, s, alpha)
		future := apptest.Start.Add(48 * time.Hour).Format(time.RFC3339)
		body := `{"events":[` +
			`{"event_id":"n1","type":"test.note","occurred_at":"2026-03-01T10:00:00Z","data":{"note":"a\u0000b"}},` +
			`{"event_id":"n2","type":"test.note","occurred_at":"2026-03-01T10:00:00Z","data":{"note":"` + "\xff\xfe" + `"}},` +
			`{"event_id":"n3","type":"test.note","occurred_at":"` + future + `","data":{}},` +
			`{"event_id":"n4","type":"test.note","occurred_at":"0000-01-01T00:00:00Z","data":{}},` +
			`{"event_id":"n5","type":"test.note","occurred_at":"2026-03-01T10:00:00Z","data":{"note":"fine \u0410"}}]}`
		r := ingest(t, s, alpha, key, body)
		want := []string{"events[0].data", "events[1]", "events[2].occurred_at", "events[3].occurred_at"}
		for i, loc := range want {
			e := r.Events[i]
			if e.Status != "rejected" || e.Problem == nil || len(e.Problem.Errors) == 0 || e.Problem.Errors[0].Location != loc {
				t.Errorf("event %d: %+v, want rejected at %s", i, e, loc)
			}
		}
		if r.Events[4].Status != "accepted" || r.Accepted != 1 {
			t.Fatalf("the good event: %+v", r.Events[4])
		}
	})
}

// An event may not claim to have happened before 2000 or more than five
// minutes ahead of the server's clock; the edges themselves are accepted.
func TestEventTimesMustBeFacts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		createEffectsTable(t, s)
		h := &effects{}
		s.Services.Integration.Handle(effectType, h.handler)
		alpha := s.NewSchool("alpha")
		key := integrationKey(t, s, alpha)
		at := func(id string, t time.Time) map[string]any {
			ev := event(id, effectType, map[string]any{"value": id})
			ev["occurred_at"] = t.Format(time.RFC3339Nano)
			return ev
		}
		now := s.Clock.Now()
		r := ingest(t, s, alpha, key, batch(
			at("before-2000", time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)),
			at("first-of-2000", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)),
			at("five-minutes-ahead", now.Add(5*time.Minute)),
			at("six-minutes-ahead", now.Add(6*time.Minute)),
			at("year-9999", time.Date(9999, 12, 31, 23, 30, 0, 0, time.UTC)),
		))
		want := []string{"rejected", "accepted", "accepted", "rejected", "rejected"}
		for i, e := range r.Events {
			if e.Status != want[i] {
				t.Errorf("event %s: %s, want %s", e.EventID, e.Status, want[i])
			}
			if want[i] == "rejected" && (e.Problem == nil || len(e.Problem.Errors) == 0 || e.Problem.Errors[0].Location != "events["+strconv.Itoa(i)+"].occurred_at") {
				t.Errorf("event %s: problem %+v does not name its occurred_at", e.EventID, e.Problem)
			}
		}
	})
}
