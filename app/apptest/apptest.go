// Package apptest runs the real server — every module, the real middleware
// and router — on a fresh database, and gives API tests a terse client and
// fixtures.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// Password is the password of every fixture user.
const Password = "fixture-Pa55word!"

// Start is the fixed time every test begins at.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Server is a running application under test.
type Server struct {
	T        testing.TB
	DB       *bun.DB
	Clock    *clock.Fixed
	Services *server.Services
	App      *server.Server
	Dialect  string
	// Contract checks every exchange of Do against the served spec.
	Contract *Contract
}

// Run runs fn once per database dialect (subtests "sqlite" and "postgres"),
// each with a fresh server.
func Run(t *testing.T, fn func(t *testing.T, s *Server)) {
	t.Helper()
	for _, d := range testkit.Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// New builds the server on a fresh database of the dialect.
func New(t testing.TB, dialect string) *Server {
	t.Helper()
	db := testkit.Open(t, dialect)
	countQueries(db)
	return start(t, db, clock.NewFixed(Start), dialect)
}

// Seeded builds the server on a copy of a database that seed filled once
// per test process, with services whose clock stood at at: for fixtures
// that take long to build, such as the demo school. The server's clock
// starts at at too. A package that uses it calls testkit.DropSnapshots
// from its TestMain.
func Seeded(t testing.TB, dialect, name string, at time.Time, seed func(ctx context.Context, svc *server.Services) error) *Server {
	t.Helper()
	db := testkit.Snapshot(t, dialect, name, func(db *bun.DB) error {
		return seed(context.Background(), newServices(db, clock.NewFixed(at)))
	})
	countQueries(db)
	return start(t, db, clock.NewFixed(at), dialect)
}

// newServices are the application's services with cheap password
// hashing, which keeps the suite fast; the cost is stored per hash, so the
// code path is the same as in production.
func newServices(db *bun.DB, c clock.Clock) *server.Services {
	cfg := identity.DefaultConfig()
	cfg.PasswordParams = identity.PasswordParams{Memory: 64, Time: 1, Threads: 1}
	return server.NewServices(db, c, cfg)
}

// start builds the services and the server on db and, as serve does,
// keeps the credential cache in step with other replicas until the test
// ends.
func start(t testing.TB, db *bun.DB, c *clock.Fixed, dialect string) *Server {
	t.Helper()
	svc := newServices(db, c)
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	app, err := server.New(server.Config{BodyLimit: "1M"}, db, svc, logger)
	if err != nil {
		t.Fatal(err)
	}
	stop, err := svc.Identity.FollowCredentialChanges(context.Background(), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	contract, err := ContractFor(app.API)
	if err != nil {
		t.Fatal(err)
	}
	return &Server{T: t, DB: db, Clock: c, Services: svc, App: app, Dialect: dialect, Contract: contract}
}

// Replica starts another server on the same PostgreSQL database, with a
// connection pool, services and caches of its own and the same clock: a
// second replica of the deployment. SQLite belongs to one process, so the
// test is skipped there.
func (s *Server) Replica() *Server {
	s.T.Helper()
	if s.Dialect != "postgres" {
		s.T.Skip("replicas share a PostgreSQL database; SQLite belongs to one process")
	}
	db, err := database.Open(context.Background(), testkit.PostgresURL(s.T, s.DB))
	if err != nil {
		s.T.Fatal(err)
	}
	db.SetMaxOpenConns(8)
	countQueries(db)
	s.T.Cleanup(func() { _ = db.Close() })
	return start(s.T, db, s.Clock, s.Dialect)
}

// WithT returns a copy of the server that reports failures to t, for use
// inside a subtest of the test that built it.
func (s *Server) WithT(t testing.TB) *Server {
	c := *s
	c.T = t
	return &c
}

// Response is a recorded HTTP response.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
	// Queries are the SQL statements the request ran, in order.
	Queries []string
	t       testing.TB
}

// Decode unmarshals the body into v, failing the test when it is not JSON.
func (r *Response) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("response body is not JSON (%v): %s", err, r.Body)
	}
}

// Map returns the body as a JSON object.
func (r *Response) Map() map[string]any {
	r.t.Helper()
	m := map[string]any{}
	r.Decode(&m)
	return m
}

// Expect fails the test unless the status is code.
func (r *Response) Expect(code int) *Response {
	r.t.Helper()
	if r.Code != code {
		r.t.Fatalf("status %d, want %d; body: %s", r.Code, code, r.Body)
	}
	return r
}

// ExpectProblem fails the test unless the response is a problem+json with
// the status and, for each location given, an error naming it.
func (r *Response) ExpectProblem(code int, locations ...string) *Response {
	r.t.Helper()
	r.Expect(code)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		r.t.Fatalf("content type %q, want application/problem+json; body: %s", ct, r.Body)
	}
	var p struct {
		Status int `json:"status"`
		Errors []struct {
			Location string `json:"location"`
		} `json:"errors"`
	}
	r.Decode(&p)
	if p.Status != code {
		r.t.Fatalf("problem status %d, want %d", p.Status, code)
	}
	for _, loc := range locations {
		found := false
		for _, e := range p.Errors {
			found = found || e.Location == loc
		}
		if !found {
			r.t.Fatalf("problem does not name %q: %s", loc, r.Body)
		}
	}
	return r
}

// Option changes a request.
type Option func(*http.Request)

