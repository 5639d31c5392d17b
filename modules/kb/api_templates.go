package kb

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// TemplateDTO is an answer template.
type TemplateDTO struct {
	ID         string     `json:"id" format:"uuid"`
	Category   string     `json:"category"`
	Title      string     `json:"title"`
	Body       string     `json:"body" doc:"Text with {{variables}}, e.g. {{student_name}}."`
	Variables  []string   `json:"variables" doc:"The variables the body uses, in order of first use."`
	UsageCount int64      `json:"usage_count" doc:"How many times the template was rendered."`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Version    int64      `json:"version"`
}

func templateDTO(t *Template) TemplateDTO {
	return TemplateDTO{ID: t.ID, Category: t.Category, Title: t.Title, Body: t.Body, Variables: t.Variables(),
		UsageCount: t.UsageCount, LastUsedAt: httpapi.UTC(t.LastUsedAt), CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(), Version: t.Version}
}

type templateOutput struct {
	ETag string `header:"ETag"`
	Body TemplateDTO
}

func newTemplateOutput(t *Template) *templateOutput {
	return &templateOutput{ETag: httpapi.ETag(t.Version), Body: templateDTO(t)}
}

// TemplatePath addresses one template.
type TemplatePath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Template id."`
}

type listTemplatesInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Category string `query:"category" pattern:"^[a-z][a-z0-9_]{1,62}$" patternDescription:"a category key" doc:"A category key, e.g. refunds."`
}

type listTemplatesOutput struct{ Body httpapi.Page[TemplateDTO] }

type createTemplateInput struct {
	httpapi.OrgPath
	Body struct {
		Category string `json:"category" pattern:"^[a-z][a-z0-9_]{1,62}$"`
		Title    string `json:"title" minLength:"1" maxLength:"300"`
		Body     string `json:"body" minLength:"1" maxLength:"20000"`
	}
}

type updateTemplateInput struct {
	TemplatePath
	httpapi.IfMatch
	Body struct {
		Category *string `json:"category,omitempty" pattern:"^[a-z][a-z0-9_]{1,62}$"`
		Title    *string `json:"title,omitempty" minLength:"1" maxLength:"300"`
		Body     *string `json:"body,omitempty" minLength:"1" maxLength:"20000"`
	}
}

type deleteTemplateInput struct {
	TemplatePath
	httpapi.IfMatch
}

type renderInput struct {
	TemplatePath
	Body struct {
		Variables map[string]string `json:"variables" maxProperties:"50" doc:"A value for every variable the template uses, and no others."`
	}
}

// RenderedDTO is a template filled in.
type RenderedDTO struct {
	TemplateID string `json:"template_id" format:"uuid"`
	Text       string `json:"text"`
	UsageCount int64  `json:"usage_count" doc:"The template's usage count, this use included."`
}

type renderOutput struct{ Body RenderedDTO }

func registerTemplates(api huma.API, svc *Service) {
	versioned := []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("kb_templates", "read"), huma.Operation{
		OperationID: "list-kb-templates", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/templates", Tags: []string{tagTemplates},
		Summary:     "List answer templates",
		Description: "Ordered by creation; filter by category.",
	}, func(ctx context.Context, in *listTemplatesInput) (*listTemplatesOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Templates(ctx, httpapi.OrgID(ctx), TemplateFilter{Category: in.Category, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listTemplatesOutput{Body: httpapi.NewPage(rows, in.Limit, func(t Template) TemplateDTO { return templateDTO(&t) },
			func(t Template) []string { return []string{t.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_templates", "write"), huma.Operation{
		OperationID: "create-kb-template", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/templates", Tags: []string{tagTemplates},
		Summary:       "Write an answer template",
		Description:   "Variables are written {{name}} with lower-case letters, digits and _, e.g. {{student_name}}, {{deadline}}.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createTemplateInput) (*templateOutput, error) {
		t, err := svc.CreateTemplate(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), NewTemplate{Category: in.Body.Category, Title: in.Body.Title, Body: in.Body.Body})
		if err != nil {
			return nil, err
		}
		return newTemplateOutput(t), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_templates", "read"), huma.Operation{
		OperationID: "get-kb-template", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/templates/{id}", Tags: []string{tagTemplates},
		Summary:     "Get an answer template",
		Description: "With the variables it uses; the ETag is needed to edit it.",
	}, func(ctx context.Context, in *TemplatePath) (*templateOutput, error) {
		t, err := svc.Template(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newTemplateOutput(t), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_templates", "write"), huma.Operation{
		OperationID: "update-kb-template", Method: http.MethodPatch, Path: "/v1/orgs/{org}/kb/templates/{id}", Tags: []string{tagTemplates},
		Summary:     "Edit an answer template",
		Description: "Fields left out stay. Needs If-Match.",
		Errors:      versioned,
	}, func(ctx context.Context, in *updateTemplateInput) (*templateOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		t, err := svc.UpdateTemplate(ctx, httpapi.OrgID(ctx), in.ID, version, TemplateChanges{Category: in.Body.Category, Title: in.Body.Title, Body: in.Body.Body})
		if err != nil {
			return nil, err
		}
		return newTemplateOutput(t), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_templates", "write"), huma.Operation{
		OperationID: "delete-kb-template", Method: http.MethodDelete, Path: "/v1/orgs/{org}/kb/templates/{id}", Tags: []string{tagTemplates},
		Summary:     "Delete an answer template",
		Description: "Needs If-Match.", Errors: versioned, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *deleteTemplateInput) (*struct{}, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		return nil, svc.DeleteTemplate(ctx, httpapi.OrgID(ctx), in.ID, version)
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_templates", "use"), huma.Operation{
		OperationID: "render-kb-template", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/templates/{id}/render", Tags: []string{tagTemplates},
		Summary:     "Fill in an answer template",
		Description: "Returns the text with every variable replaced and counts the use. A missing or blank value, or a value for a variable the template does not use, is refused with 422 naming it (body.variables.<name>).",
	}, func(ctx context.Context, in *renderInput) (*renderOutput, error) {
		r, err := svc.RenderTemplate(ctx, httpapi.OrgID(ctx), in.ID, in.Body.Variables)
		if err != nil {
			return nil, err
		}
		return &renderOutput{Body: RenderedDTO{TemplateID: r.Template.ID, Text: r.Text, UsageCount: r.Template.UsageCount}}, nil
	})
}
