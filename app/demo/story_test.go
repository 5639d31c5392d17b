package demo_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

// The checks of this file read the demo school the way its head of service
// would, through the API, and hold its figures to the reference school's
// story: the earliest cohort before the curator service was rebuilt, the
// latest after it.

// listAll reads every page of a listing as the bearer of token.
func listAll[T any](s *apptest.Server, token, path string) []T {
	var all []T
	cursor := ""
	for {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		page := struct {
			Items      []T    `json:"items"`
			NextCursor string `json:"next_cursor"`
		}{}
		s.Do(http.MethodGet, path+sep+"limit=200&cursor="+url.QueryEscape(cursor), nil, apptest.Bearer(token)).Expect(http.StatusOK).Decode(&page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// Male first names that end like female ones.
var maleNamesEndingInA = map[string]bool{"Илья": true, "Никита": true, "Данила": true, "Кузьма": true, "Фома": true, "Лука": true, "Савва": true}

// nameGender is the gender a Russian first name marks: a name ending in
// а or я is a woman's, but for a few men's names.
func nameGender(first string) string {
	if (strings.HasSuffix(first, "а") || strings.HasSuffix(first, "я")) && !maleNamesEndingInA[first] {
		return "female"
	}
	return "male"
}

// surnameGender is the gender a Russian surname of the -ов, -ев, -ин kind
// marks: the feminine form adds а; other surnames mark none.
func surnameGender(last string) string {
	for _, ending := range []string{"ова", "ева", "ёва", "ина", "ына", "ая"} {
		if strings.HasSuffix(last, ending) {
			return "female"
		}
	}
	for _, ending := range []string{"ов", "ев", "ёв", "ин", "ын", "ий", "ой"} {
		if strings.HasSuffix(last, ending) {
			return "male"
		}
	}
	return ""
}

func checkNamesAgreeInGender(t *testing.T, s *apptest.Server) {
	head := s.Login("head@demo.test", demo.Password)
	var names []string
	for _, u := range listAll[struct{ Name string }](s, head, "/v1/orgs/demo/users") {
		names = append(names, u.Name)
	}
	students := listAll[struct {
		FullName string `json:"full_name"`
	}](s, head, "/v1/orgs/demo/students")
	for _, st := range students {
		names = append(names, st.FullName)
	}
	if len(students) != demo.StudentCount || len(names) != demo.StudentCount+5+demo.CuratorCount+demo.NewcomerCount {
		t.Fatalf("read %d names of %d students and staff", len(names), len(students))
	}
	women := 0
	for _, name := range names {
		parts := strings.Fields(name)
		if len(parts) != 2 {
			t.Errorf("%q is not a first name and a surname", name)
			continue
		}
		if g := surnameGender(parts[1]); g == "" || g != nameGender(parts[0]) {
			t.Errorf("%q: the first name is a %s's, the surname a %s's", name, nameGender(parts[0]), g)
		}
		if nameGender(parts[0]) == "female" {
			women++
		}
	}
	if women == len(names) || women < len(names)/2 {
		t.Errorf("%d women among %d people: want mostly women, and some men", women, len(names))
	}
}

type demoEnrollment struct {
	StudentID string `json:"student_id"`
	CohortID  string `json:"cohort_id"`
	Status    string `json:"status"`
}

type demoOrder struct {
	StudentID string  `json:"student_id"`
	CohortID  *string `json:"cohort_id"`
	Amount    struct{ Amount int64 }
	Refunded  struct{ Amount int64 }
	Status    string
}

type demoCohort struct {
	ID, Name, StartsOn, Status string
}

func (c demoCohort) String() string { return c.Name }

// cohortsByStart lists the demo cohorts, the earliest first.
func cohortsByStart(s *apptest.Server, token string) []demoCohort {
	cohorts := listAll[struct {
		ID       string
		Name     string
		StartsOn string `json:"starts_on"`
		Status   string
	}](s, token, "/v1/orgs/demo/cohorts")
	out := make([]demoCohort, len(cohorts))
	for i, c := range cohorts {
		out[i] = demoCohort{ID: c.ID, Name: c.Name, StartsOn: c.StartsOn, Status: c.Status}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartsOn < out[j].StartsOn })
	return out
}

// checkRefundsMatchEnrollments: every refunded enrollment has its refund
// on the course order, every refund is an order of a refunded enrollment,
// no refund exceeds what was paid, and the refund rate falls from about
// 4 % in the earliest cohort to about 2 % in the latest.
func checkRefundsMatchEnrollments(t *testing.T, s *apptest.Server) {
	head := s.Login("head@demo.test", demo.Password)
	enrollments := listAll[demoEnrollment](s, head, "/v1/orgs/demo/enrollments")
	orders := listAll[demoOrder](s, head, "/v1/orgs/demo/orders")
	refundedOrder := map[string]demoOrder{} // by student and cohort
	for _, o := range orders {
		if o.Refunded.Amount > o.Amount.Amount {
			t.Errorf("an order of %d kopecks has %d refunded", o.Amount.Amount, o.Refunded.Amount)
		}
		if o.Refunded.Amount == 0 {
			continue
		}
		if o.CohortID == nil {
			t.Errorf("a refunded order (%s) is not a course order", o.Status)
			continue
		}
		refundedOrder[o.StudentID+"/"+*o.CohortID] = o
	}
	refunded, paid := map[string]int{}, map[string]int{}
	for _, e := range enrollments {
		key := e.StudentID + "/" + e.CohortID
		paid[e.CohortID]++
		_, hasRefund := refundedOrder[key]
		switch {
		case e.Status == "refunded" && !hasRefund:
			t.Errorf("enrollment %s is refunded without a refund", key)
		case e.Status != "refunded" && hasRefund:
			t.Errorf("enrollment %s is %s but its order was refunded", key, e.Status)
		}
		if e.Status == "refunded" {
			refunded[e.CohortID]++
		}
		delete(refundedOrder, key)
	}
	for key := range refundedOrder {
		t.Errorf("a refund of %s belongs to no enrollment", key)
	}
	cohorts := cohortsByStart(s, head)
	rate := func(c demoCohort) float64 { return float64(refunded[c.ID]) * 100 / float64(paid[c.ID]) }
	earliest, latest := cohorts[0], cohorts[len(cohorts)-1]
	t.Logf("refunds: %s %d of %d (%.1f %%), %s %d of %d (%.1f %%)", earliest, refunded[earliest.ID], paid[earliest.ID], rate(earliest),
		latest, refunded[latest.ID], paid[latest.ID], rate(latest))
	if r := rate(earliest); r < 3.5 || r > 4.5 {
		t.Errorf("the earliest cohort's refund rate is %.1f %%, want about 4 %%", r)
	}
	if r := rate(latest); r < 1.5 || r > 2.5 {
		t.Errorf("the latest cohort's refund rate is %.1f %%, want about 2 %%", r)
	}
}

// checkQueuesAreRecent: the work waiting in the queues came in over the
// last days, a handful of it is overdue, and nothing has waited for weeks.
func checkQueuesAreRecent(t *testing.T, s *apptest.Server) {
	head := s.Login("head@demo.test", demo.Password)
	now := s.Clock.Now()
	type openItem struct {
		SubmittedAt time.Time `json:"submitted_at"`
		DueAt       time.Time `json:"due_at"`
	}
	waiting := listAll[openItem](s, head, "/v1/orgs/demo/homework-submissions?status=queued")
	waiting = append(waiting, listAll[openItem](s, head, "/v1/orgs/demo/homework-submissions?status=in_review")...)
	overdue := 0
	for _, item := range waiting {
		if age := now.Sub(item.SubmittedAt); age > 9*24*time.Hour {
			t.Errorf("an item handed in %s ago still waits in the queue", age.Round(time.Hour))
		}
		if item.DueAt.Before(now) {
			overdue++
		}
	}
	escalated := listAll[openItem](s, head, "/v1/orgs/demo/homework-submissions?view=overdue")
	t.Logf("homework queue: %d waiting, %d overdue", len(waiting), overdue)
	if len(waiting) < 5 || overdue == 0 || overdue > 12 || len(escalated) != overdue {
		t.Errorf("%d items wait in the queue, %d of them overdue, %d in the overdue view: want a queue with a handful overdue",
			len(waiting), overdue, len(escalated))
	}
	clocks := listAll[struct {
		StartedAt time.Time `json:"started_at"`
	}](s, head, "/v1/orgs/demo/sla/clocks?view=open")
	for _, c := range clocks {
		if age := now.Sub(c.StartedAt); age > 3*24*time.Hour {
			t.Errorf("a student has waited %s for an answer", age.Round(time.Hour))
		}
	}
	if len(clocks) == 0 {
		t.Error("no conversation waits for an answer")
	}
}

// checkHeadlineFigures: completion of module 3 and the first response
// time of the latest cohorts are near the reference school's after-state
// (49 %, two hours), the earliest cohort's completion near its before-state
// (24 %), and no completion rate exceeds 100 %.
func checkHeadlineFigures(t *testing.T, s *apptest.Server) {
	head := s.Login("head@demo.test", demo.Password)
	type share struct {
		Students, Submitted int
		Percent             *float64
	}
	var completion struct {
		Items []struct {
			CohortID string `json:"cohort_id"`
			Position int    `json:"module_position"`
			Enrolled share
			Active   share
		}
	}
	s.Do(http.MethodGet, "/v1/orgs/demo/homework-completion", nil, apptest.Bearer(head)).Expect(http.StatusOK).Decode(&completion)
	moduleThree := map[string]share{}
	for _, row := range completion.Items {
		for _, sh := range []share{row.Enrolled, row.Active} {
			if sh.Percent == nil || *sh.Percent > 100 || sh.Submitted > sh.Students {
				t.Errorf("completion %+v: want a rate of at most 100 %%", sh)
			}
		}
		if row.Position == 3 {
			moduleThree[row.CohortID] = row.Enrolled
		}
	}
	cohorts := cohortsByStart(s, head)
	var table []string
	for _, c := range cohorts {
		m3 := moduleThree[c.ID]
		table = append(table, fmt.Sprintf("%s: %d of %d", c, m3.Submitted, m3.Students))
	}
	t.Logf("completion of module 3: %s", strings.Join(table, "; "))
	band := func(c demoCohort, low, high float64) {
		if p := moduleThree[c.ID].Percent; p == nil || *p < low || *p > high {
			t.Errorf("%s: completion of module 3 %v %%, want %.0f–%.0f %%", c, p, low, high)
		}
	}
	band(cohorts[0], 20, 30)
	for _, c := range cohorts[len(cohorts)-2:] {
		band(c, 43, 55)
	}

	var report struct {
		Total struct {
			Items             int
			CompliancePercent *float64 `json:"compliance_percent"`
			MedianMinutes     *float64 `json:"median_minutes"`
			Answered          int
		}
	}
	now := s.Clock.Now().UTC()
	from, to := now.AddDate(0, 0, -30).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)
	s.Do(http.MethodGet, "/v1/orgs/demo/sla/report?group_by=curator&from="+from+"&to="+to, nil, apptest.Bearer(head)).Expect(http.StatusOK).Decode(&report)
	total := report.Total
	t.Logf("SLA report: %d items, %d answered, compliance %v %%, median %v min", total.Items, total.Answered, deref(total.CompliancePercent), deref(total.MedianMinutes))
	if total.Items < 150 || total.CompliancePercent == nil || *total.CompliancePercent < 75 || *total.CompliancePercent > 95 {
		t.Errorf("SLA report %+v: want most of some 200 answers within the target, some late", total)
	}
	if total.MedianMinutes == nil || *total.MedianMinutes < 60 || *total.MedianMinutes > 120 {
		t.Errorf("median response %v min: want between one and two business hours", deref(total.MedianMinutes))
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
