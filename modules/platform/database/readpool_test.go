package database_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// holdWriter opens a transaction that has written a row and keeps it open
// until release is called, holding SQLite's write lock (and, on SQLite,
// the process's writer slot) meanwhile.
func holdWriter(t *testing.T, db *bun.DB) (release func()) {
	t.Helper()
	written, done := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := database.InTx(context.Background(), db, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO notes (id) VALUES (1)"); err != nil {
				return err
			}
			close(written)
			<-done
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}()
	<-written
	return func() { close(done); wg.Wait() }
}

func countNotes(ctx context.Context, db *bun.DB) (int, error) {
	n, err := db.NewSelect().TableExpr("notes").Count(ctx)
	return int(n), err
}

// TestSQLiteReadsDoNotWaitForTheWriter: while a long transaction holds the
// write lock and every connection of the write pool, plain reads still
// answer at once, from the last commit, and see the write once it commits.
func TestSQLiteReadsDoNotWaitForTheWriter(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "reads.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	// One write connection, held by the writer below: before reads had a
	// pool of their own, the reads here waited for it.
	db.SetMaxOpenConns(1)
	release := holdWriter(t, db)

	readCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := countNotes(readCtx, db)
			if err != nil || n != 0 {
				t.Errorf("read during the write: %d rows, %v; want 0 rows at once", n, err)
			}
		}()
	}
	wg.Wait()
	release()
	if n, err := countNotes(ctx, db); err != nil || n != 1 {
		t.Fatalf("read after the commit: %d rows, %v; want 1", n, err)
	}
}

// TestWriteUnlessBusy: bookkeeping writes are skipped, not queued, while
// SQLite's writer is busy, and run otherwise; on PostgreSQL they always run.
func TestWriteUnlessBusy(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		note := func(id int) func(context.Context, bun.IDB) error {
			return func(ctx context.Context, db bun.IDB) error {
				_, err := db.NewRaw("INSERT INTO notes (id) VALUES (?)", id).Exec(ctx)
				return err
			}
		}
		release := holdWriter(t, db)
		ran, err := database.WriteUnlessBusy(ctx, db, note(2))
		release()
		if err != nil || ran != database.IsPostgres(db) {
			t.Fatalf("during a write: ran %v, %v; want ran only on PostgreSQL", ran, err)
		}
		if ran, err := database.WriteUnlessBusy(ctx, db, note(3)); err != nil || !ran {
			t.Fatalf("with the writer idle: ran %v, %v; want ran", ran, err)
		}
		want := 2
		if database.IsPostgres(db) {
			want = 3
		}
		if n, err := countNotes(ctx, db); err != nil || n != want {
			t.Fatalf("%d rows, %v; want %d", n, err, want)
		}
	})
}

// TestPostgresReadsInsideATransactionDoNotWaitForItsPool: a transaction
// that reads through the pool (as a lookup in another module's service
// does) gets an answer while it holds every connection of the main pool;
// with one pool it would wait for itself.
func TestPostgresReadsInsideATransactionDoNotWaitForItsPool(t *testing.T) {
	db := openPostgres(t)
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := database.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var one int
		if err := db.NewSelect().ColumnExpr("1").Scan(ctx, &one); err != nil {
			return err
		}
		if one != 1 {
			t.Errorf("read %d, want 1", one)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read inside the transaction: %v", err)
	}
}

// Pools lists the main pool and the read pool, which is the one a plain
// read used; a closed database keeps only its main pool in the list.
func TestPoolsListTheReadPool(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "pools.db"))
	if err != nil {
		t.Fatal(err)
	}
	pools := database.Pools(db)
	if len(pools) != 2 || pools[0] != db.DB {
		t.Fatalf("pools %v, want the main pool and the read pool", pools)
	}
	before := pools[1].Stats().OpenConnections
	var one int
	if err := db.NewSelect().ColumnExpr("1").Scan(ctx, &one); err != nil {
		t.Fatal(err)
	}
	if after := pools[1].Stats().OpenConnections; after != before+1 {
		t.Errorf("the read pool has %d connections after a read, had %d", after, before)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(database.Pools(db)); n != 1 {
		t.Errorf("a closed database lists %d pools, want its main one only", n)
	}
}
