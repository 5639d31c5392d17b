package refunds_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/school"
)

type rate struct {
	Key                 string   `json:"key"`
	Name                string   `json:"name"`
	RefundedEnrollments int      `json:"refunded_enrollments"`
	PaidEnrollments     int      `json:"paid_enrollments"`
	Rate                *float64 `json:"rate"`
	RefundedAmount      int64    `json:"refunded_amount"`
}

type analytics struct {
	Total     rate   `json:"total"`
	Groups    []rate `json:"groups"`
	Retention struct {
		Kept     int      `json:"kept"`
		Attempts int      `json:"attempts"`
		Rate     *float64 `json:"rate"`
	} `json:"retention"`
	DecisionTime struct {
		Decided     int      `json:"decided"`
		MedianHours *float64 `json:"median_hours"`
		MeanHours   *float64 `json:"mean_hours"`
	} `json:"decision_time"`
}

// TestAnalyticsMatchHandCounts: ten paid enrollments in two cohorts, two
// curators and one student without a curator; three refunded (two through
// requests, one straight into the ledger), one retained, one rejected.
// Every figure below was counted by hand.
func TestAnalyticsMatchHandCounts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 0)
		c1, c2 := f.sc.People["curator"].UserID, s.NewMember(f.sc.Org.ID, "second@north.test", "curator").UserID
		b, err := s.Services.School.CreateCohort(s.Ctx(), f.sc.Org.ID, school.NewCohort{CourseID: f.course.Course.ID, Name: "Cohort B",
			StartsOn: "2026-03-01", EndsOn: "2026-07-31", Status: school.CohortActive})
		if err != nil {
			t.Fatal(err)
		}
		for _, curator := range []string{c1, c1, c1, c1, c2, c2} { // students 0–5 in cohort A
			f.addStudent(t, f.cohort, curator, "card", 0)
		}
		for _, curator := range []string{c2, c2, c2, ""} { // students 6–9 in cohort B
			f.addStudent(t, b, curator, "card", 0)
		}
		head := f.as("head_of_service")
		s1, s5 := f.raise(t, 0, "no_time", 3_000_000), f.raise(t, 4, "financial", 1_000_000)
		s2, s3 := f.raise(t, 1, "no_time", 0), f.raise(t, 2, "content", 0)

		s.Clock.Advance(time.Hour) // s1 decided after 1 h
		s1 = f.approve(t, s1, 3_000_000, head)
		s.Clock.Advance(time.Hour) // s5 after 2 h
		s5 = f.approve(t, s5, 1_000_000, head)
		for _, r := range []request{s1, s5} {
			s.Do(post, f.sc.Path("/refund-requests/"+r.ID+"/execute"), map[string]any{}, f.as("finance"), key("pay-"+r.ID)).Expect(http.StatusCreated)
		}
		s.Clock.Advance(2 * time.Hour) // s2 retained after 4 h
		s.Do(post, f.sc.Path("/refund-requests/"+s2.ID+"/retention-attempts"), map[string]any{"offer": "pause", "outcome": "kept"}, f.as("curator"),
			ifMatch(s2.Version)).Expect(http.StatusCreated)
		s.Clock.Advance(4 * time.Hour) // s3 rejected after 8 h, its attempt failed
		var attempt struct{ Request request }
		s.Do(post, f.sc.Path("/refund-requests/"+s3.ID+"/retention-attempts"), map[string]any{"offer": "consultation", "outcome": "refund_continues"},
			f.as("curator"), ifMatch(s3.Version)).Expect(http.StatusCreated).Decode(&attempt)
		s3 = attempt.Request
		s.Do(post, f.sc.Path("/refund-requests/"+s3.ID+"/reject"), map[string]any{"note": "Нет оснований"}, head, ifMatch(s3.Version)).Expect(http.StatusOK)
		f.orderRefunded(t, 6, "bank-7", price) // straight into the ledger
		s.Clock.Advance(time.Minute)

		read := func(groupBy string) analytics {
			var a analytics
			s.Do(get, f.sc.Path("/refund-analytics?group_by="+groupBy), nil, head).Expect(http.StatusOK).Decode(&a)
			return a
		}
		a := read("cohort")
		checkRate(t, "total", a.Total, 3, 10, 30, 3_000_000+1_000_000+price)
		checkGroups(t, a.Groups, map[string][3]float64{"Cohort north": {2, 6, 33.33}, "Cohort B": {1, 4, 25}})
		if a.Retention.Kept != 1 || a.Retention.Attempts != 2 || a.Retention.Rate == nil || *a.Retention.Rate != 50 {
			t.Errorf("retention %+v, want 1 of 2, 50 %%", a.Retention)
		}
		d := a.DecisionTime
		if d.Decided != 4 || d.MedianHours == nil || *d.MedianHours != 3 || *d.MeanHours != 3.75 {
			t.Errorf("decision time %+v, want 4 decided, median 3 h, mean 3.75 h", d)
		}
		checkGroups(t, read("curator").Groups, map[string][3]float64{"Person curator@north.test": {1, 4, 25},
			"Person second@north.test": {2, 5, 40}, "Без куратора": {0, 1, 0}})
		checkGroups(t, read("course").Groups, map[string][3]float64{"Course north": {3, 10, 30}})
		checkGroups(t, read("month").Groups, map[string][3]float64{"2026-01": {3, 10, 30}})
		reasons := map[string][3]float64{}
		for _, g := range read("reason").Groups {
			reasons[g.Key] = [3]float64{float64(g.RefundedEnrollments), float64(g.PaidEnrollments), *g.Rate}
		}
		for code, want := range map[string][3]float64{"no_time": {1, 10, 10}, "financial": {1, 10, 10}, "unspecified": {1, 10, 10}, "content": {0, 10, 0}} {
			if reasons[code] != want {
				t.Errorf("reason %s: %v, want %v", code, reasons[code], want)
			}
		}

		s.Do(get, f.sc.Path("/refund-analytics"), nil, f.as("curator")).Expect(http.StatusForbidden)
		s.Do(get, f.sc.Path("/refund-analytics?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z"), nil, head).ExpectProblem(http.StatusUnprocessableEntity, "query.to")
		var empty analytics
		s.Do(get, f.sc.Path("/refund-analytics?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z"), nil, head).Expect(http.StatusOK).Decode(&empty)
		if empty.Total.Rate != nil || empty.Retention.Rate != nil || empty.DecisionTime.MedianHours != nil {
			t.Errorf("a period without data: %+v, want null figures", empty)
		}

		raised, err := s.Services.Refunds.RequestsRaised(s.Ctx(), f.sc.Org.ID, apptest.Start, apptest.Start.Add(24*time.Hour))
		if err != nil || len(raised) != 4 {
			t.Errorf("RequestsRaised: %d (%v), want the 4 raised, not the ledger's", len(raised), err)
		}
	})
}

func checkRate(t *testing.T, what string, g rate, num, den int, pct float64, amount int64) {
	t.Helper()
	if g.RefundedEnrollments != num || g.PaidEnrollments != den || g.Rate == nil || *g.Rate != pct || g.RefundedAmount != amount {
		t.Errorf("%s: %+v, want %d / %d = %v %%, %d returned", what, g, num, den, pct, amount)
	}
}

func checkGroups(t *testing.T, groups []rate, want map[string][3]float64) {
	t.Helper()
	if len(groups) != len(want) {
		t.Errorf("%d groups %+v, want %d", len(groups), groups, len(want))
	}
	for _, g := range groups {
		w, ok := want[g.Name]
		if !ok || float64(g.RefundedEnrollments) != w[0] || float64(g.PaidEnrollments) != w[1] || g.Rate == nil || *g.Rate != w[2] {
			t.Errorf("group %q: %d / %d = %v, want %v", g.Name, g.RefundedEnrollments, g.PaidEnrollments, g.Rate, w)
		}
	}
}
