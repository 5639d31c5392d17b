package hiring

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// markItems adds three calibration items with the references
// (accepted, 8), (rework_requested, 5) and (rejected, 2) of 10 points.
func (f *fixture) markItems(org string) []*CalibrationItem {
	f.t.Helper()
	refs := []struct {
		verdict string
		score   int
	}{{VerdictAccepted, 8}, {VerdictRework, 5}, {VerdictRejected, 2}}
	var out []*CalibrationItem
	for i, r := range refs {
		it, err := f.svc.MarkItem(f.ctx, org, ItemInput{SubmissionID: []string{
			"0191a000-0000-7000-8000-000000000001", "0191a000-0000-7000-8000-000000000002", "0191a000-0000-7000-8000-000000000003"}[i],
			Title: "Работа", ReferenceVerdict: r.verdict, ReferenceScore: r.score})
		f.must(err)
		out = append(out, it)
	}
	return out
}

func TestCalibrationEqualsHandComputation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		items := f.markItems(orgA)
		if strings.Contains(items[0].Content.Text, "Иван") || !strings.Contains(items[0].Content.Text, StudentMark) {
			t.Fatalf("the student's name reached the calibration text: %q", items[0].Content.Text)
		}
		a, err := f.svc.Apply(f.ctx, orgA, f.candidate(orgA, "anna", SourceJobSite).ID, f.vacancy(orgA).ID, "")
		f.must(err)
		issued, err := f.svc.IssueTask(f.ctx, orgA, a.ID, nil, 0)
		f.must(err)

		view, err := f.svc.OpenTask(context.Background(), issued.Token)
		f.must(err)
		if view.Status != TaskIssued || len(view.Items) != 3 {
			t.Fatalf("view: %+v", view)
		}
		// Hand computation: verdicts match on items 1 and 3 (2 of 3 =
		// 66.67 %); deviations |7−8| + |3−5| + |2−2| = 3 points, mean 1.
		answers := []Answer{
			{ItemID: items[0].ID, Verdict: VerdictAccepted, Score: 7},
			{ItemID: items[1].ID, Verdict: VerdictAccepted, Score: 3},
			{ItemID: items[2].ID, Verdict: VerdictRejected, Score: 2},
		}
		if _, err := f.svc.SubmitTask(context.Background(), issued.Token, answers); err != nil {
			t.Fatal(err)
		}
		task, rows, err := f.svc.Result(f.ctx, orgA, issued.Task.ID)
		f.must(err)
		c := Calibrate(rows)
		if *task.Matches != 2 || *task.Answered != 3 || *task.DeviationSum != 3 || *task.MaxScoreSum != 30 {
			t.Fatalf("stored figures: matches %d answered %d deviation %d max %d", *task.Matches, *task.Answered, *task.DeviationSum, *task.MaxScoreSum)
		}
		if p := c.AgreementPercent(); p == nil || math.Abs(*p-200.0/3) > 1e-9 {
			t.Fatalf("agreement %v, want 66.67", p)
		}
		if d := c.MeanDeviation(); d == nil || *d != 1 {
			t.Fatalf("mean deviation %v, want 1", d)
		}
		cand, err := f.svc.Candidate(f.ctx, orgA, a.CandidateID)
		f.must(err)
		if cand.BestTestPercent == nil || *cand.BestTestPercent != 66 {
			t.Fatalf("best test percent %v, want 66", cand.BestTestPercent)
		}

		// Read-only once submitted, and the answers are evidence.
		if _, err := f.svc.SubmitTask(context.Background(), issued.Token, answers); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second submission: %v, want a conflict", err)
		}
		if _, err := db.NewRaw("UPDATE hiring_test_answers SET score = 8").Exec(context.Background()); err == nil {
			t.Fatal("the database let a test answer change")
		}
		// A later change of a reference does not move a submitted result.
		v := 7
		_, err = f.svc.ChangeItem(f.ctx, orgA, items[0].ID, items[0].Version, ItemPatch{ReferenceScore: &v})
		f.must(err)
		_, rows, err = f.svc.Result(f.ctx, orgA, issued.Task.ID)
		f.must(err)
		if Calibrate(rows).DeviationSum != 3 {
			t.Fatal("a reference change moved a submitted result")
		}
		// Another school cannot see the task.
		if _, _, err := f.svc.Result(f.ctx, orgB, issued.Task.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("cross-school result: %v", err)
		}
	})
}

