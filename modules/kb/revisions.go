package kb

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// editDraft applies a new title or body to the article's draft, starting
// one from the published revision when there is none.
func (s *Service) editDraft(ctx context.Context, tx bun.IDB, v Viewer, a *Article, title, body *string) (*Revision, error) {
	if a.DraftRevisionID == "" {
		return s.startDraft(ctx, tx, v, a, title, body)
	}
	draft, err := s.store.Revision(ctx, tx, a.OrgID, a.ID, a.DraftRevisionID)
	if err != nil {
		return nil, err
	}
	return draft, s.saveDraft(ctx, tx, a, draft, title, body)
}

// startDraft copies the published revision into a new draft with the
// new title or body, and makes it the article's draft.
func (s *Service) startDraft(ctx context.Context, tx bun.IDB, v Viewer, a *Article, title, body *string) (*Revision, error) {
	now := s.Now()
	cur, err := s.store.Revision(ctx, tx, a.OrgID, a.ID, a.CurrentRevisionID)
	if err != nil {
		return nil, err
	}
	n, err := s.store.NextRevisionNumber(ctx, tx, a.OrgID, a.ID)
	if err != nil {
		return nil, err
	}
	draft := &Revision{ID: ids.New(), OrgID: a.OrgID, ArticleID: a.ID, Number: n, Status: RevisionDraft,
		Title: cur.Title, Body: cur.Body, CreatedBy: v.UserID, CreatedAt: now, UpdatedAt: now}
	database.SetIf(&draft.Title, title)
	database.SetIf(&draft.Body, body)
	draft.ContentSHA256 = ContentHash(draft.Title, draft.Body)
	if err := s.store.InsertRevision(ctx, tx, draft); err != nil {
		return nil, err
	}
	a.DraftRevisionID = draft.ID
	return draft, s.Record(ctx, tx, a.OrgID, "kb_revision", draft.ID, auditlog.Diff(nil, draft.auditFields()))
}

// saveDraft writes new content into a draft revision. While the article
// has never been published, the draft is also what search and lists show.
func (s *Service) saveDraft(ctx context.Context, tx bun.IDB, a *Article, draft *Revision, title, body *string) error {
	before := draft.auditFields()
	database.SetIf(&draft.Title, title)
	database.SetIf(&draft.Body, body)
	draft.ContentSHA256 = ContentHash(draft.Title, draft.Body)
	draft.UpdatedAt = s.Now()
	ok, err := s.store.UpdateDraft(ctx, tx, draft)
	if err != nil {
		return err
	}
	if !ok {
		return errPublishedRevision(draft)
	}
	if a.CurrentRevisionID == "" {
		a.Title = draft.Title
	}
	return s.Record(ctx, tx, a.OrgID, "kb_revision", draft.ID, auditlog.Diff(before, draft.auditFields()))
}

func errPublishedRevision(r *Revision) error {
	return errs.Conflict("revision %d is published and can never change; edit the article to start a new draft", r.Number)
}

// draftOf loads a revision of the article and refuses a published one:
// whatever else a request says, it can never change.
func (s *Service) draftOf(ctx context.Context, tx bun.IDB, a *Article, revisionID string) (*Revision, error) {
	r, err := s.store.Revision(ctx, tx, a.OrgID, a.ID, revisionID)
	if err != nil {
		return nil, err
	}
	if r.Status == RevisionPublished {
		return nil, errPublishedRevision(r)
	}
	return r, nil
}

// UpdateRevision edits a draft revision by id. A published revision is
// refused whatever else the request says.
func (s *Service) UpdateRevision(ctx context.Context, v Viewer, orgID, articleID, revisionID string, version int64, title, body *string) (*Revision, error) {
	var r *Revision
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := s.changeArticle(ctx, tx, orgID, articleID, version, func(a *Article) (err error) {
			r, err = s.draftOf(ctx, tx, a, revisionID)
			return err
		}, func(a *Article) error {
			return s.saveDraft(ctx, tx, a, r, title, body)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DiscardDraft deletes an article's draft revision. Published revisions
// stay forever, and so does the first draft of a never-published article
// (archive the article instead).
func (s *Service) DiscardDraft(ctx context.Context, v Viewer, orgID, articleID, revisionID string, version int64) error {
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r *Revision
		_, err := s.changeArticle(ctx, tx, orgID, articleID, version, func(a *Article) (err error) {
			if r, err = s.draftOf(ctx, tx, a, revisionID); err != nil {
				return err
			}
			if a.CurrentRevisionID == "" {
				return errs.Conflict("the first draft is the article itself; archive the article instead")
			}
			return nil
		}, func(a *Article) error {
			if _, err := s.store.DeleteDraft(ctx, tx, orgID, r.ID); err != nil {
				return err
			}
			a.DraftRevisionID = ""
			return s.Record(ctx, tx, orgID, "kb_revision", r.ID, auditlog.Diff(r.auditFields(), nil))
		})
		return err
	})
}

// Revisions lists an article's revisions, newest first: every one for
// editors, the published ones for readers.
func (s *Service) Revisions(ctx context.Context, v Viewer, orgID, articleID string) ([]Revision, error) {
	if _, err := s.readable(ctx, s.DB, v, orgID, articleID); err != nil {
		return nil, err
	}
	return s.store.Revisions(ctx, s.DB, orgID, articleID, !v.SeesAll)
}

// Revision returns one revision the viewer may see.
func (s *Service) Revision(ctx context.Context, v Viewer, orgID, articleID, revisionID string) (*Revision, error) {
	if _, err := s.readable(ctx, s.DB, v, orgID, articleID); err != nil {
		return nil, err
	}
	r, err := s.store.Revision(ctx, s.DB, orgID, articleID, revisionID)
	if err != nil {
		return nil, err
	}
	if r.Status != RevisionPublished && !v.SeesAll {
		return nil, errs.NotFound("revision")
	}
	return r, nil
}

// RevisionDiff is what changed from one revision to another.
type RevisionDiff struct {
	From, To *Revision
	Lines    []DiffLine
}

// Diff compares two revisions of one article line by line.
func (s *Service) Diff(ctx context.Context, v Viewer, orgID, articleID, fromID, toID string) (*RevisionDiff, error) {
	from, err := s.Revision(ctx, v, orgID, articleID, fromID)
	if err != nil {
		return nil, err
	}
	to, err := s.Revision(ctx, v, orgID, articleID, toID)
	if err != nil {
		return nil, err
	}
	return &RevisionDiff{From: from, To: to, Lines: diffLines(from.Body, to.Body)}, nil
}
