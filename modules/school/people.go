package school

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// --- students

// StudentInput is what creating or changing a student takes, from the API,
// an import line or a student.upserted event alike; nil contact fields are
// absent. The validate tags are the rules of every entry point.
type StudentInput struct {
	FullName  string  `json:"full_name" validate:"required,singleline,max=200"`
	Email     *string `json:"email" validate:"omitnil,max=254,email"`
	Telegram  *string `json:"telegram" validate:"omitnil,telegram"`
	Phone     *string `json:"phone" validate:"omitnil,phone"`
	BirthDate *string `json:"birth_date" validate:"omitnil,date"`
	External
}

// checkStudent applies the student rules to in, naming refused fields
// where in came from.
func (s *Service) checkStudent(in StudentInput, from origin) error {
	now := s.Now()
	if err := from.check(now, in); err != nil {
		return err
	}
	return allOf(asValidation(from.externalPair(in.External)), checkBirthDate(in.BirthDate, from.at("birth_date"), now))
}

// checkBirthDate refuses a birth date in the future or more than 120 years
// ago; its format is a validate tag of StudentInput.
func checkBirthDate(d *string, location string, today time.Time) error {
	if d == nil {
		return nil
	}
	born, err := time.Parse(time.DateOnly, *d)
	if err != nil {
		return errs.Invalid(location, validate.DateMessage)
	}
	if born.After(today) || born.Before(today.AddDate(-120, 0, 0)) {
		return errs.Invalid(location, "must be a real birth date")
	}
	return nil
}

// CreateStudent adds a student.
func (s *Service) CreateStudent(ctx context.Context, orgID string, in StudentInput) (*Student, error) {
	if err := s.checkStudent(in, fromBody); err != nil {
		return nil, err
	}
	st := s.newStudent(orgID, in)
	return st, s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.insertStudent(ctx, tx, st)
	})
}

// newStudent builds the row of a checked input.
func (s *Service) newStudent(orgID string, in StudentInput) *Student {
	now := s.Now()
	return &Student{ID: ids.New(), OrgID: orgID, FullName: in.FullName, NameKey: FoldName(in.FullName), Email: in.Email, Telegram: in.Telegram,
		Phone: in.Phone, BirthDate: in.BirthDate, External: in.External, CreatedAt: now, UpdatedAt: now, Version: 1}
}

func (s *Service) insertStudent(ctx context.Context, tx bun.IDB, st *Student) error {
	if err := s.store.InsertStudent(ctx, tx, st); err != nil {
		return err
	}
	return s.Record(ctx, tx, st.OrgID, "student", st.ID, auditlog.Diff(nil, st))
}

// Student returns one student.
func (s *Service) Student(ctx context.Context, orgID, id string) (*Student, error) {
	return s.store.Student(ctx, s.DB, orgID, id)
}

// ListStudents returns a page of students, without their folded search
// key (NameKey). The name filter follows the rules of a name, so that no
// control character reaches the query.
func (s *Service) ListStudents(ctx context.Context, orgID string, f StudentFilter) ([]Student, error) {
	if err := fromQuery.check(s.Now(), f); err != nil {
		return nil, err
	}
	return s.store.ListStudents(ctx, s.DB, orgID, f)
}

// UpdateStudent changes a student if still at version. Erased students
// cannot be changed.
func (s *Service) UpdateStudent(ctx context.Context, orgID, id string, version int64, in StudentInput) (*Student, error) {
	if err := s.checkStudent(in, fromBody); err != nil {
		return nil, err
	}
	var out *Student
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.applyStudent(ctx, tx, func() (*Student, error) { return s.store.Student(ctx, tx, orgID, id) }, version, in)
		return err
	})
	return out, err
}

// applyStudent writes in over the student load reads, if it is at version:
// the full name always, contacts when given. A student it leaves as it was
// keeps its version.
func (s *Service) applyStudent(ctx context.Context, tx bun.IDB, load func() (*Student, error), version int64, in StudentInput) (*Student, error) {
	before, after, err := database.Optimistic[Student, *Student]{
		What:   "the student",
		Load:   load,
		Change: in.applyTo,
		Write: func(st *Student, wasVersion int64) (bool, error) {
			return s.store.UpdateStudent(ctx, tx, st, wasVersion)
		},
	}.Run(version, s.Now())
	if err != nil {
		return nil, err
	}
	if after == nil {
		return before, nil
	}
	return after, s.Record(ctx, tx, after.OrgID, "student", after.ID, auditlog.Diff(before, after))
}