func TestCandidateLinkRules(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		items := f.markItems(orgA)
		v := f.vacancy(orgA)
		a1, err := f.svc.Apply(f.ctx, orgA, f.candidate(orgA, "anna", SourceJobSite).ID, v.ID, "")
		f.must(err)
		a2, err := f.svc.Apply(f.ctx, orgA, f.candidate(orgA, "boris", SourceReferral).ID, v.ID, "")
		f.must(err)
		t1, err := f.svc.IssueTask(f.ctx, orgA, a1.ID, []string{items[0].ID}, 3)
		f.must(err)
		t2, err := f.svc.IssueTask(f.ctx, orgA, a2.ID, []string{items[1].ID, items[2].ID}, 3)
		f.must(err)
		if _, err := f.svc.IssueTask(f.ctx, orgA, a1.ID, nil, 3); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second open task: %v", err)
		}
		// Answering another candidate's items through one's own link fails.
		_, err = f.svc.SubmitTask(context.Background(), t1.Token, []Answer{{ItemID: items[1].ID, Verdict: VerdictAccepted, Score: 1}})
		var ve *errs.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Location != "body.answers[0].item_id" {
			t.Fatalf("foreign item: %v", err)
		}
		if _, err := f.svc.SubmitTask(context.Background(), t1.Token, []Answer{{ItemID: items[0].ID, Verdict: VerdictAccepted, Score: 11}}); !errors.As(err, &ve) {
			t.Fatalf("score above the rubric: %v", err)
		}
		// An unknown token and a revoked task answer not found.
		if _, err := f.svc.OpenTask(context.Background(), "not-a-token-but-long-enough"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		_, err = f.svc.RevokeTask(f.ctx, orgA, t2.Task.ID)
		f.must(err)
		if _, err := f.svc.OpenTask(context.Background(), t2.Token); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("revoked token: %v", err)
		}
		// An expired link shows as expired and refuses a submission.
		f.clock.Set(t0.AddDate(0, 0, 4))
		view, err := f.svc.OpenTask(context.Background(), t1.Token)
		f.must(err)
		if view.Status != "expired" {
			t.Fatalf("status %s, want expired", view.Status)
		}
		if _, err := f.svc.SubmitTask(context.Background(), t1.Token, []Answer{{ItemID: items[0].ID, Verdict: VerdictAccepted, Score: 8}}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("expired submission: %v", err)
		}
	})
}

func TestStageHistoryIsAppendOnly(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		a, err := f.svc.Apply(f.ctx, orgA, f.candidate(orgA, "anna", SourceJobSite).ID, f.vacancy(orgA).ID, "")
		f.must(err)
		a = f.move(orgA, a, "screening", nil)
		a = f.move(orgA, a, "applied", nil) // back: a new entry
		if _, err := f.svc.Move(f.ctx, orgA, a.ID, a.Version-1, MoveInput{StageID: f.stage(orgA, "screening").ID}); !errors.Is(err, errs.ErrPreconditionFailed) {
			t.Fatalf("stale move: %v", err)
		}
		_, err = f.svc.Move(f.ctx, orgA, a.ID, a.Version, MoveInput{StageID: f.stage(orgA, "rejected").ID})
		var ve *errs.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Location != "body.reason_id" {
			t.Fatalf("rejection without a reason: %v", err)
		}
		if _, err := f.svc.Move(f.ctx, orgA, a.ID, a.Version, MoveInput{StageID: f.stage(orgA, "hired").ID}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("hire by a move: %v", err)
		}
		moves, err := f.svc.History(f.ctx, orgA, a.ID)
		f.must(err)
		if len(moves) != 3 || moves[2].ToStageID != f.stage(orgA, "applied").ID || moves[2].ActorID != hrID {
			t.Fatalf("history: %+v", moves)
		}
		for _, q := range []string{"UPDATE hiring_stage_moves SET note = 'x'", "DELETE FROM hiring_stage_moves",
			"UPDATE hiring_consents SET kind = 'withdrawn'", "DELETE FROM hiring_consents"} {
			if _, err := db.NewRaw(q).Exec(context.Background()); err == nil {
				t.Errorf("the database accepted %q", q)
			}
		}
		if n := f.count("hiring_stage_moves", "application_id = ?", a.ID); n != 3 {
			t.Fatalf("%d moves after the refused changes", n)
		}
	})
}

