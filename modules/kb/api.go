package kb

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Tags of the knowledge base operations.
const (
	tagArticles  = "Knowledge base"
	tagReading   = "Required reading"
	tagTemplates = "Answer templates"
)

// Register adds the knowledge base operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, tagArticles, "Regulations: categories, articles and their revisions, diffs, quizzes and Russian full-text search.")
	httpapi.DefineTag(api, tagReading, "Required reading: acknowledgments of published revisions, quiz attempts, who has read what, overdue reminders.")
	httpapi.DefineTag(api, tagTemplates, "Answer templates (шаблоны ответов) with {{variables}}, rendered for curators.")
	registerCategories(api, svc)
	registerArticles(api, svc)
	registerRevisions(api, svc)
	registerQuiz(api, svc)
	registerSearch(api, svc)
	registerReading(api, svc)
	registerTemplates(api, svc)
}

// --- paths

// OrgPath addresses one school.
type OrgPath struct {
	Org string `path:"org" maxLength:"64" doc:"School slug."`
}

// ArticlePath addresses one article.
type ArticlePath struct {
	OrgPath
	ID string `path:"id" format:"uuid" doc:"Article id."`
}

// RevisionPath addresses one revision of an article.
type RevisionPath struct {
	ArticlePath
	Rev string `path:"rev" format:"uuid" doc:"Revision id."`
}

// versionOf returns the version in If-Match, or 0 when none was sent; the
// service answers 428 for 0 only after refusing what can never succeed
// (changing a published revision).
func versionOf(h httpapi.IfMatch) (int64, error) {
	if strings.TrimSpace(h.IfMatch) == "" {
		return 0, nil
	}
	return h.Version()
}

