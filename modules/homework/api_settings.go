package homework

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// HomeworkSettingsBody is a school's queue settings.
type HomeworkSettingsBody struct {
	OpenCapacity           int  `json:"open_capacity" minimum:"1" maximum:"10000" doc:"Open items a curator's own queue takes before new ones go to the pool."`
	LeaseMinutes           int  `json:"lease_minutes" minimum:"1" maximum:"480"`
	SamplePercent          int  `json:"sample_percent" minimum:"0" maximum:"100" doc:"Share of each curator's reviews sampled for quality control."`
	ProbationSamplePercent int  `json:"probation_sample_percent" minimum:"0" maximum:"100" doc:"Share of a newcomer's reviews sampled while their onboarding plan still has required items."`
	SampleRejected         bool `json:"sample_rejected" doc:"Sample every rejected review."`
	LowScorePercent        int  `json:"low_score_percent" minimum:"0" maximum:"100" doc:"Sample every review scoring below this share of the rubric's points; 0 turns it off."`
}

type settingsOutput struct {
	ETag string `header:"ETag"`
	Body HomeworkSettingsBody
}

func newSettingsOutput(st *Settings) *settingsOutput {
	return &settingsOutput{ETag: httpapi.ETag(st.Version), Body: HomeworkSettingsBody{OpenCapacity: st.OpenCapacity, LeaseMinutes: st.LeaseMinutes,
		SamplePercent: st.SamplePercent, ProbationSamplePercent: st.ProbationSamplePercent,
		SampleRejected: st.SampleRejected, LowScorePercent: st.LowScorePercent}}
}

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("homework_settings", "read"), huma.Operation{
		OperationID: "get-homework-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-settings", Tags: []string{"Homework"},
		Summary:     "Get the queue settings",
		Description: "Queue capacity, lease length and the quality-sampling rule; the defaults until the school saves its own.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*settingsOutput, error) {
		st, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(st), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_settings", "write"), huma.Operation{
		OperationID: "put-homework-settings", Method: http.MethodPut, Path: "/v1/orgs/{org}/homework-settings", Tags: []string{"Homework"},
		Summary:     "Replace the queue settings",
		Description: "With If-Match from the last read. Audited.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.IfMatch
		Body HomeworkSettingsBody
	}) (*settingsOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		b := in.Body
		st, err := svc.SaveSettings(ctx, httpapi.OrgID(ctx), v, SettingsInput{OpenCapacity: b.OpenCapacity, LeaseMinutes: b.LeaseMinutes,
			SamplePercent: b.SamplePercent, ProbationSamplePercent: b.ProbationSamplePercent,
			SampleRejected: b.SampleRejected, LowScorePercent: b.LowScorePercent})
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(st), nil
	})
}
