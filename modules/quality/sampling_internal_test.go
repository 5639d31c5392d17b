package quality

import (
	"slices"
	"testing"
	"time"
)

func TestDayQuotaSpreadsTheWeek(t *testing.T) {
	for _, c := range []struct{ weekly, soFar, left, want int }{
		{7, 0, 7, 1}, {3, 0, 7, 1}, {3, 1, 6, 1}, {3, 3, 4, 0}, {14, 0, 7, 2}, {5, 4, 1, 1}, {5, 7, 2, 0}, {0, 0, 7, 0},
	} {
		if got := dayQuota(c.weekly, c.soFar, c.left); got != c.want {
			t.Errorf("dayQuota(%d, %d, %d) = %d, want %d", c.weekly, c.soFar, c.left, got, c.want)
		}
	}
}

func TestWeekBeforeStartsOnMonday(t *testing.T) {
	days, left := weekBefore("2026-03-04") // a Wednesday
	if !slices.Equal(days, []string{"2026-03-02", "2026-03-03"}) || left != 5 {
		t.Fatalf("weekBefore = %v, %d", days, left)
	}
	if days, left := weekBefore("2026-03-08"); len(days) != 6 || left != 1 {
		t.Fatalf("Sunday: %v, %d", days, left)
	}
}

func TestPlanSampleIsAFunctionOfDayAndSeed(t *testing.T) {
	var cands []Candidate
	for i := range 40 {
		curator := []string{"c1", "c2", "r1"}[i%3]
		cands = append(cands, Candidate{Answered: Answered{ConversationID: string(rune('A'+i%26)) + string(rune('a'+i/26)), CuratorID: curator,
			Day: "2026-03-02", LastAnsweredAt: time.Unix(int64(i), 0), Breached: i%11 == 0}})
	}
	in := sampleInput{Day: "2026-03-02", Seed: 9, Candidates: cands, Weekly: map[string]int{"c1": 14, "c2": 7, "r1": 7},
		SoFar: map[string]int{}, DaysLeft: 7, Reviewers: []string{"r1", "r2"}}
	a, b := planSample(in), planSample(in)
	if !slices.EqualFunc(a.Picks, b.Picks, func(x, y Pick) bool { return x.ConversationID == y.ConversationID && x.ReviewerID == y.ReviewerID }) {
		t.Fatal("two plans of the same input differ")
	}
	shuffled := slices.Clone(cands)
	slices.Reverse(shuffled)
	in.Candidates = shuffled
	c := planSample(in)
	if !slices.EqualFunc(a.Picks, c.Picks, func(x, y Pick) bool { return x.ConversationID == y.ConversationID && x.ReviewerID == y.ReviewerID }) {
		t.Fatal("the order candidates arrive in changed the plan")
	}
	for _, p := range a.Picks {
		if p.ReviewerID == p.CuratorID || p.ReviewerID == "" {
			t.Fatalf("pick %+v: reviewer must be someone else", p)
		}
		if p.Breached && p.Random {
			t.Fatalf("breached pick %+v counted as drawn", p)
		}
	}
	for _, c := range cands {
		if c.Breached && !slices.ContainsFunc(a.Picks, func(p Pick) bool { return p.ConversationID == c.ConversationID }) {
			t.Fatalf("breached %s left out", c.ConversationID)
		}
	}
	// Alone among reviewers, r1 cannot review herself: the head steps in.
	in.Reviewers, in.Fallback = []string{"r1"}, []string{"h1"}
	for _, p := range planSample(in).Picks {
		if p.CuratorID == "r1" && p.ReviewerID != "h1" {
			t.Fatalf("r1's pick went to %q, want the head", p.ReviewerID)
		}
	}
}
