package sla

import (
	"context"
	"database/sql"
	"errors"
	"slices"
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
	DueAfter  *time.Time // exclusive: at risk clocks are not due yet
	DueBefore *time.Time // inclusive: at risk / breached
	Limit     int
	After     []string // due_at, id
}

// OpenClocks lists open clocks, the next to breach first.
func (Store) OpenClocks(ctx context.Context, db bun.IDB, orgID string, f ClockFilter) ([]ResponseClock, error) {
	var out []ResponseClock
	q := db.NewSelect().Model(&out).Where("org_id = ? AND status = ?", orgID, ClockOpen).OrderExpr("due_at, id").Limit(int64(f.Limit + 1))
	q = database.WhereSet(q, database.Eq("curator_id", f.CuratorID))
	if f.DueAfter != nil {
		q = q.Where("due_at > ?", *f.DueAfter)
	}
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

// SchoolsWithDueNotices lists the schools that have open clocks whose
// warning or breach notice is due at now. Only ids are read, so a clock
// whose times cannot be read back holds up nobody.
func (Store) SchoolsWithDueNotices(ctx context.Context, db bun.IDB, now time.Time) ([]string, error) {
	var warn, breach []string
	err := db.NewSelect().TableExpr("sla_clocks").ColumnExpr("DISTINCT org_id").
		Where("status = ? AND warned_at IS NULL AND warn_at <= ?", ClockOpen, now).Scan(ctx, &warn)
	if err != nil {
		return nil, err
	}
	err = db.NewSelect().TableExpr("sla_clocks").ColumnExpr("DISTINCT org_id").
		Where("status = ? AND breach_notified_at IS NULL AND due_at <= ?", ClockOpen, now).Scan(ctx, &breach)
	if err != nil {
		return nil, err
	}
	all := append(warn, breach...)
	slices.Sort(all)
	return slices.Compact(all), nil
}

// DueWarnings lists the ids of the school's open clocks whose warning time
// has come and that were not warned yet, the earliest first.
func (Store) DueWarnings(ctx context.Context, db bun.IDB, orgID string, now time.Time, limit int) ([]string, error) {
	var out []string
	err := dueWarnings(db, orgID, now).Column("id").OrderExpr("warn_at, id").Limit(int64(limit)).Scan(ctx, &out)
	return out, err
}

// CountDueWarnings counts the school's warnings DueWarnings would list.
func (Store) CountDueWarnings(ctx context.Context, db bun.IDB, orgID string, now time.Time) (int, error) {
	n, err := dueWarnings(db, orgID, now).Count(ctx)
	return int(n), err
}

func dueWarnings(db bun.IDB, orgID string, now time.Time) *bun.SelectQuery {
	return db.NewSelect().TableExpr("sla_clocks").
		Where("org_id = ? AND status = ? AND warned_at IS NULL AND warn_at <= ?", orgID, ClockOpen, now)
}

// DueBreaches lists the ids of the school's open clocks past their due
// time whose breach was not announced yet, the earliest first.
func (Store) DueBreaches(ctx context.Context, db bun.IDB, orgID string, now time.Time, limit int) ([]string, error) {
	var out []string
	err := db.NewSelect().TableExpr("sla_clocks").Column("id").
		Where("org_id = ? AND status = ? AND breach_notified_at IS NULL AND due_at <= ?", orgID, ClockOpen, now).
		OrderExpr("due_at, id").Limit(int64(limit)).Scan(ctx, &out)
	return out, err
}

// ClaimWarning marks the clock warned unless someone did first; only the
// caller that gets true sends the warning. On PostgreSQL the row lock
// makes a second replica wait and then find warned_at set.
func (Store) ClaimWarning(ctx context.Context, db bun.IDB, id string, now time.Time) (bool, error) {
	return database.AffectedOne(db.NewUpdate().TableExpr("sla_clocks").Set("warned_at = ?", now).
		Where("id = ? AND warned_at IS NULL AND status = ?", id, ClockOpen).Exec(ctx))
}

// MarkBreaches records that the school's open clocks past their due time
// breached; the notices go out later.
func (Store) MarkBreaches(ctx context.Context, db bun.IDB, orgID string, now time.Time) error {
	_, err := db.NewUpdate().TableExpr("sla_clocks").Set("breached = ?", true).Set("updated_at = ?", now).
		Where("org_id = ? AND status = ? AND breached = ? AND due_at <= ?", orgID, ClockOpen, false, now).Exec(ctx)
	return err
}

// ClaimBreach marks the breach announced unless someone did first.
func (Store) ClaimBreach(ctx context.Context, db bun.IDB, id string, now time.Time) (bool, error) {
	return database.AffectedOne(db.NewUpdate().TableExpr("sla_clocks").Set("breach_notified_at = ?", now).Set("breached = ?", true).
		Where("id = ? AND breach_notified_at IS NULL AND status = ?", id, ClockOpen).Exec(ctx))
}
