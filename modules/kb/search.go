package kb

import (
	"context"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// SearchQuery is a full-text search of the school's articles.
type SearchQuery struct {
	Text     string
	Status   string
	Category string
	Limit    int
}

// SearchHit is one article a search found, with a snippet of its body in
// which the words matching the query are wrapped in <mark>…</mark>; the
// rest of the snippet is HTML-escaped text.
type SearchHit struct {
	ArticleID string
	Title     string
	Category  string
	Status    string
	Snippet   string
	Rank      float64
}

// Search finds the articles holding every word of the query in any of its
// forms ("проверки домашних заданий" finds "проверка домашнего задания"),
// best first. Editors search every status; everyone else searches the
// published articles meant for their roles.
func (s *Service) Search(ctx context.Context, v Viewer, orgID string, q SearchQuery) ([]SearchHit, error) {
	stems := queryStems(q.Text)
	if len(stems) == 0 {
		return nil, errs.Invalid("query.q", "give at least one word to search for")
	}
	f := SearchFilter{Stems: stems, Folded: foldText(q.Text), Status: q.Status, Category: q.Category, Roles: v.readerRoles(), Limit: q.Limit}
	rows, err := s.store.Search(ctx, s.DB, orgID, f)
	if err != nil {
		return nil, err
	}
	hits := make([]SearchHit, len(rows))
	for i, r := range rows {
		hits[i] = SearchHit{ArticleID: r.ID, Title: r.Title, Category: r.Category, Status: r.Status, Snippet: r.Headline, Rank: r.Rank}
	}
	return hits, nil
}
