package integration

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Store holds the integration queries. Every function takes bun.IDB so that
// it runs inside the caller's transaction.
type Store struct{}

// --- settings

// Settings returns the school's settings, or errs.ErrNotFound when none were
// ever saved.
func (Store) Settings(ctx context.Context, db bun.IDB, orgID string) (*Settings, error) {
	s := new(Settings)
	return s, database.ScanOne(ctx, db.NewSelect().Model(s).Where("org_id = ?", orgID), "integration settings")
}

// SaveSettings inserts or overwrites the school's settings.
func (Store) SaveSettings(ctx context.Context, db bun.IDB, s *Settings) error {
	_, err := db.NewInsert().Model(s).
		On("CONFLICT (org_id) DO UPDATE").
		Set("signing_secret = EXCLUDED.signing_secret").
		Set("signing_secret_prefix = EXCLUDED.signing_secret_prefix").
		Set("signing_secret_set_at = EXCLUDED.signing_secret_set_at").
		Set("updated_at = EXCLUDED.updated_at").
		Set("version = EXCLUDED.version").
		Exec(ctx)
	return err
}

// --- inbox

// InsertInbox stores an event unless the school already has one with its
// event id; it reports whether the row was inserted.
func (Store) InsertInbox(ctx context.Context, db bun.IDB, e *InboxEvent) (bool, error) {
	res, err := db.NewInsert().Model(e).On("CONFLICT (org_id, event_id) DO NOTHING").Exec(ctx)
	return database.AffectedOne(res, err)
}

// InboxByEventID returns the school's stored event with the LMS's event id.
func (Store) InboxByEventID(ctx context.Context, db bun.IDB, orgID, eventID string) (*InboxEvent, error) {
	e := new(InboxEvent)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND event_id = ?", orgID, eventID), "event")
}

// LockInbox returns a stored event and, on PostgreSQL, locks it until the
// transaction ends, so that two replays cannot apply it twice.
func (Store) LockInbox(ctx context.Context, db bun.IDB, orgID, id string) (*InboxEvent, error) {
	e := new(InboxEvent)
	return e, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id)), "event")
}

// UpdateInbox writes what became of a stored event.
func (Store) UpdateInbox(ctx context.Context, db bun.IDB, e *InboxEvent) error {
	_, err := db.NewUpdate().Model(e).
		Column("type", "occurred_at", "received_at", "data", "status", "attempts", "last_error", "applied_at").
		WherePK().Where("org_id = ?", e.OrgID).Exec(ctx)
	return err
}

// InboxFilter narrows a listing of the inbox.
type InboxFilter struct {
	Status, Type, EventID string
	From, To              time.Time // received_at; From inclusive, To exclusive; zero means open
	Limit                 int
	AfterID               string // cursor: events received before this one
}

// ListInbox returns up to f.Limit+1 events of the school, newest first.
func (Store) ListInbox(ctx context.Context, db bun.IDB, orgID string, f InboxFilter) ([]InboxEvent, error) {
	var rows []InboxEvent
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q,
		database.Eq("status", f.Status),
		database.Eq("type", f.Type),
		database.Eq("event_id", f.EventID),
	)
	if !f.From.IsZero() {
		q = q.Where("received_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("received_at < ?", f.To)
	}
	if f.AfterID != "" {
		q = q.Where("id < ?", f.AfterID)
	}
	return rows, q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// replayable selects the school's events of types waiting for replay.
func replayable(q *bun.SelectQuery, orgID string, types []string) *bun.SelectQuery {
	return q.Where("org_id = ?", orgID).
		Where("status IN (?)", bun.In([]string{InboxPendingHandler, InboxFailed})).
		Where("type IN (?)", bun.In(types))
}

// Replayable returns the ids of up to limit events waiting for replay, in
// the order they were received (ids are time-ordered).
func (Store) Replayable(ctx context.Context, db bun.IDB, orgID string, types []string, limit int) ([]string, error) {
	var ids []string
	err := replayable(db.NewSelect().Model((*InboxEvent)(nil)).Column("id"), orgID, types).
		OrderExpr("id ASC").Limit(int64(limit)).Scan(ctx, &ids)
	return ids, err
}

// CountReplayable counts the events of types still waiting for replay.
func (Store) CountReplayable(ctx context.Context, db bun.IDB, orgID string, types []string) (int, error) {
	n, err := replayable(db.NewSelect().Model((*InboxEvent)(nil)), orgID, types).Count(ctx)
	return int(n), err
}

// --- webhook endpoints

func (Store) InsertEndpoint(ctx context.Context, db bun.IDB, e *Endpoint) error {
	_, err := db.NewInsert().Model(e).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("the school already has a webhook for %s", e.URL)
	}
	return err
}

