package quality

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// CuratorScore is a curator's conversation quality score over a period:
// the mean of her reviewed conversations' scores. Score = PercentSum /
// Reviews; nil when no reviewed conversation had an applicable criterion.
type CuratorScore struct {
	CuratorID  string
	Reviews    int      // the sample: reviewed conversations with a score
	PercentSum float64  // the numerator: the sum of their scores, 0–100 each
	Score      *float64 // 0–100, rounded to one decimal
}

// CuratorScores is each curator's conversation quality score for the
// conversations answered in [from, to), by curator id. A conversation
// counts once, with its current review: a review revised by a settled
// dispute counts with the revision's score; calibration rounds do not
// count; a review where every criterion was not applicable is left out.
// Curators with no reviewed conversation in the period have no row. The
// scorecard and pay schemes read it.
func (s *Service) CuratorScores(ctx context.Context, orgID string, from, to time.Time) ([]CuratorScore, error) {
	return s.curatorScores(ctx, orgID, "", from, to)
}

func (s *Service) curatorScores(ctx context.Context, orgID, curatorID string, from, to time.Time) ([]CuratorScore, error) {
	rows, err := s.store.ScoringReviews(ctx, s.DB, orgID, curatorID, from, to)
	if err != nil {
		return nil, err
	}
	var out []CuratorScore
	for _, r := range rows {
		p := r.Percent()
		if p == nil {
			continue
		}
		if len(out) == 0 || out[len(out)-1].CuratorID != r.CuratorID {
			out = append(out, CuratorScore{CuratorID: r.CuratorID})
		}
		c := &out[len(out)-1]
		c.Reviews++
		c.PercentSum += *p
	}
	for i := range out {
		score := round1(out[i].PercentSum / float64(out[i].Reviews))
		out[i].Score = &score
	}
	return out, nil
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// ScoreRow is a curator's conversation and homework quality in a month.
type ScoreRow struct {
	CuratorScore
	CuratorName          *string
	HomeworkScore        *float64
	HomeworkChecked      int
	HomeworkNotAvailable bool
}

// Scores is each curator's conversation quality score in month
// ("2026-11", the school's local month) beside her homework review quality
// score, ordered by name. A reader without SeesAll gets her own row only.
func (s *Service) Scores(ctx context.Context, orgID string, r Reader, month string) ([]ScoreRow, error) {
	start, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, errs.Invalid("query.month", "must be a month such as 2026-11")
	}
	from, err := s.conversations.LocalDay(ctx, orgID, start.Format(time.DateOnly), "query.month")
	if err != nil {
		return nil, err
	}
	to, err := s.conversations.LocalDay(ctx, orgID, start.AddDate(0, 1, 0).Format(time.DateOnly), "query.month")
	if err != nil {
		return nil, err
	}
	only := ""
	if !r.SeesAll {
		only = r.UserID
	}
	scores, err := s.curatorScores(ctx, orgID, only, from.From, to.From)
	if err != nil {
		return nil, err
	}
	var homework map[string]HomeworkScore
	if s.homework != nil {
		if homework, err = s.homework.HomeworkScores(ctx, orgID, month); err != nil {
			return nil, err
		}
	}
	rows := map[string]*ScoreRow{}
	var curators []string
	add := func(id string) *ScoreRow {
		if rows[id] == nil {
			rows[id] = &ScoreRow{CuratorScore: CuratorScore{CuratorID: id}, HomeworkNotAvailable: s.homework == nil}
			curators = append(curators, id)
		}
		return rows[id]
	}
	for _, sc := range scores {
		add(sc.CuratorID).CuratorScore = sc
	}
	for id, h := range homework {
		if r.SeesAll || id == r.UserID {
			row := add(id)
			score := h.Score
			row.HomeworkScore, row.HomeworkChecked = &score, h.CheckedReviews
		}
	}
	names, err := s.people.Names(ctx, orgID, curators)
	if err != nil {
		return nil, err
	}
	out := make([]ScoreRow, 0, len(curators))
	for _, id := range curators {
		row := rows[id]
		if n, ok := names[id]; ok {
			row.CuratorName = &n
		}
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool {
		return byName(out[i].CuratorName, out[i].CuratorID, out[j].CuratorName, out[j].CuratorID)
	})
	return out, nil
}

// byName orders people by display name, those without one last, then by id.
func byName(aName *string, aID string, bName *string, bID string) bool {
	switch {
	case aName != nil && bName != nil && *aName != *bName:
		return *aName < *bName
	case (aName == nil) != (bName == nil):
		return aName != nil
	}
	return aID < bID
}

