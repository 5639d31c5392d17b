package quality_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

type reviewDTO struct {
	ID                string   `json:"id"`
	CuratorID         string   `json:"curator_id"`
	Kind              string   `json:"kind"`
	Status            string   `json:"status"`
	ScorecardNumber   int      `json:"scorecard_number"`
	ScorePercent      *float64 `json:"score_percent"`
	EarnedPoints      float64  `json:"earned_points"`
	PossiblePoints    float64  `json:"possible_points"`
	RevisedByReviewID *string  `json:"revised_by_review_id"`
	Scores            []struct {
		Key            string  `json:"key"`
		Value          *int    `json:"value"`
		QuoteMessageID *string `json:"quote_message_id"`
	} `json:"scores"`
}

type reviewDetail struct {
	Review       reviewDTO `json:"review"`
	Conversation struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
		Clocks []struct {
			Breached bool `json:"breached"`
		} `json:"clocks"`
	} `json:"conversation"`
}

// pick hands reviewer the conversation by hand and returns the assignment.
func (f *fixture) pick(t *testing.T, reviewer, conv string) string {
	t.Helper()
	return f.do(reviewer, post, "/quality/assignments", map[string]any{"conversation_id": conv}).Expect(201).Map()["id"].(string)
}

func (f *fixture) review(t *testing.T, reviewer, assignment string, body map[string]any) reviewDetail {
	t.Helper()
	var out reviewDetail
	f.do(reviewer, post, "/quality/assignments/"+assignment+"/review", body).Expect(201).Decode(&out)
	return out
}

func near(a *float64, want float64) bool { return a != nil && math.Abs(*a-want) < 1e-9 }

