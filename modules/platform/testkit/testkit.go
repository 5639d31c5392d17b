// Package testkit gives each test a fresh, migrated database: a SQLite file
// always, and a PostgreSQL database of its own when TEST_DATABASE_URL is set.
//
// Migrating takes longer than copying: the migrations run once per test
// process into a template (a SQLite file, a PostgreSQL template database)
// named after a hash of the migration files, and each test gets a copy of
// it. A changed migration gives a new hash and so a new template.
package testkit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/migrations"
	"github.com/curatorops/curatorops/modules/platform/database"
)

// EnvPostgres names the variable that points the tests at a PostgreSQL
// server; each test gets its own database there and drops it afterwards.
const EnvPostgres = "TEST_DATABASE_URL"

// Dialects lists the databases tests run on: sqlite, and postgres when
// TEST_DATABASE_URL is set.
func Dialects() []string {
	if os.Getenv(EnvPostgres) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// EachDB runs fn as a subtest named after each dialect, with a fresh
// migrated database.
func EachDB(t *testing.T, fn func(t *testing.T, db *bun.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of the dialect, closed and removed
// when the test ends.
func Open(t testing.TB, dialect string) *bun.DB {
	t.Helper()
	if dialect == "postgres" {
		return openPostgres(t, postgresTemplate(t))
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := copyFile(sqliteTemplate(t), path); err != nil {
		t.Fatal(err)
	}
	return openSQLite(t, path)
}

// OpenEmpty returns a fresh database of the dialect with no tables.
func OpenEmpty(t testing.TB, dialect string) *bun.DB {
	t.Helper()
	if dialect == "postgres" {
		return openPostgres(t, "template1")
	}
	return openSQLite(t, filepath.Join(t.TempDir(), "test.db"))
}

// PostgresURL is the connection URL of a database Open or OpenEmpty made,
// for a test that needs a second connection pool to it (another replica).
func PostgresURL(t testing.TB, db *bun.DB) string {
	t.Helper()
	var name string
	if err := db.NewRaw("SELECT current_database()").Scan(context.Background(), &name); err != nil {
		t.Fatal(err)
	}
	u, err := withDatabase(os.Getenv(EnvPostgres), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func openSQLite(t testing.TB, path string) *bun.DB {
	t.Helper()
	db, err := database.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// openPostgres creates a database copied from template and drops it when
// the test ends.
func openPostgres(t testing.TB, template string) *bun.DB {
	t.Helper()
	ctx := context.Background()
	admin := postgresAdmin(t)
	name := "t_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatal(err)
	}
	db := connect(t, name)
	t.Cleanup(func() {
		_ = db.Close()
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return db
}

func connect(t testing.TB, name string) *bun.DB {
	t.Helper()
	u, err := withDatabase(os.Getenv(EnvPostgres), name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	// Many tests run at once against one server: keep each pool small.
	db.SetMaxOpenConns(8)
	return db
}

var admin struct {
	once sync.Once
	db   *bun.DB
	err  error
}

// postgresAdmin is one pool per test process on TEST_DATABASE_URL itself,
// used to create and drop the tests' databases.
func postgresAdmin(t testing.TB) *bun.DB {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " is not set")
	}
	admin.once.Do(func() {
		admin.db, admin.err = database.Open(context.Background(), base)
		if admin.err == nil {
			admin.db.SetMaxOpenConns(4)
		}
	})
	if admin.err != nil {
		t.Fatal(admin.err)
	}
	return admin.db
}

var templates struct {
	sync.Mutex
	byDialect map[string]string
}

// sqliteTemplate is the path of a migrated SQLite file to copy.
func sqliteTemplate(t testing.TB) string {
	t.Helper()
	return template(t, "sqlite", func(hash string) (string, error) {
		path := filepath.Join(os.TempDir(), "curatorops-test-"+hash+".db")
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		// Built beside its final name and renamed into place, so another
		// test process never copies a half-migrated file.
		tmp := fmt.Sprintf("%s.%s.tmp", path, randomHex(4))
		defer removeSQLite(tmp)
		if err := migrateSQLite(tmp); err != nil {
			return "", err
		}
		return path, os.Rename(tmp, path)
	})
}

func migrateSQLite(path string) error {
	db, err := database.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		return err
	}
	if err := migrateUp(db); err != nil {
		_ = db.Close()
		return err
	}
	// Closing the last connection checkpoints the WAL into the file.
	return db.Close()
}

func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}

// postgresTemplate is the name of a migrated template database.
func postgresTemplate(t testing.TB) string {
	t.Helper()
	adminDB := postgresAdmin(t)
	return template(t, "postgres", func(hash string) (string, error) {
		ctx := context.Background()
		name := "tpl_" + hash
		var exists bool
		if err := adminDB.NewRaw("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(ctx, &exists); err != nil {
			return "", err
		}
		if exists {
			return name, nil
		}
		// As for SQLite: migrated under a name of its own, renamed when done.
		building := name + "_" + randomHex(4)
		if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
			return "", err
		}
		if err := migratePostgres(t, building); err != nil {
			_, _ = adminDB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
			return "", err
		}
		if _, err := adminDB.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
			// Another test process finished the same template first.
			_, _ = adminDB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
		}
		return name, nil
	})
}

func migratePostgres(t testing.TB, name string) error {
	db := connect(t, name)
	if err := migrateUp(db); err != nil {
		_ = db.Close()
		return err
	}
	return db.Close()
}

// template returns the dialect's template, building it on first use in
// this process.
func template(t testing.TB, dialect string, build func(hash string) (string, error)) string {
	t.Helper()
	templates.Lock()
	defer templates.Unlock()
	if name, ok := templates.byDialect[dialect]; ok {
		return name
	}
	hash, err := migrationsHash(dialect)
	if err != nil {
		t.Fatal(err)
	}
	name, err := build(hash)
	if err != nil {
		t.Fatalf("testkit: building the %s template: %v", dialect, err)
	}
	if templates.byDialect == nil {
		templates.byDialect = map[string]string{}
	}
	templates.byDialect[dialect] = name
	return name
}

func migrateUp(db *bun.DB) error {
	m, err := database.NewMigrator(db)
	if err != nil {
		return err
	}
	_, err = m.Up(context.Background())
	return err
}

// migrationsHash names the dialect's migration files and contents.
func migrationsHash(dialect string) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, dialect, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.FS.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func withDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		_ = dst.Close()
		return err
	}
	return dst.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var snapshots struct {
	sync.Mutex
	dir    string
	byName map[string]string // dialect/name → file path or database name
}

// Snapshot returns a fresh copy of a database that fill wrote once per
// test process on top of the migrated schema: for a fixture that takes long
// to build and that many tests start from (the demo school). fill gets a
// database of its own and must not keep a connection to it once it returns.
// A package that takes snapshots removes them in TestMain with
// DropSnapshots.
func Snapshot(t testing.TB, dialect, name string, fill func(db *bun.DB) error) *bun.DB {
	t.Helper()
	source := snapshot(t, dialect, name, fill)
	if dialect == "postgres" {
		return openPostgres(t, source)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := copyFile(source, path); err != nil {
		t.Fatal(err)
	}
	return openSQLite(t, path)
}

func snapshot(t testing.TB, dialect, name string, fill func(db *bun.DB) error) string {
	t.Helper()
	snapshots.Lock()
	defer snapshots.Unlock()
	key := dialect + "/" + name
	if source, ok := snapshots.byName[key]; ok {
		return source
	}
	var (
		source string
		err    error
	)
	if dialect == "postgres" {
		source, err = fillPostgres(t, name, fill)
	} else {
		source, err = fillSQLite(t, name, fill)
	}
	if err != nil {
		t.Fatalf("testkit: building the %s snapshot %q: %v", dialect, name, err)
	}
	if snapshots.byName == nil {
		snapshots.byName = map[string]string{}
	}
	snapshots.byName[key] = source
	return source
}

func fillSQLite(t testing.TB, name string, fill func(db *bun.DB) error) (string, error) {
	if snapshots.dir == "" {
		dir, err := os.MkdirTemp("", "curatorops-snapshots-")
		if err != nil {
			return "", err
		}
		snapshots.dir = dir
	}
	path := filepath.Join(snapshots.dir, name+".db")
	if err := copyFile(sqliteTemplate(t), path); err != nil {
		return "", err
	}
	db, err := database.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		return "", err
	}
	if err := fill(db); err != nil {
		_ = db.Close()
		return "", err
	}
	return path, db.Close()
}

func fillPostgres(t testing.TB, name string, fill func(db *bun.DB) error) (string, error) {
	ctx := context.Background()
	adminDB := postgresAdmin(t)
	source := "snap_" + randomHex(8)
	if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE "+source+" TEMPLATE "+postgresTemplate(t)); err != nil {
		return "", err
	}
	db := connect(t, source)
	err := fill(db)
	_ = db.Close()
	if err != nil {
		return "", err
	}
	return source, nil
}

// DropSnapshots removes the snapshots this process took.
func DropSnapshots() {
	snapshots.Lock()
	defer snapshots.Unlock()
	for key, source := range snapshots.byName {
		if strings.HasPrefix(key, "postgres/") && admin.db != nil {
			_, _ = admin.db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+source+" WITH (FORCE)")
		}
	}
	if snapshots.dir != "" {
		_ = os.RemoveAll(snapshots.dir)
	}
	snapshots.byName, snapshots.dir = nil, ""
}