// applyTo sets the full name and the contacts given on st; it answers
// database.ErrUnchanged when st stays as it was.
func (in StudentInput) applyTo(st *Student) error {
	if st.ErasedAt != nil {
		return errs.Conflict("the student's personal data was erased; create a new student instead")
	}
	was := *st
	st.FullName, st.NameKey = in.FullName, FoldName(in.FullName)
	for _, f := range []struct{ dst, src **string }{{&st.Email, &in.Email}, {&st.Telegram, &in.Telegram}, {&st.Phone, &in.Phone}, {&st.BirthDate, &in.BirthDate}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	if len(auditlog.Diff(&was, st)) == 0 {
		return database.ErrUnchanged
	}
	return nil
}

// MaySeeContacts reports whether the caller may see this student's
// contacts and birth date: roles that need everyone's, or the student's own
// curator.
func (s *Service) MaySeeContacts(ctx context.Context, orgID, studentID string) (bool, error) {
	m := reqctx.From(ctx)
	if m.Org.Allowed("student_contacts", "read_all") {
		return true, nil
	}
	if !m.Org.Allowed("student_contacts", "read_own") || m.Principal == nil {
		return false, nil
	}
	return s.store.IsCuratorOf(ctx, s.DB, orgID, m.Principal.UserID, studentID)
}

// --- enrollments

// EnrollmentInput is what creating an enrollment takes, from the API, an
// import line or an enrollment.upserted event alike.
type EnrollmentInput struct {
	StudentID  string     `json:"student_id" validate:"required,uuid"`
	CohortID   string     `json:"cohort_id" validate:"required,uuid"`
	Tariff     string     `json:"tariff" validate:"singleline,max=100"`
	Status     string     `json:"status" validate:"omitempty,oneof=active completed dropped refunded"`
	CuratorID  *string    `json:"curator_id" validate:"omitnil,uuid"`
	EnrolledAt *time.Time `json:"enrolled_at" validate:"omitnil,fact"`
	External
}

// checkEnrollment applies the enrollment rules that need no database.
func (s *Service) checkEnrollment(in EnrollmentInput, from origin) error {
	if err := from.check(s.Now(), in); err != nil {
		return err
	}
	return asValidation(from.externalPair(in.External))
}

// CreateEnrollment puts a student in a cohort, with a curator when given.
func (s *Service) CreateEnrollment(ctx context.Context, orgID string, in EnrollmentInput) (*Enrollment, error) {
	var out *Enrollment
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.createEnrollment(ctx, tx, orgID, in, fromBody)
		return err
	})
	return out, err
}

func (s *Service) createEnrollment(ctx context.Context, tx bun.IDB, orgID string, in EnrollmentInput, from origin) (*Enrollment, error) {
	if err := s.checkEnrollment(in, from); err != nil {
		return nil, err
	}
	if _, err := s.store.Student(ctx, tx, orgID, in.StudentID); err != nil {
		return nil, unknownRef(err, from.at("student_id"), "unknown student")
	}
	if _, err := s.store.Cohort(ctx, tx, orgID, in.CohortID); err != nil {
		return nil, unknownRef(err, from.at("cohort_id"), "unknown cohort")
	}
	if err := s.checkCurator(ctx, orgID, in.CuratorID, from.at("curator_id")); err != nil {
		return nil, err
	}
	now := s.Now()
	e := &Enrollment{ID: ids.New(), OrgID: orgID, StudentID: in.StudentID, CohortID: in.CohortID, Tariff: in.Tariff,
		Status: in.Status, CuratorID: in.CuratorID, EnrolledAt: now, External: in.External, CreatedAt: now, UpdatedAt: now, Version: 1}
	if e.Status == "" {
		e.Status = EnrollmentActive
	}
	if in.EnrolledAt != nil {
		e.EnrolledAt = in.EnrolledAt.UTC()
	}
	if err := s.store.InsertEnrollment(ctx, tx, e); err != nil {
		return nil, err
	}
	if e.CuratorID != nil {
		if err := s.appendHistory(ctx, tx, e, nil, "enrolled"); err != nil {
			return nil, err
		}
	}
	return e, s.Record(ctx, tx, orgID, "enrollment", e.ID, auditlog.Diff(nil, e))
}

