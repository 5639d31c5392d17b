package pay

import (
	"context"
	"math/big"
)

// sourceRow is rows a line is calculated from, before they are stored:
// N rows of one kind, their ids separated by spaces, each of which adds
// counted to the numerator (or the quantity, or the base) and weight to
// the denominator (or, for a piece line, is the rate paid).
type sourceRow struct {
	Kind, IDs       string
	N               int
	Counted, Weight *big.Rat
}

// oneRow is a single source row.
func oneRow(kind, id string, counted, weight *big.Rat) sourceRow {
	return sourceRow{Kind: kind, IDs: id, N: 1, Counted: counted, Weight: weight}
}

// tally adds sources up to a KPI value.
type tally struct {
	num, den *big.Rat
	sample   int
	rows     []sourceRow
}

func newTally() *tally { return &tally{num: new(big.Rat), den: new(big.Rat)} }

func (t *tally) add(kind, id string, counted, weight *big.Rat) {
	t.addRows(oneRow(kind, id, counted, weight))
}

// addRows adds a group of rows that count alike: n × counted and n ×
// weight, a sample of n.
func (t *tally) addRows(r sourceRow) {
	n := ratInt(int64(r.N))
	t.num.Add(t.num, new(big.Rat).Mul(r.Counted, n))
	t.den.Add(t.den, new(big.Rat).Mul(r.Weight, n))
	t.sample += r.N
	t.rows = append(t.rows, r)
}

// percent is 100 × num ÷ den, nil with no data (never 0).
func (t *tally) percent() *KPIValue {
	v := &KPIValue{Numerator: t.num, Denominator: t.den, Sample: t.sample}
	if t.den.Sign() > 0 {
		v.Value = new(big.Rat).Quo(new(big.Rat).Mul(t.num, ratInt(100)), t.den)
	}
	return v
}

// count is the number counted (cases, kopecks of revenue).
func (t *tally) count() *KPIValue {
	return &KPIValue{Value: new(big.Rat).Set(t.num), Numerator: t.num, Denominator: t.den, Sample: t.sample}
}

var one, zero = big.NewRat(1, 1), new(big.Rat)

func flag(b bool) *big.Rat {
	if b {
		return one
	}
	return zero
}

// metric is the value of a KPI component's metric for one person over the
// month, with the rows it was computed from. Each follows the product's
// definition, restricted to the person's students, clocks and reviews.
func (m *month) metric(ctx context.Context, userID string, c Component) (*KPIValue, []sourceRow, error) {
	t := newTally()
	switch c.Metric {
	case MetricCSI: // share of 4–5 answers of her students, the curator of the moment
		for _, a := range m.answers[userID] {
			t.add(SourceAnswer, a.ID, flag(a.Value >= 4), one)
		}
	case MetricSLA: // share of her clocks answered within target
		for _, g := range m.clocks[userID] {
			t.addRows(sourceRow{Kind: SourceClock, IDs: g.IDs, N: g.Count, Counted: flag(g.Compliant), Weight: one})
		}
	case MetricReviewQuality: // quality checks' points out of 20, as a percentage
		for _, ch := range m.checks[userID] {
			t.add(SourceCheck, ch.ID, ratInt(int64(ch.Points)), ratInt(20))
		}
	case MetricCasesText, MetricCasesVideo:
		kind := map[string]string{MetricCasesText: "text", MetricCasesVideo: "video"}[c.Metric]
		for _, cs := range m.cases[userID] {
			if cs.Kind == kind {
				t.add(SourceCase, cs.ID, one, one)
			}
		}
		return t.count(), t.rows, nil
	case MetricCompletion:
		if err := m.completion(ctx, userID, c.Module, t); err != nil {
			return nil, nil, err
		}
	case MetricRefundRate:
		m.refunds(userID, t)
	case MetricUpsellRevenue:
		for _, o := range m.upsells()[userID] {
			t.add(SourceOrder, o.ID, ratInt(net(o)), one)
		}
		return t.count(), t.rows, nil
	}
	return t.percent(), t.rows, nil
}

// completion: the share of her enrollments, weighted by the days she held
// each in the month, whose student had submitted module N's homework by
// the month's end.
func (m *month) completion(ctx context.Context, userID string, position int, t *tally) error {
	submitted, err := m.submissions(ctx, position)
	if err != nil {
		return err
	}
	for _, c := range m.curations[userID] {
		_, done := submitted[ModuleKey{CourseID: c.CourseID, StudentID: c.StudentID}]
		w := m.weight(c)
		t.add(SourceEnrollment, c.EnrollmentID, new(big.Rat).Mul(w, flag(done)), w)
	}
	return nil
}

// refunds: of her paid enrollments (an order of the student for the
// enrollment's cohort paid by the month's end), weighted by days held,
// the share refunded during the month.
func (m *month) refunds(userID string, t *tally) {
	type paid struct{ refunded bool }
	byEnrollment := map[string]*paid{}
	for _, o := range m.orders {
		if o.CohortID == nil {
			continue
		}
		for _, c := range m.byStudent[o.StudentID] {
			if c.CuratorID != userID || c.CohortID != *o.CohortID {
				continue
			}
			p := byEnrollment[c.EnrollmentID]
			if p == nil {
				p = &paid{}
				byEnrollment[c.EnrollmentID] = p
			}
			for _, r := range o.Refunds {
				if !r.At.Before(m.From) && r.At.Before(m.To) {
					p.refunded = true
				}
			}
		}
	}
	for _, c := range m.curations[userID] {
		if p, ok := byEnrollment[c.EnrollmentID]; ok {
			w := m.weight(c)
			t.add(SourceEnrollment, c.EnrollmentID, new(big.Rat).Mul(w, flag(p.refunded)), w)
		}
	}
}
