package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// RetrySchedule is how long a delivery waits after each failed attempt. The
// attempt after the last wait is the final one: MaxAttempts in all.
var RetrySchedule = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour}

// MaxAttempts is how many times a delivery is tried before it fails.
var MaxAttempts = len(RetrySchedule) + 1

// Delivery headers.
const (
	HeaderEvent     = "X-Curatorops-Event"
	HeaderDelivery  = "X-Curatorops-Delivery"
	HeaderSignature = "X-Curatorops-Signature"
)

const (
	// sendTimeout bounds one attempt, connection included.
	sendTimeout = 10 * time.Second
	// lease is how long a claimed delivery stays with its worker; it covers
	// a whole claimed batch sent in parallel, with room to spare.
	lease = 2 * time.Minute
	// claimBatch deliveries are claimed at once and sent in parallel.
	claimBatch = 16
	// pollEvery is how often the worker looks for due deliveries.
	pollEvery = time.Second
)

// Envelope is the JSON body of every delivery.
type Envelope struct {
	ID         string          `json:"id" doc:"The event's id; the same for every webhook it goes to."`
	Type       string          `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	Org        string          `json:"org" doc:"The school's id."`
	Data       json.RawMessage `json:"data"`
}

// StartDeliveries runs the delivery worker in the background until ctx ends
// or the returned stop is called; stop waits for the worker to finish.
func (s *Service) StartDeliveries(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.RunDeliveries(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// RunDeliveries sends due deliveries until ctx ends. Several replicas may
// run it at once: each delivery is claimed by one of them.
func (s *Service) RunDeliveries(ctx context.Context) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if _, err := s.DeliverDue(ctx, s.Now()); err != nil && ctx.Err() == nil {
			s.log().Error("webhook deliveries failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// DeliverDue makes one pass: it claims the deliveries due at now, batch by
// batch, sends them and records each outcome. It returns how many it sent.
func (s *Service) DeliverDue(ctx context.Context, now time.Time) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		token := ids.New()
		var claimed []Delivery
		err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			var err error
			claimed, err = s.store.ClaimDue(ctx, tx, now, now.Add(lease), token, claimBatch)
			return err
		})
		if err != nil || len(claimed) == 0 {
			return sent, err
		}
		if err := s.sendClaimed(ctx, claimed, token); err != nil {
			return sent, err
		}
		sent += len(claimed)
		if len(claimed) < claimBatch {
			break
		}
	}
	return sent, ctx.Err()
}

// sendClaimed sends a claimed batch in parallel and records each outcome.
func (s *Service) sendClaimed(ctx context.Context, claimed []Delivery, token string) error {
	endpointIDs := make([]string, 0, len(claimed))
	eventIDs := make([]string, 0, len(claimed))
	for _, d := range claimed {
		endpointIDs, eventIDs = append(endpointIDs, d.EndpointID), append(eventIDs, d.EventID)
	}
	endpoints, err := s.store.EndpointsByID(ctx, s.DB, endpointIDs)
	if err != nil {
		return err
	}
	outbox, err := s.store.OutboxByID(ctx, s.DB, eventIDs)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(claimed))
	for i := range claimed {
		d := &claimed[i]
		e, ev := endpoints[d.EndpointID], outbox[d.EventID]
		if e == nil || ev == nil {
			continue // the endpoint was deleted meanwhile, with its deliveries
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, sendErr := s.send(ctx, e, ev, d)
			if ctx.Err() != nil {
				// Shutting down: the outcome is unknown; the lease runs
				// out and the delivery is tried again.
				return
			}
			if err := s.finish(ctx, d, token, code, sendErr); err != nil {
				errc <- err
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// send makes one attempt and returns the response status.
func (s *Service) send(ctx context.Context, e *Endpoint, ev *OutboxEvent, d *Delivery) (int, error) {
	body, err := json.Marshal(Envelope{ID: ev.ID, Type: ev.Type, OccurredAt: ev.OccurredAt.UTC(), Org: ev.OrgID, Data: ev.Payload})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "curatorops-webhooks/1")
	req.Header.Set(HeaderEvent, ev.Type)
	req.Header.Set(HeaderDelivery, d.ID)
	req.Header.Set(HeaderSignature, Sign(e.Secret, body))
	resp, err := s.client.Do(req)
	var refused *refusedDestination
	if errors.As(err, &refused) {
		// Only the kind of range: the address a name resolved to stays
		// out of the log that the school's admin reads.
		return 0, refused
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// Read a little so the connection can be reused; the body is not kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, errors.New("the receiver answered HTTP " + strconv.Itoa(resp.StatusCode))
	}
	return resp.StatusCode, nil
}

// finish records an attempt: delivered, due again after the next wait of
// the schedule, or failed for good.
func (s *Service) finish(ctx context.Context, d *Delivery, token string, code int, sendErr error) error {
	now := s.Now()
	d.LastAttemptAt, d.ResponseCode, d.LeaseToken, d.UpdatedAt = &now, code, "", now
	switch {
	case sendErr == nil:
		d.Status, d.LastError, d.DeliveredAt, d.NextAttemptAt = DeliveryDelivered, "", &now, now
	case d.Attempts >= MaxAttempts:
		d.Status, d.LastError, d.NextAttemptAt = DeliveryFailed, trimError(sendErr.Error()), now
	default:
		d.Status, d.LastError, d.NextAttemptAt = DeliveryPending, trimError(sendErr.Error()), now.Add(RetrySchedule[d.Attempts-1])
	}
	if sendErr != nil {
		s.log().Warn("webhook delivery attempt failed", "org_id", d.OrgID, "delivery_id", d.ID, "attempt", d.Attempts, "status", d.Status, "error", sendErr)
	}
	_, err := s.store.FinishAttempt(ctx, s.DB, d, token)
	return err
}

// ListDeliveries returns a page of a webhook's delivery log, newest first.
func (s *Service) ListDeliveries(ctx context.Context, orgID, endpointID string, f DeliveryFilter) ([]Delivery, error) {
	if _, err := s.store.Endpoint(ctx, s.DB, orgID, endpointID); err != nil {
		return nil, err
	}
	return s.store.ListDeliveries(ctx, s.DB, orgID, endpointID, f)
}

// Redeliver sends a delivered or failed delivery again, with a fresh retry
// budget. A delivery still on its way cannot be queued twice.
func (s *Service) Redeliver(ctx context.Context, orgID, id string) (*Delivery, error) {
	var out *Delivery
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.store.Delivery(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if d.Status != DeliveryDelivered && d.Status != DeliveryFailed {
			return errs.Conflict("the delivery is already %s; it will be sent without being asked", d.Status)
		}
		before := map[string]any{"status": d.Status, "attempts": d.Attempts}
		now := s.Now()
		d.Status, d.Attempts, d.NextAttemptAt, d.LeaseToken, d.UpdatedAt = DeliveryPending, 0, now, "", now
		if err := s.store.Requeue(ctx, tx, d); err != nil {
			return err
		}
		out = d
		return s.Record(ctx, tx, orgID, "webhook_delivery", d.ID, auditlog.Diff(before, map[string]any{"status": d.Status, "attempts": d.Attempts}))
	})
	return out, err
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
