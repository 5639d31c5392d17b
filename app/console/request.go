package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Cookies of the console. The session cookie holds the identity module's
// session token, which the API takes as a bearer token; it is HttpOnly so
// that no script reads it.
const (
	sessionCookie = "co_session"
	csrfCookie    = "co_csrf" // before sign-in only: the double-submit token
	langCookie    = "co_lang"
	csrfField     = "csrf"
)

// csp allows nothing but the console's own files: no inline script or
// style, no plugins, no framing, forms only to the console.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// request is one page request as its handler sees it.
type request struct {
	echo.Context
	c         *Console
	page      *page
	L         *locale
	principal *reqctx.Principal
	org       *reqctx.OrgAccess
	orgName   string
	csrf      string
	ctx       context.Context
}

func setConsoleHeaders(ec echo.Context) {
	h := ec.Response().Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// serve wraps a page: headers, language, session, CSRF, school and
// permissions, then the handler; an error becomes an error page.
func (c *Console) serve(p *page) echo.HandlerFunc {
	return func(ec echo.Context) error {
		setConsoleHeaders(ec)
		ec.Response().Header().Set("Cache-Control", "no-store")
		meta := reqctx.From(ec.Request().Context())
		meta.OperationID = "console:" + p.name
		r := &request{Context: ec, c: c, page: p, L: localeFor(ec.Request()), ctx: ec.Request().Context()}
		if err := c.admit(r, meta); err != nil {
			return r.fail(err)
		}
		if err := p.handler(r); err != nil {
			return r.fail(err)
		}
		return nil
	}
}

// admit authenticates and authorizes the request as the API's security
// middleware does, and checks the CSRF token of every POST.
func (c *Console) admit(r *request, meta *reqctx.Meta) error {
	token := r.cookie(sessionCookie)
	if token != "" {
		p, err := c.d.Identity.Authenticate(r.ctx, httpapi.Credentials{BearerToken: token})
		switch {
		case err == nil && p.Kind == reqctx.ActorUser:
			r.principal, meta.Principal = p, p
			r.csrf = sessionCSRF(token)
		case err != nil && !errors.Is(err, errs.ErrUnauthorized):
			return err
		}
	}
	if r.principal == nil {
		r.csrf = c.preSessionCSRF(r)
	}
	if r.Request().Method == http.MethodPost && !r.validCSRF() {
		return &pageError{status: http.StatusForbidden, key: "error.csrf"}
	}
	if r.page.access == accessPublic {
		return nil
	}
	if r.principal == nil {
		return errSignIn
	}
	if r.page.access != accessOrg {
		return nil
	}
	slug := r.Param("org")
	org, err := c.d.Identity.OrgAccess(r.ctx, r.principal, slug)
	if errors.Is(err, errs.ErrNotFound) {
		return errPageNotFound
	}
	if err != nil {
		return err
	}
	enforcer := c.d.Enforcer
	org.Can = func(object, action string) bool {
		return enforcer.Allowed(org.Roles, authz.Permission{Object: object, Action: action})
	}
	r.org, meta.Org = org, org
	r.L.setZone(org.TimeZone)
	for _, perm := range r.page.perms {
		if !enforcer.Allowed(org.Roles, perm) {
			return errForbidden
		}
	}
	return nil
}

// errSignIn sends a visitor without a session to the sign-in form.
var errSignIn = errors.New("sign in first")

// sessionCSRF binds the forms' token to the session: it is derived from the
// session token, which only the HttpOnly cookie holds, so another site can
// neither read nor forge it, and every replica derives the same one.
func sessionCSRF(token string) string {
	sum := sha256.Sum256([]byte("curatorops console csrf\x00" + token))
	return hex.EncodeToString(sum[:])
}

// preSessionCSRF is the sign-in form's double-submit token: a random
// cookie the form repeats.
func (c *Console) preSessionCSRF(r *request) string {
	if v := r.cookie(csrfCookie); len(v) == 43 {
		return v
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	r.setCookie(csrfCookie, v, 0)
	return v
}

func (r *request) validCSRF() bool {
	got := r.Request().PostFormValue(csrfField)
	return r.csrf != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(r.csrf)) == 1
}

func (r *request) cookie(name string) string {
	if ck, err := r.Cookie(name); err == nil {
		return ck.Value
	}
	return ""
}

// secure tells whether the browser reached us over TLS, directly or through
// a proxy that says so.
func (r *request) secure() bool {
	return r.Request().TLS != nil || strings.EqualFold(r.Request().Header.Get("X-Forwarded-Proto"), "https")
}

// setCookie writes a console cookie: HttpOnly, SameSite=Lax, Secure behind
// TLS. maxAge < 0 deletes it; 0 makes it last the browser session.
func (r *request) setCookie(name, value string, maxAge int) {
	r.SetCookie(&http.Cookie{Name: name, Value: value, Path: Prefix + "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.secure(), MaxAge: maxAge})
}

// fail answers an error as a page: the sign-in redirect, or the error page
// with the API's status.
func (r *request) fail(err error) error {
	if errors.Is(err, errSignIn) {
		if r.Request().Method == http.MethodGet {
			return r.Redirect(http.StatusSeeOther, Prefix+"/sign-in?next="+url.QueryEscape(r.Request().URL.RequestURI()))
		}
		return r.Redirect(http.StatusSeeOther, Prefix+"/sign-in")
	}
	status, key := statusOf(err)
	detail := ""
	var pe *pageError
	switch {
	case errors.As(err, &pe):
		detail = pe.detail
	case status == http.StatusInternalServerError:
		r.c.d.Logger.Error("console page failed", "page", r.page.name, "error", err, "request_id", reqctx.From(r.ctx).RequestID)
	default:
		detail = errs.Message(err)
	}
	var rl *errs.RateLimitedError
	if errors.As(err, &rl) {
		r.Response().Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Round(time.Second).Seconds())))
	}
	return r.render(status, "error", map[string]any{"Status": status, "Key": key, "Detail": detail})
}

// allowed reports whether the caller's roles here grant object:action.
func (r *request) allowed(object, action string) bool { return r.org.Allowed(object, action) }

// orgPath is a link to a page of the current school.
func (r *request) orgPath(rest string) string {
	return Prefix + "/" + url.PathEscape(r.org.Slug) + rest
}

// back sends the browser to a page of the school after a form (303, so
// that reloading does not send the form again).
func (r *request) back(rest string) error {
	return r.Redirect(http.StatusSeeOther, r.orgPath(rest))
}

// version reads a form's hidden version, the If-Match of the console.
func (r *request) version() (int64, error) {
	v, err := strconv.ParseInt(r.FormValue("version"), 10, 64)
	if err != nil || v < 1 {
		return 0, badInput("version")
	}
	return v, nil
}

// idAndVersion reads what a form about one record carries: its id in the
// path (anything else is 404, as from the API) and the version of it shown
// on the page, the form's If-Match.
func idAndVersion(r *request) (string, int64, error) {
	id, err := idParam(r)
	if err != nil {
		return "", 0, err
	}
	v, err := r.version()
	return id, v, err
}
