package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humaecho"
	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/school"
)

// benchPassword signs in the fixture's head of service.
const benchPassword = "bench-Pa55phrase-not-for-production"

// fixture is the project on a fresh database: one school with students,
// its head of service signed in and also working for two more schools, so
// that /v1/me lists three memberships.
type fixture struct {
	db      *bun.DB
	queries *queryCounter
	app     http.Handler
	token   string
	slug    string
	closers []func()
}

func (f *fixture) close() {
	for i := len(f.closers) - 1; i >= 0; i-- {
		f.closers[i]()
	}
}

// queryCounter counts every query the database runs, to report queries
// per request, and the writes among them (anything but a SELECT): a write
// on the read path would show in the tail.
type queryCounter struct{ n, writes atomic.Int64 }

func (c *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (c *queryCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) { c.count(e.Operation()) }

// countBound counts a statement bun ran with bound parameters
// (database.ObserveBound).
func (c *queryCounter) countBound(_ context.Context, query string) {
	verb, _, _ := strings.Cut(query, " ")
	c.count(verb)
}

func (c *queryCounter) count(operation string) {
	c.n.Add(1)
	if !strings.EqualFold(operation, "SELECT") {
		c.writes.Add(1)
	}
}

func newFixture(ctx context.Context, dialect, pgURL string, students int) (*fixture, error) {
	f := &fixture{queries: &queryCounter{}, slug: "bench"}
	db, closeDB, err := openDB(ctx, dialect, pgURL)
	if err != nil {
		return nil, err
	}
	f.db = db
	f.closers = append(f.closers, closeDB)
	if err := f.build(ctx, students); err != nil {
		f.close()
		return nil, err
	}
	db.AddQueryHook(f.queries)
	database.ObserveBound(db, f.queries.countBound)
	return f, nil
}

func (f *fixture) build(ctx context.Context, students int) error {
	m, err := database.NewMigrator(f.db)
	if err != nil {
		return err
	}
	if _, err := m.Up(ctx); err != nil {
		return err
	}
	// The access log is formatted as in production and then thrown away.
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	svc := server.NewServices(f.db, clock.System{}, identity.DefaultConfig())
	stop, err := startServices(ctx, svc, logger)
	if err != nil {
		return err
	}
	f.closers = append(f.closers, stop)
	app, err := server.New(server.Config{BodyLimit: "1M"}, f.db, svc, logger)
	if err != nil {
		return err
	}
	f.app = app.Handler()
	if err := seed(reqctx.System(ctx, "bench"), svc, f.slug, students); err != nil {
		return err
	}
	f.token, err = login(f.app, "head@bench.test")
	return err
}

func seed(ctx context.Context, svc *server.Services, slug string, students int) error {
	u, _, err := svc.Identity.EnsureUser(ctx, identity.UserSpec{Email: "head@bench.test", Name: "Head of service", Password: benchPassword})
	if err != nil {
		return err
	}
	var main *identity.Org
	for i, s := range []string{slug, slug + "-2", slug + "-3"} {
		org, _, err := svc.Identity.EnsureOrg(ctx, identity.NewOrg{Slug: s, Name: "School " + s, TimeZone: "Europe/Moscow", Currency: "RUB"})
		if err != nil {
			return err
		}
		if err := svc.Identity.EnsureMember(ctx, org.ID, u.ID, []string{"head_of_service", "senior_curator"}); err != nil {
			return err
		}
		if i == 0 {
			main = org
		}
	}
	for i := 0; i < students; i++ {
		email := fmt.Sprintf("student%04d@bench.test", i)
		telegram := fmt.Sprintf("@student_%04d", i)
		if _, err := svc.School.CreateStudent(ctx, main.ID, school.StudentInput{
			FullName: fmt.Sprintf("Student Number %04d", i), Email: &email, Telegram: &telegram}); err != nil {
			return err
		}
	}
	return nil
}

// login signs in through the API, as a client would.
func login(app http.Handler, email string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": benchPassword})
	req, _ := http.NewRequest(http.MethodPost, "/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := newRecorder()
	app.ServeHTTP(rec, req)
	var out struct {
		Token string `json:"token"`
	}
	if rec.code != http.StatusOK || json.Unmarshal(rec.body.Bytes(), &out) != nil || out.Token == "" {
		return "", fmt.Errorf("login: status %d: %s", rec.code, rec.body.String())
	}
	return out.Token, nil
}

// openDB opens a fresh database: a SQLite file in a temporary folder, or a
// schema of its own on the PostgreSQL server, dropped afterwards.
func openDB(ctx context.Context, dialect, pgURL string) (*bun.DB, func(), error) {
	if dialect == "sqlite" {
		dir, err := os.MkdirTemp("", "curatorops-bench-")
		if err != nil {
			return nil, nil, err
		}
		db, err := database.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"))
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, nil, err
		}
		return db, func() { _ = db.Close(); _ = os.RemoveAll(dir) }, nil
	}
	admin, err := database.Open(ctx, pgURL)
	if err != nil {
		return nil, nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		return nil, nil, err
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := database.Open(ctx, u.String())
	if err != nil {
		return nil, nil, err
	}
	return db, func() {
		_ = db.Close()
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = admin.Close()
	}, nil
}

// meBody and the students page are the shapes the bare server answers,
// built from the project's own DTO types, so that both encode the same
// values with the same encoder.
type meBody struct {
	User        identity.UserDTO      `json:"user"`
	Memberships []identity.MeOrgEntry `json:"memberships"`
}

type studentsPage = httpapi.Page[school.StudentDTO]

// bareHandler is echo + huma with nothing else: no middleware, no
// authentication, no database; each operation answers a body decoded from
// the project's answer.
func bareHandler(me meBody, students studentsPage) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	cfg := huma.DefaultConfig("bare", "1.0.0")
	cfg.CreateHooks = nil
	cfg.DocsPath = ""
	api := humaecho.New(e, cfg)
	huma.Register(api, huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: "/v1/me"},
		func(context.Context, *struct{}) (*struct{ Body meBody }, error) {
			return &struct{ Body meBody }{Body: me}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-students", Method: http.MethodGet, Path: "/v1/orgs/{org}/students"},
		func(context.Context, *struct {
			Org   string `path:"org"`
			Limit int    `query:"limit"`
		}) (*struct{ Body studentsPage }, error) {
			return &struct{ Body studentsPage }{Body: students}, nil
		})
	return e
}

// serve listens on a loopback port until the returned stop is called.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// recorder is a minimal http.ResponseWriter for calls that bypass the
// network (sign-in and capturing bodies).
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}, code: http.StatusOK} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// capture returns the project's answer to a GET.
func capture(app http.Handler, path string, header http.Header) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.Header = header.Clone()
	rec := newRecorder()
	app.ServeHTTP(rec, req)
	if rec.code != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d: %s", path, rec.code, rec.body.String())
	}
	return rec.body.Bytes(), nil
}
