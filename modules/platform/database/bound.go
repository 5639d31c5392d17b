package database

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// InsertBound writes rows (each a value per column) into table, perStatement
// rows to a statement, with the values bound as parameters instead of
// written into the SQL text as bun writes them. For rows that carry large
// texts (tens of megabytes in all) this spares escaping them into the
// statement and the database lexing them back out of it: PostgreSQL spent
// about a second lexing the 80 MB of a large school's pay source ids as
// literals. Bun's query hooks do not see these statements; ObserveBound's
// observers do.
func InsertBound(ctx context.Context, db bun.IDB, table string, columns []string, rows [][]any, perStatement int) error {
	owner, tx, err := ownerOf(db)
	if err != nil {
		return err
	}
	x := extrasOf(owner)
	for start := 0; start < len(rows); start += perStatement {
		batch := rows[start:min(start+perStatement, len(rows))]
		query, args := boundInsert(IsPostgres(db), table, columns, batch)
		x.observe(ctx, query)
		if tx != nil {
			_, err = tx.ExecContext(ctx, query, args...)
		} else {
			_, err = owner.DB.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// boundInsert is one multi-row INSERT with a placeholder per value: $n on
// PostgreSQL, ? on SQLite.
func boundInsert(postgres bool, table string, columns []string, rows [][]any) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(rows)*len(columns))
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(columns, ", "))
	for i, row := range rows {
		if len(row) != len(columns) {
			panic(fmt.Sprintf("database: a row of %d values for %d columns of %s", len(row), len(columns), table))
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			if postgres {
				fmt.Fprintf(&b, "$%d", len(args))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String(), args
}
