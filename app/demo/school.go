package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
)

// demoSource marks the demo school's records, the way an LMS name would.
const demoSource = "lms"

// StudentCount is how many students the demo school has.
const StudentCount = 520

// seedSchool fills the demo school's calendar, courses, cohorts, products,
// students, enrollments, orders and refunds. The catalog goes through the
// school service and is looked up by external id before it is created;
// the students and what follows them are the LMS's events, recorded as its
// handlers record them (seedStudents).
func seedSchool(ctx context.Context, r *run) error {
	if err := seedCalendar(ctx, r.svc.School, r.orgID); err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	cohorts, products, err := seedCatalog(ctx, r.svc.School, r.orgID, r.tl)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return seedStudents(ctx, r, cohorts, products)
}

// DemoCalendarSpec is the demo school's hours: Mon–Fri 09:00–21:00,
// Sat 10:00–18:00, Moscow time, Russian public holidays of 2026.
func DemoCalendarSpec() bizcal.Spec {
	weekday := []bizcal.Interval{{Start: "09:00", End: "21:00"}}
	return bizcal.Spec{
		TimeZone: "Europe/Moscow",
		Weekly: bizcal.Weekly{Monday: weekday, Tuesday: weekday, Wednesday: weekday, Thursday: weekday, Friday: weekday,
			Saturday: []bizcal.Interval{{Start: "10:00", End: "18:00"}}},
		Holidays:    bizcal.Russia2026Holidays(),
		WorkingDays: bizcal.Russia2026WorkingDays(),
	}
}

func seedCalendar(ctx context.Context, svc *school.Service, orgID string) error {
	existing, err := svc.Calendars(ctx, orgID)
	if err != nil || len(existing) > 0 {
		return err
	}
	_, err = svc.CreateCalendar(ctx, orgID, school.CalendarInput{Name: "Основной график", IsDefault: true, Spec: DemoCalendarSpec()})
	return err
}

type demoCourse struct {
	key, title string
	modules    []string
	price      int64
}

var demoCourses = []demoCourse{
	{"c-relations", "Психология отношений", []string{
		"Как устроены отношения", "Привязанность и её типы", "Границы и ответственность",
		"Конфликты и примирение", "Созависимость", "Итоговый проект: карта моих отношений"}, 4990000},
	{"c-practice", "Практическая психология", []string{
		"Введение в консультирование", "Эмоции и их регуляция", "Самооценка",
		"Стресс и выгорание", "Работа с убеждениями", "Итоговый проект: разбор случая"}, 6990000},
}

// demoCohort is one run of a demo course. Its dates count back from the
// timeline's anchor; its figures tell the school's story: the earliest
// cohorts, before the curator service was rebuilt, lose most students
// before module 3 and ask for their money back more often than the latest.
type demoCohort struct {
	key, course, name, status string
	weeksAgo, days            int // starts weeksAgo weeks before the anchor and lasts days
	students                  int
	refunds                   int // enrollments refunded
	// goOn[m-1] is the share, in %, of the students who handed in module
	// m-1 (all students, for module 1) who hand in module m too.
	goOn [6]int
}

// demoCohorts are listed in the order they joined the demo, not by date:
// students are numbered across the list, and a school seeded before a
// cohort was added keeps its students' numbers when it is seeded again.
var demoCohorts = []demoCohort{
	{"flow-rel-11", "c-relations", "Психология отношений — поток 11", school.CohortFinished, 29, 111, 80, 3, [6]int{85, 68, 65, 88, 88, 90}},
	{"flow-rel-12", "c-relations", "Психология отношений — поток 12", school.CohortActive, 12, 104, 120, 3, [6]int{90, 78, 69, 90, 90, 92}},
	{"flow-prac-8", "c-practice", "Практическая психология — поток 8", school.CohortActive, 8, 118, 100, 2, [6]int{92, 78, 70, 90, 90, 92}},
	{"flow-rel-10", "c-relations", "Психология отношений — поток 10", school.CohortFinished, 45, 104, 120, 5, [6]int{80, 55, 57, 85, 85, 85}},
	{"flow-prac-7", "c-practice", "Практическая психология — поток 7", school.CohortFinished, 37, 118, 100, 4, [6]int{82, 60, 60, 85, 88, 88}},
}

