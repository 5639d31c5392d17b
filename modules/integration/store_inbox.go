package integration

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

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

// InboxMentioning returns the school's stored events whose data mentions
// any of values.
func (Store) InboxMentioning(ctx context.Context, db bun.IDB, orgID string, values []string) ([]InboxEvent, error) {
	var rows []InboxEvent
	q := db.NewSelect().Model(&rows).Column("id", "data").Where("org_id = ?", orgID)
	return rows, mentioning(q, "data", values).Scan(ctx)
}

// SetInboxData replaces the data of one stored event; only erasure does this.
func (Store) SetInboxData(ctx context.Context, db bun.IDB, orgID, id string, data json.RawMessage) error {
	_, err := db.NewUpdate().Model(&InboxEvent{ID: id, OrgID: orgID, Data: data}).Column("data").
		WherePK().Where("org_id = ?", orgID).Exec(ctx)
	return err
}
