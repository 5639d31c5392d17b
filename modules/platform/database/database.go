// Package database opens SQLite or PostgreSQL from a URL, applies the
// embedded migrations, runs transactions and maps driver errors.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/schema"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// sqlitePragmas are applied to every SQLite connection of the write pool:
// wait for locks instead of failing, enforce foreign keys, and let readers
// run beside the writer. Transactions begin IMMEDIATE so that two writers
// queue up instead of deadlocking when both upgrade a read lock.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// sqliteReadPragmas are those of the read pool: its connections refuse to
// write (query_only), so a statement routed there by mistake fails loudly
// instead of bypassing the writer queue, and their transactions begin
// DEFERRED, taking no write lock. WAL mode is a property of the file, set
// by the write pool's first connection.
const sqliteReadPragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=query_only(1)&_txlock=deferred"

// Pool sizes. Each database has two pools: reads (plain SELECTs outside
// a transaction) and everything else. PostgreSQL's read pool is sized by
// postgresReadPoolSize.
const (
	postgresPool    = 20
	sqliteWritePool = 16
	sqliteReadPool  = 16
)

// Open connects to the database named by rawURL: "sqlite:path/to/file.db"
// (the parent folder is created) or "postgres://…". It pings the database
// before returning.
func Open(ctx context.Context, rawURL string) (*bun.DB, error) {
	var (
		db  *bun.DB
		err error
	)
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		db, err = openSQLite(strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//"))
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err = openPostgres(rawURL)
	default:
		return nil, fmt.Errorf("database URL must start with sqlite: or postgres:// (got %q)", redact(rawURL))
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("database %s is not reachable: %w", redact(rawURL), err)
	}
	return db, nil
}

func openSQLite(path string) (*bun.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite URL has no file path (use sqlite:data/curatorops.db)")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("cannot create database folder %s: %w", dir, err)
		}
	}
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+sqlitePragmas)
	if err != nil {
		return nil, err
	}
	setPool(sqldb, sqliteWritePool)
	// The first connection switches the file to WAL before any reader opens.
	if err := sqldb.Ping(); err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	reads, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+sqliteReadPragmas)
	if err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	setPool(reads, sqliteReadPool)
	return withReadPool(sqldb, sqlitedialect.New(), reads), nil
}

// extras is what Open adds to a bun database: a pool of its own for plain
// reads, and the statements QueryPrepared keeps.
//
// The read pool takes every SELECT built outside a transaction, so that
// reads never wait for a connection held by a transaction. Queries inside
// a transaction stay on the transaction's connection (bun does not ask the
// resolver for them), and statements that are not a bun SELECT — raw SQL,
// inserts, updates — use the main pool. Closing the database closes the
// read pool with it.
//
// On SQLite the read connections are read-only: in WAL mode a reader sees
// the last commit and does not wait for the write lock, but the write
// pool's connections may all be busy waiting for it. On PostgreSQL a
// transaction may read through another module's service, which queries
// the pool rather than the transaction: with one pool, as many such
// transactions as connections would each hold one and wait for a second,
// and none would finish.
type extras struct {
	reads *sql.DB
	owner *bun.DB

	mu        sync.RWMutex
	prepared  map[string]*sql.Stmt // by query, on the read pool
	observers []func(ctx context.Context, query string)
}

// ResolveConn makes extras bun's connection resolver.
func (x *extras) ResolveConn(_ context.Context, q bun.Query) bun.IConn {
	if _, isSelect := q.(*bun.SelectQuery); isSelect {
		return x.reads
	}
	return nil
}

func (x *extras) Close() error {
	openExtras.Delete(x.owner)
	x.closePrepared()
	return x.reads.Close()
}

// openExtras holds the extras of each open database.
var openExtras sync.Map // *bun.DB → *extras

// withReadPool is the database of main and reads.
func withReadPool(main *sql.DB, d schema.Dialect, reads *sql.DB) *bun.DB {
	x := &extras{reads: reads, prepared: map[string]*sql.Stmt{}}
	db := bun.NewDB(main, d, bun.WithConnResolver(x))
	x.owner = db
	openExtras.Store(db, x)
	return db
}

