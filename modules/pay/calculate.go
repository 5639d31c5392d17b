package pay

import (
	"context"
	"math/big"
	"sort"
)

// draft is one person's statement as calculated, before it is stored.
type draft struct {
	UserID string
	Lines  []draftLine
	Total  int64
}

// draftLine is a calculated line with what the stored line needs beside it.
type draftLine struct {
	Line
	Key                    string
	Metric                 string
	Numerator, Denominator string
	VersionID              string
	From, To               string
	CorrectionOf           *string
	Sources                []sourceRow
}

// calculate makes the statement of every person the month was read for
// from its facts and the scheme versions assigned, stretch by stretch.
func calculate(ctx context.Context, m *month) ([]draft, error) {
	byUser := assignmentsByUser(m.assignments)
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	sort.Strings(users)
	var out []draft
	for _, u := range users {
		stretches := Stretches(byUser[u], m.First, m.Days)
		if len(stretches) == 0 {
			continue
		}
		d, err := m.statement(ctx, u, stretches)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// statement calculates one person's lines: each component of each
// stretch's version, then the total's floor or cap (the month's last
// version's) as a line of its own.
func (m *month) statement(ctx context.Context, userID string, stretches []Stretch) (draft, error) {
	d := draft{UserID: userID}
	kpis := map[string]kpiResult{}
	var last Spec
	for _, st := range stretches {
		v := m.versions[st.VersionID]
		if v == nil {
			continue
		}
		last = v.Spec
		share := big.NewRat(int64(st.Days), int64(m.Days))
		for _, c := range v.Spec.Components {
			l, err := m.component(ctx, userID, st, share, c, kpis)
			if err != nil {
				return d, err
			}
			l.VersionID, l.From, l.To = v.ID, st.From, st.To
			l.Key = c.Key + "@" + st.From
			d.Lines = append(d.Lines, l)
		}
	}
	d.Total = sumLines(d.Lines)
	plain := make([]Line, len(d.Lines))
	for i, l := range d.Lines {
		plain[i] = l.Line
	}
	if total, extra := Total(last, plain); extra != nil {
		d.Lines = append(d.Lines, draftLine{Line: *extra, Key: extra.Component})
		d.Total = total
	}
	return d, nil
}

type kpiResult struct {
	value *KPIValue
	rows  []sourceRow
}

// component calculates one component over one stretch. A KPI's metric is
// the month's, computed once however many stretches pay it.
func (m *month) component(ctx context.Context, userID string, st Stretch, share *big.Rat, c Component, kpis map[string]kpiResult) (draftLine, error) {
	switch c.Kind {
	case KindPiece:
		counts, rows := m.pieceReviews(userID, st, c)
		return draftLine{Line: Evaluate(c, Input{Share: share, Reviews: counts}), Sources: rows}, nil
	case KindKPI:
		key := c.Metric + "/" + FormatDec(ratInt(int64(c.Module)), 0)
		r, ok := kpis[key]
		if !ok {
			v, rows, err := m.metric(ctx, userID, c)
			if err != nil {
				return draftLine{}, err
			}
			r = kpiResult{v, rows}
			kpis[key] = r
		}
		l := draftLine{Line: Evaluate(c, Input{Share: share, KPI: r.value}), Metric: c.Metric, Sources: r.rows}
		l.Numerator, l.Denominator = FormatDec(r.value.Numerator, 6), FormatDec(r.value.Denominator, 6)
		return l, nil
	case KindCommission:
		base, rows := m.commissionBase(userID, st, c)
		return draftLine{Line: Evaluate(c, Input{Share: share, CommissionBase: base}), Sources: rows}, nil
	}
	return draftLine{Line: Evaluate(c, Input{Share: share})}, nil
}

// pieceReviews counts the person's reviews of the stretch that a piece
// rate pays: not overturned by quality control, and with first_only only
// the reviews of first submissions. A review whose assignment kind has no
// rate (and no "*" rate) is not paid and not a source.
func (m *month) pieceReviews(userID string, st Stretch, c Component) (map[string]int64, []sourceRow) {
	rates := map[string]int64{}
	for _, r := range c.Rates {
		rates[r.AssignmentType] = r.Rate
	}
	paid := map[string]*big.Rat{} // one value per rate, shared by its rows
	counts := map[string]int64{}
	var rows []sourceRow
	from, to := m.bounds(st)
	for _, g := range m.reviews[userID] {
		if !m.partWithin(g.Part, from, to) || g.Overturned || (c.Resubmissions == ResubmissionsFirstOnly && g.Resubmission) {
			continue
		}
		rate, ok := rates[g.AssignmentKind]
		if !ok {
			if rate, ok = rates["*"]; !ok {
				continue
			}
		}
		if paid[g.AssignmentKind] == nil {
			paid[g.AssignmentKind] = ratInt(rate)
		}
		counts[g.AssignmentKind] += int64(g.Count)
		rows = append(rows, sourceRow{Kind: SourceReview, IDs: g.IDs, N: g.Count, Counted: one, Weight: paid[g.AssignmentKind]})
	}
	return counts, rows
}

// commissionBase is the net upsell revenue attributed to the person and
// paid during the stretch.
func (m *month) commissionBase(userID string, st Stretch, c Component) (int64, []sourceRow) {
	var base int64
	var rows []sourceRow
	p := mustDec(c.Percent)
	from, to := m.bounds(st)
	for _, o := range m.upsells()[userID] {
		if o.PaidAt.Before(from) || !o.PaidAt.Before(to) {
			continue
		}
		base += net(o)
		rows = append(rows, oneRow(SourceOrder, o.ID, ratInt(net(o)), p))
	}
	return base, rows
}

func sumLines(lines []draftLine) int64 {
	var sum int64
	for _, l := range lines {
		sum += l.Amount
	}
	return sum
}
