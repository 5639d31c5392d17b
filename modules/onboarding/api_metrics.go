package onboarding

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// OnboardingDurationDTO is the onboarding duration over a period.
type OnboardingDurationDTO struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Plans      int       `json:"plans" doc:"The sample: plans whose newcomer became able to take students in [from, to)."`
	Early      int       `json:"early" doc:"Of them, activated early by HR or the head."`
	MedianDays *float64  `json:"median_days" doc:"Median of the calendar days from start date to activation; null without plans."`
	MeanDays   *float64  `json:"mean_days" doc:"total_days ÷ plans; null without plans."`
	MaxDays    *float64  `json:"max_days"`
	TotalDays  float64   `json:"total_days" doc:"The mean's numerator."`
}

type durationOutput struct {
	Body OnboardingDurationDTO
}

func registerMetrics(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("onboarding_metrics", "read"), huma.Operation{
		OperationID: "get-onboarding-duration", Method: http.MethodGet, Path: "/v1/orgs/{org}/onboarding-metrics/duration", Tags: []string{"Onboarding"},
		Summary:     "Onboarding duration",
		Description: "Calendar days from each plan's start date to the moment its newcomer could take students (the last required item done, or an early activation), over the plans that reached it in [from, to): median, mean with its numerator and sample, maximum. The last 90 days by default.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		From time.Time `query:"from" doc:"Activations from this instant; 90 days before to by default."`
		To   time.Time `query:"to" doc:"Activations before this instant; now by default."`
	}) (*durationOutput, error) {
		if err := clock.CheckPeriod(in.From, in.To); err != nil {
			return nil, err
		}
		to, from := in.To, in.From
		if to.IsZero() {
			to = svc.Now().Add(time.Microsecond)
		}
		if from.IsZero() {
			from = to.AddDate(0, 0, -90)
		}
		d, err := svc.OnboardingDuration(ctx, httpapi.OrgID(ctx), from, to)
		if err != nil {
			return nil, err
		}
		return &durationOutput{Body: OnboardingDurationDTO{From: d.From, To: d.To, Plans: d.Plans, Early: d.Early, MedianDays: d.MedianDays,
			MeanDays: d.MeanDays, MaxDays: d.MaxDays, TotalDays: d.TotalDays}}, nil
	})
}
