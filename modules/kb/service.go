package kb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Service holds the knowledge base rules.
type Service struct {
	db     *bun.DB
	clock  clock.Clock
	audit  auditlog.Recorder
	people People
	events events.Publisher
	store  Store
}

// NewService returns the knowledge base service. Overdue-reading reminders
// leave through publisher, in the transaction that records them.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, people People, publisher events.Publisher) *Service {
	return &Service{db: db, clock: c, audit: audit, people: people, events: publisher}
}

// EditorRoles see every article in every status whatever its audience,
// drafts included. They are the roles policy.csv grants kb_articles:write;
// a test keeps the two in step.
var EditorRoles = []string{"admin", "head_of_service"}

// Viewer is who is asking: their user id and roles in the school.
type Viewer struct {
	UserID string
	Roles  []string
}

// ViewerFrom returns the viewer of the request in ctx.
func ViewerFrom(ctx context.Context) Viewer {
	m := reqctx.From(ctx)
	v := Viewer{UserID: m.Principal.ActorID()}
	if m.Org != nil {
		v.Roles = m.Org.Roles
	}
	return v
}

// Editor reports whether the viewer sees and edits every article.
func (v Viewer) Editor() bool {
	for _, r := range v.Roles {
		for _, e := range EditorRoles {
			if r == e {
				return true
			}
		}
	}
	return false
}

// canRead: editors read everything; everyone else reads published
// articles meant for one of their roles.
func (v Viewer) canRead(a *Article) bool {
	return v.Editor() || (a.Status == StatusPublished && a.meantFor(v.Roles))
}

// meantFor reports whether one of roles may read the article.
func (a *Article) meantFor(roles []string) bool {
	if len(a.AudienceRoles) == 0 {
		return true
	}
	for _, r := range roles {
		if a.AudienceRoles.has(r) || a.RequiredRoles.has(r) {
			return true
		}
	}
	return false
}

// requiredFor reports whether one of roles must acknowledge the article.
func (a *Article) requiredFor(roles []string) bool {
	for _, r := range roles {
		if a.RequiredRoles.has(r) {
			return true
		}
	}
	return false
}

func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return database.InTx(ctx, s.db, fn)
}

func (s *Service) record(ctx context.Context, tx bun.IDB, orgID, entityType, entityID string, changes map[string]auditlog.Change) error {
	return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: entityType, EntityID: entityID, Changes: changes})
}

// auditFields is what the audit log shows of an article.
func (a *Article) auditFields() map[string]any {
	return map[string]any{
		"category": a.Category, "status": a.Status, "title": a.Title,
		"audience_roles": []string(a.AudienceRoles), "required_roles": []string(a.RequiredRoles),
		"cohort_ids": []string(a.CohortIDs), "course_ids": []string(a.CourseIDs),
		"due_days": a.DueDays, "due_from": a.DueFrom, "has_quiz": a.Quiz != nil,
		"current_revision_id": a.CurrentRevisionID, "ack_revision_id": a.AckRevisionID, "draft_revision_id": a.DraftRevisionID,
	}
}

// auditFields is what the audit log shows of a revision: the hash stands
// for the body, which may be long.
func (r *Revision) auditFields() map[string]any {
	return map[string]any{
		"number": r.Number, "status": r.Status, "change_kind": r.ChangeKind, "title": r.Title,
		"content_sha256": r.ContentSHA256, "ack_revision_id": r.AckRevisionID,
	}
}

var errNoVersion = fmt.Errorf("%w: send If-Match with the ETag from your last read of the article", errs.ErrPreconditionRequired)

// checkVersion compares the version the caller saw (0: none sent) with
// the article's.
func checkVersion(a *Article, version int64) error {
	switch {
	case version == 0:
		return errNoVersion
	case version != a.Version:
		return errs.Stale("the article", a.Version)
	}
	return nil
}

// --- categories

// Categories lists the built-in categories, then the school's own.
func (s *Service) Categories(ctx context.Context, orgID string) ([]Category, error) {
	own, err := s.store.Categories(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	return append(append([]Category{}, BuiltInCategories...), own...), nil
}

// CreateCategory adds a category of the school's own.
func (s *Service) CreateCategory(ctx context.Context, orgID, key, name string) (*Category, error) {
	if builtInCategory(key) {
		return nil, errs.Conflict("%q is a built-in category", key)
	}
	c := &Category{ID: ids.New(), OrgID: orgID, Key: key, Name: strings.TrimSpace(name),
		CreatedBy: reqctx.From(ctx).Principal.ActorID(), CreatedAt: s.clock.Now()}
	return c, s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertCategory(ctx, tx, c); err != nil {
			return err
		}
		return s.record(ctx, tx, orgID, "kb_category", c.ID, map[string]auditlog.Change{
			"key": {After: c.Key}, "name": {After: c.Name}})
	})
}

