package scorecard

import (
	"context"
	"time"
)

// reference is the school data both periods of a scorecard share.
type reference struct {
	loc         *time.Location
	cohorts     map[string]Cohort
	courseNames map[string]string
	// started are the enrollments of the cohorts that started in one of
	// the periods (completion's); byPlace holds those and the enrollments
	// of the cohorts paid for in the periods (the refund rate's), by
	// (student, cohort). No other enrollment is read.
	started []Enrollment
	byPlace map[[2]string]*Enrollment
	read    map[string]bool // cohorts whose enrollments are read
	// moduleN is the id of module N of each course that has one, and
	// submitters the students who submitted each of those modules.
	moduleN    map[string]string
	submitters map[string]map[string]struct{}
}

// span is a period [from, to).
type span struct{ from, to time.Time }

// loadCohorts reads the school's time zone and cohorts, which the rest of
// the reads depend on.
func (s *Service) loadCohorts(ctx context.Context, orgID string) (*reference, error) {
	loc, err := s.people.Location(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ref := &reference{loc: loc, cohorts: map[string]Cohort{}, byPlace: map[[2]string]*Enrollment{}, read: map[string]bool{},
		moduleN: map[string]string{}}
	cohorts, err := s.school.Cohorts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, c := range cohorts {
		ref.cohorts[c.ID] = c
	}
	return ref, nil
}

// startsIn reports whether a cohort started in [from, to), in the school's
// time zone; a cohort with no valid start date never did.
func (r *reference) startsIn(c Cohort, from, to time.Time) (time.Time, bool) {
	start, err := time.ParseInLocation(time.DateOnly, c.StartsOn, r.loc)
	if err != nil || start.Before(from) || !start.Before(to) {
		return start, false
	}
	return start, true
}

// readReference starts the reads of the school data the scorecard groups
// by: the course names, module N and its submitters, and the enrollments
// of the cohorts that started in the periods.
func (s *Service) readReference(g *readGroup, orgID string, ref *reference, module int, periods []span) {
	g.Go(func(ctx context.Context) error {
		names, err := s.school.CourseNames(ctx, orgID)
		ref.courseNames = names
		return err
	})
	g.Go(func(ctx context.Context) error {
		courses := map[string]bool{}
		for _, c := range ref.cohorts {
			courses[c.CourseID] = true
		}
		moduleN := map[string]string{}
		var moduleIDs []string
		for id := range courses {
			modules, err := s.school.CourseModules(ctx, orgID, id)
			if err != nil {
				return err
			}
			for _, m := range modules {
				if m.Position == module {
					moduleN[id] = m.ID
					moduleIDs = append(moduleIDs, m.ID)
				}
			}
		}
		// Only module N's submitters are read: completion needs no other, and
		// reading every module's would walk the whole homework history.
		submitters, err := s.homework.Submitters(ctx, orgID, moduleIDs)
		ref.moduleN, ref.submitters = moduleN, submitters
		return err
	})
	var started []string
	for id, c := range ref.cohorts {
		for _, p := range periods {
			if _, ok := ref.startsIn(c, p.from, p.to); ok {
				started = append(started, id)
				break
			}
		}
	}
	for _, id := range started {
		ref.read[id] = true
	}
	if len(started) == 0 {
		return
	}
	g.Go(func(ctx context.Context) error {
		rows, err := s.school.Enrollments(ctx, orgID, started)
		ref.started = rows
		return err
	})
}

// index files the enrollments read by (student, cohort).
func (r *reference) index(rows []Enrollment) {
	for i := range rows {
		e := &rows[i]
		r.byPlace[[2]string{e.StudentID, e.CohortID}] = e
	}
}

// readPaidEnrollments reads the enrollments not read yet of the cohorts
// with an order paid or refunded in a period: the money of such an order
// counts for the enrollment's curator. The ledger's other orders (the
// payers' earlier ones) count only in their lifetime value, which needs no
// curator.
func (s *Service) readPaidEnrollments(ctx context.Context, orgID string, ref *reference, periods []*periodRead) error {
	var missing []string
	for _, p := range periods {
		for _, o := range p.orders {
			if o.CohortID != nil && !ref.read[*o.CohortID] && o.countsIn(p.from, p.to) {
				ref.read[*o.CohortID] = true
				missing = append(missing, *o.CohortID)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	rows, err := s.school.Enrollments(ctx, orgID, missing)
	if err != nil {
		return err
	}
	ref.index(rows)
	return nil
}

// course is a cohort's course, "" for an unknown cohort.
func (r *reference) course(cohortID string) string { return r.cohorts[cohortID].CourseID }

// periodRead is what is read of one period: a tally per read, so that the
// reads run at once without sharing one, and the ledger.
type periodRead struct {
	span
	parts  []*tally
	orders []Order
}

// readFacts starts the reads of every fact of the period, each into a
// tally of its own.
func (s *Service) readFacts(g *readGroup, orgID string, grouping grouper, p *periodRead) {
	for _, step := range []func(context.Context, string, *tally, time.Time, time.Time) error{
		s.collectReviews, s.collectResponses, s.collectScores, s.collectChecks, s.collectCases, s.collectQuality,
	} {
		t := newTally(grouping)
		p.parts = append(p.parts, t)
		g.Go(func(ctx context.Context) error { return step(ctx, orgID, t, p.from, p.to) })
	}
	g.Go(func(ctx context.Context) error {
		orders, err := s.school.Ledger(ctx, orgID, p.from, p.to)
		p.orders = orders
		return err
	})
}

func (s *Service) collectScores(ctx context.Context, orgID string, t *tally, from, to time.Time) error {
	return s.surveys.Scores(ctx, orgID, from, to, func(sc Score) {
		t.add(dims{cohort: sc.CohortID, course: sc.CourseID, curator: sc.CuratorID, at: sc.At}, func(a *acc) {
			switch sc.Scale {
			case "csi":
				a.csiAnswers++
				if sc.Value >= 4 {
					a.csiSatisfied++
				}
			case "nps":
				switch {
				case sc.Value >= 9:
					a.promoters++
				case sc.Value <= 6:
					a.detractors++
				default:
					a.passives++
				}
			}
		})
	})
}

func (s *Service) collectResponses(ctx context.Context, orgID string, t *tally, from, to time.Time) error {
	return s.sla.Responses(ctx, orgID, from, to, func(r Response) {
		t.add(dims{cohort: r.CohortID, course: r.CourseID, curator: idOrNil(r.CuratorID), at: r.At}, func(a *acc) {
			if r.Item {
				a.items++
			}
			if r.Compliant {
				a.compliant++
			}
			if r.Seconds != nil {
				a.responseSeconds = append(a.responseSeconds, *r.Seconds)
			}
		})
	})
}

func (s *Service) collectReviews(ctx context.Context, orgID string, t *tally, from, to time.Time) error {
	return s.homework.Reviews(ctx, orgID, from, to, func(r Review) {
		t.add(dims{cohort: r.CohortID, course: r.CourseID, curator: r.ReviewerID, at: r.At}, func(a *acc) {
			a.reviewed++
			if r.InTime {
				a.reviewedInTime++
			}
			if r.Seconds != nil {
				a.reviewSeconds = append(a.reviewSeconds, *r.Seconds)
			}
		})
	})
}

func (s *Service) collectChecks(ctx context.Context, orgID string, t *tally, from, to time.Time) error {
	checks, err := s.homework.Checks(ctx, orgID, from, to)
	if err != nil {
		return err
	}
	for _, c := range checks {
		t.add(dims{cohort: c.CohortID, course: c.CourseID, curator: &c.CuratorID, at: c.At}, func(a *acc) {
			a.checks++
			a.checkSum += c.Percent
		})
	}
	return nil
}

// collectCompletion counts module N of the cohorts that started in the
// period, each enrollment under its curator now and the cohort's start.
func (s *Service) collectCompletion(ref *reference, t *tally, from, to time.Time) {
	for i := range ref.started {
		e := &ref.started[i]
		c, ok := ref.cohorts[e.CohortID]
		if !ok {
			continue
		}
		start, ok := ref.startsIn(c, from, to)
		if !ok {
			continue
		}
		module, ok := ref.moduleN[c.CourseID]
		if !ok {
			continue
		}
		_, done := ref.submitters[module][e.StudentID]
		active := e.Status == "active" || e.Status == "completed"
		t.add(dims{cohort: c.ID, course: c.CourseID, curator: e.CuratorID, at: start}, func(a *acc) {
			a.enrolled++
			if done {
				a.enrolledDone++
			}
			if active {
				a.active++
				if done {
					a.activeDone++
				}
			}
		})
	}
}

func (s *Service) collectCases(ctx context.Context, orgID string, t *tally, from, to time.Time) error {
	if s.cases == nil {
		return nil
	}
	cases, err := s.cases.CollectedCases(ctx, orgID, from, to)
	if err != nil {
		return err
	}
	for _, c := range cases {
		t.add(dims{cohort: c.CohortID, course: c.CourseID, curator: c.CuratorID, at: c.SubmittedAt}, func(a *acc) {
			if c.Video {
				a.casesVideo++
			} else {
				a.casesText++
			}
		})
	}
	return nil
}

// collectQuality adds the curators' conversation quality. The quality
// module scores curators, not cohorts or months, so it counts only in the
// total and the curators' rows, and not under a cohort or course filter.
func (s *Service) collectQuality(ctx context.Context, orgID string, t *tally, from, to time.Time) error {
	if !t.qualityApplies(s.quality != nil) {
		return nil
	}
	scores, err := s.quality.CuratorScores(ctx, orgID, from, to)
	if err != nil {
		return err
	}
	for _, q := range scores {
		t.add(dims{curator: &q.CuratorID, at: from}, func(a *acc) {
			a.qualityReviews += q.Reviews
			a.qualityPoints += q.Points
			a.qualityMax += q.MaxPoints
		})
	}
	return nil
}

// qualityApplies reports whether conversation quality has a meaning in
// the tally's rows.
func (t *tally) qualityApplies(connected bool) bool {
	return connected && t.g.cohortID == "" && t.g.courseID == "" && (t.g.by == ByNone || t.g.by == ByCurator)
}

// collectLedger counts the money of the period's ledger: the enrollments
// paid in the period and whether they were refunded, the period's revenue
// and payers, and each payer's lifetime.
func (s *Service) collectLedger(ctx context.Context, orgID string, ref *reference, t *tally, orders []Order, from, to time.Time) (map[string]lifetime, error) {
	lives := map[string]lifetime{}
	paid := map[[2]string]*paidEnrollment{}
	var order [][2]string
	for _, o := range orders {
		refunded := o.refunded()
		l := lives[o.StudentID]
		l.net += o.Amount - refunded
		if refunded < o.Amount {
			l.liveOrders++
		}
		lives[o.StudentID] = l
		if o.CohortID == nil {
			continue
		}
		place := [2]string{o.StudentID, *o.CohortID}
		p := paid[place]
		if p == nil {
			p = &paidEnrollment{}
			paid[place] = p
		}
		p.counted = p.counted || o.countsIn(from, to)
		if inPeriod(o.PaidAt, from, to) && (p.firstPaid.IsZero() || o.PaidAt.Before(p.firstPaid)) {
			if p.firstPaid.IsZero() {
				order = append(order, place)
			}
			p.firstPaid = o.PaidAt
		}
		for _, r := range o.Refunds {
			if p.firstRefund == nil || r.At.Before(*p.firstRefund) {
				p.firstRefund = &r.At
			}
		}
	}
	curators, err := s.paidCurators(ctx, orgID, ref, paid)
	if err != nil {
		return nil, err
	}
	for _, place := range order {
		p := paid[place]
		d := dims{cohort: place[1], course: ref.course(place[1]), curator: curators[place], at: p.firstPaid}
		t.add(d, func(a *acc) {
			a.paidEnrollments++
			if p.firstRefund != nil {
				a.refundedEnrollment++
			}
		})
	}
	for _, o := range orders {
		d := dims{course: deref(o.CourseID)}
		if o.CohortID != nil {
			d.cohort, d.curator = *o.CohortID, curators[[2]string{o.StudentID, *o.CohortID}]
		}
		if inPeriod(o.PaidAt, from, to) {
			d.at = o.PaidAt
			t.add(d, func(a *acc) { a.revenue += o.Amount; a.payers[o.StudentID] = struct{}{} })
		}
		for _, r := range o.Refunds {
			if inPeriod(r.At, from, to) {
				d.at = r.At
				t.add(d, func(a *acc) { a.revenue -= r.Amount })
			}
		}
	}
	return lives, nil
}

// paidEnrollment is an enrollment as the refund rate sees it: when it was
// first paid in the period (zero: not paid in it) and first refunded.
type paidEnrollment struct {
	firstPaid   time.Time
	firstRefund *time.Time
	// counted: an order of the enrollment was paid or refunded in the
	// period, so its curator is needed.
	counted bool
}

// countsIn reports whether the order was paid or refunded in [from, to):
// whether its money counts in the period's rows.
func (o *Order) countsIn(from, to time.Time) bool {
	if inPeriod(o.PaidAt, from, to) {
		return true
	}
	for _, r := range o.Refunds {
		if inPeriod(r.At, from, to) {
			return true
		}
	}
	return false
}

// paidCurators is the curator each enrollment counted in the period counts
// for: for a refunded one, the curator at its first refund (from the
// curator history); for the others, the curator now.
func (s *Service) paidCurators(ctx context.Context, orgID string, ref *reference, paid map[[2]string]*paidEnrollment) (map[[2]string]*string, error) {
	out := map[[2]string]*string{}
	var refunded []string
	for place, p := range paid {
		e := ref.byPlace[place]
		if e == nil || !p.counted {
			continue
		}
		out[place] = e.CuratorID
		if p.firstRefund != nil {
			refunded = append(refunded, e.ID)
		}
	}
	if len(refunded) == 0 {
		return out, nil
	}
	histories, err := s.school.CuratorHistories(ctx, orgID, refunded)
	if err != nil {
		return nil, err
	}
	for place, p := range paid {
		if e := ref.byPlace[place]; e != nil && p.counted && p.firstRefund != nil {
			out[place] = curatorAt(histories[e.ID], e.CuratorID, *p.firstRefund)
		}
	}
	return out, nil
}

// curatorAt is the curator of a moment from a history sorted oldest first
// (the surveys module's rule): the last change made at or before it;
// before the first change, whom that change replaced, or when it replaced
// nobody, that first curator; with no history, the curator now.
func curatorAt(history []CuratorChange, now *string, at time.Time) *string {
	if len(history) == 0 {
		return now
	}
	cur := history[0].Previous
	if cur == nil {
		cur = history[0].CuratorID
	}
	for _, h := range history {
		if h.At.After(at) {
			break
		}
		cur = h.CuratorID
	}
	return cur
}

func (o *Order) refunded() int64 {
	var sum int64
	for _, r := range o.Refunds {
		sum += r.Amount
	}
	return sum
}

func inPeriod(at, from, to time.Time) bool { return !at.Before(from) && at.Before(to) }

func idOrNil(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
