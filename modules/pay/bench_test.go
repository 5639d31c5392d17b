package pay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/pay"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/testkit"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
	"github.com/curatorops/curatorops/modules/surveys"
)

// The pay benchmarks. PAY_BENCH_SCALE (e.g. 0.1) shrinks every count but
// the curators; PostgreSQL runs when TEST_DATABASE_URL is set, SQLite
// always (-bench 'CalculateMonth/postgres' picks one).
//
//	go test -run '^$' -bench CalculateMonth -benchtime 3x -timeout 90m ./modules/pay/
//	TEST_DATABASE_URL=postgres://… go test -run '^$' -bench 'CalculateMonth/postgres' -benchtime 3x -timeout 90m ./modules/pay/
//	PAY_BENCH_SCALE=0.1 go test -run '^$' -bench 'CalculateMonth/sqlite' -benchtime 3x -timeout 90m ./modules/pay/
//	TEST_DATABASE_URL=postgres://… go test -run '^$' -bench ExportXLSX -benchtime 3x -timeout 30m ./modules/pay/
//
// Run BenchmarkExportXLSX on its own: the peak RSS it reports is the
// process's, reset before the export but not below what the process
// holds at that moment (reported as base-RSS-MB).

// payBenchSize is the month of BenchmarkCalculateMonth.
type payBenchSize struct {
	students, curators, reviews, clocks, answers, upsells int
}

func payBenchScale(b *testing.B) func(int) int {
	v, err := strconv.ParseFloat(os.Getenv("PAY_BENCH_SCALE"), 64)
	if err != nil || v <= 0 || v >= 1 {
		return func(n int) int { return n }
	}
	b.Logf("PAY_BENCH_SCALE=%v", v)
	return func(n int) int { return max(1, int(float64(n)*v)) }
}

// The benchmark month: October 2026 in Moscow time, calculated on
// 2026-11-20.
var (
	benchMonthFrom = time.Date(2026, 9, 30, 21, 0, 0, 0, time.UTC)
	benchMonthTo   = time.Date(2026, 10, 31, 21, 0, 0, 0, time.UTC)
	benchNow       = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
)

// BenchmarkCalculateMonth calculates one month of a large school: 300
// curators, 50,000 students, 1,000,000 review verdicts (each with its
// submission) and 1,000,000 SLA response clocks in October 2026, 100,000
// CSI answers, 50,000 course orders with 2,000 refunds and 10,000
// consultations bought in the month. Every curator is paid by one scheme:
// a fixed part, a piece rate per review, KPI bonuses for CSI, SLA
// compliance and completion of module 3, and a commission on upsells.
//
// "calculate" times pay.Service.Calculate, the call the API makes, with
// its writes (each iteration is a new calculation of the period);
// "phases" times its steps separately — reading the facts, calculating in
// memory, writing statements, lines and sources (rolled back) — and
// reports them as read-ms, calc-ms and write-ms.
func BenchmarkCalculateMonth(b *testing.B) {
	scale := payBenchScale(b)
	size := payBenchSize{students: scale(50000), curators: 300, reviews: scale(1000000), clocks: scale(1000000),
		answers: scale(100000), upsells: scale(10000)}
	for _, dialect := range testkit.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			s := apptest.New(b, dialect)
			s.Clock.Set(benchNow)
			started := time.Now()
			orgID, curators := loadPayMonth(b, s, size)
			b.Logf("%s: loaded %+v in %v", dialect, size, time.Since(started).Round(time.Second))
			// What autovacuum would have done to a month's rows by the time
			// it is paid: statistics, and on PostgreSQL the visibility map.
			settle := "ANALYZE"
			if database.IsPostgres(s.DB) {
				settle = "VACUUM ANALYZE"
			}
			if _, err := s.DB.ExecContext(context.Background(), settle); err != nil {
				b.Fatal(err)
			}
			ctx := s.Ctx()
			svc := s.Services.Pay
			sch, err := svc.CreateScheme(ctx, orgID, "Куратор", benchSpec(), "")
			if err != nil {
				b.Fatal(err)
			}
			for _, u := range curators {
				if _, _, err := svc.Assign(ctx, orgID, u, sch.Versions[0].ID, "2026-09-01"); err != nil {
					b.Fatal(err)
				}
			}
			p, err := svc.OpenPeriod(ctx, orgID, "2026-10")
			if err != nil {
				b.Fatal(err)
			}
			b.Run("calculate", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if p, err = svc.Calculate(ctx, orgID, p.ID, p.Version); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				n, total := periodTotals(b, s.DB, p)
				b.ReportMetric(float64(n), "statements")
				b.ReportMetric(float64(total)/100, "total-RUB")
			})
			b.Run("phases", func(b *testing.B) {
				var sum pay.Phases
				for i := 0; i < b.N; i++ {
					ph, err := pay.MeasurePhases(ctx, svc, orgID, p.ID)
					if err != nil {
						b.Fatal(err)
					}
					sum.Read += ph.Read
					sum.Calculate += ph.Calculate
					sum.Write += ph.Write
					sum.Statements, sum.Lines, sum.Rows = ph.Statements, ph.Lines, ph.Rows
				}
				ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N) }
				b.ReportMetric(ms(sum.Read), "read-ms")
				b.ReportMetric(ms(sum.Calculate), "calc-ms")
				b.ReportMetric(ms(sum.Write), "write-ms")
				b.ReportMetric(float64(sum.Lines), "lines")
				b.ReportMetric(float64(sum.Rows), "source-rows")
			})
		})
	}
}

