// Package server wires the HTTP stack: echo with its middleware, huma with
// the security middleware, and every module's operations.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humaecho"
	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/console"
	"github.com/curatorops/curatorops/modules/audit"
	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/hiring"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/integration"
	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/onboarding"
	"github.com/curatorops/curatorops/modules/pay"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/quality"
	"github.com/curatorops/curatorops/modules/refunds"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/scorecard"
	"github.com/curatorops/curatorops/modules/sla"
	"github.com/curatorops/curatorops/modules/surveys"
	"github.com/curatorops/curatorops/policies"
)

// Version is the API version written into the spec.
const Version = "0.1.0"

// Config holds the HTTP settings of a server.
type Config struct {
	BodyLimit    string   // echo size, e.g. "1M"
	CORSOrigins  []string // empty: CORS off
	MetricsToken string   // empty: /metrics is open
	BehindProxy  bool     // trust X-Forwarded-For for client addresses
}

// Services are the modules' services. The spec is built with a zero value:
// handlers only touch their service when called.
type Services struct {
	Identity *identity.Service
	Audit    *audit.Service
	School   *school.Service
	// Integration is the inbox and outbox: modules register their inbound
	// event handlers on it and publish outbound events through it.
	Integration *integration.Service
	KB          *kb.Service
	SLA         *sla.Service
	Homework    *homework.Service
	Surveys     *surveys.Service
	Scorecard   *scorecard.Service
	Cases       *cases.Service
	Refunds     *refunds.Service
	Hiring      *hiring.Service
	Onboarding  *onboarding.Service
	Quality     *quality.Service
	Pay         *pay.Service
}

// NewServices builds every module's service on db once, then connects them:
// event handlers to the integration inbox, and every module that keeps
// copies of students' personal data to the school's erasure.
func NewServices(db *bun.DB, c clock.Clock, identityCfg identity.Config) *Services {
	svc := &Services{Audit: audit.NewService(db, c)}
	svc.Identity = identity.NewService(db, c, svc.Audit, identityCfg)
	svc.Integration = integration.NewService(db, c, svc.Audit, nil)
	svc.School = school.NewService(db, c, svc.Audit, schoolPeople{svc.Identity})
	svc.KB = kb.NewService(db, c, svc.Audit, kbPeople{svc.Identity}, svc.Integration)
	svc.SLA = sla.NewService(db, c, svc.Audit, newSLASchool(svc.School, svc.Identity), slaPeople{svc.Identity}, svc.Integration)
	svc.Homework = NewHomework(db, c, svc)
	svc.Surveys = buildSurveys(db, c, svc)
	svc.Scorecard = buildScorecard(db, c, svc)
	svc.Cases = buildCases(db, c, svc)
	svc.Refunds = buildRefunds(db, c, svc)
	svc.Hiring = buildHiring(db, c, svc)
	svc.Onboarding = buildOnboarding(db, c, svc)
	svc.Quality = buildQuality(db, c, svc)
	svc.Pay = buildPay(db, c, svc)

	for _, handlers := range []map[string]events.Handler{svc.School.EventHandlers(), svc.Homework.EventHandlers(), svc.SLA.EventHandlers()} {
		for eventType, h := range handlers {
			svc.Integration.Handle(eventType, h)
		}
	}
	// The audit log registers itself; these keep raw events and messages.
	svc.School.AddEraser(svc.Integration)
	svc.School.AddEraser(svc.SLA)
	// The newer modules join each other here, once every service exists:
	// their ports point both ways (a survey answer opens a case request,
	// the scorecard reads cases).
	for _, connect := range []func(*Services){connectSurveys, connectCases, connectRefunds,
		connectHiring, connectOnboarding} {
		connect(svc)
	}
	linkNewModules(svc)
	return svc
}

// register adds every module's operations. A new module adds one line here.
func register(api huma.API, svc *Services) {
	identity.Register(api, svc.Identity)
	audit.Register(api, svc.Audit)
	school.Register(api, svc.School)
	integration.Register(api, svc.Integration)
	kb.Register(api, svc.KB)
	sla.Register(api, svc.SLA)
	homework.Register(api, svc.Homework)
	surveys.Register(api, svc.Surveys)
	scorecard.Register(api, svc.Scorecard)
	cases.Register(api, svc.Cases)
	refunds.Register(api, svc.Refunds)
	hiring.Register(api, svc.Hiring)
	onboarding.Register(api, svc.Onboarding)
	quality.Register(api, svc.Quality)
	pay.Register(api, svc.Pay)
}

// Server is the assembled HTTP application.
type Server struct {
	Echo     *echo.Echo
	API      huma.API
	db       *bun.DB
	logger   *slog.Logger
	enforcer *authz.Enforcer
}

// embeddedPolicy decides the embedded policy once per process: the enforcer
// is read-only after it is built, and deciding every role and permission
// pair is the dearest part of assembling a server (tests assemble hundreds).
var embeddedPolicy = sync.OnceValues(func() (*authz.Enforcer, error) {
	return authz.New(policies.Model, policies.Files()...)
})

