package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/school"
)

// schoolWriter records the demo students' LMS events as the school
// module's event handlers would — the same students, enrollments with
// their first curator assignment, orders and refunds, and the same audit
// entries — and writes them with multi-row inserts. The handlers take a
// dozen queries per event; school_write_test.go holds the writer to them
// row by row.
type schoolWriter struct {
	r        *run
	now      time.Time // the school service's time, which stamps its rows
	by       string    // who curator assignments are made by
	cohorts  map[string]*school.Cohort
	products map[string]*school.Product
	curators map[string]string // active curators' user ids by email

	recordedStudents map[string]bool // by external id
	recordedOrders   map[string]bool // by external id

	students    []*school.Student
	enrollments []*school.Enrollment
	assignments []*school.CuratorAssignment
	orders      []*school.Order
	refunds     []*school.OrderRefund
	entries     []auditlog.Entry

	studentIDs map[string]string        // by external id, of the students written
	orderOf    map[string]*school.Order // by external id, of the orders written
}

func newSchoolWriter(ctx context.Context, r *run, cohorts map[string]*school.Cohort, products map[string]*school.Product) (*schoolWriter, error) {
	w := &schoolWriter{r: r, now: r.svc.School.Now(), cohorts: cohorts, products: map[string]*school.Product{}, curators: map[string]string{},
		recordedStudents: map[string]bool{}, recordedOrders: map[string]bool{}, studentIDs: map[string]string{}, orderOf: map[string]*school.Order{}}
	if p := reqctx.From(ctx).Principal; p != nil {
		if w.by = p.ActorID(); w.by == "" {
			w.by = p.Name
		}
	}
	for _, p := range products {
		w.products[*p.ExternalID] = p
	}
	people, err := r.svc.Identity.ActivePeople(ctx, r.orgID, "curator")
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		w.curators[strings.ToLower(p.Email)] = p.UserID
	}
	students, err := r.svc.School.ListStudents(ctx, r.orgID, school.StudentFilter{Limit: maxDemoRows})
	if err != nil {
		return nil, err
	}
	for _, st := range students {
		if st.ExternalID != nil {
			w.recordedStudents[*st.ExternalID] = true
		}
	}
	orders, err := r.svc.School.ListOrders(ctx, r.orgID, school.OrderFilter{})
	for _, o := range orders {
		if o.ExternalID != nil {
			w.recordedOrders[*o.ExternalID] = true
		}
	}
	return w, err
}

// add records one student's events.
func (w *schoolWriter) add(evs []demoEvent) error {
	for _, ev := range evs {
		var err error
		switch ev.kind {
		case "student.upserted":
			w.student(ev)
		case "enrollment.upserted":
			err = w.enrollment(ev)
		case "order.paid":
			w.order(ev)
		case "order.refunded":
			err = w.refund(ev)
		default:
			err = fmt.Errorf("no handler for %s", ev.kind)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", ev.kind, ev.id, err)
		}
	}
	return nil
}

func (w *schoolWriter) external(id string) school.External {
	return school.External{Source: str(demoSource), ExternalID: str(id)}
}

// text and optional read the demo's own event data.
func text(data map[string]any, key string) string {
	v, _ := data[key].(string)
	return v
}

func optional(data map[string]any, key string) *string {
	if v, ok := data[key].(string); ok {
		return &v
	}
	return nil
}

// student records student.upserted of a new student.
func (w *schoolWriter) student(ev demoEvent) {
	d := ev.data
	name := text(d, "full_name")
	st := &school.Student{ID: ids.New(), OrgID: w.r.orgID, FullName: name, NameKey: school.FoldName(name), Email: optional(d, "email"),
		Telegram: optional(d, "telegram"), Phone: optional(d, "phone"), BirthDate: optional(d, "birth_date"),
		External: w.external(text(d, "external_id")), CreatedAt: w.now, UpdatedAt: w.now, Version: 1}
	w.students = append(w.students, st)
	w.studentIDs[*st.ExternalID] = st.ID
	w.record("student", st.ID, auditlog.Diff(nil, st))
}

