package school

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// insert adds a row; a clash on (org, source, external_id) or another
// unique key becomes a conflict naming what.
func insert(ctx context.Context, db bun.IDB, row any, what string) error {
	_, err := db.NewInsert().Model(row).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("%s already exists", what)
	}
	return err
}

// updateVersioned writes columns of row if its stored version is still
// wasVersion, and reports whether it did.
func updateVersioned(ctx context.Context, db bun.IDB, row any, orgID string, wasVersion int64, columns ...string) (bool, error) {
	res, err := db.NewUpdate().Model(row).Column(columns...).WherePK().
		Where("org_id = ?", orgID).Where("version = ?", wasVersion).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// --- students

func (Store) Student(ctx context.Context, db bun.IDB, orgID, id string) (*Student, error) {
	st := new(Student)
	return st, database.ScanOne(ctx, db.NewSelect().Model(st).Where("org_id = ? AND id = ?", orgID, id), "student")
}

func (Store) StudentByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Student, error) {
	st := new(Student)
	return st, database.ScanOne(ctx, db.NewSelect().Model(st).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "student")
}

// StudentFilter narrows the student list.
type StudentFilter struct {
	Name      string // part of the full name, case- and ё-insensitive
	CohortID  string
	CuratorID string
	Limit     int
	AfterID   string
}

func (Store) ListStudents(ctx context.Context, db bun.IDB, orgID string, f StudentFilter) ([]Student, error) {
	var rows []Student
	q := db.NewSelect().Model(&rows).Where("student.org_id = ?", orgID)
	if f.Name != "" {
		q = q.Where("student.name_key LIKE ? ESCAPE '\\'", "%"+likePrefix(FoldName(f.Name)))
	}
	if f.CohortID != "" || f.CuratorID != "" {
		sub := db.NewSelect().TableExpr("enrollments AS e").ColumnExpr("1").
			Where("e.org_id = student.org_id AND e.student_id = student.id")
		if f.CohortID != "" {
			sub = sub.Where("e.cohort_id = ?", f.CohortID)
		}
		if f.CuratorID != "" {
			sub = sub.Where("e.curator_id = ?", f.CuratorID)
		}
		q = q.Where("EXISTS (?)", sub)
	}
	if f.AfterID != "" {
		q = q.Where("student.id > ?", f.AfterID)
	}
	return rows, q.OrderExpr("student.id ASC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// IsCuratorOf reports whether curatorID is the curator of any enrollment of
// the student.
func (Store) IsCuratorOf(ctx context.Context, db bun.IDB, orgID, curatorID, studentID string) (bool, error) {
	return db.NewSelect().Model((*Enrollment)(nil)).
		Where("org_id = ? AND student_id = ? AND curator_id = ?", orgID, studentID, curatorID).Exists(ctx)
}

// --- enrollments

func (Store) Enrollment(ctx context.Context, db bun.IDB, orgID, id string) (*Enrollment, error) {
	e := new(Enrollment)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id), "enrollment")
}

func (Store) EnrollmentByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Enrollment, error) {
	e := new(Enrollment)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "enrollment")
}

// EnrollmentFilter narrows the enrollment list.
type EnrollmentFilter struct {
	CohortID   string
	StudentID  string
	CuratorID  string
	Unassigned bool
	Status     string
	Limit      int
	AfterID    string
}

func (Store) ListEnrollments(ctx context.Context, db bun.IDB, orgID string, f EnrollmentFilter) ([]Enrollment, error) {
	var rows []Enrollment
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q,
		database.Eq("cohort_id", f.CohortID),
		database.Eq("student_id", f.StudentID),
		database.Eq("curator_id", f.CuratorID),
		database.Eq("status", f.Status),
	)
	if f.Unassigned {
		q = q.Where("curator_id IS NULL")
	}
	if f.AfterID != "" {
		q = q.Where("id > ?", f.AfterID)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit + 1))
	}
	return rows, q.OrderExpr("id ASC").Scan(ctx)
}

// CuratorLoads counts the active enrollments of each curator of a school.
func (Store) CuratorLoads(ctx context.Context, db bun.IDB, orgID string) (map[string]int, error) {
	var rows []struct {
		CuratorID string `bun:"curator_id"`
		N         int    `bun:"n"`
	}
	err := db.NewSelect().Model((*Enrollment)(nil)).ColumnExpr("curator_id, count(*) AS n").
		Where("org_id = ? AND status = ? AND curator_id IS NOT NULL", orgID, EnrollmentActive).
		GroupExpr("curator_id").Scan(ctx, &rows)
	loads := make(map[string]int, len(rows))
	for _, r := range rows {
		loads[r.CuratorID] = r.N
	}
	return loads, err
}

func (Store) CuratorHistory(ctx context.Context, db bun.IDB, orgID, enrollmentID string) ([]CuratorAssignment, error) {
	var rows []CuratorAssignment
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND enrollment_id = ?", orgID, enrollmentID).OrderExpr("id ASC").Scan(ctx)
}

// --- orders

func (Store) Order(ctx context.Context, db bun.IDB, orgID, id string) (*Order, error) {
	o := new(Order)
	return o, database.ScanOne(ctx, orderQuery(db, o).Where("o.org_id = ? AND o.id = ?", orgID, id), "order")
}

func (Store) OrderByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Order, error) {
	o := new(Order)
	return o, database.ScanOne(ctx, orderQuery(db, o).Where("o.org_id = ? AND o.source = ? AND o.external_id = ?", orgID, source, externalID), "order")
}

// orderQuery selects orders with the sum of their refunds.
func orderQuery(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ModelTableExpr("orders AS o").ColumnExpr("o.*").
		ColumnExpr("(SELECT COALESCE(SUM(r.amount), 0) FROM order_refunds AS r WHERE r.order_id = o.id) AS refunded")
}

// OrderFilter narrows the order list.
type OrderFilter struct {
	StudentID string
	CohortID  string
	Limit     int
	AfterID   string
}

func (Store) ListOrders(ctx context.Context, db bun.IDB, orgID string, f OrderFilter) ([]Order, error) {
	var rows []Order
	q := orderQuery(db, &rows).Where("o.org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("o.student_id", f.StudentID), database.Eq("o.cohort_id", f.CohortID))
	if f.AfterID != "" {
		q = q.Where("o.id > ?", f.AfterID)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit + 1))
	}
	return rows, q.OrderExpr("o.id ASC").Scan(ctx)
}

func (Store) Refunds(ctx context.Context, db bun.IDB, orgID, orderID string) ([]OrderRefund, error) {
	var rows []OrderRefund
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND order_id = ?", orgID, orderID).OrderExpr("id ASC").Scan(ctx)
}

func (Store) RefundByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*OrderRefund, error) {
	r := new(OrderRefund)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "refund")
}

// LockOrder holds the order's row until the transaction ends, so that two
// refunds of one order are checked against its amount one after the other.
func (Store) LockOrder(ctx context.Context, db bun.IDB, orgID, id string) error {
	var got string
	err := database.ForUpdate(db.NewSelect().Model((*Order)(nil)).Column("id").Where("org_id = ? AND id = ?", orgID, id)).Scan(ctx, &got)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFound("order")
	}
	return err
}

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}
