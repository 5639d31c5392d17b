package identity

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Schools and their settings.

type createOrgInput struct {
	Body struct {
		Slug     string `json:"slug" pattern:"^[a-z0-9][a-z0-9-]{1,62}$" doc:"Short name used in paths, e.g. demo."`
		Name     string `json:"name" minLength:"1" maxLength:"200"`
		TimeZone string `json:"time_zone" minLength:"1" maxLength:"64" doc:"IANA time zone, e.g. Europe/Moscow."`
		Currency string `json:"currency" pattern:"^[A-Z]{3}$" doc:"ISO 4217 code, e.g. RUB."`
	}
}

type orgOutput struct {
	ETag string `header:"ETag"`
	Body OrgDTO
}

func newOrgOutput(o *Org) *orgOutput {
	return &orgOutput{ETag: httpapi.ETag(o.Version), Body: orgDTO(*o)}
}

type listOrgsInput struct {
	httpapi.PageQuery
}

type listOrgsOutput struct{ Body httpapi.Page[OrgDTO] }

type updateOrgInput struct {
	httpapi.OrgPath
	httpapi.IfMatch
	Body struct {
		Name     *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		TimeZone *string `json:"time_zone,omitempty" minLength:"1" maxLength:"64" doc:"IANA time zone, e.g. Europe/Moscow."`
		Currency *string `json:"currency,omitempty" pattern:"^[A-Z]{3}$"`
	}
}

func registerOrgs(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.PlatformPermission("orgs", "create"), huma.Operation{
		OperationID: "create-org", Method: http.MethodPost, Path: "/v1/orgs", Tags: []string{"Organisations"},
		Summary: "Create a school", Description: "Platform administrators only. The slug becomes the {org} of every path of the school.", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createOrgInput) (*orgOutput, error) {
		o, err := svc.CreateOrg(ctx, NewOrg{Slug: in.Body.Slug, Name: in.Body.Name, TimeZone: in.Body.TimeZone, Currency: in.Body.Currency})
		if err != nil {
			return nil, err
		}
		return newOrgOutput(o), nil
	})

	httpapi.Register(api, httpapi.PlatformPermission("orgs", "list"), huma.Operation{
		OperationID: "list-orgs", Method: http.MethodGet, Path: "/v1/orgs", Tags: []string{"Organisations"},
		Summary:     "List every school of the deployment",
		Description: "Platform administrators only; ordered by slug.",
	}, func(ctx context.Context, in *listOrgsInput) (*listOrgsOutput, error) {
		after, err := httpapi.AfterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListOrgs(ctx, in.Limit, after)
		if err != nil {
			return nil, err
		}
		return &listOrgsOutput{Body: httpapi.NewPage(rows, in.Limit, orgDTO, func(o Org) []string { return []string{o.Slug} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("org", "read"), huma.Operation{
		OperationID: "get-org", Method: http.MethodGet, Path: "/v1/orgs/{org}", Tags: []string{"Organisations"},
		Summary:     "Get the school's settings",
		Description: "Name, time zone and currency; the ETag is needed to change them.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*orgOutput, error) {
		o, err := svc.Org(ctx, in.Org)
		if err != nil {
			return nil, err
		}
		return newOrgOutput(o), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("org", "update"), huma.Operation{
		OperationID: "update-org", Method: http.MethodPatch, Path: "/v1/orgs/{org}", Tags: []string{"Organisations"},
		Summary:     "Change the school's settings",
		Description: "Fields left out stay as they are. Needs If-Match with the ETag of the last read.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *updateOrgInput) (*orgOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		o, err := svc.UpdateOrg(ctx, in.Org, version, OrgChanges{Name: in.Body.Name, TimeZone: in.Body.TimeZone, Currency: in.Body.Currency})
		if err != nil {
			return nil, err
		}
		return newOrgOutput(o), nil
	})
}
