package integration

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// --- webhook endpoints

// InsertEndpoint adds a webhook; a second one for the same URL is a conflict.
func (Store) InsertEndpoint(ctx context.Context, db bun.IDB, e *Endpoint) error {
	_, err := db.NewInsert().Model(e).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("the school already has a webhook for %s", e.URL)
	}
	return err
}

// Endpoint returns one of the school's webhooks.
func (Store) Endpoint(ctx context.Context, db bun.IDB, orgID, id string) (*Endpoint, error) {
	e := new(Endpoint)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id), "webhook")
}

// UpdateEndpoint writes e if its stored version is still wasVersion.
func (Store) UpdateEndpoint(ctx context.Context, db bun.IDB, e *Endpoint, wasVersion int64) (bool, error) {
	ok, err := database.UpdateVersion(ctx, db, e, wasVersion,
		"url", "description", "event_types", "secret", "secret_prefix", "active", "updated_at", "version")
	if database.IsUniqueViolation(err) {
		return false, errs.Conflict("the school already has a webhook for %s", e.URL)
	}
	return ok, err
}

// DeleteEndpoint removes an endpoint with its deliveries.
func (Store) DeleteEndpoint(ctx context.Context, db bun.IDB, orgID, id string) error {
	// SQLite enforces ON DELETE CASCADE only with foreign keys on; delete
	// the deliveries explicitly so the result never depends on a pragma.
	if _, err := db.NewDelete().Model((*Delivery)(nil)).Where("org_id = ? AND endpoint_id = ?", orgID, id).Exec(ctx); err != nil {
		return err
	}
	_, err := db.NewDelete().Model((*Endpoint)(nil)).Where("org_id = ? AND id = ?", orgID, id).Exec(ctx)
	return err
}

// ListEndpoints returns up to limit+1 endpoints of the school by id.
func (Store) ListEndpoints(ctx context.Context, db bun.IDB, orgID string, limit int, afterID string) ([]Endpoint, error) {
	var rows []Endpoint
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	return rows, q.OrderExpr("id ASC").Limit(int64(limit + 1)).Scan(ctx)
}

// ActiveEndpoints returns every active endpoint of the school.
func (Store) ActiveEndpoints(ctx context.Context, db bun.IDB, orgID string) ([]Endpoint, error) {
	var rows []Endpoint
	return rows, db.NewSelect().Model(&rows).Where("org_id = ?", orgID).Where("active").OrderExpr("id").Scan(ctx)
}

// EndpointsByID returns the endpoints with the given ids, from any school:
// the delivery worker serves every school.
func (Store) EndpointsByID(ctx context.Context, db bun.IDB, ids []string) (map[string]*Endpoint, error) {
	var rows []Endpoint
	if err := db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[string]*Endpoint, len(rows))
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// --- outbox and deliveries

// InsertOutbox adds an outbound event.
func (Store) InsertOutbox(ctx context.Context, db bun.IDB, e *OutboxEvent) error {
	_, err := db.NewInsert().Model(e).Exec(ctx)
	return err
}

// InsertDeliveries queues deliveries; none is no query at all.
func (Store) InsertDeliveries(ctx context.Context, db bun.IDB, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&ds).Exec(ctx)
	return err
}

