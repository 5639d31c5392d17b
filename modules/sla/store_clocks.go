package sla

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// ResponseClock returns one clock of the school.
func (Store) ResponseClock(ctx context.Context, db bun.IDB, orgID, id string) (*ResponseClock, error) {
	c := &ResponseClock{}
	err := db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return c, notFound(err, "clock")
}

// OpenClock returns the conversation's open clock, or nil.
func (Store) OpenClock(ctx context.Context, db bun.IDB, orgID, conversationID string) (*ResponseClock, error) {
	c := &ResponseClock{}
	err := db.NewSelect().Model(c).Where("org_id = ? AND conversation_id = ? AND status = ?", orgID, conversationID, ClockOpen).
		Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

func (Store) InsertClock(ctx context.Context, db bun.IDB, c *ResponseClock) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

// InsertClocks writes many clocks at once (bulk loads).
func (Store) InsertClocks(ctx context.Context, db bun.IDB, cs []ResponseClock) error {
	if len(cs) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&cs).Exec(ctx)
	return err
}

// UpdateClock saves a clock while it is still at wasVersion.
func (Store) UpdateClock(ctx context.Context, db bun.IDB, c *ResponseClock, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, c, wasVersion)
}

// ClockFilter narrows the live views.
type ClockFilter struct {
	CuratorID string
	DueBefore *time.Time // at risk / breached
	Limit     int
	After     []string // due_at, id
}

// OpenClocks lists open clocks, the next to breach first.
func (Store) OpenClocks(ctx context.Context, db bun.IDB, orgID string, f ClockFilter) ([]ResponseClock, error) {
	var out []ResponseClock
	q := db.NewSelect().Model(&out).Where("org_id = ? AND status = ?", orgID, ClockOpen).OrderExpr("due_at, id").Limit(int64(f.Limit + 1))
	q = database.WhereSet(q, database.Eq("curator_id", f.CuratorID))
	if f.DueBefore != nil {
		q = q.Where("due_at <= ?", *f.DueBefore)
	}
	if f.After != nil {
		t, err := time.Parse(time.RFC3339Nano, f.After[0])
		if err != nil {
			return nil, errs.Invalid("query.cursor", "malformed cursor")
		}
		q = q.Where("(due_at > ? OR (due_at = ? AND id > ?))", t, t, f.After[1])
	}
	return out, q.Scan(ctx)
}

// ClocksStartedBetween lists the clocks that started in [from, to).
func (Store) ClocksStartedBetween(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]ResponseClock, error) {
	var out []ResponseClock
	err := db.NewSelect().Model(&out).Where("org_id = ? AND started_at >= ? AND started_at < ?", orgID, from, to).
		OrderExpr("started_at, id").Scan(ctx)
	return out, err
}

// --- notices

// DueWarnings lists open clocks whose warning time has come and that were
// not warned yet, across schools other than those in skip (schools in
// their quiet hours).
func (Store) DueWarnings(ctx context.Context, db bun.IDB, now time.Time, skip []string, limit int) ([]ResponseClock, error) {
	var out []ResponseClock
	q := db.NewSelect().Model(&out).Where("status = ? AND warned_at IS NULL AND warn_at <= ?", ClockOpen, now)
	if len(skip) > 0 {
		q = q.Where("org_id NOT IN (?)", bun.In(skip))
	}
	err := q.OrderExpr("warn_at").Limit(int64(limit)).Scan(ctx)
	return out, err
}

// DueBreaches lists open clocks past their due time whose breach was not
// announced yet, across schools other than those in skip.
func (Store) DueBreaches(ctx context.Context, db bun.IDB, now time.Time, skip []string, limit int) ([]ResponseClock, error) {
	var out []ResponseClock
	q := db.NewSelect().Model(&out).Where("status = ? AND breach_notified_at IS NULL AND due_at <= ?", ClockOpen, now)
	if len(skip) > 0 {
		q = q.Where("org_id NOT IN (?)", bun.In(skip))
	}
	err := q.OrderExpr("due_at").Limit(int64(limit)).Scan(ctx)
	return out, err
}

// ClaimWarning marks the clock warned unless someone did first; only the
// caller that gets true sends the warning. On PostgreSQL the row lock
// makes a second replica wait and then find warned_at set.
func (Store) ClaimWarning(ctx context.Context, db bun.IDB, id string, now time.Time) (bool, error) {
	return database.AffectedOne(db.NewUpdate().TableExpr("sla_clocks").Set("warned_at = ?", now).
		Where("id = ? AND warned_at IS NULL AND status = ?", id, ClockOpen).Exec(ctx))
}

// MarkBreached records that an open clock passed its due time.
func (Store) MarkBreached(ctx context.Context, db bun.IDB, id string, now time.Time) error {
	_, err := db.NewUpdate().TableExpr("sla_clocks").Set("breached = ?", true).Set("updated_at = ?", now).
		Where("id = ? AND status = ? AND breached = ?", id, ClockOpen, false).Exec(ctx)
	return err
}

// ClaimBreach marks the breach announced unless someone did first.
func (Store) ClaimBreach(ctx context.Context, db bun.IDB, id string, now time.Time) (bool, error) {
	return database.AffectedOne(db.NewUpdate().TableExpr("sla_clocks").Set("breach_notified_at = ?", now).Set("breached = ?", true).
		Where("id = ? AND breach_notified_at IS NULL AND status = ?", id, ClockOpen).Exec(ctx))
}
