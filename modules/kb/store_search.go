package kb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// The search index differs by engine: PostgreSQL ranks a tsvector built by
// its kb_russian configuration; SQLite ranks an FTS5 table of words stemmed
// in Go. Both are fed the same folded text and answer the same question:
// which articles hold every word of the query, in some form.

// SearchFilter narrows a search.
type SearchFilter struct {
	Stems    []string // stems of the query's words, for SQLite and snippets
	Folded   string   // the folded query, for PostgreSQL
	Status   string
	Category string
	Roles    []string // set: only published articles meant for these roles
	Limit    int
}

// searchRow is one ranked article with the text to cut a snippet from.
type searchRow struct {
	ID       string  `bun:"id"`
	Title    string  `bun:"title"`
	Category string  `bun:"category"`
	Status   string  `bun:"status"`
	Body     string  `bun:"body"`
	Folded   string  `bun:"body_folded"`
	Headline string  `bun:"headline"`
	Rank     float64 `bun:"rank"`
}

// IndexArticle makes title and body what a search finds the article by,
// and, on SQLite, records the article's school, status, category and
// audience in the index for filtering.
func (Store) IndexArticle(ctx context.Context, db bun.IDB, a *Article, title, body string) error {
	if database.IsPostgres(db) {
		_, err := db.NewRaw(`INSERT INTO kb_search (article_id, org_id, title, body, body_folded, tsv)
VALUES (?, ?, ?, ?, ?, setweight(to_tsvector('kb_russian', ?), 'A') || setweight(to_tsvector('kb_russian', ?), 'B'))
ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body,
    body_folded = EXCLUDED.body_folded, tsv = EXCLUDED.tsv`,
			a.ID, a.OrgID, title, body, foldText(body), foldText(title), foldText(body)).Exec(ctx)
		return err
	}
	var docID int64
	err := db.NewRaw("SELECT doc_id FROM kb_search WHERE article_id = ?", a.ID).Scan(ctx, &docID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := db.NewRaw("INSERT INTO kb_search (article_id, org_id, title, body) VALUES (?, ?, ?, ?) RETURNING doc_id",
			a.ID, a.OrgID, title, body).Scan(ctx, &docID); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if _, err := db.NewRaw("UPDATE kb_search SET title = ?, body = ? WHERE doc_id = ?", title, body, docID).Exec(ctx); err != nil {
			return err
		}
		if _, err := db.NewRaw("DELETE FROM kb_search_fts WHERE rowid = ?", docID).Exec(ctx); err != nil {
			return err
		}
	}
	_, err = db.NewRaw("INSERT INTO kb_search_fts (rowid, scope, title, body) VALUES (?, ?, ?, ?)",
		docID, scopeTokens(a), stemText(title), stemText(body)).Exec(ctx)
	return err
}

// Scope tokens name what a search filters by. They sit in their own
// column, so that no word of an article can pass for one.
func orgToken(orgID string) string { return "org_" + strings.ReplaceAll(orgID, "-", "") }

func scopeTokens(a *Article) string {
	toks := []string{orgToken(a.OrgID), "status_" + a.Status, "category_" + a.Category}
	if len(a.AudienceRoles) == 0 {
		toks = append(toks, "audience_all")
	}
	for _, r := range a.AudienceRoles {
		toks = append(toks, "audience_"+r)
	}
	for _, r := range a.RequiredRoles {
		toks = append(toks, "required_"+r)
	}
	return strings.Join(toks, " ")
}

// ftsMatch is the FTS5 query of a search: the scope it must be in, and
// every stem in the title or the body. Every token is quoted, so that a
// stem such as "or" or "not" is never read as an operator; stems and
// scope tokens hold only letters, digits and _.
func ftsMatch(orgID string, f SearchFilter) string {
	scope := []string{quote(orgToken(orgID))}
	if f.Status != "" {
		scope = append(scope, quote("status_"+f.Status))
	}
	if f.Category != "" {
		scope = append(scope, quote("category_"+f.Category))
	}
	if f.Roles != nil {
		scope = append(scope, quote("status_"+StatusPublished))
		either := []string{quote("audience_all")}
		for _, r := range f.Roles {
			either = append(either, quote("audience_"+r), quote("required_"+r))
		}
		scope = append(scope, "("+strings.Join(either, " OR ")+")")
	}
	words := make([]string, len(f.Stems))
	for i, s := range f.Stems {
		words[i] = quote(s)
	}
	return "scope : (" + strings.Join(scope, " AND ") + ") AND {title body} : (" + strings.Join(words, " AND ") + ")"
}