// checkCategory refuses a category the school does not have.
func (s *Service) checkCategory(ctx context.Context, db bun.IDB, orgID, key, location string) error {
	if builtInCategory(key) {
		return nil
	}
	_, err := s.store.Category(ctx, db, orgID, key)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid(location, fmt.Sprintf("no category %q in this school; create it first or use a built-in one", key))
	}
	return err
}

// --- articles

// Audience is who reads an article, who must acknowledge it, and by when.
type Audience struct {
	AudienceRoles []string
	RequiredRoles []string
	CohortIDs     []string
	CourseIDs     []string
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
	now := s.clock.Now()
	a := &Article{ID: ids.New(), OrgID: orgID, Category: in.Category, Status: StatusDraft, Title: in.Title,
		AudienceRoles: List(in.AudienceRoles), RequiredRoles: List(in.RequiredRoles), CohortIDs: List(in.CohortIDs), CourseIDs: List(in.CourseIDs),
		DueDays: in.DueDays, DueFrom: in.DueFrom, CreatedBy: v.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
	r := &Revision{ID: ids.New(), OrgID: orgID, ArticleID: a.ID, Number: 1, Status: RevisionDraft, Title: in.Title, Body: in.Body,
		ContentSHA256: ContentHash(in.Title, in.Body), CreatedBy: v.UserID, CreatedAt: now, UpdatedAt: now}
	a.DraftRevisionID = r.ID
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
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
		if err := s.record(ctx, tx, orgID, "kb_article", a.ID, auditlog.Diff(nil, a.auditFields())); err != nil {
			return err
		}
		return s.record(ctx, tx, orgID, "kb_revision", r.ID, auditlog.Diff(nil, r.auditFields()))
	})
	if err != nil {
		return nil, err
	}
	return &ArticleView{Article: a, Draft: r}, nil
}

// Article returns one article as the viewer may see it; an article they
// may not read is not found.
func (s *Service) Article(ctx context.Context, v Viewer, orgID, id string) (*ArticleView, error) {
	a, err := s.store.Article(ctx, s.db, orgID, id)
	if err != nil {
		return nil, err
	}
	if !v.canRead(a) {
		return nil, errs.NotFound("article")
	}
	return s.view(ctx, s.db, v, a)
}

func (s *Service) view(ctx context.Context, db bun.IDB, v Viewer, a *Article) (*ArticleView, error) {
	want := []string{a.CurrentRevisionID}
	if v.Editor() {
		want = append(want, a.DraftRevisionID)
	}
	revs, err := s.store.RevisionsByID(ctx, db, a.OrgID, nonEmpty(want))
	if err != nil {
		return nil, err
	}
	out := &ArticleView{Article: a, Current: revs[a.CurrentRevisionID]}
	if v.Editor() {
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
	if !v.Editor() {
		f.Roles = append([]string{}, v.Roles...)
	}
	return s.store.Articles(ctx, s.db, orgID, f)
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
	CohortIDs     *[]string
	CourseIDs     *[]string
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
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.LockArticle(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := checkVersion(a, version); err != nil {
			return err
		}
		if ch.Category != nil {
			if err := s.checkCategory(ctx, tx, orgID, *ch.Category, "body.category"); err != nil {
				return err
			}
		}
		before := a.auditFields()
		setIf(&a.Category, ch.Category)
		setListIf(&a.AudienceRoles, ch.AudienceRoles)
		setListIf(&a.RequiredRoles, ch.RequiredRoles)
		setListIf(&a.CohortIDs, ch.CohortIDs)
		setListIf(&a.CourseIDs, ch.CourseIDs)
		if ch.DueDays != nil {
			a.DueDays = *ch.DueDays
		}
		setIf(&a.DueFrom, ch.DueFrom)
		if ch.Title != nil || ch.Body != nil {
			if _, err := s.editDraft(ctx, tx, v, a, ch.Title, ch.Body); err != nil {
				return err
			}
		}
		if err := s.saveArticle(ctx, tx, a, before); err != nil {
			return err
		}
		out, err = s.view(ctx, tx, v, a)
		return err
	})
	return out, err
}