func TestReserveKeepsHistory(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		c := f.candidate(orgA, "vera", SourceFormerStudent)
		a, err := f.svc.Apply(f.ctx, orgA, c.ID, f.vacancy(orgA).ID, "")
		f.must(err)
		f.move(orgA, a, "reserve", nil)
		c, err = f.svc.Candidate(f.ctx, orgA, c.ID)
		f.must(err)
		on := "2026-03-01"
		c, err = f.svc.SetReserve(f.ctx, orgA, c.ID, c.Version, ReserveInput{InReserve: true, Tags: []string{"Figma", " дизайн", "figma"}, RecontactOn: &on})
		f.must(err)
		if strings.Join(c.Tags(), ",") != "figma,дизайн" {
			t.Fatalf("tags %v", c.Tags())
		}
		yes := true
		found, err := f.svc.Candidates(f.ctx, orgA, CandidateFilter{InReserve: &yes, Tag: "FIGMA", RecontactBy: "2026-03-02", Limit: 10})
		f.must(err)
		if len(found) != 1 || found[0].ID != c.ID {
			t.Fatalf("reserve search found %d", len(found))
		}
		if found, _ := f.svc.Candidates(f.ctx, orgB, CandidateFilter{Tag: "figma", Limit: 10}); len(found) != 0 {
			t.Fatal("another school found the candidate")
		}
		// Into a second vacancy: source reserve, the first application and
		// its moves kept.
		a2, err := f.svc.Apply(f.ctx, orgA, c.ID, f.vacancy(orgA).ID, "из резерва")
		f.must(err)
		if a2.Source != SourceReserve {
			t.Fatalf("source %s", a2.Source)
		}
		h, err := f.svc.CandidateHistory(f.ctx, orgA, c.ID)
		f.must(err)
		if len(h.Applications) != 2 || len(h.Moves) != 3 {
			t.Fatalf("history: %d applications, %d moves", len(h.Applications), len(h.Moves))
		}
		c, err = f.svc.Candidate(f.ctx, orgA, c.ID)
		f.must(err)
		if c.InReserve {
			t.Fatal("still in the reserve after applying")
		}
	})
}

func TestAcceptingAnOfferIsOneTransaction(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		testkit.SeedUser(t, db, mentorID, "mentor@alpha.test", "Mentor")
		c := f.candidate(orgA, "gleb", SourceReferral)
		a, err := f.svc.Apply(f.ctx, orgA, c.ID, f.vacancy(orgA).ID, "")
		f.must(err)
		m := mentorID
		issued, err := f.svc.CreateOffer(f.ctx, orgA, a.ID, OfferInput{StartDate: "2026-03-16", PayScheme: "Оклад + KPI", MentorID: &m})
		f.must(err)
		if _, err := f.svc.CreateOffer(f.ctx, orgA, a.ID, OfferInput{StartDate: "2026-03-16", PayScheme: "x"}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second open offer: %v", err)
		}
		if _, err := f.svc.CreateOffer(f.ctx, orgA, a.ID, OfferInput{StartDate: "2026-03-01", PayScheme: "x"}); err == nil {
			t.Fatal("a start date in the past was accepted")
		}

		// The plan fails: no account, the offer still open, no hire.
		f.onboarding.fail = errs.Conflict("no template for curator")
		if _, err := f.svc.AcceptByLink(context.Background(), issued.Token, "long-enough-password"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("accept without a plan: %v", err)
		}
		if n := f.count("users", "email = ?", "gleb@example.com"); n != 0 {
			t.Fatal("a failed acceptance left an account")
		}
		// A weak password changes nothing either.
		f.onboarding.fail = nil
		if _, err := f.svc.AcceptByLink(context.Background(), issued.Token, "short"); err == nil {
			t.Fatal("weak password accepted")
		}
		view, err := f.svc.AcceptByLink(context.Background(), issued.Token, "long-enough-password")
		f.must(err)
		if view.Status != OfferAccepted || view.Offer.UserID == nil || view.Offer.PlanID == nil || len(f.onboarding.plans) != 1 {
			t.Fatalf("accepted offer: %+v", view.Offer)
		}
		app, err := f.svc.Application(f.ctx, orgA, a.ID)
		f.must(err)
		if app.StageID != f.stage(orgA, "hired").ID {
			t.Fatal("the application is not at hired")
		}
		if _, err := f.svc.AcceptByLink(context.Background(), issued.Token, "long-enough-password"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second acceptance: %v", err)
		}
		if _, err := db.NewRaw("UPDATE hiring_offers SET pay_scheme = 'less'").Exec(context.Background()); err == nil {
			t.Fatal("the database let an offer's terms change")
		}
	})
}

