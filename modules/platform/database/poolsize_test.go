package database_test

import (
	"context"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// PostgreSQL's read pool has pgxpool's default size, 4 or the number of
// processors, whichever is greater, unless the URL sets
// read_pool_max_conns; the other pool keeps 20, and the setting is not
// passed on to PostgreSQL (which would refuse an unknown one).
func TestPostgresReadPoolSize(t *testing.T) {
	ctx := context.Background()
	base := testkit.PostgresURL(t, openPostgres(t))
	for _, c := range []struct {
		set  string
		want int
	}{
		{"", max(4, runtime.NumCPU())},
		{"7", 7},
		{"1", 1},
	} {
		db, err := database.Open(ctx, withParam(t, base, "read_pool_max_conns", c.set))
		if err != nil {
			t.Fatalf("read pool %q: %v", c.set, err)
		}
		t.Cleanup(func() { _ = db.Close() })
		pools := database.Pools(db)
		if got := pools[1].Stats().MaxOpenConnections; got != c.want {
			t.Errorf("read pool %q: %d connections at most, want %d", c.set, got, c.want)
		}
		if got := pools[0].Stats().MaxOpenConnections; got != 20 {
			t.Errorf("read pool %q: the other pool has %d connections at most, want 20", c.set, got)
		}
		var n int
		if err := db.NewSelect().ColumnExpr("1").Scan(ctx, &n); err != nil || n != 1 {
			t.Errorf("read pool %q: a read answered %d, %v", c.set, n, err)
		}
	}
}

// A size that is not a whole number of connections is refused by name.
func TestPostgresReadPoolSizeRefused(t *testing.T) {
	for _, bad := range []string{"0", "-3", "many", "2.5", ""} {
		u := "postgres://user:secret@127.0.0.1:1/db?" + url.Values{"read_pool_max_conns": {bad}}.Encode()
		_, err := database.Open(context.Background(), u)
		if err == nil || !strings.Contains(err.Error(), "read_pool_max_conns") || strings.Contains(err.Error(), "secret") {
			t.Errorf("read_pool_max_conns=%q: %v, want an error naming the setting, without the password", bad, err)
		}
	}
}
