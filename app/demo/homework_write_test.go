package demo

import (
	"fmt"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
)

// TestHomeworkWriterWritesWhatTheServiceWould replays part of the demo's
// homework twice on one school: once with the bulk writer and once through
// the homework service — submit, claim, review and quality check, each in
// its own transaction, as the LMS and the curators would — and compares
// every row both leave: submissions, reviews, quality checks, audit entries
// and outbox events, with the ids each run made replaced by stable names.
func TestHomeworkWriterWritesWhatTheServiceWould(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		now := time.Now().UTC().Truncate(time.Hour)
		s.Clock.Set(now)
		r := seededSchool(t, s, now)
		plan := samplePlan(t, r)
		// Every sampled review is checked and every checked rejection
		// overturned, so that the replay takes every path of the writer.
		policy := checkPolicy{
			chosen: func(*homework.Review) bool { return true },
			assess: func(rev *homework.Review, checkers []string) (string, homework.QualityInput) {
				checker, in := demoQualityCheck(rev, checkers)
				if rev.Verdict == homework.StatusRejected {
					verdict := homework.StatusReworkRequested
					in.Overturn = &verdict
				}
				return checker, in
			},
		}
		senior, checkers := staffIDs(t, s, r)

		w, err := newHomeworkWriter(s.Ctx(), r, everyThird())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range plan {
			if w.stillToSubmit(a) {
				if err := w.attempt(a, senior); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.qualityChecks(policy, checkers); err != nil {
			t.Fatal(err)
		}
		if err := w.write(s.Ctx()); err != nil {
			t.Fatal(err)
		}
		bulk := takeSnapshot(t, s, homeworkRows)
		mustCoverHomework(t, bulk)
		forgetHomework(t, s)

		replayThroughService(t, s, r, plan, senior, checkers, policy)
		compareSnapshots(t, homeworkRows, bulk, takeSnapshot(t, s, homeworkRows))
	})
}

