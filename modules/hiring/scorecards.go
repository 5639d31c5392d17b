package hiring

import (
	"context"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Scores on a scorecard run from MinScore to MaxScore.
const (
	MinScore = 1
	MaxScore = 5
)

// ScorecardInput is an interviewer's assessment: a score per criterion key
// of the vacancy, a recommendation and notes.
type ScorecardInput struct {
	Scores         map[string]int
	Recommendation string
	Notes          string
}

// CreateScorecard records the caller's scorecard for an application,
// against the vacancy's criteria and weights as they are now. Each
// interviewer fills one scorecard per application; the others' stay apart.
func (s *Service) CreateScorecard(ctx context.Context, orgID, applicationID string, in ScorecardInput) (*Scorecard, error) {
	var out *Scorecard
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.Application(ctx, tx, orgID, applicationID)
		if err != nil {
			return err
		}
		v, err := s.store.Vacancy(ctx, tx, orgID, a.VacancyID)
		if err != nil {
			return err
		}
		criteria, sum, total, err := scoreCriteria(v.Criteria, in.Scores)
		if err != nil {
			return err
		}
		now := s.Now()
		sc := &Scorecard{ID: ids.New(), OrgID: orgID, ApplicationID: a.ID, InterviewerID: actorID(ctx), Criteria: criteria,
			WeightedSum: sum, WeightTotal: total, Recommendation: in.Recommendation, Notes: in.Notes, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.InsertScorecard(ctx, tx, sc); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("you already filled a scorecard for this application; change it instead")
			}
			return err
		}
		out = sc
		return s.Record(ctx, tx, orgID, "hiring_scorecard", sc.ID, auditlog.Diff(nil, sc))
	})
	return out, err
}

// UpdateScorecard changes the caller's own scorecard at version, against
// the criteria it was filled with.
func (s *Service) UpdateScorecard(ctx context.Context, orgID, id string, version int64, in ScorecardInput) (*Scorecard, error) {
	var out *Scorecard
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Scorecard, *Scorecard]{
			What: "the scorecard",
			Load: func() (*Scorecard, error) { return s.store.Scorecard(ctx, tx, orgID, id) },
			Change: func(sc *Scorecard) error {
				if sc.InterviewerID != actorID(ctx) {
					return errs.Forbidden("only the interviewer changes their scorecard")
				}
				plain := make([]Criterion, len(sc.Criteria))
				for i, c := range sc.Criteria {
					plain[i] = c.Criterion
				}
				criteria, sum, total, err := scoreCriteria(plain, in.Scores)
				sc.Criteria, sc.WeightedSum, sc.WeightTotal, sc.Recommendation, sc.Notes = criteria, sum, total, in.Recommendation, in.Notes
				return err
			},
			Write: func(sc *Scorecard, was int64) (bool, error) { return s.store.UpdateScorecard(ctx, tx, sc, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "hiring_scorecard", id, auditlog.Diff(before, after))
	})
	return out, err
}

// scoreCriteria pairs every criterion with its score (each criterion
// scored, no other key) and sums weight × score and the weights.
func scoreCriteria(criteria []Criterion, scores map[string]int) ([]CriterionScore, int, int, error) {
	out := make([]CriterionScore, len(criteria))
	sum, total := 0, 0
	for i, c := range criteria {
		v, ok := scores[c.Key]
		if !ok {
			return nil, 0, 0, errs.Invalid("body.scores."+c.Key, "score every criterion of the vacancy")
		}
		if v < MinScore || v > MaxScore {
			return nil, 0, 0, errs.Invalid("body.scores."+c.Key, "must lie between "+strconv.Itoa(MinScore)+" and "+strconv.Itoa(MaxScore))
		}
		out[i] = CriterionScore{Criterion: c, Score: v}
		sum += c.Weight * v
		total += c.Weight
	}
	if len(scores) != len(criteria) {
		return nil, 0, 0, errs.Invalid("body.scores", "score only the vacancy's criteria")
	}
	return out, sum, total, nil
}

// Combined puts several interviewers' scorecards together.
type Combined struct {
	// Scorecards is the sample size.
	Scorecards int
	// Score is the mean of the scorecards' weighted scores (each
	// weighted_sum / weight_total, on the 1–5 scale); nil without one.
	Score *float64
	// ScoreSum is the sum of the scorecards' weighted scores: Score is
	// ScoreSum / Scorecards.
	ScoreSum float64
	// Criteria is the mean score per criterion key over the scorecards
	// that have it, with its sample size.
	Criteria []CriterionMean
	// Recommendations counts the scorecards per recommendation.
	Recommendations map[string]int
}

// CriterionMean is one criterion's mean score over the scorecards.
type CriterionMean struct {
	Key, Title string
	Sum, N     int
	Mean       float64
}

// Combine combines scorecards; they stay stored apart.
func Combine(cards []Scorecard) Combined {
	c := Combined{Recommendations: map[string]int{RecommendHire: 0, RecommendNoHire: 0, RecommendUndecided: 0}, Criteria: []CriterionMean{}}
	index := map[string]int{}
	for _, sc := range cards {
		c.Scorecards++
		c.ScoreSum += float64(sc.WeightedSum) / float64(sc.WeightTotal)
		c.Recommendations[sc.Recommendation]++
		for _, cs := range sc.Criteria {
			i, ok := index[cs.Key]
			if !ok {
				i = len(c.Criteria)
				index[cs.Key] = i
				c.Criteria = append(c.Criteria, CriterionMean{Key: cs.Key, Title: cs.Title})
			}
			c.Criteria[i].Sum += cs.Score
			c.Criteria[i].N++
		}
	}
	for i := range c.Criteria {
		c.Criteria[i].Mean = float64(c.Criteria[i].Sum) / float64(c.Criteria[i].N)
	}
	if c.Scorecards > 0 {
		v := c.ScoreSum / float64(c.Scorecards)
		c.Score = &v
	}
	return c
}

// Scorecards returns an application's scorecards: all of them when the
// caller may read every scorecard, otherwise only the caller's own, so
// that interviewers judge without seeing each other's.
func (s *Service) Scorecards(ctx context.Context, orgID, applicationID, viewerID string, all bool) ([]Scorecard, error) {
	if _, err := s.store.Application(ctx, s.DB, orgID, applicationID); err != nil {
		return nil, err
	}
	cards, err := s.store.Scorecards(ctx, s.DB, orgID, applicationID)
	if err != nil || all {
		return cards, err
	}
	own := []Scorecard{}
	for _, sc := range cards {
		if sc.InterviewerID == viewerID {
			own = append(own, sc)
		}
	}
	return own, nil
}
