package hiring

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

func (Store) InsertApplication(ctx context.Context, db bun.IDB, a *Application) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	return err
}

func (Store) Application(ctx context.Context, db bun.IDB, orgID, id string) (*Application, error) {
	a := new(Application)
	return a, database.ScanOne(ctx, db.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id), "application")
}

// LockApplication reads an application for a change; on PostgreSQL the row
// stays locked until the transaction ends.
func (Store) LockApplication(ctx context.Context, db bun.IDB, orgID, id string) (*Application, error) {
	a := new(Application)
	return a, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id)), "application")
}

// ApplicationFilter narrows the application listing.
type ApplicationFilter struct {
	VacancyID   string
	CandidateID string
	StageID     string
	Source      string
	AfterID     string
	Limit       int
}

func (Store) ListApplications(ctx context.Context, db bun.IDB, orgID string, f ApplicationFilter) ([]Application, error) {
	var rows []Application
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID),
		database.Eq("vacancy_id", f.VacancyID), database.Eq("candidate_id", f.CandidateID), database.Eq("stage_id", f.StageID),
		database.Eq("source", f.Source))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// AllApplications returns every application of a school (for the board
// and the metrics: a school has hundreds, not millions).
func (Store) AllApplications(ctx context.Context, db bun.IDB, orgID, vacancyID string) ([]Application, error) {
	var rows []Application
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID), database.Eq("vacancy_id", vacancyID))
	return rows, q.OrderExpr("id ASC").Scan(ctx)
}

func (Store) UpdateApplication(ctx context.Context, db bun.IDB, a *Application, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, a, wasVersion, "stage_id", "stage_entered_at", "updated_at", "version")
}

func (Store) InsertMove(ctx context.Context, db bun.IDB, m *StageMove) error {
	_, err := db.NewInsert().Model(m).Exec(ctx)
	return err
}

// Moves returns the stage history of one application, or of all of a
// candidate's applications when applicationID is "", oldest first.
func (Store) Moves(ctx context.Context, db bun.IDB, orgID, candidateID, applicationID string) ([]StageMove, error) {
	var rows []StageMove
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID),
		database.Eq("candidate_id", candidateID), database.Eq("application_id", applicationID))
	return rows, q.OrderExpr("moved_at ASC, id ASC").Scan(ctx)
}

// AllMoves returns a school's whole stage history, oldest first.
func (Store) AllMoves(ctx context.Context, db bun.IDB, orgID string) ([]StageMove, error) {
	var rows []StageMove
	err := db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("moved_at ASC, id ASC").Scan(ctx)
	return rows, err
}

func (Store) InsertItem(ctx context.Context, db bun.IDB, it *CalibrationItem) error {
	_, err := db.NewInsert().Model(it).Exec(ctx)
	return err
}

func (Store) Item(ctx context.Context, db bun.IDB, orgID, id string) (*CalibrationItem, error) {
	it := new(CalibrationItem)
	return it, database.ScanOne(ctx, db.NewSelect().Model(it).Where("org_id = ? AND id = ?", orgID, id), "calibration item")
}

// Items returns the items with the given ids, or every active item when
// ids is nil, oldest first.
func (Store) Items(ctx context.Context, db bun.IDB, orgID string, ids []string) ([]CalibrationItem, error) {
	var rows []CalibrationItem
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	if ids == nil {
		q = q.Where("active = ?", true)
	} else if len(ids) == 0 {
		return rows, nil
	} else {
		q = q.Where("id IN (?)", bun.In(ids))
	}
	return rows, q.OrderExpr("id ASC").Scan(ctx)
}

func (Store) ListItems(ctx context.Context, db bun.IDB, orgID, afterID string, limit int) ([]CalibrationItem, error) {
	var rows []CalibrationItem
	return rows, database.PageByID(db.NewSelect().Model(&rows).Where("org_id = ?", orgID), afterID, limit).Scan(ctx)
}

func (Store) UpdateItem(ctx context.Context, db bun.IDB, it *CalibrationItem, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, it, wasVersion, "title", "content", "reference_verdict", "reference_score", "active",
		"updated_at", "version")
}

func (Store) InsertTask(ctx context.Context, db bun.IDB, t *TestTask) error {
	_, err := db.NewInsert().Model(t).Exec(ctx)
	return err
}

