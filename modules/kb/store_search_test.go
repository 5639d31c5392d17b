package kb

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// The search query forks by engine (an FTS5 table of Go stems on SQLite, a
// kb_russian tsvector on PostgreSQL); the store must answer the same on
// both, filters and audience included, and follow a re-indexed article.

// searchable is one article of the store-level search test.
type searchable struct {
	title, body, category, status string
	audience, required            List
}

var searchShelf = []searchable{
	{"Возвраты", "Порядок оформления денег ученику.", "refunds", StatusPublished, nil, List{"curator"}},
	{"Чаты", "Про возвраты не пишем в общем чате.", "chat_communication", StatusPublished, nil, nil},
	{"Проверка ДЗ", "Проверка домашнего задания за 24 часа.", "homework_checking", StatusPublished, nil, List{"curator"}},
	{"Выплаты", "Возвраты и выплаты считает бухгалтерия.", "refunds", StatusPublished, List{"finance"}, nil},
	{"Кадры", "Проверка документов и возвраты оборудования.", "onboarding", StatusPublished, List{"hr"}, List{"curator"}},
	{"Черновик", "Новые правила проверки домашних заданий и возвраты.", "homework_checking", StatusDraft, nil, nil},
	{"Архив", "Старый порядок проверки домашних заданий.", "homework_checking", StatusArchived, nil, nil},
}

func TestStoreSearchAnswersAlikeOnBothDatabases(t *testing.T) {
	queries := []struct {
		name, text string
		filter     SearchFilter
		want       string // titles, sorted, comma-separated
	}{
		{"word forms", "проверки домашних заданий", SearchFilter{}, "Архив,Проверка ДЗ,Черновик"},
		{"every word must occur", "возвраты чат", SearchFilter{}, "Чаты"},
		{"status", "проверки домашних заданий", SearchFilter{Status: StatusDraft}, "Черновик"},
		{"category", "возвраты", SearchFilter{Category: "refunds"}, "Возвраты,Выплаты"},
		{"a reader's roles", "возвраты", SearchFilter{Roles: []string{"curator"}}, "Возвраты,Кадры,Чаты"},
		{"another role's audience", "возвраты", SearchFilter{Roles: []string{"finance"}}, "Возвраты,Выплаты,Чаты"},
		{"no roles: audience everyone only", "возвраты", SearchFilter{Roles: []string{}}, "Возвраты,Чаты"},
		{"readers see published only", "проверки домашних заданий", SearchFilter{Roles: []string{"curator"}}, "Проверка ДЗ"},
		{"nothing", "телепортация", SearchFilter{}, ""},
	}
	found := map[string]map[string]string{} // dialect → query → titles
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		alpha, beta := ids.New(), ids.New()
		testkit.SeedOrg(t, db, alpha, "alpha")
		testkit.SeedOrg(t, db, beta, "beta")
		for _, a := range searchShelf {
			shelve(t, db, alpha, a)
		}
		shelve(t, db, beta, searchable{"Чужие возвраты", "Возвраты другой школы.", "refunds", StatusPublished, nil, nil})

		dialect := "sqlite"
		if database.IsPostgres(db) {
			dialect = "postgres"
		}
		found[dialect] = map[string]string{}
		for _, q := range queries {
			f := searchFilter(q.text, q.filter)
			rows, err := Store{}.Search(ctx, db, alpha, f)
			if err != nil {
				t.Fatalf("%s: %v", q.name, err)
			}
			got := sortedTitles(rows)
			found[dialect][q.name] = got
			if got != q.want {
				t.Errorf("%s (%q): found %q, want %q", q.name, q.text, got, q.want)
			}
		}

		// Best first: a word in the title outranks the same word in a body,
		// and the limit keeps the best.
		rows, err := Store{}.Search(ctx, db, alpha, searchFilter("возвраты", SearchFilter{Limit: 1}))
		if err != nil || len(rows) != 1 || rows[0].Title != "Возвраты" || rows[0].Rank <= 0 {
			t.Fatalf("the best match of возвраты: %+v %v", rows, err)
		}
		rows, err = Store{}.Search(ctx, db, alpha, searchFilter("проверки домашнего задания", SearchFilter{Status: StatusPublished}))
		if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Headline, "<mark>Проверка</mark> <mark>домашнего</mark> <mark>задания</mark>") {
			t.Fatalf("the snippet marks the forms found: %+v %v", rows, err)
		}
	})
	if len(found) == 2 {
		for _, q := range queries {
			if a, b := found["sqlite"][q.name], found["postgres"][q.name]; a != b {
				t.Errorf("%s: SQLite found %q, PostgreSQL %q", q.name, a, b)
			}
		}
	}
}

