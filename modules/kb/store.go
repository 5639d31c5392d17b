package kb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Store holds the knowledge base queries. Every function takes bun.IDB so
// that it runs inside the caller's transaction, and every query filters by
// the school.
type Store struct{}

// --- categories

func (Store) Categories(ctx context.Context, db bun.IDB, orgID string) ([]Category, error) {
	var rows []Category
	return rows, db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("key").Scan(ctx)
}

func (Store) Category(ctx context.Context, db bun.IDB, orgID, key string) (*Category, error) {
	c := new(Category)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND key = ?", orgID, key), "category")
}

func (Store) InsertCategory(ctx context.Context, db bun.IDB, c *Category) error {
	_, err := db.NewInsert().Model(c).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("the category %q already exists", c.Key)
	}
	return err
}

// --- articles

func (Store) Article(ctx context.Context, db bun.IDB, orgID, id string) (*Article, error) {
	a := new(Article)
	return a, database.ScanOne(ctx, db.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id), "article")
}

// LockArticle returns the article held until the transaction ends, so
// that changes to one article and its revisions happen one at a time.
func (Store) LockArticle(ctx context.Context, db bun.IDB, orgID, id string) (*Article, error) {
	a := new(Article)
	return a, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id)), "article")
}

func (Store) InsertArticle(ctx context.Context, db bun.IDB, a *Article) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	return err
}

// UpdateArticle writes a if its stored version is still wasVersion.
func (Store) UpdateArticle(ctx context.Context, db bun.IDB, a *Article, wasVersion int64) (bool, error) {
	res, err := db.NewUpdate().Model(a).ExcludeColumn("id", "org_id", "created_by", "created_at").
		WherePK().Where("org_id = ?", a.OrgID).Where("version = ?", wasVersion).Exec(ctx)
	return database.AffectedOne(res, err)
}

// ArticleFilter narrows a listing of articles.
type ArticleFilter struct {
	Status   string
	Category string
	// Roles, when set, keeps only published articles meant for one of them.
	Roles   []string
	Limit   int
	AfterID string
}

// visibleTo keeps published articles whose audience or required roles
// include one of roles, or whose audience is everyone.
func visibleTo(q *bun.SelectQuery, alias string, roles []string) *bun.SelectQuery {
	q = q.Where(alias+"status = ?", StatusPublished)
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where(alias + "audience_roles = ''")
		for _, r := range roles {
			like := "%," + r + ",%"
			q = q.WhereOr("(',' || "+alias+"audience_roles || ',') LIKE ?", like).
				WhereOr("(',' || "+alias+"required_roles || ',') LIKE ?", like)
		}
		return q
	})
}

