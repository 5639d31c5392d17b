package kb

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

type searchInput struct {
	httpapi.OrgPath
	Q        string `query:"q" minLength:"1" maxLength:"200" doc:"Words to find, in any form: проверки домашних заданий finds проверка домашнего задания. Every word must occur; ё and е are the same letter; case does not matter."`
	Category string `query:"category" pattern:"^[a-z][a-z0-9_]{1,62}$" patternDescription:"a category key" doc:"A category key, e.g. refunds."`
	Status   string `query:"status" enum:"draft,published,archived" doc:"Editors only; everyone else searches published articles."`
	Limit    int    `query:"limit" minimum:"1" maximum:"50" default:"20"`
}

// SearchHitDTO is one article found.
type SearchHitDTO struct {
	ArticleID string  `json:"article_id" format:"uuid"`
	Title     string  `json:"title"`
	Category  string  `json:"category"`
	Status    string  `json:"status" enum:"draft,published,archived"`
	Snippet   string  `json:"snippet" doc:"A passage of the body, HTML-escaped, with the matching words in <mark>…</mark>; … marks a cut."`
	Rank      float64 `json:"rank" doc:"Relevance, higher is better; comparable within one response only."`
}

// SearchResultsDTO is the ranked answer to a search.
type SearchResultsDTO struct {
	Items []SearchHitDTO `json:"items" nullable:"false"`
}

type searchOutput struct{ Body SearchResultsDTO }

func registerSearch(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "search-kb", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/search", Tags: []string{tagArticles},
		Summary:     "Search the regulations",
		Description: "Full-text search that understands Russian word forms, best matches first, with highlighted snippets. Drafts are found by their draft text, published articles by their published text.",
	}, func(ctx context.Context, in *searchInput) (*searchOutput, error) {
		hits, err := svc.Search(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), SearchQuery{Text: in.Q, Status: in.Status, Category: in.Category, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		out := &searchOutput{Body: SearchResultsDTO{Items: make([]SearchHitDTO, len(hits))}}
		for i, h := range hits {
			out.Body.Items[i] = SearchHitDTO{ArticleID: h.ArticleID, Title: h.Title, Category: h.Category, Status: h.Status, Snippet: h.Snippet, Rank: h.Rank}
		}
		return out, nil
	})
}
