package sla

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// AnsweredClocksBetween lists the clocks a person answered in [from, to),
// by conversation, responder and time.
func (Store) AnsweredClocksBetween(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]ResponseClock, error) {
	var out []ResponseClock
	err := db.NewSelect().Model(&out).
		Where("org_id = ? AND status = ? AND responder_id IS NOT NULL AND stopped_at >= ? AND stopped_at < ?", orgID, ClockAnswered, from, to).
		OrderExpr("conversation_id, responder_id, stopped_at, id").Scan(ctx)
	return out, err
}

// AnsweredClocksOf lists the answered clocks of one conversation, oldest
// answer first.
func (Store) AnsweredClocksOf(ctx context.Context, db bun.IDB, orgID, conversationID string) ([]ResponseClock, error) {
	var out []ResponseClock
	err := db.NewSelect().Model(&out).
		Where("org_id = ? AND conversation_id = ? AND status = ? AND responder_id IS NOT NULL", orgID, conversationID, ClockAnswered).
		OrderExpr("stopped_at, id").Scan(ctx)
	return out, err
}

// ClocksTouching lists the conversation's clocks that started or stopped in
// [from, to), oldest first.
func (Store) ClocksTouching(ctx context.Context, db bun.IDB, orgID, conversationID string, from, to time.Time) ([]ResponseClock, error) {
	var out []ResponseClock
	err := db.NewSelect().Model(&out).Where("org_id = ? AND conversation_id = ?", orgID, conversationID).
		Where("((started_at >= ? AND started_at < ?) OR (stopped_at >= ? AND stopped_at < ?))", from, to, from, to).
		OrderExpr("started_at, id").Scan(ctx)
	return out, err
}

// MessagesBetween lists up to limit messages of a conversation sent in
// [from, to), in the order they were sent.
func (Store) MessagesBetween(ctx context.Context, db bun.IDB, orgID, conversationID string, from, to time.Time, limit int) ([]Message, error) {
	var out []Message
	err := db.NewSelect().Model(&out).Where("org_id = ? AND conversation_id = ? AND sent_at >= ? AND sent_at < ?", orgID, conversationID, from, to).
		OrderExpr("sent_at, id").Limit(int64(limit)).Scan(ctx)
	return out, err
}

// MessageInConversation reports whether the school's message belongs to the
// conversation.
func (Store) MessageInConversation(ctx context.Context, db bun.IDB, orgID, conversationID, messageID string) (bool, error) {
	return db.NewSelect().TableExpr("sla_messages").Where("org_id = ? AND conversation_id = ? AND id = ?", orgID, conversationID, messageID).
		Exists(ctx)
}