// unknownRef turns a not-found reference into a 422 on the field that named
// it, so that ids of other schools are indistinguishable from unknown ones.
func unknownRef(err error, location, msg string) error {
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid(location, msg)
	}
	return err
}

func (s *Service) checkCurator(ctx context.Context, orgID string, curatorID *string, location string) error {
	if curatorID == nil {
		return nil
	}
	ok, err := s.identity.IsActiveCurator(ctx, orgID, *curatorID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Invalid(location, "not an active curator of this school")
	}
	return s.checkGate(ctx, orgID, *curatorID)
}

func (s *Service) appendHistory(ctx context.Context, tx bun.IDB, e *Enrollment, previous *string, reason string) error {
	by := ""
	if p := reqctx.From(ctx).Principal; p != nil {
		by = p.ActorID()
		if by == "" {
			by = p.Name
		}
	}
	return s.store.InsertCuratorAssignment(ctx, tx, &CuratorAssignment{ID: ids.New(), OrgID: e.OrgID, EnrollmentID: e.ID, CuratorID: e.CuratorID,
		PreviousCuratorID: previous, Reason: reason, AssignedBy: by, AssignedAt: s.Now()})
}

// Enrollment returns one enrollment.
func (s *Service) Enrollment(ctx context.Context, orgID, id string) (*Enrollment, error) {
	return s.store.Enrollment(ctx, s.DB, orgID, id)
}

// ListEnrollments returns a page of enrollments.
func (s *Service) ListEnrollments(ctx context.Context, orgID string, f EnrollmentFilter) ([]Enrollment, error) {
	return s.store.ListEnrollments(ctx, s.DB, orgID, f)
}

// CuratorHistory lists every curator change of an enrollment, oldest first.
func (s *Service) CuratorHistory(ctx context.Context, orgID, enrollmentID string) ([]CuratorAssignment, error) {
	if _, err := s.store.Enrollment(ctx, s.DB, orgID, enrollmentID); err != nil {
		return nil, err
	}
	return s.store.CuratorHistory(ctx, s.DB, orgID, enrollmentID)
}

// enrollmentFields are the fields of an enrollment that change after it is
// made; nil stays as is. The rules are EnrollmentInput's.
type enrollmentFields struct {
	Tariff *string `json:"tariff" validate:"omitnil,singleline,max=100"`
	Status *string `json:"status" validate:"omitnil,oneof=active completed dropped refunded"`
}

// UpdateEnrollment changes an enrollment's tariff or status if still at version.
func (s *Service) UpdateEnrollment(ctx context.Context, orgID, id string, version int64, tariff, status *string) (*Enrollment, error) {
	if err := fromBody.check(s.Now(), enrollmentFields{Tariff: tariff, Status: status}); err != nil {
		return nil, err
	}
	return s.changeEnrollment(ctx, orgID, id, version, func(e *Enrollment) string {
		database.SetIf(&e.Tariff, tariff)
		database.SetIf(&e.Status, status)
		return ""
	})
}

// AssignCurator gives an enrollment a curator (or none), keeping the history.
func (s *Service) AssignCurator(ctx context.Context, orgID, id string, version int64, curatorID *string, reason string) (*Enrollment, error) {
	if err := s.checkCurator(ctx, orgID, curatorID, "body.curator_id"); err != nil {
		return nil, err
	}
	return s.changeEnrollment(ctx, orgID, id, version, func(e *Enrollment) string {
		e.CuratorID = curatorID
		return reason
	})
}

// enrollmentChange edits an enrollment and says why, for the curator
// history should the curator change.
type enrollmentChange func(e *Enrollment) (reason string)

// changeEnrollment applies change to an enrollment at version in one
// transaction.
func (s *Service) changeEnrollment(ctx context.Context, orgID, id string, version int64, change enrollmentChange) (*Enrollment, error) {
	var out *Enrollment
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.saveEnrollment(ctx, tx, func() (*Enrollment, error) { return s.store.Enrollment(ctx, tx, orgID, id) }, version, change)
		return err
	})
	return out, err
}