func quote(token string) string { return `"` + strings.ReplaceAll(token, `"`, "") + `"` }

// Search returns up to f.Limit articles of the school holding every stem,
// best first, each with the text its snippet is cut from.
func (s Store) Search(ctx context.Context, db bun.IDB, orgID string, f SearchFilter) ([]searchRow, error) {
	if database.IsPostgres(db) {
		return s.searchPostgres(ctx, db, orgID, f)
	}
	return s.searchSQLite(ctx, db, orgID, f)
}

// headlineOptions cut one fragment of about snippetWords words around the
// best match, marked with the private marks that finishSnippet replaces.
var headlineOptions = "StartSel=" + string(markOpen) + ", StopSel=" + string(markClose) +
	", MaxWords=24, MinWords=12, ShortWord=0, MaxFragments=1, FragmentDelimiter=\" \""

func (Store) searchPostgres(ctx context.Context, db bun.IDB, orgID string, f SearchFilter) ([]searchRow, error) {
	q := db.NewSelect().TableExpr("kb_search AS s").
		Join("JOIN kb_articles AS a ON a.id = s.article_id").
		ColumnExpr("a.id, a.title, a.category, a.status, s.body, s.body_folded").
		ColumnExpr("ts_rank(s.tsv, plainto_tsquery('kb_russian', ?)) AS rank", f.Folded).
		Where("s.org_id = ?", orgID).
		Where("s.tsv @@ plainto_tsquery('kb_russian', ?)", f.Folded)
	q = searchFilters(q, f)
	q = q.OrderExpr("rank DESC, a.id ASC").Limit(int64(f.Limit))
	var rows []searchRow
	// The headline is cut only for the page of results, not for every match.
	err := db.NewSelect().TableExpr("(?) AS r", q).
		ColumnExpr("r.*").
		ColumnExpr("ts_headline('kb_russian', r.body_folded, plainto_tsquery('kb_russian', ?), ?) AS headline", f.Folded, headlineOptions).
		OrderExpr("r.rank DESC, r.id ASC").Scan(ctx, &rows)
	for i := range rows {
		rows[i].Headline = mapHeadline(rows[i].Headline, rows[i].Body, rows[i].Folded)
	}
	return rows, err
}

func (Store) searchSQLite(ctx context.Context, db bun.IDB, orgID string, f SearchFilter) ([]searchRow, error) {
	// The index alone finds, filters and ranks; only the page it returns
	// is looked up in the tables. bm25 is lower for better matches; the
	// scope does not count, a word in the title counts four times one in
	// the body.
	ranked := db.NewSelect().TableExpr("kb_search_fts").
		ColumnExpr("rowid AS doc_id").
		ColumnExpr("-bm25(kb_search_fts, 0.0, 4.0, 1.0) AS rank").
		Where("kb_search_fts MATCH ?", ftsMatch(orgID, f)).
		OrderExpr("rank DESC, rowid ASC").Limit(int64(f.Limit))
	var rows []searchRow
	// CROSS JOIN keeps SQLite from planning the tables first. The school is
	// checked again on the rows themselves.
	err := db.NewSelect().TableExpr("(?) AS r", ranked).
		Join("CROSS JOIN kb_search AS s ON s.doc_id = r.doc_id").
		Join("CROSS JOIN kb_articles AS a ON a.id = s.article_id").
		ColumnExpr("a.id, a.title, a.category, a.status, s.body, r.rank").
		Where("s.org_id = ? AND a.org_id = ?", orgID, orgID).
		OrderExpr("r.rank DESC, r.doc_id ASC").Scan(ctx, &rows)
	for i := range rows {
		rows[i].Headline = goSnippet(rows[i].Body, f.Stems)
	}
	return rows, err
}

func searchFilters(q *bun.SelectQuery, f SearchFilter) *bun.SelectQuery {
	if f.Roles != nil {
		q = visibleTo(q, "a.", f.Roles)
	}
	q = database.WhereSet(q, database.Eq("a.status", f.Status), database.Eq("a.category", f.Category))
	return q
}