func periodTotals(b *testing.B, db *bun.DB, p *pay.Period) (n int, total int64) {
	err := db.NewSelect().Model((*pay.Statement)(nil)).ColumnExpr("COUNT(*), COALESCE(SUM(total), 0)").
		Where("period_id = ? AND calculation = ?", p.ID, p.Calculation).Scan(context.Background(), &n, &total)
	if err != nil {
		b.Fatal(err)
	}
	return n, total
}

// benchSpec is the scheme every curator is paid by.
func benchSpec() pay.Spec {
	return pay.Spec{Components: []pay.Component{
		{Key: "fixed", Title: "Оклад", Kind: pay.KindFixed, Amount: 3_000_000},
		{Key: "reviews", Title: "Проверка ДЗ", Kind: pay.KindPiece, Resubmissions: pay.ResubmissionsEach,
			Rates: []pay.PieceRate{{AssignmentType: school.KindFinalProject, Rate: 30_000}, {AssignmentType: "*", Rate: 10_000}}},
		{Key: "csi", Title: "CSI", Kind: pay.KindKPI, Metric: pay.MetricCSI, Direction: pay.HigherIsBetter, MinSample: 10, Weight: "1",
			TierMode: pay.TiersInterpolated, Tiers: []pay.Tier{{From: "0", To: "80", Amount: 0}, {From: "80", Amount: 600_000}}},
		{Key: "sla", Title: "SLA", Kind: pay.KindKPI, Metric: pay.MetricSLA, Direction: pay.HigherIsBetter, MinSample: 20, Weight: "1",
			TierMode: pay.TiersStep, Tiers: []pay.Tier{{From: "0", To: "70", Amount: 0}, {From: "70", To: "90", Amount: 300_000},
				{From: "90", Amount: 700_000}}},
		{Key: "completion", Title: "Доходимость до модуля 3", Kind: pay.KindKPI, Metric: pay.MetricCompletion, Module: 3,
			Direction: pay.HigherIsBetter, MinSample: 10, Weight: "1", TierMode: pay.TiersStep,
			Tiers: []pay.Tier{{From: "0", To: "50", Amount: 0}, {From: "50", Amount: 500_000}}},
		{Key: "upsell", Title: "Допродажи", Kind: pay.KindCommission, Percent: "5"},
	}}
}

