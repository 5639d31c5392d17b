package sla

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// SLAVersionDTO is one version of a policy.
type SLAVersionDTO struct {
	ID                   string     `json:"id" format:"uuid"`
	Number               int        `json:"number"`
	Status               string     `json:"status" enum:"draft,active,superseded" doc:"draft, active or superseded."`
	Priority             int        `json:"priority" doc:"Higher wins when several policies match."`
	CourseID             *string    `json:"course_id"`
	CohortID             *string    `json:"cohort_id"`
	Tariff               *string    `json:"tariff"`
	Channel              *string    `json:"channel" enum:"telegram,lms_comment,email,other"`
	FirstResponseMinutes int        `json:"first_response_minutes"`
	NextResponseMinutes  int        `json:"next_response_minutes"`
	CalendarID           string     `json:"calendar_id"`
	AlwaysOpen           bool       `json:"always_open"`
	WarningPercent       int        `json:"warning_percent"`
	CreatedAt            time.Time  `json:"created_at"`
	ActivatedAt          *time.Time `json:"activated_at"`
}

func versionDTO(v PolicyVersion) SLAVersionDTO {
	return SLAVersionDTO{ID: v.ID, Number: v.Number, Status: v.Status, Priority: v.Priority, CourseID: v.CourseID, CohortID: v.CohortID,
		Tariff: v.Tariff, Channel: v.Channel, FirstResponseMinutes: v.FirstResponseMinutes, NextResponseMinutes: v.NextResponseMinutes,
		CalendarID: v.CalendarID, AlwaysOpen: v.AlwaysOpen, WarningPercent: v.WarningPercent, CreatedAt: v.CreatedAt.UTC(),
		ActivatedAt: httpapi.UTC(v.ActivatedAt)}
}

// SLAPolicyDTO is a policy with its versions.
type SLAPolicyDTO struct {
	ID              string          `json:"id" format:"uuid"`
	Name            string          `json:"name"`
	ActiveVersionID *string         `json:"active_version_id"`
	ActiveNumber    int             `json:"active_number"`
	Versions        []SLAVersionDTO `json:"versions"`
	Version         int64           `json:"version"`
}

func policyDTO(d PolicyDetail) SLAPolicyDTO {
	out := SLAPolicyDTO{ID: d.Policy.ID, Name: d.Policy.Name, ActiveVersionID: d.Policy.ActiveVersionID, ActiveNumber: d.Policy.ActiveNumber,
		Version: d.Policy.Version, Versions: make([]SLAVersionDTO, len(d.Versions))}
	for i, v := range d.Versions {
		out.Versions[i] = versionDTO(v)
	}
	return out
}

type policyOutput struct {
	ETag string `header:"ETag"`
	Body SLAPolicyDTO
}

func newPolicyOutput(d *PolicyDetail) *policyOutput {
	return &policyOutput{ETag: httpapi.ETag(d.Policy.Version), Body: policyDTO(*d)}
}

// SLAVersionBody is the terms of a policy version as clients write them.
type SLAVersionBody struct {
	Priority             int     `json:"priority,omitempty" minimum:"0" maximum:"1000" doc:"Higher wins when several policies match."`
	CourseID             *string `json:"course_id,omitempty" format:"uuid" doc:"Condition: the student's course."`
	CohortID             *string `json:"cohort_id,omitempty" format:"uuid" doc:"Condition: the student's cohort."`
	Tariff               *string `json:"tariff,omitempty" minLength:"1" maxLength:"100" doc:"Condition: the enrollment's tariff."`
	Channel              *string `json:"channel,omitempty" enum:"telegram,lms_comment,email,other" doc:"Condition: the conversation's channel."`
	FirstResponseMinutes int     `json:"first_response_minutes" minimum:"1" maximum:"43200"`
	NextResponseMinutes  int     `json:"next_response_minutes" minimum:"1" maximum:"43200"`
	CalendarID           string  `json:"calendar_id,omitempty" maxLength:"64" doc:"A calendar of the school; empty: the default calendar."`
	AlwaysOpen           bool    `json:"always_open,omitempty" doc:"Count around the clock (24/7) instead of a calendar."`
	WarningPercent       int     `json:"warning_percent,omitempty" minimum:"1" maximum:"99" default:"75" doc:"Warn the curator when this share of the target has passed."`
}

func (b SLAVersionBody) input() VersionInput {
	return VersionInput{Priority: b.Priority, CourseID: b.CourseID, CohortID: b.CohortID, Tariff: b.Tariff, Channel: b.Channel,
		FirstResponseMinutes: b.FirstResponseMinutes, NextResponseMinutes: b.NextResponseMinutes, CalendarID: b.CalendarID,
		AlwaysOpen: b.AlwaysOpen, WarningPercent: b.WarningPercent}
}

// VersionPath addresses one version of a policy.
type VersionPath struct {
	IDPath
	VersionID string `path:"version_id" format:"uuid"`
}

// SLAOutcomeDTO is compliance under one set of policies.
type SLAOutcomeDTO struct {
	Items             int      `json:"items"`
	Compliant         int      `json:"compliant"`
	CompliancePercent *float64 `json:"compliance_percent" doc:"compliant / items in %; null without items."`
}

