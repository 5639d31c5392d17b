package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"time"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
)

// demoSource marks the demo school's records, the way an LMS name would.
const demoSource = "lms"

// StudentCount is how many students the demo school has.
const StudentCount = 520

// seedSchool fills the demo school's calendar, courses, cohorts, products,
// students, enrollments and orders. Students, enrollments and orders go
// through the LMS event handlers, which are idempotent by external id;
// the catalog is looked up by external id before it is created.
func seedSchool(ctx context.Context, svc *server.Services, orgID string) error {
	if err := seedCalendar(ctx, svc.School, orgID); err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	cohorts, products, err := seedCatalog(ctx, svc.School, orgID)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return seedStudents(ctx, svc.School, orgID, cohorts, products)
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

type demoCohort struct {
	key, course, name, starts, ends, status string
	students                                int
}

// demoCohorts are listed in the order they joined the demo, not by date:
// students are numbered across the list, and a school seeded before a
// cohort was added keeps its students' numbers when it is seeded again.
var demoCohorts = []demoCohort{
	{"flow-rel-11", "c-relations", "Психология отношений — поток 11", "2026-05-11", "2026-08-30", school.CohortFinished, 80},
	{"flow-rel-12", "c-relations", "Психология отношений — поток 12", "2026-09-07", "2026-12-20", school.CohortActive, 120},
	{"flow-prac-8", "c-practice", "Практическая психология — поток 8", "2026-10-05", "2027-01-31", school.CohortActive, 100},
	{"flow-rel-10", "c-relations", "Психология отношений — поток 10", "2026-01-19", "2026-05-03", school.CohortFinished, 120},
	{"flow-prac-7", "c-practice", "Практическая психология — поток 7", "2026-03-16", "2026-07-12", school.CohortFinished, 100},
}

// demoSeat is one demo student in their cohort.
type demoSeat struct {
	cohort demoCohort
	n      int // the student's number, from 1, across demoCohorts in order
}

func (s demoSeat) studentID() string { return fmt.Sprintf("s-%03d", s.n) }

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
func seedCatalog(ctx context.Context, svc *school.Service, orgID string) (map[string]*school.Cohort, map[string]*school.Product, error) {
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
			cohort, err = svc.CreateCohort(ctx, orgID, school.NewCohort{CourseID: courses[c.course], Name: c.name, StartsOn: c.starts,
				EndsOn: c.ends, Status: c.status, Source: str(demoSource), ExternalID: str(c.key)})
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

var (
	firstNames = []string{"Анна", "Мария", "Екатерина", "Ольга", "Наталья", "Елена", "Татьяна", "Ирина", "Светлана", "Юлия",
		"Алина", "Ксения", "Дарья", "Виктория", "Полина", "Марина", "Вера", "Надежда", "Людмила", "Оксана",
		"Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Илья"}
	lastNames = []string{"Иванова", "Петрова", "Соколова", "Кузнецова", "Попова", "Лебедева", "Козлова", "Новикова", "Морозова",
		"Волкова", "Соловьёва", "Васильева", "Зайцева", "Павлова", "Семёнова", "Голубева", "Виноградова", "Богданова",
		"Воробьёва", "Фёдорова", "Михайлова", "Беляева", "Тарасова", "Белова", "Комарова", "Орлова"}
)

// maleSurname turns the feminine surnames of the list into masculine ones
// for the men's first names at its end.
func maleSurname(s string) string {
	if r := []rune(s); len(r) > 1 && r[len(r)-1] == 'а' {
		return string(r[:len(r)-1])
	}
	return s
}

// seedStudents sends the demo students, enrollments and orders through the
// LMS event handlers. A fixed random seed keeps the demo the same each time.
func seedStudents(ctx context.Context, svc *school.Service, orgID string, cohorts map[string]*school.Cohort, products map[string]*school.Product) error {
	rnd := rand.New(rand.NewSource(2026))
	handlers := svc.EventHandlers()
	apply := func(kind, id string, at time.Time, data map[string]any) error {
		raw, err := json.Marshal(data)
		if err != nil {
			return err
		}
		if err := events.Apply(ctx, svc.DB, handlers, events.Inbound{OrgID: orgID, EventID: id, Type: kind, OccurredAt: at, Data: raw}); err != nil {
			return fmt.Errorf("%s %s: %w", kind, id, err)
		}
		return nil
	}
	for _, seat := range demoSeats() {
		c, sid := seat.cohort, seat.studentID()
		starts, _ := time.Parse(time.DateOnly, c.starts)
		st := demoStudent(rnd, seat.n)
		st["external_id"] = sid
		if err := apply("student.upserted", "demo-"+sid, starts.AddDate(0, 0, -20), st); err != nil {
			return err
		}
		enrollment := map[string]any{"external_id": "e-" + sid, "student_external_id": sid, "cohort_external_id": c.key,
			"tariff": pick(rnd, "Стандарт", "Стандарт", "С куратором", "VIP"), "status": demoStatus(rnd, c.status),
			"curator_email": fmt.Sprintf("curator%02d@demo.test", 1+(seat.n-1)%CuratorCount)}
		if err := apply("enrollment.upserted", "demo-e-"+sid, starts.AddDate(0, 0, -14), enrollment); err != nil {
			return err
		}
		if err := seedOrders(rnd, apply, sid, c.key, products[c.course], products, starts); err != nil {
			return err
		}
	}
	return nil
}

func demoStudent(rnd *rand.Rand, n int) map[string]any {
	first := firstNames[rnd.Intn(len(firstNames))]
	last := lastNames[rnd.Intn(len(lastNames))]
	if rnd.Intn(len(firstNames)) >= 20 {
		first = firstNames[20+rnd.Intn(6)]
		last = maleSurname(last)
	}
	birth := time.Date(1975+rnd.Intn(30), time.Month(1+rnd.Intn(12)), 1+rnd.Intn(28), 0, 0, 0, 0, time.UTC)
	if n%20 == 0 {
		birth = time.Date(2010, time.Month(1+rnd.Intn(12)), 1+rnd.Intn(28), 0, 0, 0, 0, time.UTC) // a few minors
	}
	st := map[string]any{"full_name": first + " " + last, "email": fmt.Sprintf("student%03d@example.ru", n),
		"birth_date": birth.Format(time.DateOnly)}
	if rnd.Intn(10) < 8 {
		st["telegram"] = fmt.Sprintf("@demo_student_%03d", n)
	}
	if rnd.Intn(10) < 6 {
		st["phone"] = fmt.Sprintf("+7 9%02d %03d-%02d-%02d", rnd.Intn(100), rnd.Intn(1000), rnd.Intn(100), rnd.Intn(100))
	}
	return st
}

func demoStatus(rnd *rand.Rand, cohortStatus string) string {
	if cohortStatus != school.CohortFinished {
		return pick(rnd, "active", "active", "active", "active", "active", "active", "active", "active", "active", "dropped")
	}
	return pick(rnd, "completed", "completed", "completed", "completed", "completed", "completed", "dropped", "refunded")
}

func pick(rnd *rand.Rand, options ...string) string { return options[rnd.Intn(len(options))] }

// seedOrders records the course purchase (a third in instalments), now and
// then a consultation or a club month, and refunds about one order in 25.
func seedOrders(rnd *rand.Rand, apply func(string, string, time.Time, map[string]any) error, sid, cohortKey string,
	course *school.Product, products map[string]*school.Product, starts time.Time) error {
	paidAt := starts.AddDate(0, 0, -10-rnd.Intn(20)).Add(time.Duration(9+rnd.Intn(12)) * time.Hour)
	order := map[string]any{"external_id": "o-" + sid, "student_external_id": sid, "product_external_id": *course.ExternalID,
		"cohort_external_id": cohortKey, "amount": course.PriceAmount, "currency": "RUB", "payment_method": "card", "paid_at": paidAt}
	if rnd.Intn(3) == 0 {
		order["payment_method"], order["instalment_months"] = "instalment", []int{6, 12}[rnd.Intn(2)]
	}
	if err := apply("order.paid", "demo-o-"+sid, paidAt, order); err != nil {
		return err
	}
	if rnd.Intn(25) == 0 {
		amount := course.PriceAmount
		if rnd.Intn(2) == 0 {
			amount /= 2
		}
		refund := map[string]any{"external_id": "r-" + sid, "order_external_id": "o-" + sid, "amount": amount,
			"reason": pick(rnd, "Не подошёл формат обучения", "Финансовые трудности", "Нет времени на занятия")}
		if err := apply("order.refunded", "demo-r-"+sid, paidAt.AddDate(0, 0, 21), refund); err != nil {
			return err
		}
	}
	extra := map[int]string{0: "p-consult", 1: "p-club"}[rnd.Intn(6)]
	if extra == "" {
		return nil
	}
	p := products[extra]
	at := starts.AddDate(0, 1, rnd.Intn(20))
	return apply("order.paid", "demo-x-"+sid, at, map[string]any{"external_id": "x-" + sid, "student_external_id": sid,
		"product_external_id": extra, "amount": p.PriceAmount, "currency": "RUB", "payment_method": "card", "paid_at": at})
}
