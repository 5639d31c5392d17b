package homework

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// openWhere is the partial-index predicate of the queue indexes; queries
// spell it exactly so that the planner uses them.
const openWhere = "status IN " + openStatusesSQL

func (Store) InsertSubmission(ctx context.Context, db bun.IDB, sub *Submission) error {
	_, err := db.NewInsert().Model(sub).Exec(ctx)
	return err
}

func (Store) Submission(ctx context.Context, db bun.IDB, orgID, id string) (*Submission, error) {
	sub := new(Submission)
	return sub, database.ScanOne(ctx, db.NewSelect().Model(sub).Where("org_id = ? AND id = ?", orgID, id), "submission")
}

// LockSubmission reads a submission for a change; on PostgreSQL the row
// stays locked until the transaction ends.
func (Store) LockSubmission(ctx context.Context, db bun.IDB, orgID, id string) (*Submission, error) {
	sub := new(Submission)
	return sub, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(sub).Where("org_id = ? AND id = ?", orgID, id)), "submission")
}

func (Store) SubmissionByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Submission, error) {
	sub := new(Submission)
	return sub, database.ScanOne(ctx, db.NewSelect().Model(sub).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "submission")
}

// LatestAttempt is the student's last submission of the assignment.
func (Store) LatestAttempt(ctx context.Context, db bun.IDB, orgID, studentID, assignmentID string) (*Submission, error) {
	sub := new(Submission)
	return sub, database.ScanOne(ctx, db.NewSelect().Model(sub).Where("org_id = ? AND student_id = ? AND assignment_id = ?", orgID, studentID, assignmentID).
		OrderExpr("attempt DESC"), "submission")
}

// OpenInQueue counts the open items in a curator's own queue.
func (Store) OpenInQueue(ctx context.Context, db bun.IDB, orgID, curatorID string) (int, error) {
	n, err := db.NewSelect().Model((*Submission)(nil)).Where("org_id = ? AND queue_curator_id = ?", orgID, curatorID).Where(openWhere).Count(ctx)
	return int(n), err
}

// UpdateSubmission writes cols of sub if the row is still at wasVersion.
func (Store) UpdateSubmission(ctx context.Context, db bun.IDB, sub *Submission, wasVersion int64, cols ...string) (bool, error) {
	res, err := db.NewUpdate().Model(sub).Column(cols...).Where("org_id = ? AND id = ? AND version = ?", sub.OrgID, sub.ID, wasVersion).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Candidate predicates: the literals match the partial indexes.
const (
	freeWhere    = "status = 'queued'"
	expiredWhere = "status = 'in_review' AND lease_expires_at < ?"
)

// FreeCandidate selects the most urgent free item matching where:
// overdue items have the earliest due times, so one order serves both
// rules. On PostgreSQL it locks the row and skips rows other claimers hold.
func (Store) FreeCandidate(db bun.IDB, orgID string, where string, args ...any) *bun.SelectQuery {
	return lockCandidate(db.NewSelect().Model((*Submission)(nil)).Column("id").
		Where("org_id = ?", orgID).Where(freeWhere).Where(where, args...).OrderExpr("due_at ASC, id ASC"))
}

// ExpiredCandidate selects the item matching where whose lease ran out
// first: such an item is back in the queue, ahead of untouched ones.
func (Store) ExpiredCandidate(db bun.IDB, orgID string, now time.Time, where string, args ...any) *bun.SelectQuery {
	return lockCandidate(db.NewSelect().Model((*Submission)(nil)).Column("id").
		Where("org_id = ?", orgID).Where(expiredWhere, now).Where(where, args...).OrderExpr("lease_expires_at ASC, id ASC"))
}

func lockCandidate(q *bun.SelectQuery) *bun.SelectQuery {
	q = q.Limit(1)
	if database.IsPostgres(q.DB()) {
		q = q.For("UPDATE SKIP LOCKED")
	}
	return q
}

// ClaimFirst gives who the first item the candidate queries find, tried
// in order, in one statement: UPDATE … WHERE id = COALESCE((SELECT … FOR
// UPDATE SKIP LOCKED), …) AND <the item is free> RETURNING *. COALESCE
// stops at the first query that finds an item, on both databases. On
// PostgreSQL the chosen row is locked by the subquery until the statement
// commits, so no other claimer can take it; on SQLite the statement runs
// under the write lock. The free condition is checked again by the update
// itself. It returns nil when no candidate finds an item.
func (Store) ClaimFirst(ctx context.Context, db bun.IDB, orgID, who string, now, until time.Time, candidates ...*bun.SelectQuery) (*Submission, error) {
	args := make([]any, len(candidates))
	marks := make([]string, len(candidates))
	for i, c := range candidates {
		args[i], marks[i] = c, "(?)"
	}
	target := "id = " + marks[0]
	if len(candidates) > 1 {
		target = "id = COALESCE(" + strings.Join(marks, ", ") + ")"
	}
	return takeLease(ctx, db.NewUpdate().Where(target, args...), orgID, who, now, until)
}

// TakeLease gives the item to who unless someone holds a live lease on
// it; the condition is re-checked here so that the claim stays exclusive
// even if the candidate query were wrong. A draft survives only when the
// same reviewer takes the item back. It returns nil when the item was not
// free.
func (Store) TakeLease(ctx context.Context, db bun.IDB, orgID, id, who string, now, until time.Time) (*Submission, error) {
	return takeLease(ctx, db.NewUpdate().Where("id = ?", id), orgID, who, now, until)
}

func takeLease(ctx context.Context, q *bun.UpdateQuery, orgID, who string, now, until time.Time) (*Submission, error) {
	sub := new(Submission)
	res, err := q.Model(sub).
		Set("draft = CASE WHEN claimed_by = ? THEN draft ELSE NULL END", who).
		Set("status = ?", StatusInReview).Set("claimed_by = ?", who).Set("claimed_at = ?", now).
		Set("lease_expires_at = ?", until).Set("updated_at = ?", now).Set("version = version + 1").
		Where("org_id = ?", orgID).
		Where("("+freeWhere+" OR ("+expiredWhere+"))", now).
		Returning("*").Exec(ctx, sub)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, err
	}
	return sub, nil
}

