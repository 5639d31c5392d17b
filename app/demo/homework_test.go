package demo_test

import (
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

// checkSeedReplaysHomework: a few thousand submissions over the demo
// cohorts, in every state that lasts, some overdue, none left waiting in a
// finished cohort.
func checkSeedReplaysHomework(t *testing.T, s *apptest.Server) {
	total := s.Count("homework_submissions", "")
	if total < 2800 || total > 3500 {
		t.Errorf("%d demo submissions, want about 3,000", total)
	}
	for _, status := range []string{"queued", "accepted", "rework_requested", "rejected"} {
		if s.Count("homework_submissions", "status = ?", status) == 0 {
			t.Errorf("no %s submissions in the demo", status)
		}
	}
	if s.Count("homework_submissions", "attempt > 1") == 0 {
		t.Error("no resubmissions after rework in the demo")
	}
	if s.Count("homework_submissions", "status IN ('queued', 'in_review') AND due_at < ?", time.Now()) == 0 {
		t.Error("no overdue submissions in the demo")
	}
	if n := s.Count("homework_submissions", "status IN ('queued', 'in_review') AND cohort_id IN (SELECT id FROM cohorts WHERE status = 'finished')"); n > 0 {
		t.Errorf("%d submissions still wait in finished cohorts", n)
	}
	if s.Count("homework_quality_checks", "") == 0 {
		t.Error("no quality checks in the demo")
	}
}

// checkLaterSeedKeepsTheHistory: the demo is replayed up to the current
// hour, so a seed days later plans verdicts on work the first one left
// waiting, and resubmissions after them. It adds what time brought and
// keeps what is recorded. It runs last: it writes work dated days ahead.
func checkLaterSeedKeepsTheHistory(t *testing.T, s *apptest.Server) {
	org, err := s.Services.Identity.Org(s.Ctx(), demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	before := s.Count("homework_submissions", "")
	later := time.Now().UTC().Truncate(time.Hour).Add(72 * time.Hour)
	if err := demo.ReplayHomework(s.Ctx(), s.Services, org.ID, later); err != nil {
		t.Fatalf("seeding three days later: %v", err)
	}
	if added := s.Count("homework_submissions", "") - before; added > 200 {
		t.Errorf("seeding three days later added %d submissions; three days bring far fewer", added)
	}
}