// loadPayMonth writes the school and returns its id and curators. The
// catalogue and the people are made through the services; the volume is
// written straight to the tables with multi-row INSERTs, as the modules'
// own models.
func loadPayMonth(b *testing.B, s *apptest.Server, size payBenchSize) (string, []string) {
	ctx := s.Ctx()
	rnd := rand.New(rand.NewSource(15))
	org, _, err := s.Services.Identity.EnsureOrg(ctx, identity.NewOrg{Slug: "paybench", Name: "Pay bench school", TimeZone: "Europe/Moscow", Currency: "RUB"})
	if err != nil {
		b.Fatal(err)
	}
	orgID := org.ID
	curators := make([]string, size.curators)
	for i := range curators {
		u, _, err := s.Services.Identity.EnsureUser(ctx, identity.UserSpec{Email: fmt.Sprintf("curator%03d@paybench.test", i),
			Name: fmt.Sprintf("Куратор %03d", i), Password: apptest.Password})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Services.Identity.EnsureMember(ctx, orgID, u.ID, []string{"curator"}); err != nil {
			b.Fatal(err)
		}
		curators[i] = u.ID
	}

	// Catalogue: 2 courses of 6 modules (the last one's homework a final
	// project), a cohort of each course starting every month from
	// February to September, 4 months long.
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
			kind := school.KindRegular
			if m == 6 {
				kind = school.KindFinalProject
			}
			in.Modules = append(in.Modules, school.NewModule{Title: fmt.Sprintf("Модуль %d", m), Assignments: []school.NewAssignment{{
				Title: fmt.Sprintf("ДЗ %d", m), Kind: kind, Source: &src, ExternalID: ptr(fmt.Sprintf("hw-%d-%d", c, m))}}})
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
		for k := 0; k < 8; k++ {
			start := time.Date(2026, time.Month(2+k), 1, 7, 0, 0, 0, time.UTC)
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
		Questions: []surveys.Question{{Key: "csi", Scale: "csi", Text: "Насколько вы довольны?"}}})
	if err != nil {
		b.Fatal(err)
	}

	// Students: one enrollment each with a curator from the start; one in
	// ten changes curator on 2026-10-11, so the month splits between two.
	type place struct {
		student, enrollment, conversation string
		cohort                            *cohortInfo
		curator, previous                 string
	}
	changedAt := time.Date(2026, 10, 10, 21, 0, 0, 0, time.UTC)
	places := make([]place, size.students)
	var students []school.Student
	var enrollments []school.Enrollment
	var history []school.CuratorAssignment
	var convs []sla.Conversation
	for i := range places {
		c := &cohorts[i%len(cohorts)]
		p := place{student: ids.New(), enrollment: ids.New(), conversation: ids.New(), cohort: c, curator: curators[rnd.Intn(len(curators))]}
		enrolled := c.start.AddDate(0, 0, -rnd.Intn(14)-1)
		status := "active"
		if rnd.Intn(100) < 8 {
			status = "dropped"
		}
		first := p.curator
		if rnd.Intn(10) == 0 {
			p.previous, p.curator = p.curator, curators[rnd.Intn(len(curators))]
		}
		places[i] = p
		students = append(students, school.Student{ID: p.student, OrgID: orgID, FullName: fmt.Sprintf("Студент %05d", i),
			NameKey: fmt.Sprintf("студент %05d", i), CreatedAt: enrolled, UpdatedAt: enrolled, Version: 1})
		enrollments = append(enrollments, school.Enrollment{ID: p.enrollment, OrgID: orgID, StudentID: p.student, CohortID: c.id,
			Status: status, CuratorID: ptr(p.curator), EnrolledAt: enrolled, CreatedAt: enrolled, UpdatedAt: enrolled, Version: 1})
		history = append(history, school.CuratorAssignment{ID: ids.New(), OrgID: orgID, EnrollmentID: p.enrollment, CuratorID: ptr(first),
			Reason: "enrolled", AssignedBy: "bench", AssignedAt: enrolled})
		if p.previous != "" {
			history = append(history, school.CuratorAssignment{ID: ids.New(), OrgID: orgID, EnrollmentID: p.enrollment, CuratorID: ptr(p.curator),
				PreviousCuratorID: ptr(p.previous), AssignedBy: "bench", AssignedAt: changedAt})
		}
		convs = append(convs, sla.Conversation{ID: p.conversation, OrgID: orgID, Channel: "telegram", StudentID: p.student,
			CohortID: &c.id, CreatedAt: c.start})
	}
	insertAll(b, s.DB, students)
	insertAll(b, s.DB, enrollments)
	insertAll(b, s.DB, history)
	insertAll(b, s.DB, convs)
	curatorAt := func(p *place, at time.Time) string {
		if p.previous != "" && at.Before(changedAt) {
			return p.previous
		}
		return p.curator
	}
	inMonth := func() time.Time {
		return benchMonthFrom.Add(time.Duration(rnd.Int63n(int64(benchMonthTo.Sub(benchMonthFrom)))))
	}

	// Orders: every student paid for the cohort before it started; one in
	// 25 is refunded, half of those in October; the upsells are
	// consultations bought in October.
	var orders []school.Order
	var refunds []school.OrderRefund
	for i := range places {
		p := &places[i]
		o := school.Order{ID: ids.New(), OrgID: orgID, StudentID: p.student, CohortID: &p.cohort.id, Amount: 5000000, Currency: "RUB",
			PaymentMethod: "card", PaidAt: p.cohort.start.AddDate(0, 0, -rnd.Intn(10)-1)}
		o.CreatedAt = o.PaidAt
		orders = append(orders, o)
		if rnd.Intn(25) == 0 {
			at := inMonth()
			if rnd.Intn(2) == 0 {
				at = o.PaidAt.AddDate(0, 0, 3+rnd.Intn(20))
			}
			refunds = append(refunds, school.OrderRefund{ID: ids.New(), OrgID: orgID, OrderID: o.ID, Amount: o.Amount, RefundedAt: at,
				Reason: "bench", CreatedAt: at})
		}
	}
	for i := 0; i < size.upsells; i++ {
		p := &places[rnd.Intn(len(places))]
		o := school.Order{ID: ids.New(), OrgID: orgID, StudentID: p.student, ProductID: &products[rnd.Intn(len(products))], Amount: 500000,
			Currency: "RUB", PaymentMethod: "card", PaidAt: inMonth()}
		o.CreatedAt = o.PaidAt
		orders = append(orders, o)
	}
	insertAll(b, s.DB, orders)
	insertAll(b, s.DB, refunds)

	// CSI answers given in October, credited to the curator of the moment.
	var answers []surveys.Answer
	for i := 0; i < size.answers; i++ {
		p := &places[i%len(places)]
		at := inMonth()
		answers = append(answers, surveys.Answer{ID: ids.New(), OrgID: orgID, SurveyID: survey.ID, QuestionKey: "csi", Scale: "csi",
			Value: ptr(1 + rnd.Intn(5)), StudentID: p.student, EnrollmentID: p.enrollment, CohortID: p.cohort.id, CourseID: p.cohort.courseID,
			CuratorID: ptr(curatorAt(p, at)), MomentKey: fmt.Sprintf("module:%d", i/len(places)), Source: "lms", AnsweredAt: at, CreatedAt: at})
	}
	insertAll(b, s.DB, answers)

	// Homework: a submission and its verdict by the curator of the moment,
	// a day later at most, all verdicts in October; one in ten is a
	// resubmission and one verdict in 200 is overturned.
	var subs []homework.Submission
	var reviews []homework.Review
	flushHomework := func() {
		insertAll(b, s.DB, subs)
		insertAll(b, s.DB, reviews)
		subs, reviews = subs[:0], reviews[:0]
	}
	for i := 0; i < size.reviews; i++ {
		p := &places[i%len(places)]
		m := p.cohort.modules[(i/len(places))%len(p.cohort.modules)]
		reviewed := inMonth()
		at := reviewed.Add(-time.Duration(rnd.Int63n(int64(24 * time.Hour))))
		attempt := 1
		if rnd.Intn(10) == 0 {
			attempt = 2
		}
		curator := curatorAt(p, reviewed)
		secs := int64(reviewed.Sub(at) / time.Second / 3)
		sub := homework.Submission{ID: ids.New(), OrgID: orgID, Source: "bench", ExternalID: strconv.Itoa(i), StudentID: p.student,
			AssignmentID: m.Assignments[0].ID, CourseID: p.cohort.courseID, ModuleID: m.ID, CohortID: p.cohort.id,
			EnrollmentID: p.enrollment, Attempt: attempt, Rubric: []homework.RubricCriterion{}, SubmittedAt: at, TargetMinutes: 1440,
			DueAt: at.Add(24 * time.Hour), Status: "accepted", ReviewedBy: &curator, ReviewedAt: &reviewed, ReviewSeconds: &secs,
			Verdict: ptr("accepted"), CreatedAt: at, UpdatedAt: reviewed, Version: 1}
		r := homework.Review{ID: ids.New(), OrgID: orgID, SubmissionID: sub.ID, AssignmentID: sub.AssignmentID, Attempt: attempt,
			Kind: homework.KindReview, ReviewerID: curator,
			Verdict: "accepted", Scores: map[string]int{}, Score: 1, MaxScore: 1, BusinessSeconds: secs, WithinSLA: true, CreatedAt: reviewed}
		subs, reviews = append(subs, sub), append(reviews, r)
		if rnd.Intn(200) == 0 {
			reviews = append(reviews, homework.Review{ID: ids.New(), OrgID: orgID, SubmissionID: sub.ID, AssignmentID: sub.AssignmentID,
				Attempt: attempt, Kind: homework.KindOverturn,
				ReviewerID: curators[0], Verdict: "rework_requested", Scores: map[string]int{}, MaxScore: 1, OverturnsReviewID: &r.ID,
				CreatedAt: reviewed.Add(time.Hour)})
		}
		if len(subs) >= 20000 {
			flushHomework()
		}
	}
	flushHomework()

	// Response clocks started in October, each charged to the curator of
	// the moment; most answered, one in ten past its target.
	var clocks []sla.ResponseClock
	for i := 0; i < size.clocks; i++ {
		p := &places[i%len(places)]
		at := inMonth()
		curator := curatorAt(p, at)
		secs := int64(rnd.Intn(8000))
		clock := sla.ResponseClock{ID: ids.New(), OrgID: orgID, ConversationID: p.conversation, StudentID: p.student, CohortID: p.cohort.id,
			CourseID: p.cohort.courseID, Channel: "telegram", Kind: "first", Status: "answered", StartedAt: at,
			LocalDay: at.Format(time.DateOnly), MessageCount: 3, LastStudentMessageAt: at, DueAt: at.Add(2 * time.Hour),
			WarnAt: at.Add(90 * time.Minute), StoppedAt: ptr(at.Add(time.Duration(secs) * time.Second)), ResponderID: &curator,
			BusinessSeconds: &secs, Breached: secs > 7200, TargetSeconds: 7200, CuratorID: curator, CreatedAt: at, UpdatedAt: at,
			Version: 1}
		clocks = append(clocks, clock)
		if len(clocks) >= 20000 {
			insertAll(b, s.DB, clocks)
			clocks = clocks[:0]
		}
	}
	insertAll(b, s.DB, clocks)
	return orgID, curators
}

