package integration

import (
	"context"
	"net/url"
	"regexp"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

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
// credentials, and hosts that plainly lead where deliveries may not go
// (loopback, private and link-local addresses, the cloud metadata
// service) unless the operator opened their range.
func (s *Service) checkURL(raw string) error {
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
	return s.checkDestinationHost(u.Hostname())
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
	if err := s.checkURL(in.URL); err != nil {
		return nil, "", err
	}
	if err := checkEventTypes(in.EventTypes); err != nil {
		return nil, "", err
	}
	secret := newSecret(webhookSecretPrefix)
	now := s.Now()
	e := &Endpoint{ID: ids.New(), OrgID: orgID, URL: in.URL, Description: in.Description, EventTypes: in.EventTypes,
		Secret: secret, SecretPrefix: shownPrefix(secret), Active: in.Active, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertEndpoint(ctx, tx, e); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "webhook", e.ID, auditlog.Diff(nil, e))
	})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// Endpoint returns one of the school's webhooks.
func (s *Service) Endpoint(ctx context.Context, orgID, id string) (*Endpoint, error) {
	return s.store.Endpoint(ctx, s.DB, orgID, id)
}

// ListEndpoints returns a page of the school's webhooks.
func (s *Service) ListEndpoints(ctx context.Context, orgID string, limit int, afterID string) ([]Endpoint, error) {
	return s.store.ListEndpoints(ctx, s.DB, orgID, limit, afterID)
}

// UpdateEndpoint changes a webhook if it is still at version.
func (s *Service) UpdateEndpoint(ctx context.Context, orgID, id string, version int64, ch EndpointChanges) (*Endpoint, error) {
	if ch.URL != nil {
		if err := s.checkURL(*ch.URL); err != nil {
			return nil, err
		}
	}
	if ch.EventTypes != nil {
		if err := checkEventTypes(ch.EventTypes); err != nil {
			return nil, err
		}
	}
	return s.changeEndpoint(ctx, orgID, id, &version, func(e *Endpoint) {
		database.SetIf(&e.URL, ch.URL)
		database.SetIf(&e.Description, ch.Description)
		if ch.EventTypes != nil {
			e.EventTypes = ch.EventTypes
		}
		database.SetIf(&e.Active, ch.Active)
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

// changeEndpoint applies change to a webhook in one audited transaction,
// as an optimistic update at version; without a version (nothing the
// caller read is at stake) at the version it has now.
func (s *Service) changeEndpoint(ctx context.Context, orgID, id string, version *int64, change func(*Endpoint)) (*Endpoint, error) {
	var out *Endpoint
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		current, err := s.store.Endpoint(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		at := current.Version
		if version != nil {
			at = *version
		}
		before, after, err := database.Optimistic[Endpoint, *Endpoint]{
			What: "the webhook",
			Load: func() (*Endpoint, error) { return current, nil },
			Change: func(e *Endpoint) error {
				// The copy gets its own list, so that change never edits the row as it was.
				e.EventTypes = append([]string(nil), e.EventTypes...)
				change(e)
				return nil
			},
			Write: func(e *Endpoint, wasVersion int64) (bool, error) {
				return s.store.UpdateEndpoint(ctx, tx, e, wasVersion)
			},
		}.Run(at, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "webhook", id, auditlog.Diff(before, after))
	})
	return out, err
}

// DeleteEndpoint removes a webhook and its delivery log; deliveries not yet
// sent are dropped.
func (s *Service) DeleteEndpoint(ctx context.Context, orgID, id string) error {
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Endpoint(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := s.store.DeleteEndpoint(ctx, tx, orgID, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "webhook", id, auditlog.Diff(before, nil))
	})
}
