package refunds

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Groupings of the refund analytics.
const (
	ByCohort  = "cohort"
	ByCourse  = "course"
	ByCurator = "curator"
	ByReason  = "reason"
	ByMonth   = "month"
)

// Groupings lists them in the order forms show them.
var Groupings = []string{ByCohort, ByCourse, ByCurator, ByReason, ByMonth}

// AnalyticsInput chooses the grouping and the period: orders paid, attempts
// made and decisions taken in [From, To).
type AnalyticsInput struct {
	GroupBy string
	From    time.Time
	To      time.Time
}

// RateFigure is the refund rate of one group: refunded enrollments over
// paid enrollments, with the money returned.
type RateFigure struct {
	Key                 string
	Name                string
	PaidEnrollments     int
	RefundedEnrollments int
	Rate                *float64 // percent; nil with no paid enrollment
	RefundedAmount      int64
}

// RetentionFigure is the retention rate of attempts: kept over attempts.
type RetentionFigure struct {
	Key      string
	Name     string
	Attempts int
	Kept     int
	Rate     *float64 // percent; nil with no attempt
}

// DecisionTime is how long requests waited for their decision.
type DecisionTime struct {
	Decided     int
	MedianHours *float64
	MeanHours   *float64
}

// Analytics are the refund figures of a period.
type Analytics struct {
	Input              AnalyticsInput
	Total              RateFigure
	Groups             []RateFigure
	Retention          RetentionFigure
	RetentionByCurator []RetentionFigure
	DecisionTime       DecisionTime
}

func percent(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	v := math.Round(float64(num)*10000/float64(den)) / 100
	return &v
}

// Analytics computes the refund rate of the period grouped as asked, the
// retention rate of the attempts made in it, and the time requests waited
// for the decisions taken in it.
//
// A paid enrollment is an order placed on a cohort and paid in the
// period (the student's place in that cohort); it is refunded when the
// ledger holds any refund of the order. Its reason is that of the order's
// last refunded request, unspecified without one; by reason, every group
// keeps the period's paid enrollments as its denominator, so the groups'
// rates add up to the total. By curator it is the enrollment's curator
// now; by month, the month the order was paid (UTC).
func (s *Service) Analytics(ctx context.Context, orgID string, in AnalyticsInput) (*Analytics, error) {
	if !slices.Contains(Groupings, in.GroupBy) {
		return nil, errs.Invalid("query.group_by", "must be cohort, course, curator, reason or month")
	}
	if !in.To.After(in.From) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	paid, err := s.school.PaidEnrollments(ctx, orgID)
	if err != nil {
		return nil, err
	}
	reasons, err := s.refundReasons(ctx, orgID)
	if err != nil {
		return nil, err
	}
	l, err := s.labels(ctx, orgID, paid)
	if err != nil {
		return nil, err
	}
	out := &Analytics{Input: in, Total: RateFigure{Key: "all", Name: "Все"}}
	groups := map[string]*RateFigure{}
	if in.GroupBy == ByReason {
		for _, r := range l.reasons {
			groups[r.Code] = &RateFigure{Key: r.Code, Name: r.Title}
		}
	}
	for _, p := range paid {
		if p.PaidAt.Before(in.From) || !p.PaidAt.Before(in.To) {
			continue
		}
		tally(&out.Total, p)
		if in.GroupBy == ByReason {
			continue
		}
		key := l.key(in.GroupBy, p)
		g, ok := groups[key]
		if !ok {
			g = &RateFigure{Key: key, Name: l.name(in.GroupBy, key)}
			groups[key] = g
		}
		tally(g, p)
	}
	if in.GroupBy == ByReason {
		s.tallyReasons(out, groups, paid, reasons, in)
	}
	out.Total.Rate = percent(out.Total.RefundedEnrollments, out.Total.PaidEnrollments)
	out.Groups = sortedGroups(groups)
	if err := s.retention(ctx, orgID, out, l); err != nil {
		return nil, err
	}
	decided, err := s.store.RequestsBetween(ctx, s.DB, orgID, "decided_at", in.From, in.To)
	if err != nil {
		return nil, err
	}
	out.DecisionTime = decisionTime(decided)
	return out, nil
}

func tally(g *RateFigure, p PaidEnrollment) {
	g.PaidEnrollments++
	if p.Refunded > 0 {
		g.RefundedEnrollments++
		g.RefundedAmount += p.Refunded
	}
}

// tallyReasons counts refunded enrollments by reason over the period's
// paid enrollments.
func (s *Service) tallyReasons(out *Analytics, groups map[string]*RateFigure, paid []PaidEnrollment, reasons map[string]string, in AnalyticsInput) {
	for _, p := range paid {
		if p.PaidAt.Before(in.From) || !p.PaidAt.Before(in.To) || p.Refunded == 0 {
			continue
		}
		code, ok := reasons[p.OrderID]
		if !ok {
			code = ReasonUnspecified
		}
		g, ok := groups[code]
		if !ok {
			g = &RateFigure{Key: code, Name: code}
			groups[code] = g
		}
		g.RefundedEnrollments++
		g.RefundedAmount += p.Refunded
	}
	for _, g := range groups {
		g.PaidEnrollments = out.Total.PaidEnrollments
	}
}

