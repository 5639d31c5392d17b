package database_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// On PostgreSQL a query leaves no prepared statement behind on its
// connection unless the URL asks for pgx's statement cache: bun writes
// the arguments into the SQL, so each id would be a statement of its own.
func TestPostgresQueriesAreNotPreparedAndKept(t *testing.T) {
	ctx := context.Background()
	base := testkit.PostgresURL(t, openPostgres(t))
	for _, c := range []struct {
		mode string
		kept int
	}{
		{"", 0},
		{"cache_statement", 4}, // the three queries and the count itself
	} {
		db, err := database.Open(ctx, withParam(t, base, "default_query_exec_mode", c.mode))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if got := preparedAfterThreeQueries(t, db); got != c.kept {
			t.Errorf("query mode %q: %d statements kept on the connection, want %d", c.mode, got, c.kept)
		}
	}
}

// openPostgres is a fresh migrated PostgreSQL database, or skips the test
// when TEST_DATABASE_URL is not set.
func openPostgres(t testing.TB) *bun.DB {
	t.Helper()
	if os.Getenv(testkit.EnvPostgres) == "" {
		t.Skip(testkit.EnvPostgres + " is not set")
	}
	return testkit.Open(t, "postgres")
}

// withParam is rawURL with the query parameter key set to value, if
// value is set.
func withParam(t testing.TB, rawURL, key, value string) string {
	t.Helper()
	if value == "" {
		return rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// preparedAfterThreeQueries runs three queries that differ in an argument
// on one connection and counts the statements it then holds.
func preparedAfterThreeQueries(t *testing.T, db *bun.DB) int {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := range 3 {
		var n int
		if err := conn.NewSelect().ColumnExpr("count(*)").TableExpr("pg_class").Where("oid = ?", i).Scan(ctx, &n); err != nil {
			t.Fatal(fmt.Errorf("query %d: %w", i, err))
		}
	}
	var kept int
	if err := conn.NewRaw("SELECT count(*) FROM pg_prepared_statements").Scan(ctx, &kept); err != nil {
		t.Fatal(err)
	}
	return kept
}
