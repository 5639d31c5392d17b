package refunds_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
)

const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
)

func str(s string) *string { return &s }

// fixture is a school with a working calendar, one course of six modules
// sold at 49 900 ₽, one cohort (1 February – 30 June 2026) and students
// enrolled with the school's curator, each with a paid order.
type fixture struct {
	s       *apptest.Server
	sc      *apptest.School
	course  *school.CourseDetail
	cohort  *school.Cohort
	product *school.Product
	orders  []*school.Order
}

const price = 4_990_000

func weekdays() bizcal.Spec {
	day := []bizcal.Interval{{Start: "09:00", End: "18:00"}}
	return bizcal.Spec{TimeZone: "Europe/Moscow", Weekly: bizcal.Weekly{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day}}
}

func newFixture(t testing.TB, s *apptest.Server, slug string, students int) *fixture {
	t.Helper()
	sc := s.NewSchool(slug)
	f := &fixture{s: s, sc: sc}
	ctx, org, svc := s.Ctx(), sc.Org.ID, s.Services.School
	if _, err := svc.CreateCalendar(ctx, org, school.CalendarInput{Name: "Main", IsDefault: true, Spec: weekdays()}); err != nil {
		t.Fatal(err)
	}
	in := school.NewCourse{Title: "Course " + slug}
	for i := 1; i <= 6; i++ {
		in.Modules = append(in.Modules, school.NewModule{Title: fmt.Sprintf("Module %d", i)})
	}
	var err error
	if f.course, err = svc.CreateCourse(ctx, org, in); err != nil {
		t.Fatal(err)
	}
	if f.cohort, err = svc.CreateCohort(ctx, org, school.NewCohort{CourseID: f.course.Course.ID, Name: "Cohort " + slug, StartsOn: "2026-02-01",
		EndsOn: "2026-06-30", Status: school.CohortActive, Source: str("lms"), ExternalID: str("cohort-1")}); err != nil {
		t.Fatal(err)
	}
	if f.product, err = svc.CreateProduct(ctx, org, school.NewProduct{Kind: "course", Title: "Course " + slug, CourseID: &f.course.Course.ID,
		PriceAmount: price, Currency: "RUB"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < students; i++ {
		f.addStudent(t, f.cohort, sc.People["curator"].UserID, "card", 0)
	}
	return f
}

// addStudent enrolls a student with a curator and records their order,
// paid on 20 January 2026.
func (f *fixture) addStudent(t testing.TB, cohort *school.Cohort, curatorID, method string, months int) *school.Order {
	t.Helper()
	ctx, org, svc := f.s.Ctx(), f.sc.Org.ID, f.s.Services.School
	n := len(f.orders) + 1
	ext := fmt.Sprintf("st-%d", n)
	st, err := svc.CreateStudent(ctx, org, school.StudentInput{FullName: "Student " + ext, External: school.External{Source: str("lms"), ExternalID: &ext}})
	if err != nil {
		t.Fatal(err)
	}
	var curator *string
	if curatorID != "" {
		curator = &curatorID
	}
	if _, err := svc.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: cohort.ID, Status: school.EnrollmentActive, CuratorID: curator}); err != nil {
		t.Fatal(err)
	}
	o, _, err := svc.RecordOrder(ctx, org, school.OrderInput{StudentID: st.ID, ProductID: &f.product.ID, CohortID: &cohort.ID, Amount: price,
		Currency: "RUB", PaymentMethod: method, InstalmentMonths: months, PaidAt: time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC),
		External: school.External{Source: str("lms"), ExternalID: str(fmt.Sprintf("o-%d", n))}})
	if err != nil {
		t.Fatal(err)
	}
	f.orders = append(f.orders, o)
	return o
}

func (f *fixture) as(role string) apptest.Option { return f.sc.People[role].Auth() }

func key(k string) apptest.Option { return apptest.Header("Idempotency-Key", k) }

func ifMatch(v any) apptest.Option { return apptest.Header("If-Match", fmt.Sprintf(`"%v"`, v)) }

// requestBody is a request on order i for amount (0: what the calculator
// gives).
func (f *fixture) requestBody(i int, reason string, amount int64) map[string]any {
	b := map[string]any{"order_id": f.orders[i].ID, "reason": reason, "channel": "chat", "raised_by": "student", "comment": "Не успеваю учиться"}
	if amount > 0 {
		b["amount"] = amount
	}
	return b
}

// request is a refund request as the API answers it.
type request struct {
	ID              string  `json:"id"`
	Status          string  `json:"status"`
	Reason          string  `json:"reason"`
	ReasonTitle     string  `json:"reason_title"`
	RequestedAmount int64   `json:"requested_amount"`
	ApprovedAmount  *int64  `json:"approved_amount"`
	RefundedAmount  *int64  `json:"refunded_amount"`
	ApprovalsNeeded int     `json:"approvals_needed"`
	Flagged         bool    `json:"flagged"`
	Escalated       bool    `json:"escalated"`
	CuratorID       *string `json:"curator_id"`
	CuratorName     *string `json:"curator_name"`
	OrderRefundID   *string `json:"order_refund_id"`
	Version         int64   `json:"version"`
	History         []struct {
		From *string `json:"from"`
		To   string  `json:"to"`
	} `json:"history"`
	Evidence struct {
		ModulesTotal      int      `json:"modules_total"`
		Notes             []string `json:"notes"`
		RefundCalculation struct {
			Refundable int64 `json:"refundable"`
		} `json:"calculation"`
	} `json:"evidence"`
}

func decode(r *apptest.Response) request {
	var out request
	r.Decode(&out)
	return out
}

// raise creates a request on order i as the head and returns it.
func (f *fixture) raise(t testing.TB, i int, reason string, amount int64) request {
	t.Helper()
	return decode(f.s.Do(post, f.sc.Path("/refund-requests"), f.requestBody(i, reason, amount), f.as("head_of_service")).Expect(http.StatusCreated))
}

// approve approves a request as actor for amount.
func (f *fixture) approve(t testing.TB, r request, amount int64, actor apptest.Option) request {
	t.Helper()
	return decode(f.s.Do(post, f.sc.Path("/refund-requests/"+r.ID+"/approve"), map[string]any{"amount": amount}, actor, ifMatch(r.Version)).Expect(http.StatusOK))
}

// orderRefunded applies an order.refunded event as the inbox does.
func (f *fixture) orderRefunded(t testing.TB, order int, id string, amount int64) {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{"external_id": id, "order_external_id": fmt.Sprintf("o-%d", order+1), "amount": amount, "reason": "Возврат через банк"})
	ev := events.Inbound{OrgID: f.sc.Org.ID, EventID: id, Type: "order.refunded", OccurredAt: f.s.Clock.Now(), Data: raw}
	if err := events.Apply(f.s.Ctx(), f.s.DB, f.s.Services.School.EventHandlers(), ev); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) get(t testing.TB, id string, who string) request {
	t.Helper()
	return decode(f.s.Do(get, f.sc.Path("/refund-requests/"+id), nil, f.as(who)).Expect(http.StatusOK))
}
