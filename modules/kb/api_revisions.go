package kb

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

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
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), PublishedBy: r.PublishedBy, PublishedAt: httpapi.UTC(r.PublishedAt)}
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