// saveEnrollment applies change to the enrollment load reads, if it is at
// version. A curator change appends to the history with the reason change
// returns; an enrollment that change leaves as it was keeps its version.
func (s *Service) saveEnrollment(ctx context.Context, tx bun.IDB, load func() (*Enrollment, error), version int64, change enrollmentChange) (*Enrollment, error) {
	var reason string
	before, after, err := database.Optimistic[Enrollment, *Enrollment]{
		What: "the enrollment",
		Load: load,
		Change: func(e *Enrollment) error {
			was := *e
			reason = change(e)
			if len(auditlog.Diff(&was, e)) == 0 {
				return database.ErrUnchanged
			}
			return nil
		},
		Write: func(e *Enrollment, wasVersion int64) (bool, error) {
			return s.store.UpdateEnrollment(ctx, tx, e, wasVersion)
		},
	}.Run(version, s.Now())
	if err != nil {
		return nil, err
	}
	if after == nil {
		return before, nil
	}
	changes := auditlog.Diff(before, after)
	if _, curatorChanged := changes["curator_id"]; curatorChanged {
		if err := s.appendHistory(ctx, tx, after, before.CuratorID, reason); err != nil {
			return nil, err
		}
	}
	return after, s.Record(ctx, tx, after.OrgID, "enrollment", after.ID, changes)
}

// CuratorPick is one enrollment given a curator by AssignCurators.
type CuratorPick struct {
	EnrollmentID string
	CuratorID    string
}

// AssignCurators gives every active enrollment of a cohort without a curator
// one, each time to the curator with the fewest active students at that
// moment, so that loads even out. curatorIDs limits the choice; empty means
// every active curator of the school who has finished onboarding, and a
// newcomer named in curatorIDs is refused.
func (s *Service) AssignCurators(ctx context.Context, orgID, cohortID string, curatorIDs []string) ([]CuratorPick, error) {
	if _, err := s.store.Cohort(ctx, s.DB, orgID, cohortID); err != nil {
		return nil, unknownRef(err, "body.cohort_id", "unknown cohort")
	}
	pool, err := s.curatorPool(ctx, orgID, curatorIDs)
	if err != nil {
		return nil, err
	}
	var made []CuratorPick
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		made = nil
		loads, err := s.store.CuratorLoads(ctx, tx, orgID)
		if err != nil {
			return err
		}
		open, err := s.store.ListEnrollments(ctx, tx, orgID, EnrollmentFilter{CohortID: cohortID, Status: EnrollmentActive, Unassigned: true})
		if err != nil {
			return err
		}
		for i := range open {
			curator := leastLoaded(pool, loads)
			loads[curator]++
			if _, err := s.saveEnrollment(ctx, tx, database.Loaded(&open[i]), open[i].Version, func(e *Enrollment) string {
				e.CuratorID = &curator
				return "balanced assignment"
			}); err != nil {
				return err
			}
			made = append(made, CuratorPick{EnrollmentID: open[i].ID, CuratorID: curator})
		}
		return nil
	})
	return made, err
}

// curatorPool returns the curators to balance over, sorted for stable ties.
func (s *Service) curatorPool(ctx context.Context, orgID string, only []string) ([]string, error) {
	active, err := s.identity.ActiveCurators(ctx, orgID)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range active {
		known[c.UserID] = true
	}
	var pool []string
	if len(only) == 0 {
		// Everyone active, except newcomers still in onboarding.
		for id := range known {
			ok, err := s.mayTakeStudents(ctx, orgID, id)
			if err != nil {
				return nil, err
			}
			if ok {
				pool = append(pool, id)
			}
		}
	}
	for i, id := range only {
		if !known[id] {
			return nil, errs.Invalid(fmt.Sprintf("body.curator_ids[%d]", i), "not an active curator of this school")
		}
		if err := s.checkGate(ctx, orgID, id); err != nil {
			return nil, err
		}
		pool = append(pool, id)
	}
	if len(pool) == 0 {
		return nil, errs.Conflict("the school has no active curator to assign")
	}
	sort.Strings(pool)
	return pool, nil
}

func leastLoaded(pool []string, loads map[string]int) string {
	best := pool[0]
	for _, id := range pool[1:] {
		if loads[id] < loads[best] {
			best = id
		}
	}
	return best
}

// --- orders

