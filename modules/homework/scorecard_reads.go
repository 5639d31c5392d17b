package homework

import (
	"context"
	"time"
)

// ReviewFact is one review completed in a period, as the scorecard counts
// it: the reviewer, the submission's cohort and course, when it was
// reviewed, its business seconds and whether it met its due time.
type ReviewFact struct {
	ReviewerID *string
	CohortID   string
	CourseID   string
	ReviewedAt time.Time
	Seconds    *int64
	InTime     bool
}

// ReviewFacts passes every submission reviewed in [from, to) to fn.
func (s *Service) ReviewFacts(ctx context.Context, orgID string, from, to time.Time, fn func(ReviewFact)) error {
	return s.store.ScorecardReviews(ctx, s.DB, orgID, from, to, func(r scorecardReview) {
		fn(ReviewFact{ReviewerID: r.ReviewedBy, CohortID: r.CohortID, CourseID: r.CourseID, ReviewedAt: r.ReviewedAt,
			Seconds: r.ReviewSeconds, InTime: !r.ReviewedAt.After(r.DueAt)})
	})
}

// ModuleSubmitters returns, for each of the modules, the students who
// submitted its homework at least once (completion's numerator).
func (s *Service) ModuleSubmitters(ctx context.Context, orgID string, moduleIDs []string) (map[string]map[string]struct{}, error) {
	return s.store.StudentsOfModules(ctx, s.DB, orgID, moduleIDs)
}

// QualityFact is one quality check of a review: the curator checked, the
// submission's cohort and course, when the review was made, and the
// check's score on a 0–100 scale.
type QualityFact struct {
	CuratorID  string
	CohortID   string
	CourseID   string
	ReviewedAt time.Time
	Percent    float64
}

// QualityFacts lists the quality checks of the reviews made in [from, to).
func (s *Service) QualityFacts(ctx context.Context, orgID string, from, to time.Time) ([]QualityFact, error) {
	rows, err := s.store.ScorecardChecks(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]QualityFact, len(rows))
	for i := range rows {
		out[i] = QualityFact{CuratorID: rows[i].CuratorID, CohortID: rows[i].CohortID, CourseID: rows[i].CourseID,
			ReviewedAt: rows[i].ReviewedAt, Percent: rows[i].Percent()}
	}
	return out, nil
}
