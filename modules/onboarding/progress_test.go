package onboarding_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/onboarding"
)

// checks stands for the review queue: the quality checks of each
// curator's reviews.
type checks map[string][]onboarding.QualityCheck

func (c checks) QualityChecks(_ context.Context, _, curatorID string, since time.Time) ([]onboarding.QualityCheck, error) {
	var out []onboarding.QualityCheck
	for _, q := range c[curatorID] {
		if !q.CheckedAt.Before(since) {
			out = append(out, q)
		}
	}
	return out, nil
}

// TestSupervisedReviewsAndThePass: supervised reviews complete when the
// n-th check that upheld the verdict with at least the pass mark was
// made; the background pass records that completion with the check's
// time, the activation it leads to, and one reminder per overdue item.
func TestSupervisedReviewsAndThePass(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		hr := alpha.People["hr"]
		s.Do(post, alpha.Path("/onboarding-templates"), map[string]any{"role": "curator", "title": "Адаптация", "items": []map[string]any{
			{"key": "supervised", "title": "Две проверки под контролем", "kind": "supervised_reviews", "assignee": "newcomer", "day_offset": 10,
				"weight": 60, "required": true, "review_count": 2, "min_quality_percent": 80},
			{"key": "profile", "title": "Заполнить профиль", "kind": "task", "assignee": "newcomer", "day_offset": 0, "weight": 40},
		}}, hr.Auth()).Expect(201)
		newcomer := s.NewMember(alpha.Org.ID, "newcomer@alpha.test", "curator")
		start := s.Clock.Now().UTC().Truncate(24 * time.Hour)
		var p plan
		s.Do(post, alpha.Path("/onboarding-plans"), map[string]any{"user_id": newcomer.UserID, "start_date": start.Format(time.DateOnly)}, hr.Auth()).
			Expect(201).Decode(&p)

		at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
		fake := checks{newcomer.UserID: {
			{CheckedAt: at(-30), ScorePercent: 100},                 // before the start: not counted
			{CheckedAt: at(26), ScorePercent: 80},                   // passes (the pass mark itself)
			{CheckedAt: at(27), ScorePercent: 95, Overturned: true}, // the verdict was overturned
			{CheckedAt: at(28), ScorePercent: 75},                   // below the pass mark
			{CheckedAt: at(50), ScorePercent: 100},                  // the second pass
			{CheckedAt: at(51), ScorePercent: 100},                  // one more changes nothing
		}}
		s.Services.Onboarding.UseReviews(fake)
		s.Clock.Set(at(60))
		hr.Token = s.Login(hr.Email, apptest.Password)
		s.Do(get, alpha.Path("/onboarding-plans/"+p.ID), nil, hr.Auth()).Expect(200).Decode(&p)
		sup := p.item("supervised")
		if sup.Status != "done" || !sup.DoneAt.Equal(at(50)) || *sup.ReviewsPassed != 3 || *sup.Source != "homework" {
			t.Fatalf("supervised reviews: %+v", sup)
		}
		// Required work is done as of the second pass; the optional task is overdue.
		if p.Status != "active" || !p.ActivatedAt.Equal(at(50)) || p.OverdueItems != 1 || p.WeightDone != 60 || *p.ProgressPercent != 60 {
			t.Fatalf("plan: %+v", p)
		}
		if got, err := s.Services.Onboarding.Newcomers(s.Ctx(), alpha.Org.ID); err != nil || len(got) != 0 {
			t.Fatalf("newcomers %v (%v), want none: the required items are done", got, err)
		}

		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		res, err := s.Services.Onboarding.RunOnce(s.Ctx(), quiet)
		if err != nil || res.Reminders != 1 || res.Failed != 0 {
			t.Fatalf("first pass: %+v, %v", res, err)
		}
		if res, err = s.Services.Onboarding.RunOnce(s.Ctx(), quiet); err != nil || res.Reminders != 0 {
			t.Fatalf("second pass: %+v, %v", res, err)
		}
		if n := s.Count("outbox_events", "type = ?", onboarding.EventItemOverdue); n != 1 {
			t.Fatalf("%d onboarding.item_overdue events, want 1", n)
		}
		var stored struct {
			ActivatedAt time.Time `bun:"activated_at"`
			Activation  string    `bun:"activation"`
		}
		if err := s.DB.NewSelect().TableExpr("onboarding_plans").Column("activated_at", "activation").Where("id = ?", p.ID).Scan(s.Ctx(), &stored); err != nil {
			t.Fatal(err)
		}
		if !stored.ActivatedAt.Equal(at(50)) || stored.Activation != "completed" {
			t.Fatalf("recorded activation %+v, want completed at %v", stored, at(50))
		}
		var doneAt time.Time
		if err := s.DB.NewSelect().TableExpr("onboarding_completions").Column("done_at").Where("item_id = ?", sup.ID).Scan(s.Ctx(), &doneAt); err != nil {
			t.Fatal(err)
		}
		if !doneAt.Equal(at(50)) {
			t.Fatalf("recorded completion at %v, want the second pass at %v", doneAt, at(50))
		}
	})
}

