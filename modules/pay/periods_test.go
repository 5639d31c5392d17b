package pay_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/surveys"
)

func march(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }

// payMonth is a school whose March 2026 (Moscow time, 31 days) is worked
// out by hand.
//
// Scheme v1: a fixed 30,000 RUB; 100 RUB per review; a CSI bonus of
// 5,000 RUB from 80 % with at least two answers; a completion bonus of
// 2,000 RUB × 0.5 from 50 % of students who submitted module 1; 5 % of
// upsells. v2 is the same with a fixed 31,000 RUB and 120 RUB per review.
//
// X is paid by v1 until the 15th and by v2 from the 16th (stretches of 15
// and 16 days); Y by v1 from the 16th; Z by v1 all month. Five students
// enrolled with X in January; s2 passes to Z at midnight of the 11th, so
// X held her 10 of the month's 31 days and Z 21.
//
// X reviews s1's homework on 03-03 and 03-05, s2's on 03-04 (100 RUB
// each) and s1's again on 03-20 (120 RUB). CSI answers 5, 4, 4, 3 and
// s2's 4 on the 8th, while X was her curator: 4 of 5 = 80 %, exactly the
// boundary of the bonus tier. Completion of module 1: s1 and s2 submitted;
// X's students weigh 4 + 10/31, her submitters 1 + 10/31: 30.6 %, no
// bonus; Z's one student, 21/31, submitted: 100 %. Upsells: s1's second
// order of 10,000 RUB on 03-10 (X, first stretch); s2's second order of
// 5,000 RUB on 03-20 (Z).
//
// X: 3,000,000 × 15/31 = 1,451,612.90 → 1,451,613; 3,100,000 × 16/31 =
// 1,600,000; reviews 30,000 and 12,000; CSI 500,000 × 15/31 = 241,935.48
// → 241,935 and × 16/31 = 258,064.52 → 258,065; upsell 50,000: 3,643,613.
// Y: 3,000,000 × 16/31 = 1,548,387.10 → 1,548,387; no CSI answers and no
// students: the defaults, 0.
// Z: 3,000,000 + completion 200,000 × 0.5 = 100,000 + upsell 25,000 =
// 3,125,000; no CSI answers: the default 0 (below the minimum of 2).
type payMonth struct {
	s        *apptest.Server
	sc       *apptest.School
	x, y, z  apptest.Actor
	reviews  []string
	org      string
	module   string
	course   string
	students []*school.Student
}

