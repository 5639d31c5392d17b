package cases

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Store holds the cases queries; they take bun.IDB so that they run in the
// caller's transaction.
type Store struct{}

// Settings are the school's rules, or the defaults until it saves its own.
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
	res, err = db.NewInsert().Model(st).On("CONFLICT (org_id) DO NOTHING").Exec(ctx)
	return database.AffectedOne(res, err)
}

// CohortTargets are the school's per-cohort targets, by cohort id.
func (Store) CohortTargets(ctx context.Context, db bun.IDB, orgID string) (map[string]CohortTarget, error) {
	var rows []CohortTarget
	if err := db.NewSelect().Model(&rows).Where("org_id = ?", orgID).Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[string]CohortTarget, len(rows))
	for _, r := range rows {
		out[r.CohortID] = r
	}
	return out, nil
}

// CohortTarget is one cohort's own target; nil when it has none.
func (Store) CohortTarget(ctx context.Context, db bun.IDB, orgID, cohortID string) (*CohortTarget, error) {
	t := new(CohortTarget)
	err := database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(t).Where("org_id = ? AND cohort_id = ?", orgID, cohortID)), "target")
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	return t, err
}

// SaveCohortTarget inserts a cohort's first target or updates it at wasVersion.
func (Store) SaveCohortTarget(ctx context.Context, db bun.IDB, t *CohortTarget, wasVersion int64) (bool, error) {
	if t.Version == 1 {
		res, err := db.NewInsert().Model(t).On("CONFLICT (org_id, cohort_id) DO NOTHING").Exec(ctx)
		return database.AffectedOne(res, err)
	}
	res, err := db.NewUpdate().Model(t).Column("video_target", "review_target", "updated_at", "version").
		Where("org_id = ? AND cohort_id = ? AND version = ?", t.OrgID, t.CohortID, wasVersion).Exec(ctx)
	return database.AffectedOne(res, err)
}

// OptedOut reports whether the student asked never to be asked again.
func (Store) OptedOut(ctx context.Context, db bun.IDB, orgID, studentID string) (bool, error) {
	return db.NewSelect().Model((*OptOut)(nil)).Where("org_id = ? AND student_id = ?", orgID, studentID).Exists(ctx)
}

// InsertOptOut records an opt-out; a second one for the student changes nothing.
func (Store) InsertOptOut(ctx context.Context, db bun.IDB, o *OptOut) error {
	_, err := db.NewInsert().Model(o).On("CONFLICT (org_id, student_id) DO NOTHING").Exec(ctx)
	return err
}

// LastRequestAt is when the student was last asked; nil if never.
func (Store) LastRequestAt(ctx context.Context, db bun.IDB, orgID, studentID string) (*time.Time, error) {
	var rows []Request
	err := db.NewSelect().Model(&rows).Column("created_at").Where("org_id = ? AND student_id = ?", orgID, studentID).
		OrderExpr("created_at DESC").Limit(1).Scan(ctx)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0].CreatedAt, nil
}

// ClaimMoment records that a moment was weighed; it reports false when
// the same moment was weighed before (its kind and source id are a key).
func (Store) ClaimMoment(ctx context.Context, db bun.IDB, m *MomentRecord) (bool, error) {
	res, err := db.NewInsert().Model(m).On("CONFLICT (org_id, kind, source_id) DO NOTHING").Exec(ctx)
	return database.AffectedOne(res, err)
}

// SetMomentOutcome writes what came of a claimed moment.
func (Store) SetMomentOutcome(ctx context.Context, db bun.IDB, m *MomentRecord) error {
	_, err := db.NewUpdate().Model(m).Column("outcome", "request_id").WherePK().Exec(ctx)
	return err
}

func (Store) InsertRequest(ctx context.Context, db bun.IDB, r *Request) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	return err
}

func (Store) Request(ctx context.Context, db bun.IDB, orgID, id string) (*Request, error) {
	r := new(Request)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id), "case request")
}

// LockRequest reads a request for a change; on PostgreSQL the row stays
// locked until the transaction ends.
func (Store) LockRequest(ctx context.Context, db bun.IDB, orgID, id string) (*Request, error) {
	r := new(Request)
	return r, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id)), "case request")
}

// LockRequestByToken finds a request, in whichever school, by the hash of
// its link token, and locks it on PostgreSQL.
func (Store) LockRequestByToken(ctx context.Context, db bun.IDB, tokenHash string) (*Request, error) {
	r := new(Request)
	return r, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(r).Where("token_hash = ?", tokenHash)), "case request")
}

