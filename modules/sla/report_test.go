package sla_test

import (
	"encoding/csv"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/testkit"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

// seedReport answers eleven questions after 10, 20 … 100 and 150 minutes,
// leaves one unanswered past due and dismisses one.
func seedReport(s *apptest.Server) *fixture {
	f := newFixture(s, "alpha", 13)
	f.at(s, mon(13, 0))
	for i := 0; i < 11; i++ {
		conv := f.conversation(s, i)
		start := mon(10, i)
		delay := time.Duration(10*(i+1)) * time.Minute
		if i == 10 {
			delay = 150 * time.Minute
		}
		f.send(s, conv, student("Вопрос", start))
		f.send(s, conv, student("И ещё", start.Add(time.Minute)))
		f.send(s, conv, staff("Ответ", start.Add(delay)))
	}
	f.send(s, f.conversation(s, 11), student("Без ответа", mon(9, 0)))
	dismissed := f.send(s, f.conversation(s, 12), student("Ок, разберусь сама, не отвечайте", mon(9, 0)))["clock_id"].(string)
	f.at(s, mon(18, 0))
	s.Do(post, f.Path("/sla/clocks/"+dismissed+"/dismiss"), map[string]any{"reason": "ответ не нужен"}, f.People["curator"].Auth(),
		apptest.Header("If-Match", `"1"`)).Expect(200)
	return f
}

func reportPath(f *fixture, op, groupBy string) string {
	return f.Path("/sla/" + op + "?group_by=" + groupBy + "&from=" + mon(0, 0).UTC().Format(time.RFC3339) +
		"&to=" + mon(24, 0).UTC().Format(time.RFC3339))
}

type reportBody struct {
	GroupBy string           `json:"group_by"`
	Rows    []map[string]any `json:"rows"`
	Total   map[string]any   `json:"total"`
}

func TestReport(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := seedReport(s)
		head := f.People["head_of_service"]
		var r reportBody
		s.Do(get, reportPath(f, "report", "day"), nil, head.Auth()).Expect(200).Decode(&r)
		want := map[string]any{"key": "", "items": 12.0, "compliant": 10.0, "breached": 2.0, "compliance_percent": 83.33, "answered": 11.0,
			"open": 1.0, "dismissed": 1.0, "median_minutes": 60.0, "p90_minutes": 100.0, "p95_minutes": 150.0}
		if !reflect.DeepEqual(r.Total, want) {
			t.Errorf("total %v\nwant  %v", r.Total, want)
		}
		if len(r.Rows) != 1 || r.Rows[0]["key"] != "2026-03-16" || r.Rows[0]["day"] != "2026-03-16" {
			t.Errorf("by day: %v", r.Rows)
		}

		// Names beside the ids, whatever the grouping.
		curator := f.People["curator"]
		for groupBy, fields := range map[string]map[string]any{
			"curator": {"key": curator.UserID, "curator_id": curator.UserID, "curator_name": "Person " + curator.Email},
			"cohort":  {"key": f.cohortID, "cohort_id": f.cohortID, "cohort_name": "Поток 1", "course_id": f.courseID, "course_name": "Психология"},
			"channel": {"key": "telegram", "channel": "telegram", "channel_label": "Telegram"},
			"policy":  {"key": "", "policy_id": "", "policy_name": sla.DefaultPolicyName},
		} {
			s.Do(get, reportPath(f, "report", groupBy), nil, head.Auth()).Expect(200).Decode(&r)
			if len(r.Rows) != 1 || r.Rows[0]["items"] != 12.0 {
				t.Fatalf("by %s: %v", groupBy, r.Rows)
			}
			for k, v := range fields {
				if r.Rows[0][k] != v {
					t.Errorf("by %s: %s = %v, want %v", groupBy, k, r.Rows[0][k], v)
				}
			}
			if _, named := r.Total["curator_name"]; named {
				t.Errorf("the total names a group: %v", r.Total)
			}
		}

		res := s.Do(get, reportPath(f, "report/export", "channel"), nil, head.Auth()).Expect(200)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("content type %q", ct)
		}
		lines, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil || len(lines) != 3 || lines[0][1] != "channel_label" || lines[1][0] != "telegram" || lines[1][1] != "Telegram" ||
			lines[2][0] != "total" || lines[2][5] != "83.33" || lines[2][11] != "150" {
			t.Errorf("csv %q (%v)", lines, err)
		}
		res = s.Do(get, reportPath(f, "report/export", "cohort"), nil, head.Auth()).Expect(200)
		lines, err = csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil || len(lines) != 3 || !reflect.DeepEqual(lines[0][:4], []string{"cohort_id", "cohort_name", "course_id", "course_name"}) ||
			!reflect.DeepEqual(lines[1][:4], []string{f.cohortID, "Поток 1", f.courseID, "Психология"}) {
			t.Errorf("csv by cohort %q (%v)", lines, err)
		}

		s.Do(get, reportPath(f, "report", "curator"), nil, f.People["hr"].Auth()).ExpectProblem(403)
		s.Do(get, reportPath(f, "report", "mood"), nil, head.Auth()).ExpectProblem(422, "query.group_by")
		s.Do(get, f.Path("/sla/report?from=2026-03-16T00:00:00Z&to=2026-03-15T00:00:00Z"), nil, head.Auth()).ExpectProblem(422, "query.to")
		// 23:59 five hours west of UTC is already year 10000 in UTC, which no
		// response could carry.
		s.Do(get, f.Path("/sla/report?from=9999-12-31T00:00:00Z&to=9999-12-31T23:59:59-05:00"), nil, head.Auth()).ExpectProblem(422, "query.from")
		s.Do(get, f.Path("/sla/report?from=1999-12-31T00:00:00Z&to=2000-01-02T00:00:00Z"), nil, head.Auth()).ExpectProblem(422, "query.from")
		beta := s.NewSchool("beta")
		s.Do(get, reportPath(f, "report", "day"), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)
	})
}

