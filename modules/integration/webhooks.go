package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// --- the inbound signing secret

// Settings returns the school's integration settings; a school that never
// saved any has none set.
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	st, err := s.store.Settings(ctx, s.db, orgID)
	if errors.Is(err, errs.ErrNotFound) {
		return &Settings{OrgID: orgID}, nil
	}
	return st, err
}

// RotateSigningSecret gives the school a new signing secret, replacing any
// previous one at once, and returns it: this is the only time it is shown.
// From now on every batch of events must carry its signature.
func (s *Service) RotateSigningSecret(ctx context.Context, orgID string) (*Settings, string, error) {
	secret := newSecret(signingSecretPrefix)
	var out *Settings
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Settings(ctx, tx, orgID)
		if errors.Is(err, errs.ErrNotFound) {
			before, err = &Settings{OrgID: orgID}, nil
		}
		if err != nil {
			return err
		}
		now := s.now()
		after := *before
		after.SigningSecret, after.SecretPrefix, after.SecretSetAt = secret, shownPrefix(secret), &now
		after.UpdatedAt, after.Version = now, before.Version+1
		if err := s.store.SaveSettings(ctx, tx, &after); err != nil {
			return err
		}
		out = &after
		return s.record(ctx, tx, orgID, "integration_settings", orgID, auditlog.Diff(before, &after))
	})
	return out, secret, err
}

// ClearSigningSecret removes the school's signing secret: batches are then
// taken unsigned.
func (s *Service) ClearSigningSecret(ctx context.Context, orgID string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Settings(ctx, tx, orgID)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && before.SigningSecret == "") {
			return errs.NotFound("signing secret")
		}
		if err != nil {
			return err
		}
		after := *before
		after.SigningSecret, after.SecretPrefix, after.SecretSetAt = "", "", nil
		after.UpdatedAt, after.Version = s.now(), before.Version+1
		if err := s.store.SaveSettings(ctx, tx, &after); err != nil {
			return err
		}
		return s.record(ctx, tx, orgID, "integration_settings", orgID, auditlog.Diff(before, &after))
	})
}

// --- webhook endpoints

// EndpointSpec is what creating an endpoint takes.
type EndpointSpec struct {
	URL         string
	Description string
	EventTypes  []string
	Active      bool
}

// EndpointChanges are the fields an update may change; nil stays as it is.
type EndpointChanges struct {
	URL         *string
	Description *string
	EventTypes  []string // nil: unchanged
	Active      *bool
}

// eventTypePattern is what an outbound event type looks like:
// review.completed, sla.breached.
var eventTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// checkURL refuses anything but an absolute http(s) URL without
// credentials. Private and loopback addresses are allowed on purpose:
// operators run curatorops where the LMS is, often on the same network.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errs.Invalid("body.url", "must be a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errs.Invalid("body.url", "must be an http or https URL")
	case u.Host == "" || u.Hostname() == "":
		return errs.Invalid("body.url", "must name a host")
	case u.User != nil:
		return errs.Invalid("body.url", "must not carry credentials; deliveries are signed instead")
	case u.Fragment != "":
		return errs.Invalid("body.url", "must not have a fragment")
	}
	return nil
}

func checkEventTypes(types []string) error {
	if len(types) == 0 {
		return errs.Invalid("body.event_types", "must list at least one event type, or \"*\" for all")
	}
	seen := map[string]bool{}
	for i, t := range types {
		loc := "body.event_types[" + strconv.Itoa(i) + "]"
		switch {
		case t != "*" && !eventTypePattern.MatchString(t):
			return errs.Invalid(loc, "must be an event type such as review.completed, or \"*\"")
		case seen[t]:
			return errs.Invalid(loc, "is listed twice")
		}
		seen[t] = true
	}
	return nil
}

// CreateEndpoint registers a webhook and returns it with its secret, shown
// only now.
func (s *Service) CreateEndpoint(ctx context.Context, orgID string, in EndpointSpec) (*Endpoint, string, error) {
	if err := checkURL(in.URL); err != nil {
		return nil, "", err
	}
	if err := checkEventTypes(in.EventTypes); err != nil {
		return nil, "", err
	}
	secret := newSecret(webhookSecretPrefix)
	now := s.now()
	e := &Endpoint{ID: ids.New(), OrgID: orgID, URL: in.URL, Description: in.Description, EventTypes: in.EventTypes,
		Secret: secret, SecretPrefix: shownPrefix(secret), Active: in.Active, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertEndpoint(ctx, tx, e); err != nil {
			return err
		}
		return s.record(ctx, tx, orgID, "webhook", e.ID, auditlog.Diff(nil, e))
	})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// Endpoint returns one of the school's webhooks.
func (s *Service) Endpoint(ctx context.Context, orgID, id string) (*Endpoint, error) {
	return s.store.Endpoint(ctx, s.db, orgID, id)
}

// ListEndpoints returns a page of the school's webhooks.
func (s *Service) ListEndpoints(ctx context.Context, orgID string, limit int, afterID string) ([]Endpoint, error) {
	return s.store.ListEndpoints(ctx, s.db, orgID, limit, afterID)
}

