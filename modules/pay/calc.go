package pay

import (
	"fmt"
	"math/big"
	"sort"
)

// Input is what one component is calculated from, for one stretch of the
// month under one scheme version.
type Input struct {
	// Share is the stretch's days over the month's days: the fixed part
	// and the KPI bonuses are prorated by it.
	Share *big.Rat
	// Reviews counts the reviews that count, by assignment type.
	Reviews map[string]int64
	// KPI is the metric's value over the month, nil when there was no data.
	KPI *KPIValue
	// CommissionBase is the upsell revenue attributed to the curator, kopecks.
	CommissionBase int64
}

// KPIValue is a metric's value with what it was computed from.
type KPIValue struct {
	Value       *big.Rat
	Numerator   *big.Rat
	Denominator *big.Rat
	Sample      int
}

// Line is one calculated statement line: the exact amount, the amount
// rounded once (half to even) and what led to it.
type Line struct {
	Component string
	Kind      string
	Title     string
	Quantity  int64  // piece: reviews counted
	Rate      string // piece: kopecks per review (when one type); commission: percent
	Base      int64  // commission: the base in kopecks
	Value     string // kpi: the metric's value, empty with no data
	Sample    int
	BelowMin  bool   // kpi: the sample was below the minimum, the default paid
	Tier      int    // kpi: 1-based tier reached, 0 for none
	NextTier  int    // kpi: the next better tier, 0 for none
	NextNeeds string // kpi: the value that reaches the next tier
	Share     string // the share of the month
	Exact     *big.Rat
	Amount    int64
	Rounding  string // Amount − Exact, in kopecks
	Limited   string // "floor" or "cap" when one applied
	Detail    string
}

// Evaluate calculates one component. It never rounds before the end.
func Evaluate(c Component, in Input) Line {
	share := in.Share
	if share == nil {
		share = big.NewRat(1, 1)
	}
	l := Line{Component: c.Key, Kind: c.Kind, Title: c.Title, Share: FormatDec(share, 6)}
	exact := new(big.Rat)
	switch c.Kind {
	case KindFixed:
		exact.Mul(ratInt(c.Amount), share)
		l.Detail = fmt.Sprintf("%d × %s", c.Amount, l.Share)
	case KindPiece:
		exact = pieceAmount(c, in.Reviews, &l)
	case KindKPI:
		exact = kpiAmount(c, in.KPI, &l)
		exact.Mul(exact, share)
	case KindCommission:
		p := mustDec(c.Percent)
		l.Base, l.Rate = in.CommissionBase, c.Percent
		exact.Mul(ratInt(in.CommissionBase), p)
		exact.Quo(exact, ratInt(100))
		l.Detail = fmt.Sprintf("%d × %s %%", in.CommissionBase, c.Percent)
	}
	l.Exact = exact
	l.Amount = RoundHalfEven(exact)
	l.Amount, l.Limited = limit(l.Amount, c.Floor, c.Cap)
	if l.Limited == "" {
		l.Rounding = FormatDec(new(big.Rat).Sub(ratInt(l.Amount), exact), 6)
	} else {
		l.Rounding = "0"
	}
	return l
}

func limit(amount int64, floor, ceiling *int64) (int64, string) {
	if floor != nil && amount < *floor {
		return *floor, "floor"
	}
	if ceiling != nil && amount > *ceiling {
		return *ceiling, "cap"
	}
	return amount, ""
}

// pieceAmount is Σ reviews × rate by assignment type; a type without a
// rate of its own takes the "*" rate, or none.
func pieceAmount(c Component, reviews map[string]int64, l *Line) *big.Rat {
	rates := map[string]int64{}
	for _, r := range c.Rates {
		rates[r.AssignmentType] = r.Rate
	}
	types := make([]string, 0, len(reviews))
	for t := range reviews {
		types = append(types, t)
	}
	sort.Strings(types)
	total := new(big.Rat)
	for _, t := range types {
		rate, ok := rates[t]
		if !ok {
			if rate, ok = rates["*"]; !ok {
				continue
			}
		}
		n := reviews[t]
		l.Quantity += n
		total.Add(total, ratInt(n*rate))
		if l.Detail != "" {
			l.Detail += " + "
		}
		l.Detail += fmt.Sprintf("%s: %d × %d", t, n, rate)
		l.Rate = fmt.Sprint(rate)
	}
	if len(types) > 1 {
		l.Rate = ""
	}
	return total
}