// The hand computation. Weights: greeting 10 (yes/no), answered 30 (1–5),
// tone 20 (1–5), promises 40 (yes/no, may be not applicable). A criterion
// earns weight × value on 0–1 (yes 1, no 0, rating (v−1)/4).
//
//	A (curator):  yes, 4, 5, n/a → (10 + 22.5 + 20) / 60          = 87.5
//	B (curator):  no, 2, 3, yes  → (0 + 7.5 + 10 + 40) / 100       = 57.5
//	B revised:    yes, 3, 3, yes → (10 + 15 + 10 + 40) / 100       = 75
//	C (curator2): yes, 5, 5, yes → 100
//
// The curator's score is the mean over her conversations, the revision
// replacing B: (87.5 + 75) / 2 = 81.25 → 81.3 on 2 reviews. Calibration
// reviews of A count for nobody.
func TestQualityScoreMatchesTheHandComputation(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "scores", 3)
		f.signIn(t, time.Date(2026, 3, 3, 10, 0, 0, 0, msk))
		convA, replyA := f.talk(t, 0, "curator", at(10, 0), at(10, 10))
		convB, _ := f.talk(t, 1, "curator", at(11, 0), at(12, 0))
		convC, _ := f.talk(t, 2, "curator2", at(12, 0), at(12, 5))
		card := f.do("head_of_service", post, "/quality/scorecards", chatScorecard()).Expect(201).Map()

		a := f.pick(t, "senior_curator", convA)
		b := f.pick(t, "senior_curator", convB)
		c := f.pick(t, "senior2", convC)
		bodyA := map[string]any{"scores": scores(v(1), v(4), v(5), nil), "comment": "Хороший ответ"}
		bodyA["scores"].([]map[string]any)[1]["quote_message_id"] = replyA
		rA := f.review(t, "senior_curator", a, bodyA)
		if !near(rA.Review.ScorePercent, 87.5) || rA.Review.PossiblePoints != 60 || rA.Review.EarnedPoints != 52.5 {
			t.Fatalf("review A = %+v, want 52.5 of 60 = 87.5", rA.Review)
		}
		if len(rA.Conversation.Messages) != 2 || len(rA.Conversation.Clocks) != 1 || rA.Review.ScorecardNumber != 1 {
			t.Fatalf("review A shows %d messages, %d clocks, version %d", len(rA.Conversation.Messages), len(rA.Conversation.Clocks),
				rA.Review.ScorecardNumber)
		}
		rB := f.review(t, "senior_curator", b, map[string]any{"scores": scores(v(0), v(2), v(3), v(1))})
		if !near(rB.Review.ScorePercent, 57.5) || !rB.Conversation.Clocks[0].Breached {
			t.Fatalf("review B = %+v, want 57.5 on a breached clock", rB.Review)
		}
		f.review(t, "senior2", c, map[string]any{"scores": scores(v(1), v(5), v(5), v(1))})
		f.do("senior_curator", post, "/quality/assignments/"+a+"/review", bodyA).ExpectProblem(409)

		// The curator answers each review once; the head settles the dispute.
		f.do("curator", post, "/quality/reviews/"+rA.Review.ID+"/response", map[string]any{"kind": "acknowledged"}).Expect(201)
		f.do("curator", post, "/quality/reviews/"+rA.Review.ID+"/response", map[string]any{"kind": "disputed", "comment": "Нет"}).ExpectProblem(409)
		f.do("curator", post, "/quality/reviews/"+rB.Review.ID+"/response", map[string]any{"kind": "disputed"}).ExpectProblem(422, "body.comment")
		f.do("curator", post, "/quality/reviews/"+rB.Review.ID+"/response",
			map[string]any{"kind": "disputed", "comment": "Студент сам попросил ответить позже"}).Expect(201)
		f.do("head_of_service", post, "/quality/reviews/"+rA.Review.ID+"/settlement", map[string]any{"outcome": "upheld"}).ExpectProblem(409)
		var settled reviewDetail
		f.do("head_of_service", post, "/quality/reviews/"+rB.Review.ID+"/settlement", map[string]any{"outcome": "revised",
			"comment": "Задержка согласована", "scores": scores(v(1), v(3), v(3), v(1))}).Expect(201).Decode(&settled)
		if settled.Review.Status != "revised" || settled.Review.RevisedByReviewID == nil || !near(settled.Review.ScorePercent, 57.5) {
			t.Fatalf("settled review = %+v: it must stay as it was and name its revision", settled.Review)
		}
		var revision reviewDetail
		f.do("head_of_service", get, "/quality/reviews/"+*settled.Review.RevisedByReviewID, nil).Expect(200).Decode(&revision)
		if revision.Review.Kind != "revision" || !near(revision.Review.ScorePercent, 75) {
			t.Fatalf("revision = %+v, want 75", revision.Review)
		}
		f.do("head_of_service", post, "/quality/reviews/"+rB.Review.ID+"/settlement", map[string]any{"outcome": "upheld"}).ExpectProblem(409)

		// A calibration round on A: its reviews do not count.
		var cal struct {
			Calibration struct {
				ID string `json:"id"`
			} `json:"calibration"`
			Assignments []struct {
				ID         string `json:"id"`
				ReviewerID string `json:"reviewer_id"`
			} `json:"assignments"`
		}
		f.do("head_of_service", post, "/quality/calibrations", map[string]any{"conversation_id": convA,
			"reviewer_ids": []string{f.People["senior2"].UserID, f.People["head_of_service"].UserID}}).Expect(201).Decode(&cal)
		for _, as := range cal.Assignments {
			who := "senior2"
			values := scores(v(1), v(5), v(5), v(1))
			if as.ReviewerID == f.People["head_of_service"].UserID {
				who, values = "head_of_service", scores(v(0), v(3), v(4), nil)
			}
			f.review(t, who, as.ID, map[string]any{"scores": values})
		}
		var spread struct {
			Criteria []struct {
				Key           string   `json:"key"`
				Scored        int      `json:"scored"`
				NotApplicable int      `json:"not_applicable"`
				Spread        *float64 `json:"spread"`
			} `json:"criteria"`
			Overall struct {
				Spread *float64 `json:"spread"`
			} `json:"overall"`
		}
		f.do("senior_curator", get, "/quality/calibrations/"+cal.Calibration.ID, nil).Expect(200).Decode(&spread)
		want := map[string]float64{"greeting": 100, "answered": 50, "tone": 25, "promises": 0}
		for _, c := range spread.Criteria {
			if !near(c.Spread, want[c.Key]) {
				t.Fatalf("criterion %s spread = %v, want %v", c.Key, c.Spread, want[c.Key])
			}
		}
		// head: (0 + 15 + 15) / 60 = 50; senior2: 100.
		if !near(spread.Overall.Spread, 50) || spread.Criteria[3].Scored != 1 || spread.Criteria[3].NotApplicable != 1 {
			t.Fatalf("overall spread = %v, promises %+v", spread.Overall.Spread, spread.Criteria[3])
		}
		f.do("curator", get, "/quality/calibrations/"+cal.Calibration.ID, nil).ExpectProblem(403)

		// The month's scores, through the API and through CuratorScores.
		var month struct {
			Items []struct {
				CuratorID  string   `json:"curator_id"`
				Score      *float64 `json:"score"`
				Reviews    int      `json:"reviews"`
				PercentSum float64  `json:"percent_sum"`
			} `json:"items"`
		}
		f.do("head_of_service", get, "/quality/scores?month=2026-03", nil).Expect(200).Decode(&month)
		got := map[string][2]float64{}
		for _, it := range month.Items {
			if it.Score == nil {
				t.Fatalf("row %+v has no score", it)
			}
			got[it.CuratorID] = [2]float64{*it.Score, float64(it.Reviews)}
		}
		if got[f.People["curator"].UserID] != [2]float64{81.3, 2} || got[f.People["curator2"].UserID] != [2]float64{100, 1} || len(got) != 2 {
			t.Fatalf("scores = %v, want curator 81.3 on 2 and curator2 100 on 1", got)
		}
		direct, err := s.Services.Quality.CuratorScores(context.Background(), f.Org.ID, at(0, 0), at(0, 0).AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(direct) != 2 || direct[0].Reviews+direct[1].Reviews != 3 {
			t.Fatalf("CuratorScores = %+v", direct)
		}
		for _, d := range direct {
			if d.CuratorID == f.People["curator"].UserID && (d.PercentSum != 162.5 || !near(d.Score, 81.3)) {
				t.Fatalf("curator's CuratorScore = %+v, want 162.5 / 2", d)
			}
		}
		var own struct {
			Items []struct {
				CuratorID string `json:"curator_id"`
			} `json:"items"`
		}
		f.do("curator", get, "/quality/scores?month=2026-03", nil).Expect(200).Decode(&own)
		if len(own.Items) != 1 || own.Items[0].CuratorID != f.People["curator"].UserID {
			t.Fatalf("a curator sees %+v, want her own row only", own.Items)
		}
		f.do("head_of_service", get, "/quality/scores?month=2026-13", nil).ExpectProblem(422, "query.month")

		// Coaching: answered 62.5, tone 75, then greeting and promises at 100.
		var coaching struct {
			Reviews  int `json:"reviews"`
			Criteria []struct {
				Key     string  `json:"key"`
				Percent float64 `json:"percent"`
			} `json:"criteria"`
		}
		f.do("curator", get, "/quality/coaching", nil).Expect(200).Decode(&coaching)
		keys := []string{}
		for _, c := range coaching.Criteria {
			keys = append(keys, c.Key)
		}
		if coaching.Reviews != 2 || !slices.Equal(keys, []string{"answered", "tone", "greeting"}) || coaching.Criteria[0].Percent != 62.5 {
			t.Fatalf("coaching = %+v", coaching)
		}
		f.do("curator", get, "/quality/coaching?curator_id="+f.People["curator2"].UserID, nil).ExpectProblem(403)
		f.do("senior_curator", get, "/quality/coaching?curator_id="+f.People["curator2"].UserID, nil).Expect(200)

		// A new scorecard version leaves written reviews on theirs.
		id := card["id"].(string)
		draft := f.do("head_of_service", post, "/quality/scorecards/"+id+"/versions", map[string]any{"criteria": []map[string]any{
			{"key": "greeting", "title": "Приветствие", "kind": "yes_no", "weight": 50},
			{"key": "next_step", "title": "Следующий шаг", "kind": "yes_no", "weight": 50}}}).Expect(201).Map()
		activate := "/quality/scorecards/" + id + "/versions/" + draft["id"].(string) + "/activate"
		f.do("head_of_service", post, activate, nil).ExpectProblem(428)
		f.do("head_of_service", post, activate, nil, apptest.Header("If-Match", `"7"`)).ExpectProblem(412)
		f.do("head_of_service", post, activate, nil, apptest.Header("If-Match", `"1"`)).Expect(200)
		f.do("head_of_service", post, activate, nil, apptest.Header("If-Match", `"2"`)).ExpectProblem(409)
		var again reviewDetail
		f.do("curator", get, "/quality/reviews/"+rA.Review.ID, nil).Expect(200).Decode(&again)
		if again.Review.ScorecardNumber != 1 || len(again.Review.Scores) != 4 || again.Review.Status != "acknowledged" {
			t.Fatalf("review A after v2 = %+v", again.Review)
		}
	})
}