// CoachingWindow is how far back coaching looks.
const CoachingWindow = 30 * 24 * time.Hour

// coachingTop is how many criteria coaching names.
const coachingTop = 3

// CriterionResult is how a curator did on one criterion.
type CriterionResult struct {
	Key            string
	Title          string
	Kind           string
	Scored         int     // reviews where the criterion applied
	NotApplicable  int     // reviews where it did not
	Percent        float64 // mean of the scored values on 0–100
	KBArticleID    *string
	KBArticleTitle *string
}

// Coaching is a curator's weakest criteria over the last 30 days.
type Coaching struct {
	CuratorID   string
	CuratorName *string
	From, To    time.Time
	Reviews     int
	Criteria    []CriterionResult // the weakest first, at most coachingTop
}

// Coaching returns the curator's lowest-scoring criteria over the 30 days
// before now (by when she answered), each with the regulation clause it
// checks. Criteria are matched by key across scorecard versions; the
// title is the latest version's. A reader without SeesAll may ask only
// about herself.
func (s *Service) Coaching(ctx context.Context, orgID string, r Reader, curatorID string) (*Coaching, error) {
	if curatorID == "" {
		curatorID = r.UserID
	}
	if !r.SeesAll && curatorID != r.UserID {
		return nil, errs.Forbidden("you may read your own coaching only")
	}
	to := s.Now()
	from := to.Add(-CoachingWindow)
	rows, err := s.store.ScoringReviews(ctx, s.DB, orgID, curatorID, from, to)
	if err != nil {
		return nil, err
	}
	views, err := s.reviewViews(ctx, orgID, rows)
	if err != nil {
		return nil, err
	}
	out := &Coaching{CuratorID: curatorID, From: from, To: to, Reviews: len(rows), Criteria: criterionResults(views)}
	if len(out.Criteria) > coachingTop {
		out.Criteria = out.Criteria[:coachingTop]
	}
	if err := s.nameArticles(ctx, orgID, out.Criteria); err != nil {
		return nil, err
	}
	names, err := s.people.Names(ctx, orgID, []string{curatorID})
	if err != nil {
		return nil, err
	}
	if n, ok := names[curatorID]; ok {
		out.CuratorName = &n
	}
	return out, nil
}

// criterionResults averages each criterion over the reviews, the weakest
// first (then by key), leaving out criteria never applicable.
func criterionResults(views []ReviewView) []CriterionResult {
	acc := map[string]*CriterionResult{}
	sums := map[string]float64{}
	latest := map[string]time.Time{}
	for _, v := range views {
		for _, sc := range v.Scores {
			c := v.Criteria.Find(sc.CriterionKey)
			if c == nil {
				continue
			}
			res := acc[c.Key]
			if res == nil {
				res = &CriterionResult{Key: c.Key}
				acc[c.Key] = res
			}
			if !v.Review.CreatedAt.Before(latest[c.Key]) {
				latest[c.Key] = v.Review.CreatedAt
				res.Title, res.Kind, res.KBArticleID = c.Title, c.Kind, c.KBArticleID
			}
			if sc.Value == nil {
				res.NotApplicable++
				continue
			}
			res.Scored++
			sums[c.Key] += criterionPercent(c.Kind, *sc.Value)
		}
	}
	out := make([]CriterionResult, 0, len(acc))
	for key, res := range acc {
		if res.Scored == 0 {
			continue
		}
		res.Percent = round1(sums[key] / float64(res.Scored))
		out = append(out, *res)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Percent != out[j].Percent {
			return out[i].Percent < out[j].Percent
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func (s *Service) nameArticles(ctx context.Context, orgID string, results []CriterionResult) error {
	var ids []string
	for _, r := range results {
		if r.KBArticleID != nil {
			ids = append(ids, *r.KBArticleID)
		}
	}
	titles, err := s.articleTitles(ctx, orgID, ids)
	if err != nil {
		return err
	}
	for i := range results {
		if id := results[i].KBArticleID; id != nil {
			if t, ok := titles[*id]; ok {
				results[i].KBArticleTitle = &t
			}
		}
	}
	return nil
}

// Names gives the display names of the people among userIDs who are or
// were members of the school.
func (s *Service) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	if len(userIDs) == 0 {
		return map[string]string{}, nil
	}
	return s.people.Names(ctx, orgID, userIDs)
}
