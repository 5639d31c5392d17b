package kb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// benchArticles is how many published articles the search benchmark's
// school holds.
const benchArticles = 10_000

// benchQueries mix words found in about a third of the articles, pairs
// found in a few percent, word forms, rare numbers and words found nowhere.
var benchQueries = []string{
	"куратор", "проверка домашнего задания", "проверки домашних заданий", "возврат", "возврата денег",
	"отзывы учеников", "кейс", "согласие на публикацию", "ещё", "нельзя", "дедлайн", "вебинар запись",
	"наставник новичок", "доходимость модуля", "поток 17", "поток 4242", "оплата бонус", "чат ответ",
	"психологическая безопасность", "телепортация", "сертификат", "мессенджеры", "старший куратор качество",
}

// BenchmarkSearch measures search latency in a school with 10,000
// published articles, as a curator searches (published articles meant for
// their role, 20 results with snippets), on SQLite and, with
// TEST_DATABASE_URL set, on PostgreSQL. Each iteration is one query; it
// reports the median and 99th percentile of the iterations' latencies:
//
//	go test -run '^$' -bench BenchmarkSearch -benchtime 1000x ./modules/kb/
func BenchmarkSearch(b *testing.B) {
	corpus, err := os.ReadFile("testdata/corpus.txt")
	if err != nil {
		b.Fatal(err)
	}
	sentences := strings.Split(strings.TrimSpace(string(corpus)), "\n")
	for _, dialect := range testkit.Dialects() {
		// The school is seeded once per database, outside the timed runs.
		db := testkit.Open(b, dialect)
		svc, orgID := seedBenchSchool(b, db, sentences)
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			reader := Viewer{UserID: ids.New(), Roles: []string{"curator"}}
			latencies := make([]time.Duration, 0, b.N)
			byQuery := map[string][]time.Duration{}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := benchQueries[i%len(benchQueries)]
				start := time.Now()
				if _, err := svc.Search(ctx, reader, orgID, SearchQuery{Text: q, Status: StatusPublished, Limit: 20}); err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				latencies = append(latencies, took)
				byQuery[q] = append(byQuery[q], took)
			}
			b.StopTimer()
			p50, p99 := percentile(latencies, 50), percentile(latencies, 99)
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.Logf("%s: %d queries over %d articles: p50 %v, p99 %v", dialect, len(latencies), benchArticles, p50, p99)
			slowest := ""
			for q, ds := range byQuery {
				if slowest == "" || percentile(ds, 50) > percentile(byQuery[slowest], 50) {
					slowest = q
				}
			}
			b.Logf("%s: slowest query %q, median %v", dialect, slowest, percentile(byQuery[slowest], 50))
		})
	}
}

// percentile is the nearest-rank percentile of durations.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := (p*len(s) + 99) / 100
	return s[max(rank, 1)-1]
}

// seedBenchSchool writes benchArticles published articles of 8-16
// sentences each straight through the store, in batches, and returns a
// service over them.
func seedBenchSchool(b *testing.B, db *bun.DB, sentences []string) (*Service, string) {
	b.Helper()
	ctx := reqctx.System(context.Background(), "bench")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	orgID := ids.New()
	testkit.SeedOrg(b, db, orgID, "bench")
	rng := rand.New(rand.NewPCG(1, 2))
	cats := []string{"duties", "homework_checking", "chat_communication", "case_collection", "refunds", "onboarding"}
	started := time.Now()
	var store Store
	const batch = 500
	for from := 0; from < benchArticles; from += batch {
		err := database.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			for i := from; i < min(from+batch, benchArticles); i++ {
				var body strings.Builder
				for n := 8 + rng.IntN(9); n > 0; n-- {
					body.WriteString(sentences[rng.IntN(len(sentences))])
					body.WriteString(" ")
				}
				fmt.Fprintf(&body, "Поток %d.", i)
				title := fmt.Sprintf("Регламент %d: %s", i, strings.TrimSuffix(sentences[rng.IntN(len(sentences))], "."))
				if err := insertPublished(ctx, tx, store, orgID, cats[i%len(cats)], title, body.String(), now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if database.IsPostgres(db) {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d articles in %v", benchArticles, time.Since(started).Round(time.Millisecond))
	return NewService(db, clock.NewFixed(now), noAudit{}, staff{}, &recordingPublisher{}), orgID
}

func insertPublished(ctx context.Context, tx bun.IDB, store Store, orgID, category, title, body string, now time.Time) error {
	a := &Article{ID: ids.New(), OrgID: orgID, Category: category, Status: StatusPublished, Title: title,
		RequiredRoles: List{"curator"}, DueDays: 7, DueFrom: DueFromPublication, CreatedAt: now, UpdatedAt: now, PublishedAt: &now, Version: 2}
	r := &Revision{ID: ids.New(), OrgID: orgID, ArticleID: a.ID, Number: 1, Status: RevisionPublished, ChangeKind: ChangeMajor,
		Title: title, Body: body, ContentSHA256: ContentHash(title, body), CreatedAt: now, UpdatedAt: now, PublishedAt: &now}
	r.AckRevisionID, a.CurrentRevisionID, a.AckRevisionID = r.ID, r.ID, r.ID
	if err := store.InsertArticle(ctx, tx, a); err != nil {
		return err
	}
	if err := store.InsertRevision(ctx, tx, r); err != nil {
		return err
	}
	return store.IndexArticle(ctx, tx, a, title, body)
}
