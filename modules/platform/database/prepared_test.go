package database_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// preparedTable is a table of three words, one of them holding a question
// mark, which a placeholder must not be mistaken for.
func preparedTable(t *testing.T, db *bun.DB) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE words (id INTEGER PRIMARY KEY, word TEXT NOT NULL)",
		"INSERT INTO words (id, word) VALUES (1, 'one'), (2, 'two?'), (3, 'three')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// preparedWords runs the words query through QueryPrepared and returns
// the words it found.
func preparedWords(ctx context.Context, db bun.IDB, after, limit int) ([]string, error) {
	rows, err := database.QueryPrepared(ctx, db,
		"SELECT word FROM words WHERE id > ? AND word <> '?' ORDER BY id LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var words []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, err
		}
		words = append(words, w)
	}
	return words, rows.Err()
}

// QueryPrepared binds the arguments in their order on both databases,
// leaves a question mark inside a string literal alone, and tells the
// observers of each statement, since bun's query hooks do not see them.
func TestQueryPreparedBindsTheArguments(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		preparedTable(t, db)
		var (
			mu       sync.Mutex
			observed []string
		)
		database.ObserveBound(db, func(_ context.Context, query string) {
			mu.Lock()
			defer mu.Unlock()
			observed = append(observed, query)
		})
		ctx := context.Background()
		for _, c := range []struct {
			after, limit int
			want         []string
		}{
			{0, 2, []string{"one", "two?"}},
			{1, 5, []string{"two?", "three"}},
			{3, 5, nil},
		} {
			got, err := preparedWords(ctx, db, c.after, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("after %d, limit %d: %q, want %q", c.after, c.limit, got, c.want)
			}
		}
		if len(observed) != 3 || observed[0] != "SELECT word FROM words WHERE id > ? AND word <> '?' ORDER BY id LIMIT ?" {
			t.Errorf("observers saw %q, want the query's text three times", observed)
		}
	})
}

// Inside a transaction the query runs on the transaction's connection and
// sees its uncommitted writes; outside, on the read pool, it does not.
// It needs no other connection of the transaction's pool: with a pool of
// one, which the transaction holds, it still answers.
func TestQueryPreparedInsideATransaction(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		preparedTable(t, db)
		db.SetMaxOpenConns(1)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := database.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO words (id, word) VALUES (4, 'four')"); err != nil {
				return err
			}
			inside, err := preparedWords(ctx, tx, 2, 5)
			if err != nil {
				return err
			}
			if !slices.Equal(inside, []string{"three", "four"}) {
				t.Errorf("inside the transaction: %q, want three and four", inside)
			}
			outside, err := preparedWords(ctx, db, 2, 5)
			if err != nil {
				return err
			}
			if !slices.Equal(outside, []string{"three"}) {
				t.Errorf("outside the transaction before it commits: %q, want three only", outside)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// On PostgreSQL the query is prepared once per connection and kept: three
// runs with different arguments leave one statement on the read pool's
// connection, where bun's queries leave none (see
// TestPostgresQueriesAreNotPreparedAndKept).
func TestPostgresPreparedQueryIsKeptOnItsConnection(t *testing.T) {
	db := openPostgres(t)
	preparedTable(t, db)
	reads := database.Pools(db)[1]
	reads.SetMaxOpenConns(1)
	ctx := context.Background()
	for after := range 3 {
		if _, err := preparedWords(ctx, db, after, 1); err != nil {
			t.Fatal(err)
		}
	}
	var kept int
	if err := reads.QueryRowContext(ctx, "SELECT count(*) FROM pg_prepared_statements").Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != 1 {
		t.Errorf("%d statements kept on the read connection, want 1", kept)
	}
}

// A malformed query is an error, not a statement kept broken: the same
// text fails again, and good ones still run.
func TestQueryPreparedReportsAMalformedQuery(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		preparedTable(t, db)
		ctx := context.Background()
		for range 2 {
			if rows, err := database.QueryPrepared(ctx, db, "SELECT word FROM nowhere WHERE id = ?", 1); err == nil {
				rows.Close()
				t.Fatal("a query of a missing table ran")
			}
		}
		if got, err := preparedWords(ctx, db, 0, 1); err != nil || !slices.Equal(got, []string{"one"}) {
			t.Errorf("after the malformed query: %q, %v", got, err)
		}
	})
}

// Past its bound of texts, QueryPrepared keeps no more statements but
// still answers, bound and prepared anew, and still on the read pool: the
// main pool's one connection is held by a transaction meanwhile.
func TestQueryPreparedKeepsABoundedNumberOfTexts(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db.SetMaxOpenConns(1)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback() }()
		for n := range database.MaxPrepared + 2 {
			rows, err := database.QueryPrepared(ctx, db, fmt.Sprintf("SELECT ? + %d", n), 1)
			if err != nil {
				t.Fatal(err)
			}
			var got int
			for rows.Next() {
				if err := rows.Scan(&got); err != nil {
					t.Fatal(err)
				}
			}
			rows.Close()
			if got != n+1 {
				t.Fatalf("text %d answered %d, want %d", n, got, n+1)
			}
		}
		if kept := database.KeptStatements(db); kept != database.MaxPrepared {
			t.Errorf("%d texts kept, want %d", kept, database.MaxPrepared)
		}
	})
}
