package onboarding

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// OnboardingTemplateItemBody is one item of a template.
type OnboardingTemplateItemBody struct {
	Key               string  `json:"key" minLength:"1" maxLength:"64" pattern:"^[a-z0-9][a-z0-9_-]*$" example:"read-homework-rules" doc:"Unique within the template."`
	Title             string  `json:"title" minLength:"1" maxLength:"200" example:"Прочитать регламент проверки ДЗ"`
	Description       string  `json:"description,omitempty" maxLength:"2000"`
	Kind              string  `json:"kind" enum:"read_regulation,pass_quiz,shadow,supervised_reviews,sign_document,task" doc:"read_regulation completes itself when the knowledge base holds the newcomer's acknowledgment of the article's current revision; pass_quiz on a pass of the article's quiz; supervised_reviews when review_count of the newcomer's reviews passed quality control; shadow is confirmed by the mentor; sign_document and task by their assignee."`
	Assignee          string  `json:"assignee" enum:"newcomer,mentor,hr" doc:"Who does or confirms the item. Items that complete themselves are the newcomer's; the shadowing is the mentor's."`
	DayOffset         int     `json:"day_offset" minimum:"0" maximum:"365" doc:"Due at the end of the start date plus this many days (UTC)."`
	Weight            int     `json:"weight" minimum:"1" maximum:"100" doc:"Share of the plan's progress."`
	Required          bool    `json:"required,omitempty" doc:"Required before students: the newcomer gets none until every required item is done."`
	ArticleID         *string `json:"article_id,omitempty" format:"uuid" doc:"The regulation (read_regulation, pass_quiz)."`
	ReviewCount       int     `json:"review_count,omitempty" minimum:"0" maximum:"200" doc:"supervised_reviews: how many reviews must pass quality control."`
	MinQualityPercent int     `json:"min_quality_percent,omitempty" minimum:"0" maximum:"100" doc:"supervised_reviews: a check passes when its score is at least this (80 by default) and the verdict was upheld."`
}

// OnboardingTemplateBody is what creating or replacing a template takes.
type OnboardingTemplateBody struct {
	Title string                       `json:"title" minLength:"1" maxLength:"200" example:"Адаптация куратора"`
	Items []OnboardingTemplateItemBody `json:"items" minItems:"1" maxItems:"50"`
}

// NewOnboardingTemplateBody creates a role's template.
type NewOnboardingTemplateBody struct {
	Role  string                       `json:"role" enum:"curator,senior_curator,head_of_service,hr,finance" doc:"A role has one template."`
	Title string                       `json:"title" minLength:"1" maxLength:"200" example:"Адаптация куратора"`
	Items []OnboardingTemplateItemBody `json:"items" minItems:"1" maxItems:"50"`
}

// OnboardingTemplateDTO is a role's template.
type OnboardingTemplateDTO struct {
	ID      string                       `json:"id" format:"uuid"`
	Role    string                       `json:"role" enum:"curator,senior_curator,head_of_service,hr,finance"`
	Title   string                       `json:"title"`
	Items   []OnboardingTemplateItemBody `json:"items"`
	Version int64                        `json:"version"`
}

// OnboardingTemplateList is the school's templates.
type OnboardingTemplateList struct {
	Items []OnboardingTemplateDTO `json:"items" nullable:"false"`
}

type templateOutput struct {
	ETag string `header:"ETag"`
	Body OnboardingTemplateDTO
}

type templateListOutput struct {
	Body OnboardingTemplateList
}

// OnboardingTemplatePath addresses one template.
type OnboardingTemplatePath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Template id."`
}

func templateDTO(t *Template) OnboardingTemplateDTO {
	items := make([]OnboardingTemplateItemBody, len(t.Items))
	for i, it := range t.Items {
		items[i] = OnboardingTemplateItemBody{Key: it.Key, Title: it.Title, Description: it.Description, Kind: it.Kind, Assignee: it.Assignee,
			DayOffset: it.DayOffset, Weight: it.Weight, Required: it.Required, ArticleID: it.ArticleID, ReviewCount: it.ReviewCount,
			MinQualityPercent: it.MinQualityPercent}
	}
	return OnboardingTemplateDTO{ID: t.ID, Role: t.Role, Title: t.Title, Items: items, Version: t.Version}
}

func templateInput(title string, body []OnboardingTemplateItemBody) TemplateInput {
	items := make([]TemplateItem, len(body))
	for i, it := range body {
		items[i] = TemplateItem{Key: it.Key, Title: it.Title, Description: it.Description, Kind: it.Kind, Assignee: it.Assignee,
			DayOffset: it.DayOffset, Weight: it.Weight, Required: it.Required, ArticleID: it.ArticleID, ReviewCount: it.ReviewCount,
			MinQualityPercent: it.MinQualityPercent}
	}
	return TemplateInput{Title: title, Items: items}
}

func templateOut(t *Template) *templateOutput {
	return &templateOutput{ETag: httpapi.ETag(t.Version), Body: templateDTO(t)}
}

func registerTemplates(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("onboarding_templates", "read"), huma.Operation{
		OperationID: "list-onboarding-templates", Method: http.MethodGet, Path: "/v1/orgs/{org}/onboarding-templates", Tags: []string{"Onboarding"},
		Summary: "List the onboarding templates", Description: "One per role, by role.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*templateListOutput, error) {
		rows, err := svc.Templates(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := &templateListOutput{Body: OnboardingTemplateList{Items: make([]OnboardingTemplateDTO, len(rows))}}
		for i := range rows {
			out.Body.Items[i] = templateDTO(&rows[i])
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_templates", "write"), huma.Operation{
		OperationID: "create-onboarding-template", Method: http.MethodPost, Path: "/v1/orgs/{org}/onboarding-templates", Tags: []string{"Onboarding"},
		Summary:     "Set up a role's onboarding template",
		Description: "Regulation and quiz items name a published article of the school's knowledge base (a quiz item one with a quiz). 409 when the role has a template. Audited.",
		Errors:      []int{http.StatusConflict}, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewOnboardingTemplateBody
	}) (*templateOutput, error) {
		t, err := svc.CreateTemplate(ctx, httpapi.OrgID(ctx), in.Body.Role, templateInput(in.Body.Title, in.Body.Items))
		if err != nil {
			return nil, err
		}
		return templateOut(t), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_templates", "read"), huma.Operation{
		OperationID: "get-onboarding-template", Method: http.MethodGet, Path: "/v1/orgs/{org}/onboarding-templates/{id}", Tags: []string{"Onboarding"},
		Summary: "Get an onboarding template", Description: "With its items; the ETag is its version.",
	}, func(ctx context.Context, in *OnboardingTemplatePath) (*templateOutput, error) {
		t, err := svc.Template(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return templateOut(t), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_templates", "write"), huma.Operation{
		OperationID: "replace-onboarding-template", Method: http.MethodPut, Path: "/v1/orgs/{org}/onboarding-templates/{id}", Tags: []string{"Onboarding"},
		Summary:     "Replace an onboarding template",
		Description: "With If-Match from the last read. Plans already started keep the items they were started with. Audited.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		OnboardingTemplatePath
		httpapi.IfMatch
		Body OnboardingTemplateBody
	}) (*templateOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		t, err := svc.UpdateTemplate(ctx, httpapi.OrgID(ctx), in.ID, v, templateInput(in.Body.Title, in.Body.Items))
		if err != nil {
			return nil, err
		}
		return templateOut(t), nil
	})
}
