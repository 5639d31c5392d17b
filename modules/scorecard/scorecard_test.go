package scorecard_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/scorecard"
	"github.com/curatorops/curatorops/modules/surveys"
)

func str(s string) *string { return &s }

func intp(n int) *int { return &n }

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }

// The periods of the hand-computed fixture: December (nothing happened),
// January and February 2026.
var (
	dec = [2]time.Time{time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	jan = [2]time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	feb = [2]time.Time{time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
)

// fixture is a school whose figures are worked out by hand below.
//
// One course of three modules, one cohort starting 2026-01-10; four
// students enrolled on 2026-01-05 with curator X (the school's fixture
// curator); the fourth has dropped out. Student 2 passes to curator Y on
// 2026-01-20.
//
// Answers (module-end survey): s1 CSI 5, NPS 10 on 01-15 (X); s3 CSI 4,
// NPS 8 on 01-16 (X); s2 CSI 3, NPS 6 on 01-25 (Y, after the change); s4
// CSI 5 on 02-10 (X). Homework of module 3: s1 and s2.
//
// Orders: s1 and s2 pay 50,000.00 RUB for the cohort on 01-12; s2 gets it
// all back on 02-05 (a refund in a later period than the order); s1 buys
// a 10,000.00 RUB consultation on 02-15.
type fixture struct {
	s        *apptest.Server
	sc       *apptest.School
	x, y     string
	cohort   *school.Cohort
	students []*school.Student
}

func newFixture(t testing.TB, s *apptest.Server, slug string) *fixture {
	t.Helper()
	sc := s.NewSchool(slug)
	f := &fixture{s: s, sc: sc, x: sc.People["curator"].UserID, y: s.NewMember(sc.Org.ID, "y@"+slug+".test", "curator").UserID}
	ctx, org, svc := s.Ctx(), sc.Org.ID, s.Services.School
	in := school.NewCourse{Title: "Психология отношений", Source: str("lms"), ExternalID: str("course")}
	for i := 1; i <= 3; i++ {
		in.Modules = append(in.Modules, school.NewModule{Title: fmt.Sprintf("Модуль %d", i), Assignments: []school.NewAssignment{{
			Title: fmt.Sprintf("ДЗ %d", i), Kind: school.KindRegular, Source: str("lms"), ExternalID: str(fmt.Sprintf("hw-%d", i))}}})
	}
	course, err := svc.CreateCourse(ctx, org, in)
	if err != nil {
		t.Fatal(err)
	}
	if f.cohort, err = svc.CreateCohort(ctx, org, school.NewCohort{CourseID: course.Course.ID, Name: "Поток январь", StartsOn: "2026-01-10",
		EndsOn: "2026-04-30", Status: school.CohortActive, Source: str("lms"), ExternalID: str("cohort-1")}); err != nil {
		t.Fatal(err)
	}
	start := s.Clock.Now()
	defer s.Clock.Set(start)
	s.Clock.Set(day(1, 5))
	var enrollments []*school.Enrollment
	for i := 1; i <= 4; i++ {
		ext := fmt.Sprintf("st-%d", i)
		st, err := svc.CreateStudent(ctx, org, school.StudentInput{FullName: "Студент " + ext, External: school.External{Source: str("lms"), ExternalID: &ext}})
		if err != nil {
			t.Fatal(err)
		}
		status := school.EnrollmentActive
		if i == 4 {
			status = school.EnrollmentDropped
		}
		e, err := svc.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: f.cohort.ID, Status: status, CuratorID: &f.x})
		if err != nil {
			t.Fatal(err)
		}
		f.students, enrollments = append(f.students, st), append(enrollments, e)
	}
	s.Clock.Set(day(1, 20))
	if _, err := svc.AssignCurator(ctx, org, enrollments[1].ID, enrollments[1].Version, &f.y, "перераспределение"); err != nil {
		t.Fatal(err)
	}
	s.Clock.Set(start)

	sv, err := s.Services.Surveys.CreateSurvey(ctx, org, surveys.SurveyInput{Title: "После модуля", Moment: surveys.MomentModuleEnd,
		Questions: []surveys.Question{{Key: "csi", Scale: surveys.ScaleCSI, Text: "Довольны?"}, {Key: "nps", Scale: surveys.ScaleNPS, Text: "Порекомендуете?"}}})
	if err != nil {
		t.Fatal(err)
	}
	answer := func(student, module int, at time.Time, csi int, nps *int) {
		answers := []surveys.AnswerInput{{QuestionKey: "csi", Value: &csi}}
		if nps != nil {
			answers = append(answers, surveys.AnswerInput{QuestionKey: "nps", Value: nps})
		}
		if _, err := s.Services.Surveys.RecordResponse(ctx, org, surveys.ResponseInput{SurveyID: sv.ID, StudentID: f.students[student].ID,
			CohortID: f.cohort.ID, ModuleID: &course.Modules[module].ID, AnsweredAt: at, Answers: answers}); err != nil {
			t.Fatal(err)
		}
	}
	answer(0, 0, day(1, 15), 5, intp(10))
	answer(2, 0, day(1, 16), 4, intp(8))
	answer(1, 0, day(1, 25), 3, intp(6))
	answer(3, 1, day(2, 10), 5, nil)

	for _, i := range []int{0, 1} {
		s.Do(http.MethodPost, sc.Path("/homework-submissions"), map[string]any{"external_id": fmt.Sprintf("sub-%d", i),
			"student_external_id": fmt.Sprintf("st-%d", i+1), "assignment_external_id": "hw-3", "submitted_at": day(1, 28).Format(time.RFC3339),
			"content": map[string]any{"text": "Мой ответ", "links": []string{}, "attachments": []any{}}}, sc.People["integration"].Auth()).Expect(http.StatusCreated)
	}

	order := func(student int, amount int64, cohort *string, at time.Time) *school.Order {
		o, _, err := svc.RecordOrder(ctx, org, school.OrderInput{StudentID: f.students[student].ID, CohortID: cohort, Amount: amount,
			Currency: "RUB", PaymentMethod: "card", PaidAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	order(0, 5_000_000, &f.cohort.ID, day(1, 12))
	refunded := order(1, 5_000_000, &f.cohort.ID, day(1, 12))
	order(0, 1_000_000, nil, day(2, 15))
	if _, _, err := svc.RecordRefund(ctx, org, refunded.ID, school.RefundInput{Amount: 5_000_000, RefundedAt: day(2, 5), Reason: "передумал"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// card asks for the scorecard of period, compared with compare when set.
func (f *fixture) card(t testing.TB, role string, period, compare [2]time.Time, extra string) scorecard.Scorecard {
	t.Helper()
	q := url.Values{"from": {period[0].Format(time.RFC3339)}, "to": {period[1].Format(time.RFC3339)}}
	if !compare[0].IsZero() {
		q.Set("compare_from", compare[0].Format(time.RFC3339))
		q.Set("compare_to", compare[1].Format(time.RFC3339))
	}
	var out scorecard.Scorecard
	f.s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard?"+q.Encode()+extra), nil, f.sc.People[role].Auth()).Expect(http.StatusOK).Decode(&out)
	return out
}

func pct(r *scorecard.Rate) string {
	if r == nil {
		return "hidden"
	}
	if r.Percent == nil {
		return fmt.Sprintf("%d/%d=null", r.Numerator, r.Denominator)
	}
	return fmt.Sprintf("%d/%d=%v", r.Numerator, r.Denominator, *r.Percent)
}

func num(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

func expect(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestScorecardMatchesTheHandComputedFixture(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "hand")
		sc := f.card(t, "head_of_service", jan, dec, "")
		p, c := sc.Total.Period, sc.Total.Compare
		expect(t, "CSI January", pct(p.CSI), "2/3=66.7")
		expect(t, "NPS January", fmt.Sprintf("%d/%d/%d %s", p.NPS.Promoters, p.NPS.Passives, p.NPS.Detractors, num(p.NPS.Score)), "1/1/1 0")
		expect(t, "completion of module 3, enrolled", pct(&p.Completion.Enrolled), "2/4=50")
		expect(t, "completion of module 3, active", pct(&p.Completion.Active), "2/3=66.7")
		expect(t, "refund rate January (refunded in February)", pct(p.RefundRate), "1/2=50")
		expect(t, "revenue January", fmt.Sprint(*p.Revenue), "10000000")
		expect(t, "ARPPU January", fmt.Sprintf("%d/%d %s", p.ARPPU.Kopecks, p.ARPPU.Students, num(p.ARPPU.Average)), "10000000/2 5e+06")
		expect(t, "LTV January", fmt.Sprintf("%d/%d %s", p.LTV.Kopecks, p.LTV.Students, num(p.LTV.Average)), "6000000/2 3e+06")
		expect(t, "repeat purchases January", pct(p.RepeatPurchase), "1/1=100")
		expect(t, "response time without clocks", fmt.Sprintf("%d %s", p.ResponseTime.Sample, num(p.ResponseTime.MedianHours)), "0 null")
		// December had nothing: every rate is empty, never 0.
		expect(t, "CSI December", pct(c.CSI), "0/0=null")
		expect(t, "NPS December", num(c.NPS.Score), "null")
		expect(t, "refund rate December", pct(c.RefundRate), "0/0=null")
		expect(t, "ARPPU December", num(c.ARPPU.Average), "null")
		expect(t, "LTV December", num(c.LTV.Average), "null")
		if sc.Total.Change == nil || sc.Total.Change.CSI != nil {
			t.Errorf("a change against an empty period is null: %+v", sc.Total.Change)
		}
		if cs := sc.Total.Period.Cases; !cs.Available || cs.Total == nil || *cs.Total != 0 {
			t.Errorf("the server connects the cases module, and the fixture collected none: %+v", cs)
		}

		sc = f.card(t, "head_of_service", feb, jan, "")
		p = sc.Total.Period
		expect(t, "CSI February (one answer)", pct(p.CSI), "1/1=100")
		expect(t, "NPS February (no answer)", fmt.Sprintf("%d %s", p.NPS.Answers, num(p.NPS.Score)), "0 null")
		expect(t, "refund rate February (no enrollment paid)", pct(p.RefundRate), "0/0=null")
		expect(t, "revenue February (the refund of January's order)", fmt.Sprint(*p.Revenue), "-4000000")
		expect(t, "ARPPU February", fmt.Sprintf("%d/%d %s", p.ARPPU.Kopecks, p.ARPPU.Students, num(p.ARPPU.Average)), "-4000000/1 -4e+06")
		expect(t, "LTV February", fmt.Sprintf("%d/%d", p.LTV.Kopecks, p.LTV.Students), "6000000/1")
		expect(t, "completion February (no cohort started)", pct(&p.Completion.Enrolled), "0/0=null")
		expect(t, "CSI change", num(sc.Total.Change.CSI), "33.3")

		byCurator := f.card(t, "head_of_service", jan, [2]time.Time{}, "&breakdown=curator")
		if len(byCurator.Rows) != 2 {
			t.Fatalf("rows by curator: %+v", byCurator.Rows)
		}
		rows := map[string]scorecard.Row{}
		for _, r := range byCurator.Rows {
			rows[r.Key] = r
			if r.CuratorID == nil || r.CuratorName == nil || *r.CuratorName == "" {
				t.Errorf("a curator's row names her: %+v", r)
			}
		}
		x, y := rows[f.x].Period, rows[f.y].Period
		expect(t, "X's CSI", pct(x.CSI), "2/2=100")
		expect(t, "X's NPS", num(x.NPS.Score), "50")
		expect(t, "Y's CSI (answered after the change)", pct(y.CSI), "0/1=0")
		expect(t, "Y's NPS", num(y.NPS.Score), "-100")
		expect(t, "X's refund rate", pct(x.RefundRate), "0/1=0")
		expect(t, "Y's refund rate (curator at the refund)", pct(y.RefundRate), "1/1=100")
		expect(t, "X's completion", pct(&x.Completion.Enrolled), "1/3=33.3")
		expect(t, "Y's completion", pct(&y.Completion.Enrolled), "1/1=100")

		// February: the cohort did not start in it, yet the refund of its
		// January order counts for Y, the curator at the refund; s1's
		// consultation has no cohort, so no curator.
		febByCurator := f.card(t, "head_of_service", feb, [2]time.Time{}, "&breakdown=curator")
		febRows := map[string]scorecard.Row{}
		for _, r := range febByCurator.Rows {
			febRows[r.Key] = r
		}
		if len(febRows) != 3 || febRows[f.y].Period.Revenue == nil || febRows[scorecard.NoneKey].Period.Revenue == nil {
			t.Fatalf("February's rows by curator: %+v", febByCurator.Rows)
		}
		expect(t, "Y's revenue February (the refund)", fmt.Sprint(*febRows[f.y].Period.Revenue), "-5000000")
		expect(t, "revenue February without a curator (the consultation)", fmt.Sprint(*febRows[scorecard.NoneKey].Period.Revenue), "1000000")
		expect(t, "X's CSI February", pct(febRows[f.x].Period.CSI), "1/1=100")

		byCohort := f.card(t, "head_of_service", jan, [2]time.Time{}, "&breakdown=cohort")
		if len(byCohort.Rows) != 1 || *byCohort.Rows[0].CohortName != "Поток январь" || *byCohort.Rows[0].CourseName != "Психология отношений" {
			t.Fatalf("rows by cohort: %+v", byCohort.Rows)
		}
		byMonth := f.card(t, "head_of_service", [2]time.Time{jan[0], feb[1]}, [2]time.Time{}, "&breakdown=month")
		if len(byMonth.Rows) != 2 || *byMonth.Rows[0].Month != "2026-01" || pct(byMonth.Rows[1].Period.CSI) != "1/1=100" {
			t.Fatalf("rows by month: %+v", byMonth.Rows)
		}
		oneCohort := f.card(t, "head_of_service", jan, [2]time.Time{}, "&cohort_id="+f.cohort.ID)
		expect(t, "CSI of the cohort", pct(oneCohort.Total.Period.CSI), "2/3=66.7")

		csv := s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard/export?breakdown=curator&from="+url.QueryEscape(jan[0].Format(time.RFC3339))+
			"&to="+url.QueryEscape(jan[1].Format(time.RFC3339))), nil, f.sc.People["head_of_service"].Auth()).Expect(http.StatusOK)
		lines := strings.Split(strings.TrimSpace(string(csv.Body)), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "key,cohort_id") || !strings.HasPrefix(lines[3], "total,") ||
			!strings.Contains(lines[3], ",2,3,66.7,") {
			t.Fatalf("CSV:\n%s", csv.Body)
		}
	})
}

func TestScorecardPermissions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "perm")
		other := s.NewSchool("perm-other")
		period := "?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z"
		as := func(role string) apptest.Option { return f.sc.People[role].Auth() }

		finance := f.card(t, "finance", jan, [2]time.Time{}, "")
		if finance.Total.Period.CSI != nil || finance.Total.Period.LTV == nil || finance.Total.Period.RefundRate == nil ||
			strings.Join(finance.Hidden, ",") != scorecard.GroupService {
			t.Errorf("finance sees the money, not the service figures: %+v", finance)
		}
		s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard"+period), nil, as("senior_curator")).ExpectProblem(http.StatusForbidden)
		senior := f.card(t, "senior_curator", jan, [2]time.Time{}, "&breakdown=curator")
		if senior.Total.Period.CSI == nil || senior.Total.Period.LTV != nil || len(senior.Rows) != 2 {
			t.Errorf("a senior sees the curators' service figures, without money: %+v", senior)
		}
		for _, role := range []string{"curator", "hr"} {
			s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard"+period), nil, as(role)).ExpectProblem(http.StatusForbidden)
		}
		mine := s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard/curators/"+f.x+period), nil, as("curator")).Expect(http.StatusOK)
		var own scorecard.Scorecard
		mine.Decode(&own)
		expect(t, "her own CSI", pct(own.Total.Period.CSI), "2/2=100")
		if own.Total.Period.LTV != nil || len(own.Rows) != 1 || *own.Rows[0].CohortName != "Поток январь" {
			t.Errorf("her scorecard by cohort, without money: %+v", own)
		}
		s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard/curators/"+f.y+period), nil, as("curator")).ExpectProblem(http.StatusForbidden)
		s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard/curators/"+f.y+period), nil, as("senior_curator")).Expect(http.StatusOK)
		s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard/curators/"+f.y+period), nil, as("hr")).ExpectProblem(http.StatusForbidden)
		s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard"+period), nil).ExpectProblem(http.StatusUnauthorized)
		s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard"+period), nil, other.People["head_of_service"].Auth()).ExpectProblem(http.StatusNotFound)
		var theirs scorecard.Scorecard
		s.Do(http.MethodGet, other.Path("/metrics/scorecard"+period), nil, other.People["head_of_service"].Auth()).Expect(http.StatusOK).Decode(&theirs)
		expect(t, "another school's CSI", pct(theirs.Total.Period.CSI), "0/0=null")

		for _, r := range []struct{ query, where string }{
			{"?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "query.to"},
			{"?to=2026-01-01T00:00:00Z", "query.from"},
			{period + "&compare_from=2025-12-01T00:00:00Z", "query.compare_to"},
			{period + "&compare_to=2025-12-01T00:00:00Z", "query.compare_from"},
			{"?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "query.to"},
			{period + "&breakdown=week", "query.breakdown"},
			{period + "&module=0", "query.module"},
			{period + "&cohort_id=nope", "query.cohort_id"},
		} {
			t.Run(r.query, func(t *testing.T) {
				s.WithT(t).Do(http.MethodGet, f.sc.Path("/metrics/scorecard"+r.query), nil, as("head_of_service")).
					ExpectProblem(http.StatusUnprocessableEntity, r.where)
			})
		}
		s.Do(http.MethodGet, f.sc.Path("/metrics/scorecard/curators/"+f.x+period+"&breakdown=curator"), nil, as("curator")).
			ExpectProblem(http.StatusUnprocessableEntity, "query.breakdown")
	})
}