// BenchmarkExportXLSX exports a locked period of 1,000 statements of 100
// lines each (100,000 lines, written straight to pay_statements and
// pay_lines) as XLSX: RecordExport, which writes the file to hash it, then
// WriteExport to io.Discard, as a download does. The export runs in a
// process of its own (this test binary again, see TestMain), on the
// database this process filled, with the services the server builds: its
// peak RSS is the export's, not that of the test process holding the
// fixture, the test server and its OpenAPI validator. It reports that
// process's peak RSS (VmHWM), the RSS it had before the export, the
// largest live heap during the export and the file's size.
func BenchmarkExportXLSX(b *testing.B) {
	scale := payBenchScale(b)
	statements, perStatement := scale(1000), 100
	for _, dialect := range testkit.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			s := apptest.New(b, dialect)
			s.Clock.Set(benchNow)
			sc := s.NewSchool("payexport")
			p := fillLockedPeriod(b, s, sc.Org.ID, statements, perStatement)
			job := exportJob{URL: databaseURL(b, s), OrgID: sc.Org.ID, PeriodID: p.ID, Lines: statements * perStatement}
			var m exportMetrics
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m = runExportProcess(b, job)
			}
			b.StopTimer()
			b.ReportMetric(float64(m.PeakKB)/1024, "peak-RSS-MB")
			b.ReportMetric(float64(m.BaseKB)/1024, "base-RSS-MB")
			b.ReportMetric(float64(m.LiveBytes)/(1<<20), "export-live-MB")
			b.ReportMetric(float64(m.FileBytes)/(1<<20), "file-MB")
			b.ReportMetric(float64(m.Millis), "export-ms")
			b.ReportMetric(float64(job.Lines), "lines")
		})
	}
}