// Articles returns up to f.Limit+1 articles by id.
func (Store) Articles(ctx context.Context, db bun.IDB, orgID string, f ArticleFilter) ([]Article, error) {
	var rows []Article
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	if f.Roles != nil {
		q = visibleTo(q, "", f.Roles)
	}
	q = database.WhereSet(q, database.Eq("status", f.Status), database.Eq("category", f.Category))
	if f.AfterID != "" {
		q = q.Where("id > ?", f.AfterID)
	}
	return rows, q.OrderExpr("id ASC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// RequiredArticles lists the school's published articles that some role
// must acknowledge.
func (Store) RequiredArticles(ctx context.Context, db bun.IDB, orgID string) ([]Article, error) {
	var rows []Article
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND status = ? AND required_roles <> ''", orgID, StatusPublished).
		OrderExpr("id").Scan(ctx)
	return rows, err
}

// OrgsWithRequiredReading lists the schools that have required reading.
func (Store) OrgsWithRequiredReading(ctx context.Context, db bun.IDB) ([]string, error) {
	var ids []string
	err := db.NewSelect().Model((*Article)(nil)).ColumnExpr("DISTINCT org_id").
		Where("status = ? AND required_roles <> ''", StatusPublished).Scan(ctx, &ids)
	return ids, err
}

// --- revisions

func (Store) Revision(ctx context.Context, db bun.IDB, orgID, articleID, id string) (*Revision, error) {
	r := new(Revision)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND article_id = ? AND id = ?", orgID, articleID, id), "revision")
}

// Revisions lists an article's revisions, newest first.
func (Store) Revisions(ctx context.Context, db bun.IDB, orgID, articleID string, publishedOnly bool) ([]Revision, error) {
	var rows []Revision
	q := db.NewSelect().Model(&rows).Where("org_id = ? AND article_id = ?", orgID, articleID)
	if publishedOnly {
		q = q.Where("status = ?", RevisionPublished)
	}
	return rows, q.OrderExpr("number DESC").Scan(ctx)
}

// RevisionsByID loads revisions of the school by id.
func (Store) RevisionsByID(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]*Revision, error) {
	out := map[string]*Revision{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Revision
	if err := db.NewSelect().Model(&rows).Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

func (Store) NextRevisionNumber(ctx context.Context, db bun.IDB, orgID, articleID string) (int, error) {
	var n sql.NullInt64
	err := db.NewSelect().Model((*Revision)(nil)).ColumnExpr("MAX(number)").
		Where("org_id = ? AND article_id = ?", orgID, articleID).Scan(ctx, &n)
	return int(n.Int64) + 1, err
}

func (Store) InsertRevision(ctx context.Context, db bun.IDB, r *Revision) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	return err
}

// UpdateDraft writes the content of a draft revision; it changes nothing
// once the revision is published.
func (Store) UpdateDraft(ctx context.Context, db bun.IDB, r *Revision) (bool, error) {
	res, err := db.NewUpdate().Model(r).Column("title", "body", "content_sha256", "updated_at").
		WherePK().Where("org_id = ? AND status = ?", r.OrgID, RevisionDraft).Exec(ctx)
	return database.AffectedOne(res, err)
}

// PublishDraft turns a draft revision into a published one.
func (Store) PublishDraft(ctx context.Context, db bun.IDB, r *Revision) (bool, error) {
	res, err := db.NewUpdate().Model(r).Column("status", "change_kind", "ack_revision_id", "published_by", "published_at", "updated_at").
		WherePK().Where("org_id = ? AND status = ?", r.OrgID, RevisionDraft).Exec(ctx)
	return database.AffectedOne(res, err)
}

// DeleteDraft removes a draft revision; published ones stay.
func (Store) DeleteDraft(ctx context.Context, db bun.IDB, orgID, id string) (bool, error) {
	res, err := db.NewDelete().Model((*Revision)(nil)).Where("org_id = ? AND id = ? AND status = ?", orgID, id, RevisionDraft).Exec(ctx)
	return database.AffectedOne(res, err)
}

// --- acknowledgments

// InsertAcknowledgment appends one; a second acknowledgment of the same
// revision by the same person is a conflict.
func (Store) InsertAcknowledgment(ctx context.Context, db bun.IDB, a *Acknowledgment) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("you have already acknowledged this revision; acknowledgments cannot be changed")
	}
	return err
}

func (Store) Acknowledgment(ctx context.Context, db bun.IDB, orgID, id string) (*Acknowledgment, error) {
	a := new(Acknowledgment)
	return a, database.ScanOne(ctx, db.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id), "acknowledgment")
}

// AckFilter narrows a listing of acknowledgments.
type AckFilter struct {
	ArticleID  string
	RevisionID string
	UserID     string
	Limit      int
	BeforeID   string
}

// Acknowledgments returns up to f.Limit+1 acknowledgments, newest first.
func (Store) Acknowledgments(ctx context.Context, db bun.IDB, orgID string, f AckFilter) ([]Acknowledgment, error) {
	var rows []Acknowledgment
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q,
		database.Eq("article_id", f.ArticleID),
		database.Eq("ack_revision_id", f.RevisionID),
		database.Eq("user_id", f.UserID),
	)
	if f.BeforeID != "" {
		q = q.Where("id < ?", f.BeforeID)
	}
	return rows, q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// AcknowledgmentsOf loads the acknowledgments of the given required
// revisions, of one person when userID is set.
func (Store) AcknowledgmentsOf(ctx context.Context, db bun.IDB, orgID string, ackRevisionIDs []string, userID string) ([]Acknowledgment, error) {
	var rows []Acknowledgment
	if len(ackRevisionIDs) == 0 {
		return rows, nil
	}
	q := db.NewSelect().Model(&rows).Where("org_id = ? AND ack_revision_id IN (?)", orgID, bun.In(ackRevisionIDs))
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	return rows, q.Scan(ctx)
}

// --- quiz attempts

func (Store) InsertAttempt(ctx context.Context, db bun.IDB, a *QuizAttempt) error {
	_, err := db.NewInsert().Model(a).Exec(ctx)
	return err
}

// Attempts lists a person's attempts at an article's quiz, newest first.
func (Store) Attempts(ctx context.Context, db bun.IDB, orgID, articleID, userID string) ([]QuizAttempt, error) {
	var rows []QuizAttempt
	err := db.NewSelect().Model(&rows).Where("org_id = ? AND article_id = ? AND user_id = ?", orgID, articleID, userID).
		OrderExpr("id DESC").Scan(ctx)
	return rows, err
}

