// Package integration connects a school's LMS and CRM to curatorops: inbound
// events land in an inbox and reach the module that handles their type, and
// outbound events leave through an outbox to the school's webhooks, signed
// and retried.
package integration

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// Inbox statuses. An event is written once, in the state its processing
// ended in; failed and pending events move on through replay.
const (
	InboxApplied        = "applied"         // its handler ran and committed
	InboxRejected       = "rejected"        // its handler refused its data
	InboxPendingHandler = "pending_handler" // no handler yet; kept for replay
	InboxFailed         = "failed"          // its handler failed; kept for replay
)

// Delivery statuses of an outbound event to one endpoint.
const (
	DeliveryPending   = "pending"
	DeliverySending   = "sending" // claimed by a worker until its lease ends
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // retries exhausted
)

// Settings are a school's integration settings. The signing secret is kept
// in the clear because verifying an HMAC needs it; it is shown once and
// never leaves the service again (json:"-" keeps it out of the audit log).
type Settings struct {
	bun.BaseModel `bun:"table:integration_settings"`

	OrgID         string     `bun:"org_id,pk" json:"-"`
	SigningSecret string     `bun:"signing_secret" json:"-"`
	SecretPrefix  string     `bun:"signing_secret_prefix" json:"signing_secret_prefix"`
	SecretSetAt   *time.Time `bun:"signing_secret_set_at" json:"signing_secret_set_at"`
	UpdatedAt     time.Time  `bun:"updated_at" json:"-"`
	Version       int64      `bun:"version" json:"-"`
}

// RowVersion is the settings' version; every change bumps it.
func (s *Settings) RowVersion() int64 { return s.Version }

// Bump gives the settings their next version, changed at at.
func (s *Settings) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// InboxEvent is one event received from a school's LMS, whatever became of it.
type InboxEvent struct {
	bun.BaseModel `bun:"table:integration_inbox"`

	ID         string          `bun:"id,pk"`
	OrgID      string          `bun:"org_id,pk"`
	EventID    string          `bun:"event_id"`
	Type       string          `bun:"type"`
	OccurredAt time.Time       `bun:"occurred_at"`
	ReceivedAt time.Time       `bun:"received_at"`
	Data       json.RawMessage `bun:"data,type:jsonb"`
	Status     string          `bun:"status"`
	Attempts   int             `bun:"attempts"`
	LastError  string          `bun:"last_error"`
	AppliedAt  *time.Time      `bun:"applied_at"`
}

// Endpoint is a school's webhook receiver. Its secret signs every delivery.
type Endpoint struct {
	bun.BaseModel `bun:"table:webhook_endpoints"`

	ID           string    `bun:"id,pk" json:"id"`
	OrgID        string    `bun:"org_id" json:"-"`
	URL          string    `bun:"url" json:"url"`
	Description  string    `bun:"description" json:"description"`
	EventTypes   []string  `bun:"event_types,type:jsonb" json:"event_types"`
	Secret       string    `bun:"secret" json:"-"`
	SecretPrefix string    `bun:"secret_prefix" json:"secret_prefix"`
	Active       bool      `bun:"active" json:"active"`
	CreatedAt    time.Time `bun:"created_at" json:"-"`
	UpdatedAt    time.Time `bun:"updated_at" json:"-"`
	Version      int64     `bun:"version" json:"-"`
}

// RowVersion is the endpoint's version, the ETag of its API.
func (e *Endpoint) RowVersion() int64 { return e.Version }

// Bump gives the endpoint its next version, changed at at.
func (e *Endpoint) Bump(at time.Time) { e.Version++; e.UpdatedAt = at }

// Subscribes reports whether the endpoint wants events of type t.
func (e *Endpoint) Subscribes(t string) bool {
	for _, s := range e.EventTypes {
		if s == t || s == "*" {
			return true
		}
	}
	return false
}

// OutboxEvent is one outbound event, written in the transaction of the
// change it reports.
type OutboxEvent struct {
	bun.BaseModel `bun:"table:outbox_events"`

	ID         string          `bun:"id,pk"`
	OrgID      string          `bun:"org_id"`
	Type       string          `bun:"type"`
	OccurredAt time.Time       `bun:"occurred_at"`
	Payload    json.RawMessage `bun:"payload,type:jsonb"`
}

// Delivery is one outbound event on its way to one endpoint. While a worker
// sends it, NextAttemptAt is the end of the worker's lease: a delivery whose
// worker died becomes due again then.
type Delivery struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`

	ID            string     `bun:"id,pk" json:"id"`
	OrgID         string     `bun:"org_id" json:"-"`
	EndpointID    string     `bun:"endpoint_id" json:"endpoint_id"`
	EventID       string     `bun:"event_id" json:"event_id"`
	EventType     string     `bun:"event_type" json:"event_type"`
	Status        string     `bun:"status" json:"status"`
	Attempts      int        `bun:"attempts" json:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at" json:"-"`
	LeaseToken    string     `bun:"lease_token" json:"-"`
	LastAttemptAt *time.Time `bun:"last_attempt_at" json:"-"`
	ResponseCode  int        `bun:"response_code" json:"-"`
	LastError     string     `bun:"last_error" json:"-"`
	DeliveredAt   *time.Time `bun:"delivered_at" json:"-"`
	CreatedAt     time.Time  `bun:"created_at" json:"-"`
	UpdatedAt     time.Time  `bun:"updated_at" json:"-"`
}