// demoSeat is one demo student in their cohort.
type demoSeat struct {
	cohort demoCohort
	n      int // the student's number, from 1, across demoCohorts in order
}

func (s demoSeat) studentID() string { return fmt.Sprintf("s-%03d", s.n) }

// curatorEmail is the curator who looks after the student.
func (s demoSeat) curatorEmail() string {
	return fmt.Sprintf("curator%02d@demo.test", 1+(s.n-1)%CuratorCount)
}

// demoSeats lists every demo student with their cohort.
func demoSeats() []demoSeat {
	var seats []demoSeat
	for _, c := range demoCohorts {
		for i := 0; i < c.students; i++ {
			seats = append(seats, demoSeat{cohort: c, n: len(seats) + 1})
		}
	}
	return seats
}

var demoRubric = []school.Criterion{
	{Key: "task", Title: "Задание выполнено полностью", MaxPoints: 5, Required: true},
	{Key: "depth", Title: "Глубина самоанализа", MaxPoints: 5, Required: true},
	{Key: "theory", Title: "Опора на материал модуля", MaxPoints: 3, Required: false},
}

func str(s string) *string { return &s }

// seedCatalog returns the demo cohorts and course products by key.
func seedCatalog(ctx context.Context, svc *school.Service, orgID string, tl timeline) (map[string]*school.Cohort, map[string]*school.Product, error) {
	courses := map[string]string{}
	products := map[string]*school.Product{}
	for _, c := range demoCourses {
		course, err := svc.CourseByExternalID(ctx, orgID, demoSource, c.key)
		if errors.Is(err, errs.ErrNotFound) {
			var detail *school.CourseDetail
			detail, err = svc.CreateCourse(ctx, orgID, newDemoCourse(c))
			if detail != nil {
				course = detail.Course
			}
		}
		if err != nil {
			return nil, nil, err
		}
		courses[c.key] = course.ID
		p, err := ensureProduct(ctx, svc, orgID, school.NewProduct{Kind: school.ProductCourse, Title: c.title, CourseID: &course.ID,
			PriceAmount: c.price, Currency: "RUB", Source: str(demoSource), ExternalID: str("p-" + c.key)})
		if err != nil {
			return nil, nil, err
		}
		products[c.key] = p
	}
	for _, extra := range []school.NewProduct{
		{Kind: school.ProductConsultation, Title: "Индивидуальная консультация психолога", PriceAmount: 500000, Currency: "RUB", Source: str(demoSource), ExternalID: str("p-consult")},
		{Kind: school.ProductClubSubscription, Title: "Клуб выпускников, месяц", PriceAmount: 149000, Currency: "RUB", Source: str(demoSource), ExternalID: str("p-club")},
	} {
		p, err := ensureProduct(ctx, svc, orgID, extra)
		if err != nil {
			return nil, nil, err
		}
		products[*extra.ExternalID] = p
	}
	cohorts := map[string]*school.Cohort{}
	for _, c := range demoCohorts {
		cohort, err := svc.CohortByExternalID(ctx, orgID, demoSource, c.key)
		if errors.Is(err, errs.ErrNotFound) {
			cohort, err = svc.CreateCohort(ctx, orgID, school.NewCohort{CourseID: courses[c.course], Name: c.name,
				StartsOn: tl.starts(c).Format(time.DateOnly), EndsOn: tl.ends(c).Format(time.DateOnly), Status: c.status,
				Source: str(demoSource), ExternalID: str(c.key)})
		}
		if err != nil {
			return nil, nil, err
		}
		cohorts[c.key] = cohort
	}
	return cohorts, products, nil
}