// PassedAttempt returns the person's latest passed attempt on a required
// revision, or nil.
func (Store) PassedAttempt(ctx context.Context, db bun.IDB, orgID, revisionID, userID string) (*QuizAttempt, error) {
	a := new(QuizAttempt)
	err := db.NewSelect().Model(a).Where("org_id = ? AND revision_id = ? AND user_id = ? AND passed = ?", orgID, revisionID, userID, true).
		OrderExpr("id DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// PassedRevisions returns, of the given revisions, those the person has
// passed the quiz of.
func (Store) PassedRevisions(ctx context.Context, db bun.IDB, orgID, userID string, revisionIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(revisionIDs) == 0 {
		return out, nil
	}
	var ids []string
	err := db.NewSelect().Model((*QuizAttempt)(nil)).ColumnExpr("DISTINCT revision_id").
		Where("org_id = ? AND user_id = ? AND passed = ? AND revision_id IN (?)", orgID, userID, true, bun.In(revisionIDs)).Scan(ctx, &ids)
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// --- reminders

// InsertReminder records a reminder unless one was already sent for the
// person and revision; it reports whether it did.
func (Store) InsertReminder(ctx context.Context, db bun.IDB, r *Reminder) (bool, error) {
	res, err := db.NewInsert().Model(r).On("CONFLICT (user_id, revision_id) DO NOTHING").Exec(ctx)
	return database.AffectedOne(res, err)
}

// ReminderFilter narrows a listing of reminders.
type ReminderFilter struct {
	ArticleID string
	UserID    string
	Limit     int
	BeforeID  string
}

// Reminders returns up to f.Limit+1 reminders, newest first.
func (Store) Reminders(ctx context.Context, db bun.IDB, orgID string, f ReminderFilter) ([]Reminder, error) {
	var rows []Reminder
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("article_id", f.ArticleID), database.Eq("user_id", f.UserID))
	if f.BeforeID != "" {
		q = q.Where("id < ?", f.BeforeID)
	}
	return rows, q.OrderExpr("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// --- templates

func (Store) Template(ctx context.Context, db bun.IDB, orgID, id string) (*Template, error) {
	t := new(Template)
	return t, database.ScanOne(ctx, db.NewSelect().Model(t).Where("org_id = ? AND id = ?", orgID, id), "template")
}

func (Store) InsertTemplate(ctx context.Context, db bun.IDB, t *Template) error {
	_, err := db.NewInsert().Model(t).Exec(ctx)
	return err
}

// UpdateTemplate writes t if its stored version is still wasVersion.
func (Store) UpdateTemplate(ctx context.Context, db bun.IDB, t *Template, wasVersion int64) (bool, error) {
	res, err := db.NewUpdate().Model(t).Column("category", "title", "body", "updated_at", "version").
		WherePK().Where("org_id = ? AND version = ?", t.OrgID, wasVersion).Exec(ctx)
	return database.AffectedOne(res, err)
}

func (Store) DeleteTemplate(ctx context.Context, db bun.IDB, orgID, id string, version int64) (bool, error) {
	res, err := db.NewDelete().Model((*Template)(nil)).Where("org_id = ? AND id = ? AND version = ?", orgID, id, version).Exec(ctx)
	return database.AffectedOne(res, err)
}

// TemplateFilter narrows a listing of templates.
type TemplateFilter struct {
	Category string
	Limit    int
	AfterID  string
}

// Templates returns up to f.Limit+1 templates by id.
func (Store) Templates(ctx context.Context, db bun.IDB, orgID string, f TemplateFilter) ([]Template, error) {
	var rows []Template
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("category", f.Category))
	if f.AfterID != "" {
		q = q.Where("id > ?", f.AfterID)
	}
	return rows, q.OrderExpr("id ASC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// CountUse adds one to a template's usage counter in the database itself,
// so that concurrent renders are all counted, and returns the new count.
func (Store) CountUse(ctx context.Context, db bun.IDB, orgID, id string, at time.Time) (int64, error) {
	var n int64
	err := db.NewUpdate().Model((*Template)(nil)).Set("usage_count = usage_count + 1").Set("last_used_at = ?", at).
		Where("org_id = ? AND id = ?", orgID, id).Returning("usage_count").Scan(ctx, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.NotFound("template")
	}
	return n, err
}
