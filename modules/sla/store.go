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

// Store holds the SLA queries. Every query filters by school.
type Store struct{}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFound(what)
	}
	return err
}

// --- settings

// Settings returns the school's settings, or zero settings when it has none.
func (Store) Settings(ctx context.Context, db bun.IDB, orgID string) (*Settings, error) {
	s := &Settings{}
	err := db.NewSelect().Model(s).Where("org_id = ?", orgID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return &Settings{OrgID: orgID}, nil
	}
	return s, err
}

// SaveSettings inserts or updates the settings, checking the version the
// caller saw (0: none yet).
func (Store) SaveSettings(ctx context.Context, db bun.IDB, s *Settings, wasVersion int64) (bool, error) {
	if wasVersion == 0 {
		_, err := db.NewInsert().Model(s).Exec(ctx)
		if database.IsUniqueViolation(err) {
			return false, nil
		}
		return err == nil, err
	}
	res, err := db.NewUpdate().Model(s).WherePK().Where("version = ?", wasVersion).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// --- conversations and messages

func (Store) Conversation(ctx context.Context, db bun.IDB, orgID, id string) (*Conversation, error) {
	c := &Conversation{}
	err := db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return c, notFound(err, "conversation")
}

func (Store) LockConversation(ctx context.Context, db bun.IDB, orgID, id string) (*Conversation, error) {
	c := &Conversation{}
	err := database.ForUpdate(db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id)).Scan(ctx)
	return c, notFound(err, "conversation")
}

func (Store) ConversationByExternalID(ctx context.Context, db bun.IDB, orgID, externalID string) (*Conversation, error) {
	c := &Conversation{}
	err := db.NewSelect().Model(c).Where("org_id = ? AND external_id = ?", orgID, externalID).Scan(ctx)
	return c, notFound(err, "conversation")
}

func (Store) InsertConversation(ctx context.Context, db bun.IDB, c *Conversation) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

func (Store) UpdateConversation(ctx context.Context, db bun.IDB, c *Conversation) error {
	_, err := db.NewUpdate().Model(c).Column("last_message_at", "clock_count").WherePK().Exec(ctx)
	return err
}

// ConversationFilter narrows a list of conversations.
type ConversationFilter struct {
	StudentID string
	Channel   string
	Limit     int
	AfterID   string
}

func (Store) ListConversations(ctx context.Context, db bun.IDB, orgID string, f ConversationFilter) ([]Conversation, error) {
	var out []Conversation
	q := db.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("id").Limit(int64(f.Limit + 1))
	q = database.WhereSet(q, database.Eq("student_id", f.StudentID), database.Eq("channel", f.Channel))
	if f.AfterID != "" {
		q = q.Where("id > ?", f.AfterID)
	}
	return out, q.Scan(ctx)
}

func (Store) MessageByExternalID(ctx context.Context, db bun.IDB, orgID, externalID string) (*Message, error) {
	m := &Message{}
	err := db.NewSelect().Model(m).Where("org_id = ? AND external_id = ?", orgID, externalID).Scan(ctx)
	return m, notFound(err, "message")
}

func (Store) InsertMessage(ctx context.Context, db bun.IDB, m *Message) error {
	_, err := db.NewInsert().Model(m).Exec(ctx)
	return err
}

// InsertMessages writes many messages at once (bulk loads).
func (Store) InsertMessages(ctx context.Context, db bun.IDB, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&ms).Exec(ctx)
	return err
}

func (Store) ListMessages(ctx context.Context, db bun.IDB, orgID, conversationID string, limit int, after []string) ([]Message, error) {
	var out []Message
	q := db.NewSelect().Model(&out).Where("org_id = ? AND conversation_id = ?", orgID, conversationID).
		OrderExpr("sent_at, id").Limit(int64(limit + 1))
	if after != nil {
		t, err := time.Parse(time.RFC3339Nano, after[0])
		if err != nil {
			return nil, errs.Invalid("query.cursor", "malformed cursor")
		}
		q = q.Where("(sent_at > ? OR (sent_at = ? AND id > ?))", t, t, after[1])
	}
	return out, q.Scan(ctx)
}

