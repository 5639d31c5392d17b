package quality

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Store holds the quality queries. Every query filters by school; every
// method takes bun.IDB, so that it runs in the caller's transaction.
type Store struct{}

// --- settings

// Settings returns the school's settings, or the defaults (version 0) when
// it never saved any.
func (Store) Settings(ctx context.Context, db bun.IDB, orgID string) (*Settings, error) {
	s := &Settings{}
	err := db.NewSelect().Model(s).Where("org_id = ?", orgID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return &Settings{OrgID: orgID, ReviewsPerWeek: DefaultReviewsPerWeek, NewcomerReviewsPerWeek: DefaultNewcomerReviewsPerWeek}, nil
	}
	return s, err
}

// SaveSettings inserts or updates the settings while they are still at
// wasVersion (0: never saved).
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

// --- scorecards

func (Store) Scorecard(ctx context.Context, db bun.IDB, orgID, id string) (*Scorecard, error) {
	c := &Scorecard{}
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id), "scorecard")
}

// Scorecards lists the school's scorecards by name.
func (Store) Scorecards(ctx context.Context, db bun.IDB, orgID string) ([]Scorecard, error) {
	var out []Scorecard
	return out, db.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("name, id").Scan(ctx)
}

func (Store) InsertScorecard(ctx context.Context, db bun.IDB, c *Scorecard) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

// UpdateScorecard saves a scorecard while it is still at wasVersion.
func (Store) UpdateScorecard(ctx context.Context, db bun.IDB, c *Scorecard, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, c, wasVersion)
}

func (Store) ScorecardVersion(ctx context.Context, db bun.IDB, orgID, id string) (*ScorecardVersion, error) {
	v := &ScorecardVersion{}
	return v, database.ScanOne(ctx, db.NewSelect().Model(v).Where("org_id = ? AND id = ?", orgID, id), "scorecard version")
}

// ScorecardVersions lists the versions of the scorecards, by scorecard
// and number.
func (Store) ScorecardVersions(ctx context.Context, db bun.IDB, orgID string, scorecardIDs []string) ([]ScorecardVersion, error) {
	var out []ScorecardVersion
	if len(scorecardIDs) == 0 {
		return out, nil
	}
	return out, db.NewSelect().Model(&out).Where("org_id = ? AND scorecard_id IN (?)", orgID, bun.In(scorecardIDs)).
		OrderExpr("scorecard_id, number").Scan(ctx)
}

// VersionsByID returns the versions with the ids, by id.
func (Store) VersionsByID(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]*ScorecardVersion, error) {
	out := map[string]*ScorecardVersion{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []ScorecardVersion
	if err := db.NewSelect().Model(&rows).Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// InsertVersion adds a version; a number the scorecard already has is a
// unique violation.
func (Store) InsertVersion(ctx context.Context, db bun.IDB, v *ScorecardVersion) error {
	_, err := db.NewInsert().Model(v).Exec(ctx)
	return err
}

// SetVersionStatus moves a version along draft → active → superseded; the
// criteria are never written again.
func (Store) SetVersionStatus(ctx context.Context, db bun.IDB, v *ScorecardVersion) error {
	_, err := db.NewUpdate().Model(v).Column("status", "activated_at").WherePK().Exec(ctx)
	return err
}

// --- sampling runs, calibrations and assignments

// RunOn returns the school's sample of day, or nil.
func (Store) RunOn(ctx context.Context, db bun.IDB, orgID, day string) (*SampleRun, error) {
	r := &SampleRun{}
	err := db.NewSelect().Model(r).Where("org_id = ? AND day = ?", orgID, day).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

func (Store) InsertRun(ctx context.Context, db bun.IDB, r *SampleRun) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	return err
}

func (Store) Calibration(ctx context.Context, db bun.IDB, orgID, id string) (*Calibration, error) {
	c := &Calibration{}
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id), "calibration")
}

// Calibrations lists a page of the school's calibration rounds, the newest
// first.
func (Store) Calibrations(ctx context.Context, db bun.IDB, orgID, beforeID string, limit int) ([]Calibration, error) {
	var out []Calibration
	q := db.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("id DESC").Limit(int64(limit))
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	return out, q.Scan(ctx)
}

func (Store) InsertCalibration(ctx context.Context, db bun.IDB, c *Calibration) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

