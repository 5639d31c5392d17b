// Package console is the web console: server-rendered pages for the people
// who run the curator service, served by the same binary under /console/.
//
// A page is held to the API's rules: it declares the permission of the
// operation whose data it shows (start-up refuses a page without one), the
// caller's roles in the school are asked through the same enforcer, the
// handlers call the same module services — so the same audit entries are
// written — and the console holds no SQL. Sign-in is the identity module's
// session, carried in an HttpOnly cookie instead of a bearer header.
package console

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

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
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/refunds"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/scorecard"
	"github.com/curatorops/curatorops/modules/sla"
)

// Prefix is where the console is served.
const Prefix = "/console"

//go:embed assets
var assetFS embed.FS

// Deps are the module services the pages call and the policy they ask.
type Deps struct {
	Identity    *identity.Service
	Audit       *audit.Service
	Scorecard   *scorecard.Service
	SLA         *sla.Service
	Homework    *homework.Service
	Refunds     *refunds.Service
	Hiring      *hiring.Service
	Cases       *cases.Service
	KB          *kb.Service
	Onboarding  *onboarding.Service
	Integration *integration.Service
	School      *school.Service
	Pay         *pay.Service
	Enforcer    *authz.Enforcer
	Logger      *slog.Logger
}

// Console is the mounted web console.
type Console struct {
	d     Deps
	pages []*page
	tmpl  *templates
	jobs  *jobs // long operations running in the background (jobs.go)
}

// Mount registers the console's pages on e, and makes / redirect to it. It
// fails when a page declares no permission, or one no role holds, exactly
// as start-up fails for an operation.
func Mount(e *echo.Echo, d Deps) error {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	tmpl, err := loadTemplates()
	if err != nil {
		return err
	}
	c := &Console{d: d, tmpl: tmpl, jobs: newJobs()}
	if err := c.addPages(e, c.pageList()); err != nil {
		return err
	}
	assets, _ := fs.Sub(assetFS, "assets")
	static := http.StripPrefix(Prefix+"/assets/", http.FileServer(http.FS(assets)))
	e.GET(Prefix+"/assets/*", func(ec echo.Context) error {
		setConsoleHeaders(ec)
		ec.Response().Header().Set("Cache-Control", "public, max-age=3600")
		static.ServeHTTP(ec.Response(), ec.Request())
		return nil
	})
	e.GET("/", func(ec echo.Context) error { return ec.Redirect(http.StatusFound, Prefix+"/") })
	return nil
}

// addPages checks every page's declaration, then routes it.
func (c *Console) addPages(e *echo.Echo, pages []*page) error {
	if err := checkPages(pages, c.d.Enforcer); err != nil {
		return err
	}
	for _, p := range pages {
		c.pages = append(c.pages, p)
		e.Add(p.method, Prefix+p.path, c.serve(p))
	}
	return nil
}

// checkPages refuses a page without an access rule, an org page without a
// permission, and a permission no role in the policy grants.
func checkPages(pages []*page, enforcer *authz.Enforcer) error {
	granted := map[authz.Permission]bool{}
	if enforcer != nil {
		for _, p := range enforcer.Permissions() {
			granted[p] = true
		}
	}
	seen := map[string]bool{}
	for _, p := range pages {
		key := p.method + " " + p.path
		switch {
		case p.name == "":
			return fmt.Errorf("console page %s has no name", key)
		case seen[key]:
			return fmt.Errorf("console page %s is declared twice", key)
		case p.access == accessNone:
			return fmt.Errorf("console page %s (%s) declares no access rule", p.name, key)
		case p.access == accessOrg && len(p.perms) == 0:
			return fmt.Errorf("console page %s (%s) declares no permission", p.name, key)
		case p.access == accessOrg && !strings.Contains(p.path, "/:org"):
			return fmt.Errorf("console page %s (%s) needs a permission but names no school", p.name, key)
		}
		for _, perm := range p.perms {
			if enforcer != nil && !granted[perm] {
				return fmt.Errorf("console page %s requires %s, which no role grants", p.name, perm)
			}
		}
		seen[key] = true
	}
	return nil
}

// access says who may open a page.
type access int

const (
	accessNone     access = iota // not declared: refused at start-up
	accessPublic                 // the sign-in form and the language switch
	accessSignedIn               // any signed-in person, acting on themselves
	accessOrg                    // a school's page, with its permissions
)

// page is one route of the console and its declaration.
type page struct {
	name   string // for logs and the access log's operation
	method string
	path   string // below Prefix, with :org for the school's slug
	access access
	perms  []authz.Permission // every one is required
	// nav puts the page in the menu under this message key (GET pages).
	nav     string
	handler func(*request) error
}

func perm(object, action string) authz.Permission {
	return authz.Permission{Object: object, Action: action}
}

// pageError is an answer other than the page: its status and message key.
type pageError struct {
	status int
	key    string
	detail string
}

func (e *pageError) Error() string { return fmt.Sprintf("%d %s %s", e.status, e.key, e.detail) }

var (
	errPageNotFound = &pageError{status: http.StatusNotFound, key: "error.not_found"}
	errForbidden    = &pageError{status: http.StatusForbidden, key: "error.forbidden"}
)

func badInput(detail string) error {
	return &pageError{status: http.StatusUnprocessableEntity, key: "error.invalid", detail: detail}
}

// statusOf maps a service's sentinel errors to the API's statuses, and
// each status to the message the error page shows.
func statusOf(err error) (int, string) {
	var pe *pageError
	var ve *errs.ValidationError
	var rl *errs.RateLimitedError
	switch {
	case errors.As(err, &pe):
		return pe.status, pe.key
	case errors.Is(err, errs.ErrNotFound):
		return http.StatusNotFound, "error.not_found"
	case errors.Is(err, errs.ErrForbidden):
		return http.StatusForbidden, "error.forbidden"
	case errors.Is(err, errs.ErrConflict):
		return http.StatusConflict, "error.conflict"
	case errors.Is(err, errs.ErrPreconditionFailed):
		return http.StatusPreconditionFailed, "error.stale"
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, "error.invalid"
	case errors.As(err, &rl):
		return http.StatusTooManyRequests, "error.throttled"
	case errors.Is(err, errs.ErrUnauthorized):
		return http.StatusUnauthorized, "error.unauthorized"
	}
	return http.StatusInternalServerError, "error.internal"
}
