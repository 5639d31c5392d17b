package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// InterviewScorecardBody is an interviewer's assessment.
type InterviewScorecardBody struct {
	Scores         map[string]int `json:"scores" maxProperties:"20" doc:"A score from 1 to 5 per criterion key of the vacancy, every criterion once." example:"{\"communication\":4,\"tone\":5,\"accuracy\":3,\"speed\":4}"`
	Recommendation string         `json:"recommendation" enum:"hire,no_hire,undecided"`
	Notes          string         `json:"notes,omitempty" maxLength:"10000"`
}

// CriterionScoreDTO is one criterion of a scorecard.
type CriterionScoreDTO struct {
	Key    string `json:"key"`
	Title  string `json:"title"`
	Weight int    `json:"weight"`
	Score  int    `json:"score" minimum:"1" maximum:"5"`
}

// InterviewScorecardDTO is one interviewer's scorecard.
type InterviewScorecardDTO struct {
	ID              string              `json:"id" format:"uuid"`
	ApplicationID   string              `json:"application_id" format:"uuid"`
	InterviewerID   string              `json:"interviewer_id"`
	InterviewerName string              `json:"interviewer_name"`
	Criteria        []CriterionScoreDTO `json:"criteria" nullable:"false" doc:"The criteria and weights the scorecard was filled against."`
	WeightedSum     int                 `json:"weighted_sum" doc:"Sum of weight × score."`
	WeightTotal     int                 `json:"weight_total" doc:"Sum of the weights."`
	Score           float64             `json:"score" doc:"weighted_sum / weight_total, on the 1–5 scale."`
	Recommendation  string              `json:"recommendation" enum:"hire,no_hire,undecided"`
	Notes           string              `json:"notes"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
	Version         int64               `json:"version"`
}

func scorecardDTOs(ctx context.Context, svc *Service, cards []Scorecard) ([]InterviewScorecardDTO, error) {
	var people []string
	for _, c := range cards {
		people = append(people, c.InterviewerID)
	}
	who, err := names(ctx, svc, httpapi.OrgID(ctx), people)
	if err != nil {
		return nil, err
	}
	out := make([]InterviewScorecardDTO, len(cards))
	for i := range cards {
		out[i] = scorecardDTO(&cards[i], who)
	}
	return out, nil
}

func scorecardDTO(sc *Scorecard, who map[string]string) InterviewScorecardDTO {
	d := InterviewScorecardDTO{ID: sc.ID, ApplicationID: sc.ApplicationID, InterviewerID: sc.InterviewerID, InterviewerName: who[sc.InterviewerID],
		Criteria: make([]CriterionScoreDTO, len(sc.Criteria)), WeightedSum: sc.WeightedSum, WeightTotal: sc.WeightTotal,
		Score: float64(sc.WeightedSum) / float64(sc.WeightTotal), Recommendation: sc.Recommendation, Notes: sc.Notes,
		CreatedAt: utc(sc.CreatedAt), UpdatedAt: utc(sc.UpdatedAt), Version: sc.Version}
	for i, c := range sc.Criteria {
		d.Criteria[i] = CriterionScoreDTO{Key: c.Key, Title: c.Title, Weight: c.Weight, Score: c.Score}
	}
	return d
}

// CriterionMeanDTO is one criterion's mean over the scorecards.
type CriterionMeanDTO struct {
	Key        string  `json:"key"`
	Title      string  `json:"title"`
	Sum        int     `json:"sum"`
	Scorecards int     `json:"scorecards" doc:"Sample size."`
	Mean       float64 `json:"mean" doc:"sum / scorecards."`
}

// CombinedScorecardsDTO puts the interviewers' scorecards together.
type CombinedScorecardsDTO struct {
	Scorecards      int                `json:"scorecards" doc:"Sample size."`
	ScoreSum        float64            `json:"score_sum" doc:"Sum of the scorecards' scores."`
	Score           *float64           `json:"score" doc:"score_sum / scorecards on the 1–5 scale; null without a scorecard."`
	Criteria        []CriterionMeanDTO `json:"criteria" nullable:"false"`
	Recommendations map[string]int     `json:"recommendations" doc:"Scorecards per recommendation."`
}

// InterviewScorecardList is an application's scorecards, apart and combined.
type InterviewScorecardList struct {
	Items    []InterviewScorecardDTO `json:"items" nullable:"false" doc:"Each interviewer's scorecard, kept apart."`
	Combined CombinedScorecardsDTO   `json:"combined" doc:"The scorecards listed, combined."`
}

type scorecardOutput struct {
	ETag string `header:"ETag"`
	Body InterviewScorecardDTO
}

func scorecardOut(ctx context.Context, svc *Service, sc *Scorecard) (*scorecardOutput, error) {
	dtos, err := scorecardDTOs(ctx, svc, []Scorecard{*sc})
	if err != nil {
		return nil, err
	}
	return &scorecardOutput{ETag: httpapi.ETag(sc.Version), Body: dtos[0]}, nil
}

func registerScorecards(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("hiring_scorecard", "write"), huma.Operation{
		OperationID: "create-hiring-scorecard", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-applications/{id}/scorecards", Tags: []string{"Hiring"},
		Summary:       "Fill my scorecard for an application",
		Description:   "Against the vacancy's criteria and weights; one scorecard per interviewer and application. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body InterviewScorecardBody
	}) (*scorecardOutput, error) {
		sc, err := svc.CreateScorecard(ctx, httpapi.OrgID(ctx), in.ID, ScorecardInput{Scores: in.Body.Scores,
			Recommendation: in.Body.Recommendation, Notes: in.Body.Notes})
		if err != nil {
			return nil, err
		}
		return scorecardOut(ctx, svc, sc)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_scorecard", "write"), huma.Operation{
		OperationID: "update-hiring-scorecard", Method: http.MethodPut, Path: "/v1/orgs/{org}/hiring-scorecards/{id}", Tags: []string{"Hiring"},
		Summary: "Change my scorecard", Description: "Only its interviewer, with If-Match. Audited.", Errors: versioned,
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body InterviewScorecardBody
	}) (*scorecardOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		sc, err := svc.UpdateScorecard(ctx, httpapi.OrgID(ctx), in.ID, v, ScorecardInput{Scores: in.Body.Scores,
			Recommendation: in.Body.Recommendation, Notes: in.Body.Notes})
		if err != nil {
			return nil, err
		}
		return scorecardOut(ctx, svc, sc)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_scorecard", "read_own"), huma.Operation{
		OperationID: "list-hiring-scorecards", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-applications/{id}/scorecards", Tags: []string{"Hiring"},
		Summary:     "List an application's scorecards",
		Description: "Each interviewer's scorecard apart, and combined. HR and the head see every scorecard; an interviewer sees only their own, so that nobody is swayed by another's.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body InterviewScorecardList }, error) {
		all := httpapi.OrgAllowed(ctx, "hiring_scorecard", "read_all")
		cards, err := svc.Scorecards(ctx, httpapi.OrgID(ctx), in.ID, actorID(ctx), all)
		if err != nil {
			return nil, err
		}
		dtos, err := scorecardDTOs(ctx, svc, cards)
		if err != nil {
			return nil, err
		}
		c := Combine(cards)
		combined := CombinedScorecardsDTO{Scorecards: c.Scorecards, ScoreSum: c.ScoreSum, Score: c.Score, Criteria: []CriterionMeanDTO{},
			Recommendations: c.Recommendations}
		for _, m := range c.Criteria {
			combined.Criteria = append(combined.Criteria, CriterionMeanDTO{Key: m.Key, Title: m.Title, Sum: m.Sum, Scorecards: m.N, Mean: m.Mean})
		}
		return &struct{ Body InterviewScorecardList }{Body: InterviewScorecardList{Items: dtos, Combined: combined}}, nil
	})
}