// assignments selects assignments with whether each has been reviewed.
func assignments(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("a.*").
		ColumnExpr("EXISTS (SELECT 1 FROM quality_reviews r WHERE r.assignment_id = a.id AND r.kind = ?) AS reviewed", ReviewOriginal)
}

func (Store) Assignment(ctx context.Context, db bun.IDB, orgID, id string) (*Assignment, error) {
	a := &Assignment{}
	return a, database.ScanOne(ctx, assignments(db, a).ModelTableExpr("quality_assignments AS a").
		Where("a.org_id = ? AND a.id = ?", orgID, id), "assignment")
}

// AssignmentFilter narrows a list of assignments.
type AssignmentFilter struct {
	ReviewerID    string
	CuratorID     string
	Day           string
	CalibrationID string
	Status        string // "open", "reviewed" or empty
	AfterID       string
	Limit         int
}

// Assignments lists assignments, oldest first.
func (Store) Assignments(ctx context.Context, db bun.IDB, orgID string, f AssignmentFilter) ([]Assignment, error) {
	var out []Assignment
	q := assignments(db, &out).ModelTableExpr("quality_assignments AS a").Where("a.org_id = ?", orgID).OrderExpr("a.id")
	q = database.WhereSet(q, database.Eq("a.reviewer_id", f.ReviewerID), database.Eq("a.curator_id", f.CuratorID),
		database.Eq("a.day", f.Day), database.Eq("a.calibration_id", f.CalibrationID))
	switch f.Status {
	case "open":
		q = q.Where("NOT EXISTS (SELECT 1 FROM quality_reviews r WHERE r.assignment_id = a.id AND r.kind = ?)", ReviewOriginal)
	case "reviewed":
		q = q.Where("EXISTS (SELECT 1 FROM quality_reviews r WHERE r.assignment_id = a.id AND r.kind = ?)", ReviewOriginal)
	}
	if f.AfterID != "" {
		q = q.Where("a.id > ?", f.AfterID)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	return out, q.Scan(ctx)
}

// InsertAssignments writes assignments; one the reviewer already has for
// the same conversation, curator and day is a unique violation.
func (Store) InsertAssignments(ctx context.Context, db bun.IDB, as []Assignment) error {
	if len(as) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&as).Exec(ctx)
	return err
}

// --- reviews

func (Store) Review(ctx context.Context, db bun.IDB, orgID, id string) (*Review, error) {
	r := &Review{}
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id), "review")
}

// LockReview reads a review and, on PostgreSQL, locks it, so that two
// answers to it queue.
func (Store) LockReview(ctx context.Context, db bun.IDB, orgID, id string) (*Review, error) {
	r := &Review{}
	return r, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id)), "review")
}

// ReviewFilter narrows a list of reviews.
type ReviewFilter struct {
	CuratorID     string
	ReviewerID    string
	CalibrationID string
	AssignmentID  string
	From, To      *time.Time // answered_at
	Disputed      bool       // only reviews disputed and not settled yet
	BeforeID      string
	Limit         int
}

// Reviews lists reviews, the newest first.
func (Store) Reviews(ctx context.Context, db bun.IDB, orgID string, f ReviewFilter) ([]Review, error) {
	var out []Review
	q := db.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("id DESC")
	q = database.WhereSet(q, database.Eq("curator_id", f.CuratorID), database.Eq("reviewer_id", f.ReviewerID),
		database.Eq("calibration_id", f.CalibrationID), database.Eq("assignment_id", f.AssignmentID))
	if f.From != nil {
		q = q.Where("answered_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("answered_at < ?", *f.To)
	}
	if f.Disputed {
		q = q.Where("id IN (SELECT review_id FROM quality_responses WHERE org_id = ? AND kind = ?)", orgID, ResponseDisputed).
			Where("id NOT IN (SELECT review_id FROM quality_settlements WHERE org_id = ?)", orgID)
	}
	if f.BeforeID != "" {
		q = q.Where("id < ?", f.BeforeID)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	return out, q.Scan(ctx)
}

// ScoringReviews lists the reviews that count towards quality scores of
// conversations answered in [from, to): the current word on each sampled
// or hand-picked conversation (a revision replaces the review it
// revises), calibration rounds left out. curatorID narrows to one curator
// when set.
func (Store) ScoringReviews(ctx context.Context, db bun.IDB, orgID, curatorID string, from, to time.Time) ([]Review, error) {
	var out []Review
	q := db.NewSelect().Model(&out).ModelTableExpr("quality_reviews AS r").ColumnExpr("r.*").
		Where("r.org_id = ? AND r.calibration_id IS NULL AND r.answered_at >= ? AND r.answered_at < ?", orgID, from, to).
		Where("NOT EXISTS (SELECT 1 FROM quality_reviews n WHERE n.revises_review_id = r.id)").
		OrderExpr("r.curator_id, r.answered_at, r.id")
	q = database.WhereSet(q, database.Eq("r.curator_id", curatorID))
	return out, q.Scan(ctx)
}

func (Store) InsertReview(ctx context.Context, db bun.IDB, r *Review, scores []Score) error {
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		return err
	}
	if len(scores) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&scores).Exec(ctx)
	return err
}

