// Package events is how modules exchange facts without importing each other:
// inbound events from the LMS reach the module that handles their type, and
// outbound events (review.completed, sla.breached …) leave through the
// integration module's outbox to the school's webhooks.
package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Publisher records an outbound event in the caller's transaction, so that
// the event leaves if and only if the change that caused it commits.
// Delivery happens later and never blocks the caller.
type Publisher interface {
	Publish(ctx context.Context, db bun.IDB, orgID, eventType string, payload any) error
}

// Inbound is one event received from a school's LMS or CRM.
type Inbound struct {
	OrgID      string
	EventID    string
	Type       string
	OccurredAt time.Time
	Data       json.RawMessage
}

// Handler applies one inbound event inside tx. It returns an
// *errs.ValidationError (locations relative to the event, e.g. "data.email")
// when the event's data is invalid; the event is then rejected and nothing
// it did is kept. Applying the same event twice must not be possible: the
// inbox guarantees each event id reaches its handler once.
type Handler func(ctx context.Context, tx bun.IDB, ev Inbound) error

// Registry maps event types to their handlers.
type Registry interface {
	Handle(eventType string, h Handler)
}

// Discard is a Publisher that drops events, for tools that build services
// without an outbox.
type Discard struct{}

// Publish drops the event.
func (Discard) Publish(context.Context, bun.IDB, string, string, any) error { return nil }

// DecodeData reads an event's data strictly: unknown fields are refused,
// so that a misspelt field is an error rather than silently lost. Errors
// name the field as data.<name>.
func DecodeData(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var field string
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			field = "data." + typeErr.Field
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field = "data." + strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		default:
			field = "data"
		}
		return errs.Invalid(field, strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// Required names, as data.<name>, the fields among name, value pairs whose
// value is blank; nil when none is.
func Required(pairs ...string) error {
	var missing errs.ValidationError
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			missing.Fields = append(missing.Fields, errs.FieldError{Location: "data." + pairs[i], Message: "is required"})
		}
	}
	if len(missing.Fields) > 0 {
		return &missing
	}
	return nil
}

// Apply runs the handler of ev's type from handlers in a transaction of its
// own on db, as the inbox would. Tools that send events past the inbox (the
// demo seed) use it.
func Apply(ctx context.Context, db *bun.DB, handlers map[string]Handler, ev Inbound) error {
	h, ok := handlers[ev.Type]
	if !ok {
		return errs.Invalid("type", "no handler for "+ev.Type)
	}
	return database.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return h(ctx, tx, ev) })
}