func (Store) Settings(ctx context.Context, db bun.IDB, orgID string) (*Settings, error) {
	st := new(Settings)
	err := database.ScanOne(ctx, db.NewSelect().Model(st).Where("org_id = ?", orgID), "settings")
	if errors.Is(err, errs.ErrNotFound) {
		return DefaultSettings(orgID), nil
	}
	return st, err
}

// SaveSettings inserts a school's first settings or updates them at
// wasVersion.
func (Store) SaveSettings(ctx context.Context, db bun.IDB, st *Settings, wasVersion int64) (bool, error) {
	res, err := db.NewUpdate().Model(st).ExcludeColumn("org_id").Where("org_id = ? AND version = ?", st.OrgID, wasVersion).Exec(ctx)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	if wasVersion != 1 {
		return false, nil
	}
	_, err = db.NewInsert().Model(st).On("CONFLICT (org_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, err
	}
	return true, nil
}

func (Store) InsertReview(ctx context.Context, db bun.IDB, r *Review) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	return err
}

func (Store) Review(ctx context.Context, db bun.IDB, orgID, id string) (*Review, error) {
	r := new(Review)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id), "review")
}

// Reviews lists a submission's verdicts, oldest first.
func (Store) Reviews(ctx context.Context, db bun.IDB, orgID, submissionID string) ([]Review, error) {
	var rows []Review
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND submission_id = ?", orgID, submissionID).OrderExpr("created_at ASC, id ASC").Scan(ctx)
}

// PendingSamples lists sampled reviews nobody has checked yet, oldest
// first, after the id afterID.
func (Store) PendingSamples(ctx context.Context, db bun.IDB, orgID, afterID string, limit int) ([]Review, error) {
	var rows []Review
	q := db.NewSelect().Model(&rows).Where("org_id = ? AND sampled AND kind = ?", orgID, KindReview).
		Where("NOT EXISTS (SELECT 1 FROM homework_quality_checks q WHERE q.review_id = review.id)").
		OrderExpr("id ASC").Limit(int64(limit))
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	return rows, q.Scan(ctx)
}

func (Store) InsertQualityCheck(ctx context.Context, db bun.IDB, q *QualityCheck) error {
	_, err := db.NewInsert().Model(q).Exec(ctx)
	return err
}

func (Store) QualityChecks(ctx context.Context, db bun.IDB, orgID, month string) ([]QualityCheck, error) {
	var rows []QualityCheck
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND month = ?", orgID, month).OrderExpr("id ASC").Scan(ctx)
}
