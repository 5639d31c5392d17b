package demo_test

import (
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

// checkSeedReplaysHomework: some 1,500 submissions over the demo cohorts,
// in every state that lasts, some overdue, none left waiting in a finished
// cohort, none from a student who had asked for the money back.
func checkSeedReplaysHomework(t *testing.T, s *apptest.Server) {
	total := s.Count("homework_submissions", "")
	if total < 1300 || total > 1800 {
		t.Errorf("%d demo submissions, want about 1,500", total)
	}
	if n := s.Count("homework_submissions", "enrollment_id IN (SELECT id FROM enrollments WHERE status = 'refunded') AND module_id NOT IN "+
		"(SELECT id FROM course_modules WHERE position = 1)"); n > 0 {
		t.Errorf("%d submissions beyond module 1 from students who were refunded", n)
	}
	for _, status := range []string{"queued", "accepted", "rework_requested", "rejected"} {
		if s.Count("homework_submissions", "status = ?", status) == 0 {
			t.Errorf("no %s submissions in the demo", status)
		}
	}
	if s.Count("homework_submissions", "attempt > 1") == 0 {
		t.Error("no resubmissions after rework in the demo")
	}
	if s.Count("homework_submissions", "status IN ('queued', 'in_review') AND due_at < ?", s.Clock.Now()) == 0 {
		t.Error("no overdue submissions in the demo")
	}
	if n := s.Count("homework_submissions", "status IN ('queued', 'in_review') AND cohort_id IN (SELECT id FROM cohorts WHERE status = 'finished')"); n > 0 {
		t.Errorf("%d submissions still wait in finished cohorts", n)
	}
	if s.Count("homework_quality_checks", "") == 0 {
		t.Error("no quality checks in the demo")
	}
}

// checkLaterSeedKeepsTheHistory: the demo is told up to the present hour,
// so a seed days later finds work the first one left waiting reviewed,
// conversations answered, and new work and questions of its own days. It
// adds what time brought, keeps what is recorded, and its queues are as
// fresh as the first seed's. It runs last: it moves the clock days ahead.
func checkLaterSeedKeepsTheHistory(t *testing.T, s *apptest.Server) {
	before := s.Count("homework_submissions", "")
	reviews := s.Count("homework_reviews", "")
	later := s.Clock.Now().Add(72 * time.Hour)
	s.Clock.Set(later)
	if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
		t.Fatalf("seeding three days later: %v", err)
	}
	if added := s.Count("homework_submissions", "") - before; added == 0 || added > 100 {
		t.Errorf("seeding three days later added %d submissions; three days bring a few dozen", added)
	}
	if s.Count("homework_reviews", "") <= reviews {
		t.Error("seeding three days later reviewed nothing of what was waiting")
	}
	checkQueuesAreRecent(t, s)
}
