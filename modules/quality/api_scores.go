package quality

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QualityCuratorScoreDTO is a curator's conversation quality in a month
// beside her homework review quality.
type QualityCuratorScoreDTO struct {
	CuratorID            string   `json:"curator_id" format:"uuid"`
	CuratorName          *string  `json:"curator_name"`
	Score                *float64 `json:"score" doc:"Conversation quality, 0–100: percent_sum / reviews; null without a reviewed conversation."`
	Reviews              int      `json:"reviews" doc:"The sample: reviewed conversations of the month."`
	PercentSum           float64  `json:"percent_sum" doc:"The numerator: the sum of the reviewed conversations' scores."`
	HomeworkScore        *float64 `json:"homework_score" doc:"Homework review quality of the month, 0–100; null without a checked review."`
	HomeworkChecked      int      `json:"homework_checked" doc:"The homework score's sample: checked reviews."`
	HomeworkNotAvailable bool     `json:"homework_not_available" doc:"The homework score could not be read."`
}

// QualityScoreList is the curators' quality scores of a month.
type QualityScoreList struct {
	Month string                   `json:"month" example:"2026-11"`
	Items []QualityCuratorScoreDTO `json:"items" nullable:"false"`
}

// QualityCriterionResultDTO is how a curator did on one criterion.
type QualityCriterionResultDTO struct {
	Key            string  `json:"key"`
	Title          string  `json:"title"`
	Kind           string  `json:"kind" enum:"yes_no,scale"`
	Percent        float64 `json:"percent" doc:"The mean of her values on 0–100."`
	Scored         int     `json:"scored" doc:"The sample: reviews where the criterion applied."`
	NotApplicable  int     `json:"not_applicable"`
	KBArticleID    *string `json:"kb_article_id" format:"uuid" doc:"The regulation clause to reread."`
	KBArticleTitle *string `json:"kb_article_title"`
}

// QualityCoachingDTO is a curator's weakest criteria of the last 30 days.
type QualityCoachingDTO struct {
	CuratorID   string                      `json:"curator_id" format:"uuid"`
	CuratorName *string                     `json:"curator_name"`
	From        time.Time                   `json:"from"`
	To          time.Time                   `json:"to"`
	Reviews     int                         `json:"reviews" doc:"Reviewed conversations in the window."`
	Criteria    []QualityCriterionResultDTO `json:"criteria" doc:"The three lowest-scoring criteria, the weakest first."`
}

func registerScores(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("quality_scores", "read"), huma.Operation{
		OperationID: "list-quality-scores", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/scores", Tags: []string{tag},
		Summary: "Quality scores of a month", Description: "Per curator: the mean score of her reviewed conversations answered " +
			"in the month (the school's local month), with its sample, beside her homework review quality score. A revised " +
			"review counts with its revision; calibration rounds do not count. Without quality_scores:read_all, only the " +
			"caller's row. Ordered by name.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Month string `query:"month" required:"true" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"YYYY-MM"`
	}) (*struct{ Body QualityScoreList }, error) {
		rows, err := svc.Scores(ctx, httpapi.OrgID(ctx), ReaderFrom(ctx, "quality_scores"), in.Month)
		if err != nil {
			return nil, err
		}
		out := QualityScoreList{Month: in.Month, Items: make([]QualityCuratorScoreDTO, len(rows))}
		for i, r := range rows {
			out.Items[i] = QualityCuratorScoreDTO{CuratorID: r.CuratorID, CuratorName: r.CuratorName, Score: r.Score, Reviews: r.Reviews,
				PercentSum: round1(r.PercentSum), HomeworkScore: r.HomeworkScore, HomeworkChecked: r.HomeworkChecked,
				HomeworkNotAvailable: r.HomeworkNotAvailable}
		}
		return &struct{ Body QualityScoreList }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_scores", "read"), huma.Operation{
		OperationID: "get-quality-coaching", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/coaching", Tags: []string{tag},
		Summary: "A curator's criteria to work on", Description: "Her three lowest-scoring criteria over the last 30 days, with " +
			"the regulation clauses they check. A curator reads her own (403 for someone else's); seniors and the head read anyone's.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		CuratorID string `query:"curator_id" format:"uuid" doc:"Default: the caller."`
	}) (*struct{ Body QualityCoachingDTO }, error) {
		c, err := svc.Coaching(ctx, httpapi.OrgID(ctx), ReaderFrom(ctx, "quality_scores"), in.CuratorID)
		if err != nil {
			return nil, err
		}
		out := QualityCoachingDTO{CuratorID: c.CuratorID, CuratorName: c.CuratorName, From: c.From.UTC(), To: c.To.UTC(), Reviews: c.Reviews,
			Criteria: make([]QualityCriterionResultDTO, len(c.Criteria))}
		for i, r := range c.Criteria {
			out.Criteria[i] = QualityCriterionResultDTO{Key: r.Key, Title: r.Title, Kind: r.Kind, Percent: r.Percent, Scored: r.Scored,
				NotApplicable: r.NotApplicable, KBArticleID: r.KBArticleID, KBArticleTitle: r.KBArticleTitle}
		}
		return &struct{ Body QualityCoachingDTO }{Body: out}, nil
	})
}