func newDemoCourse(c demoCourse) school.NewCourse {
	in := school.NewCourse{Title: c.title, Description: "Онлайн-курс с кураторским сопровождением и проверкой домашних заданий.",
		Source: str(demoSource), ExternalID: str(c.key)}
	for i, title := range c.modules {
		kind := school.KindRegular
		if i == len(c.modules)-1 {
			kind = school.KindFinalProject
		}
		in.Modules = append(in.Modules, school.NewModule{Title: title, Assignments: []school.NewAssignment{{
			Title: "Домашнее задание: " + title, Kind: kind, Rubric: demoRubric,
			Source: str(demoSource), ExternalID: str(fmt.Sprintf("%s-hw-%d", c.key, i+1)),
		}}})
	}
	return in
}

func ensureProduct(ctx context.Context, svc *school.Service, orgID string, in school.NewProduct) (*school.Product, error) {
	p, err := svc.ProductByExternalID(ctx, orgID, demoSource, *in.ExternalID)
	if errors.Is(err, errs.ErrNotFound) {
		return svc.CreateProduct(ctx, orgID, in)
	}
	return p, err
}

// seedStudents records the demo students, enrollments, orders and
// refunds, all in one transaction. A fixed random seed keeps the demo the
// same each time; a student whose course order is recorded was recorded
// in full before and is skipped. The school's rows are written in bulk, as
// the LMS event handlers would write them (school_write.go); a student
// recorded without their order, left by an older seed, is completed
// through the handlers themselves.
func seedStudents(ctx context.Context, r *run, cohorts map[string]*school.Cohort, products map[string]*school.Product) error {
	w, err := newSchoolWriter(ctx, r, cohorts, products)
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewSource(2026))
	var partial []events.Inbound
	for _, seat := range demoSeats() {
		seatEvents := studentEvents(rnd, r, seat, products)
		switch sid := seat.studentID(); {
		case w.recordedOrders["o-"+sid]:
		case w.recordedStudents[sid]:
			for _, ev := range seatEvents {
				in, err := ev.inbound(r.orgID)
				if err != nil {
					return err
				}
				partial = append(partial, in)
			}
		default:
			if err := w.add(seatEvents); err != nil {
				return fmt.Errorf("student %s: %w", sid, err)
			}
		}
	}
	return database.InTx(ctx, r.svc.School.DB, func(ctx context.Context, tx bun.Tx) error {
		if err := w.write(ctx, tx); err != nil {
			return err
		}
		return applyInTx(ctx, tx, r.svc.School.EventHandlers(), partial)
	})
}

// demoEvent is an LMS event of the demo school, with its data as sent.
type demoEvent struct {
	kind, id string
	at       time.Time
	data     map[string]any
}

func (e demoEvent) inbound(orgID string) (events.Inbound, error) {
	return inbound(orgID, e.kind, e.id, e.at, e.data)
}

// studentEvents are the LMS events of one student: who they are, their
// enrollment, the course order (a third in instalments), the refund of a
// student who took the money back, and now and then a consultation or a
// club month bought later.
func studentEvents(rnd *rand.Rand, r *run, seat demoSeat, products map[string]*school.Product) []demoEvent {
	c, sid, fate := seat.cohort, seat.studentID(), r.fates[seat.n]
	starts := r.tl.starts(c)
	st := demoStudent(rnd, seat.n)
	st["external_id"] = sid
	out := []demoEvent{{"student.upserted", "demo-" + sid, starts.AddDate(0, 0, -20), st}}
	enrollment := map[string]any{"external_id": "e-" + sid, "student_external_id": sid, "cohort_external_id": c.key,
		"tariff": pick(rnd, "Стандарт", "Стандарт", "С куратором", "VIP"), "status": fate.status, "curator_email": seat.curatorEmail()}
	out = append(out, demoEvent{"enrollment.upserted", "demo-e-" + sid, starts.AddDate(0, 0, -14), enrollment})
	course := products[c.course]
	paidAt := starts.AddDate(0, 0, -10-rnd.Intn(20)).Add(time.Duration(9+rnd.Intn(12)) * time.Hour)
	order := map[string]any{"external_id": "o-" + sid, "student_external_id": sid, "product_external_id": *course.ExternalID,
		"cohort_external_id": c.key, "amount": course.PriceAmount, "currency": "RUB", "payment_method": "card", "paid_at": paidAt}
	if rnd.Intn(3) == 0 {
		order["payment_method"], order["instalment_months"] = "instalment", []int{6, 12}[rnd.Intn(2)]
	}
	out = append(out, demoEvent{"order.paid", "demo-o-" + sid, paidAt, order})
	if fate.refunded {
		refund := demoRefund(rnd, sid, fate, course.PriceAmount)
		refundedAt := starts.AddDate(0, 0, 14+rnd.Intn(10)).Add(time.Duration(10+rnd.Intn(8)) * time.Hour)
		return append(out, demoEvent{"order.refunded", "demo-r-" + sid, refundedAt, refund})
	}
	extra := map[int]string{0: "p-consult", 1: "p-club"}[rnd.Intn(6)]
	if extra == "" {
		return out
	}
	p := products[extra]
	at := starts.AddDate(0, 1, rnd.Intn(20)).Add(time.Duration(9+rnd.Intn(12)) * time.Hour)
	return append(out, demoEvent{"order.paid", "demo-x-" + sid, at, map[string]any{"external_id": "x-" + sid, "student_external_id": sid,
		"product_external_id": extra, "amount": p.PriceAmount, "currency": "RUB", "payment_method": "card", "paid_at": at}})
}