// editDraft applies a new title or body to the article's draft, starting
// one from the published revision when there is none.
func (s *Service) editDraft(ctx context.Context, tx bun.IDB, v Viewer, a *Article, title, body *string) (*Revision, error) {
	now := s.clock.Now()
	var draft *Revision
	if a.DraftRevisionID == "" {
		cur, err := s.store.Revision(ctx, tx, a.OrgID, a.ID, a.CurrentRevisionID)
		if err != nil {
			return nil, err
		}
		n, err := s.store.NextRevisionNumber(ctx, tx, a.OrgID, a.ID)
		if err != nil {
			return nil, err
		}
		draft = &Revision{ID: ids.New(), OrgID: a.OrgID, ArticleID: a.ID, Number: n, Status: RevisionDraft,
			Title: cur.Title, Body: cur.Body, CreatedBy: v.UserID, CreatedAt: now, UpdatedAt: now}
		setIf(&draft.Title, title)
		setIf(&draft.Body, body)
		draft.ContentSHA256 = ContentHash(draft.Title, draft.Body)
		if err := s.store.InsertRevision(ctx, tx, draft); err != nil {
			return nil, err
		}
		a.DraftRevisionID = draft.ID
		return draft, s.record(ctx, tx, a.OrgID, "kb_revision", draft.ID, auditlog.Diff(nil, draft.auditFields()))
	}
	draft, err := s.store.Revision(ctx, tx, a.OrgID, a.ID, a.DraftRevisionID)
	if err != nil {
		return nil, err
	}
	return draft, s.saveDraft(ctx, tx, a, draft, title, body)
}

// saveDraft writes new content into a draft revision. While the article
// has never been published, the draft is also what search and lists show.
func (s *Service) saveDraft(ctx context.Context, tx bun.IDB, a *Article, draft *Revision, title, body *string) error {
	before := draft.auditFields()
	setIf(&draft.Title, title)
	setIf(&draft.Body, body)
	draft.ContentSHA256 = ContentHash(draft.Title, draft.Body)
	draft.UpdatedAt = s.clock.Now()
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
	return s.record(ctx, tx, a.OrgID, "kb_revision", draft.ID, auditlog.Diff(before, draft.auditFields()))
}

// saveArticle bumps the version of a locked article and writes it with an
// audit entry of what changed since before, and brings the search index
// up to date with it.
func (s *Service) saveArticle(ctx context.Context, tx bun.IDB, a *Article, before map[string]any) error {
	was := a.Version
	a.Version, a.UpdatedAt = a.Version+1, s.clock.Now()
	ok, err := s.store.UpdateArticle(ctx, tx, a, was)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Stale("the article", was+1)
	}
	if err := s.reindex(ctx, tx, a); err != nil {
		return err
	}
	return s.record(ctx, tx, a.OrgID, "kb_article", a.ID, auditlog.Diff(before, a.auditFields()))
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

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setListIf(dst *List, v *[]string) {
	if v != nil {
		*dst = List(append([]string{}, *v...))
	}
}

func errPublishedRevision(r *Revision) error {
	return errs.Conflict("revision %d is published and can never change; edit the article to start a new draft", r.Number)
}

// UpdateRevision edits a draft revision by id. A published revision is
// refused whatever else the request says.
func (s *Service) UpdateRevision(ctx context.Context, v Viewer, orgID, articleID, revisionID string, version int64, title, body *string) (*Revision, error) {
	var out *Revision
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.LockArticle(ctx, tx, orgID, articleID)
		if err != nil {
			return err
		}
		r, err := s.store.Revision(ctx, tx, orgID, articleID, revisionID)
		if err != nil {
			return err
		}
		if r.Status == RevisionPublished {
			return errPublishedRevision(r)
		}
		if err := checkVersion(a, version); err != nil {
			return err
		}
		before := a.auditFields()
		if err := s.saveDraft(ctx, tx, a, r, title, body); err != nil {
			return err
		}
		out = r
		return s.saveArticle(ctx, tx, a, before)
	})
	return out, err
}

// DiscardDraft deletes an article's draft revision. Published revisions
// stay forever, and so does the first draft of a never-published article
// (archive the article instead).
func (s *Service) DiscardDraft(ctx context.Context, v Viewer, orgID, articleID, revisionID string, version int64) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.LockArticle(ctx, tx, orgID, articleID)
		if err != nil {
			return err
		}
		r, err := s.store.Revision(ctx, tx, orgID, articleID, revisionID)
		if err != nil {
			return err
		}
		if r.Status == RevisionPublished {
			return errPublishedRevision(r)
		}
		if a.CurrentRevisionID == "" {
			return errs.Conflict("the first draft is the article itself; archive the article instead")
		}
		if err := checkVersion(a, version); err != nil {
			return err
		}
		if _, err := s.store.DeleteDraft(ctx, tx, orgID, r.ID); err != nil {
			return err
		}
		before := a.auditFields()
		a.DraftRevisionID = ""
		if err := s.record(ctx, tx, orgID, "kb_revision", r.ID, auditlog.Diff(r.auditFields(), nil)); err != nil {
			return err
		}
		return s.saveArticle(ctx, tx, a, before)
	})
}

