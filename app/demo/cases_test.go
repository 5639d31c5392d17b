package demo_test

import (
	"testing"

	"github.com/curatorops/curatorops/app/demo"
	"github.com/curatorops/curatorops/modules/cases"
)

// TestDemoCases: the demo's case collection tells the story of the
// reference school — a handful of cases in the oldest cohorts, close to
// the targets in flow 12 — with every status, a withdrawn consent and a
// minor's case under a guardian's consent; seeding again adds nothing.
func TestDemoCases(t *testing.T) {
	s := seededDemo(t, "sqlite")
	org, err := s.Services.Identity.Org(s.Ctx(), demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Services.Cases.CohortCounts(s.Ctx(), org.ID, "", cases.Viewer{SeesAll: true})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]cases.Counts{}
	for _, r := range rows {
		byName[r.Cohort.Name] = r.Counts
	}
	for name, want := range map[string][2]int{ // reviews, videos
		"Психология отношений — поток 10":   {4, 1},
		"Практическая психология — поток 7": {5, 1},
		"Психология отношений — поток 12":   {99, 11},
	} {
		got := byName[name]
		if got.Reviews < want[0]-1 || got.Reviews > want[0]+1 || got.Videos != want[1] {
			t.Errorf("%s: %d reviews, %d videos; want about %d and %d", name, got.Reviews, got.Videos, want[0], want[1])
		}
	}
	for _, status := range cases.SubmissionStatuses {
		if s.Count("case_submissions", "org_id = ? AND status = ?", org.ID, status) == 0 {
			t.Errorf("no %s case in the demo", status)
		}
	}
	for _, status := range []string{cases.RequestSubmitted, cases.RequestDeclined, cases.RequestOptedOut, cases.RequestExpired, cases.RequestSent} {
		if s.Count("case_requests", "org_id = ? AND status = ?", org.ID, status) == 0 {
			t.Errorf("no %s request in the demo", status)
		}
	}
	if s.Count("case_consents", "org_id = ? AND action = 'withdrawn'", org.ID) != 1 {
		t.Error("the demo needs one withdrawn consent")
	}
	if s.Count("case_consents", "org_id = ? AND given_by = 'guardian' AND guardian_name IS NOT NULL", org.ID) == 0 {
		t.Error("the demo needs a minor's case with a guardian's consent")
	}
	if n := s.Count("case_submissions", "submitted_at > ?", s.Clock.Now()); n > 0 {
		t.Errorf("%d cases submitted in the future", n)
	}
	before := s.Count("case_requests", "") + s.Count("case_submissions", "") + s.Count("case_consents", "")
	if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
		t.Fatal(err)
	}
	if after := s.Count("case_requests", "") + s.Count("case_submissions", "") + s.Count("case_consents", ""); after != before {
		t.Fatalf("seeding again wrote %d case rows", after-before)
	}
}
