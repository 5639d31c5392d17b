package quality

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QualitySettingsDTO is a school's sampling settings.
type QualitySettingsDTO struct {
	ReviewsPerWeek         int     `json:"reviews_per_week" minimum:"0" maximum:"100" doc:"Conversations sampled per curator per week."`
	NewcomerReviewsPerWeek int     `json:"newcomer_reviews_per_week" minimum:"0" maximum:"100" doc:"The same for curators still in onboarding."`
	DefaultScorecardID     *string `json:"default_scorecard_id" format:"uuid" doc:"The scorecard reviews use unless they name another."`
	Version                int64   `json:"version" doc:"0 until first saved."`
}

// QualitySettingsBody replaces the sampling settings.
type QualitySettingsBody struct {
	ReviewsPerWeek         int     `json:"reviews_per_week" minimum:"0" maximum:"100" example:"3"`
	NewcomerReviewsPerWeek int     `json:"newcomer_reviews_per_week" minimum:"0" maximum:"100" example:"7"`
	DefaultScorecardID     *string `json:"default_scorecard_id,omitempty" format:"uuid"`
}

type qualitySettingsOutput struct {
	ETag string `header:"ETag"`
	Body QualitySettingsDTO
}

func newQualitySettingsOutput(s *Settings) *qualitySettingsOutput {
	return &qualitySettingsOutput{ETag: httpapi.ETag(s.Version), Body: QualitySettingsDTO{ReviewsPerWeek: s.ReviewsPerWeek,
		NewcomerReviewsPerWeek: s.NewcomerReviewsPerWeek, DefaultScorecardID: s.DefaultScorecardID, Version: s.Version}}
}

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("quality_settings", "read"), huma.Operation{
		OperationID: "get-quality-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/settings", Tags: []string{tag},
		Summary: "Get the sampling settings", Description: "How many conversations a week each curator gets reviewed (more " +
			"in onboarding) and the default scorecard. A school that never saved them has 3 and 7, version 0.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*qualitySettingsOutput, error) {
		s, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return newQualitySettingsOutput(s), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_settings", "write"), huma.Operation{
		OperationID: "update-quality-settings", Method: http.MethodPut, Path: "/v1/orgs/{org}/quality/settings", Tags: []string{tag},
		Summary: "Replace the sampling settings", Description: "Send If-Match with the ETag read (\"0\" before the first save).",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		IfMatch string `header:"If-Match" maxLength:"64" doc:"The ETag from the last read."`
		Body    QualitySettingsBody
	}) (*qualitySettingsOutput, error) {
		version, err := settingsVersion(in.IfMatch)
		if err != nil {
			return nil, err
		}
		s, err := svc.SaveSettings(ctx, httpapi.OrgID(ctx), version, SettingsInput{ReviewsPerWeek: in.Body.ReviewsPerWeek,
			NewcomerReviewsPerWeek: in.Body.NewcomerReviewsPerWeek, DefaultScorecardID: in.Body.DefaultScorecardID})
		if err != nil {
			return nil, err
		}
		return newQualitySettingsOutput(s), nil
	})
}

// settingsVersion reads If-Match, where "0" means never saved.
func settingsVersion(tag string) (int64, error) {
	if tag == `"0"` || tag == "0" {
		return 0, nil
	}
	return httpapi.IfMatch{IfMatch: tag}.Version()
}
