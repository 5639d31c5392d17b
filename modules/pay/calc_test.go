package pay

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

func TestRoundHalfEven(t *testing.T) {
	for _, c := range []struct {
		num, den int64
		want     int64
	}{{5, 2, 2}, {7, 2, 4}, {-5, 2, -2}, {-7, 2, -4}, {10, 4, 2}, {11, 4, 3}, {9, 4, 2}, {1, 3, 0}, {2, 3, 1}, {6, 1, 6}} {
		if got := RoundHalfEven(big.NewRat(c.num, c.den)); got != c.want {
			t.Errorf("%d/%d rounds to %d, want %d", c.num, c.den, got, c.want)
		}
	}
}

// TestFixedIsProratedAndRoundedOnce: 30 000 ₽ for 11 days of 30 is
// 1 100 000 kopecks exactly; 100 001 kopecks × 1/2 is 50 000.5, rounded
// half to even to 50 000.
func TestFixedIsProratedAndRoundedOnce(t *testing.T) {
	l := Evaluate(Component{Key: "fixed", Kind: KindFixed, Amount: 3_000_000}, Input{Share: big.NewRat(11, 30)})
	if l.Amount != 1_100_000 || l.Rounding != "0" {
		t.Errorf("fixed %d rounding %s", l.Amount, l.Rounding)
	}
	l = Evaluate(Component{Key: "fixed", Kind: KindFixed, Amount: 100_001}, Input{Share: big.NewRat(1, 2)})
	if l.Amount != 50_000 || l.Rounding != "-0.5" {
		t.Errorf("fixed %d rounding %s, want 50000 and -0.5", l.Amount, l.Rounding)
	}
}

func TestPieceCountsByAssignmentType(t *testing.T) {
	c := Component{Key: "reviews", Kind: KindPiece, Resubmissions: ResubmissionsEach,
		Rates: []PieceRate{{AssignmentType: "essay", Rate: 15_000}, {AssignmentType: "*", Rate: 5_000}}}
	l := Evaluate(c, Input{Reviews: map[string]int64{"essay": 10, "quiz": 3}})
	if l.Amount != 165_000 || l.Quantity != 13 {
		t.Errorf("piece %d × %d", l.Quantity, l.Amount)
	}
	cap := int64(100_000)
	c.Cap = &cap
	if l := Evaluate(c, Input{Reviews: map[string]int64{"essay": 10}}); l.Amount != 100_000 || l.Limited != "cap" {
		t.Errorf("capped piece %d %q", l.Amount, l.Limited)
	}
}

func kpi(mode string) Component {
	return Component{Key: "completion", Kind: KindKPI, Metric: MetricCompletion, Module: 3, Direction: HigherIsBetter, MinSample: 10,
		DefaultAmount: 100_000, Weight: "1", TierMode: mode,
		Tiers: []Tier{{From: "0", To: "50", Amount: 0}, {From: "50", To: "70", Amount: 500_000}, {From: "70", Amount: 1_000_000}}}
}

func value(v string, sample int) *KPIValue {
	return &KPIValue{Value: mustDec(v), Sample: sample}
}

// TestKPITiers: a value on a boundary reaches the tier that starts there;
// below the minimum sample the default is paid; interpolation and
// progressive tiers stay exact until the line.
func TestKPITiers(t *testing.T) {
	l := Evaluate(kpi(TiersStep), Input{KPI: value("70", 20)})
	if l.Amount != 1_000_000 || l.Tier != 3 || l.NextTier != 0 {
		t.Errorf("boundary: %+v", l)
	}
	l = Evaluate(kpi(TiersStep), Input{KPI: value("69.99", 20)})
	if l.Amount != 500_000 || l.Tier != 2 || l.NextTier != 3 || l.NextNeeds != "≥ 70" {
		t.Errorf("below boundary: %+v", l)
	}
	l = Evaluate(kpi(TiersStep), Input{KPI: value("90", 9)})
	if l.Amount != 100_000 || !l.BelowMin {
		t.Errorf("below sample: %+v", l)
	}
	if l := Evaluate(kpi(TiersStep), Input{}); l.Amount != 100_000 || !l.BelowMin || l.Value != "" {
		t.Errorf("no data: %+v", l)
	}
	l = Evaluate(kpi(TiersInterpolated), Input{KPI: value("60", 20)})
	if l.Amount != 750_000 {
		t.Errorf("interpolated 60: %d", l.Amount)
	}
	c := kpi(TiersProgressive)
	c.Tiers = []Tier{{From: "0", To: "50", Amount: 1_000}, {From: "50", Amount: 3_000}}
	c.Weight = "0.5"
	if l := Evaluate(c, Input{KPI: value("60.5", 20)}); l.Amount != 40_750 {
		t.Errorf("progressive: %d, want (50×1000 + 10.5×3000) × 0.5 = 40750", l.Amount)
	}
	low := Component{Key: "refunds", Kind: KindKPI, Metric: MetricRefundRate, Direction: LowerIsBetter, Weight: "1", TierMode: TiersStep,
		Tiers: []Tier{{From: "0", To: "2", Amount: 300_000}, {From: "2", To: "4", Amount: 100_000}, {From: "4", To: "100", Amount: 0}}}
	if l := Evaluate(low, Input{KPI: value("3", 40)}); l.Amount != 100_000 || l.NextTier != 1 || l.NextNeeds != "< 2" {
		t.Errorf("lower is better: %+v", l)
	}
	if l := Evaluate(low, Input{KPI: value("3", 40), Share: big.NewRat(1, 3)}); l.Amount != 33_333 || l.Rounding != "-0.333333" {
		t.Errorf("a third of 100000: %d rounding %s", l.Amount, l.Rounding)
	}
}