// enrollment records enrollment.upserted of a new enrollment, with the
// assignment of its first curator.
func (w *schoolWriter) enrollment(ev demoEvent) error {
	d := ev.data
	cohort, curatorID := w.cohorts[text(d, "cohort_external_id")], w.curators[strings.ToLower(text(d, "curator_email"))]
	if cohort == nil || curatorID == "" {
		return fmt.Errorf("no cohort %s or no active curator %s", d["cohort_external_id"], d["curator_email"])
	}
	e := &school.Enrollment{ID: ids.New(), OrgID: w.r.orgID, StudentID: w.studentIDs[text(d, "student_external_id")], CohortID: cohort.ID,
		Tariff: text(d, "tariff"), Status: text(d, "status"), CuratorID: &curatorID, EnrolledAt: ev.at.UTC(),
		External: w.external(text(d, "external_id")), CreatedAt: w.now, UpdatedAt: w.now, Version: 1}
	w.enrollments = append(w.enrollments, e)
	w.assignments = append(w.assignments, &school.CuratorAssignment{ID: ids.New(), OrgID: w.r.orgID, EnrollmentID: e.ID,
		CuratorID: e.CuratorID, Reason: "enrolled", AssignedBy: w.by, AssignedAt: w.now})
	w.record("enrollment", e.ID, auditlog.Diff(nil, e))
	return nil
}

// order records order.paid of a new order.
func (w *schoolWriter) order(ev demoEvent) {
	d := ev.data
	product := w.products[text(d, "product_external_id")]
	o := &school.Order{ID: ids.New(), OrgID: w.r.orgID, StudentID: w.studentIDs[text(d, "student_external_id")], ProductID: &product.ID,
		Amount: d["amount"].(int64), Currency: text(d, "currency"), PaymentMethod: text(d, "payment_method"),
		PaidAt: d["paid_at"].(time.Time).UTC(), External: w.external(text(d, "external_id")), CreatedAt: w.now}
	if months, ok := d["instalment_months"].(int); ok {
		o.InstalmentMonths = months
	}
	if c := w.cohorts[text(d, "cohort_external_id")]; c != nil {
		o.CohortID = &c.ID
	}
	w.orders = append(w.orders, o)
	w.orderOf[*o.ExternalID] = o
	w.record("order", o.ID, auditlog.Diff(nil, o))
}

// refund records order.refunded of an order written before it; refunds
// never add up to more than was paid.
func (w *schoolWriter) refund(ev demoEvent) error {
	d := ev.data
	o, amount := w.orderOf[text(d, "order_external_id")], d["amount"].(int64)
	if o == nil || amount <= 0 || amount > o.Amount-o.Refunded {
		return fmt.Errorf("cannot refund %d of order %s", amount, d["order_external_id"])
	}
	r := &school.OrderRefund{ID: ids.New(), OrgID: w.r.orgID, OrderID: o.ID, Amount: amount, RefundedAt: ev.at.UTC(),
		Reason: strings.TrimSpace(text(d, "reason")), External: w.external(text(d, "external_id")), CreatedAt: w.now}
	o.Refunded += amount
	w.refunds = append(w.refunds, r)
	w.record("order_refund", r.ID, auditlog.Diff(nil, r))
	return nil
}

func (w *schoolWriter) record(entityType, entityID string, changes map[string]auditlog.Change) {
	w.entries = append(w.entries, auditlog.Entry{OrgID: w.r.orgID, EntityType: entityType, EntityID: entityID, Changes: changes})
}

// write inserts everything recorded, in tx.
func (w *schoolWriter) write(ctx context.Context, tx bun.Tx) error {
	for _, insert := range []func() error{
		func() error { return insertInBatches(ctx, tx, w.students) },
		func() error { return insertInBatches(ctx, tx, w.enrollments) },
		func() error { return insertInBatches(ctx, tx, w.assignments) },
		func() error { return insertInBatches(ctx, tx, w.orders) },
		func() error { return insertInBatches(ctx, tx, w.refunds) },
		func() error { return insertInBatches(ctx, tx, auditRows(ctx, w.r, w.entries)) },
	} {
		if err := insert(); err != nil {
			return err
		}
	}
	return nil
}
