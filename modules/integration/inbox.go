package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// MaxBatch is the most events one request may carry.
const MaxBatch = 1000

// Outcomes of one event of a batch.
const (
	OutcomeAccepted  = "accepted"
	OutcomeDuplicate = "duplicate"
	OutcomeRejected  = "rejected"
)

// failedDetail is all the sender learns when a handler fails for a reason
// other than the event's data; the cause is logged.
const failedDetail = "could not apply the event; it is kept for replay"

// Problem says why one event of a batch was rejected, in the shape of an
// RFC 9457 problem.
type Problem struct {
	Status int
	Detail string
	Errors []errs.FieldError
}

// Outcome is what became of one event of a batch.
type Outcome struct {
	EventID     string
	Outcome     string // accepted, duplicate or rejected
	InboxStatus string // the stored event's status, when it is stored
	Problem     *Problem
}

// BatchResult reports a batch event by event, in the order sent.
type BatchResult struct {
	Accepted, Duplicates, Rejected int
	Events                         []Outcome
}

// Ingest checks a batch's signature, then applies each of its events in a
// transaction of its own: one bad event never holds back the others, and an
// event id the school already sent changes nothing. The batch as a whole is
// audited once, with its counts; the inbox keeps every event.
func (s *Service) Ingest(ctx context.Context, orgID string, body []byte, signature string) (*BatchResult, error) {
	if err := s.checkSignature(ctx, orgID, body, signature); err != nil {
		return nil, err
	}
	raws, err := parseBatch(body)
	if err != nil {
		return nil, err
	}
	res := &BatchResult{Events: make([]Outcome, len(raws))}
	now := s.Now()
	for i, raw := range raws {
		out, err := s.ingestOne(ctx, orgID, i, raw, now)
		if err != nil {
			// The store itself failed: answer 500 and let the sender
			// retry the batch; what was applied is now a duplicate.
			return nil, err
		}
		res.Events[i] = out
		switch out.Outcome {
		case OutcomeAccepted:
			res.Accepted++
		case OutcomeDuplicate:
			res.Duplicates++
		default:
			res.Rejected++
		}
	}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.Record(ctx, tx, orgID, "event_batch", ids.New(), counts(map[string]int{
			"events": len(raws), "accepted": res.Accepted, "duplicates": res.Duplicates, "rejected": res.Rejected}))
	})
	return res, err
}

var errBadSignature = fmt.Errorf("%w: the school requires X-Signature: sha256=<hex HMAC-SHA256 of the raw body with the signing secret>; it is missing or does not match", errs.ErrUnauthorized)

func (s *Service) checkSignature(ctx context.Context, orgID string, body []byte, signature string) error {
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && st.SigningSecret == "") {
		return nil
	}
	if err != nil {
		return err
	}
	if !validSignature(st.SigningSecret, body, signature) {
		return errBadSignature
	}
	return nil
}

// parseBatch splits the body into its raw events. Only the envelope is
// checked here: each event is checked on its own, so that one bad event
// rejects only itself.
func parseBatch(body []byte) ([]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, errs.Invalid("body", "must be a JSON object {\"events\": [...]}")
	}
	for k := range top {
		if k != "events" {
			return nil, errs.Invalid("body."+k, "unknown field")
		}
	}
	rawEvents, ok := top["events"]
	if !ok {
		return nil, errs.Invalid("body.events", "required")
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(rawEvents, &raws); err != nil {
		return nil, errs.Invalid("body.events", "must be an array of events")
	}
	switch {
	case len(raws) == 0:
		return nil, errs.Invalid("body.events", "must hold at least one event")
	case len(raws) > MaxBatch:
		return nil, errs.Invalid("body.events", "must hold at most "+strconv.Itoa(MaxBatch)+" events; split the batch")
	}
	return raws, nil
}

// envelope is one event as sent.
type envelope struct {
	EventID    string          `json:"event_id"`
	Type       string          `json:"type"`
	OccurredAt string          `json:"occurred_at"`
	Data       json.RawMessage `json:"data"`
}

const maxEventIDLen = 200