// SLAWhatIfDTO compares compliance as it was with compliance under a draft.
type SLAWhatIfDTO struct {
	From            time.Time     `json:"from"`
	To              time.Time     `json:"to"`
	Evaluated       int           `json:"evaluated"`
	Governed        int           `json:"governed" doc:"Clocks the draft would have governed."`
	ChangedDueTimes int           `json:"changed_due_times"`
	Current         SLAOutcomeDTO `json:"current"`
	Draft           SLAOutcomeDTO `json:"draft"`
	NewlyBreached   int           `json:"newly_breached"`
	NewlyCompliant  int           `json:"newly_compliant"`
}

func registerPolicies(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_policies", "read"), huma.Operation{
		OperationID: "list-sla-policies", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/policies", Tags: []string{tag},
		Summary: "List SLA policies", Description: "By name, each with its versions. Without an active policy, clocks run " +
			"under the default: 2 business hours on the default calendar, a warning at 75 %.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*struct {
		Body struct {
			Items []SLAPolicyDTO `json:"items"`
		}
	}, error) {
		rows, err := svc.Policies(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Items []SLAPolicyDTO `json:"items"`
			}
		}{}
		out.Body.Items = make([]SLAPolicyDTO, len(rows))
		for i, d := range rows {
			out.Body.Items[i] = policyDTO(d)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_policies", "write"), huma.Operation{
		OperationID: "create-sla-policy", Method: http.MethodPost, Path: "/v1/orgs/{org}/sla/policies", Tags: []string{tag},
		Summary: "Create an SLA policy", Description: "Its first version is active at once and applies to clocks that start from now on.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body struct {
			Name string `json:"name" minLength:"1" maxLength:"100"`
			SLAVersionBody
		}
	}) (*policyOutput, error) {
		d, err := svc.CreatePolicy(ctx, httpapi.OrgID(ctx), in.Body.Name, in.Body.SLAVersionBody.input())
		if err != nil {
			return nil, err
		}
		return newPolicyOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_policies", "read"), huma.Operation{
		OperationID: "get-sla-policy", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/policies/{id}", Tags: []string{tag},
		Summary: "Get an SLA policy", Description: "With every version; the ETag is needed to activate a draft.",
	}, func(ctx context.Context, in *IDPath) (*policyOutput, error) {
		d, err := svc.Policy(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newPolicyOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_policies", "write"), huma.Operation{
		OperationID: "draft-sla-policy-version", Method: http.MethodPost, Path: "/v1/orgs/{org}/sla/policies/{id}/versions", Tags: []string{tag},
		Summary: "Draft a new policy version", Description: "A draft changes nothing until activated; evaluate it first with what-if.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body SLAVersionBody
	}) (*struct{ Body SLAVersionDTO }, error) {
		v, err := svc.DraftVersion(ctx, httpapi.OrgID(ctx), in.ID, in.Body.input())
		if err != nil {
			return nil, err
		}
		return &struct{ Body SLAVersionDTO }{Body: versionDTO(*v)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_policies", "write"), huma.Operation{
		OperationID: "activate-sla-policy-version", Method: http.MethodPost,
		Path: "/v1/orgs/{org}/sla/policies/{id}/versions/{version_id}/activate", Tags: []string{tag},
		Summary: "Activate a draft version", Description: "New clocks use it; clocks already running keep the version they started under.",
		Errors: staleErrors(),
	}, func(ctx context.Context, in *struct {
		VersionPath
		httpapi.IfMatch
	}) (*policyOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		d, err := svc.ActivateVersion(ctx, httpapi.OrgID(ctx), in.ID, in.VersionID, version)
		if err != nil {
			return nil, err
		}
		return newPolicyOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_policies", "read"), huma.Operation{
		OperationID: "what-if-sla-policy-version", Method: http.MethodGet,
		Path: "/v1/orgs/{org}/sla/policies/{id}/versions/{version_id}/what-if", Tags: []string{tag},
		Summary: "Evaluate a version against the past", Description: "Recomputes the due times of the clocks of the last days as if " +
			"this version had been the policy's active one, and compares compliance. Nothing is written.",
	}, func(ctx context.Context, in *struct {
		VersionPath
		Days int `query:"days" minimum:"1" maximum:"365" default:"30"`
	}) (*struct{ Body SLAWhatIfDTO }, error) {
		w, err := svc.WhatIf(ctx, httpapi.OrgID(ctx), in.ID, in.VersionID, in.Days)
		if err != nil {
			return nil, err
		}
		return &struct{ Body SLAWhatIfDTO }{Body: SLAWhatIfDTO{From: w.From.UTC(), To: w.To.UTC(), Evaluated: w.Evaluated, Governed: w.Governed,
			ChangedDueTimes: w.ChangedDueTimes, Current: SLAOutcomeDTO(w.Current), Draft: SLAOutcomeDTO(w.Draft),
			NewlyBreached: w.NewlyBreached, NewlyCompliant: w.NewlyCompliant}}, nil
	})
}
