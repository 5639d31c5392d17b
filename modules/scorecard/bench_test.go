package scorecard_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/scorecard"
	"github.com/curatorops/curatorops/modules/sla"
	"github.com/curatorops/curatorops/modules/surveys"
)

// benchSize is the school of the scorecard benchmark: 50,000 students, 300
// curators and 300 days of their work.
type benchSize struct {
	students, curators, messages, submissions, answers, orders int
}

// BenchmarkLargeSchool loads one school of 50,000 students, 300 curators,
// 1,000,000 messages (≈250,000 response clocks), 300,000 homework
// submissions, 100,000 survey answers and 60,000 orders over the 300 days
// before 2026-11-20, then times the scorecard for the last 90 days with the
// 90 days before as the comparison period — the school's total and its
// by-curator breakdown — through scorecard.Service.School, the call the
// API makes.
//
// The school's catalogue (2 courses of 6 modules, 24 cohorts), its curators
// and survey are created through the services; the volume is written
// straight to the tables with multi-row INSERTs of 1,000 rows, as the
// modules' own models. SCORECARD_BENCH_SCALE (e.g. 0.1) shrinks every
// count but the curators.
//
//	go test -run '^$' -bench LargeSchool -benchtime 5x -timeout 60m ./modules/scorecard/
//	TEST_DATABASE_URL=postgres://… go test -run '^$' -bench 'LargeSchool/postgres' -benchtime 5x -timeout 60m ./modules/scorecard/
func BenchmarkLargeSchool(b *testing.B) {
	size := benchSize{students: 50000, curators: 300, messages: 1000000, submissions: 300000, answers: 100000, orders: 60000}
	if v, err := strconv.ParseFloat(os.Getenv("SCORECARD_BENCH_SCALE"), 64); err == nil && v > 0 && v < 1 {
		scale := func(n int) int { return max(1, int(float64(n)*v)) }
		size = benchSize{students: scale(size.students), curators: size.curators, messages: scale(size.messages),
			submissions: scale(size.submissions), answers: scale(size.answers), orders: scale(size.orders)}
	}
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	from, compareTo := end.AddDate(0, 0, -90), end.AddDate(0, 0, -90)
	compareFrom := compareTo.AddDate(0, 0, -90)
	for _, dialect := range testkit.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			s := apptest.New(b, dialect)
			s.Clock.Set(end)
			started := time.Now()
			orgID := loadLargeSchool(b, s, size, end)
			b.Logf("%s: loaded %+v in %v", dialect, size, time.Since(started).Round(time.Second))
			if _, err := s.DB.ExecContext(context.Background(), "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			timer := traceQueries(b, s.DB)
			for _, breakdown := range []string{scorecard.ByNone, scorecard.ByCurator} {
				b.Run("90d-compare-"+breakdown, func(b *testing.B) {
					var sc *scorecard.Scorecard
					var err error
					cpu := cpuTime()
					for i := 0; i < b.N; i++ {
						timer.start(i == b.N-1)
						sc, err = s.Services.Scorecard.School(s.Ctx(), orgID, scorecard.Query{From: from, To: end,
							CompareFrom: &compareFrom, CompareTo: &compareTo, Breakdown: breakdown})
						if err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					// The process's CPU time per call (on SQLite, all of the
					// work; on PostgreSQL, the Go side): unlike ns/op, it
					// hardly depends on what else the shared machine runs.
					b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
					timer.report(b, s.DB, dialect)
					b.ReportMetric(float64(len(sc.Rows)), "rows")
					if csi := sc.Total.Period.CSI; csi != nil {
						b.ReportMetric(float64(csi.Denominator), "csi-answers")
					}
				})
			}
		})
	}
}

