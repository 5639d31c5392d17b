package cases

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/privacy"
)

func (Store) InsertSubmission(ctx context.Context, db bun.IDB, s *Submission) error {
	_, err := db.NewInsert().Model(s).Exec(ctx)
	return err
}

func (Store) Submission(ctx context.Context, db bun.IDB, orgID, id string) (*Submission, error) {
	s := new(Submission)
	return s, database.ScanOne(ctx, db.NewSelect().Model(s).Where("org_id = ? AND id = ?", orgID, id), "case")
}

// LockSubmission reads a submission for a change; on PostgreSQL the row
// stays locked until the transaction ends.
func (Store) LockSubmission(ctx context.Context, db bun.IDB, orgID, id string) (*Submission, error) {
	s := new(Submission)
	return s, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(s).Where("org_id = ? AND id = ?", orgID, id)), "case")
}

// SubmissionByExternalID finds what the LMS sent before under the same id.
func (Store) SubmissionByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Submission, error) {
	s := new(Submission)
	return s, database.ScanOne(ctx, db.NewSelect().Model(s).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "case")
}

// UpdateSubmission writes cols of s if it is still at wasVersion.
func (Store) UpdateSubmission(ctx context.Context, db bun.IDB, s *Submission, wasVersion int64, cols ...string) (bool, error) {
	return database.UpdateVersion(ctx, db, s, wasVersion, cols...)
}

// SubmissionFilter narrows a submission listing.
type SubmissionFilter struct {
	CuratorID string // the credited curator, or "" for all
	CohortID  string
	StudentID string
	Status    string
	Source    string
	AfterID   string
	Limit     int
}

// Submissions lists submissions by id.
func (Store) Submissions(ctx context.Context, db bun.IDB, orgID string, f SubmissionFilter) ([]Submission, error) {
	var rows []Submission
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID),
		database.Eq("curator_id", f.CuratorID), database.Eq("cohort_id", f.CohortID), database.Eq("student_id", f.StudentID),
		database.Eq("status", f.Status), database.Eq("source", f.Source))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// CountedSubmissions lists the submissions counts are made of: every one
// of the school, or of a cohort, without the words.
func (Store) CountedSubmissions(ctx context.Context, db bun.IDB, orgID, cohortID string, from, to time.Time) ([]Submission, error) {
	var rows []Submission
	q := database.WhereSet(db.NewSelect().Model(&rows).
		Column("id", "request_id", "student_id", "cohort_id", "course_id", "curator_id", "has_video", "status", "submitted_at").
		Where("org_id = ?", orgID), database.Eq("cohort_id", cohortID))
	return rows, inPeriod(q, "submitted_at", from, to).Scan(ctx)
}

// CollectedBetween lists the collected submissions submitted in [from, to).
func (Store) CollectedBetween(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]Submission, error) {
	var rows []Submission
	return rows, db.NewSelect().Model(&rows).
		Column("id", "student_id", "cohort_id", "course_id", "curator_id", "has_video", "status", "submitted_at").
		Where("org_id = ? AND submitted_at >= ? AND submitted_at < ?", orgID, from, to).
		Where("status IN (?)", bun.In(collected)).OrderExpr("submitted_at ASC, id ASC").Scan(ctx)
}

// Exportable lists the approved or published submissions whose current
// consent covers scope, by id. The consent is read from the submission row
// that a withdrawal clears in its own transaction, so nothing withdrawn is
// ever listed.
func (Store) Exportable(ctx context.Context, db bun.IDB, orgID, scope, cohortID, afterID string, limit int) ([]Submission, error) {
	var rows []Submission
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID).
		Where("status IN (?)", bun.In([]string{StatusApproved, StatusPublished})).
		Where("erased_at IS NULL").Where("consent_scopes LIKE ?", "%,"+scope+",%"), database.Eq("cohort_id", cohortID))
	return rows, database.PageByID(q, afterID, limit).Scan(ctx)
}

func (Store) InsertModeration(ctx context.Context, db bun.IDB, m *Moderation) error {
	_, err := db.NewInsert().Model(m).Exec(ctx)
	return err
}

// Moderations is a submission's moderation trail, oldest first.
func (Store) Moderations(ctx context.Context, db bun.IDB, orgID, submissionID string) ([]Moderation, error) {
	var rows []Moderation
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND submission_id = ?", orgID, submissionID).OrderExpr("at ASC, id ASC").Scan(ctx)
}

func (Store) InsertConsent(ctx context.Context, db bun.IDB, c *Consent) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

// Consents is a submission's consent trail, oldest first.
func (Store) Consents(ctx context.Context, db bun.IDB, orgID, submissionID string) ([]Consent, error) {
	var rows []Consent
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND submission_id = ?", orgID, submissionID).OrderExpr("created_at ASC, id ASC").Scan(ctx)
}

// StudentSubmissions lists everything a student submitted, oldest first.
func (Store) StudentSubmissions(ctx context.Context, db bun.IDB, orgID, studentID string) ([]Submission, error) {
	var rows []Submission
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND student_id = ?", orgID, studentID).OrderExpr("submitted_at ASC, id ASC").Scan(ctx)
}

// StudentConsents lists every consent row about a student, oldest first.
func (Store) StudentConsents(ctx context.Context, db bun.IDB, orgID, studentID string) ([]Consent, error) {
	var rows []Consent
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND student_id = ?", orgID, studentID).OrderExpr("created_at ASC, id ASC").Scan(ctx)
}

// StudentRequests lists every request made to a student, oldest first.
func (Store) StudentRequests(ctx context.Context, db bun.IDB, orgID, studentID string) ([]Request, error) {
	var rows []Request
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND student_id = ?", orgID, studentID).OrderExpr("created_at ASC, id ASC").Scan(ctx)
}

// EraseStudent blanks the words, video links, excerpts and tags of a
// student's submissions and the guardians' names on their consents; the
// rows stay, so counts do not change. Erased items leave every export
// with their consent.
func (Store) EraseStudent(ctx context.Context, db bun.IDB, orgID, studentID string, at time.Time) error {
	_, err := db.NewUpdate().Model((*Submission)(nil)).
		Set("body = NULL, video_url = NULL, before_text = NULL, after_text = NULL, excerpt = NULL, tags = '', consent_scopes = ''").
		Set("erased_at = ?, updated_at = ?, version = version + 1", at, at).
		Where("org_id = ? AND student_id = ? AND erased_at IS NULL", orgID, studentID).Exec(ctx)
	if err != nil {
		return err
	}
	_, err = db.NewUpdate().Model((*Consent)(nil)).Set("guardian_name = ?", privacy.Replacement).
		Where("org_id = ? AND student_id = ? AND guardian_name IS NOT NULL AND guardian_name <> ?", orgID, studentID, privacy.Replacement).Exec(ctx)
	return err
}

// LockThrottle reads (creating it at now) the counter of key for a change.
func (Store) LockThrottle(ctx context.Context, db bun.IDB, key string, now time.Time) (*linkThrottle, error) {
	if _, err := db.NewInsert().Model(&linkThrottle{Key: key, WindowStartedAt: now}).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return nil, err
	}
	row := new(linkThrottle)
	return row, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(row).Where("key = ?", key)), "throttle")
}

// SaveThrottle writes a counter back.
func (Store) SaveThrottle(ctx context.Context, db bun.IDB, row *linkThrottle) error {
	_, err := db.NewUpdate().Model(row).Column("hits", "window_started_at").WherePK().Exec(ctx)
	return err
}