// seededSchool seeds the demo's staff and school data at now.
func seededSchool(t *testing.T, s *apptest.Server, now time.Time) *run {
	t.Helper()
	ctx := s.Ctx()
	org, _, err := s.Services.Identity.EnsureOrg(ctx, identity.NewOrg{Slug: Slug, Name: "Демо-школа психологии", TimeZone: "Europe/Moscow", Currency: "RUB"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRun(ctx, s.Services, org.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := seedStaff(ctx, s.Services.Identity, org.ID); err != nil {
		t.Fatal(err)
	}
	if err := seedSchool(ctx, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// samplePlan is the plan of a finished cohort and a running one: work of
// every age, reviewed, resubmitted, waiting and in review.
func samplePlan(t *testing.T, r *run) []demoAttempt {
	t.Helper()
	cal, err := bizcal.New(DemoCalendarSpec())
	if err != nil {
		t.Fatal(err)
	}
	var plan []demoAttempt
	for _, a := range planHomework(r.tl, r.fates, cal) {
		n := 0
		fmt.Sscanf(a.student, "s-%d", &n)
		if n <= 80 || (n > 200 && n <= 300) {
			plan = append(plan, a)
		}
	}
	return plan
}

func staffIDs(t *testing.T, s *apptest.Server, r *run) (string, []string) {
	t.Helper()
	senior, err := s.Services.Identity.ActivePersonByEmail(s.Ctx(), r.orgID, "senior@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.Services.Identity.ActivePersonByEmail(s.Ctx(), r.orgID, "head@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	return senior.UserID, []string{senior.UserID, head.UserID}
}

// everyThird samples every third review it is asked about: both runs ask
// about the same reviews in the same order, whatever their ids.
func everyThird() homework.Sampler {
	n := 0
	return func(string, int) bool {
		n++
		return n%3 == 0
	}
}

// replayThroughService is the writer's reference: each planned attempt
// submitted, claimed and reviewed through the homework service on a clock
// set to when it happened, then the sampled reviews checked.
func replayThroughService(t *testing.T, s *apptest.Server, r *run, plan []demoAttempt, senior string, checkers []string, policy checkPolicy) {
	t.Helper()
	ctx := s.Ctx()
	clk := clock.NewFixed(r.tl.now)
	hw := server.NewHomework(s.DB, clk, s.Services, homework.WithSampler(everyThird()))
	statuses := map[string]string{}
	for _, a := range plan {
		if _, done := statuses[a.ext]; done || (a.previous != "" && statuses[a.previous] != homework.StatusReworkRequested) {
			continue
		}
		clk.Set(a.at)
		sub, err := hw.Submit(ctx, r.orgID, homework.NewSubmission{Source: demoSource, ExternalID: a.ext, StudentExternalID: a.student,
			AssignmentExternalID: a.assignment, SubmittedAt: a.at, Content: demoContent(a.ext)})
		if err != nil {
			t.Fatalf("submitting %s: %v", a.ext, err)
		}
		statuses[a.ext] = statusAfter(a.outcome)
		who := homework.Reviewer{UserID: senior, SeesAll: true}
		if sub.QueueCuratorID != nil {
			who = homework.Reviewer{UserID: *sub.QueueCuratorID}
		}
		switch a.outcome {
		case "queued":
			continue
		case "claimed":
			clk.Set(r.wall.Add(-5 * time.Minute))
			if _, err := hw.Claim(ctx, r.orgID, sub.ID, who); err != nil {
				t.Fatal(err)
			}
			continue
		}
		clk.Set(a.reviewAt.Add(-20 * time.Minute))
		claimed, err := hw.Claim(ctx, r.orgID, sub.ID, who)
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(a.reviewAt)
		if _, _, err := hw.Review(ctx, r.orgID, sub.ID, claimed.Version, who,
			homework.ReviewInput{Verdict: a.outcome, Scores: a.scores, Feedback: demoFeedback[a.outcome]}); err != nil {
			t.Fatalf("reviewing %s: %v", a.ext, err)
		}
	}
	clk.Set(r.tl.now)
	pending, err := hw.PendingSamples(ctx, r.orgID, "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pending {
		rev := &pending[i]
		if !policy.chosen(rev) {
			continue
		}
		checker, in := policy.assess(rev, checkers)
		if _, err := hw.CheckReview(ctx, r.orgID, rev.ID, checker, in); err != nil {
			t.Fatalf("checking review %s: %v", rev.ID, err)
		}
	}
}

// homeworkRows are the tables the homework replay writes to, with the ids
// each run makes named after what they stand for.
var homeworkRows = snapshotSpec{
	tables: []string{"homework_submissions", "homework_reviews", "homework_quality_checks", "audit_entries", "outbox_events"},
	where: map[string]string{
		"audit_entries": "entity_type IN ('homework_submission', 'homework_quality_check')",
		"outbox_events": "type = 'review.completed'",
	},
	names: func(raw map[string][]map[string]any) map[string]string {
		names := map[string]string{}
		for _, sub := range raw["homework_submissions"] {
			names[sub["id"].(string)] = "submission " + sub["external_id"].(string)
		}
		for _, rev := range raw["homework_reviews"] {
			names[rev["id"].(string)] = fmt.Sprintf("%s of %s", rev["kind"], names[rev["submission_id"].(string)])
		}
		for _, q := range raw["homework_quality_checks"] {
			names[q["id"].(string)] = "check of " + names[q["review_id"].(string)]
		}
		return names
	},
}

// mustCoverHomework fails unless the replay took every path of the writer.
func mustCoverHomework(t *testing.T, snap snapshot) {
	t.Helper()
	for _, c := range []struct {
		what string
		n    int
	}{
		{"queued submissions", snap.count("homework_submissions", "status", homework.StatusQueued)},
		{"submissions in review", snap.count("homework_submissions", "status", homework.StatusInReview)},
		{"resubmissions", len(snap.raw["homework_submissions"]) - snap.count("homework_submissions", "attempt", "1")},
		{"overturns", snap.count("homework_reviews", "kind", homework.KindOverturn)},
		{"quality checks", len(snap.raw["homework_quality_checks"])},
		{"review.completed events", len(snap.raw["outbox_events"])},
	} {
		if c.n == 0 {
			t.Errorf("the sample replay has no %s", c.what)
		}
	}
}

// forgetHomework removes what the replay wrote, for the second run.
func forgetHomework(t *testing.T, s *apptest.Server) {
	t.Helper()
	for _, q := range []string{
		"DELETE FROM homework_quality_checks",
		"DELETE FROM homework_reviews WHERE kind = 'overturn'",
		"DELETE FROM homework_reviews",
		"UPDATE homework_submissions SET previous_submission_id = NULL",
		"DELETE FROM homework_submissions",
		"DELETE FROM audit_entries WHERE entity_type IN ('homework_submission', 'homework_quality_check')",
		"DELETE FROM outbox_events WHERE type = 'review.completed'",
	} {
		if _, err := s.DB.ExecContext(s.Ctx(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