// New assembles the server. It fails when the policy is broken or when an
// operation requires a permission that no role holds.
func New(cfg Config, db *bun.DB, svc *Services, logger *slog.Logger) (*Server, error) {
	enforcer, err := embeddedPolicy()
	if err != nil {
		return nil, err
	}
	httpapi.InstallProblemDetails(logger)
	s := &Server{Echo: echo.New(), db: db, logger: logger, enforcer: enforcer}
	s.Echo.HideBanner, s.Echo.HidePort = true, true
	m := newMetrics(db)
	s.installMiddleware(cfg, m)
	s.API = newAPI(s.Echo)
	// The security middleware must be in place before any operation is
	// registered: huma only wraps operations registered after UseMiddleware.
	s.API.UseMiddleware(httpapi.SecurityMiddleware(s.API, svc.Identity, enforcer))
	registerHealth(s.API, db)
	register(s.API, svc)
	if err := checkPermissionsGranted(s.API, enforcer); err != nil {
		return nil, err
	}
	s.Echo.GET("/metrics", m.handler(cfg.MetricsToken))
	if err := console.Mount(s.Echo, console.Deps{Identity: svc.Identity, Audit: svc.Audit, Scorecard: svc.Scorecard, SLA: svc.SLA,
		Homework: svc.Homework, Refunds: svc.Refunds, Hiring: svc.Hiring, Cases: svc.Cases, KB: svc.KB, Onboarding: svc.Onboarding,
		Integration: svc.Integration, School: svc.School, Pay: svc.Pay, Enforcer: enforcer, Logger: logger}); err != nil {
		return nil, err
	}
	return s, nil
}

// newAPI configures huma: OpenAPI 3.1 at /openapi.{json,yaml} (GET and
// HEAD), no docs page (it would load scripts from a CDN), no $schema links
// in bodies, component schemas named for client generators.
func newAPI(e *echo.Echo) huma.API {
	cfg := huma.DefaultConfig("curatorops API", Version)
	cfg.CreateHooks = nil
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.RejectUnknownQueryParameters = true
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", httpapi.NewSchemaNamer())
	cfg.Formats = map[string]huma.Format{"application/json": httpapi.JSONFormat, "json": httpapi.JSONFormat}
	cfg.Info.Description = "Back office of an online school's curator service: hiring and onboarding, regulations, " +
		"homework review queues, response-time SLAs, KPI-based pay, cases and refunds. Every school's data lives under /v1/orgs/{org}. " +
		"An empty query value (?limit=) is the same as leaving the parameter out; a JSON null is accepted only where a field is typed with null."
	cfg.Info.License = &huma.License{Name: "Apache-2.0", Identifier: "Apache-2.0"}
	cfg.Info.Contact = &huma.Contact{Name: "curatorops maintainers", URL: "https://github.com/curatorops/curatorops"}
	// Relative: the API is where this document was fetched from, whatever
	// address (CURATOROPS_ADDR) or proxy serves it.
	cfg.Servers = []*huma.Server{{URL: "/", Description: "The server that serves this document"}}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		httpapi.SchemeBearer: {Type: "http", Scheme: "bearer", Description: "Session token from POST /v1/auth/login."},
		httpapi.SchemeAPIKey: {Type: "apiKey", In: "header", Name: httpapi.APIKeyHeader, Description: "Integration key of one school."},
	}
	api := humaecho.New(e, cfg)
	httpapi.ServeSpecHead(e, api, cfg.OpenAPIPath)
	return api
}

// specAPI builds the API without a database or services: enough for the
// spec, since handlers only touch their service when called.
func specAPI() huma.API {
	api := newAPI(echo.New())
	registerHealth(api, nil)
	register(api, &Services{})
	return api
}

// Spec returns the OpenAPI document as YAML, without a database.
func Spec() ([]byte, error) {
	return specAPI().OpenAPI().YAML()
}

// eachOperation calls fn for every operation of api.
func eachOperation(api huma.API, fn func(op *huma.Operation)) {
	for _, path := range api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{path.Get, path.Post, path.Put, path.Patch, path.Delete} {
			if op != nil {
				fn(op)
			}
		}
	}
}

// checkPermissionsGranted refuses to start when an operation needs a
// permission no role holds: such an operation could never be called.
func checkPermissionsGranted(api huma.API, enforcer *authz.Enforcer) error {
	granted := map[authz.Permission]bool{}
	for _, p := range enforcer.Permissions() {
		granted[p] = true
	}
	var err error
	eachOperation(api, func(op *huma.Operation) {
		access, _ := httpapi.AccessOf(op)
		if p, needs := access.Permission(); needs && !granted[p] && err == nil {
			err = fmt.Errorf("operation %s requires %s, which no role in %s grants", op.OperationID, p, policies.Glob)
		}
	})
	return err
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.Echo }

// Enforcer returns the loaded policy, for documentation and tests.
func (s *Server) Enforcer() *authz.Enforcer { return s.enforcer }

// ListenAndServe serves on addr until ctx ends, then drains in-flight
// requests for up to grace.
func (s *Server) ListenAndServe(ctx context.Context, addr string, grace time.Duration) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           s.Echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.logger.Info("shutting down", "grace", grace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// OperationsByPermission maps each x-permission label ("audit:read",
// "signed-in", "public") to the ids of the operations that carry it, sorted.
func OperationsByPermission() (map[string][]string, error) {
	out := map[string][]string{}
	eachOperation(specAPI(), func(op *huma.Operation) {
		if access, ok := httpapi.AccessOf(op); ok {
			out[access.Label()] = append(out[access.Label()], "`"+op.OperationID+"`")
		}
	})
	for k := range out {
		sort.Strings(out[k])
	}
	return out, nil
}
