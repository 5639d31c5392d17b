package homework

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

type statsInput struct {
	httpapi.OrgPath
	GroupBy string    `query:"group_by" enum:"curator,cohort,assignment" default:"curator"`
	From    time.Time `query:"from" doc:"Reviews completed from this instant; 30 days ago by default."`
	To      time.Time `query:"to" doc:"Reviews completed before this instant; now by default."`
}

func registerStats(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-stats", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-stats", Tags: []string{"Homework stats"},
		Summary:     "Queue and review numbers",
		Description: "Per curator, cohort or assignment: open items now (queued, in review, overdue) and reviews completed in [from, to): their count, median and p90 review time in business seconds, SLA compliance (reviewed by the due time) and rework rate, in percent.",
	}, func(ctx context.Context, in *statsInput) (*struct {
		Body struct {
			Items []QueueStats `json:"items"`
		}
	}, error) {
		to := in.To
		if to.IsZero() {
			to = svc.Now().Add(time.Microsecond)
		}
		from := in.From
		if from.IsZero() {
			from = to.AddDate(0, 0, -30)
		}
		rows, err := svc.QueueStats(ctx, httpapi.OrgID(ctx), in.GroupBy, from, to)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Items []QueueStats `json:"items"`
			}
		}{}
		out.Body.Items = rows
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-completion", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-completion", Tags: []string{"Homework stats"},
		Summary:     "CompletionRate rate per module per cohort",
		Description: "Students of the cohort who submitted the module's homework at least once ÷ students enrolled in the cohort (active or completed), in percent.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		CohortID string `query:"cohort_id" format:"uuid"`
	}) (*struct {
		Body struct {
			Items []CompletionRate `json:"items"`
		}
	}, error) {
		rows, err := svc.CompletionRate(ctx, httpapi.OrgID(ctx), in.CohortID)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Items []CompletionRate `json:"items"`
			}
		}{}
		out.Body.Items = append([]CompletionRate{}, rows...)
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-quality-scores", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-quality-scores", Tags: []string{"Homework quality"},
		Summary:     "Curators' quality scores of a month",
		Description: "Each curator's average quality-check score (0–100) over their reviews made in the month (UTC) that were checked.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Month string `query:"month" required:"true" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"YYYY-MM"`
	}) (*struct {
		Body struct {
			Month  string             `json:"month"`
			Scores map[string]float64 `json:"scores" doc:"By curator user id."`
		}
	}, error) {
		scores, err := svc.QualityScores(ctx, httpapi.OrgID(ctx), in.Month)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Month  string             `json:"month"`
				Scores map[string]float64 `json:"scores" doc:"By curator user id."`
			}
		}{}
		out.Body.Month, out.Body.Scores = in.Month, scores
		return out, nil
	})
}
