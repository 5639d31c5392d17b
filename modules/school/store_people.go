package school

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Queries of people and money: students, enrollments with their curator
// history, orders and refunds, and the lookups other modules make of them.

// --- students

// Student returns one student of the school.
func (Store) Student(ctx context.Context, db bun.IDB, orgID, id string) (*Student, error) {
	st := new(Student)
	return st, database.ScanOne(ctx, db.NewSelect().Model(st).Where("org_id = ? AND id = ?", orgID, id), "student")
}

// StudentByExternalID returns the student the school's LMS knows as
// externalID.
func (Store) StudentByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Student, error) {
	st := new(Student)
	return st, database.ScanOne(ctx, db.NewSelect().Model(st).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "student")
}

// InsertStudent adds a student; a second student with the same LMS id is a
// conflict.
func (Store) InsertStudent(ctx context.Context, db bun.IDB, st *Student) error {
	return insert(ctx, db, st, "a student with this external id")
}

// UpdateStudent writes the student's name and contacts if its stored
// version is still wasVersion.
func (Store) UpdateStudent(ctx context.Context, db bun.IDB, st *Student, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, st, wasVersion, "full_name", "name_key", "email", "telegram", "phone", "birth_date", "updated_at", "version")
}

// EraseStudent writes an erased student over the stored one, whatever its
// version: erasure is not a matter of who edited last.
func (Store) EraseStudent(ctx context.Context, db bun.IDB, st *Student) error {
	_, err := db.NewUpdate().Model(st).Column("full_name", "name_key", "email", "telegram", "phone", "birth_date", "erased_at", "updated_at", "version").
		WherePK().Where("org_id = ?", st.OrgID).Exec(ctx)
	return err
}

// StudentFilter narrows the student list.
type StudentFilter struct {
	Name      string `json:"name" validate:"omitempty,singleline,max=200"` // part of the full name, case- and ё-insensitive
	CohortID  string
	CuratorID string
	Limit     int
	AfterID   string
}

// ListStudents returns up to f.Limit+1 students of the school by id,
// without the folded search key (NameKey), which no reader of a list needs.
// It is the school's most frequent listing, so it runs as a prepared query
// (database.QueryPrepared), which spares a fifth to a third of the read,
// and its rows are scanned by hand: bun's reflection over the model cost about as much as
// the query. On SQLite the two timestamps are read as the text bun
// wrote and parsed once (see storedTime), where the driver would try two
// layouts for each.
func (Store) ListStudents(ctx context.Context, db bun.IDB, orgID string, f StudentFilter) ([]Student, error) {
	query, args := studentsQuery(database.IsPostgres(db), orgID, f)
	rows, err := database.QueryPrepared(ctx, db, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// The scan targets are made once per page, not per row: whatever goes to
	// Scan lives on the heap.
	var (
		row   Student
		texts textCells
	)
	dest := []any{&row.ID, &row.FullName, texts.into(&row.Email), texts.into(&row.Telegram), texts.into(&row.Phone),
		texts.into(&row.BirthDate), storedTimeOrNull{&row.ErasedAt}, texts.into(&row.Source), texts.into(&row.ExternalID),
		storedTime{&row.CreatedAt}, storedTime{&row.UpdatedAt}, &row.Version}
	out := make([]Student, 0, min(f.Limit+1, 1000))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row.OrgID = orgID
		out = append(out, row)
	}
	return out, rows.Err()
}

