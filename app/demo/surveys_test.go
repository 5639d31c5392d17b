package demo_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
	"github.com/curatorops/curatorops/modules/scorecard"
)

// TestDemoSurveysTellTheStory seeds the demo school and reads its
// scorecard by cohort as the head of service would: the earliest cohort,
// before the curator service was rebuilt, at a CSI near 58 %, the latest
// near 95 % with an NPS of 95 or more; seeding again adds no answer.
func TestDemoSurveysTellTheStory(t *testing.T) {
	eachSeededDemo(t, func(t *testing.T, s *apptest.Server) {
		now := demoAt
		answers := s.Count("survey_answers", "")
		if answers == 0 {
			t.Fatal("the demo has no survey answers")
		}
		token := s.Login("head@demo.test", demo.Password)
		q := url.Values{"from": {now.AddDate(-1, 0, 0).Format(time.RFC3339)}, "to": {now.Add(time.Hour).Format(time.RFC3339)}, "breakdown": {"cohort"}}
		var sc scorecard.Scorecard
		s.Do(http.MethodGet, "/v1/orgs/"+demo.Slug+"/metrics/scorecard?"+q.Encode(), nil, apptest.Bearer(token)).Expect(http.StatusOK).Decode(&sc)
		byName := map[string]scorecard.Figures{}
		for _, r := range sc.Rows {
			if r.CohortName != nil {
				byName[*r.CohortName] = r.Period
			}
		}
		earliest, latest := byName["Психология отношений — поток 10"], byName["Практическая психология — поток 8"]
		if earliest.CSI == nil || latest.CSI == nil || earliest.CSI.Percent == nil || latest.CSI.Percent == nil {
			t.Fatalf("CSI by cohort: %+v", sc.Rows)
		}
		if p := *earliest.CSI.Percent; p < 55 || p > 61 {
			t.Errorf("the earliest cohort's CSI is %.1f %%, want about 58 %%", p)
		}
		if p := *latest.CSI.Percent; p < 93 || p > 97 {
			t.Errorf("the latest cohort's CSI is %.1f %%, want about 95 %%", p)
		}
		if n := latest.NPS.Score; n == nil || *n < 95 || *n > 98 {
			t.Errorf("the latest cohort's NPS is %v, want 95–98", n)
		}
		if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
			t.Fatal(err)
		}
		if got := s.Count("survey_answers", ""); got != answers {
			t.Errorf("seeding again: %d answers, %d before", got, answers)
		}
	})
}
