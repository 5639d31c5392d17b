package integration_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/integration"
)

// receiver is a webhook endpoint under test: it records every request and
// answers with the status it is told.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    []received
}

type received struct {
	header http.Header
	body   []byte
}

// newReceiver starts a receiver on this machine and, as an operator with
// an LMS on their own network would, opens loopback to s's deliveries.
func newReceiver(t *testing.T, s *apptest.Server) *receiver {
	allowLoopback(s)
	r := &receiver{status: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) answer(status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

type webhook struct {
	ID           string
	URL          string
	Description  string
	EventTypes   []string `json:"event_types"`
	Active       bool
	SecretPrefix string `json:"secret_prefix"`
	Secret       string
	Version      int64
}

type delivery struct {
	ID            string
	WebhookID     string `json:"webhook_id"`
	EventID       string `json:"event_id"`
	EventType     string `json:"event_type"`
	Status        string
	Attempts      int
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	ResponseCode  int        `json:"response_code"`
	LastError     string     `json:"last_error"`
	DeliveredAt   *time.Time `json:"delivered_at"`
}

func createWebhook(t *testing.T, s *apptest.Server, sc *apptest.School, url string, types ...string) webhook {
	t.Helper()
	var w webhook
	s.Do(post, sc.Path("/webhooks"), map[string]any{"url": url, "event_types": types}, sc.People["admin"].Auth()).Expect(201).Decode(&w)
	return w
}

// publish records an outbound event the way a module does: in its own
// transaction.
func publish(t *testing.T, s *apptest.Server, orgID, eventType string, payload any) {
	t.Helper()
	err := s.DB.RunInTx(s.Ctx(), nil, func(ctx context.Context, tx bun.Tx) error {
		return s.Services.Integration.Publish(ctx, tx, orgID, eventType, payload)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func deliverDue(t *testing.T, s *apptest.Server) int {
	t.Helper()
	n, err := s.Services.Integration.DeliverDue(context.Background(), s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func deliveries(t *testing.T, s *apptest.Server, sc *apptest.School, webhookID string) []delivery {
	t.Helper()
	var p struct{ Items []delivery }
	s.Do(get, sc.Path("/webhooks/"+webhookID+"/deliveries"), nil, sc.People["admin"].Auth()).Expect(200).Decode(&p)
	return p.Items
}

func TestWebhookEndpoints(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin := alpha.People["admin"]
		body := map[string]any{"url": "https://lms.example/hooks", "description": "LMS", "event_types": []string{"review.completed", "sla.breached"}}

		s.Do(post, alpha.Path("/webhooks"), body).ExpectProblem(401)
		s.Do(post, alpha.Path("/webhooks"), body, alpha.People["head_of_service"].Auth()).ExpectProblem(403)
		s.Do(post, alpha.Path("/webhooks"), body, apptest.APIKey(integrationKey(t, s, alpha))).ExpectProblem(403)
		s.Do(post, beta.Path("/webhooks"), body, admin.Auth()).ExpectProblem(404)

		created := s.Do(post, alpha.Path("/webhooks"), body, admin.Auth()).Expect(201)
		var w webhook
		created.Decode(&w)
		if !strings.HasPrefix(w.Secret, "cowhk_") || len(w.Secret) < 40 || !strings.HasPrefix(w.Secret, w.SecretPrefix) || w.SecretPrefix == "" ||
			w.URL != "https://lms.example/hooks" || !w.Active || w.Version != 1 || strings.Join(w.EventTypes, ",") != "review.completed,sla.breached" {
			t.Fatalf("created %+v", w)
		}
		if created.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", created.Header.Get("ETag"))
		}
		s.Do(post, alpha.Path("/webhooks"), body, admin.Auth()).ExpectProblem(409)
		// Another school may use the same URL.
		createWebhook(t, s, beta, "https://lms.example/hooks", "*")

		for name, c := range map[string]struct {
			body     map[string]any
			location string
		}{
			"ftp":          {map[string]any{"url": "ftp://lms.example/x", "event_types": []string{"*"}}, "body.url"},
			"javascript":   {map[string]any{"url": "javascript:alert(1)", "event_types": []string{"*"}}, "body.url"},
			"relative":     {map[string]any{"url": "/hooks", "event_types": []string{"*"}}, "body.url"},
			"credentials":  {map[string]any{"url": "https://u:p@lms.example/", "event_types": []string{"*"}}, "body.url"},
			"no types":     {map[string]any{"url": "https://lms.example/a", "event_types": []string{}}, "body.event_types"},
			"bad type":     {map[string]any{"url": "https://lms.example/a", "event_types": []string{"review.completed", "Review"}}, "body.event_types[1]"},
			"twice":        {map[string]any{"url": "https://lms.example/a", "event_types": []string{"a.b", "a.b"}}, "body.event_types[1]"},
			"missing url":  {map[string]any{"event_types": []string{"*"}}, "body.url"},
			"unknown prop": {map[string]any{"url": "https://lms.example/a", "event_types": []string{"*"}, "secret": "mine"}, "body.secret"},
		} {
			t.Run(name, func(t *testing.T) {
				s.WithT(t).Do(post, alpha.Path("/webhooks"), c.body, admin.Auth()).ExpectProblem(422, c.location)
			})
		}

		got := s.Do(get, alpha.Path("/webhooks/"+w.ID), nil, admin.Auth()).Expect(200)
		if m := got.Map(); m["secret"] != nil || m["secret_prefix"] != w.SecretPrefix || got.Header.Get("ETag") != `"1"` {
			t.Fatalf("get shows %v", m)
		}
		s.Do(get, beta.Path("/webhooks/"+w.ID), nil, beta.People["admin"].Auth()).ExpectProblem(404)
		s.Do(get, alpha.Path("/webhooks/00000000-0000-7000-8000-000000000000"), nil, admin.Auth()).ExpectProblem(404)

		change := map[string]any{"active": false, "event_types": []string{"*"}}
		s.Do(patch, alpha.Path("/webhooks/"+w.ID), change, admin.Auth()).ExpectProblem(428)
		s.Do(patch, alpha.Path("/webhooks/"+w.ID), map[string]any{"url": "gopher://x"}, admin.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(422, "body.url")
		var updated webhook
		s.Do(patch, alpha.Path("/webhooks/"+w.ID), change, admin.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200).Decode(&updated)
		if updated.Active || updated.Version != 2 || strings.Join(updated.EventTypes, ",") != "*" || updated.Description != "LMS" || updated.URL != w.URL {
			t.Fatalf("updated %+v", updated)
		}
		s.Do(patch, alpha.Path("/webhooks/"+w.ID), change, admin.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(412)
		s.Do(patch, beta.Path("/webhooks/"+w.ID), change, beta.People["admin"].Auth(), apptest.Header("If-Match", `"2"`)).ExpectProblem(404)
		other := createWebhook(t, s, alpha, "https://lms.example/other", "*")
		s.Do(patch, alpha.Path("/webhooks/"+other.ID), map[string]any{"url": w.URL}, admin.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(409)

		var rotated webhook
		s.Do(post, alpha.Path("/webhooks/"+w.ID+"/rotate-secret"), nil, admin.Auth()).Expect(200).Decode(&rotated)
		if rotated.Secret == "" || rotated.Secret == w.Secret || rotated.Version != 3 {
			t.Fatalf("rotated %+v", rotated)
		}

		var list struct {
			Items      []webhook
			NextCursor string `json:"next_cursor"`
		}
		s.Do(get, alpha.Path("/webhooks?limit=1"), nil, admin.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != w.ID || list.NextCursor == "" || list.Items[0].Secret != "" {
			t.Fatalf("first page %+v", list)
		}
		cursor := list.NextCursor
		list.NextCursor = ""
		s.Do(get, alpha.Path("/webhooks?limit=1&cursor="+cursor), nil, admin.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != other.ID || list.NextCursor != "" {
			t.Fatalf("second page %+v", list)
		}

		s.Do(del, beta.Path("/webhooks/"+w.ID), nil, beta.People["admin"].Auth()).ExpectProblem(404)
		s.Do(del, alpha.Path("/webhooks/"+w.ID), nil, alpha.People["curator"].Auth()).ExpectProblem(403)
		s.Do(del, alpha.Path("/webhooks/"+w.ID), nil, admin.Auth()).Expect(204)
		s.Do(get, alpha.Path("/webhooks/"+w.ID), nil, admin.Auth()).ExpectProblem(404)
		s.Do(del, alpha.Path("/webhooks/"+w.ID), nil, admin.Auth()).ExpectProblem(404)

		// Every change is audited, the secrets never.
		var dump []string
		if err := s.DB.NewSelect().TableExpr("audit_entries").Column("changes").Where("org_id = ? AND entity_type = 'webhook'", alpha.Org.ID).Scan(s.Ctx(), &dump); err != nil {
			t.Fatal(err)
		}
		if len(dump) != 5 { // create ×2, update, rotate, delete
			t.Fatalf("%d webhook audit entries, want 5", len(dump))
		}
		all := strings.Join(dump, "\n")
		for _, secret := range []string{w.Secret, rotated.Secret, other.Secret} {
			if strings.Contains(all, secret[len(w.SecretPrefix):]) {
				t.Fatal("the audit log holds a webhook secret")
			}
		}
		if !strings.Contains(all, "secret_prefix") {
			t.Error("the rotation is not visible in the audit log")
		}
	})
}

func TestWebhookDelivery(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin := alpha.People["admin"]
		rcv := newReceiver(t, s)
		reviews := createWebhook(t, s, alpha, rcv.URL+"/reviews", "review.completed")
		all := createWebhook(t, s, alpha, rcv.URL+"/all", "*")
		paused := createWebhook(t, s, alpha, rcv.URL+"/paused", "*")
		s.Do(patch, alpha.Path("/webhooks/"+paused.ID), map[string]any{"active": false}, admin.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200)
		createWebhook(t, s, beta, rcv.URL+"/beta", "*")

		publish(t, s, alpha.Org.ID, "review.completed", map[string]any{"submission_id": "s-1", "score": 9})
		publish(t, s, alpha.Org.ID, "sla.breached", map[string]any{"ticket": "t-1"})
		// An event published in a transaction that rolls back never leaves.
		rollback := errors.New("the change failed")
		err := s.DB.RunInTx(s.Ctx(), nil, func(ctx context.Context, tx bun.Tx) error {
			if err := s.Services.Integration.Publish(ctx, tx, alpha.Org.ID, "review.completed", map[string]any{"submission_id": "lost"}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if n := s.Count("outbox_events", ""); n != 2 {
			t.Fatalf("%d outbox events, want 2", n)
		}

		if n := deliverDue(t, s); n != 3 {
			t.Fatalf("sent %d deliveries, want 3 (review to two webhooks, sla to one)", n)
		}
		got := rcv.requests()
		if len(got) != 3 {
			t.Fatalf("the receiver got %d requests", len(got))
		}
		secrets := map[string]string{"/reviews": reviews.Secret, "/all": all.Secret}
		for _, r := range got {
			var env struct {
				ID, Type, Org string
				OccurredAt    time.Time `json:"occurred_at"`
				Data          map[string]any
			}
			if err := json.Unmarshal(r.body, &env); err != nil {
				t.Fatal(err)
			}
			if env.Org != alpha.Org.ID || env.ID == "" || !env.OccurredAt.Equal(apptest.Start) || r.header.Get(integration.HeaderEvent) != env.Type ||
				r.header.Get(integration.HeaderDelivery) == "" || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("delivery %s with headers %v", r.body, r.header)
			}
			if env.Type == "review.completed" && env.Data["submission_id"] != "s-1" {
				t.Errorf("payload %v", env.Data)
			}
			sig := r.header.Get(integration.HeaderSignature)
			matched := false
			for _, secret := range secrets {
				matched = matched || sig == integration.Sign(secret, r.body)
			}
			if !matched {
				t.Errorf("signature %q matches no webhook secret", sig)
			}
		}
		log := deliveries(t, s, alpha, reviews.ID)
		if len(log) != 1 || log[0].Status != "delivered" || log[0].Attempts != 1 || log[0].ResponseCode != 200 || log[0].DeliveredAt == nil ||
			log[0].EventType != "review.completed" || log[0].WebhookID != reviews.ID || log[0].NextAttemptAt != nil || log[0].LastError != "" {
			t.Fatalf("delivery log %+v", log)
		}
		if len(deliveries(t, s, alpha, all.ID)) != 2 || len(deliveries(t, s, alpha, paused.ID)) != 0 {
			t.Fatal("deliveries went to the wrong webhooks")
		}
		// Nothing is due any more.
		if n := deliverDue(t, s); n != 0 {
			t.Fatalf("a second pass sent %d", n)
		}

		s.Do(get, alpha.Path("/webhooks/"+reviews.ID+"/deliveries"), nil, alpha.People["head_of_service"].Auth()).ExpectProblem(403)
		s.Do(get, beta.Path("/webhooks/"+reviews.ID+"/deliveries"), nil, beta.People["admin"].Auth()).ExpectProblem(404)
		var filtered struct{ Items []delivery }
		s.Do(get, alpha.Path("/webhooks/"+all.ID+"/deliveries?event_type=sla.breached&status=delivered"), nil, admin.Auth()).Expect(200).Decode(&filtered)
		if len(filtered.Items) != 1 || filtered.Items[0].EventType != "sla.breached" {
			t.Fatalf("filtered log %+v", filtered.Items)
		}
		s.Do(get, alpha.Path("/webhooks/"+all.ID+"/deliveries?status=lost"), nil, admin.Auth()).ExpectProblem(422, "query.status")
	})
}

func TestWebhookRetriesFailsAndRedelivers(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		createEffectsTable(t, s) // quiets the log of the failing attempts
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin := alpha.People["admin"]
		rcv := newReceiver(t, s)
		rcv.answer(http.StatusInternalServerError)
		w := createWebhook(t, s, alpha, rcv.URL, "sla.breached")
		publish(t, s, alpha.Org.ID, "sla.breached", map[string]any{"ticket": "t-1"})

		// The publishing request never waits for the receiver: the
		// delivery is only queued.
		if len(rcv.requests()) != 0 {
			t.Fatal("publishing sent the event")
		}
		start := s.Clock.Now()
		for attempt, wait := range integration.RetrySchedule {
			if n := deliverDue(t, s); n != 1 {
				t.Fatalf("attempt %d: sent %d", attempt+1, n)
			}
			d := deliveries(t, s, alpha, w.ID)[0]
			if d.Status != "pending" || d.Attempts != attempt+1 || d.ResponseCode != 500 || !strings.Contains(d.LastError, "500") ||
				d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(s.Clock.Now().Add(wait)) {
				t.Fatalf("after attempt %d: %+v, want pending, next in %s", attempt+1, d, wait)
			}
			// Not due before its time.
			s.Clock.Advance(wait - time.Second)
			if n := deliverDue(t, s); n != 0 {
				t.Fatalf("attempt %d: retried %s early", attempt+1, time.Second)
			}
			s.Clock.Advance(time.Second)
		}
		if n := deliverDue(t, s); n != 1 {
			t.Fatal("the last attempt was not made")
		}
		d := deliveries(t, s, alpha, w.ID)[0]
		if d.Status != "failed" || d.Attempts != integration.MaxAttempts || d.NextAttemptAt != nil {
			t.Fatalf("after the last attempt %+v, want failed", d)
		}
		if elapsed := s.Clock.Now().Sub(start); elapsed != 30*time.Second+2*time.Minute+10*time.Minute+time.Hour+6*time.Hour {
			t.Fatalf("the schedule took %s", elapsed)
		}
		if len(rcv.requests()) != integration.MaxAttempts {
			t.Fatalf("the receiver got %d attempts", len(rcv.requests()))
		}
		s.Clock.Advance(24 * time.Hour)
		if n := deliverDue(t, s); n != 0 {
			t.Fatal("a failed delivery was tried again on its own")
		}
		// Sessions have expired meanwhile: sign in again.
		for _, sc := range []*apptest.School{alpha, beta} {
			for role, a := range sc.People {
				a.Token = s.Login(a.Email, apptest.Password)
				sc.People[role] = a
			}
		}
		admin, head, betaAdmin := alpha.People["admin"], alpha.People["head_of_service"], beta.People["admin"]

		// Manual redelivery: refused across schools and for other roles,
		// then queued with a fresh budget.
		path := alpha.Path("/webhook-deliveries/" + d.ID + "/redeliver")
		s.Do(post, path, nil).ExpectProblem(401)
		s.Do(post, path, nil, head.Auth()).ExpectProblem(403)
		s.Do(post, beta.Path("/webhook-deliveries/"+d.ID+"/redeliver"), nil, betaAdmin.Auth()).ExpectProblem(404)
		var queued delivery
		s.Do(post, path, nil, admin.Auth()).Expect(202).Decode(&queued)
		if queued.Status != "pending" || queued.Attempts != 0 || queued.NextAttemptAt == nil || !queued.NextAttemptAt.Equal(s.Clock.Now()) {
			t.Fatalf("redelivery queued %+v", queued)
		}
		s.Do(post, path, nil, admin.Auth()).ExpectProblem(409)
		rcv.answer(http.StatusNoContent)
		if n := deliverDue(t, s); n != 1 {
			t.Fatal("the redelivery was not sent")
		}
		d = deliveries(t, s, alpha, w.ID)[0]
		if d.Status != "delivered" || d.ResponseCode != 204 || d.Attempts != 1 || d.LastError != "" {
			t.Fatalf("after redelivery %+v", d)
		}
		// A delivered one may be sent again too.
		s.Do(post, path, nil, admin.Auth()).Expect(202)
		if n := s.Count("audit_entries", "org_id = ? AND entity_type = 'webhook_delivery'", alpha.Org.ID); n != 2 {
			t.Fatalf("%d redelivery audit entries, want 2", n)
		}
	})
}

// A redirect is an answer, not a delivery; an unreachable receiver is a
// failed attempt with the reason kept.
func TestWebhookRedirectsAndUnreachableReceivers(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		createEffectsTable(t, s)
		alpha := s.NewSchool("alpha")
		target := newReceiver(t, s)
		redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusFound))
		t.Cleanup(redirect.Close)
		gone := httptest.NewServer(http.NotFoundHandler())
		goneURL := gone.URL
		gone.Close()

		redirected := createWebhook(t, s, alpha, redirect.URL, "*")
		unreachable := createWebhook(t, s, alpha, goneURL, "*")
		publish(t, s, alpha.Org.ID, "review.completed", map[string]any{})
		if n := deliverDue(t, s); n != 2 {
			t.Fatalf("sent %d", n)
		}
		if len(target.requests()) != 0 {
			t.Fatal("the redirect was followed")
		}
		if d := deliveries(t, s, alpha, redirected.ID)[0]; d.Status != "pending" || d.ResponseCode != 302 {
			t.Fatalf("redirected delivery %+v", d)
		}
		if d := deliveries(t, s, alpha, unreachable.ID)[0]; d.Status != "pending" || d.ResponseCode != 0 || d.LastError == "" {
			t.Fatalf("unreachable delivery %+v", d)
		}
	})
}

// Workers on several replicas never send one delivery twice, and a worker
// that died mid-send leaves its deliveries due again when its lease ends.
func TestDeliveryClaimsAreExclusive(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		rcv := newReceiver(t, s)
		createWebhook(t, s, alpha, rcv.URL, "*")
		for i := 0; i < 40; i++ {
			publish(t, s, alpha.Org.ID, "review.completed", map[string]any{"n": i})
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.Services.Integration.DeliverDue(context.Background(), s.Clock.Now())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 40 || len(rcv.requests()) != 40 {
			t.Fatalf("four workers sent %d and the receiver got %d, want each of 40 once", total, len(rcv.requests()))
		}
		ids := map[string]bool{}
		for _, r := range rcv.requests() {
			ids[r.header.Get(integration.HeaderDelivery)] = true
		}
		if len(ids) != 40 {
			t.Fatalf("%d distinct deliveries received, want 40", len(ids))
		}

		// A claim whose worker never reports back.
		publish(t, s, alpha.Org.ID, "review.completed", map[string]any{"n": "orphan"})
		if _, err := s.DB.NewUpdate().TableExpr("webhook_deliveries").Set("status = 'sending'").Set("next_attempt_at = ?", s.Clock.Now().Add(2*time.Minute)).
			Where("status = 'pending'").Exec(s.Ctx()); err != nil {
			t.Fatal(err)
		}
		if n := deliverDue(t, s); n != 0 {
			t.Fatal("a leased delivery was taken over before its lease ended")
		}
		s.Clock.Advance(2 * time.Minute)
		if n := deliverDue(t, s); n != 1 {
			t.Fatal("a delivery whose lease ended was not taken over")
		}
	})
}

func TestDeliveryWorkerStopsWithItsContext(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		rcv := newReceiver(t, s)
		createWebhook(t, s, alpha, rcv.URL, "*")
		publish(t, s, alpha.Org.ID, "review.completed", map[string]any{})
		stop := s.Services.Integration.StartDeliveries(context.Background())
		// The first pass runs at once; wait for its delivery, then stop.
		for i := 0; i < 500 && len(rcv.requests()) == 0; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		stop()
		if len(rcv.requests()) != 1 {
			t.Fatalf("the worker sent %d deliveries, want 1", len(rcv.requests()))
		}
	})
}
