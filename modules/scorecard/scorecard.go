package scorecard

import (
	"context"
	"time"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Query asks for a scorecard: the period [From, To), optionally compared
// with [CompareFrom, CompareTo), broken down and filtered.
type Query struct {
	From, To               time.Time
	CompareFrom, CompareTo *time.Time
	Breakdown              string
	CohortID               string
	CourseID               string
	CuratorID              string
	// Module is the position of the module whose completion is shown.
	Module int
}

// DefaultModule is the module whose completion the scorecard shows unless
// asked for another: the third, where the reference school measured it.
const DefaultModule = 3

// maxPeriod bounds a period to about a year and a bit.
const maxPeriod = 400 * 24 * time.Hour

// Row is the figures of one row for the period, and for the comparison
// period with the change when one was asked for. Names stand beside ids.
type Row struct {
	Key         string   `json:"key" doc:"The cohort, course or curator id, the month (2026-03), none for what has none, or total."`
	CohortID    *string  `json:"cohort_id,omitempty"`
	CohortName  *string  `json:"cohort_name,omitempty"`
	CourseID    *string  `json:"course_id,omitempty"`
	CourseName  *string  `json:"course_name,omitempty"`
	CuratorID   *string  `json:"curator_id,omitempty"`
	CuratorName *string  `json:"curator_name,omitempty"`
	Month       *string  `json:"month,omitempty"`
	Period      Figures  `json:"period"`
	Compare     *Figures `json:"compare,omitempty" doc:"The comparison period's figures; absent when none was asked for."`
	Change      *Change  `json:"change,omitempty" doc:"period − compare."`
}

// Scorecard is the table: a total row and one row per group.
type Scorecard struct {
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	CompareFrom *time.Time `json:"compare_from,omitempty"`
	CompareTo   *time.Time `json:"compare_to,omitempty"`
	Breakdown   string     `json:"breakdown" enum:"none,cohort,course,curator,month"`
	Module      int        `json:"module" doc:"The module whose completion is shown."`
	CohortID    *string    `json:"cohort_id,omitempty"`
	CourseID    *string    `json:"course_id,omitempty"`
	CuratorID   *string    `json:"curator_id,omitempty"`
	Hidden      []string   `json:"hidden" doc:"Figure groups the caller may not see: service (needs scorecard_service:read_all), money (needs scorecard_money:read_all)."`
	Notes       []string   `json:"notes" doc:"What is not available and why."`
	Total       Row        `json:"total"`
	Rows        []Row      `json:"rows" doc:"One per group of the breakdown; empty for breakdown none."`
}

// check refuses a query that is not a sensible period.
func (q *Query) check() error {
	if q.Breakdown == "" {
		q.Breakdown = ByNone
	}
	if q.Module == 0 {
		q.Module = DefaultModule
	}
	switch {
	case q.From.IsZero():
		return errs.Invalid("query.from", "is required")
	case q.To.IsZero():
		return errs.Invalid("query.to", "is required")
	}
	if err := checkPeriod("query.from", "query.to", q.From, q.To); err != nil {
		return err
	}
	switch {
	case q.CompareFrom == nil && q.CompareTo == nil:
		return nil
	case q.CompareFrom == nil:
		return errs.Invalid("query.compare_from", "is required with compare_to")
	case q.CompareTo == nil:
		return errs.Invalid("query.compare_to", "is required with compare_from")
	}
	return checkPeriod("query.compare_from", "query.compare_to", *q.CompareFrom, *q.CompareTo)
}

func checkPeriod(fromField, toField string, from, to time.Time) error {
	if err := clock.CheckPlan(fromField, from); err != nil {
		return err
	}
	if err := clock.CheckPlan(toField, to); err != nil {
		return err
	}
	if !to.After(from) {
		return errs.Invalid(toField, "must be after "+fromField[len("query."):])
	}
	if to.Sub(from) > maxPeriod {
		return errs.Invalid(toField, "a period covers at most 400 days")
	}
	return nil
}

// allowed says whether the caller's roles grant object:action; the
// application itself (no school access in the context) may do anything.
func allowed(ctx context.Context, object, action string) bool {
	m := reqctx.From(ctx)
	return m.Org == nil || m.Org.Allowed(object, action)
}

// School computes the scorecard for the whole school or any slice of it.
// Who may see what is the policy's: the school's totals and its cohort,
// course and month rows need scorecard_school:read_all; without it (a
// senior curator) only the curators' rows and one curator's figures,
// which need scorecard_curators:read_all. Service figures need
// scorecard_service:read_all, money figures scorecard_money:read_all.
func (s *Service) School(ctx context.Context, orgID string, q Query) (*Scorecard, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	if !allowed(ctx, "scorecard_school", "read_all") {
		if !allowed(ctx, "scorecard_curators", "read_all") {
			return nil, errs.Forbidden("the school's scorecard is the head's; ask for your own with the curator scorecard")
		}
		if q.Breakdown != ByCurator && q.CuratorID == "" {
			return nil, errs.Forbidden("you may read the curators' figures: breakdown=curator or a curator_id")
		}
	}
	show := visibility{service: allowed(ctx, "scorecard_service", "read_all"), money: allowed(ctx, "scorecard_money", "read_all")}
	return s.compute(ctx, orgID, q, show)
}

// Curator computes one curator's scorecard, broken down by cohort: her
// students' CSI, NPS and completion, her response and review figures,
// quality, cases and the refunds among her students. She reads her own
// (scorecard_curator:read_own); those with scorecard_curators:read_all
// read anyone's. Money figures need scorecard_money:read_all.
func (s *Service) Curator(ctx context.Context, orgID, curatorID string, q Query) (*Scorecard, error) {
	if !allowed(ctx, "scorecard_curators", "read_all") && reqctx.From(ctx).Principal.ActorID() != curatorID {
		return nil, errs.Forbidden("a curator reads her own scorecard; her seniors and the head read anyone's")
	}
	q.CuratorID, q.CohortID, q.CourseID = curatorID, "", ""
	if q.Breakdown == "" {
		q.Breakdown = ByCohort
	}
	if err := q.check(); err != nil {
		return nil, err
	}
	if q.Breakdown == ByCurator {
		return nil, errs.Invalid("query.breakdown", "one curator's scorecard is broken down by cohort, course or month")
	}
	return s.compute(ctx, orgID, q, visibility{service: true, money: allowed(ctx, "scorecard_money", "read_all")})
}

// compute reads both periods and builds the table.
func (s *Service) compute(ctx context.Context, orgID string, q Query, show visibility) (*Scorecard, error) {
	ref, err := s.loadCohorts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	g := grouper{by: q.Breakdown, loc: ref.loc, cohortID: q.CohortID, courseID: q.CourseID, curatorID: q.CuratorID}
	periods := []*periodRead{{span: span{q.From.UTC(), q.To.UTC()}}}
	if q.CompareFrom != nil {
		periods = append(periods, &periodRead{span: span{q.CompareFrom.UTC(), q.CompareTo.UTC()}})
	}
	// Every read of both periods and of the reference is independent of
	// the others: on PostgreSQL they run at once, each into its own tally.
	reads := newReadGroup(ctx, parallelReads(s.DB))
	spans := make([]span, len(periods))
	for i, p := range periods {
		spans[i] = p.span
	}
	s.readReference(reads, orgID, ref, q.Module, spans)
	for _, p := range periods {
		s.readFacts(reads, orgID, g, p)
	}
	if err := reads.Wait(); err != nil {
		return nil, err
	}
	ref.index(ref.started)
	if err := s.readPaidEnrollments(ctx, orgID, ref, periods); err != nil {
		return nil, err
	}
	// Completion and the ledger need the enrollments; each period counts
	// them into a tally of its own, the two periods at once.
	tallies := make([]*tally, len(periods))
	lifetimes := make([]map[string]lifetime, len(periods))
	counts := newReadGroup(ctx, parallelReads(s.DB))
	for i, p := range periods {
		t := newTally(g)
		tallies[i] = t
		counts.Go(func(ctx context.Context) error {
			s.collectCompletion(ref, t, p.from, p.to)
			lives, err := s.collectLedger(ctx, orgID, ref, t, p.orders, p.from, p.to)
			lifetimes[i] = lives
			for _, part := range p.parts {
				t.merge(part)
			}
			return err
		})
	}
	if err := counts.Wait(); err != nil {
		return nil, err
	}
	now, lives := tallies[0], lifetimes[0]
	var (
		was      *tally
		wasLives map[string]lifetime
	)
	if len(periods) > 1 {
		was, wasLives = tallies[1], lifetimes[1]
	}
	out := &Scorecard{From: q.From.UTC(), To: q.To.UTC(), Breakdown: q.Breakdown, Module: q.Module, Hidden: show.hidden(), Notes: s.notes(now),
		CohortID: nonEmpty(q.CohortID), CourseID: nonEmpty(q.CourseID), CuratorID: nonEmpty(q.CuratorID), Rows: []Row{}}
	if was != nil {
		out.CompareFrom, out.CompareTo = ptr(q.CompareFrom.UTC()), ptr(q.CompareTo.UTC())
	}
	figures := func(t *tally, a *acc, lives map[string]lifetime) Figures {
		if a == nil {
			a = &acc{payers: map[string]struct{}{}}
		}
		var quality *QualityScore
		if t.qualityApplies(s.quality != nil) {
			quality = a.quality()
		} else {
			quality = &QualityScore{Note: ptr(s.qualityNote(t))}
		}
		return a.figures(q.Module, show, s.cases != nil, quality, lives)
	}
	row := func(key string, a, b *acc) Row {
		r := Row{Key: key, Period: figures(now, a, lives)}
		if was != nil {
			cmp := figures(was, b, wasLives)
			r.Compare, r.Change = &cmp, change(r.Period, cmp)
		}
		return r
	}
	out.Total = row("total", now.total, totalOf(was))
	names, err := s.rowNames(ctx, orgID, ref, q.Breakdown, now, was)
	if err != nil {
		return nil, err
	}
	for _, key := range sortedKeys(names.label, now, was) {
		r := row(key, now.rows[key], rowOf(was, key))
		names.apply(&r, q.Breakdown)
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}

// notes says which figures are not available and why.
func (s *Service) notes(t *tally) []string {
	out := []string{}
	if s.cases == nil {
		out = append(out, "cases: not available, the cases module is not connected")
	}
	if !t.qualityApplies(s.quality != nil) {
		out = append(out, "conversation_quality: "+s.qualityNote(t))
	}
	return out
}

func (s *Service) qualityNote(t *tally) string {
	if s.quality == nil {
		return "not available, the quality module is not connected"
	}
	return "not available here: it is scored per curator, so it shows in the total and by curator only, without a cohort or course filter"
}

func totalOf(t *tally) *acc {
	if t == nil {
		return nil
	}
	return t.total
}

func rowOf(t *tally, key string) *acc {
	if t == nil {
		return nil
	}
	return t.rows[key]
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
