package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Security scheme names used in the spec.
const (
	SchemeBearer = "bearer"
	SchemeAPIKey = "apiKey"
	// APIKeyHeader carries an integration account's key.
	APIKeyHeader = "X-API-Key"
)

// Credentials are what a request presented.
type Credentials struct {
	BearerToken string
	APIKey      string
}

// Authenticator turns credentials into a principal and tells which roles the
// principal holds in a school. The identity module implements it; the kernel
// never reads identity tables itself.
type Authenticator interface {
	// Authenticate returns errs.ErrUnauthorized for unknown, expired,
	// revoked or disabled credentials.
	Authenticate(ctx context.Context, c Credentials) (*reqctx.Principal, error)
	// OrgAccess returns errs.ErrNotFound when the school does not exist or
	// the principal is not an active member of it.
	OrgAccess(ctx context.Context, p *reqctx.Principal, orgSlug string) (*reqctx.OrgAccess, error)
}

// SecurityMiddleware authenticates the caller and authorizes the operation
// before huma reads and validates the input, so that an unauthorized caller
// learns nothing about the expected input. Install it before any module
// registers: huma only wraps operations registered after the call.
func SecurityMiddleware(api huma.API, authn Authenticator, enforcer *authz.Enforcer) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		meta := reqctx.From(ctx.Context())
		meta.OperationID = op.OperationID
		access, ok := AccessOf(op)
		if !ok {
			// Fail closed: an operation that slipped past Register is never served.
			_ = huma.WriteErr(api, ctx, http.StatusInternalServerError, "operation has no access rule")
			return
		}
		if access.IsPublic() {
			next(ctx)
			return
		}
		principal, err := authn.Authenticate(ctx.Context(), credentialsOf(ctx))
		if err != nil {
			writeAuthError(api, ctx, err)
			return
		}
		meta.Principal = principal
		if status, msg := authorize(ctx, authn, enforcer, access, meta); status != 0 {
			_ = huma.WriteErr(api, ctx, status, msg)
			return
		}
		next(ctx)
	}
}

func authorize(ctx huma.Context, authn Authenticator, enforcer *authz.Enforcer, access Access, meta *reqctx.Meta) (int, string) {
	p := meta.Principal
	perm, _ := access.Permission()
	switch access.kind {
	case accessSignedIn:
		if p.Kind != reqctx.ActorUser {
			return http.StatusForbidden, "this operation is for signed-in users, not API keys"
		}
	case accessPlatform:
		if !p.PlatformAdmin || !enforcer.Allowed([]string{authz.PlatformAdmin}, perm) {
			return http.StatusForbidden, "requires platform permission " + perm.String()
		}
	case accessOrg:
		slug := ctx.Param("org")
		if !utf8.ValidString(slug) || strings.IndexFunc(slug, unicode.IsControl) >= 0 {
			// No school has such a slug; it must not reach SQL either.
			return http.StatusNotFound, "organisation not found"
		}
		org, err := authn.OrgAccess(ctx.Context(), p, slug)
		if errors.Is(err, errs.ErrNotFound) {
			return http.StatusNotFound, "organisation not found"
		}
		if err != nil {
			return http.StatusInternalServerError, "cannot resolve organisation"
		}
		meta.Org = org
		org.Can = func(object, action string) bool {
			return enforcer.Allowed(org.Roles, authz.Permission{Object: object, Action: action})
		}
		if !enforcer.Allowed(org.Roles, perm) {
			return http.StatusForbidden, "your roles in this organisation do not grant " + perm.String()
		}
	}
	return 0, ""
}

func credentialsOf(ctx huma.Context) Credentials {
	var c Credentials
	if h := ctx.Header("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		c.BearerToken = strings.TrimSpace(h[7:])
	}
	c.APIKey = strings.TrimSpace(ctx.Header(APIKeyHeader))
	return c
}

func writeAuthError(api huma.API, ctx huma.Context, err error) {
	if errors.Is(err, errs.ErrUnauthorized) {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="curatorops"`)
		_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, errs.Message(err))
		return
	}
	_ = huma.WriteErr(api, ctx, http.StatusInternalServerError, "authentication failed", err)
}

// Actor returns the request's principal and school. Handlers of org-scoped
// operations always have both: the middleware refused the request otherwise.
func Actor(ctx context.Context) (*reqctx.Principal, *reqctx.OrgAccess) {
	m := reqctx.From(ctx)
	return m.Principal, m.Org
}

// OrgID returns the id of the school the request addresses.
func OrgID(ctx context.Context) string {
	if org := reqctx.From(ctx).Org; org != nil {
		return org.ID
	}
	return ""
}

// OrgAllowed reports whether the caller's roles in the request's school
// grant object:action, for operations that show more to some roles.
func OrgAllowed(ctx context.Context, object, action string) bool {
	return reqctx.From(ctx).Org.Allowed(object, action)
}