// extrasOf is what Open added to db; nil for a database it did not make.
func extrasOf(db *bun.DB) *extras {
	if x, ok := openExtras.Load(db); ok {
		return x.(*extras)
	}
	return nil
}

// Pools are db's connection pools, for their statistics: the main one
// and, for a database Open made, the one plain reads use.
func Pools(db *bun.DB) []*sql.DB {
	pools := []*sql.DB{db.DB}
	if x := extrasOf(db); x != nil {
		pools = append(pools, x.reads)
	}
	return pools
}

func openPostgres(rawURL string) (*bun.DB, error) {
	rawURL, readPool, err := takeReadPoolSize(rawURL)
	if err != nil {
		return nil, err
	}
	// pgx reports a malformed DSN as an error here, where sql.Open would
	// only fail on first use.
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid PostgreSQL URL: %w", err)
	}
	if !strings.Contains(rawURL, queryModeParam) {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	sqldb, reads := stdlib.OpenDB(*cfg), stdlib.OpenDB(*cfg)
	setPool(sqldb, postgresPool)
	setPool(reads, readPool)
	return withReadPool(sqldb, pgdialect.New(), reads), nil
}

// readPoolParam names, in a PostgreSQL URL, the number of connections of
// the pool plain reads use; the project reads it and removes it, since
// PostgreSQL would refuse it as a setting.
const readPoolParam = "read_pool_max_conns"

// postgresReadPoolSize is that pool's size when the URL does not set it:
// pgxpool's default, 4 or the number of processors, whichever is greater.
// A read holds its connection only while the database works on it, so
// connections beyond what the database's processors can run make more
// backends compete for them without answering sooner, and a burst of
// reads then delays every one of them. Where PostgreSQL shared two
// processors with the servers, the student list at half its maximum rate
// had a p99 of 17.8–46.7 ms with 20 and 5.7–10.6 ms with 4, in four
// alternated pairs (docs/benchmarks.md). The other pool keeps 20: a
// transaction holds its connection while the project works between
// statements.
func postgresReadPoolSize() int { return max(4, runtime.NumCPU()) }

// takeReadPoolSize returns rawURL without readPoolParam and the read
// pool's size it sets, or postgresReadPoolSize when it sets none.
func takeReadPoolSize(rawURL string) (string, int, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// pgx names what is wrong without repeating the password.
		return rawURL, postgresReadPoolSize(), nil
	}
	q := u.Query()
	if !q.Has(readPoolParam) {
		return rawURL, postgresReadPoolSize(), nil
	}
	size, err := strconv.Atoi(q.Get(readPoolParam))
	if err != nil || size < 1 {
		return "", 0, fmt.Errorf("invalid PostgreSQL URL: %s must be a whole number of connections, 1 or more (got %q)", readPoolParam, q.Get(readPoolParam))
	}
	q.Del(readPoolParam)
	u.RawQuery = q.Encode()
	return u.String(), size, nil
}

// queryModeParam names pgx's query mode in a PostgreSQL URL. Unless the
// URL sets it, every query is sent in one round trip as an unnamed
// statement (exec mode), not prepared and kept per connection (pgx's
// default): bun writes the arguments into the SQL, so a query naming an
// id is a new text for each id, and pgx would prepare each one in a round
// trip of its own and keep up to 512 of them on every backend. Measured
// by BenchmarkPostgresQueryModes: a new text costs 180–200 µs prepared
// and kept, 82–90 µs in exec mode; the same text again 56–71 µs and
// 83–88 µs.
const queryModeParam = "default_query_exec_mode"

// setPool bounds the connection pool and keeps every connection it may
// open for reuse. database/sql keeps only two idle connections by default,
// so under load the others are closed and opened again all the time; a new
// SQLite connection parses the whole schema before its first query.
func setPool(db *sql.DB, size int) {
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxIdleTime(5 * time.Minute)
}

// IsPostgres reports whether db talks to PostgreSQL.
func IsPostgres(db bun.IDB) bool { return db.Dialect().Name() == dialect.PG }

