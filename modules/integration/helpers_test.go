package integration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
)

const (
	get   = http.MethodGet
	post  = http.MethodPost
	patch = http.MethodPatch
	del   = http.MethodDelete
)

// effectType is the event type of the test handler: one row per event in
// test_effects, so that a test can count effects.
const effectType = "test.effect"

// noteType is stored without a handler: no module will ever handle it, so
// its events stay pending_handler whatever modules the server has.
const noteType = "test.note"

// acceptNotes lets the inbox take noteType events.
func acceptNotes(s *apptest.Server) { s.Services.Integration.AcceptTypes(noteType) }

// effects is a test handler and what it saw.
type effects struct {
	mu    sync.Mutex
	order []string // event ids in the order applied (committed or not)
	fail  bool     // when set, every event fails with an internal error
}

// createEffectsTable makes the table the test handler writes to, and
// silences the log of the handler failures tests cause on purpose.
func createEffectsTable(t testing.TB, s *apptest.Server) {
	t.Helper()
	s.Services.Integration.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	_, err := s.DB.ExecContext(context.Background(),
		`CREATE TABLE test_effects (org_id text NOT NULL, event_id text NOT NULL, value text NOT NULL, PRIMARY KEY (org_id, event_id))`)
	if err != nil {
		t.Fatal(err)
	}
}

// handler writes one row per event. data.value is required (a handler
// validation error otherwise); data.boom makes it fail like a broken module.
func (e *effects) handler(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	e.mu.Lock()
	e.order = append(e.order, ev.EventID)
	fail := e.fail
	e.mu.Unlock()
	var data struct {
		Value string `json:"value"`
		Boom  bool   `json:"boom"`
	}
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		return errs.Invalid("data", "must be an object")
	}
	if data.Value == "" {
		return errs.Invalid("data.value", "required")
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO test_effects (org_id, event_id, value) VALUES (?, ?, ?)", ev.OrgID, ev.EventID, data.Value); err != nil {
		return err
	}
	if fail || data.Boom {
		return errors.New("boom: secret internal detail")
	}
	return nil
}

func (e *effects) applied() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.order...)
}

// event builds one event of the batch format.
func event(id, typ string, data map[string]any) map[string]any {
	return map[string]any{"event_id": id, "type": typ, "occurred_at": apptest.Start.Add(-time.Hour).Format(time.RFC3339), "data": data}
}

func batch(evs ...map[string]any) map[string]any {
	return map[string]any{"events": evs}
}

// effectBatch is n test.effect events with ids prefix-0 … prefix-(n-1).
func effectBatch(prefix string, n int) map[string]any {
	evs := make([]map[string]any, n)
	for i := range evs {
		evs[i] = event(fmt.Sprintf("%s-%d", prefix, i), effectType, map[string]any{"value": fmt.Sprint(i)})
	}
	return batch(evs...)
}

// ingestResult is the body of ingest-events.
type ingestResult struct {
	Accepted   int
	Duplicates int
	Rejected   int
	Events     []struct {
		EventID     string `json:"event_id"`
		Status      string
		InboxStatus string `json:"inbox_status"`
		Problem     *struct {
			Status int
			Title  string
			Detail string
			Errors []struct{ Location, Message string }
		}
	}
}

// integrationKey creates an API key with the integration role in the school.
func integrationKey(t testing.TB, s *apptest.Server, sc *apptest.School) string {
	t.Helper()
	var k struct{ Key string }
	s.Do(post, sc.Path("/api-keys"), map[string]string{"name": "LMS", "role": "integration"}, sc.People["admin"].Auth()).Expect(201).Decode(&k)
	return k.Key
}

// ingest sends a batch with the key and decodes the answer.
func ingest(t testing.TB, s *apptest.Server, sc *apptest.School, key string, body any, opts ...apptest.Option) ingestResult {
	t.Helper()
	var r ingestResult
	s.Do(post, sc.Path("/events"), body, append([]apptest.Option{apptest.APIKey(key)}, opts...)...).Expect(200).Decode(&r)
	return r
}
