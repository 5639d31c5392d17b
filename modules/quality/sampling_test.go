package quality_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

type fakeStudents []string

func (f fakeStudents) LowCSIStudents(context.Context, string, time.Time, time.Time) ([]string, error) {
	return f, nil
}

func (f fakeStudents) RefundStudents(context.Context, string, time.Time, time.Time) ([]string, error) {
	return f, nil
}

type fakeNewcomers []string

func (f fakeNewcomers) Newcomers(context.Context, string) ([]string, error) { return f, nil }

type pickDTO struct {
	ConversationID string `json:"conversation_id"`
	CuratorID      string `json:"curator_id"`
	ReviewerID     string `json:"reviewer_id"`
	Breached       bool   `json:"breached"`
	LowCSI         bool   `json:"low_csi"`
	RefundRequest  bool   `json:"refund_request"`
	RandomPick     bool   `json:"random_pick"`
}

type previewDTO struct {
	Candidates int       `json:"candidates"`
	Picks      []pickDTO `json:"picks"`
}

func TestSamplingForcesBreachesAndNeverHandsACuratorHerOwn(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "sampling", 9)
		f.signIn(t, time.Date(2026, 3, 3, 10, 0, 0, 0, msk))
		convs := make([]string, 9)
		convs[0], _ = f.talk(t, 0, "curator", at(10, 0), at(10, 10))
		convs[1], _ = f.talk(t, 1, "curator", at(10, 20), at(11, 30)) // breached
		convs[2], _ = f.talk(t, 2, "curator", at(12, 0), at(12, 5))
		convs[3], _ = f.talk(t, 3, "curator", at(13, 0), at(13, 5))
		convs[4], _ = f.talk(t, 4, "curator2", at(10, 0), at(10, 5))
		convs[5], _ = f.talk(t, 5, "curator2", at(11, 0), at(12, 0)) // breached
		convs[6], _ = f.talk(t, 6, "senior_curator", at(14, 0), at(14, 10))
		convs[7], _ = f.talk(t, 7, "curator", at(15, 0), at(15, 10))  // low CSI
		convs[8], _ = f.talk(t, 8, "curator2", at(23, 0), at(23, 50)) // breached, last hour of the day
		quality := s.Services.Quality
		quality.UseLowCSI(fakeStudents{f.students[7]})
		quality.UseRefundRequests(fakeStudents{})
		f.do("head_of_service", put, "/quality/settings", map[string]any{"reviews_per_week": 7, "newcomer_reviews_per_week": 21},
			apptest.Header("If-Match", `"0"`)).Expect(200)

		var first, again previewDTO
		f.do("head_of_service", get, "/quality/samples/preview?day="+day+"&seed=42", nil).Expect(200).Decode(&first)
		f.do("head_of_service", get, "/quality/samples/preview?day="+day+"&seed=42", nil).Expect(200).Decode(&again)
		if !slices.Equal(first.Picks, again.Picks) {
			t.Fatalf("the same day and seed gave two samples:\n%+v\n%+v", first.Picks, again.Picks)
		}
		if first.Candidates != 9 {
			t.Fatalf("candidates = %d, want the 9 answered conversations", first.Candidates)
		}
		byCurator := map[string][]pickDTO{}
		for _, p := range first.Picks {
			if p.ReviewerID == "" || p.ReviewerID == p.CuratorID {
				t.Fatalf("pick %+v: a curator may not review her own conversation", p)
			}
			if p.ReviewerID != f.People["senior_curator"].UserID && p.ReviewerID != f.People["senior2"].UserID {
				t.Fatalf("pick %+v went to someone other than a senior curator", p)
			}
			byCurator[p.CuratorID] = append(byCurator[p.CuratorID], p)
		}
		for _, c := range []int{1, 5, 8} {
			if !slices.ContainsFunc(first.Picks, func(p pickDTO) bool { return p.ConversationID == convs[c] && p.Breached }) {
				t.Fatalf("breached conversation %d is not in the sample: %+v", c, first.Picks)
			}
		}
		if !slices.ContainsFunc(first.Picks, func(p pickDTO) bool { return p.ConversationID == convs[7] && p.LowCSI }) {
			t.Fatalf("the low CSI conversation is not in the sample: %+v", first.Picks)
		}
		// Monday's share of 7 a week is 1: forced picks fill it, so the
		// curator gets her breach and her low CSI and nothing drawn.
		if got := byCurator[f.People["curator"].UserID]; len(got) != 2 || slices.ContainsFunc(got, func(p pickDTO) bool { return p.RandomPick }) {
			t.Fatalf("curator's picks = %+v, want the breach and the low CSI only", got)
		}
		senior := byCurator[f.People["senior_curator"].UserID]
		if len(senior) != 1 || !senior[0].RandomPick || senior[0].ReviewerID != f.People["senior2"].UserID {
			t.Fatalf("senior curator's picks = %+v, want her one conversation drawn and handed to the other senior", senior)
		}

		// A newcomer's week is 21: three a Monday, one drawn beside her two breaches.
		quality.UseNewcomers(fakeNewcomers{f.People["curator2"].UserID})
		var newcomer previewDTO
		f.do("head_of_service", get, "/quality/samples/preview?day="+day+"&seed=42", nil).Expect(200).Decode(&newcomer)
		n := 0
		for _, p := range newcomer.Picks {
			if p.CuratorID == f.People["curator2"].UserID {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("newcomer picks = %d, want her two breaches and one drawn", n)
		}

		var run struct {
			Sampled     int `json:"sampled"`
			Assignments []struct {
				ConversationID string `json:"conversation_id"`
				ReviewerID     string `json:"reviewer_id"`
				CuratorID      string `json:"curator_id"`
			} `json:"assignments"`
		}
		f.do("head_of_service", post, "/quality/samples", map[string]any{"day": day, "seed": 42}).Expect(201).Decode(&run)
		if run.Sampled != len(newcomer.Picks) || len(run.Assignments) != len(newcomer.Picks) {
			t.Fatalf("stored %d assignments, the preview had %d picks", len(run.Assignments), len(newcomer.Picks))
		}
		for i, a := range run.Assignments {
			if a.ConversationID != newcomer.Picks[i].ConversationID || a.ReviewerID != newcomer.Picks[i].ReviewerID {
				t.Fatalf("assignment %d = %+v differs from the preview's pick %+v", i, a, newcomer.Picks[i])
			}
		}
		f.do("head_of_service", post, "/quality/samples", map[string]any{"day": day, "seed": 7}).ExpectProblem(409)
		f.do("head_of_service", post, "/quality/samples", map[string]any{"day": "2026-03-03"}).ExpectProblem(422, "body.day")
		f.do("head_of_service", post, "/quality/samples", map[string]any{"day": "2026-02-30"}).ExpectProblem(422, "body.day")
		f.do("curator", post, "/quality/samples", map[string]any{"day": "2026-03-01"}).ExpectProblem(403)

		// The senior reviewer sees her own assignments only; the head sees all.
		var mine, all struct {
			Items []struct {
				ReviewerID string `json:"reviewer_id"`
			} `json:"items"`
		}
		f.do("senior_curator", get, "/quality/assignments", nil).Expect(200).Decode(&mine)
		f.do("head_of_service", get, "/quality/assignments?limit=200", nil).Expect(200).Decode(&all)
		if len(all.Items) != len(run.Assignments) || len(mine.Items) == 0 || len(mine.Items) == len(all.Items) {
			t.Fatalf("senior sees %d of %d assignments", len(mine.Items), len(all.Items))
		}
		for _, a := range mine.Items {
			if a.ReviewerID != f.People["senior_curator"].UserID {
				t.Fatalf("senior sees another reviewer's assignment %+v", a)
			}
		}
		f.do("curator", get, "/quality/assignments", nil).ExpectProblem(403)
	})
}
