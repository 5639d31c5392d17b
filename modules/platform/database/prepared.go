package database

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// Prepared reads.
//
// Bun writes a query's arguments into its text, so the database parses and
// plans every query afresh: a query naming an id is a new text for each id
// (see queryModeParam). For the reads that almost every page of the
// console repeats, QueryPrepared sends one text with placeholders and the
// arguments bound, and each connection prepares the text the first time
// it runs it and keeps it. On SQLite that spares the parse and the code
// generation of each run, on PostgreSQL the parse and the plan: a page of
// 50 rows took 64–75 µs through bun and 52–54 µs prepared on SQLite,
// 165–174 and 105–134 µs on PostgreSQL (BenchmarkQueryPrepared).

// maxPrepared bounds the texts kept per database. QueryPrepared is for a
// fixed set of texts written in code: one built from values would be kept
// on every connection for as long as the process runs. Past the bound, a
// text runs with its arguments bound but prepared anew each time.
const maxPrepared = 256

// QueryPrepared runs query, written with ? placeholders on both databases,
// with args bound. Outside a transaction it runs on the read pool, like
// any plain bun SELECT, prepared and kept. Inside one it runs on the
// transaction's connection, bound but prepared anew: a kept statement is
// prepared on a connection of the pool, which a transaction holding one
// must never wait for (see extras). Bun's query hooks do not see it;
// ObserveBound's observers do.
func QueryPrepared(ctx context.Context, db bun.IDB, query string, args ...any) (*sql.Rows, error) {
	owner, tx, err := ownerOf(db)
	if err != nil {
		return nil, err
	}
	x := extrasOf(owner)
	x.observe(ctx, query)
	if tx != nil {
		return tx.QueryContext(ctx, dialectText(owner, query), args...)
	}
	stmt, err := x.statement(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case stmt != nil:
		return stmt.QueryContext(ctx, args...)
	case x != nil:
		return x.reads.QueryContext(ctx, dialectText(owner, query), args...)
	default:
		return owner.DB.QueryContext(ctx, dialectText(owner, query), args...)
	}
}

// ObserveBound calls observe with the text of each statement db runs past
// bun's formatting (QueryPrepared, InsertBound), as a bun query hook is
// called for the others: for counting a request's queries. db must be one
// Open made.
func ObserveBound(db *bun.DB, observe func(ctx context.Context, query string)) {
	x := extrasOf(db)
	if x == nil {
		panic("database: ObserveBound on a database Open did not make")
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.observers = append(x.observers, observe)
}

// ownerOf is the database db belongs to and, when db is a transaction,
// the transaction.
func ownerOf(db bun.IDB) (*bun.DB, *sql.Tx, error) {
	switch d := db.(type) {
	case *bun.DB:
		return d, nil, nil
	case bun.Tx:
		return d.NewSelect().DB(), d.Tx, nil
	case *bun.Tx:
		return d.NewSelect().DB(), d.Tx, nil
	}
	return nil, nil, fmt.Errorf("database: cannot bind parameters on a %T", db)
}

// statement is query prepared on the read pool, prepared now if it was
// not yet; database/sql then prepares it on each of the pool's
// connections as it runs there. It is nil for a database Open did not
// make and past maxPrepared.
func (x *extras) statement(ctx context.Context, query string) (*sql.Stmt, error) {
	if x == nil {
		return nil, nil
	}
	x.mu.RLock()
	stmt, kept := x.prepared[query]
	full := len(x.prepared) >= maxPrepared
	x.mu.RUnlock()
	if kept || full {
		return stmt, nil
	}
	// Prepared outside the lock: it is a round trip on PostgreSQL. Two
	// requests may both prepare; the second uses the first's statement,
	// and one that finds the bound reached meanwhile keeps none.
	stmt, err := x.reads.PrepareContext(ctx, dialectText(x.owner, query))
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	first, ok := x.prepared[query]
	switch {
	case ok:
		_ = stmt.Close()
		return first, nil
	case len(x.prepared) >= maxPrepared:
		_ = stmt.Close()
		return nil, nil
	}
	x.prepared[query] = stmt
	return stmt, nil
}

func (x *extras) observe(ctx context.Context, query string) {
	if x == nil {
		return
	}
	x.mu.RLock()
	observers := x.observers
	x.mu.RUnlock()
	for _, observe := range observers {
		observe(ctx, query)
	}
}

// closePrepared closes the kept statements, and with them their prepared
// copies on every connection.
func (x *extras) closePrepared() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for key, stmt := range x.prepared {
		_ = stmt.Close()
		delete(x.prepared, key)
	}
}

// dialectText is query as db's dialect writes it.
func dialectText(db *bun.DB, query string) string {
	if IsPostgres(db) {
		return numberedPlaceholders(query)
	}
	return query
}

// numberedPlaceholders writes PostgreSQL's $1, $2… for the ? placeholders
// of query, leaving string literals as they are.
func numberedPlaceholders(query string) string {
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range query {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