// OrderInput is a paid order to record, from the API or an order.paid
// event alike. Amounts are minor units in the school's currency.
type OrderInput struct {
	StudentID        string    `json:"student_id" validate:"required,uuid"`
	ProductID        *string   `json:"product_id" validate:"omitnil,uuid"`
	CohortID         *string   `json:"cohort_id" validate:"omitnil,uuid"`
	Amount           int64     `json:"amount" validate:"money"`
	Currency         string    `json:"currency" validate:"iso4217"`
	PaymentMethod    string    `json:"payment_method" validate:"oneof=card instalment bank_transfer cash other"`
	InstalmentMonths int       `json:"instalment_months" validate:"min=0,max=60"`
	PaidAt           time.Time `json:"paid_at" validate:"fact"`
	External
}

// checkOrder applies the order rules that need no other record: the tags,
// the pair of source and external id, a positive amount in the school's
// currency and the months of an instalment plan.
func (s *Service) checkOrder(ctx context.Context, orgID string, in OrderInput, from origin) error {
	if err := from.check(s.Now(), in); err != nil {
		return err
	}
	fields := from.externalPair(in.External)
	if in.Amount <= 0 {
		fields = append(fields, errs.FieldError{Location: from.at("amount"), Message: "must be positive, in minor units (kopecks)"})
	}
	if in.PaymentMethod != "instalment" && in.InstalmentMonths != 0 {
		fields = append(fields, errs.FieldError{Location: from.at("instalment_months"), Message: "only instalment payments have months"})
	}
	if in.PaymentMethod == "instalment" && in.InstalmentMonths < 2 {
		fields = append(fields, errs.FieldError{Location: from.at("instalment_months"), Message: "an instalment plan has at least 2 months"})
	}
	return allOf(asValidation(fields), s.checkCurrency(ctx, orgID, in.Currency, from.at("currency")))
}

// moneyFromBody names money fields as the API nests them: {"amount":
// {"amount", "currency"}}.
var moneyFromBody = fromBody.renamed(map[string]string{"amount": "amount.amount", "currency": "amount.currency"})

// RecordOrder stores a paid order. With an external id (or an idempotency
// key) already recorded, it returns the existing order and false instead.
func (s *Service) RecordOrder(ctx context.Context, orgID string, in OrderInput) (*Order, bool, error) {
	var (
		out     *Order
		created bool
	)
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, created, err = s.recordOrder(ctx, tx, orgID, in, moneyFromBody)
		return err
	})
	return out, created, err
}

// recordOrder checks in and records it; a replay of a recorded external id
// (or idempotency key) answers the recorded order.
func (s *Service) recordOrder(ctx context.Context, tx bun.IDB, orgID string, in OrderInput, from origin) (*Order, bool, error) {
	if err := s.checkOrder(ctx, orgID, in, from); err != nil {
		return nil, false, err
	}
	if in.Source != nil && in.ExternalID != nil {
		existing, err := s.store.OrderByExternalID(ctx, tx, orgID, *in.Source, *in.ExternalID)
		if err == nil {
			return existing, false, sameOrder(existing, in)
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return nil, false, err
		}
	}
	if err := s.checkOrderRefs(ctx, tx, orgID, in, from); err != nil {
		return nil, false, err
	}
	o := &Order{ID: ids.New(), OrgID: orgID, StudentID: in.StudentID, ProductID: in.ProductID, CohortID: in.CohortID,
		Amount: in.Amount, Currency: in.Currency, PaymentMethod: in.PaymentMethod, InstalmentMonths: in.InstalmentMonths,
		PaidAt: in.PaidAt.UTC(), External: in.External, CreatedAt: s.Now()}
	if err := s.store.InsertOrder(ctx, tx, o); err != nil {
		return nil, false, err
	}
	return o, true, s.Record(ctx, tx, orgID, "order", o.ID, auditlog.Diff(nil, o))
}

// sameOrder refuses a replay whose content differs from the recorded order:
// an idempotency key names one request, not any request.
func sameOrder(o *Order, in OrderInput) error {
	if o.StudentID != in.StudentID || o.Amount != in.Amount || o.Currency != in.Currency {
		return errs.Conflict("an order with this external id or idempotency key exists with different content")
	}
	return nil
}

