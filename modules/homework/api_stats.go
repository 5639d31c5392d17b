package homework

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

type statsInput struct {
	httpapi.OrgPath
	GroupBy string    `query:"group_by" enum:"curator,cohort,assignment" default:"curator"`
	From    time.Time `query:"from" doc:"Reviews completed from this instant; 30 days ago by default."`
	To      time.Time `query:"to" doc:"Reviews completed before this instant; now by default."`
}

// The outputs are aliases of unnamed structs, so that their schemas are
// named after their operations.
type statsOutput = struct {
	Body struct {
		Items []QueueStats `json:"items"`
	}
}

type completionOutput = struct {
	Body struct {
		Items []CompletionRate `json:"items"`
	}
}

type qualityScoresOutput = struct {
	Body struct {
		Month string         `json:"month"`
		Items []QualityScore `json:"items" doc:"One row per curator with at least one checked review in the month."`
	}
}

// ownRows is what the stats operations say about who sees which rows.
const ownRows = " Those who hold homework_stats:read_all see every curator's rows; a curator sees only her own."

func registerStats(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-stats", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-stats", Tags: []string{"Homework stats"},
		Summary: "Queue and review numbers",
		Description: "Per curator, cohort or assignment, with their names: open items now (queued, in review, past due) and reviews completed in [from, to): " +
			"their count, in time and late, median and p90 review time in business seconds, and rework rate. SLA compliance is reviewed_in_time ÷ " +
			"(reviewed_in_time + reviewed_late + open_overdue): an open item past its due time counts as a miss as of now. Each item is charged to " +
			"whoever holds a live claim on it, else the curator whose queue holds it (pool for none); a reviewed one to its reviewer." + ownRows,
	}, func(ctx context.Context, in *statsInput) (*statsOutput, error) {
		if err := clock.CheckPeriod(in.From, in.To); err != nil {
			return nil, err
		}
		to := in.To
		if to.IsZero() {
			to = svc.Now().Add(time.Microsecond)
		}
		from := in.From
		if from.IsZero() {
			from = to.AddDate(0, 0, -30)
		}
		rows, err := svc.QueueStats(ctx, httpapi.OrgID(ctx), StatsReaderFrom(ctx), in.GroupBy, from, to)
		if err != nil {
			return nil, err
		}
		out := &statsOutput{}
		out.Body.Items = rows
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-completion", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-completion", Tags: []string{"Homework stats"},
		Summary: "Completion rate per module per cohort",
		Description: "Per cohort and module of its course, with their names: the cohort's students who submitted the module's homework at least once, " +
			"over every enrollment of the cohort (enrolled) and over its active or completed enrollments (active), each with its numerator, " +
			"denominator and percent (null when the denominator is 0). Only students of the denominator are counted, so no rate exceeds 100." +
			" Those who hold homework_stats:read_all see every cohort; a curator sees the cohorts where she curates students, counting only them.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		CohortID string `query:"cohort_id" format:"uuid"`
	}) (*completionOutput, error) {
		rows, err := svc.CompletionRate(ctx, httpapi.OrgID(ctx), StatsReaderFrom(ctx), in.CohortID)
		if err != nil {
			return nil, err
		}
		out := &completionOutput{}
		out.Body.Items = rows
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-quality-scores", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-quality-scores", Tags: []string{"Homework quality"},
		Summary: "Curators' quality scores of a month",
		Description: "Each curator's average quality-check score (0–100) over their reviews made in the month (UTC) that were checked, with the number " +
			"of checked reviews and the curator's name; a curator with no checked review that month has no row." + ownRows,
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Month string `query:"month" required:"true" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"YYYY-MM"`
	}) (*qualityScoresOutput, error) {
		scores, err := svc.QualityScores(ctx, httpapi.OrgID(ctx), StatsReaderFrom(ctx), in.Month)
		if err != nil {
			return nil, err
		}
		out := &qualityScoresOutput{}
		out.Body.Month, out.Body.Items = in.Month, scores
		return out, nil
	})
}
