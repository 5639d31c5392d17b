package pay

import (
	"context"
	"testing"
	"time"
)

// fakeFacts answers the facts port from slices, for the hand-computed
// month below.
type fakeFacts struct {
	reviews   []fakeReview
	clocks    []ClockGroup
	answers   []AnswerFact
	checks    []CheckFact
	cases     []CaseFact
	curations []CurationFact
	modules   map[ModuleKey]string
	orders    []OrderFact
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// fakeReview is one verdict; the fake groups verdicts as the facts port
// does.
type fakeReview struct {
	ID, ReviewerID, AssignmentKind string
	Attempt                        int
	At                             time.Time
	Overturned                     bool
}

func (f *fakeFacts) ReviewGroups(_ context.Context, _ string, from, to time.Time, cuts []time.Time, fn func(ReviewGroup)) error {
	groups := map[ReviewGroup]*ReviewGroup{}
	var order []ReviewGroup
	for _, r := range f.reviews {
		if !in(r.At, from, to) {
			continue
		}
		part := 0
		for part < len(cuts) && !r.At.Before(cuts[part]) {
			part++
		}
		key := ReviewGroup{ReviewerID: r.ReviewerID, AssignmentKind: r.AssignmentKind, Resubmission: r.Attempt > 1,
			Overturned: r.Overturned, Part: part}
		g := groups[key]
		if g == nil {
			g = &ReviewGroup{}
			*g = key
			groups[key] = g
			order = append(order, key)
		}
		if g.Count++; g.Count > 1 {
			g.IDs += " "
		}
		g.IDs += r.ID
	}
	for _, key := range order {
		fn(*groups[key])
	}
	return nil
}

func (f *fakeFacts) ClockGroups(_ context.Context, _ string, _, _ time.Time, fn func(ClockGroup)) error {
	for _, g := range f.clocks {
		fn(g)
	}
	return nil
}

func (f *fakeFacts) Answers(_ context.Context, _ string, from, to time.Time, fn func(AnswerFact)) error {
	for _, a := range f.answers {
		if in(a.At, from, to) {
			fn(a)
		}
	}
	return nil
}

func (f *fakeFacts) Checks(context.Context, string, time.Time, time.Time) ([]CheckFact, error) {
	return f.checks, nil
}

func (f *fakeFacts) Cases(_ context.Context, _ string, from, to time.Time) ([]CaseFact, error) {
	var out []CaseFact
	for _, c := range f.cases {
		if in(c.At, from, to) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeFacts) Curations(_ context.Context, _ string, from, to time.Time) ([]CurationFact, error) {
	var out []CurationFact
	for _, c := range f.curations {
		if c.To.After(from) && c.From.Before(to) {
			if c.From.Before(from) {
				c.From = from
			}
			if c.To.After(to) {
				c.To = to
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeFacts) ModuleSubmissions(context.Context, string, int, time.Time) (map[ModuleKey]string, error) {
	return f.modules, nil
}

func (f *fakeFacts) Orders(_ context.Context, _ string, to time.Time) ([]OrderFact, error) {
	var out []OrderFact
	for _, o := range f.orders {
		if o.PaidAt.Before(to) {
			out = append(out, o)
		}
	}
	return out, nil
}

func march(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }

func spec(fixed, regular int64) Spec {
	return Spec{Components: []Component{
		{Key: "fixed", Title: "Оклад", Kind: KindFixed, Amount: fixed},
		{Key: "reviews", Title: "Проверка ДЗ", Kind: KindPiece, Resubmissions: ResubmissionsFirstOnly,
			Rates: []PieceRate{{AssignmentType: "regular", Rate: regular}, {AssignmentType: "final_project", Rate: 30_000}}},
		{Key: "csi", Title: "CSI", Kind: KindKPI, Metric: MetricCSI, Direction: HigherIsBetter, MinSample: 3, DefaultAmount: 50_000,
			Weight: "1", TierMode: TiersStep, Tiers: []Tier{{From: "0", To: "80", Amount: 0}, {From: "80", Amount: 500_000}}},
		{Key: "completion", Title: "Доходимость до модуля 3", Kind: KindKPI, Metric: MetricCompletion, Module: 3, Direction: HigherIsBetter,
			MinSample: 1, Weight: "0.5", TierMode: TiersStep, Tiers: []Tier{{From: "0", To: "50", Amount: 0}, {From: "50", Amount: 200_000}}},
		{Key: "upsell", Title: "Допродажи", Kind: KindCommission, Percent: "5"},
	}}
}

// handMonth is March 2026 (31 days, UTC) for three curators.
//
// A is paid by v1 until the 15th and by v2 (fixed 31,000 RUB, 120 RUB per
// regular review) from the 16th: two stretches of 15 and 16 days. B is on
// v1 all month; C joins on the 11th (21 days).
//
// Reviews: A r1 regular 03-05, r2 a resubmission 03-10 (first_only: not
// paid), r3 final project 03-12, r4 regular 03-20, r5 regular 03-21
// overturned (not paid); B r6 regular 03-02.
// CSI: A 5,4,3,5,4 = 4/5 = 80 %, exactly the boundary of the 80– tier;
// B two answers, below the minimum of 3 (default 500 RUB); C none.
// Completion of module 3: e1 (s1) with A all month, submitted; e2 (s2)
// with A until the 11th, then B, submitted: A weighs it 10/31, B 21/31;
// e3 (s3) with C from the 11th, not submitted.
// Upsells (5 %): s2's second order 5,000 RUB on 03-05 (A, first stretch);
// s1's second order 10,000 RUB on 03-20 with 2,000 RUB refunded on 03-25
// (A, second stretch, base 8,000 RUB); s3's first order is no upsell.
func handMonth() (*fakeFacts, []Assignment, map[string]*SchemeVersion) {
	a, b, c := "a", "b", "c"
	f := &fakeFacts{
		reviews: []fakeReview{
			{ID: "r1", ReviewerID: a, AssignmentKind: "regular", Attempt: 1, At: march(5, 10)},
			{ID: "r2", ReviewerID: a, AssignmentKind: "regular", Attempt: 2, At: march(10, 10)},
			{ID: "r3", ReviewerID: a, AssignmentKind: "final_project", Attempt: 1, At: march(12, 10)},
			{ID: "r4", ReviewerID: a, AssignmentKind: "regular", Attempt: 1, At: march(20, 10)},
			{ID: "r5", ReviewerID: a, AssignmentKind: "regular", Attempt: 1, At: march(21, 10), Overturned: true},
			{ID: "r6", ReviewerID: b, AssignmentKind: "regular", Attempt: 1, At: march(2, 10)},
		},
		answers: []AnswerFact{
			{ID: "q1", CuratorID: &a, Value: 5, At: march(3, 9)}, {ID: "q2", CuratorID: &a, Value: 4, At: march(4, 9)},
			{ID: "q3", CuratorID: &a, Value: 3, At: march(5, 9)}, {ID: "q4", CuratorID: &a, Value: 5, At: march(6, 9)},
			{ID: "q5", CuratorID: &a, Value: 4, At: march(7, 9)},
			{ID: "q6", CuratorID: &b, Value: 5, At: march(8, 9)}, {ID: "q7", CuratorID: &b, Value: 5, At: march(9, 9)},
		},
		curations: []CurationFact{
			{EnrollmentID: "e1", StudentID: "s1", CohortID: "k", CourseID: "course", CuratorID: a, From: march(1, 0), To: march(1, 0).AddDate(0, 1, 0)},
			{EnrollmentID: "e2", StudentID: "s2", CohortID: "k", CourseID: "course", CuratorID: a, From: march(1, 0), To: march(11, 0)},
			{EnrollmentID: "e2", StudentID: "s2", CohortID: "k", CourseID: "course", CuratorID: b, From: march(11, 0), To: march(1, 0).AddDate(0, 1, 0)},
			{EnrollmentID: "e3", StudentID: "s3", CohortID: "k", CourseID: "course", CuratorID: c, From: march(11, 0), To: march(1, 0).AddDate(0, 1, 0)},
		},
		modules: map[ModuleKey]string{{CourseID: "course", StudentID: "s1"}: "sub1", {CourseID: "course", StudentID: "s2"}: "sub2"},
		orders: []OrderFact{
			{ID: "o1", StudentID: "s1", Amount: 5_000_000, PaidAt: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)},
			{ID: "o3", StudentID: "s2", Amount: 5_000_000, PaidAt: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)},
			{ID: "o4", StudentID: "s2", Amount: 500_000, PaidAt: march(5, 12)},
			{ID: "o5", StudentID: "s3", Amount: 5_000_000, PaidAt: march(12, 12)},
			{ID: "o2", StudentID: "s1", Amount: 1_000_000, PaidAt: march(20, 12), Refunds: []RefundFact{{ID: "f1", Amount: 200_000, At: march(25, 12)}}},
		},
	}
	versions := map[string]*SchemeVersion{
		"v1": {ID: "v1", Spec: spec(3_000_000, 10_000)},
		"v2": {ID: "v2", Spec: spec(3_100_000, 12_000)},
	}
	as := []Assignment{
		{UserID: a, SchemeVersionID: "v1", EffectiveFrom: "2026-01-01"},
		{UserID: a, SchemeVersionID: "v2", EffectiveFrom: "2026-03-16"},
		{UserID: b, SchemeVersionID: "v1", EffectiveFrom: "2026-01-01"},
		{UserID: c, SchemeVersionID: "v1", EffectiveFrom: "2026-03-11"},
	}
	return f, as, versions
}

func amounts(d draft) map[string]int64 {
	out := map[string]int64{}
	for _, l := range d.Lines {
		out[l.Key] = l.Amount
	}
	return out
}

// TestHandComputedMonth: every line of the three statements, to the kopeck.
func TestHandComputedMonth(t *testing.T) {
	f, as, versions := handMonth()
	ctx := context.Background()
	m, err := readMonth(ctx, f, "org", "2026-03", time.UTC, as, versions)
	if err != nil {
		t.Fatal(err)
	}
	drafts, err := calculate(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int64{
		"a": {
			// 3,000,000 × 15/31 = 1,451,612.90…; 3,100,000 × 16/31 exactly.
			"fixed@2026-03-01": 1_451_613, "fixed@2026-03-16": 1_600_000,
			// r1 100 RUB + r3 300 RUB; then r4 120 RUB (r2 a resubmission, r5 overturned).
			"reviews@2026-03-01": 40_000, "reviews@2026-03-16": 12_000,
			// CSI 80 % reaches the 80– tier: 500,000 × 15/31 and × 16/31.
			"csi@2026-03-01": 241_935, "csi@2026-03-16": 258_065,
			// Completion (1 + 10/31) / (1 + 10/31) = 100 %: 200,000 × 0.5 × 15/31 and × 16/31.
			"completion@2026-03-01": 48_387, "completion@2026-03-16": 51_613,
			// 5 % of 5,000 RUB; 5 % of 10,000 − 2,000 RUB.
			"upsell@2026-03-01": 25_000, "upsell@2026-03-16": 40_000,
		},
		"b": {"fixed@2026-03-01": 3_000_000, "reviews@2026-03-01": 10_000, "csi@2026-03-01": 50_000, "completion@2026-03-01": 100_000,
			"upsell@2026-03-01": 0},
		// 3,000,000 × 21/31 = 2,032,258.06…; the CSI default 50,000 × 21/31 = 33,870.97….
		"c": {"fixed@2026-03-11": 2_032_258, "reviews@2026-03-11": 0, "csi@2026-03-11": 33_871, "completion@2026-03-11": 0,
			"upsell@2026-03-11": 0},
	}
	totals := map[string]int64{"a": 3_768_613, "b": 3_160_000, "c": 2_066_129}
	if len(drafts) != 3 {
		t.Fatalf("%d statements, want 3", len(drafts))
	}
	for _, d := range drafts {
		got := amounts(d)
		for k, v := range want[d.UserID] {
			if got[k] != v {
				t.Errorf("%s %s = %d, want %d", d.UserID, k, got[k], v)
			}
		}
		if len(got) != len(want[d.UserID]) {
			t.Errorf("%s has lines %v", d.UserID, got)
		}
		if d.Total != totals[d.UserID] {
			t.Errorf("%s total %d, want %d", d.UserID, d.Total, totals[d.UserID])
		}
		for _, l := range d.Lines {
			checkSourcesAddUp(t, d.UserID, l)
		}
	}
	b := lineOf(t, drafts, "b", "csi@2026-03-01")
	if !b.BelowMin || b.Sample != 2 {
		t.Errorf("B's CSI: below minimum %v sample %d", b.BelowMin, b.Sample)
	}
	a := lineOf(t, drafts, "a", "csi@2026-03-16")
	if a.Value != "80" || a.Tier != 2 || a.NextTier != 0 || a.Numerator != "4" || a.Denominator != "5" {
		t.Errorf("A's CSI: %+v", a.Line)
	}
	if c := lineOf(t, drafts, "b", "completion@2026-03-01"); c.Numerator != "0.677419" || c.Value != "100" {
		t.Errorf("B's completion: %+v", c.Line)
	}
}

func lineOf(t *testing.T, drafts []draft, user, key string) draftLine {
	t.Helper()
	for _, d := range drafts {
		for _, l := range d.Lines {
			if d.UserID == user && l.Key == key {
				return l
			}
		}
	}
	t.Fatalf("no line %s of %s", key, user)
	return draftLine{}
}

// checkSourcesAddUp: a piece line's reviews × their rates and a
// commission's orders × percent give the line's exact amount; a KPI's
// counted and weights give its numerator and denominator.
func checkSourcesAddUp(t *testing.T, user string, l draftLine) {
	t.Helper()
	sum, weights := ratInt(0), ratInt(0)
	for _, s := range l.Sources {
		switch l.Kind {
		case KindPiece:
			sum.Add(sum, s.Weight)
		case KindCommission:
			sum.Add(sum, s.Counted)
		default:
			sum.Add(sum, s.Counted)
			weights.Add(weights, s.Weight)
		}
	}
	switch l.Kind {
	case KindPiece:
		if sum.Cmp(l.Exact) != 0 {
			t.Errorf("%s %s: sources add up to %s, line %s", user, l.Key, sum.RatString(), l.Exact.RatString())
		}
	case KindCommission:
		if FormatDec(sum, 0) != FormatDec(ratInt(l.Base), 0) {
			t.Errorf("%s %s: sources add up to base %s, line %d", user, l.Key, sum.RatString(), l.Base)
		}
	case KindKPI:
		if FormatDec(sum, 6) != l.Numerator || FormatDec(weights, 6) != l.Denominator {
			t.Errorf("%s %s: sources %s/%s, line %s/%s", user, l.Key, FormatDec(sum, 6), FormatDec(weights, 6), l.Numerator, l.Denominator)
		}
	}
}

// TestLateFactsBecomeCorrections: a review overturned after the month was
// locked and a refund after payout change the recalculated month; the
// differences from what was booked become correction lines, and nothing
// else does.
func TestLateFactsBecomeCorrections(t *testing.T) {
	f, as, versions := handMonth()
	ctx := context.Background()
	m, _ := readMonth(ctx, f, "org", "2026-03", time.UTC, as, versions)
	locked, _ := calculate(ctx, m)
	booked := map[string]map[string]bookedLine{}
	for _, d := range locked {
		booked[d.UserID] = map[string]bookedLine{}
		for _, l := range d.Lines {
			booked[d.UserID][l.Key] = bookedLine{Title: l.Title, Amount: l.Amount}
		}
	}
	f.reviews[3].Overturned = true // r4, A's second stretch
	f.orders[4].Refunds = append(f.orders[4].Refunds, RefundFact{ID: "f2", Amount: 800_000, At: time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC)})
	m, _ = readMonth(ctx, f, "org", "2026-03", time.UTC, as, versions)
	now, _ := calculate(ctx, m)
	fixes := correctionLines("2026-03", now, booked)
	if len(fixes) != 1 || fixes[0].UserID != "a" {
		t.Fatalf("corrections %+v", fixes)
	}
	got := amounts(fixes[0])
	want := map[string]int64{"correction:2026-03:reviews@2026-03-16": -12_000, "correction:2026-03:upsell@2026-03-16": -40_000}
	if len(got) != len(want) || got["correction:2026-03:reviews@2026-03-16"] != -12_000 || got["correction:2026-03:upsell@2026-03-16"] != -40_000 {
		t.Fatalf("corrections %v, want %v", got, want)
	}
	if fixes[0].Total != -52_000 || *fixes[0].Lines[0].CorrectionOf != "2026-03" {
		t.Errorf("total %d", fixes[0].Total)
	}
	// Booked corrections count: once booked, the same late facts correct nothing.
	for k, v := range got {
		b := booked["a"][k[len("correction:2026-03:"):]]
		b.Amount += v
		booked["a"][k[len("correction:2026-03:"):]] = b
	}
	if again := correctionLines("2026-03", now, booked); len(again) != 0 {
		t.Errorf("corrections booked twice: %+v", again)
	}
}