// An exportJob is what the export process is told through its
// environment: the database and the period to export.
type exportJob struct {
	URL, OrgID, PeriodID string
	Lines                int
}

// exportMetrics is what the export process measured of itself.
type exportMetrics struct {
	BaseKB, PeakKB, LiveBytes, FileBytes, Millis int64
}

const envExportJob = "PAY_BENCH_EXPORT_JOB"

// TestMain lets the test binary run one export in a process of its own
// when BenchmarkExportXLSX starts it with envExportJob set.
func TestMain(m *testing.M) {
	if job := os.Getenv(envExportJob); job != "" {
		os.Exit(exportProcess(job))
	}
	os.Exit(m.Run())
}

// runExportProcess starts this test binary as the export process and
// reads its measurements from its standard output.
func runExportProcess(b *testing.B, job exportJob) exportMetrics {
	b.Helper()
	raw, err := json.Marshal(job)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envExportJob+"="+string(raw))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("export process: %v\n%s", err, stderr.String())
	}
	var m exportMetrics
	if err := json.Unmarshal(out, &m); err != nil {
		b.Fatalf("export process answered %q: %v\n%s", out, err, stderr.String())
	}
	return m
}

// exportProcess opens the database, builds the services as serve does and
// exports the period as XLSX twice (to hash it, then to download it),
// printing its measurements as JSON.
func exportProcess(raw string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 1 }
	var job exportJob
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		return fail(err)
	}
	ctx := reqctx.System(context.Background(), "bench")
	db, err := database.Open(ctx, job.URL)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	svc := server.NewServices(db, clock.NewFixed(benchNow), identity.DefaultConfig())
	runtime.GC()
	debug.FreeOSMemory()
	var m exportMetrics
	if m.BaseKB, err = readProcStatus("VmRSS"); err != nil {
		return fail(err)
	}
	baseLive := liveHeap()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // peak back to the current RSS
	stop, peakLive := watchLiveHeap()
	started := time.Now()
	e, _, err := svc.Pay.RecordExport(ctx, job.OrgID, job.PeriodID, pay.FormatXLSX)
	if err != nil {
		return fail(err)
	}
	if e.Lines != job.Lines {
		return fail(fmt.Errorf("exported %d lines, want %d", e.Lines, job.Lines))
	}
	if _, err := svc.Pay.WriteExport(ctx, job.OrgID, job.PeriodID, pay.FormatXLSX, io.Discard); err != nil {
		return fail(err)
	}
	m.Millis = time.Since(started).Milliseconds()
	stop()
	m.LiveBytes = int64(*peakLive - min(baseLive, *peakLive))
	m.FileBytes = e.Bytes
	if m.PeakKB, err = readProcStatus("VmHWM"); err != nil {
		return fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(m); err != nil {
		return fail(err)
	}
	return 0
}