// kpiAmount is the weighted tier amount for the value, or the declared
// default when the sample is below the minimum (or there is no data).
func kpiAmount(c Component, v *KPIValue, l *Line) *big.Rat {
	if v != nil {
		l.Sample = v.Sample
		l.Value = FormatDec(v.Value, 4)
	}
	if v == nil || v.Value == nil || v.Sample < c.MinSample || v.Sample == 0 {
		l.BelowMin = true
		l.Detail = fmt.Sprintf("sample %d below the minimum %d: default", l.Sample, c.MinSample)
		return ratInt(c.DefaultAmount)
	}
	tiers := sortedTiers(c.Tiers)
	x := v.Value
	amount := new(big.Rat)
	for i, t := range tiers {
		from := mustDec(t.From)
		in := x.Cmp(from) >= 0 && (t.To == "" || x.Cmp(mustDec(t.To)) < 0)
		switch c.TierMode {
		case TiersStep:
			if in {
				amount = ratInt(t.Amount)
			}
		case TiersProgressive:
			if x.Cmp(from) > 0 {
				top := x
				if t.To != "" && x.Cmp(mustDec(t.To)) > 0 {
					top = mustDec(t.To)
				}
				part := new(big.Rat).Sub(top, from)
				amount.Add(amount, part.Mul(part, ratInt(t.Amount)))
			}
		case TiersInterpolated:
			if in {
				amount = ratInt(t.Amount)
				if t.To != "" && i+1 < len(tiers) {
					to := mustDec(t.To)
					frac := new(big.Rat).Quo(new(big.Rat).Sub(x, from), new(big.Rat).Sub(to, from))
					step := ratInt(tiers[i+1].Amount - t.Amount)
					amount.Add(amount, step.Mul(step, frac))
				}
			}
		}
		if in {
			l.Tier = i + 1
		}
	}
	nextTier(c, tiers, x, l)
	w := mustDec(c.Weight)
	l.Detail = fmt.Sprintf("tier amount × weight %s", c.Weight)
	return amount.Mul(amount, w)
}

// nextTier names the next better tier and the value that reaches it:
// for "higher", the start of the tier above; for "lower", a value below
// the end of the tier beneath (the boundary itself belongs to the upper
// tier).
func nextTier(c Component, tiers []Tier, x *big.Rat, l *Line) {
	cur := l.Tier - 1
	switch {
	case c.Direction == HigherIsBetter && cur+1 < len(tiers) && (cur >= 0 || x.Cmp(mustDec(tiers[0].From)) < 0):
		l.NextTier = cur + 2
		l.NextNeeds = "≥ " + tiers[cur+1].From
	case c.Direction == LowerIsBetter && cur > 0:
		l.NextTier = cur
		l.NextNeeds = "< " + tiers[cur-1].To
	case c.Direction == LowerIsBetter && cur < 0 && len(tiers) > 0 && tiers[len(tiers)-1].To != "" && x.Cmp(mustDec(tiers[len(tiers)-1].To)) >= 0:
		l.NextTier = len(tiers)
		l.NextNeeds = "< " + tiers[len(tiers)-1].To
	}
}

// Total adds the lines and applies the scheme's floor and cap of the
// total as a line of its own, so that the statement still adds up.
func Total(sp Spec, lines []Line) (int64, *Line) {
	var sum int64
	for _, l := range lines {
		sum += l.Amount
	}
	limited, how := limit(sum, sp.TotalFloor, sp.TotalCap)
	if how == "" {
		return sum, nil
	}
	diff := limited - sum
	return limited, &Line{Component: "total_" + how, Kind: "total_" + how, Title: "Total " + how, Exact: ratInt(diff), Amount: diff,
		Rounding: "0", Limited: how, Share: "1"}
}
