package database_test

import (
	"context"
	"database/sql"
	"fmt"
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
		db, err := database.Open(ctx, withParam(b, url, "default_query_exec_mode", mode))
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

// BenchmarkQueryPrepared reads a page of 50 rows of 200 on each database,
// through bun (arguments written into the text, a new text for each
// offset) and through QueryPrepared (one text, prepared once per
// connection and kept).
func BenchmarkQueryPrepared(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range testkit.Dialects() {
		db := testkit.OpenEmpty(b, dialect)
		if _, err := db.ExecContext(ctx, "CREATE TABLE rows200 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT)"); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO rows200 (id, name, note) SELECT n, 'name ' || n, 'note ' || n FROM ("+
			"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 200) SELECT n FROM s) AS s"); err != nil {
			b.Fatal(err)
		}
		read := map[string]func(after int) (*sql.Rows, error){
			"bun": func(after int) (*sql.Rows, error) {
				return db.NewSelect().TableExpr("rows200").Column("id", "name", "note").
					Where("id > ?", after).OrderExpr("id").Limit(50).Rows(ctx)
			},
			"prepared": func(after int) (*sql.Rows, error) {
				return database.QueryPrepared(ctx, db, "SELECT id, name, note FROM rows200 WHERE id > ? ORDER BY id LIMIT ?", after, 50)
			},
		}
		for _, way := range []string{"bun", "prepared"} {
			b.Run(dialect+"/"+way, func(b *testing.B) {
				after := 0
				for b.Loop() {
					if err := drain(read[way](after % 150)); err != nil {
						b.Fatal(err)
					}
					after++
				}
			})
		}
	}
}

// drain scans every row of a page and checks it had 50.
func drain(rows *sql.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		id         int
		name, note sql.NullString
		n          int
	)
	for rows.Next() {
		if err := rows.Scan(&id, &name, &note); err != nil {
			return err
		}
		n++
	}
	if n != 50 {
		return fmt.Errorf("%d rows, want 50", n)
	}
	return rows.Err()
}