func TestStoreSearchFollowsReindexing(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		orgID := ids.New()
		testkit.SeedOrg(t, db, orgID, "alpha")
		a := shelve(t, db, orgID, searchable{"Дедлайны", "Сроки сдачи работ", "duties", StatusDraft, nil, nil})
		count := func(text string, f SearchFilter) int {
			t.Helper()
			rows, err := Store{}.Search(ctx, db, orgID, searchFilter(text, f))
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}
		if count("сроки", SearchFilter{}) != 1 || count("сроки", SearchFilter{Roles: []string{}}) != 0 {
			t.Fatal("a draft is found without the readers' filter only")
		}
		a.Status, a.AudienceRoles = StatusPublished, List{"curator"}
		if err := (Store{}).IndexArticle(ctx, db, a, "Дедлайны", "Переносы по модулям"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewUpdate().Model(a).Column("status", "audience_roles").WherePK().Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if count("сроки", SearchFilter{}) != 0 || count("модули", SearchFilter{}) != 1 {
			t.Fatal("a re-indexed article is found by its new text only")
		}
		if count("модули", SearchFilter{Roles: []string{"curator"}}) != 1 || count("модули", SearchFilter{Roles: []string{"hr"}}) != 0 {
			t.Fatal("a re-indexed article is found by its new audience")
		}
	})
}

// searchFilter completes f as the service does for the words of text.
func searchFilter(text string, f SearchFilter) SearchFilter {
	f.Stems, f.Folded = queryStems(text), foldText(text)
	if f.Limit == 0 {
		f.Limit = 20
	}
	return f
}

// shelve writes an article with one revision straight through the store
// and indexes its text.
func shelve(t *testing.T, db *bun.DB, orgID string, s searchable) *Article {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := &Article{ID: ids.New(), OrgID: orgID, Category: s.category, Status: s.status, Title: s.title,
		AudienceRoles: s.audience, RequiredRoles: s.required, DueDays: 7, DueFrom: DueFromPublication,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	r := &Revision{ID: ids.New(), OrgID: orgID, ArticleID: a.ID, Number: 1, Status: RevisionDraft,
		Title: s.title, Body: s.body, ContentSHA256: ContentHash(s.title, s.body), CreatedAt: now, UpdatedAt: now}
	a.DraftRevisionID = r.ID
	if s.status != StatusDraft {
		r.Status, r.ChangeKind, r.PublishedAt, r.AckRevisionID = RevisionPublished, ChangeMajor, &now, r.ID
		a.CurrentRevisionID, a.AckRevisionID, a.DraftRevisionID, a.PublishedAt = r.ID, r.ID, "", &now
	}
	var store Store
	for _, step := range []func() error{
		func() error { return store.InsertArticle(ctx, db, a) },
		func() error { return store.InsertRevision(ctx, db, r) },
		func() error { return store.IndexArticle(ctx, db, a, s.title, s.body) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func sortedTitles(rows []searchRow) string {
	titles := make([]string, len(rows))
	for i, r := range rows {
		titles[i] = r.Title
	}
	sort.Strings(titles)
	return strings.Join(titles, ",")
}
