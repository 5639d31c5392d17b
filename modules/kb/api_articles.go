package kb

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// AudienceDTO says who reads an article, who must acknowledge it and by when.
type AudienceDTO struct {
	AudienceRoles []string `json:"audience_roles" doc:"Roles that may read the article; empty means every role of the school."`
	RequiredRoles []string `json:"required_roles" doc:"Roles that must acknowledge the article (and may read it)."`
	DueDays       int      `json:"due_days" doc:"Days to acknowledge in."`
	DueFrom       string   `json:"due_from" enum:"publication,joining" doc:"publication: from when the required revision was published (or the person joined, if later); joining: from when the person joined the school."`
}

// ArticleDTO is an article without its text.
type ArticleDTO struct {
	ID       string `json:"id" format:"uuid"`
	Category string `json:"category"`
	Status   string `json:"status" enum:"draft,published,archived"`
	Title    string `json:"title" doc:"The published title, or the draft's while the article has never been published."`
	AudienceDTO
	HasQuiz           bool       `json:"has_quiz" doc:"Acknowledging needs a passed quiz attempt."`
	CurrentRevisionID string     `json:"current_revision_id,omitempty" doc:"The published revision readers see."`
	AckRevisionID     string     `json:"ack_revision_id,omitempty" doc:"The latest major revision: acknowledgments of it are what required reading asks for."`
	DraftRevisionID   string     `json:"draft_revision_id,omitempty" doc:"The draft being edited; shown to editors only."`
	CreatedBy         string     `json:"created_by"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	PublishedAt       *time.Time `json:"published_at,omitempty"`
	ArchivedAt        *time.Time `json:"archived_at,omitempty"`
	Version           int64      `json:"version"`
}

func articleDTO(a *Article, editor bool) ArticleDTO {
	out := ArticleDTO{ID: a.ID, Category: a.Category, Status: a.Status, Title: a.Title,
		AudienceDTO: AudienceDTO{AudienceRoles: strs(a.AudienceRoles), RequiredRoles: strs(a.RequiredRoles), DueDays: a.DueDays, DueFrom: a.DueFrom},
		HasQuiz:     a.Quiz != nil, CurrentRevisionID: a.CurrentRevisionID, AckRevisionID: a.AckRevisionID,
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		PublishedAt: httpapi.UTC(a.PublishedAt), ArchivedAt: httpapi.UTC(a.ArchivedAt), Version: a.Version}
	if editor {
		out.DraftRevisionID = a.DraftRevisionID
	}
	return out
}

// ArticleDetailDTO is an article with the text of its revisions.
type ArticleDetailDTO struct {
	ArticleDTO
	CurrentRevision *RevisionDTO `json:"current_revision,omitempty" doc:"What readers see."`
	Draft           *RevisionDTO `json:"draft,omitempty" doc:"The draft being edited; editors only."`
}

type articleOutput struct {
	ETag string `header:"ETag"`
	Body ArticleDetailDTO
}

func newArticleOutput(v *ArticleView, editor bool) *articleOutput {
	out := &articleOutput{ETag: httpapi.ETag(v.Article.Version), Body: ArticleDetailDTO{ArticleDTO: articleDTO(v.Article, editor)}}
	if v.Current != nil {
		r := revisionDTO(v.Current)
		out.Body.CurrentRevision = &r
	}
	if v.Draft != nil && editor {
		r := revisionDTO(v.Draft)
		out.Body.Draft = &r
	}
	return out
}

// AudienceInput is the audience part of an article's input.
type AudienceInput struct {
	AudienceRoles []string `json:"audience_roles,omitempty" maxItems:"7" uniqueItems:"true" doc:"Roles that may read; empty: every role."`
	RequiredRoles []string `json:"required_roles,omitempty" maxItems:"7" uniqueItems:"true" doc:"Roles that must acknowledge."`
	DueDays       int      `json:"due_days,omitempty" minimum:"1" maximum:"365" default:"7"`
	DueFrom       string   `json:"due_from,omitempty" enum:"publication,joining" default:"publication"`
}

type createArticleInput struct {
	httpapi.OrgPath
	Body struct {
		Category string `json:"category" pattern:"^[a-z][a-z0-9_]{1,62}$"`
		Title    string `json:"title" minLength:"1" maxLength:"300" pattern:"^[^\\r\\n]+$" doc:"One line."`
		Body     string `json:"body" maxLength:"100000" doc:"Markdown."`
		AudienceInput
	}
}

type listArticlesInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Status   string `query:"status" enum:"draft,published,archived" doc:"Readers only ever see published articles."`
	Category string `query:"category" pattern:"^[a-z][a-z0-9_]{1,62}$" patternDescription:"a category key" doc:"A category key, e.g. refunds."`
}

type listArticlesOutput struct{ Body httpapi.Page[ArticleDTO] }

type updateArticleInput struct {
	ArticlePath
	httpapi.IfMatch
	Body struct {
		Category      *string   `json:"category,omitempty" pattern:"^[a-z][a-z0-9_]{1,62}$"`
		Title         *string   `json:"title,omitempty" minLength:"1" maxLength:"300" pattern:"^[^\\r\\n]+$" doc:"Goes into the draft."`
		Body          *string   `json:"body,omitempty" maxLength:"100000" doc:"Goes into the draft."`
		AudienceRoles *[]string `json:"audience_roles,omitempty" maxItems:"7" uniqueItems:"true"`
		RequiredRoles *[]string `json:"required_roles,omitempty" maxItems:"7" uniqueItems:"true"`
		DueDays       *int      `json:"due_days,omitempty" minimum:"1" maximum:"365"`
		DueFrom       *string   `json:"due_from,omitempty" enum:"publication,joining"`
	}
}

type publishInput struct {
	ArticlePath
	httpapi.IfMatch
	Body struct {
		Change string `json:"change,omitempty" enum:"major,minor" default:"major" doc:"major: everyone who must read the article acknowledges it again; minor: earlier acknowledgments still count. The first publication is major."`
	}
}

type archiveInput struct {
	ArticlePath
	httpapi.IfMatch
}

func registerArticles(api huma.API, svc *Service) {
	versioned := []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "list-kb-articles", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles", Tags: []string{tagArticles},
		Summary:     "List articles",
		Description: "Editors (head of service, admin) see every article in every status; everyone else sees the published articles meant for their roles. Ordered by creation.",
	}, func(ctx context.Context, in *listArticlesInput) (*listArticlesOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		v := ViewerFrom(ctx)
		rows, err := svc.Articles(ctx, v, httpapi.OrgID(ctx), ArticleFilter{Status: in.Status, Category: in.Category, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listArticlesOutput{Body: httpapi.NewPage(rows, in.Limit,
			func(a Article) ArticleDTO { return articleDTO(&a, v.SeesAll) },
			func(a Article) []string { return []string{a.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "create-kb-article", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/articles", Tags: []string{tagArticles},
		Summary:       "Write a new article",
		Description:   "The article starts as a draft: its first revision. Nobody but editors sees it until it is published.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createArticleInput) (*articleOutput, error) {
		b := in.Body
		v := ViewerFrom(ctx)
		view, err := svc.CreateArticle(ctx, v, httpapi.OrgID(ctx), NewArticle{Category: b.Category, Title: b.Title, Body: b.Body,
			Audience: Audience{AudienceRoles: b.AudienceRoles, RequiredRoles: b.RequiredRoles,
				DueDays: b.DueDays, DueFrom: b.DueFrom}})
		if err != nil {
			return nil, err
		}
		return newArticleOutput(view, v.SeesAll), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "get-kb-article", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles/{id}", Tags: []string{tagArticles},
		Summary:     "Get an article with its text",
		Description: "The current published revision; editors also get the draft. An article the caller may not read is not found. The ETag is needed to edit it.",
	}, func(ctx context.Context, in *ArticlePath) (*articleOutput, error) {
		v := ViewerFrom(ctx)
		view, err := svc.Article(ctx, v, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newArticleOutput(view, v.SeesAll), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "update-kb-article", Method: http.MethodPatch, Path: "/v1/orgs/{org}/kb/articles/{id}", Tags: []string{tagArticles},
		Summary:     "Edit an article",
		Description: "Fields left out stay. A new title or body goes into the draft revision; editing a published article starts a new draft from the published revision, which itself never changes. Needs If-Match.",
		Errors:      versioned,
	}, func(ctx context.Context, in *updateArticleInput) (*articleOutput, error) {
		version, err := versionOf(in.IfMatch)
		if err != nil {
			return nil, err
		}
		b := in.Body
		v := ViewerFrom(ctx)
		view, err := svc.UpdateArticle(ctx, v, httpapi.OrgID(ctx), in.ID, version, ArticleChanges{Category: b.Category, Title: b.Title, Body: b.Body,
			AudienceRoles: b.AudienceRoles, RequiredRoles: b.RequiredRoles, DueDays: b.DueDays, DueFrom: b.DueFrom})
		if err != nil {
			return nil, err
		}
		return newArticleOutput(view, v.SeesAll), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "publish"), huma.Operation{
		OperationID: "publish-kb-article", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/articles/{id}/publish", Tags: []string{tagArticles},
		Summary:     "Publish the draft revision",
		Description: "The draft becomes the published revision and never changes again. A major change makes everyone's acknowledgment of the earlier revision pending again; a minor one does not. Needs If-Match.",
		Errors:      append([]int{http.StatusConflict}, versioned...),
	}, func(ctx context.Context, in *publishInput) (*articleOutput, error) {
		version, err := versionOf(in.IfMatch)
		if err != nil {
			return nil, err
		}
		v := ViewerFrom(ctx)
		view, err := svc.Publish(ctx, v, httpapi.OrgID(ctx), in.ID, version, in.Body.Change)
		if err != nil {
			return nil, err
		}
		return newArticleOutput(view, v.SeesAll), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "publish"), huma.Operation{
		OperationID: "archive-kb-article", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/articles/{id}/archive", Tags: []string{tagArticles},
		Summary:     "Archive an article",
		Description: "Readers no longer see it and it is no longer required; its revisions and acknowledgments stay. Publishing a new draft brings it back. Needs If-Match.",
		Errors:      append([]int{http.StatusConflict}, versioned...),
	}, func(ctx context.Context, in *archiveInput) (*articleOutput, error) {
		version, err := versionOf(in.IfMatch)
		if err != nil {
			return nil, err
		}
		v := ViewerFrom(ctx)
		view, err := svc.Archive(ctx, v, httpapi.OrgID(ctx), in.ID, version)
		if err != nil {
			return nil, err
		}
		return newArticleOutput(view, v.SeesAll), nil
	})
}