// loadLargeSchool writes the school and returns its id.
func loadLargeSchool(b *testing.B, s *apptest.Server, size benchSize, end time.Time) string {
	ctx := s.Ctx()
	rnd := rand.New(rand.NewSource(14))
	org, _, err := s.Services.Identity.EnsureOrg(ctx, identity.NewOrg{Slug: "bench", Name: "Bench school", TimeZone: "Europe/Moscow", Currency: "RUB"})
	if err != nil {
		b.Fatal(err)
	}
	orgID := org.ID
	curators := make([]string, size.curators)
	for i := range curators {
		u, _, err := s.Services.Identity.EnsureUser(ctx, identity.UserSpec{Email: fmt.Sprintf("curator%03d@bench.test", i),
			Name: fmt.Sprintf("Куратор %03d", i), Password: apptest.Password})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Services.Identity.EnsureMember(ctx, orgID, u.ID, []string{"curator"}); err != nil {
			b.Fatal(err)
		}
		curators[i] = u.ID
	}

	// Catalogue: 2 courses of 6 modules with one assignment each, a
	// cohort of each course starting every month of the last year.
	type cohortInfo struct {
		id, courseID string
		start        time.Time
		modules      []school.ModuleDetail
	}
	var cohorts []cohortInfo
	var products []string
	src := "bench"
	for c := 0; c < 2; c++ {
		in := school.NewCourse{Title: fmt.Sprintf("Курс %d", c+1), Source: &src, ExternalID: ptr(fmt.Sprintf("course-%d", c))}
		for m := 1; m <= 6; m++ {
			in.Modules = append(in.Modules, school.NewModule{Title: fmt.Sprintf("Модуль %d", m), Assignments: []school.NewAssignment{{
				Title: fmt.Sprintf("ДЗ %d", m), Kind: school.KindRegular, Source: &src, ExternalID: ptr(fmt.Sprintf("hw-%d-%d", c, m))}}})
		}
		course, err := s.Services.School.CreateCourse(ctx, orgID, in)
		if err != nil {
			b.Fatal(err)
		}
		p, err := s.Services.School.CreateProduct(ctx, orgID, school.NewProduct{Kind: "consultation", Title: fmt.Sprintf("Консультация %d", c+1),
			CourseID: &course.Course.ID, PriceAmount: 500000, Currency: "RUB"})
		if err != nil {
			b.Fatal(err)
		}
		products = append(products, p.ID)
		for k := 0; k < 12; k++ {
			start := end.AddDate(0, -12+k, 0)
			cohort, err := s.Services.School.CreateCohort(ctx, orgID, school.NewCohort{CourseID: course.Course.ID,
				Name: fmt.Sprintf("Курс %d, поток %02d", c+1, k+1), StartsOn: start.Format(time.DateOnly),
				EndsOn: start.AddDate(0, 4, 0).Format(time.DateOnly), Status: school.CohortActive, Source: &src,
				ExternalID: ptr(fmt.Sprintf("cohort-%d-%d", c, k))})
			if err != nil {
				b.Fatal(err)
			}
			cohorts = append(cohorts, cohortInfo{id: cohort.ID, courseID: course.Course.ID, start: start, modules: course.Modules})
		}
	}
	survey, err := s.Services.Surveys.CreateSurvey(ctx, orgID, surveys.SurveyInput{Title: "Оценка модуля", Moment: "module_end",
		Questions: []surveys.Question{{Key: "csi", Scale: "csi", Text: "Насколько вы довольны?"}, {Key: "nps", Scale: "nps", Text: "Порекомендуете?"}}})
	if err != nil {
		b.Fatal(err)
	}

	// Students: one enrollment each, a curator from the start (one history
	// row) and one in ten changing curator a month in.
	type place struct {
		student, enrollment string
		cohort              *cohortInfo
		curator             string
		changedAt           time.Time
		previous            string
	}
	places := make([]place, size.students)
	var students []school.Student
	var enrollments []school.Enrollment
	var history []school.CuratorAssignment
	for i := range places {
		c := &cohorts[i%len(cohorts)]
		p := place{student: ids.New(), enrollment: ids.New(), cohort: c, curator: curators[rnd.Intn(len(curators))]}
		enrolled := c.start.AddDate(0, 0, -rnd.Intn(14)-1)
		status := "active"
		switch r := rnd.Intn(100); {
		case r < 8:
			status = "dropped"
		case c.start.AddDate(0, 4, 0).Before(end):
			status = "completed"
		}
		first := p.curator
		if rnd.Intn(10) == 0 {
			p.previous, p.changedAt = p.curator, c.start.AddDate(0, 1, 0)
			p.curator = curators[rnd.Intn(len(curators))]
		}
		places[i] = p
		students = append(students, school.Student{ID: p.student, OrgID: orgID, FullName: fmt.Sprintf("Студент %05d", i),
			NameKey: fmt.Sprintf("студент %05d", i), CreatedAt: enrolled, UpdatedAt: enrolled, Version: 1})
		enrollments = append(enrollments, school.Enrollment{ID: p.enrollment, OrgID: orgID, StudentID: p.student, CohortID: c.id,
			Status: status, CuratorID: ptr(p.curator), EnrolledAt: enrolled, CreatedAt: enrolled, UpdatedAt: enrolled, Version: 1})
		history = append(history, school.CuratorAssignment{ID: ids.New(), OrgID: orgID, EnrollmentID: p.enrollment, CuratorID: ptr(first),
			AssignedBy: "bench", AssignedAt: enrolled})
		if p.previous != "" {
			history = append(history, school.CuratorAssignment{ID: ids.New(), OrgID: orgID, EnrollmentID: p.enrollment, CuratorID: ptr(p.curator),
				PreviousCuratorID: ptr(p.previous), AssignedBy: "bench", AssignedAt: p.changedAt})
		}
	}
	insertAll(b, s.DB, students)
	insertAll(b, s.DB, enrollments)
	insertAll(b, s.DB, history)
	curatorAt := func(p *place, at time.Time) string {
		if p.previous != "" && at.Before(p.changedAt) {
			return p.previous
		}
		return p.curator
	}
	// A moment of a student's course: up to 4 months after its start, never
	// after the end of the data.
	moment := func(p *place) time.Time {
		at := p.cohort.start.Add(time.Duration(rnd.Int63n(int64(120 * 24 * time.Hour))))
		if !at.Before(end) {
			at = end.Add(-time.Duration(rnd.Int63n(int64(24 * time.Hour))))
		}
		return at
	}

	// Orders: every student pays for the cohort before it starts, the rest
	// are consultations bought later; one course order in 25 is refunded,
	// half of those a month or more after payment.
	var orders []school.Order
	var refunds []school.OrderRefund
	for i := 0; i < size.orders; i++ {
		p := &places[i%len(places)]
		o := school.Order{ID: ids.New(), OrgID: orgID, StudentID: p.student, Currency: "RUB", PaymentMethod: "card"}
		if i < len(places) {
			o.CohortID, o.Amount, o.PaidAt = &p.cohort.id, 5000000, p.cohort.start.AddDate(0, 0, -rnd.Intn(10)-1)
			if rnd.Intn(25) == 0 {
				at := o.PaidAt.AddDate(0, 0, 3+rnd.Intn(60))
				if at.Before(end) {
					refunds = append(refunds, school.OrderRefund{ID: ids.New(), OrgID: orgID, OrderID: o.ID, Amount: o.Amount,
						RefundedAt: at, Reason: "bench", CreatedAt: at})
				}
			}
		} else {
			o.ProductID, o.Amount, o.PaidAt = &products[rnd.Intn(len(products))], 500000, moment(p)
		}
		o.CreatedAt = o.PaidAt
		orders = append(orders, o)
	}
	insertAll(b, s.DB, orders)
	insertAll(b, s.DB, refunds)

	// Homework: students hand in the modules in order; most are reviewed
	// within two days by their curator of the moment.
	var subs []homework.Submission
	for i := 0; i < size.submissions; i++ {
		p := &places[i%len(places)]
		m := p.cohort.modules[(i/len(places))%len(p.cohort.modules)]
		at := p.cohort.start.Add(time.Duration((i/len(places))*14*24)*time.Hour + time.Duration(rnd.Int63n(int64(10*24*time.Hour))))
		if !at.Before(end) {
			at = end.Add(-time.Duration(rnd.Int63n(int64(48 * time.Hour))))
		}
		sub := homework.Submission{ID: ids.New(), OrgID: orgID, Source: "bench", ExternalID: strconv.Itoa(i), StudentID: p.student,
			AssignmentID: m.Assignments[0].ID, CourseID: p.cohort.courseID, ModuleID: m.ID, CohortID: p.cohort.id,
			EnrollmentID: p.enrollment, Attempt: 1, Rubric: []homework.RubricCriterion{}, SubmittedAt: at, TargetMinutes: 1440,
			DueAt: at.Add(24 * time.Hour), Status: "queued", CreatedAt: at, UpdatedAt: at, Version: 1}
		if reviewed := at.Add(time.Duration(rnd.Int63n(int64(48 * time.Hour)))); reviewed.Before(end) {
			secs := int64(reviewed.Sub(at) / time.Second / 3)
			sub.Status, sub.ReviewedBy, sub.ReviewedAt, sub.ReviewSeconds = "accepted", ptr(curatorAt(p, reviewed)), &reviewed, &secs
			sub.Verdict, sub.UpdatedAt = ptr("accepted"), reviewed
		}
		subs = append(subs, sub)
	}
	insertAll(b, s.DB, subs)

	// Survey answers: a CSI and an NPS answer per module end, credited to
	// the curator of the moment.
	var answers []surveys.Answer
	for i := 0; i+1 < size.answers; i += 2 {
		p := &places[(i/2)%len(places)]
		at := moment(p)
		csi, nps := 1+rnd.Intn(5), rnd.Intn(11)
		key := fmt.Sprintf("module:%d", i/2/len(places))
		for _, q := range []struct {
			key   string
			value int
		}{{"csi", csi}, {"nps", nps}} {
			answers = append(answers, surveys.Answer{ID: ids.New(), OrgID: orgID, SurveyID: survey.ID, QuestionKey: q.key, Scale: q.key,
				Value: ptr(q.value), StudentID: p.student, EnrollmentID: p.enrollment, CohortID: p.cohort.id, CourseID: p.cohort.courseID,
				CuratorID: ptr(curatorAt(p, at)), MomentKey: key, Source: "lms", AnsweredAt: at, CreatedAt: at})
		}
	}
	insertAll(b, s.DB, answers)

	// Conversations: bursts of a student's messages, each burst a response
	// clock, then the curator's answer; four messages per clock on average.
	var convs []sla.Conversation
	var msgs []sla.Message
	var clocks []sla.ResponseClock
	flush := func() {
		insertAll(b, s.DB, convs)
		insertAll(b, s.DB, clocks)
		insertAll(b, s.DB, msgs)
		convs, clocks, msgs = convs[:0], clocks[:0], msgs[:0]
	}
	written := 0
	for c := 0; written < size.messages; c++ {
		p := &places[c%len(places)]
		conv := sla.Conversation{ID: ids.New(), OrgID: orgID, Channel: "telegram", StudentID: p.student, CohortID: &p.cohort.id,
			CreatedAt: p.cohort.start}
		convs = append(convs, conv)
		for k := 0; k < 5 && written < size.messages; k++ {
			at := moment(p)
			curator := curatorAt(p, at)
			secs := int64(rnd.Intn(6 * 3600))
			clock := sla.ResponseClock{ID: ids.New(), OrgID: orgID, ConversationID: conv.ID, StudentID: p.student, CohortID: p.cohort.id,
				CourseID: p.cohort.courseID, Channel: "telegram", Kind: "first", Status: "answered", StartedAt: at,
				LocalDay: at.Format(time.DateOnly), MessageCount: 3, LastStudentMessageAt: at, DueAt: at.Add(2 * time.Hour),
				WarnAt: at.Add(90 * time.Minute), StoppedAt: ptr(at.Add(time.Duration(secs) * time.Second)), ResponderID: &curator,
				BusinessSeconds: &secs, Breached: secs > 7200, TargetSeconds: 7200, CuratorID: curator, CreatedAt: at, UpdatedAt: at,
				Version: 1}
			if !clock.StoppedAt.Before(end) {
				clock.Status, clock.StoppedAt, clock.ResponderID, clock.BusinessSeconds, clock.Breached = "open", nil, nil, nil, false
			}
			clocks = append(clocks, clock)
			for j := 0; j < 4; j++ {
				m := sla.Message{ID: ids.New(), OrgID: orgID, ConversationID: conv.ID, Direction: "student", AuthorKind: "student",
					Kind: "text", Text: "Здравствуйте, вопрос по заданию", SentAt: at.Add(time.Duration(j) * time.Minute), Effect: "started",
					ClockID: &clock.ID, CreatedAt: at}
				if j == 3 {
					if clock.StoppedAt == nil {
						break
					}
					m.Direction, m.AuthorKind, m.AuthorUserID, m.Text, m.SentAt, m.Effect = "staff", "staff", &curator, "Отвечаю", *clock.StoppedAt, "stopped"
				}
				msgs = append(msgs, m)
				written++
			}
		}
		if len(msgs) >= 20000 {
			flush()
		}
	}
	flush()
	return orgID
}

