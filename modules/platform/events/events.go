// Package events is how modules exchange facts without importing each other:
// inbound events from the LMS reach the module that handles their type, and
// outbound events (review.completed, sla.breached …) leave through the
// integration module's outbox to the school's webhooks.
package events

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
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