// Publish makes the draft revision the published one. A major change asks
// everyone who must read the article to acknowledge it again; a minor one
// keeps their acknowledgments. The first publication is always major.
func (s *Service) Publish(ctx context.Context, v Viewer, orgID, id string, version int64, change string) (*ArticleView, error) {
	var out *ArticleView
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.LockArticle(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := checkVersion(a, version); err != nil {
			return err
		}
		if a.DraftRevisionID == "" {
			return errs.Conflict("there is no draft to publish; edit the article to start one")
		}
		if change == ChangeMinor && a.AckRevisionID == "" {
			return errs.Invalid("body.change", "the first publication is major: there are no earlier acknowledgments to keep")
		}
		r, err := s.store.Revision(ctx, tx, orgID, a.ID, a.DraftRevisionID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		before, revBefore := a.auditFields(), r.auditFields()
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
		if err := s.record(ctx, tx, orgID, "kb_revision", r.ID, auditlog.Diff(revBefore, r.auditFields())); err != nil {
			return err
		}
		if err := s.saveArticle(ctx, tx, a, before); err != nil {
			return err
		}
		out, err = s.view(ctx, tx, v, a)
		return err
	})
	return out, err
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
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.LockArticle(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := checkVersion(a, version); err != nil {
			return err
		}
		if a.Status == StatusArchived {
			return errs.Conflict("the article is already archived")
		}
		before := a.auditFields()
		now := s.clock.Now()
		a.Status, a.ArchivedAt = StatusArchived, &now
		if err := s.saveArticle(ctx, tx, a, before); err != nil {
			return err
		}
		out, err = s.view(ctx, tx, v, a)
		return err
	})
	return out, err
}

// --- revisions

// Revisions lists an article's revisions, newest first: every one for
// editors, the published ones for readers.
func (s *Service) Revisions(ctx context.Context, v Viewer, orgID, articleID string) ([]Revision, error) {
	a, err := s.store.Article(ctx, s.db, orgID, articleID)
	if err != nil {
		return nil, err
	}
	if !v.canRead(a) {
		return nil, errs.NotFound("article")
	}
	return s.store.Revisions(ctx, s.db, orgID, articleID, !v.Editor())
}

// Revision returns one revision the viewer may see.
func (s *Service) Revision(ctx context.Context, v Viewer, orgID, articleID, revisionID string) (*Revision, error) {
	a, err := s.store.Article(ctx, s.db, orgID, articleID)
	if err != nil {
		return nil, err
	}
	if !v.canRead(a) {
		return nil, errs.NotFound("article")
	}
	r, err := s.store.Revision(ctx, s.db, orgID, articleID, revisionID)
	if err != nil {
		return nil, err
	}
	if r.Status != RevisionPublished && !v.Editor() {
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

// --- quiz

// SetQuiz gives an article a quiz, or replaces it. Attempts already made
// stay as they were graded.
func (s *Service) SetQuiz(ctx context.Context, v Viewer, orgID, id string, version int64, passMark int, questions []Question) (*Article, error) {
	quiz, err := newQuiz(passMark, questions)
	if err != nil {
		return nil, err
	}
	return s.changeQuiz(ctx, orgID, id, version, quiz)
}

// DeleteQuiz removes an article's quiz: acknowledging no longer needs one.
func (s *Service) DeleteQuiz(ctx context.Context, v Viewer, orgID, id string, version int64) (*Article, error) {
	return s.changeQuiz(ctx, orgID, id, version, nil)
}

func (s *Service) changeQuiz(ctx context.Context, orgID, id string, version int64, quiz *Quiz) (*Article, error) {
	var out *Article
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.LockArticle(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if quiz == nil && a.Quiz == nil {
			return errs.NotFound("quiz")
		}
		if err := checkVersion(a, version); err != nil {
			return err
		}
		before := a.auditFields()
		a.Quiz = quiz
		out = a
		return s.saveArticle(ctx, tx, a, before)
	})
	return out, err
}

// Quiz returns an article's quiz with the article; the caller decides
// whether the correct options may be shown.
func (s *Service) Quiz(ctx context.Context, v Viewer, orgID, id string) (*Article, error) {
	a, err := s.store.Article(ctx, s.db, orgID, id)
	if err != nil {
		return nil, err
	}
	if !v.canRead(a) {
		return nil, errs.NotFound("article")
	}
	if a.Quiz == nil {
		return nil, errs.NotFound("quiz")
	}
	return a, nil
}