// InTx runs fn in one transaction and commits it when fn returns nil. On
// SQLite, transactions of this process queue for the database's single
// writer slot in Go: writers that meet a held lock inside SQLite wait in
// its busy handler, which sleeps for milliseconds, far longer than a
// transaction holds the lock, and under contention can run out of time.
func InTx(ctx context.Context, db bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	if d, ok := db.(*bun.DB); ok && !IsPostgres(d) {
		release, err := takeWriterSlot(ctx, d)
		if err != nil {
			return err
		}
		defer release()
	}
	return db.RunInTx(ctx, nil, fn)
}

// writerSlots holds one slot per SQLite database of the process.
var writerSlots sync.Map // *bun.DB → chan struct{}

// writerWait bounds the wait for the slot, so that a transaction opened
// inside another one on the same database fails instead of hanging.
const writerWait = 30 * time.Second

func writerSlot(db *bun.DB) chan struct{} {
	v, _ := writerSlots.LoadOrStore(db, make(chan struct{}, 1))
	return v.(chan struct{})
}

func takeWriterSlot(ctx context.Context, db *bun.DB) (func(), error) {
	slot := writerSlot(db)
	timer := time.NewTimer(writerWait)
	defer timer.Stop()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, errors.New("database: no write slot within 30 s; is a transaction open inside another?")
	}
}

// WriteUnlessBusy runs write, a statement that may be skipped (bookkeeping
// such as when a session was last used), unless a transaction of this
// process holds SQLite's writer slot; it reports whether write ran. A
// request that only reads must not wait behind a long write for the sake
// of its bookkeeping. On PostgreSQL, where writers of different rows do
// not wait for each other, write always runs.
func WriteUnlessBusy(ctx context.Context, db *bun.DB, write func(ctx context.Context, db bun.IDB) error) (bool, error) {
	if IsPostgres(db) {
		return true, write(ctx, db)
	}
	slot := writerSlot(db)
	select {
	case slot <- struct{}{}:
		defer func() { <-slot }()
		return true, write(ctx, db)
	default:
		return false, nil
	}
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either database.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		// SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
		return coded.Code() == 2067 || coded.Code() == 1555
	}
	return false
}

// redact hides the password of a database URL for messages and logs.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Redact hides the password of a database URL.
func Redact(rawURL string) string { return redact(rawURL) }

// JoinedIDs is the SQL aggregate joining the ids in column of a group's
// rows with single spaces, in no particular order: string_agg on
// PostgreSQL (where ids are uuids), group_concat on SQLite.
func JoinedIDs(db bun.IDB, column string) string {
	if IsPostgres(db) {
		return "string_agg(" + column + "::text, ' ')"
	}
	return "group_concat(" + column + ", ' ')"
}

// ForUpdate locks the selected rows until the transaction ends on
// PostgreSQL. SQLite needs no row lock: its transactions begin IMMEDIATE and
// so already hold the database's single write lock.
func ForUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if IsPostgres(q.DB()) {
		return q.For("UPDATE")
	}
	return q
}

// ScanOne runs a single-row select and turns "no rows" into a not-found
// error naming what, so that every module reports a missing row alike.
func ScanOne(ctx context.Context, q *bun.SelectQuery, what string) error {
	err := q.Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFound(what)
	}
	return err
}

// AffectedOne reports whether an update or delete touched exactly one row:
// a versioned update that touched none lost a race.
func AffectedOne(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Filter is an optional equality condition of a listing: Column = Value,
// applied only when Value is set.
type Filter struct {
	Column string
	Value  string
}

// Eq is the filter Column = Value.
func Eq(column, value string) Filter { return Filter{Column: column, Value: value} }

// WhereSet adds "column = value" to q for every filter whose value is set,
// in the order given, so that the same filters always give the same SQL.
func WhereSet(q *bun.SelectQuery, filters ...Filter) *bun.SelectQuery {
	for _, f := range filters {
		if f.Value != "" {
			q = q.Where("? = ?", bun.Ident(f.Column), f.Value)
		}
	}
	return q
}

// PageByID orders a listing by id and keeps the rows after afterID (the last
// id of the previous page, or "" for the first), limit of them and one more,
// so that httpapi.NewPage can tell whether another page follows.
func PageByID(q *bun.SelectQuery, afterID string, limit int) *bun.SelectQuery {
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	return q.OrderExpr("id ASC").Limit(int64(limit + 1))
}
