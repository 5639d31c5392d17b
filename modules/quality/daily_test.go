package quality_test

import (
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/quality"
)

type assignmentRow struct {
	ConversationID string `json:"conversation_id"`
	CuratorID      string `json:"curator_id"`
	ReviewerID     string `json:"reviewer_id"`
	Source         string `json:"source"`
	Breached       bool   `json:"breached"`
}

func TestDailyPassSamplesTheFinishedDayOnceAsNoUser(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "daily", 6)
		// A school without a scorecard does not use quality control and
		// gets no sample, though its curators answered that day.
		idle := newFixture(t, s, "idle", 1)
		f.signIn(t, time.Date(2026, 3, 3, 0, 10, 0, 0, msk))
		f.do("head_of_service", post, "/quality/scorecards", chatScorecard()).Expect(201)
		convs := make([]string, 6)
		convs[0], _ = f.talk(t, 0, "curator", at(10, 0), at(10, 10))
		convs[1], _ = f.talk(t, 1, "curator", at(10, 20), at(11, 30)) // breached
		convs[2], _ = f.talk(t, 2, "curator2", at(12, 0), at(12, 5))
		convs[3], _ = f.talk(t, 3, "curator2", at(13, 0), at(14, 5))        // breached
		convs[4], _ = f.talk(t, 4, "senior_curator", at(14, 0), at(14, 50)) // breached, answered by a reviewer
		convs[5], _ = f.talk(t, 5, "senior2", at(23, 0), at(23, 10))
		idle.talk(t, 0, "curator", at(10, 0), at(11, 0))
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))

		// Ten minutes past Moscow midnight, 2 March is over: the pass
		// draws it with the day's seed.
		res, err := s.Services.Quality.RunDaily(s.Ctx(), logger, s.Clock.Now())
		if err != nil || res.Sampled != 1 || res.Failed != 0 {
			t.Fatalf("first pass = %+v, %v; want the one school with a scorecard sampled", res, err)
		}
		if quality.DailySeed(day) != 20260302 {
			t.Fatalf("seed of %s = %d", day, quality.DailySeed(day))
		}
		var run struct {
			Seed      int64   `bun:"seed"`
			CreatedBy *string `bun:"created_by"`
		}
		if err := s.DB.NewSelect().Table("quality_sample_runs").Column("seed", "created_by").Where("org_id = ? AND day = ?", f.Org.ID, day).
			Scan(s.Ctx(), &run); err != nil {
			t.Fatal(err)
		}
		if run.Seed != 20260302 || run.CreatedBy != nil {
			t.Fatalf("run = seed %d, created by %v; want the day's seed and no user", run.Seed, run.CreatedBy)
		}
		var unowned int64
		unowned, err = s.DB.NewSelect().Table("quality_assignments").Where("org_id = ? AND created_by IS NULL", f.Org.ID).Count(s.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		var audit struct {
			ActorType string `bun:"actor_type"`
			ActorName string `bun:"actor_name"`
		}
		if err := s.DB.NewSelect().Table("audit_entries").Column("actor_type", "actor_name").
			Where("org_id = ? AND entity_type = ?", f.Org.ID, "quality_sample_run").Scan(s.Ctx(), &audit); err != nil {
			t.Fatal(err)
		}
		if audit.ActorType != "system" || audit.ActorName != "quality-daily-sample" {
			t.Fatalf("the run is audited as %+v, want the pass", audit)
		}
		if n, err := s.DB.NewSelect().Table("quality_sample_runs").Where("org_id = ?", idle.Org.ID).Count(s.Ctx()); err != nil || n != 0 {
			t.Fatalf("the school without a scorecard has %d runs (%v)", n, err)
		}

		f.signIn(t, s.Clock.Now())
		var page struct {
			Items []assignmentRow `json:"items"`
		}
		f.do("head_of_service", get, "/quality/assignments?day="+day+"&limit=100", nil).Expect(200).Decode(&page)
		if len(page.Items) == 0 || int64(len(page.Items)) != unowned {
			t.Fatalf("%d assignments listed, %d without a creator; want every one handed out by the pass", len(page.Items), unowned)
		}
		for _, a := range page.Items {
			if a.ReviewerID == a.CuratorID || a.Source != "sample" {
				t.Fatalf("assignment %+v: nobody reviews her own conversation, and the pass hands out samples", a)
			}
		}
		for _, c := range []int{1, 3, 4} {
			if !slices.ContainsFunc(page.Items, func(a assignmentRow) bool { return a.ConversationID == convs[c] && a.Breached }) {
				t.Fatalf("breached conversation %d is not in the day's sample: %+v", c, page.Items)
			}
		}
		// The preview with the day's seed is the sample the pass drew.
		var preview previewDTO
		f.do("head_of_service", get, "/quality/samples/preview?day="+day+"&seed=20260302", nil).Expect(200).Decode(&preview)
		if len(preview.Picks) != len(page.Items) {
			t.Fatalf("preview has %d picks, the pass stored %d", len(preview.Picks), len(page.Items))
		}
		for _, p := range preview.Picks {
			if !slices.ContainsFunc(page.Items, func(a assignmentRow) bool {
				return a.ConversationID == p.ConversationID && a.ReviewerID == p.ReviewerID
			}) {
				t.Fatalf("preview pick %+v is not what the pass stored: %+v", p, page.Items)
			}
		}

		// Later passes the same day change nothing; nor does a hand draw.
		s.Clock.Set(time.Date(2026, 3, 3, 18, 0, 0, 0, msk))
		if res, err := s.Services.Quality.RunDaily(s.Ctx(), logger, s.Clock.Now()); err != nil || res.Sampled != 0 || res.Failed != 0 {
			t.Fatalf("second pass = %+v, %v; want nothing done", res, err)
		}
		f.signIn(t, s.Clock.Now())
		f.do("head_of_service", post, "/quality/samples", map[string]any{"day": day, "seed": 7}).ExpectProblem(409)
		for _, table := range []string{"quality_sample_runs", "quality_assignments"} {
			n, err := s.DB.NewSelect().Table(table).Where("org_id = ?", f.Org.ID).Count(s.Ctx())
			want := int64(1)
			if table == "quality_assignments" {
				want = unowned
			}
			if err != nil || n != want {
				t.Fatalf("%s holds %d rows after the second pass (%v), want %d", table, n, err, want)
			}
		}
	})
}