// parseEvent checks one event's envelope; locations are relative to the
// event ("event_id", "data").
func (s *Service) parseEvent(raw json.RawMessage) (events.Inbound, error) {
	var ev events.Inbound
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return ev, errs.Invalid("", "must be an object with event_id, type, occurred_at and data")
	}
	if !utf8.Valid(raw) {
		// PostgreSQL refuses such text; refusing it here keeps one bad
		// event from failing the whole batch at the database.
		return ev, errs.Invalid("", "must be valid UTF-8")
	}
	ve := &errs.ValidationError{}
	bad := func(loc, msg string) { ve.Fields = append(ve.Fields, errs.FieldError{Location: loc, Message: msg}) }
	for k := range fields {
		switch k {
		case "event_id", "type", "occurred_at", "data":
		default:
			bad(k, "unknown field")
		}
	}
	var env envelope
	str := func(name string, dst *string) bool {
		v, ok := fields[name]
		if !ok {
			bad(name, "required")
			return false
		}
		if err := json.Unmarshal(v, dst); err != nil {
			bad(name, "must be a string")
			return false
		}
		return true
	}
	if str("event_id", &env.EventID) {
		switch {
		case strings.TrimSpace(env.EventID) == "":
			bad("event_id", "must not be empty")
		case len(env.EventID) > maxEventIDLen:
			bad("event_id", "must be at most "+strconv.Itoa(maxEventIDLen)+" bytes")
		case !utf8.ValidString(env.EventID) || strings.ContainsFunc(env.EventID, isControl):
			bad("event_id", "must be printable text")
		}
	}
	if str("type", &env.Type) {
		if _, ok := s.handler(env.Type); !ok {
			bad("type", "unknown event type; accepted types: "+strings.Join(s.EventTypes(), ", "))
		}
	}
	if str("occurred_at", &env.OccurredAt) {
		t, err := time.Parse(time.RFC3339Nano, env.OccurredAt)
		switch {
		case err != nil:
			bad("occurred_at", "must be an RFC 3339 time such as 2026-03-02T09:00:00Z")
		case !clock.IsFact(t, s.Now()):
			bad("occurred_at", "must lie between 2000-01-01 and five minutes from now")
		}
		ev.OccurredAt = t.UTC().Truncate(time.Microsecond)
	}
	if data, ok := fields["data"]; !ok {
		bad("data", "required")
	} else if d := bytes.TrimSpace(data); len(d) == 0 || d[0] != '{' {
		bad("data", "must be an object")
	} else if ev.Data = normalizeData(d); ev.Data == nil {
		bad("data", "must not contain NUL characters (\\u0000)")
	}
	if len(ve.Fields) > 0 {
		return ev, ve
	}
	ev.EventID, ev.Type = env.EventID, env.Type
	return ev, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// handlerError marks an error that came from an event's handler rather than
// from the inbox itself.
type handlerError struct{ err error }

func (e *handlerError) Error() string { return e.err.Error() }
func (e *handlerError) Unwrap() error { return e.err }

// runHandler calls h, turning its errors and panics into handlerErrors.
func runHandler(ctx context.Context, tx bun.IDB, h events.Handler, ev events.Inbound) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &handlerError{fmt.Errorf("handler panicked: %v", p)}
		}
	}()
	if err := h(ctx, tx, ev); err != nil {
		return &handlerError{err}
	}
	return nil
}

// ingestOne applies event i of a batch. The common case is one transaction
// with one insert (the inbox row, already in its final state) beside the
// handler's own writes. An error return means the store failed.
func (s *Service) ingestOne(ctx context.Context, orgID string, i int, raw json.RawMessage, now time.Time) (Outcome, error) {
	ev, err := s.parseEvent(raw)
	if err != nil {
		return rejected(ev.EventID, i, err), nil
	}
	ev.OrgID = orgID
	unlock := s.lockWrites()
	defer unlock()
	return s.applyNew(ctx, i, ev, now)
}

// lockWrites queues this process's event writers on SQLite. SQLite has one
// writer at a time; writers that meet a held lock wait in its busy handler,
// which sleeps for milliseconds, far longer than one event's transaction
// holds the lock. Queuing on a mutex hands the lock over at once.
// PostgreSQL locks rows, not the database, so writers run in parallel.
func (s *Service) lockWrites() func() {
	if !s.serialWrites {
		return func() {}
	}
	s.writeMu.Lock()
	return s.writeMu.Unlock
}

// applyNew stores one parsed event of a batch and applies it when its type
// has a handler.
func (s *Service) applyNew(ctx context.Context, i int, ev events.Inbound, now time.Time) (Outcome, error) {
	orgID := ev.OrgID
	h, _ := s.handler(ev.Type)
	row := &InboxEvent{ID: ids.New(), OrgID: orgID, EventID: ev.EventID, Type: ev.Type, OccurredAt: ev.OccurredAt,
		ReceivedAt: now, Data: ev.Data, Status: InboxPendingHandler}
	if h == nil {
		// A single statement is its own transaction.
		inserted, err := s.store.InsertInbox(ctx, s.DB, row)
		if err != nil || inserted {
			return Outcome{EventID: ev.EventID, Outcome: OutcomeAccepted, InboxStatus: row.Status}, err
		}
		return s.resend(ctx, i, ev, now)
	}
	row.Status, row.Attempts, row.AppliedAt = InboxApplied, 1, &now
	inserted := false
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if inserted, err = s.store.InsertInbox(ctx, tx, row); err != nil || !inserted {
			return err
		}
		return runHandler(ctx, tx, h, ev)
	})
	var he *handlerError
	switch {
	case errors.As(err, &he):
		return s.keepNewFailure(ctx, i, row, ev, he.err)
	case err != nil:
		return Outcome{}, err
	case !inserted:
		return s.resend(ctx, i, ev, now)
	}
	return Outcome{EventID: ev.EventID, Outcome: OutcomeAccepted, InboxStatus: InboxApplied}, nil
}

