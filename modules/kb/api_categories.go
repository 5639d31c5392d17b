package kb

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CategoryDTO is a category of articles and templates.
type CategoryDTO struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	BuiltIn bool   `json:"built_in" doc:"Built-in categories exist in every school."`
}

type listCategoriesOutput struct{ Body httpapi.Page[CategoryDTO] }

type createCategoryInput struct {
	httpapi.OrgPath
	Body struct {
		Key  string `json:"key" pattern:"^[a-z][a-z0-9_]{1,62}$" doc:"Identifier used by articles and templates, e.g. webinars."`
		Name string `json:"name" minLength:"1" maxLength:"200"`
	}
}

type categoryOutput struct{ Body CategoryDTO }

func categoryDTO(c Category) CategoryDTO {
	return CategoryDTO{Key: c.Key, Name: c.Name, BuiltIn: c.BuiltIn}
}

func registerCategories(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "list-kb-categories", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/categories", Tags: []string{tagArticles},
		Summary:     "List the categories of regulations",
		Description: "The built-in categories (duties, homework_checking, chat_communication, case_collection, refunds, onboarding), then the school's own.",
	}, func(ctx context.Context, _ *httpapi.OrgPath) (*listCategoriesOutput, error) {
		cats, err := svc.Categories(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := &listCategoriesOutput{Body: httpapi.Page[CategoryDTO]{Items: make([]CategoryDTO, len(cats))}}
		for i, c := range cats {
			out.Body.Items[i] = categoryDTO(c)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "create-kb-category", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/categories", Tags: []string{tagArticles},
		Summary:       "Add a category of the school's own",
		Description:   "The key must not be taken by a built-in or an existing category.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createCategoryInput) (*categoryOutput, error) {
		c, err := svc.CreateCategory(ctx, httpapi.OrgID(ctx), in.Body.Key, in.Body.Name)
		if err != nil {
			return nil, err
		}
		return &categoryOutput{Body: categoryDTO(*c)}, nil
	})
}
