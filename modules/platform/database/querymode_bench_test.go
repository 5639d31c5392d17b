package database_test

import (
	"context"
	"os"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// BenchmarkPostgresQueryModes times one SELECT through bun on PostgreSQL
// whose text is the same every time or new every time (bun writes the
// arguments into the text, so a query naming an id is new for each id),
// in each of pgx's query modes.
func BenchmarkPostgresQueryModes(b *testing.B) {
	url := os.Getenv(testkit.EnvPostgres)
	if url == "" {
		b.Skip(testkit.EnvPostgres + " is not set")
	}
	ctx := context.Background()
	for _, mode := range []string{"cache_statement", "cache_describe", "exec", "simple_protocol"} {
		db, err := database.Open(ctx, withQueryMode(b, url, mode))
		if err != nil {
			b.Fatal(err)
		}
		for _, texts := range []string{"same", "new"} {
			b.Run(mode+"/"+texts, func(b *testing.B) {
				i := 0
				for b.Loop() {
					arg := 1
					if texts == "new" {
						arg = i
					}
					i++
					var n int
					if err := db.NewSelect().ColumnExpr("count(*)").TableExpr("pg_class").Where("oid = ?", arg).Scan(ctx, &n); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		_ = db.Close()
	}
}