// demoRefund returns a refunded student's money: all of it to one who left
// before handing in any homework, four fifths to one who had begun.
func demoRefund(rnd *rand.Rand, sid string, fate demoFate, price int64) map[string]any {
	amount := price
	if fate.reach > 0 {
		amount = price * 4 / 5
	}
	return map[string]any{"external_id": "r-" + sid, "order_external_id": "o-" + sid, "amount": amount,
		"reason": pick(rnd, "Не подошёл формат обучения", "Финансовые трудности", "Нет времени на занятия")}
}

func demoStudent(rnd *rand.Rand, n int) map[string]any {
	birth := time.Date(1975+rnd.Intn(30), time.Month(1+rnd.Intn(12)), 1+rnd.Intn(28), 0, 0, 0, 0, time.UTC)
	if n%20 == 0 {
		birth = time.Date(2010, time.Month(1+rnd.Intn(12)), 1+rnd.Intn(28), 0, 0, 0, 0, time.UTC) // a few minors
	}
	st := map[string]any{"full_name": demoPersonName(rnd), "email": fmt.Sprintf("student%03d@example.ru", n),
		"birth_date": birth.Format(time.DateOnly)}
	if rnd.Intn(10) < 8 {
		st["telegram"] = fmt.Sprintf("@demo_student_%03d", n)
	}
	if rnd.Intn(10) < 6 {
		st["phone"] = fmt.Sprintf("+7 9%02d %03d-%02d-%02d", rnd.Intn(100), rnd.Intn(1000), rnd.Intn(100), rnd.Intn(100))
	}
	return st
}

func pick(rnd *rand.Rand, options ...string) string { return options[rnd.Intn(len(options))] }

// inbound is an LMS event of the demo school.
func inbound(orgID, kind, id string, at time.Time, data any) (events.Inbound, error) {
	raw, err := json.Marshal(data)
	return events.Inbound{OrgID: orgID, EventID: id, Type: kind, OccurredAt: at, Data: raw}, err
}

// applyEvents runs each event's handler, as the integration inbox would,
// all in one transaction with a large page cache (seedTx): a thousand
// conversation messages then take a second or two, not one transaction
// each.
func applyEvents(ctx context.Context, db *bun.DB, handlers map[string]events.Handler, evs []events.Inbound) error {
	if len(evs) == 0 {
		return nil
	}
	return seedTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return applyInTx(ctx, tx, handlers, evs) })
}

func applyInTx(ctx context.Context, tx bun.Tx, handlers map[string]events.Handler, evs []events.Inbound) error {
	for _, ev := range evs {
		h, ok := handlers[ev.Type]
		if !ok {
			return fmt.Errorf("no handler for %s", ev.Type)
		}
		if err := h(ctx, tx, ev); err != nil {
			return fmt.Errorf("%s %s: %w", ev.Type, ev.EventID, err)
		}
	}
	return nil
}