func TestConsentExpiryErases(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		phone := "+79161234567"
		c, err := f.svc.CreateCandidate(f.ctx, orgA, CandidateInput{FullName: "Дарья Смирнова", Phone: &phone, Source: SourceJobSite}, t0.AddDate(0, 1, 0))
		f.must(err)
		keep := f.candidate(orgA, "long", SourceJobSite)
		a, err := f.svc.Apply(f.ctx, orgA, c.ID, f.vacancy(orgA).ID, "")
		f.must(err)
		f.clock.Set(t0.AddDate(0, 1, 1))
		n, err := f.svc.EraseExpired(context.Background(), f.clock.Now())
		f.must(err)
		if n != 1 {
			t.Fatalf("erased %d, want 1", n)
		}
		got, err := f.svc.Candidate(f.ctx, orgA, c.ID)
		f.must(err)
		if got.FullName != ErasedName || got.Phone != nil || got.ErasedAt == nil {
			t.Fatalf("not erased: %+v", got)
		}
		if kept, _ := f.svc.Candidate(f.ctx, orgA, keep.ID); kept.ErasedAt != nil {
			t.Fatal("a candidate with consent was erased")
		}
		if n := f.count("audit_entries", "CAST(changes AS text) LIKE ?", "%Дарья%"); n != 0 {
			t.Fatalf("the audit log keeps the name in %d entries", n)
		}
		if n := f.count("hiring_stage_moves", "application_id = ?", a.ID); n != 1 {
			t.Fatal("erasure removed the stage history")
		}
		if n, _ := f.svc.EraseExpired(context.Background(), f.clock.Now()); n != 0 {
			t.Fatal("a second pass erased again")
		}
	})
}

func TestScorecardsKeptApartAndCombined(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		a, err := f.svc.Apply(f.ctx, orgA, f.candidate(orgA, "anna", SourceJobSite).ID, f.vacancy(orgA).ID, "")
		f.must(err)
		scores := map[string]int{"communication": 5, "tone": 4, "accuracy": 3, "speed": 2}
		mine, err := f.svc.CreateScorecard(f.ctx, orgA, a.ID, ScorecardInput{Scores: scores, Recommendation: RecommendHire})
		f.must(err)
		if _, err := f.svc.CreateScorecard(f.ctx, orgA, a.ID, ScorecardInput{Scores: scores, Recommendation: RecommendHire}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second scorecard of one interviewer: %v", err)
		}
		_, err = f.svc.CreateScorecard(f.ctx, orgA, a.ID, ScorecardInput{Scores: map[string]int{"tone": 4}, Recommendation: RecommendHire})
		var ve *errs.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("missing criteria: %v", err)
		}
		testkit.SeedUser(t, db, mentorID, "mentor@alpha.test", "Mentor")
		other := f.ctxAs(mentorID)
		_, err = f.svc.CreateScorecard(other, orgA, a.ID, ScorecardInput{Scores: map[string]int{"communication": 3, "tone": 3, "accuracy": 3, "speed": 3},
			Recommendation: RecommendNoHire})
		f.must(err)
		if _, err := f.svc.UpdateScorecard(other, orgA, mine.ID, mine.Version, ScorecardInput{Scores: scores, Recommendation: RecommendNoHire}); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("changing another's scorecard: %v", err)
		}
		own, err := f.svc.Scorecards(f.ctx, orgA, a.ID, hrID, false)
		f.must(err)
		if len(own) != 1 || own[0].ID != mine.ID {
			t.Fatalf("own scorecards: %d", len(own))
		}
		all, err := f.svc.Scorecards(f.ctx, orgA, a.ID, hrID, true)
		f.must(err)
		// Hand computation: (5+4+3+2)/4 = 3.5 and 3; combined (3.5+3)/2 = 3.25.
		c := Combine(all)
		if c.Scorecards != 2 || c.Score == nil || *c.Score != 3.25 || c.Recommendations[RecommendHire] != 1 || c.Criteria[0].Mean != 4 {
			t.Fatalf("combined: %+v", c)
		}
	})
}

func (f *fixture) ctxAs(userID string) context.Context {
	return withUser(context.Background(), userID)
}