// UpdateEndpoint changes a webhook if it is still at version.
func (s *Service) UpdateEndpoint(ctx context.Context, orgID, id string, version int64, ch EndpointChanges) (*Endpoint, error) {
	if ch.URL != nil {
		if err := checkURL(*ch.URL); err != nil {
			return nil, err
		}
	}
	if ch.EventTypes != nil {
		if err := checkEventTypes(ch.EventTypes); err != nil {
			return nil, err
		}
	}
	return s.changeEndpoint(ctx, orgID, id, &version, func(e *Endpoint) {
		if ch.URL != nil {
			e.URL = *ch.URL
		}
		if ch.Description != nil {
			e.Description = *ch.Description
		}
		if ch.EventTypes != nil {
			e.EventTypes = ch.EventTypes
		}
		if ch.Active != nil {
			e.Active = *ch.Active
		}
	})
}

// RotateEndpointSecret gives a webhook a new secret and returns it, shown
// only now. Deliveries sent from now on are signed with it.
func (s *Service) RotateEndpointSecret(ctx context.Context, orgID, id string) (*Endpoint, string, error) {
	secret := newSecret(webhookSecretPrefix)
	e, err := s.changeEndpoint(ctx, orgID, id, nil, func(e *Endpoint) {
		e.Secret, e.SecretPrefix = secret, shownPrefix(secret)
	})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// changeEndpoint applies change to a webhook (at version, when given) in
// one audited transaction.
func (s *Service) changeEndpoint(ctx context.Context, orgID, id string, version *int64, change func(*Endpoint)) (*Endpoint, error) {
	var out *Endpoint
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Endpoint(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if version != nil && before.Version != *version {
			return errs.Stale("the webhook", before.Version)
		}
		after := *before
		after.EventTypes = append([]string(nil), before.EventTypes...)
		change(&after)
		after.UpdatedAt, after.Version = s.now(), before.Version+1
		ok, err := s.store.UpdateEndpoint(ctx, tx, &after, before.Version)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("the webhook", before.Version+1)
		}
		out = &after
		return s.record(ctx, tx, orgID, "webhook", id, auditlog.Diff(before, &after))
	})
	return out, err
}

// DeleteEndpoint removes a webhook and its delivery log; deliveries not yet
// sent are dropped.
func (s *Service) DeleteEndpoint(ctx context.Context, orgID, id string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Endpoint(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := s.store.DeleteEndpoint(ctx, tx, orgID, id); err != nil {
			return err
		}
		return s.record(ctx, tx, orgID, "webhook", id, auditlog.Diff(before, nil))
	})
}

// ListDeliveries returns a page of a webhook's delivery log, newest first.
func (s *Service) ListDeliveries(ctx context.Context, orgID, endpointID string, f DeliveryFilter) ([]Delivery, error) {
	if _, err := s.store.Endpoint(ctx, s.db, orgID, endpointID); err != nil {
		return nil, err
	}
	return s.store.ListDeliveries(ctx, s.db, orgID, endpointID, f)
}

// Redeliver sends a delivered or failed delivery again, with a fresh retry
// budget. A delivery still on its way cannot be queued twice.
func (s *Service) Redeliver(ctx context.Context, orgID, id string) (*Delivery, error) {
	var out *Delivery
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.store.Delivery(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if d.Status != DeliveryDelivered && d.Status != DeliveryFailed {
			return errs.Conflict("the delivery is already %s; it will be sent without being asked", d.Status)
		}
		before := map[string]any{"status": d.Status, "attempts": d.Attempts}
		now := s.now()
		d.Status, d.Attempts, d.NextAttemptAt, d.LeaseToken, d.UpdatedAt = DeliveryPending, 0, now, "", now
		if err := s.store.Requeue(ctx, tx, d); err != nil {
			return err
		}
		out = d
		return s.record(ctx, tx, orgID, "webhook_delivery", d.ID, auditlog.Diff(before, map[string]any{"status": d.Status, "attempts": d.Attempts}))
	})
	return out, err
}

// --- the outbox

// Publish records an outbound event in the caller's transaction db, with one
// delivery per active webhook of the school subscribed to its type. Nothing
// is sent here: the delivery worker sends after the caller commits, and a
// failing receiver never reaches the caller.
func (s *Service) Publish(ctx context.Context, db bun.IDB, orgID, eventType string, payload any) error {
	if orgID == "" || !eventTypePattern.MatchString(eventType) {
		return fmt.Errorf("integration: publish needs a school and an event type such as review.completed, got %q", eventType)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("integration: payload of %s is not JSON: %w", eventType, err)
	}
	now := s.now()
	ev := &OutboxEvent{ID: ids.New(), OrgID: orgID, Type: eventType, OccurredAt: now, Payload: raw}
	if err := s.store.InsertOutbox(ctx, db, ev); err != nil {
		return err
	}
	endpoints, err := s.store.ActiveEndpoints(ctx, db, orgID)
	if err != nil {
		return err
	}
	var ds []Delivery
	for i := range endpoints {
		if endpoints[i].Subscribes(eventType) {
			ds = append(ds, Delivery{ID: ids.New(), OrgID: orgID, EndpointID: endpoints[i].ID, EventID: ev.ID, EventType: eventType,
				Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
		}
	}
	return s.store.InsertDeliveries(ctx, db, ds)
}

// trimError keeps stored error texts short.
func trimError(s string) string {
	const max = 500
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
