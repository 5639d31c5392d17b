package pay

import (
	"context"
	"math/big"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"
)

// month is everything one calendar month's statements are calculated
// from, read once from the other modules and grouped by person.
type month struct {
	Name     string // YYYY-MM
	First    time.Time
	From, To time.Time // [From, To) in the school's time zone
	Days     int
	loc      *time.Location

	assignments []Assignment              // whose statements the month is read for
	versions    map[string]*SchemeVersion // the versions they assign, by id

	parts     []time.Time // where each part of the month begins (see cutsOf)
	reviews   map[string][]ReviewGroup
	clocks    map[string][]ClockGroup
	answers   map[string][]AnswerFact
	checks    map[string][]CheckFact
	cases     map[string][]CaseFact
	curations map[string][]CurationFact    // by curator
	held      map[string]time.Duration     // enrollment → time any curator held it in the month
	byStudent map[string][]CurationFact    // student → the month's curations
	orders    []OrderFact                  // paid before To
	modules   map[int]map[ModuleKey]string // module position → first submissions
	upsold    map[string][]OrderFact       // curator → the month's upsells, made once
	facts     Facts
	orgID     string
}

// monthBounds is the calendar month name (YYYY-MM) in loc.
func monthBounds(name string, loc *time.Location) (first time.Time, days int, ok bool) {
	t, err := time.ParseInLocation("2006-01", name, loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, 0, false
	}
	return t, t.AddDate(0, 1, -1).Day(), true
}

// readMonth reads the month's facts for the assignments' stretches and
// the components of their scheme versions.
func readMonth(ctx context.Context, f Facts, orgID, name string, loc *time.Location, as []Assignment, versions map[string]*SchemeVersion) (*month, error) {
	first, days, _ := monthBounds(name, loc)
	m := &month{Name: name, First: first, From: first, To: first.AddDate(0, 1, 0), Days: days, loc: loc, facts: f, orgID: orgID,
		assignments: as, versions: versions, reviews: map[string][]ReviewGroup{}, clocks: map[string][]ClockGroup{}, answers: map[string][]AnswerFact{},
		checks: map[string][]CheckFact{}, cases: map[string][]CaseFact{}, curations: map[string][]CurationFact{},
		held: map[string]time.Duration{}, byStudent: map[string][]CurationFact{}, modules: map[int]map[ModuleKey]string{}}
	cuts := m.cutsOf(as)
	m.parts = append([]time.Time{m.From}, cuts...)
	// The reads are independent and each fills its own maps: run at once,
	// the database answers one while this process scans another.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return f.ReviewGroups(ctx, orgID, m.From, m.To, cuts, func(r ReviewGroup) {
			m.reviews[r.ReviewerID] = append(m.reviews[r.ReviewerID], r)
		})
	})
	g.Go(func() error {
		err := f.ClockGroups(ctx, orgID, m.From, m.To, func(c ClockGroup) { m.clocks[c.CuratorID] = append(m.clocks[c.CuratorID], c) })
		if err != nil {
			return err
		}
		for _, position := range completionModules(as, versions) {
			if _, err := m.submissions(ctx, position); err != nil {
				return err
			}
		}
		return nil
	})
	g.Go(func() error {
		err := f.Answers(ctx, orgID, m.From, m.To, func(a AnswerFact) {
			if a.CuratorID != nil {
				m.answers[*a.CuratorID] = append(m.answers[*a.CuratorID], a)
			}
		})
		if err != nil {
			return err
		}
		return m.readLists(ctx)
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return m, nil
}

// completionModules are the positions of the modules whose completion the
// assigned versions pay for.
func completionModules(as []Assignment, versions map[string]*SchemeVersion) []int {
	seen := map[int]bool{}
	var out []int
	for _, a := range as {
		v := versions[a.SchemeVersionID]
		if v == nil {
			continue
		}
		for _, c := range v.Spec.Components {
			if c.Kind == KindKPI && c.Metric == MetricCompletion && !seen[c.Module] {
				seen[c.Module] = true
				out = append(out, c.Module)
			}
		}
	}
	return out
}

// cutsOf is every instant inside the month where someone's stretch begins
// or ends, ascending: the parts they divide the month into each lie
// within one stretch of every person, so the facts of a part can be read
// as groups and still be paid by the right scheme version.
func (m *month) cutsOf(as []Assignment) []time.Time {
	seen := map[int64]time.Time{}
	for _, list := range assignmentsByUser(as) {
		for _, st := range Stretches(list, m.First, m.Days) {
			from, to := m.bounds(st)
			for _, t := range []time.Time{from, to} {
				if t.After(m.From) && t.Before(m.To) {
					seen[t.Unix()] = t
				}
			}
		}
	}
	cuts := make([]time.Time, 0, len(seen))
	for _, t := range seen {
		cuts = append(cuts, t)
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Before(cuts[j]) })
	return cuts
}

