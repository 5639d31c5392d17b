package sla

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/privacy"
)

// Store holds the SLA queries. Every query filters by school; every method
// takes bun.IDB, so that it runs in the caller's transaction.
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
	return database.UpdateVersion(ctx, db, s, wasVersion)
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

// EraseStudentTexts blanks the non-empty texts of every message of the
// student's conversations, in both directions.
func (Store) EraseStudentTexts(ctx context.Context, db bun.IDB, orgID, studentID string) error {
	_, err := db.NewUpdate().TableExpr("sla_messages").Set("text = ?", privacy.Replacement).
		Where("org_id = ? AND text <> ''", orgID).
		Where("conversation_id IN (?)", db.NewSelect().TableExpr("sla_conversations").Column("id").
			Where("org_id = ? AND student_id = ?", orgID, studentID)).
		Exec(ctx)
	return err
}