// TestReportFiguresWithoutDataAreNull: a group with no items and no
// answers has no compliance and no response times, not zeros.
func TestReportFiguresWithoutDataAreNull(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		f.at(s, mon(9, 0))
		f.send(s, f.conversation(s, 0), student("Вопрос", mon(9, 0))) // due 11:00, open
		var r reportBody
		s.Do(get, reportPath(f, "report", "curator"), nil, f.People["head_of_service"].Auth()).Expect(200).Decode(&r)
		for _, k := range []string{"compliance_percent", "median_minutes", "p90_minutes", "p95_minutes"} {
			if v, ok := r.Total[k]; !ok || v != nil {
				t.Errorf("%s = %v, want null", k, v)
			}
		}
		if r.Total["open"] != 1.0 || r.Total["items"] != 0.0 {
			t.Errorf("total %v", r.Total)
		}
		lines, err := csv.NewReader(strings.NewReader(string(s.Do(get, reportPath(f, "report/export", "curator"), nil,
			f.People["head_of_service"].Auth()).Expect(200).Body))).ReadAll()
		if err != nil || lines[2][0] != "total" || lines[2][5] != "" || lines[2][9] != "" {
			t.Errorf("csv %q (%v)", lines, err)
		}
	})
}

// TestReportOwnRows: a curator reads the rows of the clocks charged to
// her, whatever the grouping; the head reads everyone's.
func TestReportOwnRows(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 2) // both with the fixture's curator
		other := s.NewMember(f.Org.ID, "curator2@alpha.test", "curator")
		third := f.addStudent(s, "st-other", other.Email)
		f.at(s, mon(13, 0))
		other.Token = s.Login(other.Email, apptest.Password)
		for i, conv := range []string{f.conversation(s, 0), f.conversation(s, 1), f.conversationWith(s, third)} {
			f.send(s, conv, student("Вопрос", mon(10, i)))
			f.send(s, conv, staff("Ответ", mon(10, 30)))
		}
		mine := f.People["curator"]
		var r struct {
			OnlyCuratorID *string          `json:"only_curator_id"`
			Rows          []map[string]any `json:"rows"`
			Total         map[string]any   `json:"total"`
		}
		for _, groupBy := range []string{"curator", "cohort", "channel", "policy", "day"} {
			s.Do(get, reportPath(f, "report", groupBy), nil, mine.Auth()).Expect(200).Decode(&r)
			if r.Total["answered"] != 2.0 || r.OnlyCuratorID == nil || *r.OnlyCuratorID != mine.UserID {
				t.Errorf("curator by %s: total %v, only %v", groupBy, r.Total, r.OnlyCuratorID)
			}
			s.Do(get, reportPath(f, "report", groupBy), nil, other.Auth()).Expect(200).Decode(&r)
			if r.Total["answered"] != 1.0 {
				t.Errorf("other curator by %s: total %v", groupBy, r.Total)
			}
			r.OnlyCuratorID = nil
			s.Do(get, reportPath(f, "report", groupBy), nil, f.People["head_of_service"].Auth()).Expect(200).Decode(&r)
			if r.Total["answered"] != 3.0 || r.OnlyCuratorID != nil {
				t.Errorf("head by %s: total %v, only %v", groupBy, r.Total, r.OnlyCuratorID)
			}
		}
		s.Do(get, reportPath(f, "report", "curator"), nil, mine.Auth()).Expect(200).Decode(&r)
		if len(r.Rows) != 1 || r.Rows[0]["curator_id"] != mine.UserID {
			t.Errorf("curator's rows %v", r.Rows)
		}
		s.Do(get, reportPath(f, "report", "curator"), nil, f.People["senior_curator"].Auth()).Expect(200).Decode(&r)
		if len(r.Rows) != 2 {
			t.Errorf("senior curator's rows %v", r.Rows)
		}
		lines, err := csv.NewReader(strings.NewReader(string(s.Do(get, reportPath(f, "report/export", "curator"), nil,
			mine.Auth()).Expect(200).Body))).ReadAll()
		if err != nil || len(lines) != 3 || lines[1][0] != mine.UserID || lines[2][6] != "2" {
			t.Errorf("curator's csv %q (%v)", lines, err)
		}
		s.Do(get, reportPath(f, "report", "curator"), nil, f.People["finance"].Auth()).ExpectProblem(403)
	})
}