// TaskByToken finds a test task by its link's token hash, in any school:
// the candidate has no account and the link names no school.
func (Store) TaskByToken(ctx context.Context, db bun.IDB, hash string, lock bool) (*TestTask, error) {
	t := new(TestTask)
	q := db.NewSelect().Model(t).Where("token_hash = ?", hash)
	if lock {
		q = database.ForUpdate(q)
	}
	return t, database.ScanOne(ctx, q, "test task")
}

func (Store) Task(ctx context.Context, db bun.IDB, orgID, id string) (*TestTask, error) {
	t := new(TestTask)
	return t, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(t).Where("org_id = ? AND id = ?", orgID, id)), "test task")
}

// Tasks returns the test tasks of one application (or of every application
// of the school when applicationID is ""), oldest first.
func (Store) Tasks(ctx context.Context, db bun.IDB, orgID, applicationID string) ([]TestTask, error) {
	var rows []TestTask
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID), database.Eq("application_id", applicationID))
	return rows, q.OrderExpr("id ASC").Scan(ctx)
}

func (Store) UpdateTask(ctx context.Context, db bun.IDB, t *TestTask, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, t, wasVersion, "status", "submitted_at", "matches", "answered", "deviation_sum",
		"max_score_sum", "version")
}

func (Store) InsertAnswers(ctx context.Context, db bun.IDB, rows []TestAnswer) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&rows).Exec(ctx)
	return err
}

func (Store) Answers(ctx context.Context, db bun.IDB, orgID, taskID string) ([]TestAnswer, error) {
	var rows []TestAnswer
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND task_id = ?", orgID, taskID).OrderExpr("position ASC").Scan(ctx)
	return rows, err
}

func (Store) InsertScorecard(ctx context.Context, db bun.IDB, sc *Scorecard) error {
	_, err := db.NewInsert().Model(sc).Exec(ctx)
	return err
}

func (Store) Scorecard(ctx context.Context, db bun.IDB, orgID, id string) (*Scorecard, error) {
	sc := new(Scorecard)
	return sc, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(sc).Where("org_id = ? AND id = ?", orgID, id)), "scorecard")
}

// Scorecards returns an application's scorecards, oldest first.
func (Store) Scorecards(ctx context.Context, db bun.IDB, orgID, applicationID string) ([]Scorecard, error) {
	var rows []Scorecard
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND application_id = ?", orgID, applicationID).OrderExpr("id ASC").Scan(ctx)
	return rows, err
}

func (Store) UpdateScorecard(ctx context.Context, db bun.IDB, sc *Scorecard, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, sc, wasVersion, "criteria", "weighted_sum", "weight_total", "recommendation", "notes",
		"updated_at", "version")
}

func (Store) InsertOffer(ctx context.Context, db bun.IDB, o *Offer) error {
	_, err := db.NewInsert().Model(o).Exec(ctx)
	return err
}

func (Store) Offer(ctx context.Context, db bun.IDB, orgID, id string) (*Offer, error) {
	o := new(Offer)
	return o, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(o).Where("org_id = ? AND id = ?", orgID, id)), "offer")
}

// OfferByToken finds an offer by its link's token hash, in any school.
func (Store) OfferByToken(ctx context.Context, db bun.IDB, hash string, lock bool) (*Offer, error) {
	o := new(Offer)
	q := db.NewSelect().Model(o).Where("token_hash = ?", hash)
	if lock {
		q = database.ForUpdate(q)
	}
	return o, database.ScanOne(ctx, q, "offer")
}

// Offers returns the offers of one application, or of the whole school
// when applicationID is "", oldest first.
func (Store) Offers(ctx context.Context, db bun.IDB, orgID, applicationID string) ([]Offer, error) {
	var rows []Offer
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID), database.Eq("application_id", applicationID))
	return rows, q.OrderExpr("id ASC").Scan(ctx)
}

func (Store) UpdateOffer(ctx context.Context, db bun.IDB, o *Offer, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, o, wasVersion, "status", "decided_at", "user_id", "plan_id", "version")
}

// AllCandidateApplications returns every application of a candidate, oldest first.
func (Store) AllCandidateApplications(ctx context.Context, db bun.IDB, orgID, candidateID string) ([]Application, error) {
	var rows []Application
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND candidate_id = ?", orgID, candidateID).OrderExpr("id ASC").Scan(ctx)
	return rows, err
}
