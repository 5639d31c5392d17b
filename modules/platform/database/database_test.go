package database_test

import (
	"context"
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/migrations"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

func migrationFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := fs.ReadDir(migrations.FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Both dialects must have the same migrations, each with an up and a down.
func TestMigrationParity(t *testing.T) {
	sqlite, pg := migrationFiles(t, "sqlite"), migrationFiles(t, "postgres")
	if strings.Join(sqlite, ",") != strings.Join(pg, ",") {
		t.Fatalf("migration files differ:\nsqlite:   %v\npostgres: %v", sqlite, pg)
	}
	ups := map[string]bool{}
	downs := map[string]bool{}
	for _, n := range sqlite {
		switch {
		case strings.HasSuffix(n, ".up.sql"):
			ups[strings.TrimSuffix(strings.TrimSuffix(n, ".up.sql"), ".tx")] = true
		case strings.HasSuffix(n, ".down.sql"):
			downs[strings.TrimSuffix(strings.TrimSuffix(n, ".down.sql"), ".tx")] = true
		default:
			t.Errorf("%s is neither an up nor a down migration", n)
		}
	}
	for id := range ups {
		if !downs[id] {
			t.Errorf("migration %s has no down step", id)
		}
	}
	if len(ups) != len(downs) {
		t.Errorf("%d up and %d down migrations", len(ups), len(downs))
	}
}

func tables(t *testing.T, db *bun.DB) []string {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'bun_%' ORDER BY name"
	if database.IsPostgres(db) {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE 'bun_%' ORDER BY table_name"
	}
	var names []string
	if err := db.NewRaw(q).Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	return names
}

// Every step goes down cleanly and comes back up, on both databases.
func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	for _, d := range testkit.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := testkit.OpenEmpty(t, d)
			m, err := database.NewMigrator(db)
			if err != nil {
				t.Fatal(err)
			}
			applied, err := m.Up(ctx)
			if err != nil || len(applied) == 0 {
				t.Fatalf("up: %v %v", applied, err)
			}
			full := tables(t, db)
			if pending, err := m.Pending(ctx); err != nil || pending != 0 {
				t.Fatalf("pending after up: %d %v", pending, err)
			}
			for {
				rolled, err := m.Down(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(rolled) == 0 {
					break
				}
			}
			if left := tables(t, db); len(left) != 0 {
				t.Fatalf("tables left after rolling everything back: %v", left)
			}
			if _, err := m.Up(ctx); err != nil {
				t.Fatal(err)
			}
			if again := tables(t, db); strings.Join(again, ",") != strings.Join(full, ",") {
				t.Fatalf("tables after up again %v, want %v", again, full)
			}
		})
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"mysql://x", "sqlite:", "postgres://user:secret@%zz/db"} {
		if _, err := database.Open(ctx, u); err == nil {
			t.Errorf("%q: want an error", u)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error shows the password: %v", u, err)
		}
	}
}

// TestWhereSet: only the filters with a value become conditions, in the
// order given, with the column quoted as an identifier.
func TestWhereSet(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		q := database.WhereSet(db.NewSelect().TableExpr("audit_entries AS e").Column("e.id"),
			database.Eq("e.action", "login"), database.Eq("actor_id", ""), database.Eq("entity_type", "user"))
		got, action, entity := q.String(), `"e"."action" = 'login'`, `"entity_type" = 'user'`
		if !strings.Contains(got, action) || !strings.Contains(got, entity) || strings.Contains(got, "actor_id") ||
			strings.Index(got, action) > strings.Index(got, entity) {
			t.Errorf("query: %s", got)
		}
		var ids []string
		if err := q.Scan(context.Background(), &ids); err != nil {
			t.Fatalf("the query does not run: %v", err)
		}
	})
}
