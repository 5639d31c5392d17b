package kb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// InsertAcknowledgment appends one; a second acknowledgment of the same
// revision by the same person is a conflict.
func (Store) InsertAcknowledgment(ctx context.Context, db bun.IDB, a *Acknowledgment) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("you have already acknowledged this revision; acknowledgments cannot be changed")
	}
	return err
}

func (Store) Acknowledgment(ctx context.Context, db bun.IDB, orgID, id string) (*Acknowledgment, error) {
	a := new(Acknowledgment)
	return a, database.ScanOne(ctx, db.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id), "acknowledgment")
}

// AckFilter narrows a listing of acknowledgments.
type AckFilter struct {
	ArticleID  string
	RevisionID string
	UserID     string
	Limit      int
	BeforeID   string
}

// Acknowledgments returns up to f.Limit+1 acknowledgments, newest first.
func (Store) Acknowledgments(ctx context.Context, db bun.IDB, orgID string, f AckFilter) ([]Acknowledgment, error) {
	var rows []Acknowledgment
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q,
		database.Eq("article_id", f.ArticleID),
		database.Eq("ack_revision_id", f.RevisionID),
		database.Eq("user_id", f.UserID),
	)
	if f.BeforeID != "" {
		q = q.Where("id < ?", f.BeforeID)
	}
	return rows, q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// AcknowledgmentsOf loads the acknowledgments of the given required
// revisions, of one person when userID is set.
func (Store) AcknowledgmentsOf(ctx context.Context, db bun.IDB, orgID string, ackRevisionIDs []string, userID string) ([]Acknowledgment, error) {
	var rows []Acknowledgment
	if len(ackRevisionIDs) == 0 {
		return rows, nil
	}
	q := db.NewSelect().Model(&rows).Where("org_id = ? AND ack_revision_id IN (?)", orgID, bun.In(ackRevisionIDs))
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	return rows, q.Scan(ctx)
}

// --- quiz attempts

func (Store) InsertAttempt(ctx context.Context, db bun.IDB, a *QuizAttempt) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	return err
}

// AttemptTimesSince returns when a person made their attempts on a required
// revision after since, oldest first: what the attempt limit counts.
func (Store) AttemptTimesSince(ctx context.Context, db bun.IDB, orgID, revisionID, userID string, since time.Time) ([]time.Time, error) {
	var times []time.Time
	err := db.NewSelect().TableExpr("kb_quiz_attempts").Column("created_at").
		Where("org_id = ? AND revision_id = ? AND user_id = ? AND created_at > ?", orgID, revisionID, userID, since.UTC()).
		OrderExpr("created_at ASC").Scan(ctx, &times)
	return times, err
}

// Attempts lists a person's attempts at an article's quiz, newest first.
func (Store) Attempts(ctx context.Context, db bun.IDB, orgID, articleID, userID string) ([]QuizAttempt, error) {
	var rows []QuizAttempt
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND article_id = ? AND user_id = ?", orgID, articleID, userID).
		OrderExpr("id DESC").Scan(ctx)
	return rows, err
}

// PassedAttempt returns the person's latest passed attempt on a required
// revision, or nil.
func (Store) PassedAttempt(ctx context.Context, db bun.IDB, orgID, revisionID, userID string) (*QuizAttempt, error) {
	a := new(QuizAttempt)
	err := db.NewSelect().Model(a).Where("org_id = ? AND revision_id = ? AND user_id = ? AND passed = ?", orgID, revisionID, userID, true).
		OrderExpr("id DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// PassedRevisions returns, of the given revisions, those the person has
// passed the quiz of.
func (Store) PassedRevisions(ctx context.Context, db bun.IDB, orgID, userID string, revisionIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(revisionIDs) == 0 {
		return out, nil
	}
	var ids []string
	err := db.NewSelect().Model((*QuizAttempt)(nil)).ColumnExpr("DISTINCT revision_id").
		Where("org_id = ? AND user_id = ? AND passed = ? AND revision_id IN (?)", orgID, userID, true, bun.In(revisionIDs)).Scan(ctx, &ids)
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// --- reminders

// InsertReminder records a reminder unless one was already sent for the
// person and revision; it reports whether it did.
func (Store) InsertReminder(ctx context.Context, db bun.IDB, r *Reminder) (bool, error) {
	res, err := db.NewInsert().Model(r).On("CONFLICT (user_id, revision_id) DO NOTHING").Exec(ctx)
	return database.AffectedOne(res, err)
}

// ReminderFilter narrows a listing of reminders.
type ReminderFilter struct {
	ArticleID string
	UserID    string
	Limit     int
	BeforeID  string
}

// Reminders returns up to f.Limit+1 reminders, newest first.
func (Store) Reminders(ctx context.Context, db bun.IDB, orgID string, f ReminderFilter) ([]Reminder, error) {
	var rows []Reminder
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("article_id", f.ArticleID), database.Eq("user_id", f.UserID))
	if f.BeforeID != "" {
		q = q.Where("id < ?", f.BeforeID)
	}
	return rows, q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
}
