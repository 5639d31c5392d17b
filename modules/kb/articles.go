package kb

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Audience is who reads an article, who must acknowledge it, and by when.
type Audience struct {
	AudienceRoles []string
	RequiredRoles []string
	DueDays       int
	DueFrom       string
}

func checkRoles(roles []string, location string) error {
	var fields []errs.FieldError
	for i, r := range roles {
		if !authz.IsRole(r) {
			fields = append(fields, errs.FieldError{Location: fmt.Sprintf("%s[%d]", location, i), Message: fmt.Sprintf("unknown role %q", r)})
		}
	}
	if len(fields) > 0 {
		return &errs.ValidationError{Fields: fields}
	}
	return nil
}

// NewArticle is what writing a new article takes.
type NewArticle struct {
	Category string
	Title    string
	Body     string
	Audience
}

// ArticleView is an article with the revisions its viewer may see: the
// current published one, and for editors the draft being edited.
type ArticleView struct {
	Article *Article
	Current *Revision
	Draft   *Revision
}

// CreateArticle writes a new article as a draft: its first revision.
func (s *Service) CreateArticle(ctx context.Context, v Viewer, orgID string, in NewArticle) (*ArticleView, error) {
	if err := checkRoles(in.AudienceRoles, "body.audience_roles"); err != nil {
		return nil, err
	}
	if err := checkRoles(in.RequiredRoles, "body.required_roles"); err != nil {
		return nil, err
	}
	now := s.Now()
	a := &Article{ID: ids.New(), OrgID: orgID, Category: in.Category, Status: StatusDraft, Title: in.Title,
		AudienceRoles: List(in.AudienceRoles), RequiredRoles: List(in.RequiredRoles),
		DueDays: in.DueDays, DueFrom: in.DueFrom, CreatedBy: v.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
	r := &Revision{ID: ids.New(), OrgID: orgID, ArticleID: a.ID, Number: 1, Status: RevisionDraft, Title: in.Title, Body: in.Body,
		ContentSHA256: ContentHash(in.Title, in.Body), CreatedBy: v.UserID, CreatedAt: now, UpdatedAt: now}
	a.DraftRevisionID = r.ID
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkCategory(ctx, tx, orgID, in.Category, "body.category"); err != nil {
			return err
		}
		if err := s.store.InsertArticle(ctx, tx, a); err != nil {
			return err
		}
		if err := s.store.InsertRevision(ctx, tx, r); err != nil {
			return err
		}
		if err := s.store.IndexArticle(ctx, tx, a, r.Title, r.Body); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, orgID, "kb_article", a.ID, auditlog.Diff(nil, a.auditFields())); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "kb_revision", r.ID, auditlog.Diff(nil, r.auditFields()))
	})
	if err != nil {
		return nil, err
	}
	return &ArticleView{Article: a, Draft: r}, nil
}

// Article returns one article as the viewer may see it; an article they
// may not read is not found.
func (s *Service) Article(ctx context.Context, v Viewer, orgID, id string) (*ArticleView, error) {
	a, err := s.readable(ctx, s.DB, v, orgID, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, s.DB, v, a)
}

// readable returns an article the viewer may read; any other is not found.
func (s *Service) readable(ctx context.Context, db bun.IDB, v Viewer, orgID, id string) (*Article, error) {
	a, err := s.store.Article(ctx, db, orgID, id)
	if err != nil {
		return nil, err
	}
	if !v.canRead(a) {
		return nil, errs.NotFound("article")
	}
	return a, nil
}