// Bearer authenticates with a session token.
func Bearer(token string) Option {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// APIKey authenticates with an integration key.
func APIKey(key string) Option {
	return func(r *http.Request) { r.Header.Set("X-API-Key", key) }
}

// Header sets a request header.
func Header(name, value string) Option {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

// Do sends a request through the real handler. body may be nil, a string
// (sent as is) or any value (sent as JSON).
func (s *Server) Do(method, path string, body any, opts ...Option) *Response {
	s.T.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.T.Fatal(err)
		}
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	if reader != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	sent := req.Header.Clone()
	ctx, queries := CountQueries(req.Context())
	rec := httptest.NewRecorder()
	s.App.Handler().ServeHTTP(rec, req.WithContext(ctx))
	if s.Contract != nil {
		// Errorf, not Fatalf: tests call Do from goroutines too.
		if msg := s.Contract.Check(Exchange{Method: method, Target: path, RequestHead: sent, RequestBody: raw,
			Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}); msg != "" {
			s.T.Errorf("%s", msg)
		}
	}
	return &Response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes(), Queries: queries.List(), t: s.T}
}

// QueryLog records the queries run with a context from CountQueries.
type QueryLog struct {
	mu      sync.Mutex
	queries []string
}

// List returns the SQL of the queries recorded so far, in order.
func (l *QueryLog) List() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string{}, l.queries...)
}

type queryLogKey struct{}

// CountQueries returns a context whose queries on the test database (and
// those of anything derived from it, such as the request a handler serves)
// are recorded in the log.
func CountQueries(ctx context.Context) (context.Context, *QueryLog) {
	l := &QueryLog{}
	return context.WithValue(ctx, queryLogKey{}, l), l
}

// countQueries attributes each query on db to the log of its context, if
// any: those bun formats, through a query hook, and those it runs with
// bound parameters.
func countQueries(db *bun.DB) {
	db.AddQueryHook(queryCounter{})
	database.ObserveBound(db, logQuery)
}

// queryCounter is the bun hook of countQueries.
type queryCounter struct{}

func (queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (queryCounter) AfterQuery(ctx context.Context, e *bun.QueryEvent) { logQuery(ctx, e.Query) }

func logQuery(ctx context.Context, query string) {
	if l, ok := ctx.Value(queryLogKey{}).(*QueryLog); ok {
		l.mu.Lock()
		l.queries = append(l.queries, query)
		l.mu.Unlock()
	}
}

// Ctx is a context acting as the test itself, for calling services directly.
func (s *Server) Ctx() context.Context { return reqctx.System(context.Background(), "test") }

// Actor is a fixture user signed in to the server.
type Actor struct {
	UserID string
	Email  string
	Token  string
}

// Auth authenticates a request as the actor.
func (a Actor) Auth() Option { return Bearer(a.Token) }

// School is a fixture school with one signed-in person per role.
type School struct {
	Org    *identity.Org
	Slug   string
	People map[string]Actor // by role
}

// Path returns the school's path prefix joined with rest.
func (sc *School) Path(rest string) string { return "/v1/orgs/" + sc.Slug + rest }

// NewSchool creates a school with one member per role, each signed in.
func (s *Server) NewSchool(slug string) *School {
	s.T.Helper()
	org, _, err := s.Services.Identity.EnsureOrg(s.Ctx(), identity.NewOrg{Slug: slug, Name: "School " + slug, TimeZone: "Europe/Moscow", Currency: "RUB"})
	if err != nil {
		s.T.Fatal(err)
	}
	sc := &School{Org: org, Slug: slug, People: map[string]Actor{}}
	for _, role := range []string{"admin", "head_of_service", "senior_curator", "curator", "hr", "finance", "integration"} {
		sc.People[role] = s.NewMember(org.ID, role+"@"+slug+".test", role)
	}
	return sc
}

// NewMember adds a person with roles to a school and signs them in.
func (s *Server) NewMember(orgID, email string, roles ...string) Actor {
	s.T.Helper()
	u, _, err := s.Services.Identity.EnsureUser(s.Ctx(), identity.UserSpec{Email: email, Name: "Person " + email, Password: Password})
	if err != nil {
		s.T.Fatal(err)
	}
	if err := s.Services.Identity.EnsureMember(s.Ctx(), orgID, u.ID, roles); err != nil {
		s.T.Fatal(err)
	}
	return Actor{UserID: u.ID, Email: email, Token: s.Login(email, Password)}
}

// NewPlatformAdmin creates a platform administrator and signs them in.
func (s *Server) NewPlatformAdmin(email string) Actor {
	s.T.Helper()
	u, _, err := s.Services.Identity.EnsureUser(s.Ctx(), identity.UserSpec{Email: email, Name: "Platform admin", Password: Password, PlatformAdmin: true})
	if err != nil {
		s.T.Fatal(err)
	}
	return Actor{UserID: u.ID, Email: email, Token: s.Login(email, Password)}
}

// Login signs in through the API and returns the token.
func (s *Server) Login(email, password string) string {
	s.T.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": password}).Expect(http.StatusOK).Decode(&out)
	return out.Token
}

// Count returns the number of rows of table matching where (optional).
func (s *Server) Count(table, where string, args ...any) int {
	s.T.Helper()
	q := s.DB.NewSelect().TableExpr(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		s.T.Fatal(err)
	}
	return int(n)
}