func sortedGroups(groups map[string]*RateFigure) []RateFigure {
	out := make([]RateFigure, 0, len(groups))
	for _, g := range groups {
		g.Rate = percent(g.RefundedEnrollments, g.PaidEnrollments)
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// refundReasons maps each order to the reason of its last refunded
// request.
func (s *Service) refundReasons(ctx context.Context, orgID string) (map[string]string, error) {
	rows, err := s.store.RefundedRequests(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.OrderID] = r.Reason
	}
	return out, nil
}

// retention counts the attempts of the period, overall and by who made
// them.
func (s *Service) retention(ctx context.Context, orgID string, out *Analytics, l *labels) error {
	attempts, err := s.store.AttemptsBetween(ctx, s.DB, orgID, out.Input.From, out.Input.To)
	if err != nil {
		return err
	}
	out.Retention = RetentionFigure{Key: "all", Name: "Все"}
	by := map[string]*RetentionFigure{}
	var people []string
	for _, a := range attempts {
		g, ok := by[a.ByID]
		if !ok {
			g = &RetentionFigure{Key: a.ByID}
			by[a.ByID] = g
			people = append(people, a.ByID)
		}
		for _, f := range []*RetentionFigure{&out.Retention, g} {
			f.Attempts++
			if a.Outcome == OutcomeKept {
				f.Kept++
			}
		}
	}
	names, err := s.people.Names(ctx, orgID, people)
	if err != nil {
		return err
	}
	out.Retention.Rate = percent(out.Retention.Kept, out.Retention.Attempts)
	out.RetentionByCurator = make([]RetentionFigure, 0, len(by))
	for _, g := range by {
		g.Name, g.Rate = names[g.Key], percent(g.Kept, g.Attempts)
		out.RetentionByCurator = append(out.RetentionByCurator, *g)
	}
	sort.Slice(out.RetentionByCurator, func(i, j int) bool {
		a, b := out.RetentionByCurator[i], out.RetentionByCurator[j]
		return a.Name < b.Name || (a.Name == b.Name && a.Key < b.Key)
	})
	return nil
}

// decisionTime is the median and mean wait, in hours, from request to
// decision.
func decisionTime(decided []Request) DecisionTime {
	var hours []float64
	for _, r := range decided {
		if r.DecidedAt != nil {
			hours = append(hours, r.DecidedAt.Sub(r.RequestedAt).Hours())
		}
	}
	out := DecisionTime{Decided: len(hours)}
	if len(hours) == 0 {
		return out
	}
	sort.Float64s(hours)
	sum := 0.0
	for _, h := range hours {
		sum += h
	}
	median := hours[len(hours)/2]
	if len(hours)%2 == 0 {
		median = (hours[len(hours)/2-1] + hours[len(hours)/2]) / 2
	}
	mean := sum / float64(len(hours))
	median, mean = math.Round(median*100)/100, math.Round(mean*100)/100
	out.MedianHours, out.MeanHours = &median, &mean
	return out
}

// labels names what the analytics group by.
type labels struct {
	catalog  *Catalog
	curators map[string]string
	reasons  []Reason
}

func (s *Service) labels(ctx context.Context, orgID string, paid []PaidEnrollment) (*labels, error) {
	c, err := s.school.Catalog(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var people []string
	for _, p := range paid {
		if p.CuratorID != nil && !slices.Contains(people, *p.CuratorID) {
			people = append(people, *p.CuratorID)
		}
	}
	names, err := s.people.Names(ctx, orgID, people)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	reasons := append(slices.Clone(st.Reasons), Reason{Code: ReasonUnspecified, Title: "Не указана", Active: false})
	return &labels{catalog: c, curators: names, reasons: reasons}, nil
}

func (l *labels) key(groupBy string, p PaidEnrollment) string {
	switch groupBy {
	case ByCohort:
		return p.CohortID
	case ByCourse:
		return l.catalog.CohortCourse[p.CohortID]
	case ByCurator:
		if p.CuratorID == nil {
			return ""
		}
		return *p.CuratorID
	default:
		return p.PaidAt.UTC().Format("2006-01")
	}
}

func (l *labels) name(groupBy, key string) string {
	switch groupBy {
	case ByCohort:
		return l.catalog.CohortNames[key]
	case ByCourse:
		return l.catalog.CourseNames[key]
	case ByCurator:
		if key == "" {
			return "Без куратора"
		}
		return l.curators[key]
	default:
		return key
	}
}