// studentsQuery is ListStudents' query: one text per combination of
// filters, with the values as arguments.
func studentsQuery(postgres bool, orgID string, f StudentFilter) (string, []any) {
	stamps := "student.created_at, student.updated_at"
	if !postgres {
		// An expression has no declared type, so modernc hands the text over
		// as stored instead of parsing it as a time.
		stamps = "CAST(student.created_at AS TEXT), CAST(student.updated_at AS TEXT)"
	}
	var q strings.Builder
	q.WriteString("SELECT student.id, student.full_name, student.email, student.telegram, student.phone, student.birth_date, " +
		"student.erased_at, student.source, student.external_id, " + stamps + ", student.version " +
		"FROM students AS student WHERE student.org_id = ?")
	args := []any{orgID}
	if f.Name != "" {
		q.WriteString(` AND student.name_key LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likePrefix(FoldName(f.Name)))
	}
	if f.CohortID != "" || f.CuratorID != "" {
		q.WriteString(" AND EXISTS (SELECT 1 FROM enrollments AS e WHERE e.org_id = student.org_id AND e.student_id = student.id")
		if f.CohortID != "" {
			q.WriteString(" AND e.cohort_id = ?")
			args = append(args, f.CohortID)
		}
		if f.CuratorID != "" {
			q.WriteString(" AND e.curator_id = ?")
			args = append(args, f.CuratorID)
		}
		q.WriteString(")")
	}
	if f.AfterID != "" {
		q.WriteString(" AND student.id > ?")
		args = append(args, f.AfterID)
	}
	q.WriteString(" ORDER BY student.id ASC LIMIT ?")
	return q.String(), append(args, f.Limit+1)
}

// textCells holds the strings of a page's optional columns in blocks of
// 64, so that they cost one allocation per block instead of one each.
type textCells struct{ free []string }

func (c *textCells) put(s string) *string {
	if len(c.free) == 0 {
		c.free = make([]string, 64)
	}
	p := &c.free[0]
	c.free = c.free[1:]
	*p = s
	return p
}

// into scans an optional text column into *dst: nil for NULL, else a
// fresh cell, so that each row keeps its own string.
func (c *textCells) into(dst **string) optionalText { return optionalText{c, dst} }

type optionalText struct {
	cells *textCells
	dst   **string
}

func (o optionalText) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*o.dst = nil
	case string:
		*o.dst = o.cells.put(v)
	case []byte:
		*o.dst = o.cells.put(string(v))
	default:
		return fmt.Errorf("text column: cannot read %T", v)
	}
	return nil
}

// storedTime scans a timestamp as either database returns it: a time from
// PostgreSQL (or from modernc when the column is read as itself), the text
// bun wrote from SQLite when it is read through an expression.
type storedTime struct{ t *time.Time }

func (s storedTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v
		return nil
	case string:
		return parseStoredTime(v, s.t)
	case []byte:
		return parseStoredTime(string(v), s.t)
	}
	return fmt.Errorf("timestamp: cannot read %T", v)
}

// storedTimeOrNull is storedTime for a column that may be NULL.
type storedTimeOrNull struct{ t **time.Time }

func (s storedTimeOrNull) Scan(v any) error {
	if v == nil {
		*s.t = nil
		return nil
	}
	t := new(time.Time)
	*s.t = t
	return storedTime{t}.Scan(v)
}

// storedTimeLayouts are the forms a timestamp may have in SQLite, as
// modernc reads them: bun's first (it writes every time in UTC), then
// SQLite's own date formats, tried with a trailing Z taken off; Go's
// Time.String form is tried last, apart.
var storedTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

func parseStoredTime(s string, t *time.Time) error {
	if v, ok := parseBunTime(s); ok {
		*t = v
		return nil
	}
	trimmed := strings.TrimSuffix(s, "Z")
	for _, layout := range storedTimeLayouts {
		if v, err := time.Parse(layout, trimmed); err == nil {
			*t = v
			return nil
		}
	}
	if i := strings.Index(s, " m="); i > 0 {
		s = s[:i]
	}
	v, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("timestamp %q: unknown form", s)
	}
	*t = v
	return nil
}

// parseBunTime reads the form bun writes, "2006-01-02 15:04:05.999999+00:00"
// (always UTC), by hand: time.Parse cost a tenth of the listing's
// request on SQLite. Anything else — another offset, a field out of range —
// is left to time.Parse.
func parseBunTime(s string) (time.Time, bool) {
	const zone = "+00:00"
	n := len(s) - len(zone)
	if n < 19 || s[n:] != zone || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if n > 19 {
		frac := s[20:n]
		if s[19] != '.' || len(frac) == 0 || len(frac) > 9 {
			return time.Time{}, false
		}
		v, ok := digits(frac)
		if !ok {
			return time.Time{}, false
		}
		nsec = v
		for i := len(frac); i < 9; i++ {
			nsec *= 10
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 April and the like: time.Date would roll over
		return time.Time{}, false
	}
	return t, true
}

// digits is the decimal value of s, which must be all digits.
func digits(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// IsCuratorOf reports whether curatorID is the curator of any enrollment of
// the student.
func (Store) IsCuratorOf(ctx context.Context, db bun.IDB, orgID, curatorID, studentID string) (bool, error) {
	return db.NewSelect().Model((*Enrollment)(nil)).
		Where("org_id = ? AND student_id = ? AND curator_id = ?", orgID, studentID, curatorID).Exists(ctx)
}

// --- enrollments

// Enrollment returns one enrollment of the school.
func (Store) Enrollment(ctx context.Context, db bun.IDB, orgID, id string) (*Enrollment, error) {
	e := new(Enrollment)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id), "enrollment")
}

// EnrollmentByExternalID returns the enrollment the school's LMS knows as
// externalID.
func (Store) EnrollmentByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Enrollment, error) {
	e := new(Enrollment)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "enrollment")
}

// InsertEnrollment adds an enrollment; a student is enrolled in a cohort
// once, and an LMS id is used once.
func (Store) InsertEnrollment(ctx context.Context, db bun.IDB, e *Enrollment) error {
	return insert(ctx, db, e, "the student is already enrolled in this cohort, or an enrollment with this external id")
}

// UpdateEnrollment writes e if its stored version is still wasVersion.
func (Store) UpdateEnrollment(ctx context.Context, db bun.IDB, e *Enrollment, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, e, wasVersion, "tariff", "status", "curator_id", "enrolled_at", "updated_at", "version")
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

// ListEnrollments returns the school's enrollments by id, up to
// f.Limit+1 when a limit is given.
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

// CuratorHistory lists the curator changes of an enrollment, oldest first.
func (Store) CuratorHistory(ctx context.Context, db bun.IDB, orgID, enrollmentID string) ([]CuratorAssignment, error) {
	var rows []CuratorAssignment
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND enrollment_id = ?", orgID, enrollmentID).OrderExpr("id ASC").Scan(ctx)
}

// InsertCuratorAssignment appends one change of an enrollment's curator.
func (Store) InsertCuratorAssignment(ctx context.Context, db bun.IDB, a *CuratorAssignment) error {
	return insert(ctx, db, a, "curator assignment")
}

// --- orders

// Order returns one order of the school with its refunded sum.
func (Store) Order(ctx context.Context, db bun.IDB, orgID, id string) (*Order, error) {
	o := new(Order)
	return o, database.ScanOne(ctx, orderQuery(db, o).Where("o.org_id = ? AND o.id = ?", orgID, id), "order")
}

// OrderByExternalID returns the order the school's CRM knows as externalID.
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

// ListOrders returns the school's orders by id, up to f.Limit+1 when a
// limit is given.
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

// InsertOrder adds a paid order; an external id or idempotency key is used
// once.
func (Store) InsertOrder(ctx context.Context, db bun.IDB, o *Order) error {
	return insert(ctx, db, o, "an order with this external id")
}

// Refunds lists the refunds of an order, oldest first.
func (Store) Refunds(ctx context.Context, db bun.IDB, orgID, orderID string) ([]OrderRefund, error) {
	var rows []OrderRefund
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND order_id = ?", orgID, orderID).OrderExpr("id ASC").Scan(ctx)
}

// RefundByExternalID returns the refund the school's CRM knows as
// externalID.
func (Store) RefundByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*OrderRefund, error) {
	r := new(OrderRefund)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "refund")
}

// InsertRefund adds a refund; an external id or idempotency key is used
// once.
func (Store) InsertRefund(ctx context.Context, db bun.IDB, r *OrderRefund) error {
	return insert(ctx, db, r, "a refund with this external id")
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

// --- lookups of the homework review queue

// EnrollmentInCourse returns the student's enrollment in a cohort of the
// course, an active one first, then the latest.
func (Store) EnrollmentInCourse(ctx context.Context, db bun.IDB, orgID, studentID, courseID string) (*Enrollment, error) {
	e := new(Enrollment)
	return e, database.ScanOne(ctx, db.NewSelect().Model(e).
		Where("enrollment.org_id = ? AND enrollment.student_id = ?", orgID, studentID).
		Where("enrollment.cohort_id IN (SELECT c.id FROM cohorts c WHERE c.org_id = ? AND c.course_id = ?)", orgID, courseID).
		OrderExpr("CASE WHEN enrollment.status = ? THEN 0 ELSE 1 END, enrollment.enrolled_at DESC, enrollment.id DESC", EnrollmentActive),
		"enrollment")
}

// CuratorCohortIDs lists the cohorts in which the user curates at least
// one student.
func (Store) CuratorCohortIDs(ctx context.Context, db bun.IDB, orgID, curatorID string) ([]string, error) {
	var ids []string
	err := db.NewSelect().Model((*Enrollment)(nil)).ColumnExpr("DISTINCT cohort_id").
		Where("org_id = ? AND curator_id = ?", orgID, curatorID).Scan(ctx, &ids)
	return ids, err
}

// CohortHeadcounts lists the school's cohorts by id, each with the number of
// its active or completed enrollments.
func (Store) CohortHeadcounts(ctx context.Context, db bun.IDB, orgID string) ([]CohortHeadcount, error) {
	var rows []CohortHeadcount
	err := db.NewSelect().TableExpr("cohorts AS c").ColumnExpr("c.id, c.course_id, c.name").
		ColumnExpr("(SELECT COUNT(*) FROM enrollments e WHERE e.org_id = c.org_id AND e.cohort_id = c.id AND e.status IN (?, ?)) AS enrolled",
			EnrollmentActive, EnrollmentCompleted).
		Where("c.org_id = ?", orgID).OrderExpr("c.id ASC").Scan(ctx, &rows)
	return rows, err
}

// likePrefix escapes the LIKE wildcards in s and appends one: a pattern of
// what starts with s.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// EnrollmentStatuses lists the school's enrollments (of one cohort when
// cohortID is set) reduced to student, cohort, curator and status.
func (Store) EnrollmentStatuses(ctx context.Context, db bun.IDB, orgID, cohortID string) ([]EnrollmentStatus, error) {
	var rows []EnrollmentStatus
	q := db.NewSelect().Model((*Enrollment)(nil)).Column("student_id", "cohort_id", "curator_id", "status").Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("cohort_id", cohortID))
	return rows, q.OrderExpr("cohort_id ASC, student_id ASC").Scan(ctx, &rows)
}
