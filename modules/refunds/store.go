package refunds

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/privacy"
)

// Store holds every query of the refunds module. It keeps no state: each
// method runs on the bun.IDB it is given, so in the caller's transaction.
type Store struct{}

// Settings returns the school's settings, the defaults until it saves its
// own.
func (Store) Settings(ctx context.Context, db bun.IDB, orgID string) (*Settings, error) {
	st := new(Settings)
	err := database.ScanOne(ctx, db.NewSelect().Model(st).Where("org_id = ?", orgID), "refund settings")
	if errors.Is(err, errs.ErrNotFound) {
		return DefaultSettings(orgID), nil
	}
	return st, err
}

// SaveSettings inserts a school's first settings or updates them at
// wasVersion, and reports whether it did.
func (Store) SaveSettings(ctx context.Context, db bun.IDB, st *Settings, wasVersion int64) (bool, error) {
	ok, err := database.AffectedOne(db.NewUpdate().Model(st).ExcludeColumn("org_id").Where("org_id = ? AND version = ?", st.OrgID, wasVersion).Exec(ctx))
	if err != nil || ok || wasVersion != 1 {
		return ok, err
	}
	return database.AffectedOne(db.NewInsert().Model(st).On("CONFLICT (org_id) DO NOTHING").Exec(ctx))
}

// ProductTerms returns the product's own terms, or nil when it has none.
func (Store) ProductTerms(ctx context.Context, db bun.IDB, orgID, productID string) (*ProductTerms, error) {
	t := new(ProductTerms)
	err := database.ScanOne(ctx, db.NewSelect().Model(t).Where("org_id = ? AND product_id = ?", orgID, productID), "refund terms")
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	return t, err
}

// SaveProductTerms inserts a product's first terms or updates them at
// wasVersion, and reports whether it did.
func (Store) SaveProductTerms(ctx context.Context, db bun.IDB, t *ProductTerms, wasVersion int64) (bool, error) {
	ok, err := database.UpdateVersion(ctx, db, t, wasVersion, "full_refund_days", "prorata", "costs", "updated_at", "version")
	if err != nil || ok || wasVersion != 1 {
		return ok, err
	}
	return database.AffectedOne(db.NewInsert().Model(t).On("CONFLICT (org_id, product_id) DO NOTHING").Exec(ctx))
}

// InsertRequest adds a request; a used idempotency key or external id is a
// conflict.
func (Store) InsertRequest(ctx context.Context, db bun.IDB, r *Request) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("a refund request with this idempotency key or external id exists")
	}
	return err
}

// Request returns one request of the school.
func (Store) Request(ctx context.Context, db bun.IDB, orgID, id string) (*Request, error) {
	r := new(Request)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id), "refund request")
}

// LockRequest returns one request, locked until the transaction ends on
// PostgreSQL.
func (Store) LockRequest(ctx context.Context, db bun.IDB, orgID, id string) (*Request, error) {
	r := new(Request)
	return r, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id)), "refund request")
}

// RequestBy returns the request whose column holds value, or
// errs.ErrNotFound.
func (Store) RequestBy(ctx context.Context, db bun.IDB, orgID, column, value string) (*Request, error) {
	r := new(Request)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND ? = ?", orgID, bun.Ident(column), value), "refund request")
}

// RequestByExternalID returns the request the LMS knows by external id.
func (Store) RequestByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Request, error) {
	r := new(Request)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "refund request")
}

// OpenRequestOfOrder returns the oldest open request of an order, locked,
// or errs.ErrNotFound.
func (Store) OpenRequestOfOrder(ctx context.Context, db bun.IDB, orgID, orderID string) (*Request, error) {
	r := new(Request)
	q := db.NewSelect().Model(r).Where("org_id = ? AND order_id = ?", orgID, orderID).
		Where("status IN (?)", bun.In([]string{StatusRequested, StatusInReview, StatusApproved, StatusProcessing})).OrderExpr("id ASC")
	return r, database.ScanOne(ctx, database.ForUpdate(q), "open refund request")
}

// UpdateRequest writes the request's changing columns while it is still at
// wasVersion.
func (Store) UpdateRequest(ctx context.Context, db bun.IDB, r *Request, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, r, wasVersion, "status", "approved_amount", "refunded_amount", "approvals_needed",
		"stop_instalments", "flagged", "escalated_at", "decided_at", "decided_by", "decision_note", "executed_by", "order_refund_id", "refunded_at",
		"failure_reason", "execution_key", "execution_hash", "comment", "updated_at", "version")
}

// RequestFilter narrows a listing of requests.
type RequestFilter struct {
	Status    string
	Reason    string
	CohortID  string
	CuratorID string
	StudentID string
	OrderID   string
	Flagged   *bool
	Escalated *bool
	Limit     int
	BeforeID  string // the last id of the previous page: newest first
}