// keepNewFailure stores an event whose handler refused or failed it, with
// nothing of what the handler did; a refused one without its personal data.
func (s *Service) keepNewFailure(ctx context.Context, i int, row *InboxEvent, ev events.Inbound, cause error) (Outcome, error) {
	row.Status, row.LastError, row.AppliedAt = s.failure(ev, cause)
	row.Data = keptData(row.Status, row.Data)
	if _, err := s.store.InsertInbox(ctx, s.DB, row); err != nil {
		return Outcome{}, err
	}
	out := rejected(ev.EventID, i, cause)
	out.InboxStatus = row.Status
	return out, nil
}

// failure classifies a handler error: the event's data (rejected) or
// anything else (failed, logged, kept for replay).
func (s *Service) failure(ev events.Inbound, cause error) (status, lastError string, appliedAt *time.Time) {
	var ve *errs.ValidationError
	if errors.As(cause, &ve) {
		parts := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			parts[i] = f.Location + ": " + f.Message
		}
		return InboxRejected, strings.Join(parts, "; "), nil
	}
	s.log().Error("inbound event handler failed", "org_id", ev.OrgID, "event_id", ev.EventID, "type", ev.Type, "error", cause)
	return InboxFailed, failedDetail, nil
}

// keptData is the data the inbox stores for an event that ended in
// status: all of it, except for a refused event (see refusedData). A
// failed event keeps everything, because replay applies it again.
func keptData(status string, data json.RawMessage) json.RawMessage {
	if status == InboxRejected {
		return refusedData(data)
	}
	return data
}

// rejected reports event i as rejected because of err: a validation error
// names its fields under events[i]; anything else is a 500 without detail.
func rejected(eventID string, i int, err error) Outcome {
	prefix := "events[" + strconv.Itoa(i) + "]"
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		return Outcome{EventID: eventID, Outcome: OutcomeRejected, Problem: &Problem{Status: http.StatusInternalServerError, Detail: failedDetail}}
	}
	p := &Problem{Status: http.StatusUnprocessableEntity, Detail: "the event is invalid", Errors: make([]errs.FieldError, len(ve.Fields))}
	for k, f := range ve.Fields {
		loc := prefix
		if f.Location != "" {
			loc += "." + f.Location
		}
		p.Errors[k] = errs.FieldError{Location: loc, Message: f.Message}
	}
	return Outcome{EventID: eventID, Outcome: OutcomeRejected, Problem: p}
}

// resend handles an event id the school sent before. A stored event that
// was applied or waits for its handler makes this a duplicate; one that was
// rejected or failed is tried again with the data just sent, so the LMS can
// correct an event by sending it again.
func (s *Service) resend(ctx context.Context, i int, ev events.Inbound, now time.Time) (Outcome, error) {
	stored, err := s.store.InboxByEventID(ctx, s.DB, ev.OrgID, ev.EventID)
	if err != nil {
		return Outcome{}, err
	}
	if stored.Status != InboxRejected && stored.Status != InboxFailed {
		return Outcome{EventID: ev.EventID, Outcome: OutcomeDuplicate, InboxStatus: stored.Status}, nil
	}
	res, err := s.applyStored(ctx, ev.OrgID, stored.ID, []string{InboxRejected, InboxFailed}, &ev, now)
	switch {
	case err != nil:
		return Outcome{}, err
	case res.status == "":
		// Another request settled it meanwhile.
		return Outcome{EventID: ev.EventID, Outcome: OutcomeDuplicate}, nil
	case res.cause != nil:
		out := rejected(ev.EventID, i, res.cause)
		out.InboxStatus = res.status
		return out, nil
	}
	return Outcome{EventID: ev.EventID, Outcome: OutcomeAccepted, InboxStatus: res.status}, nil
}

// ListInbox returns one page of the school's inbox, newest first.
func (s *Service) ListInbox(ctx context.Context, orgID string, f InboxFilter) ([]InboxEvent, error) {
	return s.store.ListInbox(ctx, s.DB, orgID, f)
}

// counts turns named numbers into audit changes (after-values only).
func counts(kv map[string]int) map[string]auditlog.Change {
	out := make(map[string]auditlog.Change, len(kv))
	for k, v := range kv {
		out[k] = auditlog.Change{After: v}
	}
	return out
}