// partWithin reports whether the part of the month begins in [from, to);
// as a stretch's bounds are cuts, the whole part then lies within it.
func (m *month) partWithin(part int, from, to time.Time) bool {
	if part < 0 || part >= len(m.parts) {
		return false
	}
	start := m.parts[part]
	return !start.Before(from) && start.Before(to)
}

func assignmentsByUser(as []Assignment) map[string][]Assignment {
	out := map[string][]Assignment{}
	for _, a := range as {
		out[a.UserID] = append(out[a.UserID], a)
	}
	return out
}

func (m *month) readLists(ctx context.Context) error {
	checks, err := m.facts.Checks(ctx, m.orgID, m.From, m.To)
	if err != nil {
		return err
	}
	for _, c := range checks {
		m.checks[c.CuratorID] = append(m.checks[c.CuratorID], c)
	}
	cases, err := m.facts.Cases(ctx, m.orgID, m.From, m.To)
	if err != nil {
		return err
	}
	for _, c := range cases {
		m.cases[c.CuratorID] = append(m.cases[c.CuratorID], c)
	}
	curations, err := m.facts.Curations(ctx, m.orgID, m.From, m.To)
	if err != nil {
		return err
	}
	for _, c := range curations {
		m.curations[c.CuratorID] = append(m.curations[c.CuratorID], c)
		m.byStudent[c.StudentID] = append(m.byStudent[c.StudentID], c)
		m.held[c.EnrollmentID] += c.To.Sub(c.From)
	}
	m.orders, err = m.facts.Orders(ctx, m.orgID, m.To)
	return err
}

// submissions reads, once, who submitted the module at position.
func (m *month) submissions(ctx context.Context, position int) (map[ModuleKey]string, error) {
	if s, ok := m.modules[position]; ok {
		return s, nil
	}
	s, err := m.facts.ModuleSubmissions(ctx, m.orgID, position, m.To)
	if err != nil {
		return nil, err
	}
	m.modules[position] = s
	return s, nil
}

// weight is the curator's share of an enrollment in the month: the time
// she held it over the time anyone held it. A student who changed curator
// on the 11th of a 30-day month counts 10/30 for the first and 20/30 for
// the second; a sole curator counts 1 however late the enrollment began.
func (m *month) weight(c CurationFact) *big.Rat {
	total := m.held[c.EnrollmentID]
	if total <= 0 {
		return new(big.Rat)
	}
	return big.NewRat(int64(c.To.Sub(c.From)/time.Second), int64(total/time.Second))
}

// upsells are the orders paid in the month by a student who had paid an
// earlier order, each attributed to the curator who held one of the
// student's enrollments when it was paid (the latest-begun, when several).
// The base is the order less every refund of it known at calculation.
func (m *month) upsells() map[string][]OrderFact {
	if m.upsold != nil {
		return m.upsold
	}
	out := map[string][]OrderFact{}
	paidBefore := map[string]bool{}
	orders := append([]OrderFact(nil), m.orders...)
	sort.SliceStable(orders, func(i, j int) bool { return orders[i].PaidAt.Before(orders[j].PaidAt) })
	for _, o := range orders {
		repeat := paidBefore[o.StudentID]
		paidBefore[o.StudentID] = true
		if !repeat || o.PaidAt.Before(m.From) || !o.PaidAt.Before(m.To) {
			continue
		}
		if curator := m.curatorAt(o.StudentID, o.PaidAt); curator != "" {
			out[curator] = append(out[curator], o)
		}
	}
	m.upsold = out
	return out
}

// bounds is a stretch's days as the instants [from, to) in the school's
// time zone.
func (m *month) bounds(st Stretch) (from, to time.Time) {
	from, _ = time.ParseInLocation(dateLayout, st.From, m.loc)
	to, _ = time.ParseInLocation(dateLayout, st.To, m.loc)
	return from, to.AddDate(0, 0, 1)
}

func (m *month) curatorAt(studentID string, at time.Time) string {
	var best *CurationFact
	for i, c := range m.byStudent[studentID] {
		if !at.Before(c.From) && at.Before(c.To) && (best == nil || c.From.After(best.From)) {
			best = &m.byStudent[studentID][i]
		}
	}
	if best == nil {
		return ""
	}
	return best.CuratorID
}

// net is an order's amount less its refunds.
func net(o OrderFact) int64 {
	n := o.Amount
	for _, r := range o.Refunds {
		n -= r.Amount
	}
	return n
}