// ListRequests returns a page of requests, newest first.
func (Store) ListRequests(ctx context.Context, db bun.IDB, orgID string, f RequestFilter) ([]Request, error) {
	var rows []Request
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("status", f.Status), database.Eq("reason", f.Reason), database.Eq("cohort_id", f.CohortID),
		database.Eq("curator_id", f.CuratorID), database.Eq("student_id", f.StudentID), database.Eq("order_id", f.OrderID))
	if f.Flagged != nil {
		q = q.Where("flagged = ?", *f.Flagged)
	}
	if f.Escalated != nil && *f.Escalated {
		q = q.Where("escalated_at IS NOT NULL")
	} else if f.Escalated != nil {
		q = q.Where("escalated_at IS NULL")
	}
	if f.BeforeID != "" {
		q = q.Where("id < ?", f.BeforeID)
	}
	return rows, q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// RequestsBetween lists the school's requests whose column (requested_at
// or decided_at) falls in [from, to), oldest first.
func (Store) RequestsBetween(ctx context.Context, db bun.IDB, orgID, column string, from, to time.Time) ([]Request, error) {
	var rows []Request
	return rows, db.NewSelect().Model(&rows).Where("org_id = ?", orgID).
		Where("? >= ? AND ? < ?", bun.Ident(column), from.UTC(), bun.Ident(column), to.UTC()).OrderExpr("?, id", bun.Ident(column)).Scan(ctx)
}

// RefundedRequests lists the school's refunded requests, oldest first.
func (Store) RefundedRequests(ctx context.Context, db bun.IDB, orgID string) ([]Request, error) {
	var rows []Request
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND status = ?", orgID, StatusRefunded).OrderExpr("id").Scan(ctx)
}

// DueForEscalation locks up to limit undecided requests of any school whose
// decision deadline has passed and that were not escalated yet; rows
// another replica holds are skipped.
func (Store) DueForEscalation(ctx context.Context, db bun.IDB, now time.Time, limit int) ([]Request, error) {
	var rows []Request
	q := db.NewSelect().Model(&rows).Where("escalated_at IS NULL AND status IN (?) AND due_at <= ?",
		bun.In([]string{StatusRequested, StatusInReview}), now.UTC()).OrderExpr("due_at, id").Limit(int64(limit))
	return rows, database.ForUpdateSkipLocked(q).Scan(ctx)
}

// StudentRequests lists every request of a student.
func (Store) StudentRequests(ctx context.Context, db bun.IDB, orgID, studentID string) ([]Request, error) {
	var rows []Request
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND student_id = ?", orgID, studentID).OrderExpr("id").Scan(ctx)
}

// InsertEvidence freezes a request's evidence.
func (Store) InsertEvidence(ctx context.Context, db bun.IDB, e *Evidence) error {
	_, err := db.NewInsert().Model(e).Exec(ctx)
	return err
}

// Evidence returns a request's evidence.
func (Store) Evidence(ctx context.Context, db bun.IDB, orgID, requestID string) (*Evidence, error) {
	e := new(Evidence)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND request_id = ?", orgID, requestID), "evidence")
}

// InsertHistory appends status changes.
func (Store) InsertHistory(ctx context.Context, db bun.IDB, h ...*HistoryEntry) error {
	if len(h) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&h).Exec(ctx)
	return err
}

// History lists a request's status changes in order.
func (Store) History(ctx context.Context, db bun.IDB, orgID, requestID string) ([]HistoryEntry, error) {
	var rows []HistoryEntry
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND request_id = ?", orgID, requestID).OrderExpr("id").Scan(ctx)
}

// InsertApproval appends an approval; one person approves a request once.
func (Store) InsertApproval(ctx context.Context, db bun.IDB, a *Approval) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("you have approved this request already")
	}
	return err
}

// Approvals lists a request's approvals in order.
func (Store) Approvals(ctx context.Context, db bun.IDB, orgID, requestID string) ([]Approval, error) {
	var rows []Approval
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND request_id = ?", orgID, requestID).OrderExpr("id").Scan(ctx)
}

// InsertAttempt appends a retention attempt.
func (Store) InsertAttempt(ctx context.Context, db bun.IDB, a *Attempt) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	return err
}

// Attempts lists a request's retention attempts in order.
func (Store) Attempts(ctx context.Context, db bun.IDB, orgID, requestID string) ([]Attempt, error) {
	var rows []Attempt
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND request_id = ?", orgID, requestID).OrderExpr("id").Scan(ctx)
}

// AttemptsBetween lists the school's retention attempts made in [from, to).
func (Store) AttemptsBetween(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]Attempt, error) {
	var rows []Attempt
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND at >= ? AND at < ?", orgID, from.UTC(), to.UTC()).OrderExpr("id").Scan(ctx)
}

// EraseComments replaces the comments of a student's requests.
func (Store) EraseComments(ctx context.Context, db bun.IDB, orgID, studentID string) error {
	_, err := db.NewUpdate().Model((*Request)(nil)).Set("comment = ?", privacy.Replacement).
		Where("org_id = ? AND student_id = ? AND comment <> ''", orgID, studentID).Exec(ctx)
	return err
}
