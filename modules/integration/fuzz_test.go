package integration

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// FuzzDecodeEvents feeds arbitrary bodies to the batch decoder and each
// event's envelope check. Whatever arrives, they never panic, refuse only
// with a validation error, and let through only events the inbox can
// store: a printable event id, a time within the accepted range, and data
// that is a JSON object without NUL characters. What the inbox keeps of a
// refused event is a JSON object too.
func FuzzDecodeEvents(f *testing.F) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := NewService(nil, clock.NewFixed(now), nil, nil)
	for _, seed := range []string{
		`{"events":[{"event_id":"evt-1","type":"student.upserted","occurred_at":"2026-03-02T08:59:12Z","data":{"external_id":"st-77","full_name":"Анна Смирнова","email":"anna@example.com"}}]}`,
		`{"events":[{"event_id":"e","type":"order.paid","occurred_at":"2026-03-02T09:04:59.999999999+00:00","data":{"n":1.50,"a":[1,{"b":null}]}}]}`,
		`{"events":[{"event_id":"p2","type":"lesson.viewed","occurred_at":"2026-03-01T10:01:00Z","data":{"from":{"name":"\u0418\u0432\u0430\u043d"}}}]}`,
		`{"events":[{"event_id":"x","type":"lesson.viewed","occurred_at":"2026-03-01T10:01:00Z","data":{"a":"\u0000"}}]}`,
		`{"events":[{"event_id":"a\u0000b","type":"nope","occurred_at":"1999-12-31T23:59:59Z","data":[],"extra":1}]}`,
		`{"events":[{"event_id":"` + strings.Repeat("x", 201) + `","type":"student.upserted","occurred_at":"2126-01-01T00:00:00Z","data":"x"}]}`,
		`{"events":[null,1,"s",[],{}]}`,
		`{"events":[]}`, `{"events":{}}`, `{"other":1}`, `[]`, `null`, ``, `{`, "{\"events\":[{\"event_id\":\"\xff\"}]}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raws, err := parseBatch(body)
		if err != nil {
			mustBeValidation(t, err)
			return
		}
		if len(raws) == 0 || len(raws) > MaxBatch {
			t.Fatalf("a batch of %d events was let through", len(raws))
		}
		for _, raw := range raws {
			ev, err := svc.parseEvent(raw)
			if err != nil {
				mustBeValidation(t, err)
				continue
			}
			switch {
			case strings.TrimSpace(ev.EventID) == "" || len(ev.EventID) > maxEventIDLen || !utf8.ValidString(ev.EventID) || strings.ContainsFunc(ev.EventID, isControl):
				t.Fatalf("event id %q was let through", ev.EventID)
			case !clock.IsFact(ev.OccurredAt, now):
				t.Fatalf("occurred_at %s was let through", ev.OccurredAt)
			}
			mustBeStorableObject(t, ev.Data)
			mustBeStorableObject(t, refusedData(ev.Data))
		}
	})
}

func mustBeValidation(t *testing.T, err error) {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		t.Fatalf("refused with %T %v, want a validation error", err, err)
	}
}

func mustBeStorableObject(t *testing.T, data json.RawMessage) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
		t.Fatalf("data %q is not a JSON object: %v", data, err)
	}
	if !utf8.Valid(data) || hasNUL(doc) {
		t.Fatalf("data %q cannot be stored", data)
	}
}