// UpdateRequest writes cols of r if it is still at wasVersion.
func (Store) UpdateRequest(ctx context.Context, db bun.IDB, r *Request, wasVersion int64, cols ...string) (bool, error) {
	return database.UpdateVersion(ctx, db, r, wasVersion, cols...)
}

func (Store) InsertRequestEvent(ctx context.Context, db bun.IDB, e *RequestEvent) error {
	_, err := db.NewInsert().Model(e).Exec(ctx)
	return err
}

// RequestEvents is a request's trail, oldest first.
func (Store) RequestEvents(ctx context.Context, db bun.IDB, orgID, requestID string) ([]RequestEvent, error) {
	var rows []RequestEvent
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND request_id = ?", orgID, requestID).OrderExpr("at ASC, id ASC").Scan(ctx)
}

// RequestFilter narrows a request listing.
type RequestFilter struct {
	CuratorID string // a curator's own, or "" for all
	CohortID  string
	StudentID string
	Status    string // a stored status; "" for all
	AfterID   string
	Limit     int
}

// Requests lists requests by id.
func (Store) Requests(ctx context.Context, db bun.IDB, orgID string, f RequestFilter) ([]Request, error) {
	var rows []Request
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID),
		database.Eq("curator_id", f.CuratorID), database.Eq("cohort_id", f.CohortID), database.Eq("student_id", f.StudentID), database.Eq("status", f.Status))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// AllRequests lists every request of the school, or of a cohort, for counts.
func (Store) AllRequests(ctx context.Context, db bun.IDB, orgID, cohortID string) ([]Request, error) {
	var rows []Request
	q := database.WhereSet(db.NewSelect().Model(&rows).Column("id", "cohort_id", "curator_id", "status", "created_at").Where("org_id = ?", orgID),
		database.Eq("cohort_id", cohortID))
	return rows, q.Scan(ctx)
}

// inPeriod keeps the rows whose column lies in [from, to); a zero end is
// left open.
func inPeriod(q *bun.SelectQuery, column string, from, to time.Time) *bun.SelectQuery {
	if !from.IsZero() {
		q = q.Where("? >= ?", bun.Ident(column), from)
	}
	if !to.IsZero() {
		q = q.Where("? < ?", bun.Ident(column), to)
	}
	return q
}

// DueForExpiry locks up to limit open requests of any school whose link
// expired by now, soonest expired first; rows another transaction holds
// are skipped.
func (Store) DueForExpiry(ctx context.Context, db bun.IDB, now time.Time, limit int) ([]Request, error) {
	var rows []Request
	q := db.NewSelect().Model(&rows).Where("status IN (?) AND expires_at <= ?", bun.In(openStatuses), now.UTC()).
		OrderExpr("expires_at, id").Limit(int64(limit))
	return rows, database.ForUpdateSkipLocked(q).Scan(ctx)
}

// Seed rows are written many at a time by tools that replay a school's
// history (the demo), past the service's one-at-a-time path.

// batch is how many rows one multi-row INSERT carries.
const batch = 250

// InsertRequests writes requests in batches.
func (Store) InsertRequests(ctx context.Context, db bun.IDB, rows []*Request) error {
	return insertBatches(ctx, db, rows)
}

// InsertRequestEvents writes trail steps in batches.
func (Store) InsertRequestEvents(ctx context.Context, db bun.IDB, rows []*RequestEvent) error {
	return insertBatches(ctx, db, rows)
}

// InsertSubmissions writes submissions in batches.
func (Store) InsertSubmissions(ctx context.Context, db bun.IDB, rows []*Submission) error {
	return insertBatches(ctx, db, rows)
}

// InsertConsents writes consent rows in batches.
func (Store) InsertConsents(ctx context.Context, db bun.IDB, rows []*Consent) error {
	return insertBatches(ctx, db, rows)
}

// InsertModerations writes moderation decisions in batches.
func (Store) InsertModerations(ctx context.Context, db bun.IDB, rows []*Moderation) error {
	return insertBatches(ctx, db, rows)
}

// HasRequests reports whether the school has any request at all.
func (Store) HasRequests(ctx context.Context, db bun.IDB, orgID string) (bool, error) {
	return db.NewSelect().Model((*Request)(nil)).Where("org_id = ?", orgID).Exists(ctx)
}

func insertBatches[T any](ctx context.Context, db bun.IDB, rows []*T) error {
	for start := 0; start < len(rows); start += batch {
		part := rows[start:min(start+batch, len(rows))]
		if _, err := db.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
