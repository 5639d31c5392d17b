package database_test

import (
	"context"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// TestInsertBoundWritesValuesAsTheyAre: texts a literal would have to
// escape arrive unchanged, over several statements, in a transaction.
func TestInsertBoundWritesValuesAsTheyAre(t *testing.T) {
	for _, d := range testkit.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := testkit.OpenEmpty(t, d)
			if _, err := db.ExecContext(ctx, "CREATE TABLE bound_rows (n integer NOT NULL, body text NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			bodies := []string{"it's", `back\slash "quoted"`, "line\nbreak ?", "$1 " + strings.Repeat("id ", 10_000)}
			rows := make([][]any, len(bodies))
			for i, b := range bodies {
				rows[i] = []any{i, b}
			}
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := database.InsertBound(ctx, tx, "bound_rows", []string{"n", "body"}, rows, 3); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			var got []string
			if err := db.NewSelect().Table("bound_rows").Column("body").Order("n").Scan(ctx, &got); err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(bodies, "|") {
				t.Errorf("read back %q, want %q", got, bodies)
			}
		})
	}
}