// TestReportDaysInTheSchoolsZone: a clock on a Yekaterinburg calendar in a
// Moscow school is counted on the school's date, on both databases.
func TestReportDaysInTheSchoolsZone(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 2)
		head := f.People["head_of_service"]
		cal, err := s.Services.School.CreateCalendar(s.Ctx(), f.Org.ID, school.CalendarInput{Name: "Екатеринбург",
			Spec: bizcal.Spec{TimeZone: "Asia/Yekaterinburg", AlwaysOpen: true}})
		if err != nil {
			t.Fatal(err)
		}
		started := time.Date(2026, 4, 21, 20, 33, 59, 0, time.UTC) // 23:33 in Moscow, 01:33 next day in Yekaterinburg
		f.at(s, started.Add(time.Hour))
		head = f.People["head_of_service"]
		s.Do(post, f.Path("/sla/policies"), map[string]any{"name": "Урал", "calendar_id": cal.ID, "priority": 10,
			"first_response_minutes": 120, "next_response_minutes": 120}, head.Auth()).Expect(201)
		f.send(s, f.conversation(s, 0), student("Вопрос поздно вечером", started))
		f.send(s, f.conversation(s, 1), student("Вопрос после полуночи", started.Add(30*time.Minute))) // 00:03 in Moscow
		var r reportBody
		s.Do(get, f.Path("/sla/report?group_by=day&from=2026-04-21T00:00:00Z&to=2026-04-23T00:00:00Z"), nil, head.Auth()).Expect(200).Decode(&r)
		if len(r.Rows) != 2 || r.Rows[0]["day"] != "2026-04-21" || r.Rows[0]["open"] != 1.0 ||
			r.Rows[1]["day"] != "2026-04-22" || r.Rows[1]["open"] != 1.0 {
			t.Errorf("by day: %v", r.Rows)
		}
	})
}

// TestReportSameOnBothDatabases builds the same data on SQLite and on
// PostgreSQL and compares every report byte for byte.
func TestReportSameOnBothDatabases(t *testing.T) {
	if len(testkit.Dialects()) < 2 {
		t.Skip("needs " + testkit.EnvPostgres)
	}
	bodies := map[string][]string{}
	for _, d := range testkit.Dialects() {
		s := apptest.New(t, d)
		f := seedReport(s)
		for _, g := range []string{"curator", "cohort", "channel", "policy", "day"} {
			body := s.Do(http.MethodGet, reportPath(f, "report/export", g), nil, f.People["head_of_service"].Auth()).Expect(200).Body
			// Ids differ between the two databases; the numbers must not.
			text := string(body)
			for _, id := range []string{f.People["curator"].UserID, f.cohortID, f.courseID} {
				text = strings.ReplaceAll(text, id, "ID")
			}
			bodies[d] = append(bodies[d], text)
		}
	}
	if !reflect.DeepEqual(bodies["sqlite"], bodies["postgres"]) {
		t.Errorf("reports differ:\nsqlite   %q\npostgres %q", bodies["sqlite"], bodies["postgres"])
	}
}