// ScoresOf returns the scores of the reviews, by review id in criterion
// order.
func (Store) ScoresOf(ctx context.Context, db bun.IDB, orgID string, reviewIDs []string) (map[string][]Score, error) {
	out := map[string][]Score{}
	if len(reviewIDs) == 0 {
		return out, nil
	}
	var rows []Score
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND review_id IN (?)", orgID, bun.In(reviewIDs)).
		OrderExpr("review_id, position").Scan(ctx)
	for _, s := range rows {
		out[s.ReviewID] = append(out[s.ReviewID], s)
	}
	return out, err
}

// RevisionsOf returns the revisions of the reviews, by revised review id.
func (Store) RevisionsOf(ctx context.Context, db bun.IDB, orgID string, reviewIDs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(reviewIDs) == 0 {
		return out, nil
	}
	var rows []Review
	err := db.NewSelect().Model(&rows).Column("id", "revises_review_id").
		Where("org_id = ? AND revises_review_id IN (?)", orgID, bun.In(reviewIDs)).Scan(ctx)
	for _, r := range rows {
		out[*r.RevisesReviewID] = r.ID
	}
	return out, err
}

// --- responses and settlements

func (Store) InsertResponse(ctx context.Context, db bun.IDB, r *Response) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	return err
}

// ResponsesOf returns the curator's answers to the reviews, by review id.
func (Store) ResponsesOf(ctx context.Context, db bun.IDB, orgID string, reviewIDs []string) (map[string]*Response, error) {
	out := map[string]*Response{}
	if len(reviewIDs) == 0 {
		return out, nil
	}
	var rows []Response
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND review_id IN (?)", orgID, bun.In(reviewIDs)).Scan(ctx)
	for i := range rows {
		out[rows[i].ReviewID] = &rows[i]
	}
	return out, err
}

func (Store) InsertSettlement(ctx context.Context, db bun.IDB, s *Settlement) error {
	_, err := db.NewInsert().Model(s).Exec(ctx)
	return err
}

// SettlementsOf returns the settlements of the reviews, by review id.
func (Store) SettlementsOf(ctx context.Context, db bun.IDB, orgID string, reviewIDs []string) (map[string]*Settlement, error) {
	out := map[string]*Settlement{}
	if len(reviewIDs) == 0 {
		return out, nil
	}
	var rows []Settlement
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND review_id IN (?)", orgID, bun.In(reviewIDs)).Scan(ctx)
	for i := range rows {
		out[rows[i].ReviewID] = &rows[i]
	}
	return out, err
}

// SampledOn counts each curator's sampled assignments on the days.
func (Store) SampledOn(ctx context.Context, db bun.IDB, orgID string, days []string) (map[string]int, error) {
	out := map[string]int{}
	if len(days) == 0 {
		return out, nil
	}
	var rows []struct {
		CuratorID string `bun:"curator_id"`
		N         int    `bun:"n"`
	}
	err := db.NewSelect().TableExpr("quality_assignments").ColumnExpr("curator_id, COUNT(*) AS n").
		Where("org_id = ? AND source = ? AND day IN (?)", orgID, SourceSample, bun.In(days)).GroupExpr("curator_id").Scan(ctx, &rows)
	for _, r := range rows {
		out[r.CuratorID] = r.N
	}
	return out, err
}

// OrgsWithScorecards lists the schools that have a scorecard: those that
// use conversation quality control and get a daily sample.
func (Store) OrgsWithScorecards(ctx context.Context, db bun.IDB) ([]string, error) {
	var out []string
	err := db.NewSelect().Model((*Scorecard)(nil)).ColumnExpr("DISTINCT org_id").OrderExpr("org_id").Scan(ctx, &out)
	return out, err
}