func (s *Service) view(ctx context.Context, db bun.IDB, v Viewer, a *Article) (*ArticleView, error) {
	want := []string{a.CurrentRevisionID}
	if v.SeesAll {
		want = append(want, a.DraftRevisionID)
	}
	revs, err := s.store.RevisionsByID(ctx, db, a.OrgID, nonEmpty(want))
	if err != nil {
		return nil, err
	}
	out := &ArticleView{Article: a, Current: revs[a.CurrentRevisionID]}
	if v.SeesAll {
		out.Draft = revs[a.DraftRevisionID]
	}
	return out, nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Articles returns a page of the articles the viewer may read.
func (s *Service) Articles(ctx context.Context, v Viewer, orgID string, f ArticleFilter) ([]Article, error) {
	f.Roles = v.readerRoles()
	return s.store.Articles(ctx, s.DB, orgID, f)
}

// ArticleChanges are the edits of an article; nil fields stay as they
// are. A new title or body goes into the draft revision, which is started
// from the published one when the article has no draft.
type ArticleChanges struct {
	Category      *string
	Title         *string
	Body          *string
	AudienceRoles *[]string
	RequiredRoles *[]string
	DueDays       *int
	DueFrom       *string
}

// UpdateArticle edits an article that is still at version.
func (s *Service) UpdateArticle(ctx context.Context, v Viewer, orgID, id string, version int64, ch ArticleChanges) (*ArticleView, error) {
	if ch.AudienceRoles != nil {
		if err := checkRoles(*ch.AudienceRoles, "body.audience_roles"); err != nil {
			return nil, err
		}
	}
	if ch.RequiredRoles != nil {
		if err := checkRoles(*ch.RequiredRoles, "body.required_roles"); err != nil {
			return nil, err
		}
	}
	var out *ArticleView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.changeArticle(ctx, tx, orgID, id, version, nil, func(a *Article) error {
			if ch.Category != nil {
				if err := s.checkCategory(ctx, tx, orgID, *ch.Category, "body.category"); err != nil {
					return err
				}
			}
			ch.apply(a)
			if ch.Title != nil || ch.Body != nil {
				if _, err := s.editDraft(ctx, tx, v, a, ch.Title, ch.Body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		out, err = s.view(ctx, tx, v, a)
		return err
	})
	return out, err
}

// apply sets the article's own fields that ch gives; the title and body
// belong to the draft revision instead.
func (ch ArticleChanges) apply(a *Article) {
	database.SetIf(&a.Category, ch.Category)
	setListIf(&a.AudienceRoles, ch.AudienceRoles)
	setListIf(&a.RequiredRoles, ch.RequiredRoles)
	database.SetIf(&a.DueDays, ch.DueDays)
	database.SetIf(&a.DueFrom, ch.DueFrom)
}

// setListIf is database.SetIf for lists: it stores a copy, so that the
// article never shares the caller's slice.
func setListIf(dst *List, v *[]string) {
	if v != nil {
		*dst = List(append([]string{}, *v...))
	}
}

var errNoVersion = fmt.Errorf("%w: send If-Match with the ETag from your last read of the article", errs.ErrPreconditionRequired)

// changeArticle is the one way an article changes, in tx: it locks the
// article, lets refuse turn down what no version could make succeed, asks
// for the version the caller saw (428 without one, 412 when it moved),
// lets change edit a copy, and writes it with the next version. Search
// then sees the article as it now is, and the audit log what changed.
func (s *Service) changeArticle(ctx context.Context, tx bun.Tx, orgID, id string, version int64, refuse, change func(a *Article) error) (*Article, error) {
	before, after, err := database.Optimistic[Article, *Article]{
		What: "the article",
		Load: func() (*Article, error) {
			a, err := s.store.LockArticle(ctx, tx, orgID, id)
			if err != nil {
				return nil, err
			}
			if refuse != nil {
				if err := refuse(a); err != nil {
					return nil, err
				}
			}
			if version == 0 {
				return nil, errNoVersion
			}
			return a, nil
		},
		Change: change,
		Write: func(a *Article, was int64) (bool, error) {
			return s.store.UpdateArticle(ctx, tx, a, was)
		},
	}.Run(version, s.Now())
	if err != nil {
		return nil, err
	}
	if err := s.reindex(ctx, tx, after); err != nil {
		return nil, err
	}
	return after, s.Record(ctx, tx, orgID, "kb_article", after.ID, auditlog.Diff(before.auditFields(), after.auditFields()))
}

// reindex makes search see the article as it now is: its status, category
// and audience, and the text of its published revision, or of its draft
// while it has never been published.
func (s *Service) reindex(ctx context.Context, tx bun.IDB, a *Article) error {
	id := a.CurrentRevisionID
	if id == "" {
		id = a.DraftRevisionID
	}
	r, err := s.store.Revision(ctx, tx, a.OrgID, a.ID, id)
	if err != nil {
		return err
	}
	return s.store.IndexArticle(ctx, tx, a, r.Title, r.Body)
}

// Publish makes the draft revision the published one. A major change asks
// everyone who must read the article to acknowledge it again; a minor one
// keeps their acknowledgments. The first publication is always major.
func (s *Service) Publish(ctx context.Context, v Viewer, orgID, id string, version int64, change string) (*ArticleView, error) {
	var out *ArticleView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.changeArticle(ctx, tx, orgID, id, version, nil, func(a *Article) error {
			return s.publishDraft(ctx, tx, v, a, change)
		})
		if err != nil {
			return err
		}
		out, err = s.view(ctx, tx, v, a)
		return err
	})
	return out, err
}

// publishDraft turns the article's draft into its published revision and
// points a at it.
func (s *Service) publishDraft(ctx context.Context, tx bun.IDB, v Viewer, a *Article, change string) error {
	if a.DraftRevisionID == "" {
		return errs.Conflict("there is no draft to publish; edit the article to start one")
	}
	if change == ChangeMinor && a.AckRevisionID == "" {
		return errs.Invalid("body.change", "the first publication is major: there are no earlier acknowledgments to keep")
	}
	r, err := s.store.Revision(ctx, tx, a.OrgID, a.ID, a.DraftRevisionID)
	if err != nil {
		return err
	}
	now := s.Now()
	revBefore := r.auditFields()
	r.Status, r.ChangeKind, r.PublishedBy, r.PublishedAt, r.UpdatedAt = RevisionPublished, change, v.UserID, &now, now
	r.AckRevisionID = r.ID
	if change == ChangeMinor {
		r.AckRevisionID = a.AckRevisionID
	}
	if ok, err := s.store.PublishDraft(ctx, tx, r); err != nil || !ok {
		return orConflict(err, ok, "the draft was published meanwhile")
	}
	a.Status, a.Title, a.CurrentRevisionID, a.AckRevisionID, a.DraftRevisionID = StatusPublished, r.Title, r.ID, r.AckRevisionID, ""
	a.PublishedAt, a.ArchivedAt = &now, nil
	return s.Record(ctx, tx, a.OrgID, "kb_revision", r.ID, auditlog.Diff(revBefore, r.auditFields()))
}

func orConflict(err error, ok bool, msg string) error {
	if err != nil {
		return err
	}
	if !ok {
		return errs.Conflict("%s", msg)
	}
	return nil
}

// Archive takes an article out of reading and search for everyone but
// editors; it stops being required. Publishing a new draft brings it back.
func (s *Service) Archive(ctx context.Context, v Viewer, orgID, id string, version int64) (*ArticleView, error) {
	var out *ArticleView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.changeArticle(ctx, tx, orgID, id, version, nil, func(a *Article) error {
			if a.Status == StatusArchived {
				return errs.Conflict("the article is already archived")
			}
			now := s.Now()
			a.Status, a.ArchivedAt = StatusArchived, &now
			return nil
		})
		if err != nil {
			return err
		}
		out, err = s.view(ctx, tx, v, a)
		return err
	})
	return out, err
}
