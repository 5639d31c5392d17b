package homework

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Store holds the homework queries; they take bun.IDB so they run inside
// the caller's transaction.
type Store struct{}

// openWhere is the partial-index predicate of the queue indexes; queries
// spell it exactly so that the planner uses them.
const openWhere = "status IN ('queued', 'in_review')"

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
	return database.UpdateVersion(ctx, db, sub, wasVersion, cols...)
}

// LockOverdue reads up to limit open submissions of every school that
// were due before now and have not been announced as overdue, earliest
// first. On PostgreSQL it locks them and skips rows another replica holds.
func (Store) LockOverdue(ctx context.Context, db bun.IDB, now time.Time, limit int) ([]Submission, error) {
	var rows []Submission
	q := db.NewSelect().Model(&rows).Where(openWhere).Where("due_at < ? AND overdue_published_at IS NULL", now).
		OrderExpr("due_at ASC").Limit(int64(limit))
	return rows, database.ForUpdateSkipLocked(q).Scan(ctx)
}

// MarkOverduePublished records that homework.overdue went out for ids.
func (Store) MarkOverduePublished(ctx context.Context, db bun.IDB, ids []string, at time.Time) error {
	_, err := db.NewUpdate().Model((*Submission)(nil)).Set("overdue_published_at = ?", at).Where("id IN (?)", bun.In(ids)).Exec(ctx)
	return err
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

// CuratorQualityChecks lists the checks of a curator's reviews made at or
// after since, oldest first.
func (Store) CuratorQualityChecks(ctx context.Context, db bun.IDB, orgID, curatorID string, since time.Time) ([]QualityCheck, error) {
	var rows []QualityCheck
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND curator_id = ? AND created_at >= ?", orgID, curatorID, since.UTC()).
		OrderExpr("created_at ASC, id ASC").Scan(ctx)
}