func TestCommissionIsExactUntilTheLine(t *testing.T) {
	l := Evaluate(Component{Key: "upsell", Kind: KindCommission, Percent: "2.5"}, Input{CommissionBase: 1_234_567})
	// 1 234 567 × 2.5 % = 30 864.175 → 30 864
	if l.Amount != 30_864 || l.Base != 1_234_567 {
		t.Errorf("commission %+v", l)
	}
}

func TestTotalFloorAndCapAreLines(t *testing.T) {
	floor := int64(2_000_000)
	total, extra := Total(Spec{TotalFloor: &floor}, []Line{{Amount: 1_500_000}})
	if total != 2_000_000 || extra == nil || extra.Amount != 500_000 {
		t.Errorf("total %d extra %+v", total, extra)
	}
}

// TestSpecRefusesGapsAndOverlaps: tiers must tile the axis; each refusal
// names the field.
func TestSpecRefusesGapsAndOverlaps(t *testing.T) {
	ok := Spec{Components: []Component{{Key: "fixed", Title: "Оклад", Kind: KindFixed, Amount: 1}, withTitle(kpi(TiersStep))}}
	if err := ok.Check("body.spec."); err != nil {
		t.Fatalf("valid spec refused: %v", err)
	}
	for name, c := range map[string]struct {
		tiers []Tier
		loc   string
	}{
		"gap":     {[]Tier{{From: "0", To: "50"}, {From: "60"}}, "body.spec.components[0].tiers[1].from"},
		"overlap": {[]Tier{{From: "0", To: "50"}, {From: "40"}}, "body.spec.components[0].tiers[1].from"},
		"open":    {[]Tier{{From: "0"}, {From: "40"}}, "body.spec.components[0].tiers[0].to"},
		"bad":     {[]Tier{{From: "1e3"}}, "body.spec.components[0].tiers[0].from"},
		"empty":   {[]Tier{{From: "5", To: "5"}}, "body.spec.components[0].tiers[0].to"},
	} {
		k := withTitle(kpi(TiersStep))
		k.Tiers = c.tiers
		err := Spec{Components: []Component{k}}.Check("body.spec.")
		var v *errs.ValidationError
		if !errors.As(err, &v) || len(v.Fields) == 0 || v.Fields[0].Location != c.loc {
			t.Errorf("%s: %v, want a refusal at %s", name, err, c.loc)
		}
	}
	bad := Spec{Components: []Component{{Key: "X", Kind: "bonus"}}}
	err := bad.Check("body.spec.")
	for _, loc := range []string{"components[0].key", "components[0].title", "components[0].kind"} {
		if err == nil || !strings.Contains(err.Error(), loc) {
			t.Errorf("%v does not name %s", err, loc)
		}
	}
}

func withTitle(c Component) Component { c.Title = c.Key; return c }

// TestStretchesSplitTheMonthByDays: a change on the 12th of November
// gives 11 days of the first version and 19 of the second; a second
// assignment the same day supersedes the first; days before the first
// assignment are not paid.
func TestStretchesSplitTheMonthByDays(t *testing.T) {
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	got := Stretches([]Assignment{{SchemeVersionID: "v1", EffectiveFrom: "2026-10-01"}, {SchemeVersionID: "v2", EffectiveFrom: "2026-11-12"}}, first, 30)
	if len(got) != 2 || got[0] != (Stretch{VersionID: "v1", From: "2026-11-01", To: "2026-11-11", Days: 11}) ||
		got[1] != (Stretch{VersionID: "v2", From: "2026-11-12", To: "2026-11-30", Days: 19}) {
		t.Errorf("stretches %+v", got)
	}
	got = Stretches([]Assignment{{SchemeVersionID: "v1", EffectiveFrom: "2026-11-20"}, {SchemeVersionID: "v3", EffectiveFrom: "2026-11-20"}}, first, 30)
	if len(got) != 1 || got[0].VersionID != "v3" || got[0].Days != 11 || got[0].From != "2026-11-20" {
		t.Errorf("late start %+v", got)
	}
}