// insertAll writes rows with multi-row INSERTs of 1,000 rows in one
// transaction.
func insertAll[T any](b *testing.B, db *bun.DB, rows []T) {
	b.Helper()
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		for i := 0; i < len(rows); i += 1000 {
			chunk := rows[i:min(i+1000, len(rows))]
			if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// queryTimer logs the statements of the last timed call with their
// durations when SCORECARD_BENCH_SQL is set, and on PostgreSQL explains
// the slowest (EXPLAIN ANALYZE), to show where the time of a call goes.
type queryTimer struct {
	on      bool
	mu      sync.Mutex
	logging bool
	began   time.Time
	queries []timedQuery
}

type timedQuery struct {
	offset, took time.Duration
	query        string
}

func traceQueries(b *testing.B, db *bun.DB) *queryTimer {
	t := &queryTimer{on: os.Getenv("SCORECARD_BENCH_SQL") != ""}
	if t.on {
		db.AddQueryHook(t)
	}
	return t
}

func (t *queryTimer) start(last bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.logging, t.began, t.queries = t.on && last, time.Now(), nil
}

func (t *queryTimer) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (t *queryTimer) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.logging {
		t.queries = append(t.queries, timedQuery{offset: e.StartTime.Sub(t.began), took: time.Since(e.StartTime), query: e.Query})
	}
}

func (t *queryTimer) report(b *testing.B, db *bun.DB, dialect string) {
	t.mu.Lock()
	t.logging = false
	queries := slices.Clone(t.queries)
	t.mu.Unlock()
	if !t.on {
		return
	}
	for _, q := range queries {
		b.Logf("sql +%6dms %6dms %.160s", q.offset.Milliseconds(), q.took.Milliseconds(), q.query)
	}
	slices.SortFunc(queries, func(a, c timedQuery) int { return int(c.took - a.took) })
	if dialect != "postgres" {
		return
	}
	for _, q := range queries[:min(6, len(queries))] {
		var plan []string
		if err := db.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+q.query).Scan(context.Background(), &plan); err != nil {
			b.Logf("explain: %v", err)
			continue
		}
		b.Logf("%dms %s\n%s", q.took.Milliseconds(), q.query, strings.Join(plan, "\n"))
	}
}
