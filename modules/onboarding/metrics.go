package onboarding

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/clock"
)

// Duration is the onboarding duration over the plans whose newcomer
// became able to take students in a period: calendar days from the plan's
// start date to that moment. Figures are nil when no plan qualifies.
type Duration struct {
	From, To time.Time
	// Plans is the sample; Early of them were activated early by HR or
	// the head, the rest by finishing every required item.
	Plans      int
	Early      int
	MedianDays *float64
	MeanDays   *float64
	MaxDays    *float64
	// TotalDays is the mean's numerator (Plans is its denominator).
	TotalDays float64
}

// OnboardingDuration works out the onboarding duration of the plans
// activated in [from, to), including those whose last required item was
// done but whose activation the background pass has not recorded yet.
func (s *Service) OnboardingDuration(ctx context.Context, orgID string, from, to time.Time) (*Duration, error) {
	if err := clock.CheckPeriod(from, to); err != nil {
		return nil, err
	}
	recorded, err := s.store.PlansActivatedBetween(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	open, err := s.store.OpenPlans(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	views, err := s.views(ctx, s.DB, orgID, open)
	if err != nil {
		return nil, err
	}
	out := &Duration{From: from.UTC(), To: to.UTC()}
	var days []float64
	count := func(p *Plan, at time.Time) {
		d := at.Sub(p.StartDate).Hours() / 24
		days = append(days, max(d, 0))
		if p.Activation != nil && *p.Activation == ActivationEarly {
			out.Early++
		}
	}
	for i := range recorded {
		count(&recorded[i], *recorded[i].ActivatedAt)
	}
	for i := range views {
		if at := views[i].ActivatedAt(); at != nil && !at.Before(from) && at.Before(to) {
			count(&views[i].Plan, *at)
		}
	}
	out.Plans = len(days)
	if out.Plans == 0 {
		return out, nil
	}
	sort.Float64s(days)
	for _, d := range days {
		out.TotalDays += d
	}
	mean, median, top := round1(out.TotalDays/float64(out.Plans)), round1(medianOf(days)), round1(days[len(days)-1])
	out.MeanDays, out.MedianDays, out.MaxDays, out.TotalDays = &mean, &median, &top, round1(out.TotalDays)
	return out, nil
}

// medianOf is the middle of sorted values, or the mean of the two middle ones.
func medianOf(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
