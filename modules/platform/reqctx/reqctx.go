// Package reqctx carries what is known about the current request — who makes
// it, for which school, with which request id — from the HTTP middleware down
// to services and the audit log.
package reqctx

import "context"

// ActorKind says what kind of caller a principal is.
type ActorKind string

const (
	// ActorUser is a person signed in with a bearer token.
	ActorUser ActorKind = "user"
	// ActorAPIKey is an integration account calling with an API key.
	ActorAPIKey ActorKind = "api_key"
	// ActorSystem is the application itself: the CLI, seeding, background jobs.
	ActorSystem ActorKind = "system"
)

// Principal is the authenticated caller.
type Principal struct {
	Kind          ActorKind
	UserID        string // set for users
	APIKeyID      string // set for API keys
	TokenID       string // the session token used, set for users
	Name          string // email of a user or name of an API key, for logs and audit
	PlatformAdmin bool
	// KeyOrgID and KeyRole bind an API key to one school and one role.
	KeyOrgID string
	KeyRole  string
}

// ActorID returns the id that the audit log records for this principal.
func (p *Principal) ActorID() string {
	if p == nil {
		return ""
	}
	if p.Kind == ActorAPIKey {
		return p.APIKeyID
	}
	return p.UserID
}

// OrgAccess is the school a request addresses and the caller's roles in it.
type OrgAccess struct {
	ID       string
	Slug     string
	TimeZone string
	Currency string
	Roles    []string
	// Can reports whether the caller's roles here grant object:action. The
	// security middleware sets it, so services can vary what they show
	// (contacts, say) without knowing the policy.
	Can func(object, action string) bool
}

// Allowed reports whether the caller may perform object:action in this
// school; false when nothing granted it.
func (o *OrgAccess) Allowed(object, action string) bool {
	return o != nil && o.Can != nil && o.Can(object, action)
}

// HasRole reports whether the caller holds role in this school.
func (o *OrgAccess) HasRole(role string) bool {
	if o == nil {
		return false
	}
	for _, r := range o.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Meta is the per-request record. The HTTP layer creates it once per request
// and fills it in as authentication and authorization learn more.
type Meta struct {
	RequestID   string
	IP          string
	UserAgent   string
	OperationID string
	Principal   *Principal
	Org         *OrgAccess
}

type metaKey struct{}

// With returns a context that carries m.
func With(ctx context.Context, m *Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// From returns the request record in ctx, or an empty one when there is none
// (a background job), so callers never check for nil.
func From(ctx context.Context) *Meta {
	if m, ok := ctx.Value(metaKey{}).(*Meta); ok && m != nil {
		return m
	}
	return &Meta{}
}

// System returns a context acting as the application itself, for the CLI and
// seeding, so that their changes are audited under a recognisable actor.
func System(ctx context.Context, name string) context.Context {
	return With(ctx, &Meta{OperationID: name, Principal: &Principal{Kind: ActorSystem, Name: name}})
}
