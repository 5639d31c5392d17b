package quality

import (
	"context"
	"slices"
)

// ReviewerValue is one reviewer's score of a criterion in a calibration
// round; Value nil is "not applicable".
type ReviewerValue struct {
	ReviewerID string
	Value      *int
	Percent    *float64
}

// Spread is how far a calibration round's reviewers are apart on one
// criterion, on the 0–100 scale: Max − Min of the values given.
type Spread struct {
	Key           string
	Title         string
	Kind          string
	Values        []ReviewerValue
	Scored        int
	NotApplicable int
	Min, Max      *float64
	Spread        *float64
	Mean          *float64
}

// CalibrationView is a calibration round with its reviewers' progress and
// the spread of their scores per criterion and overall.
type CalibrationView struct {
	Calibration Calibration
	Assignments []Assignment
	Reviews     []ReviewView
	Criteria    []Spread
	Overall     Spread // the reviews' total scores
}

// Calibrations lists a page of calibration rounds, the newest first.
func (s *Service) Calibrations(ctx context.Context, orgID, beforeID string, limit int) ([]Calibration, error) {
	return s.store.Calibrations(ctx, s.DB, orgID, beforeID, limit)
}

// Calibration returns a round with the spread of its reviews so far.
func (s *Service) Calibration(ctx context.Context, orgID, id string) (*CalibrationView, error) {
	c, err := s.store.Calibration(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	as, err := s.store.Assignments(ctx, s.DB, orgID, AssignmentFilter{CalibrationID: id})
	if err != nil {
		return nil, err
	}
	rows, err := s.store.Reviews(ctx, s.DB, orgID, ReviewFilter{CalibrationID: id})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b Review) int { return compare(a.ReviewerID, b.ReviewerID) })
	views, err := s.reviewViews(ctx, orgID, rows)
	if err != nil {
		return nil, err
	}
	v, err := s.store.ScorecardVersion(ctx, s.DB, orgID, c.ScorecardVersionID)
	if err != nil {
		return nil, err
	}
	out := &CalibrationView{Calibration: *c, Assignments: as, Reviews: views, Criteria: spreads(v.Criteria, views)}
	out.Overall = Spread{Key: "overall", Title: "Total score"}
	for _, rv := range views {
		out.Overall.add(rv.Review.ReviewerID, nil, rv.Review.Percent())
	}
	out.Overall.finish()
	return out, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// spreads computes each criterion's spread over the reviews.
func spreads(criteria CriteriaSet, views []ReviewView) []Spread {
	out := make([]Spread, len(criteria))
	for i, c := range criteria {
		sp := &out[i]
		sp.Key, sp.Title, sp.Kind = c.Key, c.Title, c.Kind
		for _, rv := range views {
			for _, sc := range rv.Scores {
				if sc.CriterionKey != c.Key {
					continue
				}
				var pct *float64
				if sc.Value != nil {
					p := criterionPercent(c.Kind, *sc.Value)
					pct = &p
				}
				sp.add(rv.Review.ReviewerID, sc.Value, pct)
			}
		}
		sp.finish()
	}
	return out
}

func (sp *Spread) add(reviewerID string, value *int, pct *float64) {
	sp.Values = append(sp.Values, ReviewerValue{ReviewerID: reviewerID, Value: value, Percent: pct})
	if pct == nil {
		sp.NotApplicable++
		return
	}
	sp.Scored++
	if sp.Min == nil || *pct < *sp.Min {
		sp.Min = ptr(*pct)
	}
	if sp.Max == nil || *pct > *sp.Max {
		sp.Max = ptr(*pct)
	}
	if sp.Mean == nil {
		sp.Mean = ptr(0.0)
	}
	*sp.Mean += *pct
}

func (sp *Spread) finish() {
	if sp.Scored == 0 {
		return
	}
	*sp.Mean = round1(*sp.Mean / float64(sp.Scored))
	*sp.Min, *sp.Max = round1(*sp.Min), round1(*sp.Max)
	sp.Spread = ptr(round1(*sp.Max - *sp.Min))
}

func ptr[T any](v T) *T { return &v }
