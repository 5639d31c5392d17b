package demo_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

// TestDemoQuality: the demo tells a month of conversation quality control:
// one chat scorecard, a sample drawn every day of the month and reviewed
// across curators (nobody reviewing her own), one dispute
// settled by a revision, one calibration round scored by two reviewers;
// the head reads the month's scores and seeding again adds nothing.
func TestDemoQuality(t *testing.T) {
	eachSeededDemo(t, func(t *testing.T, s *apptest.Server) {
		if n := s.Count("quality_scorecards", "name = ?", "Чаты со студентами"); n != 1 {
			t.Errorf("%d chat scorecards, want 1", n)
		}
		if n := s.Count("quality_sample_runs", ""); n < 28 {
			t.Errorf("%d sampled days, want about a month", n)
		}
		if n := s.Count("quality_assignments", "reviewer_id = curator_id"); n != 0 {
			t.Errorf("%d conversations handed to their own curator", n)
		}
		distinct := func(expr, where string) int {
			var n int
			if err := s.DB.NewSelect().TableExpr("quality_reviews").ColumnExpr("COUNT(DISTINCT "+expr+")").Where(where).
				Scan(context.Background(), &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		sampled := "kind = 'review' AND calibration_id IS NULL"
		if n := s.Count("quality_reviews", sampled); n < 30 {
			t.Errorf("%d sampled reviews, want a month's worth", n)
		}
		if n := distinct("curator_id", sampled); n < 3 {
			t.Errorf("reviews cover %d curators, want several", n)
		}
		if n := distinct("day", sampled); n < 15 {
			t.Errorf("reviews cover %d days, want most of the month", n)
		}
		if d, st := s.Count("quality_responses", "kind = 'disputed'"), s.Count("quality_settlements", ""); d != 1 || st != 1 {
			t.Errorf("%d disputes and %d settlements, want one of each", d, st)
		}
		if n := s.Count("quality_reviews", "kind = 'revision'"); n != 1 {
			t.Errorf("%d revising reviews, want the settled dispute's one", n)
		}
		if n := s.Count("quality_calibrations", ""); n != 1 {
			t.Errorf("%d calibration rounds, want 1", n)
		}
		if n := distinct("reviewer_id", "calibration_id IS NOT NULL"); n < 2 {
			t.Errorf("the calibration round was scored by %d reviewers, want at least two", n)
		}

		head := s.Login("head@demo.test", demo.Password)
		var scores struct {
			Items []struct {
				Reviews int `json:"reviews"`
			} `json:"items"`
		}
		month := s.Clock.Now().AddDate(0, 0, -3).Format("2006-01")
		s.Do(http.MethodGet, "/v1/orgs/demo/quality/scores?month="+month, nil, apptest.Bearer(head)).Expect(http.StatusOK).Decode(&scores)
		withSample := 0
		for _, row := range scores.Items {
			if row.Reviews > 0 {
				withSample++
			}
		}
		if withSample < 3 {
			t.Errorf("%d curators have reviewed conversations in %s, want several", withSample, month)
		}

		reviews := s.Count("quality_reviews", "")
		if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
			t.Fatal(err)
		}
		if n := s.Count("quality_reviews", ""); n != reviews {
			t.Errorf("seeding again made %d reviews of %d", n, reviews)
		}
	})
}