func (Store) Endpoint(ctx context.Context, db bun.IDB, orgID, id string) (*Endpoint, error) {
	e := new(Endpoint)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id), "webhook")
}

// UpdateEndpoint writes e if its stored version is still wasVersion.
func (Store) UpdateEndpoint(ctx context.Context, db bun.IDB, e *Endpoint, wasVersion int64) (bool, error) {
	res, err := db.NewUpdate().Model(e).
		Column("url", "description", "event_types", "secret", "secret_prefix", "active", "updated_at", "version").
		WherePK().Where("org_id = ?", e.OrgID).Where("version = ?", wasVersion).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return false, errs.Conflict("the school already has a webhook for %s", e.URL)
	}
	return database.AffectedOne(res, err)
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

func (Store) InsertOutbox(ctx context.Context, db bun.IDB, e *OutboxEvent) error {
	_, err := db.NewInsert().Model(e).Exec(ctx)
	return err
}

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
	q := tx.NewSelect().Model(&rows).
		Where("status IN (?)", bun.In([]string{DeliveryPending, DeliverySending})).
		Where("next_attempt_at <= ?", now).
		Where("endpoint_id IN (SELECT id FROM webhook_endpoints WHERE active)").
		OrderExpr("next_attempt_at ASC, id ASC").Limit(int64(limit))
	if database.IsPostgres(tx) {
		q = q.For("UPDATE SKIP LOCKED")
	}
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

// mentioning narrows q to rows whose JSON column mentions any of values,
// ignoring case. It scans text and is meant for rare erasure requests.
func mentioning(q *bun.SelectQuery, column string, values []string) *bun.SelectQuery {
	match := "? LIKE ? ESCAPE '\\'"
	if database.IsPostgres(q.DB()) {
		column += "::text"
		match = "? ILIKE ? ESCAPE '\\'"
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, p := range likeAny(values) {
			q = q.WhereOr(match, bun.Safe(column), p)
		}
		return q
	})
}

// InboxMentioning returns the school's stored events whose data mentions
// any of values.
func (Store) InboxMentioning(ctx context.Context, db bun.IDB, orgID string, values []string) ([]InboxEvent, error) {
	var rows []InboxEvent
	q := db.NewSelect().Model(&rows).Column("id", "data").Where("org_id = ?", orgID)
	return rows, mentioning(q, "data", values).Scan(ctx)
}

func (Store) SetInboxData(ctx context.Context, db bun.IDB, orgID, id string, data json.RawMessage) error {
	_, err := db.NewUpdate().Model(&InboxEvent{ID: id, OrgID: orgID, Data: data}).Column("data").
		WherePK().Where("org_id = ?", orgID).Exec(ctx)
	return err
}

// OutboxMentioning returns the school's outbound events whose payload
// mentions any of values.
func (Store) OutboxMentioning(ctx context.Context, db bun.IDB, orgID string, values []string) ([]OutboxEvent, error) {
	var rows []OutboxEvent
	q := db.NewSelect().Model(&rows).Column("id", "payload").Where("org_id = ?", orgID)
	return rows, mentioning(q, "payload", values).Scan(ctx)
}

func (Store) SetOutboxPayload(ctx context.Context, db bun.IDB, orgID, id string, payload json.RawMessage) error {
	_, err := db.NewUpdate().Model(&OutboxEvent{ID: id, OrgID: orgID, Payload: payload}).Column("payload").
		WherePK().Where("org_id = ?", orgID).Exec(ctx)
	return err
}
