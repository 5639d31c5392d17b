package database

import (
	"context"
	"database/sql"
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
// literals. Bun's query hooks do not see these statements.
func InsertBound(ctx context.Context, db bun.IDB, table string, columns []string, rows [][]any, perStatement int) error {
	exec, err := driverExec(db)
	if err != nil {
		return err
	}
	for start := 0; start < len(rows); start += perStatement {
		batch := rows[start:min(start+perStatement, len(rows))]
		query, args := boundInsert(IsPostgres(db), table, columns, batch)
		if _, err := exec.ExecContext(ctx, query, args...); err != nil {
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

// driverExec is what runs a statement with bound parameters on db's own
// connection or transaction, past bun's formatting.
func driverExec(db bun.IDB) (interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, error) {
	switch d := db.(type) {
	case bun.Tx:
		return d.Tx, nil
	case *bun.Tx:
		return d.Tx, nil
	case *bun.DB:
		return d.DB, nil
	case bun.Conn:
		return d.Conn, nil
	}
	return nil, fmt.Errorf("database: cannot bind parameters on a %T", db)
}