// TestOnboardingDuration: the figure over a hand-computed fixture, and
// null figures without plans.
func TestOnboardingDuration(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		hr, head := alpha.People["hr"], alpha.People["head_of_service"]
		s.Do(post, alpha.Path("/onboarding-templates"), map[string]any{"role": "curator", "title": "Адаптация", "items": []map[string]any{
			{"key": "contract", "title": "Подписать договор", "kind": "sign_document", "assignee": "hr", "day_offset": 0, "weight": 1, "required": true},
		}}, hr.Auth()).Expect(201)
		start := s.Clock.Now().UTC().Truncate(24 * time.Hour)
		window := func(from, to time.Time) string {
			return alpha.Path("/onboarding-metrics/duration?from=" + from.Format(time.RFC3339) + "&to=" + to.Format(time.RFC3339))
		}
		path := window(start, start.AddDate(0, 0, 30))
		var d struct {
			Plans      int
			Early      int
			MedianDays *float64 `json:"median_days"`
			MeanDays   *float64 `json:"mean_days"`
			MaxDays    *float64 `json:"max_days"`
			TotalDays  float64  `json:"total_days"`
		}
		s.Do(get, path, nil, head.Auth()).Expect(200).Decode(&d)
		if d.Plans != 0 || d.MedianDays != nil || d.MeanDays != nil {
			t.Fatalf("without plans: %+v", d)
		}
		s.Do(get, path, nil, alpha.People["curator"].Auth()).ExpectProblem(403)
		s.Do(get, window(start.AddDate(0, 0, 30), start), nil, head.Auth()).ExpectProblem(422)

		// Three newcomers starting on the same day: the contract signed
		// after 2 days 12 hours, after 5 days, and an early activation
		// after 10 days. People sign in again as the days pass.
		now := s.Clock.Now()
		var plans []plan
		for i := range 3 {
			who := s.NewMember(alpha.Org.ID, "n"+string(rune('1'+i))+"@alpha.test", "curator")
			var p plan
			s.Do(post, alpha.Path("/onboarding-plans"), map[string]any{"user_id": who.UserID, "start_date": start.Format(time.DateOnly)}, hr.Auth()).Expect(201).Decode(&p)
			plans = append(plans, p)
		}
		for i, after := range []time.Duration{60 * time.Hour, 120 * time.Hour, 240 * time.Hour} {
			p := plans[i]
			s.Clock.Set(start.Add(after))
			hr.Token, head.Token = s.Login(hr.Email, apptest.Password), s.Login(head.Email, apptest.Password)
			if i < 2 {
				s.Do(post, alpha.Path("/onboarding-plans/"+p.ID+"/items/"+p.item("contract").ID+"/complete"), nil, hr.Auth()).Expect(200)
			} else {
				s.Do(post, alpha.Path("/onboarding-plans/"+p.ID+"/activate"), map[string]any{"reason": "Срочный набор"}, head.Auth(), ifMatch(p.Version)).Expect(200)
			}
		}
		if start.Add(60 * time.Hour).Before(now) {
			t.Fatalf("the test clock starts late in its day (%v): the first activation would precede it", now)
		}
		s.Do(get, path, nil, head.Auth()).Expect(200).Decode(&d)
		// Days 2.5, 5 and 10: median 5, mean 17.5 / 3 = 5.8, maximum 10.
		if d.Plans != 3 || d.Early != 1 || *d.MedianDays != 5 || *d.MeanDays != 5.8 || *d.MaxDays != 10 || d.TotalDays != 17.5 {
			t.Fatalf("duration: %+v", d)
		}
	})
}
