package sla_test

import (
	"encoding/csv"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// seedReport answers eleven questions after 10, 20 … 100 and 150 minutes,
// leaves one unanswered past due and dismisses one.
func seedReport(s *apptest.Server) *fixture {
	f := newFixture(s, "alpha", 13)
	f.at(s, mon(9, 0))
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
		if len(r.Rows) != 1 || r.Rows[0]["key"] != "2026-03-16" {
			t.Errorf("by day: %v", r.Rows)
		}
		s.Do(get, reportPath(f, "report", "curator"), nil, head.Auth()).Expect(200).Decode(&r)
		if len(r.Rows) != 1 || r.Rows[0]["key"] != f.People["curator"].UserID || r.Rows[0]["items"] != 12.0 {
			t.Errorf("by curator: %v", r.Rows)
		}

		res := s.Do(get, reportPath(f, "report/export", "channel"), nil, head.Auth()).Expect(200)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("content type %q", ct)
		}
		lines, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil || len(lines) != 3 || lines[1][0] != "telegram" || lines[2][0] != "total" || lines[2][4] != "83.33" || lines[2][10] != "150" {
			t.Errorf("csv %q (%v)", lines, err)
		}

		s.Do(get, reportPath(f, "report", "curator"), nil, f.People["curator"].Auth()).ExpectProblem(403)
		s.Do(get, reportPath(f, "report", "mood"), nil, head.Auth()).ExpectProblem(422, "query.group_by")
		s.Do(get, f.Path("/sla/report?from=2026-03-16T00:00:00Z&to=2026-03-15T00:00:00Z"), nil, head.Auth()).ExpectProblem(422, "query.to")
		beta := s.NewSchool("beta")
		s.Do(get, reportPath(f, "report", "day"), nil, beta.People["head_of_service"].Auth()).ExpectProblem(404)
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
			for _, id := range []string{f.People["curator"].UserID, f.cohortID} {
				text = strings.ReplaceAll(text, id, "ID")
			}
			bodies[d] = append(bodies[d], text)
		}
	}
	if !reflect.DeepEqual(bodies["sqlite"], bodies["postgres"]) {
		t.Errorf("reports differ:\nsqlite   %q\npostgres %q", bodies["sqlite"], bodies["postgres"])
	}
}
