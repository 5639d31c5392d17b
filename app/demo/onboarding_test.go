package demo_test

import (
	"testing"

	"github.com/curatorops/curatorops/app/demo"
	"github.com/curatorops/curatorops/modules/onboarding"
)

// TestDemoOnboarding: the three newcomers the demo hired stand at
// different points of their plans — the one hired last has the least done,
// the first is let start with students — and each can sign in.
func TestDemoOnboarding(t *testing.T) {
	s := seededDemo(t, "sqlite")
	org, err := s.Services.Identity.Org(s.Ctx(), demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	var progress []float64
	for _, email := range []string{"newcomer01@demo.test", "newcomer02@demo.test", "newcomer03@demo.test"} {
		p, err := s.Services.Identity.ActivePersonByEmail(s.Ctx(), org.ID, email)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		plans, err := s.Services.Onboarding.Plans(s.Ctx(), org.ID, onboarding.Reader{SeesAll: true}, onboarding.PlanFilter{UserID: p.UserID, Limit: 1})
		if err != nil || len(plans) != 1 {
			t.Fatalf("%s: %d plans, %v", email, len(plans), err)
		}
		v := plans[0]
		done := 0.0
		if pr := v.Progress(); pr != nil {
			done = *pr
		}
		t.Logf("%s: %.1f %% done, %d overdue, activated %v, unfinished %v", email, done, v.Overdue(), v.ActivatedAt() != nil, v.Unfinished())
		progress = append(progress, done)
		if email == "newcomer03@demo.test" && v.ActivatedAt() == nil {
			t.Errorf("%s should have been let start with students", email)
		}
		if email != "newcomer03@demo.test" && v.ActivatedAt() != nil {
			t.Errorf("%s should still be in onboarding", email)
		}
		s.Login(email, demo.NewcomerPassword)
	}
	if !(progress[0] < progress[1] && progress[1] < progress[2]) {
		t.Errorf("progress %v: each newcomer should be further along than the one hired after her", progress)
	}
}