func newPayMonth(t *testing.T, s *apptest.Server, slug string) *payMonth {
	t.Helper()
	sc := s.NewSchool(slug)
	p := &payMonth{s: s, sc: sc, x: sc.People["curator"], y: s.NewMember(sc.Org.ID, "y@"+slug+".test", "curator"),
		z: s.NewMember(sc.Org.ID, "z@"+slug+".test", "curator"), org: sc.Org.ID}
	ctx, svc := s.Ctx(), s.Services.School
	course, err := svc.CreateCourse(ctx, p.org, school.NewCourse{Title: "Курс", Modules: []school.NewModule{{Title: "Модуль 1",
		Assignments: []school.NewAssignment{{Title: "ДЗ 1", Kind: school.KindRegular}}}}})
	if err != nil {
		t.Fatal(err)
	}
	p.module, p.course = course.Modules[0].ID, course.Course.ID
	cohort, err := svc.CreateCohort(ctx, p.org, school.NewCohort{CourseID: course.Course.ID, Name: "Поток", StartsOn: "2026-01-10",
		EndsOn: "2026-06-30", Status: school.CohortActive})
	if err != nil {
		t.Fatal(err)
	}
	start := s.Clock.Now()
	defer s.Clock.Set(start)
	s.Clock.Set(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	var enrollments []*school.Enrollment
	for i := 1; i <= 5; i++ {
		st, err := svc.CreateStudent(ctx, p.org, school.StudentInput{FullName: fmt.Sprintf("Студент %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		e, err := svc.CreateEnrollment(ctx, p.org, school.EnrollmentInput{StudentID: st.ID, CohortID: cohort.ID, Status: school.EnrollmentActive,
			CuratorID: &p.x.UserID})
		if err != nil {
			t.Fatal(err)
		}
		p.students, enrollments = append(p.students, st), append(enrollments, e)
	}
	// Midnight of March 11th in Moscow.
	s.Clock.Set(time.Date(2026, 3, 10, 21, 0, 0, 0, time.UTC))
	if _, err := svc.AssignCurator(ctx, p.org, enrollments[1].ID, enrollments[1].Version, &p.z.UserID, "перераспределение"); err != nil {
		t.Fatal(err)
	}
	// The answers are given in March and recorded in May.
	s.Clock.Set(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	sv, err := s.Services.Surveys.CreateSurvey(ctx, p.org, surveys.SurveyInput{Title: "После модуля", Moment: surveys.MomentModuleEnd,
		Questions: []surveys.Question{{Key: "csi", Scale: surveys.ScaleCSI, Text: "Довольны?"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct{ student, value, day int }{{0, 5, 6}, {2, 4, 6}, {3, 4, 7}, {4, 3, 7}, {1, 4, 8}} {
		v := a.value
		if _, err := s.Services.Surveys.RecordResponse(ctx, p.org, surveys.ResponseInput{SurveyID: sv.ID, StudentID: p.students[a.student].ID,
			CohortID: cohort.ID, ModuleID: &p.module, AnsweredAt: march(a.day), Answers: []surveys.AnswerInput{{QuestionKey: "csi", Value: &v}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []struct {
		student int
		amount  int64
		cohort  *string
		at      time.Time
	}{{0, 5_000_000, &cohort.ID, time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)}, {1, 5_000_000, &cohort.ID, time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)},
		{0, 1_000_000, nil, march(10)}, {1, 500_000, nil, march(20)}} {
		if _, _, err := svc.RecordOrder(ctx, p.org, school.OrderInput{StudentID: p.students[o.student].ID, CohortID: o.cohort, Amount: o.amount,
			Currency: "RUB", PaymentMethod: "card", PaidAt: o.at}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []struct{ student, day int }{{0, 3}, {1, 4}, {0, 5}, {0, 20}} {
		p.reviews = append(p.reviews, p.review(t, p.students[r.student].ID, march(r.day)))
	}
	return p
}

// review writes a reviewed submission by X, as the review queue leaves it.
func (p *payMonth) review(t *testing.T, studentID string, at time.Time) string {
	t.Helper()
	sub := &homework.Submission{ID: ids.New(), OrgID: p.org, Source: "lms", ExternalID: ids.New(), StudentID: studentID,
		AssignmentID: ids.New(), CourseID: p.course, ModuleID: p.module, CohortID: ids.New(), EnrollmentID: ids.New(), Attempt: 1,
		Rubric: []homework.RubricCriterion{}, SubmittedAt: at.Add(-time.Hour), TargetMinutes: homework.DefaultTargetMinutes, DueAt: at.Add(time.Hour),
		Status: homework.StatusAccepted, CreatedAt: at, UpdatedAt: at, Version: 1}
	r := &homework.Review{ID: ids.New(), OrgID: p.org, SubmissionID: sub.ID, AssignmentID: sub.AssignmentID, Attempt: sub.Attempt,
		Kind: homework.KindReview, ReviewerID: p.x.UserID,
		Verdict: homework.StatusAccepted, Scores: map[string]int{}, Score: 1, MaxScore: 1, CreatedAt: at}
	for _, row := range []any{sub, r} {
		if _, err := p.s.DB.NewInsert().Model(row).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return r.ID
}

// overturn writes a quality reviewer's overturn of a review.
func (p *payMonth) overturn(t *testing.T, reviewID string) {
	t.Helper()
	var r homework.Review
	if err := p.s.DB.NewSelect().Model(&r).Where("id = ?", reviewID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	o := r
	o.ID, o.Kind, o.OverturnsReviewID, o.Verdict, o.CreatedAt = ids.New(), homework.KindOverturn, &reviewID, homework.StatusRejected, time.Now()
	if _, err := p.s.DB.NewInsert().Model(&o).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func monthSpec(fixed, rate int) map[string]any {
	return map[string]any{"components": []any{
		map[string]any{"key": "fixed", "title": "Оклад", "kind": "fixed", "amount": fixed},
		map[string]any{"key": "reviews", "title": "Проверка ДЗ", "kind": "piece", "resubmissions": "each",
			"rates": []any{map[string]any{"assignment_type": "*", "rate": rate}}},
		map[string]any{"key": "csi", "title": "CSI", "kind": "kpi", "metric": "csi", "direction": "higher", "min_sample": 2, "default_amount": 0,
			"weight": "1", "tier_mode": "step", "tiers": []any{map[string]any{"from": "0", "to": "80", "amount": 0}, map[string]any{"from": "80", "amount": 500_000}}},
		map[string]any{"key": "completion", "title": "Доходимость", "kind": "kpi", "metric": "completion", "module": 1, "direction": "higher",
			"min_sample": 1, "weight": "0.5", "tier_mode": "step", "tiers": []any{map[string]any{"from": "0", "to": "50", "amount": 0},
				map[string]any{"from": "50", "amount": 200_000}}},
		map[string]any{"key": "upsell", "title": "Допродажи", "kind": "commission", "percent": "5"},
	}}
}

type period struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Calculation int    `json:"calculation"`
	Version     int64  `json:"version"`
}

type line struct {
	ID           string  `json:"id"`
	Key          string  `json:"key"`
	Kind         string  `json:"kind"`
	Amount       int64   `json:"amount"`
	Exact        string  `json:"exact"`
	Quantity     int64   `json:"quantity"`
	Numerator    string  `json:"numerator"`
	Denominator  string  `json:"denominator"`
	CorrectionOf *string `json:"correction_of"`
}

type statement struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Total  int64  `json:"total"`
	Lines  []line `json:"lines"`
}

func (p *payMonth) statements(t *testing.T, periodID string, who apptest.Actor) map[string]statement {
	t.Helper()
	var list []statement
	p.s.Do(get, p.sc.Path("/pay-periods/"+periodID+"/statements"), nil, who.Auth()).Expect(http.StatusOK).Decode(&list)
	out := map[string]statement{}
	for _, st := range list {
		out[st.UserID] = st
	}
	return out
}

func amountsOf(st statement) map[string]int64 {
	out := map[string]int64{}
	for _, l := range st.Lines {
		out[l.Key] = l.Amount
	}
	return out
}

func (p *payMonth) step(t *testing.T, pr *period, action string, who apptest.Actor, body any) {
	t.Helper()
	p.s.Do(post, p.sc.Path("/pay-periods/"+pr.ID+"/"+action), body, who.Auth(), ifMatch(pr.Version)).Expect(http.StatusOK).Decode(pr)
}

// TestPayPeriod: a month through its whole life on the hand-computed
// fixture — calculation to the kopeck, sources that add up, a dispute,
// both approvals, the lock, exports (CSV, XLSX, 1C) that agree with the
// API, a late fact corrected in the next month, and an unlock with its
// reason.
func TestPayPeriod(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		p := newPayMonth(t, s, "north")
		other := s.NewSchool("south")
		head, fin, hr := p.sc.People["head_of_service"], p.sc.People["finance"], p.sc.People["hr"]

		var sc scheme
		s.Do(post, p.sc.Path("/pay-schemes"), map[string]any{"name": "Кураторы", "spec": monthSpec(3_000_000, 10_000)}, head.Auth()).
			Expect(http.StatusCreated).Decode(&sc)
		var v2 version
		s.Do(post, p.sc.Path("/pay-schemes/"+sc.ID+"/versions"), map[string]any{"spec": monthSpec(3_100_000, 12_000)}, head.Auth()).
			Expect(http.StatusCreated).Decode(&v2)
		v1 := sc.Versions[0].ID
		for _, a := range []struct{ user, version, from string }{{p.x.UserID, v1, "2026-03-01"}, {p.x.UserID, v2.ID, "2026-03-16"},
			{p.y.UserID, v1, "2026-03-16"}, {p.z.UserID, v1, "2026-02-01"}} {
			s.Do(post, p.sc.Path("/pay-assignments"), map[string]any{"user_id": a.user, "scheme_version_id": a.version, "effective_from": a.from},
				head.Auth()).Expect(http.StatusCreated)
		}

		var assigned []struct {
			Name string `json:"name"`
		}
		s.Do(get, p.sc.Path("/pay-assignments"), nil, fin.Auth()).Expect(http.StatusOK).Decode(&assigned)
		if len(assigned) != 4 || assigned[0].Name == "" || assigned[3].Name == "" {
			t.Errorf("assignments %+v", assigned)
		}

		periods := p.sc.Path("/pay-periods")
		s.Do(get, periods, nil).Expect(http.StatusUnauthorized)
		s.Do(get, periods, nil, hr.Auth()).Expect(http.StatusForbidden)
		s.Do(post, periods, map[string]any{"month": "2026-03"}, fin.Auth()).Expect(http.StatusForbidden)
		s.Do(post, periods, map[string]any{"month": "2026-13"}, head.Auth()).ExpectProblem(http.StatusUnprocessableEntity, "body.month")
		var march period
		s.Do(post, periods, map[string]any{"month": "2026-03"}, head.Auth()).Expect(http.StatusCreated).Decode(&march)
		s.Do(post, periods, map[string]any{"month": "2026-03"}, head.Auth()).Expect(http.StatusConflict)
		s.Do(get, other.Path("/pay-periods/"+march.ID), nil, other.People["head_of_service"].Auth()).Expect(http.StatusNotFound)

		calc := periods + "/" + march.ID + "/calculate"
		s.Do(post, calc, nil, head.Auth()).Expect(http.StatusPreconditionRequired)
		s.Do(post, calc, nil, head.Auth(), ifMatch(9)).Expect(http.StatusPreconditionFailed)
		p.step(t, &march, "calculate", head, nil)
		if march.Status != "calculated" || march.Calculation != 1 {
			t.Fatalf("after calculation %+v", march)
		}

		totals := map[string]int64{p.x.UserID: 3_643_613, p.y.UserID: 1_548_387, p.z.UserID: 3_125_000}
		fund := int64(3_643_613 + 1_548_387 + 3_125_000)
		all := p.statements(t, march.ID, head)
		want := map[string]map[string]int64{
			p.x.UserID: {"fixed@2026-03-01": 1_451_613, "reviews@2026-03-01": 30_000, "csi@2026-03-01": 241_935, "completion@2026-03-01": 0,
				"upsell@2026-03-01": 50_000, "fixed@2026-03-16": 1_600_000, "reviews@2026-03-16": 12_000, "csi@2026-03-16": 258_065,
				"completion@2026-03-16": 0, "upsell@2026-03-16": 0},
			p.y.UserID: {"fixed@2026-03-16": 1_548_387, "reviews@2026-03-16": 0, "csi@2026-03-16": 0, "completion@2026-03-16": 0, "upsell@2026-03-16": 0},
			p.z.UserID: {"fixed@2026-03-01": 3_000_000, "reviews@2026-03-01": 0, "csi@2026-03-01": 0, "completion@2026-03-01": 100_000,
				"upsell@2026-03-01": 25_000},
		}
		for user, lines := range want {
			if got := amountsOf(all[user]); fmt.Sprint(got) != fmt.Sprint(lines) || all[user].Total != totals[user] {
				t.Errorf("%s: %v total %d, want %v total %d", all[user].Name, got, all[user].Total, lines, totals[user])
			}
		}
		if all[p.x.UserID].Name == "" {
			t.Error("a statement without the person's name")
		}

		// The same month under a draft version: a lower fixed part, a
		// higher rate per review.
		var draft version
		s.Do(post, p.sc.Path("/pay-schemes/"+sc.ID+"/versions"), map[string]any{"spec": monthSpec(2_500_000, 20_000)}, head.Auth()).
			Expect(http.StatusCreated).Decode(&draft)
		simulate := periods + "/" + march.ID + "/simulate"
		s.Do(post, simulate, map[string]any{"scheme_version_id": draft.ID}, fin.Auth()).Expect(http.StatusForbidden)
		s.Do(post, simulate, map[string]any{"scheme_version_id": ids.New()}, head.Auth()).ExpectProblem(http.StatusUnprocessableEntity, "body.scheme_version_id")
		var sim struct {
			Paid, Simulated, Difference int64
			People                      []struct {
				UserID    string `json:"user_id"`
				Simulated int64  `json:"simulated"`
			} `json:"people"`
		}
		s.Do(post, simulate, map[string]any{"scheme_version_id": draft.ID}, head.Auth()).Expect(http.StatusOK).Decode(&sim)
		// One version all month: X 2,500,000 + 4 × 20,000 + 500,000 + 50,000;
		// Y 2,500,000 × 16/31 = 1,290,322.58; Z 2,500,000 + 100,000 + 25,000.
		if sim.Paid != fund || sim.Simulated != 3_130_000+1_290_323+2_625_000 || sim.Difference != sim.Simulated-sim.Paid || len(sim.People) != 3 {
			t.Errorf("simulation %+v", sim)
		}
		s.Do(get, p.sc.Path("/pay-scheme-versions/"+draft.ID), nil, head.Auth()).Expect(http.StatusOK).Decode(&draft)
		if draft.Used {
			t.Error("a simulation marked the draft version used")
		}
		s.Do(get, p.sc.Path("/pay-scheme-versions/"+sc.Versions[0].ID), nil, head.Auth()).Expect(http.StatusOK).Decode(&draft)
		if !draft.Used {
			t.Error("the calculated version is not marked used")
		}

		// A curator sees only her own statement; another's is not found.
		own := p.statements(t, march.ID, p.x)
		if len(own) != 1 || own[p.x.UserID].Total != totals[p.x.UserID] {
			t.Errorf("X sees %v", own)
		}
		s.Do(get, periods+"/"+march.ID+"/statements/"+p.y.UserID, nil, p.x.Auth()).Expect(http.StatusNotFound)
		s.Do(get, periods+"/"+march.ID+"/statements/"+p.x.UserID, nil, p.x.Auth()).Expect(http.StatusOK)
		s.Do(get, periods+"/"+march.ID+"/statements", nil, hr.Auth()).Expect(http.StatusForbidden)

		// Each line's sources add up to it.
		lines := map[string]line{}
		for _, l := range all[p.x.UserID].Lines {
			lines[l.Key] = l
		}
		// s2 counts 10/31 for X and 21/31 for Z.
		if c := lines["completion@2026-03-01"]; c.Numerator != "1.322581" || c.Denominator != "4.322581" {
			t.Errorf("X's completion %s / %s, want 41/31 over 134/31", c.Numerator, c.Denominator)
		}
		for _, l := range all[p.z.UserID].Lines {
			if l.Key == "completion@2026-03-01" && (l.Numerator != "0.677419" || l.Denominator != "0.677419") {
				t.Errorf("Z's completion %s / %s, want 21/31 over 21/31", l.Numerator, l.Denominator)
			}
		}
		pieceSources := p.sources(t, lines["reviews@2026-03-01"].ID, p.x)
		if len(pieceSources) != 3 || sumOf(pieceSources, "weight") != 30_000 {
			t.Errorf("review sources %v", pieceSources)
		}
		for _, src := range pieceSources {
			if !strings.Contains(strings.Join(p.reviews, " "), src["source_id"]) || src["kind"] != "review" {
				t.Errorf("a review source that is not one of X's reviews: %v", src)
			}
		}
		csiSources := p.sources(t, lines["csi@2026-03-01"].ID, head)
		if len(csiSources) != 5 || sumOf(csiSources, "counted") != 4 || lines["csi@2026-03-01"].Numerator != "4" || lines["csi@2026-03-01"].Denominator != "5" {
			t.Errorf("CSI sources %v, line %+v", csiSources, lines["csi@2026-03-01"])
		}
		if up := p.sources(t, lines["upsell@2026-03-01"].ID, head); len(up) != 1 || sumOf(up, "counted") != 1_000_000 {
			t.Errorf("upsell sources %v", up)
		}
		s.Do(get, p.sc.Path("/pay-lines/"+lines["reviews@2026-03-01"].ID+"/sources"), nil, p.y.Auth()).Expect(http.StatusNotFound)
		s.Do(get, p.sc.Path("/pay-lines/"+lines["reviews@2026-03-01"].ID+"/sources?cursor=eyJ4Ig"), nil, head.Auth()).
			ExpectProblem(http.StatusUnprocessableEntity, "query.cursor")

		// Review: X disputes her review line; the head cannot approve
		// until it is resolved.
		dispute := p.sc.Path("/pay-lines/" + lines["reviews@2026-03-01"].ID + "/disputes")
		body := map[string]any{"comment": "Проверки 5 марта две, а не одна"}
		s.Do(post, dispute, body, p.x.Auth()).Expect(http.StatusConflict)
		p.step(t, &march, "submit", head, nil)
		s.Do(post, dispute, body, p.y.Auth()).Expect(http.StatusNotFound)
		s.Do(post, dispute, map[string]any{"comment": " "}, p.x.Auth()).ExpectProblem(http.StatusUnprocessableEntity, "body.comment")
		var d struct {
			ID      string `json:"id"`
			Version int64  `json:"version"`
		}
		s.Do(post, dispute, body, p.x.Auth()).Expect(http.StatusCreated).Decode(&d)
		s.Do(post, periods+"/"+march.ID+"/approve", nil, head.Auth(), ifMatch(march.Version)).Expect(http.StatusConflict)
		s.Do(post, p.sc.Path("/pay-disputes/"+d.ID+"/resolve"), map[string]any{"resolution": "Проверено: три проверки"}, p.x.Auth(), ifMatch(d.Version)).
			Expect(http.StatusForbidden)
		s.Do(post, p.sc.Path("/pay-disputes/"+d.ID+"/resolve"), map[string]any{"resolution": "Проверено: три проверки"}, head.Auth(), ifMatch(d.Version)).
			Expect(http.StatusOK)
		s.Do(post, periods+"/"+march.ID+"/approve-finance", nil, head.Auth(), ifMatch(march.Version)).Expect(http.StatusForbidden)
		p.step(t, &march, "approve", head, nil)
		s.Do(post, periods+"/"+march.ID+"/lock", nil, fin.Auth(), ifMatch(march.Version)).Expect(http.StatusConflict)
		p.step(t, &march, "approve-finance", fin, nil)
		p.step(t, &march, "lock", fin, nil)
		s.Do(post, calc, nil, head.Auth(), ifMatch(march.Version)).Expect(http.StatusConflict)
		s.Do(post, dispute, body, p.x.Auth()).Expect(http.StatusConflict)

		s.Do(post, p.sc.Path("/pay-assignments"), map[string]any{"user_id": p.y.UserID, "scheme_version_id": sc.Versions[0].ID,
			"effective_from": "2026-03-20"}, head.Auth()).Expect(http.StatusConflict)

		// Exports: idempotent, and each agrees with the API.
		exports := periods + "/" + march.ID + "/exports"
		s.Do(post, exports, map[string]any{"format": "pdf"}, fin.Auth()).ExpectProblem(http.StatusUnprocessableEntity, "body.format")
		s.Do(get, exports+"/xlsx", nil, fin.Auth()).Expect(http.StatusNotFound)
		checksums := map[string]string{}
		for _, format := range []string{"csv", "xlsx", "1c-cp1251"} {
			var e struct {
				Checksum string `json:"checksum"`
				Total    int64  `json:"total"`
			}
			s.Do(post, exports, map[string]any{"format": format}, fin.Auth()).Expect(http.StatusCreated).Decode(&e)
			var again struct {
				Checksum string `json:"checksum"`
			}
			s.Do(post, exports, map[string]any{"format": format}, fin.Auth()).Expect(http.StatusOK).Decode(&again)
			if e.Checksum != again.Checksum || e.Total != fund {
				t.Errorf("%s: checksum %s then %s, total %d", format, e.Checksum, again.Checksum, e.Total)
			}
			checksums[format] = e.Checksum
		}
		s.Do(post, exports, map[string]any{"format": "csv"}, head.Auth()).Expect(http.StatusForbidden)
		for format, sum := range checksums {
			file := s.Do(get, exports+"/"+format, nil, fin.Auth()).Expect(http.StatusOK)
			body := sha256.Sum256(file.Body)
			if file.Header.Get("X-Checksum-Sha256") != sum || hex.EncodeToString(body[:]) != sum {
				t.Errorf("%s: header %q, body's %x, recorded %s", format, file.Header.Get("X-Checksum-Sha256"), body, sum)
			}
		}
		file := s.Do(get, exports+"/csv", nil, fin.Auth()).Expect(http.StatusOK)
		if got := csvAmounts(t, file.Body); fmt.Sprint(got) != fmt.Sprint(totals) {
			t.Errorf("CSV sums %v", got)
		}
		if got := xlsxAmounts(t, s.Do(get, exports+"/xlsx", nil, fin.Auth()).Expect(http.StatusOK).Body); fmt.Sprint(got) != fmt.Sprint(totals) {
			t.Errorf("XLSX sums %v", got)
		}
		oneC, err := charmap.Windows1251.NewDecoder().Bytes(s.Do(get, exports+"/1c-cp1251", nil, fin.Auth()).Expect(http.StatusOK).Body)
		if err != nil || !strings.Contains(string(oneC), "31.03.2026;"+p.x.UserID+";") || !strings.Contains(string(oneC), ";36436,13") ||
			!strings.Contains(string(oneC), "Начислено") {
			t.Errorf("1C file %q (%v)", oneC, err)
		}
		var detail struct {
			Status  string `json:"status"`
			Exports []any  `json:"exports"`
		}
		s.Do(get, periods+"/"+march.ID, nil, fin.Auth()).Expect(http.StatusOK).Decode(&detail)
		if detail.Status != "exported" || len(detail.Exports) != 3 {
			t.Errorf("after export %+v", detail)
		}

		// A review overturned after the lock: March stays as it was, April
		// carries the correction.
		p.overturn(t, p.reviews[0])
		var april period
		s.Do(post, periods, map[string]any{"month": "2026-04"}, head.Auth()).Expect(http.StatusCreated).Decode(&april)
		p.step(t, &april, "calculate", head, nil)
		if got := p.statements(t, march.ID, head)[p.x.UserID].Total; got != totals[p.x.UserID] {
			t.Errorf("locked March changed to %d", got)
		}
		aprilX := p.statements(t, april.ID, head)[p.x.UserID]
		fix := amountsOf(aprilX)["correction:2026-03:reviews@2026-03-01"]
		if fix != -10_000 {
			t.Errorf("April's correction of March's reviews %d; lines %v", fix, amountsOf(aprilX))
		}

		// Unlocking needs a reason; a recalculation shows its difference.
		s.Do(post, periods+"/"+march.ID+"/unlock", map[string]any{"reason": ""}, head.Auth(), ifMatch(march.Version+1)).
			ExpectProblem(http.StatusUnprocessableEntity, "body.reason")
		s.Do(get, periods+"/"+march.ID, nil, head.Auth()).Expect(http.StatusOK).Decode(&march)
		s.Do(post, periods+"/"+march.ID+"/unlock", map[string]any{"reason": "x"}, fin.Auth(), ifMatch(march.Version)).Expect(http.StatusForbidden)
		p.step(t, &march, "unlock", head, map[string]any{"reason": "проверка отменена контролем качества"})
		p.step(t, &march, "calculate", head, nil)
		var diff []struct {
			UserID string `json:"user_id"`
			Before int64  `json:"before"`
			After  int64  `json:"after"`
			Lines  []struct {
				Key        string `json:"key"`
				Difference int64  `json:"difference"`
			} `json:"lines"`
		}
		s.Do(get, periods+"/"+march.ID+"/difference", nil, head.Auth()).Expect(http.StatusOK).Decode(&diff)
		if len(diff) != 1 || diff[0].UserID != p.x.UserID || diff[0].After-diff[0].Before != -10_000 || len(diff[0].Lines) != 1 ||
			diff[0].Lines[0].Key != "reviews@2026-03-01" {
			t.Errorf("difference %+v", diff)
		}
	})
}

func (p *payMonth) sources(t *testing.T, lineID string, who apptest.Actor) []map[string]string {
	t.Helper()
	var page struct {
		Items []map[string]string `json:"items"`
	}
	p.s.Do(get, p.sc.Path("/pay-lines/"+lineID+"/sources"), nil, who.Auth()).Expect(http.StatusOK).Decode(&page)
	return page.Items
}

func sumOf(rows []map[string]string, field string) int64 {
	var sum int64
	for _, r := range rows {
		n, _ := strconv.ParseInt(r[field], 10, 64)
		sum += n
	}
	return sum
}

// csvAmounts adds the CSV's amount_kopecks per person.
func csvAmounts(t *testing.T, body []byte) map[string]int64 {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %v %q", err, body)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := map[string]int64{}
	for _, r := range rows[1:] {
		n, _ := strconv.ParseInt(r[col["amount_kopecks"]], 10, 64)
		out[r[col["user_id"]]] += n
	}
	return out
}

// xlsxAmounts reads the workbook back: the summary's totals per person,
// checked against its lines sheet and its control sheet.
func xlsxAmounts(t *testing.T, body []byte) map[string]int64 {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	summary, _ := f.GetRows("Summary")
	out := map[string]int64{}
	var total int64
	for _, r := range summary[1:] {
		n, _ := strconv.ParseInt(r[3], 10, 64)
		out[r[1]] = n
		total += n
	}
	lines, _ := f.GetRows("Lines")
	byLines := map[string]int64{}
	for _, r := range lines[1:] {
		n, _ := strconv.ParseInt(r[21], 10, 64)
		byLines[r[1]] += n
	}
	if fmt.Sprint(byLines) != fmt.Sprint(out) {
		t.Errorf("XLSX lines %v, summary %v", byLines, out)
	}
	control, _ := f.GetRows("Control")
	for _, r := range control {
		if r[0] == "sum_of_lines_kopecks" && r[1] != strconv.FormatInt(total, 10) {
			t.Errorf("control sum %s, summary %d", r[1], total)
		}
	}
	return out
}
