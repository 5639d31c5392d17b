package homework_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
)

// newcomers stands for the onboarding module: the listed curators still
// have these required items left.
type newcomers map[string][]string

func (n newcomers) Unfinished(_ context.Context, _ bun.IDB, _, userID string) ([]string, error) {
	return n[userID], nil
}

// review claims the submission as the actor and completes it.
func review(s *apptest.Server, f *fixture, id string, who apptest.Actor, verdict string, scores map[string]int) map[string]any {
	s.T.Helper()
	claimed := s.Do(post, f.sc.Path("/homework-submissions/"+id+"/claim"), nil, who.Auth()).Expect(200)
	return s.Do(post, f.sc.Path("/homework-submissions/"+id+"/review"), map[string]any{"verdict": verdict, "scores": scores, "feedback": "Feedback"},
		who.Auth(), etag(claimed)).Expect(200).Map()
}

func TestQualityControl(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 0, "")
		cur := f.sc.People["curator"]
		rookie := s.NewMember(f.sc.Org.ID, "rookie@alpha.test", "curator")
		f.addStudent(t, cur.UserID)
		f.addStudent(t, rookie.UserID)
		// Sample whatever is drawn at 30 % or more: the probation rate, not the default 5 %.
		homework.UseSampler(s.Services.Homework, func(_ string, percent int) bool { return percent >= 30 })
		// The rookie is still in onboarding: the onboarding module says so.
		s.Services.Homework.UseOnboarding(newcomers{rookie.UserID: {"Пять проверок под контролем"}})

		now := s.Clock.Now()
		vetted := review(s, f, f.submit(submission("q-1", 0, 0, now))["id"].(string), cur, "accepted", fullScores())
		rookies := review(s, f, f.submit(submission("q-2", 1, 0, now))["id"].(string), rookie, "accepted", fullScores())
		rejected := review(s, f, f.submit(submission("q-3", 0, 1, now))["id"].(string), cur, "rejected", fullScores())
		low := review(s, f, f.submit(submission("q-4", 0, 2, now))["id"].(string), cur, "accepted", map[string]int{"task": 1, "depth": 1})
		for name, r := range map[string]map[string]any{"vetted": vetted, "rookie": rookies, "rejected": rejected, "low score": low} {
			want := name != "vetted"
			if got := r["review"].(map[string]any)["sampled"]; got != want {
				t.Errorf("%s review sampled=%v, want %v", name, got, want)
			}
		}

		var samples struct{ Items []map[string]any }
		s.Do(get, f.sc.Path("/homework-reviews/sampled"), nil, f.as("senior_curator")).Expect(200).Decode(&samples)
		if len(samples.Items) != 3 {
			t.Fatalf("%d samples, want 3", len(samples.Items))
		}
		s.Do(get, f.sc.Path("/homework-reviews/sampled"), nil, f.as("curator")).ExpectProblem(http.StatusForbidden)

		reviewID := rookies["review"].(map[string]any)["id"].(string)
		submissionID := rookies["submission"].(map[string]any)["id"].(string)
		check := func(reviewID string) string { return f.sc.Path("/homework-reviews/" + reviewID + "/quality-check") }
		scores := map[string]any{"verdict_correct": 2, "feedback_helpful": 3, "tone": 5, "on_time": 4, "overturn_verdict": "rework_requested", "comment": "Too lenient"}
		s.Do(post, check(reviewID), scores, f.as("curator")).ExpectProblem(http.StatusForbidden)
		bad := map[string]any{"verdict_correct": 2, "feedback_helpful": 3, "tone": 6, "on_time": 4}
		s.Do(post, check(reviewID), bad, f.as("senior_curator")).ExpectProblem(422, "body.tone")
		s.Do(post, check("0190a0a0-0000-7000-8000-000000000000"), scores, f.as("senior_curator")).ExpectProblem(http.StatusNotFound)
		got := s.Do(post, check(reviewID), scores, f.as("senior_curator")).Expect(http.StatusCreated).Map()
		if got["score_percent"] != float64(70) || got["overturned_to"] != "rework_requested" || got["curator_id"] != rookie.UserID {
			t.Errorf("quality check %v", got)
		}
		s.Do(post, check(reviewID), scores, f.as("head_of_service")).ExpectProblem(http.StatusConflict)

		sub := s.Do(get, f.sc.Path("/homework-submissions/"+submissionID), nil, f.as("head_of_service")).Expect(200).Map()
		if sub["status"] != "rework_requested" || sub["verdict"] != "rework_requested" {
			t.Errorf("overturned submission %v", sub)
		}
		var history struct{ Items []map[string]any }
		s.Do(get, f.sc.Path("/homework-submissions/"+submissionID+"/reviews"), nil, f.as("head_of_service")).Expect(200).Decode(&history)
		if len(history.Items) != 2 || history.Items[1]["kind"] != "overturn" || history.Items[1]["overturns_review_id"] != reviewID || history.Items[0]["verdict"] != "accepted" {
			t.Errorf("review history %v", history.Items)
		}
		var payloads []json.RawMessage
		if err := s.DB.NewSelect().TableExpr("outbox_events").Column("payload").Where("type = ?", "review.completed").OrderExpr("id").Scan(context.Background(), &payloads); err != nil {
			t.Fatal(err)
		}
		var last homework.CompletedEvent
		_ = json.Unmarshal(payloads[len(payloads)-1], &last)
		if len(payloads) != 5 || !last.Overturned || last.Verdict != "rework_requested" || last.SubmissionExternalID != "q-2" || last.StudentExternalID == nil || *last.StudentExternalID != "st-2" {
			t.Errorf("%d review.completed events, last %+v", len(payloads), last)
		}

		// A second, clean check of another review averages in.
		s.Do(post, check(rejected["review"].(map[string]any)["id"].(string)), map[string]any{"verdict_correct": 5, "feedback_helpful": 5, "tone": 5, "on_time": 5},
			f.as("head_of_service")).Expect(http.StatusCreated)
		month := s.Clock.Now().UTC().Format("2006-01")
		all, err := s.Services.Homework.QualityScores(context.Background(), f.sc.Org.ID, homework.StatsReader{SeesAll: true}, month)
		if err != nil || len(all) != 2 || all[0].CuratorID != cur.UserID || all[0].Score != 100 || all[0].CheckedReviews != 1 ||
			all[1].CuratorID != rookie.UserID || all[1].Score != 70 || all[1].CheckedReviews != 1 {
			t.Errorf("quality scores %+v (%v)", all, err)
		}

		// Over the API: one row per curator with her name and sample, the
		// head sees both, each curator only her own.
		type scoresBody struct {
			Month string
			Items []map[string]any
		}
		var head scoresBody
		s.Do(get, f.sc.Path("/homework-quality-scores?month="+month), nil, f.as("head_of_service")).Expect(200).Decode(&head)
		want := []map[string]any{
			{"curator_id": cur.UserID, "curator_name": "Person curator@alpha.test", "score": float64(100), "checked_reviews": float64(1)},
			{"curator_id": rookie.UserID, "curator_name": "Person rookie@alpha.test", "score": float64(70), "checked_reviews": float64(1)},
		}
		if head.Month != month || fmt.Sprint(head.Items) != fmt.Sprint(want) {
			t.Errorf("quality scores over the API %+v, want %v", head, want)
		}
		var own scoresBody
		s.Do(get, f.sc.Path("/homework-quality-scores?month="+month), nil, rookie.Auth()).Expect(200).Decode(&own)
		if fmt.Sprint(own.Items) != fmt.Sprint(want[1:]) {
			t.Errorf("a curator sees her own score only: %v", own.Items)
		}
		stranger := s.NewMember(f.sc.Org.ID, "stranger@alpha.test", "curator")
		s.Do(get, f.sc.Path("/homework-quality-scores?month="+month), nil, stranger.Auth()).Expect(200).Decode(&own)
		if len(own.Items) != 0 {
			t.Errorf("a curator without checked reviews sees %v", own.Items)
		}
		s.Do(get, f.sc.Path("/homework-quality-scores?month=March"), nil, f.as("head_of_service")).ExpectProblem(422, "query.month")
		for _, role := range []string{"finance", "hr", "integration"} {
			s.Do(get, f.sc.Path("/homework-quality-scores?month="+month), nil, f.as(role)).ExpectProblem(http.StatusForbidden)
		}
	})
}

func TestHashSampler(t *testing.T) {
	picked := 0
	for i := 0; i < 20000; i++ {
		id := fmt.Sprintf("review-%d", i)
		if homework.HashSampler(id, 0) || !homework.HashSampler(id, 100) {
			t.Fatal("0 % picks nothing and 100 % everything")
		}
		if homework.HashSampler(id, 5) != homework.HashSampler(id, 5) {
			t.Fatal("the choice must be fixed per review")
		}
		if homework.HashSampler(id, 5) {
			picked++
		}
	}
	if picked < 800 || picked > 1200 {
		t.Errorf("5 %% of 20000 picked %d", picked)
	}
}
