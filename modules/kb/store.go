package kb

import (
	"context"
	"database/sql"

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

// articleColumns are what an edit of an article may change: all but its
// id, school and creation.
var articleColumns = []string{"category", "status", "title", "audience_roles", "required_roles", "cohort_ids", "course_ids",
	"due_days", "due_from", "quiz", "current_revision_id", "ack_revision_id", "draft_revision_id",
	"updated_at", "published_at", "archived_at", "version"}

// UpdateArticle writes a if its stored version is still wasVersion.
func (Store) UpdateArticle(ctx context.Context, db bun.IDB, a *Article, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, a, wasVersion, articleColumns...)
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
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
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