var shortID = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// checkIDs refuses cohort and course ids that could not be stored as
// given (they are kept in a comma-separated column).
func checkIDs(list []string, location string) error {
	var fields []errs.FieldError
	for i, id := range list {
		if !shortID.MatchString(id) {
			fields = append(fields, errs.FieldError{Location: fmt.Sprintf("%s[%d]", location, i), Message: "use 1-64 letters, digits, _ . : or -"})
		}
	}
	if len(fields) > 0 {
		return &errs.ValidationError{Fields: fields}
	}
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func strs(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func first(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// --- categories

// CategoryDTO is a category of articles and templates.
type CategoryDTO struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	BuiltIn bool   `json:"built_in" doc:"Built-in categories exist in every school."`
}

type listCategoriesOutput struct{ Body httpapi.Page[CategoryDTO] }

type createCategoryInput struct {
	OrgPath
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
	}, func(ctx context.Context, _ *OrgPath) (*listCategoriesOutput, error) {
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

// --- articles

// AudienceDTO says who reads an article, who must acknowledge it and by when.
type AudienceDTO struct {
	AudienceRoles []string `json:"audience_roles" doc:"Roles that may read the article; empty means every role of the school."`
	RequiredRoles []string `json:"required_roles" doc:"Roles that must acknowledge the article (and may read it)."`
	CohortIDs     []string `json:"cohort_ids" doc:"Cohorts the reading is meant for. Kept for when the school's cohorts exist; not applied yet."`
	CourseIDs     []string `json:"course_ids" doc:"Courses the reading is meant for. Kept for when the school's courses exist; not applied yet."`
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
		AudienceDTO: AudienceDTO{AudienceRoles: strs(a.AudienceRoles), RequiredRoles: strs(a.RequiredRoles),
			CohortIDs: strs(a.CohortIDs), CourseIDs: strs(a.CourseIDs), DueDays: a.DueDays, DueFrom: a.DueFrom},
		HasQuiz: a.Quiz != nil, CurrentRevisionID: a.CurrentRevisionID, AckRevisionID: a.AckRevisionID,
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		PublishedAt: utcPtr(a.PublishedAt), ArchivedAt: utcPtr(a.ArchivedAt), Version: a.Version}
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
	CohortIDs     []string `json:"cohort_ids,omitempty" maxItems:"100" uniqueItems:"true"`
	CourseIDs     []string `json:"course_ids,omitempty" maxItems:"100" uniqueItems:"true"`
	DueDays       int      `json:"due_days,omitempty" minimum:"1" maximum:"365" default:"7"`
	DueFrom       string   `json:"due_from,omitempty" enum:"publication,joining" default:"publication"`
}

type createArticleInput struct {
	OrgPath
	Body struct {
		Category string `json:"category" pattern:"^[a-z][a-z0-9_]{1,62}$"`
		Title    string `json:"title" minLength:"1" maxLength:"300" pattern:"^[^\\r\\n]+$" doc:"One line."`
		Body     string `json:"body" maxLength:"100000" doc:"Markdown."`
		AudienceInput
	}
}

type listArticlesInput struct {
	OrgPath
	httpapi.PageQuery
	Status   string `query:"status" enum:"draft,published,archived" doc:"Readers only ever see published articles."`
	Category string `query:"category" maxLength:"64"`
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
		CohortIDs     *[]string `json:"cohort_ids,omitempty" maxItems:"100" uniqueItems:"true"`
		CourseIDs     *[]string `json:"course_ids,omitempty" maxItems:"100" uniqueItems:"true"`
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
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		v := ViewerFrom(ctx)
		rows, err := svc.Articles(ctx, v, httpapi.OrgID(ctx), ArticleFilter{Status: in.Status, Category: in.Category, Limit: in.Limit, AfterID: first(after)})
		if err != nil {
			return nil, err
		}
		return &listArticlesOutput{Body: httpapi.NewPage(rows, in.Limit,
			func(a Article) ArticleDTO { return articleDTO(&a, v.Editor()) },
			func(a Article) []string { return []string{a.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "create-kb-article", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/articles", Tags: []string{tagArticles},
		Summary:       "Write a new article",
		Description:   "The article starts as a draft: its first revision. Nobody but editors sees it until it is published.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createArticleInput) (*articleOutput, error) {
		b := in.Body
		if err := checkAudienceIDs(&b.CohortIDs, &b.CourseIDs); err != nil {
			return nil, err
		}
		v := ViewerFrom(ctx)
		view, err := svc.CreateArticle(ctx, v, httpapi.OrgID(ctx), NewArticle{Category: b.Category, Title: b.Title, Body: b.Body,
			Audience: Audience{AudienceRoles: b.AudienceRoles, RequiredRoles: b.RequiredRoles, CohortIDs: b.CohortIDs, CourseIDs: b.CourseIDs,
				DueDays: b.DueDays, DueFrom: b.DueFrom}})
		if err != nil {
			return nil, err
		}
		return newArticleOutput(view, v.Editor()), nil
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
		return newArticleOutput(view, v.Editor()), nil
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
		if err := checkAudienceIDs(b.CohortIDs, b.CourseIDs); err != nil {
			return nil, err
		}
		v := ViewerFrom(ctx)
		view, err := svc.UpdateArticle(ctx, v, httpapi.OrgID(ctx), in.ID, version, ArticleChanges{Category: b.Category, Title: b.Title, Body: b.Body,
			AudienceRoles: b.AudienceRoles, RequiredRoles: b.RequiredRoles, CohortIDs: b.CohortIDs, CourseIDs: b.CourseIDs, DueDays: b.DueDays, DueFrom: b.DueFrom})
		if err != nil {
			return nil, err
		}
		return newArticleOutput(view, v.Editor()), nil
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
		return newArticleOutput(view, v.Editor()), nil
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
		return newArticleOutput(view, v.Editor()), nil
	})
}

func checkAudienceIDs(cohorts, courses *[]string) error {
	if cohorts != nil {
		if err := checkIDs(*cohorts, "body.cohort_ids"); err != nil {
			return err
		}
	}
	if courses != nil {
		return checkIDs(*courses, "body.course_ids")
	}
	return nil
}

// --- revisions

// RevisionSummaryDTO is a revision without its body.
type RevisionSummaryDTO struct {
	ID            string     `json:"id" format:"uuid"`
	ArticleID     string     `json:"article_id" format:"uuid"`
	Number        int        `json:"number"`
	Status        string     `json:"status" enum:"draft,published" doc:"A published revision never changes."`
	Change        string     `json:"change,omitempty" enum:"major,minor"`
	Title         string     `json:"title"`
	ContentSHA256 string     `json:"content_sha256" doc:"SHA-256 (hex) of the UTF-8 title, a blank line (\\n\\n) and the body: what an acknowledgment certifies was read."`
	AckRevisionID string     `json:"ack_revision_id,omitempty" doc:"The major revision an acknowledgment of this one counts for."`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	PublishedBy   string     `json:"published_by,omitempty"`
	PublishedAt   *time.Time `json:"published_at,omitempty"`
}

// RevisionDTO is a revision with its body.
type RevisionDTO struct {
	RevisionSummaryDTO
	Body string `json:"body" doc:"Markdown."`
}

func revisionSummaryDTO(r *Revision) RevisionSummaryDTO {
	return RevisionSummaryDTO{ID: r.ID, ArticleID: r.ArticleID, Number: r.Number, Status: r.Status, Change: r.ChangeKind,
		Title: r.Title, ContentSHA256: r.ContentSHA256, AckRevisionID: r.AckRevisionID, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), PublishedBy: r.PublishedBy, PublishedAt: utcPtr(r.PublishedAt)}
}

func revisionDTO(r *Revision) RevisionDTO {
	return RevisionDTO{RevisionSummaryDTO: revisionSummaryDTO(r), Body: r.Body}
}

type listRevisionsOutput struct {
	Body httpapi.Page[RevisionSummaryDTO]
}

type revisionOutput struct{ Body RevisionDTO }

type updateRevisionInput struct {
	RevisionPath
	httpapi.IfMatch
	Body struct {
		Title *string `json:"title,omitempty" minLength:"1" maxLength:"300" pattern:"^[^\\r\\n]+$"`
		Body  *string `json:"body,omitempty" maxLength:"100000"`
	}
}

type deleteRevisionInput struct {
	RevisionPath
	httpapi.IfMatch
}

type diffInput struct {
	ArticlePath
	A string `path:"a" format:"uuid" doc:"Revision to compare from."`
	B string `path:"b" format:"uuid" doc:"Revision to compare to."`
}

// DiffLineDTO is one line of a diff.
type DiffLineDTO struct {
	Op       string `json:"op" enum:"equal,insert,delete"`
	Text     string `json:"text"`
	FromLine int    `json:"from_line,omitempty" doc:"Line number in the from revision's body."`
	ToLine   int    `json:"to_line,omitempty" doc:"Line number in the to revision's body."`
}

// DiffDTO is what changed between two revisions.
type DiffDTO struct {
	From         RevisionSummaryDTO `json:"from"`
	To           RevisionSummaryDTO `json:"to"`
	TitleChanged bool               `json:"title_changed"`
	Inserted     int                `json:"inserted" doc:"Lines added."`
	Deleted      int                `json:"deleted" doc:"Lines removed."`
	Lines        []DiffLineDTO      `json:"lines" nullable:"false"`
}

type diffOutput struct{ Body DiffDTO }

func registerRevisions(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "list-kb-revisions", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles/{id}/revisions", Tags: []string{tagArticles},
		Summary:     "List an article's revisions",
		Description: "Newest first, without bodies. Readers see the published revisions; editors also the draft.",
	}, func(ctx context.Context, in *ArticlePath) (*listRevisionsOutput, error) {
		revs, err := svc.Revisions(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &listRevisionsOutput{Body: httpapi.Page[RevisionSummaryDTO]{Items: make([]RevisionSummaryDTO, len(revs))}}
		for i := range revs {
			out.Body.Items[i] = revisionSummaryDTO(&revs[i])
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "get-kb-revision", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles/{id}/revisions/{rev}", Tags: []string{tagArticles},
		Summary:     "Get one revision with its body",
		Description: "Readers may get published revisions of articles meant for them; a draft is not found for them.",
	}, func(ctx context.Context, in *RevisionPath) (*revisionOutput, error) {
		r, err := svc.Revision(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, in.Rev)
		if err != nil {
			return nil, err
		}
		return &revisionOutput{Body: revisionDTO(r)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "update-kb-revision", Method: http.MethodPatch, Path: "/v1/orgs/{org}/kb/articles/{id}/revisions/{rev}", Tags: []string{tagArticles},
		Summary:     "Edit a draft revision",
		Description: "A published revision is refused with 409, whatever else the request says. Needs If-Match with the article's ETag.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *updateRevisionInput) (*revisionOutput, error) {
		version, err := versionOf(in.IfMatch)
		if err != nil {
			return nil, err
		}
		r, err := svc.UpdateRevision(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, in.Rev, version, in.Body.Title, in.Body.Body)
		if err != nil {
			return nil, err
		}
		return &revisionOutput{Body: revisionDTO(r)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "delete-kb-revision", Method: http.MethodDelete, Path: "/v1/orgs/{org}/kb/articles/{id}/revisions/{rev}", Tags: []string{tagArticles},
		Summary:     "Discard a draft revision",
		Description: "A published revision is refused with 409; so is the first draft of a never-published article (archive the article instead). Needs If-Match with the article's ETag.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *deleteRevisionInput) (*struct{}, error) {
		version, err := versionOf(in.IfMatch)
		if err != nil {
			return nil, err
		}
		return nil, svc.DiscardDraft(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, in.Rev, version)
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "diff-kb-revisions", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles/{id}/revisions/{a}/diff/{b}", Tags: []string{tagArticles},
		Summary:     "Show what changed between two revisions",
		Description: "A line diff of the bodies from revision a to revision b (either order), and whether the title changed.",
	}, func(ctx context.Context, in *diffInput) (*diffOutput, error) {
		d, err := svc.Diff(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, in.A, in.B)
		if err != nil {
			return nil, err
		}
		out := &diffOutput{Body: DiffDTO{From: revisionSummaryDTO(d.From), To: revisionSummaryDTO(d.To),
			TitleChanged: d.From.Title != d.To.Title, Lines: make([]DiffLineDTO, len(d.Lines))}}
		for i, l := range d.Lines {
			out.Body.Lines[i] = DiffLineDTO{Op: l.Op, Text: l.Text, FromLine: l.FromLine, ToLine: l.ToLine}
			switch l.Op {
			case DiffInsert:
				out.Body.Inserted++
			case DiffDelete:
				out.Body.Deleted++
			}
		}
		return out, nil
	})
}

// --- search

type searchInput struct {
	OrgPath
	Q        string `query:"q" minLength:"1" maxLength:"200" doc:"Words to find, in any form: проверки домашних заданий finds проверка домашнего задания. Every word must occur; ё and е are the same letter; case does not matter."`
	Category string `query:"category" maxLength:"64"`
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