// MessagesSince lists a school's messages sent from since on, in order, for
// the what-if replay.
func (Store) MessagesSince(ctx context.Context, db bun.IDB, orgID string, since time.Time) ([]Message, error) {
	var out []Message
	err := db.NewSelect().Model(&out).Where("org_id = ? AND sent_at >= ?", orgID, since).OrderExpr("sent_at, id").Scan(ctx)
	return out, err
}

// --- policies

func (Store) Policy(ctx context.Context, db bun.IDB, orgID, id string) (*Policy, error) {
	p := &Policy{}
	err := db.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return p, notFound(err, "policy")
}

func (Store) ListPolicies(ctx context.Context, db bun.IDB, orgID string) ([]Policy, error) {
	var out []Policy
	err := db.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("name").Scan(ctx)
	return out, err
}

func (Store) InsertPolicy(ctx context.Context, db bun.IDB, p *Policy) error {
	_, err := db.NewInsert().Model(p).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("a policy named %q already exists", p.Name)
	}
	return err
}

func (Store) UpdatePolicy(ctx context.Context, db bun.IDB, p *Policy, wasVersion int64) (bool, error) {
	res, err := db.NewUpdate().Model(p).WherePK().Where("version = ?", wasVersion).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (Store) PolicyVersion(ctx context.Context, db bun.IDB, orgID, id string) (*PolicyVersion, error) {
	v := &PolicyVersion{}
	err := db.NewSelect().Model(v).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return v, notFound(err, "policy version")
}

func (Store) PolicyVersions(ctx context.Context, db bun.IDB, orgID, policyID string) ([]PolicyVersion, error) {
	var out []PolicyVersion
	err := db.NewSelect().Model(&out).Where("org_id = ? AND policy_id = ?", orgID, policyID).OrderExpr("number").Scan(ctx)
	return out, err
}

// ActiveVersions lists the active version of every policy of the school,
// the highest priority first (then the oldest policy).
func (Store) ActiveVersions(ctx context.Context, db bun.IDB, orgID string) ([]PolicyVersion, error) {
	var out []PolicyVersion
	err := db.NewSelect().Model(&out).Where("org_id = ? AND status = ?", orgID, VersionActive).
		OrderExpr("priority DESC, policy_id").Scan(ctx)
	return out, err
}

func (Store) InsertPolicyVersion(ctx context.Context, db bun.IDB, v *PolicyVersion) error {
	_, err := db.NewInsert().Model(v).Exec(ctx)
	return err
}

func (Store) SetVersionStatus(ctx context.Context, db bun.IDB, v *PolicyVersion) error {
	_, err := db.NewUpdate().Model(v).Column("status", "activated_at").WherePK().Exec(ctx)
	return err
}

// --- clocks

func (Store) Clock(ctx context.Context, db bun.IDB, orgID, id string) (*Clock, error) {
	c := &Clock{}
	err := db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return c, notFound(err, "clock")
}

// OpenClock returns the conversation's open clock, or nil.
func (Store) OpenClock(ctx context.Context, db bun.IDB, orgID, conversationID string) (*Clock, error) {
	c := &Clock{}
	err := db.NewSelect().Model(c).Where("org_id = ? AND conversation_id = ? AND status = ?", orgID, conversationID, ClockOpen).
		Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

func (Store) InsertClock(ctx context.Context, db bun.IDB, c *Clock) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

// InsertClocks writes many clocks at once (bulk loads).
func (Store) InsertClocks(ctx context.Context, db bun.IDB, cs []Clock) error {
	if len(cs) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&cs).Exec(ctx)
	return err
}

// UpdateClock saves a clock whose version the caller read.
func (Store) UpdateClock(ctx context.Context, db bun.IDB, c *Clock, wasVersion int64) (bool, error) {
	res, err := db.NewUpdate().Model(c).WherePK().Where("version = ?", wasVersion).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ClockFilter narrows the live views.
type ClockFilter struct {
	CuratorID string
	DueBefore *time.Time // at risk / breached
	Limit     int
	After     []string // due_at, id
}

// OpenClocks lists open clocks, the next to breach first.
func (Store) OpenClocks(ctx context.Context, db bun.IDB, orgID string, f ClockFilter) ([]Clock, error) {
	var out []Clock
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
func (Store) ClocksStartedBetween(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]Clock, error) {
	var out []Clock
	err := db.NewSelect().Model(&out).Where("org_id = ? AND started_at >= ? AND started_at < ?", orgID, from, to).
		OrderExpr("started_at, id").Scan(ctx)
	return out, err
}

// groupCounts is one group's clock counts, as the report query returns them.
type groupCounts struct {
	Key                                               string
	Answered, Compliant, Open, OpenPastDue, Dismissed int
}

// ReportCounts counts the clocks started in [from, to) by outcome, grouped
// by column; the database aggregates, only one row per group travels.
func (Store) ReportCounts(ctx context.Context, db bun.IDB, orgID, column string, from, to, now time.Time) ([]groupCounts, error) {
	rows, err := db.NewSelect().TableExpr("sla_clocks").
		ColumnExpr("? AS grp", bun.Ident(column)).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockAnswered).
		ColumnExpr("SUM(CASE WHEN status = ? AND breached = ? THEN 1 ELSE 0 END)", ClockAnswered, false).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockOpen).
		ColumnExpr("SUM(CASE WHEN status = ? AND due_at <= ? THEN 1 ELSE 0 END)", ClockOpen, now).
		ColumnExpr("SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)", ClockDismissed).
		Where("org_id = ? AND started_at >= ? AND started_at < ?", orgID, from, to).
		GroupExpr("grp").Rows(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []groupCounts
	for rows.Next() {
		var g groupCounts
		if err := rows.Scan(&g.Key, &g.Answered, &g.Compliant, &g.Open, &g.OpenPastDue, &g.Dismissed); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ReportDurations streams the business durations of the clocks answered
// among those started in [from, to), with their group, in no particular
// order: sorting a few hundred thousand integers in Go is cheaper than a
// database sort that spills to disk.
func (Store) ReportDurations(ctx context.Context, db bun.IDB, orgID, column string, from, to time.Time, fn func(key string, seconds int64)) error {
	rows, err := db.NewSelect().TableExpr("sla_clocks").
		ColumnExpr("? AS grp", bun.Ident(column)).Column("business_seconds").
		Where("org_id = ? AND started_at >= ? AND started_at < ? AND status = ?", orgID, from, to, ClockAnswered).Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		key     string
		seconds int64
	)
	for rows.Next() {
		if err := rows.Scan(&key, &seconds); err != nil {
			return err
		}
		fn(key, seconds)
	}
	return rows.Err()
}

// DueWarnings lists open clocks whose warning time has come and that were
// not warned yet, across schools other than those in skip (schools in
// their quiet hours).
func (Store) DueWarnings(ctx context.Context, db bun.IDB, now time.Time, skip []string, limit int) ([]Clock, error) {
	var out []Clock
	q := db.NewSelect().Model(&out).Where("status = ? AND warned_at IS NULL AND warn_at <= ?", ClockOpen, now)
	if len(skip) > 0 {
		q = q.Where("org_id NOT IN (?)", bun.In(skip))
	}
	err := q.OrderExpr("warn_at").Limit(int64(limit)).Scan(ctx)
	return out, err
}

// DueBreaches lists open clocks past their due time whose breach was not
// announced yet, across schools other than those in skip.
func (Store) DueBreaches(ctx context.Context, db bun.IDB, now time.Time, skip []string, limit int) ([]Clock, error) {
	var out []Clock
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
	res, err := db.NewUpdate().TableExpr("sla_clocks").Set("warned_at = ?", now).
		Where("id = ? AND warned_at IS NULL AND status = ?", id, ClockOpen).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// MarkBreached records that an open clock passed its due time.
func (Store) MarkBreached(ctx context.Context, db bun.IDB, id string, now time.Time) error {
	_, err := db.NewUpdate().TableExpr("sla_clocks").Set("breached = ?", true).Set("updated_at = ?", now).
		Where("id = ? AND status = ? AND breached = ?", id, ClockOpen, false).Exec(ctx)
	return err
}

// ClaimBreach marks the breach announced unless someone did first.
func (Store) ClaimBreach(ctx context.Context, db bun.IDB, id string, now time.Time) (bool, error) {
	res, err := db.NewUpdate().TableExpr("sla_clocks").Set("breach_notified_at = ?", now).Set("breached = ?", true).
		Where("id = ? AND breach_notified_at IS NULL AND status = ?", id, ClockOpen).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
