package cases

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CaseSettingsBody is a school's collection rules.
type CaseSettingsBody struct {
	RequestIntervalDays int    `json:"request_interval_days" minimum:"1" maximum:"3650" doc:"A student is asked at most once per this many days." example:"90"`
	LinkTTLDays         int    `json:"link_ttl_days" minimum:"1" maximum:"365" doc:"Days a request's link works." example:"14"`
	VideoTarget         int    `json:"video_target" minimum:"0" maximum:"100000" doc:"Default video cases to collect per cohort." example:"10"`
	ReviewTarget        int    `json:"review_target" minimum:"0" maximum:"100000" doc:"Default cases to collect per cohort, videos included." example:"100"`
	Incentive           string `json:"incentive" maxLength:"2000" doc:"What every student who answers gets, the same whatever the rating (no reward may depend on a positive rating); empty for none."`
	ConsentTextVersion  string `json:"consent_text_version" minLength:"1" maxLength:"64" doc:"The version of the consent text now shown; recorded with every consent." example:"2026-12"`
	ConsentText         string `json:"consent_text" maxLength:"20000" doc:"The consent text shown with the link's form."`
}

type caseSettingsOutput struct {
	ETag string `header:"ETag"`
	Body CaseSettingsBody
}

func newCaseSettingsOutput(st *Settings) *caseSettingsOutput {
	return &caseSettingsOutput{ETag: httpapi.ETag(st.Version), Body: CaseSettingsBody{RequestIntervalDays: st.RequestIntervalDays,
		LinkTTLDays: st.LinkTTLDays, VideoTarget: st.VideoTarget, ReviewTarget: st.ReviewTarget, Incentive: st.Incentive,
		ConsentTextVersion: st.ConsentTextVersion, ConsentText: st.ConsentText}}
}

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("cases_settings", "read"), huma.Operation{
		OperationID: "get-case-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/case-settings", Tags: []string{tagCases},
		Summary: "Get the case collection settings", Description: "The defaults (90 days, 14-day links, 10 video cases and 100 reviews per cohort) until the school saves its own.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*caseSettingsOutput, error) {
		st, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return newCaseSettingsOutput(st), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_settings", "update"), huma.Operation{
		OperationID: "put-case-settings", Method: http.MethodPut, Path: "/v1/orgs/{org}/case-settings", Tags: []string{tagCases},
		Summary: "Replace the case collection settings", Description: "With If-Match from the last read. Audited.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.IfMatch
		Body CaseSettingsBody
	}) (*caseSettingsOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		b := in.Body
		st, err := svc.SaveSettings(ctx, httpapi.OrgID(ctx), v, SettingsInput{RequestIntervalDays: b.RequestIntervalDays, LinkTTLDays: b.LinkTTLDays,
			VideoTarget: b.VideoTarget, ReviewTarget: b.ReviewTarget, Incentive: b.Incentive, ConsentTextVersion: b.ConsentTextVersion,
			ConsentText: b.ConsentText})
		if err != nil {
			return nil, err
		}
		return newCaseSettingsOutput(st), nil
	})
}
