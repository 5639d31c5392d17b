package hiring

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Store holds the hiring queries; they take bun.IDB so they run inside the
// caller's transaction.
type Store struct{}

// Stages returns a school's stages in board order.
func (Store) Stages(ctx context.Context, db bun.IDB, orgID string) ([]Stage, error) {
	var rows []Stage
	err := db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("position ASC, id ASC").Scan(ctx)
	return rows, err
}

func (Store) InsertStages(ctx context.Context, db bun.IDB, rows []Stage) error {
	_, err := db.NewInsert().Model(&rows).On("CONFLICT (org_id, key) DO NOTHING").Exec(ctx)
	return err
}

func (Store) InsertStage(ctx context.Context, db bun.IDB, st *Stage) error {
	_, err := db.NewInsert().Model(st).Exec(ctx)
	return err
}

func (Store) Stage(ctx context.Context, db bun.IDB, orgID, id string) (*Stage, error) {
	st := new(Stage)
	return st, database.ScanOne(ctx, db.NewSelect().Model(st).Where("org_id = ? AND id = ?", orgID, id), "stage")
}

func (Store) UpdateStage(ctx context.Context, db bun.IDB, st *Stage, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, st, wasVersion, "title", "position", "active", "updated_at", "version")
}

// Reasons returns a school's rejection reasons by code.
func (Store) Reasons(ctx context.Context, db bun.IDB, orgID string) ([]RejectionReason, error) {
	var rows []RejectionReason
	err := db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("code ASC").Scan(ctx)
	return rows, err
}

func (Store) InsertReasons(ctx context.Context, db bun.IDB, rows []RejectionReason) error {
	_, err := db.NewInsert().Model(&rows).On("CONFLICT (org_id, code) DO NOTHING").Exec(ctx)
	return err
}

func (Store) InsertReason(ctx context.Context, db bun.IDB, r *RejectionReason) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	return err
}

func (Store) Reason(ctx context.Context, db bun.IDB, orgID, id string) (*RejectionReason, error) {
	r := new(RejectionReason)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id), "rejection reason")
}

func (Store) UpdateReason(ctx context.Context, db bun.IDB, r *RejectionReason, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, r, wasVersion, "title", "active", "updated_at", "version")
}

func (Store) InsertVacancy(ctx context.Context, db bun.IDB, v *Vacancy) error {
	_, err := db.NewInsert().Model(v).Exec(ctx)
	return err
}

func (Store) Vacancy(ctx context.Context, db bun.IDB, orgID, id string) (*Vacancy, error) {
	v := new(Vacancy)
	return v, database.ScanOne(ctx, db.NewSelect().Model(v).Where("org_id = ? AND id = ?", orgID, id), "vacancy")
}

// VacancyFilter narrows the vacancy listing.
type VacancyFilter struct {
	Status  string
	AfterID string
	Limit   int
}

func (Store) ListVacancies(ctx context.Context, db bun.IDB, orgID string, f VacancyFilter) ([]Vacancy, error) {
	var rows []Vacancy
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID), database.Eq("status", f.Status))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

func (Store) UpdateVacancy(ctx context.Context, db bun.IDB, v *Vacancy, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, v, wasVersion, "title", "course_id", "cohort_id", "focus", "headcount", "pay_scheme",
		"status", "criteria", "updated_at", "version")
}

func (Store) InsertCandidate(ctx context.Context, db bun.IDB, c *Candidate) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

func (Store) Candidate(ctx context.Context, db bun.IDB, orgID, id string) (*Candidate, error) {
	c := new(Candidate)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id), "candidate")
}

// LockCandidate reads a candidate for a change; on PostgreSQL the row stays
// locked until the transaction ends.
func (Store) LockCandidate(ctx context.Context, db bun.IDB, orgID, id string) (*Candidate, error) {
	c := new(Candidate)
	return c, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id)), "candidate")
}

// CandidateFilter narrows the candidate listing and the reserve search.
type CandidateFilter struct {
	Source    string
	InReserve *bool
	Tag       string
	MinScore  *int
	// RecontactBy keeps candidates whose recontact date is on or before it
	// (a date, YYYY-MM-DD).
	RecontactBy string
	AfterID     string
	Limit       int
}

func (Store) ListCandidates(ctx context.Context, db bun.IDB, orgID string, f CandidateFilter) ([]Candidate, error) {
	var rows []Candidate
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ? AND erased_at IS NULL", orgID), database.Eq("source", f.Source))
	if f.InReserve != nil {
		q = q.Where("in_reserve = ?", *f.InReserve)
	}
	if f.Tag != "" {
		q = q.Where("reserve_tags LIKE ?", "%,"+f.Tag+",%")
	}
	if f.MinScore != nil {
		q = q.Where("best_test_percent >= ?", *f.MinScore)
	}
	if f.RecontactBy != "" {
		q = q.Where("recontact_on <= ?", f.RecontactBy)
	}
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// CandidatesByID returns the candidates with the given ids.
func (Store) CandidatesByID(ctx context.Context, db bun.IDB, orgID string, ids []string) ([]Candidate, error) {
	var rows []Candidate
	if len(ids) == 0 {
		return rows, nil
	}
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx)
	return rows, err
}

func (Store) UpdateCandidate(ctx context.Context, db bun.IDB, c *Candidate, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, c, wasVersion, "full_name", "email", "phone", "telegram", "source", "cv_url",
		"consent_expires_at", "in_reserve", "reserve_tags", "recontact_on", "best_test_percent", "notes", "erased_at",
		"updated_at", "version")
}

// ConsentExpired returns up to limit candidates, of every school, whose
// consent ran out before now and who are not erased yet, locked on
// PostgreSQL (skipping rows another replica is erasing).
func (Store) ConsentExpired(ctx context.Context, db bun.IDB, now time.Time, limit int) ([]Candidate, error) {
	var rows []Candidate
	q := db.NewSelect().Model(&rows).Where("erased_at IS NULL AND consent_expires_at <= ?", now).OrderExpr("id ASC").Limit(int64(limit))
	return rows, database.ForUpdateSkipLocked(q).Scan(ctx)
}

func (Store) InsertConsent(ctx context.Context, db bun.IDB, c *Consent) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	return err
}

func (Store) Consents(ctx context.Context, db bun.IDB, orgID, candidateID string) ([]Consent, error) {
	var rows []Consent
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND candidate_id = ?", orgID, candidateID).OrderExpr("id ASC").Scan(ctx)
	return rows, err
}

// VacanciesByID returns the vacancies with the given ids.
func (Store) VacanciesByID(ctx context.Context, db bun.IDB, orgID string, ids []string) ([]Vacancy, error) {
	var rows []Vacancy
	if len(ids) == 0 {
		return rows, nil
	}
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx)
	return rows, err
}