// OutboxByID returns the outbound events with the given ids, from any school.
func (Store) OutboxByID(ctx context.Context, db bun.IDB, ids []string) (map[string]*OutboxEvent, error) {
	var rows []OutboxEvent
	if err := db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[string]*OutboxEvent, len(rows))
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// ClaimDue marks up to limit due deliveries of active endpoints as being
// sent under token until leaseUntil, and returns them. Run it in a
// transaction: on PostgreSQL the rows are locked and rows other workers hold
// are skipped; on SQLite the immediate transaction already excludes every
// other writer. A delivery still "sending" after its lease (its worker
// died) is due again.
func (Store) ClaimDue(ctx context.Context, tx bun.IDB, now, leaseUntil time.Time, token string, limit int) ([]Delivery, error) {
	var rows []Delivery
	q := database.ForUpdateSkipLocked(tx.NewSelect().Model(&rows).
		Where("status IN (?)", bun.In([]string{DeliveryPending, DeliverySending})).
		Where("next_attempt_at <= ?", now).
		Where("endpoint_id IN (SELECT id FROM webhook_endpoints WHERE active)").
		OrderExpr("next_attempt_at ASC, id ASC").Limit(int64(limit)))
	if err := q.Scan(ctx); err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i := range rows {
		rows[i].Status, rows[i].Attempts, rows[i].NextAttemptAt, rows[i].LeaseToken = DeliverySending, rows[i].Attempts+1, leaseUntil, token
		ids[i] = rows[i].ID
	}
	_, err := tx.NewUpdate().Model((*Delivery)(nil)).
		Set("status = ?", DeliverySending).
		Set("attempts = attempts + 1").
		Set("next_attempt_at = ?", leaseUntil).
		Set("lease_token = ?", token).
		Set("updated_at = ?", now).
		Where("id IN (?)", bun.In(ids)).Exec(ctx)
	return rows, err
}

// FinishAttempt writes the outcome of an attempt, unless the lease was lost
// meanwhile (another worker took the delivery over after it expired).
func (Store) FinishAttempt(ctx context.Context, db bun.IDB, d *Delivery, token string) (bool, error) {
	res, err := db.NewUpdate().Model(d).
		Column("status", "next_attempt_at", "lease_token", "last_attempt_at", "response_code", "last_error", "delivered_at", "updated_at").
		WherePK().Where("lease_token = ?", token).Where("status = ?", DeliverySending).Exec(ctx)
	return database.AffectedOne(res, err)
}

// Delivery returns one of the school's deliveries, locked on PostgreSQL
// until the transaction ends.
func (Store) Delivery(ctx context.Context, db bun.IDB, orgID, id string) (*Delivery, error) {
	d := new(Delivery)
	return d, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(d).Where("org_id = ? AND id = ?", orgID, id)), "webhook delivery")
}

// Requeue makes a finished delivery due now with a fresh retry budget.
func (Store) Requeue(ctx context.Context, db bun.IDB, d *Delivery) error {
	_, err := db.NewUpdate().Model(d).Column("status", "attempts", "next_attempt_at", "lease_token", "updated_at").
		WherePK().Where("org_id = ?", d.OrgID).Exec(ctx)
	return err
}

// DeliveryFilter narrows a webhook's delivery log.
type DeliveryFilter struct {
	Status, EventType string
	Limit             int
	AfterID           string // cursor: deliveries created before this one
}

// ListDeliveries returns up to f.Limit+1 deliveries of an endpoint, newest first.
func (Store) ListDeliveries(ctx context.Context, db bun.IDB, orgID, endpointID string, f DeliveryFilter) ([]Delivery, error) {
	var rows []Delivery
	q := db.NewSelect().Model(&rows).Where("org_id = ? AND endpoint_id = ?", orgID, endpointID)
	q = database.WhereSet(q, database.Eq("status", f.Status), database.Eq("event_type", f.EventType))
	if f.AfterID != "" {
		q = q.Where("id < ?", f.AfterID)
	}
	return rows, q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// --- erasure

// OutboxMentioning returns the school's outbound events whose payload
// mentions any of values.
func (Store) OutboxMentioning(ctx context.Context, db bun.IDB, orgID string, values []string) ([]OutboxEvent, error) {
	var rows []OutboxEvent
	q := db.NewSelect().Model(&rows).Column("id", "payload").Where("org_id = ?", orgID)
	return rows, mentioning(q, "payload", values).Scan(ctx)
}

// SetOutboxPayload replaces the payload of one outbound event; only erasure
// does this.
func (Store) SetOutboxPayload(ctx context.Context, db bun.IDB, orgID, id string, payload json.RawMessage) error {
	_, err := db.NewUpdate().Model(&OutboxEvent{ID: id, OrgID: orgID, Payload: payload}).Column("payload").
		WherePK().Where("org_id = ?", orgID).Exec(ctx)
	return err
}
