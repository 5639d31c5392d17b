package pay

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

const maxMoney = 1_000_000_000_000

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Check refuses a spec that could not be calculated: every refusal names
// its field (body.spec.components[2].tiers[1].from), and tiers that leave
// a gap or overlap are refused here, at save, never at calculation.
func (sp Spec) Check(prefix string) error {
	var v errs.ValidationError
	add := func(loc, msg string) {
		v.Fields = append(v.Fields, errs.FieldError{Location: prefix + loc, Message: msg})
	}
	money := func(loc string, p *int64) {
		if p != nil && (*p < 0 || *p > maxMoney) {
			add(loc, "must be from 0 to 10^12 kopecks")
		}
	}
	if len(sp.Components) == 0 {
		add("components", "must hold at least one component")
	}
	if len(sp.Components) > 50 {
		add("components", "must hold at most 50 components")
	}
	money("total_floor", sp.TotalFloor)
	money("total_cap", sp.TotalCap)
	if sp.TotalFloor != nil && sp.TotalCap != nil && *sp.TotalFloor > *sp.TotalCap {
		add("total_cap", "must not be below total_floor")
	}
	seen := map[string]bool{}
	for i, c := range sp.Components {
		at := fmt.Sprintf("components[%d].", i)
		if !keyPattern.MatchString(c.Key) {
			add(at+"key", "must be lower-case latin letters, digits and _, starting with a letter, at most 40")
		} else if seen[c.Key] {
			add(at+"key", "appears twice")
		}
		seen[c.Key] = true
		if t := strings.TrimSpace(c.Title); t == "" || len([]rune(t)) > 200 {
			add(at+"title", "must be 1 to 200 characters")
		}
		money(at+"floor", c.Floor)
		money(at+"cap", c.Cap)
		if c.Floor != nil && c.Cap != nil && *c.Floor > *c.Cap {
			add(at+"cap", "must not be below floor")
		}
		switch c.Kind {
		case KindFixed:
			if c.Amount < 0 || c.Amount > maxMoney {
				add(at+"amount", "must be from 0 to 10^12 kopecks")
			}
		case KindPiece:
			checkRates(c, at, add)
		case KindKPI:
			checkKPI(c, at, add)
		case KindCommission:
			if p, ok := ParseDec(c.Percent); !ok || p.Sign() < 0 || p.Cmp(ratInt(100)) > 0 {
				add(at+"percent", "must be a decimal from 0 to 100 with at most 6 fraction digits")
			}
		default:
			add(at+"kind", "must be fixed, piece, kpi or commission")
		}
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

func checkRates(c Component, at string, add func(loc, msg string)) {
	if len(c.Rates) == 0 {
		add(at+"rates", "must hold at least one rate")
	}
	types := map[string]bool{}
	for j, r := range c.Rates {
		loc := fmt.Sprintf("%srates[%d].", at, j)
		if t := r.AssignmentType; t == "" || len(t) > 40 {
			add(loc+"assignment_type", "must be 1 to 40 characters (* for any other type)")
		} else if types[t] {
			add(loc+"assignment_type", "appears twice")
		}
		types[r.AssignmentType] = true
		if r.Rate < 0 || r.Rate > maxMoney {
			add(loc+"rate", "must be from 0 to 10^12 kopecks")
		}
	}
	if !slices.Contains([]string{ResubmissionsEach, ResubmissionsFirstOnly}, c.Resubmissions) {
		add(at+"resubmissions", "must be each or first_only")
	}
}

func checkKPI(c Component, at string, add func(loc, msg string)) {
	if !slices.Contains(Metrics, c.Metric) {
		add(at+"metric", "must be one of "+strings.Join(Metrics, ", "))
	}
	if c.Metric == MetricCompletion && (c.Module < 1 || c.Module > 100) {
		add(at+"module", "must be the module's position, 1 to 100")
	}
	if c.Direction != HigherIsBetter && c.Direction != LowerIsBetter {
		add(at+"direction", "must be higher or lower")
	}
	if c.MinSample < 0 || c.MinSample > 1_000_000 {
		add(at+"min_sample", "must be from 0 to 1000000")
	}
	if c.DefaultAmount < 0 || c.DefaultAmount > maxMoney {
		add(at+"default_amount", "must be from 0 to 10^12 kopecks")
	}
	if w, ok := ParseDec(c.Weight); !ok || w.Sign() < 0 || w.Cmp(ratInt(100)) > 0 {
		add(at+"weight", "must be a decimal from 0 to 100 with at most 6 fraction digits")
	}
	if !slices.Contains([]string{TiersStep, TiersProgressive, TiersInterpolated}, c.TierMode) {
		add(at+"tier_mode", "must be step, progressive or interpolated")
	}
	if len(c.Tiers) == 0 || len(c.Tiers) > 20 {
		add(at+"tiers", "must hold 1 to 20 tiers")
		return
	}
	type bound struct {
		i int
		t Tier
	}
	var tiers []bound
	for j, t := range c.Tiers {
		loc := fmt.Sprintf("%stiers[%d].", at, j)
		from, ok := ParseDec(t.From)
		if !ok {
			add(loc+"from", "must be a decimal with at most 6 fraction digits")
			continue
		}
		if t.To != "" {
			to, ok := ParseDec(t.To)
			if !ok {
				add(loc+"to", "must be a decimal with at most 6 fraction digits, or empty for the open last tier")
				continue
			}
			if to.Cmp(from) <= 0 {
				add(loc+"to", "must be above from")
				continue
			}
		}
		if t.Amount < 0 || t.Amount > maxMoney {
			add(loc+"amount", "must be from 0 to 10^12 kopecks")
		}
		tiers = append(tiers, bound{j, t})
	}
	if len(tiers) != len(c.Tiers) {
		return
	}
	sort.SliceStable(tiers, func(a, b int) bool { return mustDec(tiers[a].t.From).Cmp(mustDec(tiers[b].t.From)) < 0 })
	for k := 0; k+1 < len(tiers); k++ {
		cur, next := tiers[k], tiers[k+1]
		loc := fmt.Sprintf("%stiers[%d].", at, next.i)
		if cur.t.To == "" {
			add(fmt.Sprintf("%stiers[%d].to", at, cur.i), "only the highest tier may be open-ended")
			continue
		}
		switch mustDec(cur.t.To).Cmp(mustDec(next.t.From)) {
		case -1:
			add(loc+"from", fmt.Sprintf("leaves a gap after the tier ending at %s", cur.t.To))
		case 1:
			add(loc+"from", fmt.Sprintf("overlaps the tier ending at %s", cur.t.To))
		}
	}
}

// sortedTiers returns the tiers in ascending order of From.
func sortedTiers(ts []Tier) []Tier {
	out := slices.Clone(ts)
	sort.SliceStable(out, func(a, b int) bool { return mustDec(out[a].From).Cmp(mustDec(out[b].From)) < 0 })
	return out
}