// checkOrderRefs refuses ids that name no record of the school: another
// school's student, product or cohort is unknown here.
func (s *Service) checkOrderRefs(ctx context.Context, tx bun.IDB, orgID string, in OrderInput, from origin) error {
	if _, err := s.store.Student(ctx, tx, orgID, in.StudentID); err != nil {
		return unknownRef(err, from.at("student_id"), "unknown student")
	}
	if in.ProductID != nil {
		if _, err := s.store.Product(ctx, tx, orgID, *in.ProductID); err != nil {
			return unknownRef(err, from.at("product_id"), "unknown product")
		}
	}
	if in.CohortID != nil {
		if _, err := s.store.Cohort(ctx, tx, orgID, *in.CohortID); err != nil {
			return unknownRef(err, from.at("cohort_id"), "unknown cohort")
		}
	}
	return nil
}

// Order returns one order with its refunded sum.
func (s *Service) Order(ctx context.Context, orgID, id string) (*Order, []OrderRefund, error) {
	o, err := s.store.Order(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, nil, err
	}
	refunds, err := s.store.Refunds(ctx, s.DB, orgID, id)
	return o, refunds, err
}

// ListOrders returns a page of orders.
func (s *Service) ListOrders(ctx context.Context, orgID string, f OrderFilter) ([]Order, error) {
	return s.store.ListOrders(ctx, s.DB, orgID, f)
}

// RefundInput is money returned on an order, from the API or an
// order.refunded event alike, in the order's currency.
type RefundInput struct {
	Amount     int64     `json:"amount" validate:"money"`
	RefundedAt time.Time `json:"refunded_at" validate:"fact"`
	Reason     string    `json:"reason" validate:"text,max=500"`
	External
}

// checkRefund applies the refund rules that need no order.
func (s *Service) checkRefund(in RefundInput, from origin) error {
	if err := from.check(s.Now(), in); err != nil {
		return err
	}
	fields := from.externalPair(in.External)
	if in.Amount <= 0 {
		fields = append(fields, errs.FieldError{Location: from.at("amount"), Message: "must be positive, in minor units (kopecks)"})
	}
	return asValidation(fields)
}

// RecordRefund stores a refund of an order. The refunds of an order never
// add up to more than it was paid. A replayed external id returns the
// existing refund and false.
func (s *Service) RecordRefund(ctx context.Context, orgID, orderID string, in RefundInput) (*OrderRefund, bool, error) {
	var (
		out     *OrderRefund
		created bool
	)
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, created, err = s.recordRefund(ctx, tx, orgID, orderID, in, moneyFromBody)
		return err
	})
	return out, created, err
}

func (s *Service) recordRefund(ctx context.Context, tx bun.IDB, orgID, orderID string, in RefundInput, from origin) (*OrderRefund, bool, error) {
	if err := s.checkRefund(in, from); err != nil {
		return nil, false, err
	}
	if in.Source != nil && in.ExternalID != nil {
		existing, err := s.store.RefundByExternalID(ctx, tx, orgID, *in.Source, *in.ExternalID)
		if err == nil {
			if existing.OrderID != orderID || existing.Amount != in.Amount {
				return nil, false, errs.Conflict("a refund with this external id or idempotency key exists with different content")
			}
			return existing, false, nil
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return nil, false, err
		}
	}
	if err := s.store.LockOrder(ctx, tx, orgID, orderID); err != nil {
		return nil, false, err
	}
	o, err := s.store.Order(ctx, tx, orgID, orderID)
	if err != nil {
		return nil, false, err
	}
	if in.RefundedAt.Before(o.PaidAt) {
		return nil, false, errs.Invalid(from.at("refunded_at"), "must not be before the order was paid, "+o.PaidAt.UTC().Format(time.RFC3339))
	}
	if left := o.Amount - o.Refunded; in.Amount > left {
		return nil, false, errs.Invalid(from.at("amount"), fmt.Sprintf("exceeds what is left to refund on the order (%d of %d %s)", left, o.Amount, o.Currency))
	}
	r := &OrderRefund{ID: ids.New(), OrgID: orgID, OrderID: orderID, Amount: in.Amount, RefundedAt: in.RefundedAt.UTC(),
		Reason: strings.TrimSpace(in.Reason), External: in.External, CreatedAt: s.Now()}
	if err := s.store.InsertRefund(ctx, tx, r); err != nil {
		return nil, false, err
	}
	return r, true, s.Record(ctx, tx, orgID, "order_refund", r.ID, auditlog.Diff(nil, r))
}