// databaseURL is the address another process opens the test's database
// with.
func databaseURL(b *testing.B, s *apptest.Server) string {
	b.Helper()
	if s.Dialect == "postgres" {
		return testkit.PostgresURL(b, s.DB)
	}
	var seq int
	var name, file string
	if err := s.DB.QueryRow("PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		b.Fatal(err)
	}
	return "sqlite:" + file
}

// fillLockedPeriod writes a locked period of October 2026 with its
// statements and lines.
func fillLockedPeriod(b *testing.B, s *apptest.Server, orgID string, statements, perStatement int) *pay.Period {
	at := benchNow
	p := &pay.Period{ID: ids.New(), OrgID: orgID, Month: "2026-10", Status: pay.StatusLocked, Calculation: 1, CalculatedAt: &at,
		CreatedAt: at, UpdatedAt: at, Version: 5}
	insertAll(b, s.DB, []*pay.Period{p})
	var sts []pay.Statement
	var lines []pay.StatementLine
	for i := 0; i < statements; i++ {
		st := pay.Statement{ID: ids.New(), OrgID: orgID, PeriodID: p.ID, Calculation: 1, UserID: ids.New(), CreatedAt: at}
		for j := 1; j <= perStatement; j++ {
			amount := int64(10_000 + (i*perStatement+j)%90_000)
			lines = append(lines, pay.StatementLine{ID: ids.New(), OrgID: orgID, StatementID: st.ID, Position: j,
				Key: fmt.Sprintf("reviews_%d@2026-10-01", j), Component: fmt.Sprintf("reviews_%d", j), Kind: pay.KindPiece,
				Title: "Проверка ДЗ, модуль " + strconv.Itoa(j), StretchFrom: "2026-10-01", StretchTo: "2026-10-31", Quantity: int64(j),
				Rate: "10000", Base: amount, Metric: "", Value: "", Numerator: "", Denominator: "", Share: "1", Exact: strconv.FormatInt(amount, 10) + ".000000",
				Amount: amount, Rounding: "0", Detail: strings.Repeat("x", 40)})
			st.Total += amount
		}
		sts = append(sts, st)
	}
	insertAll(b, s.DB, sts)
	insertAll(b, s.DB, lines)
	return p
}

// readProcStatus reads a field of /proc/self/status in kB.
func readProcStatus(field string) (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}

// liveHeap is the heap the last garbage collection found live.
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// watchLiveHeap records the largest live heap until stop is called: what
// the export holds, without the garbage the collector has not taken yet
// (which RSS counts).
func watchLiveHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			*peak = max(*peak, liveHeap())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
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
