// Package httpapi is the HTTP kernel every module registers through: access
// rules on each operation, authentication and authorization middleware,
// problem+json errors, cursor paging and optimistic concurrency headers.
package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/authz"
)

type accessKind int

const (
	accessUnset accessKind = iota
	accessPublic
	accessSignedIn
	accessOrg
	accessPlatform
)

// Access says who may call an operation. Every operation declares one; the
// zero value is refused at start-up.
type Access struct {
	kind       accessKind
	permission authz.Permission
}

// Public operations need no credentials (login, health).
func Public() Access { return Access{kind: accessPublic} }

// SignedIn operations need a signed-in user and act on that user only
// (their profile, their password, their session).
func SignedIn() Access { return Access{kind: accessSignedIn} }

// OrgPermission operations sit under /v1/orgs/{org} and need a role in that
// school that the policy grants object:action.
func OrgPermission(object, action string) Access {
	return Access{kind: accessOrg, permission: authz.Permission{Object: object, Action: action}}
}

// PlatformPermission operations sit outside any school and need a platform
// administrator that the policy grants object:action.
func PlatformPermission(object, action string) Access {
	return Access{kind: accessPlatform, permission: authz.Permission{Object: object, Action: action}}
}

// Permission returns the (object, action) the operation requires, if any.
func (a Access) Permission() (authz.Permission, bool) {
	return a.permission, a.kind == accessOrg || a.kind == accessPlatform
}

// IsPublic reports whether the operation needs no credentials.
func (a Access) IsPublic() bool { return a.kind == accessPublic }

// IsOrgScoped reports whether the operation acts inside one school.
func (a Access) IsOrgScoped() bool { return a.kind == accessOrg }

// Label is what the spec's x-permission says.
func (a Access) Label() string {
	switch a.kind {
	case accessPublic:
		return "public"
	case accessSignedIn:
		return "signed-in"
	default:
		return a.permission.String()
	}
}

const accessKey = "access"

// AccessOf returns the access rule an operation was registered with.
func AccessOf(op *huma.Operation) (Access, bool) {
	if op == nil || op.Metadata == nil {
		return Access{}, false
	}
	a, ok := op.Metadata[accessKey].(Access)
	return a, ok && a.kind != accessUnset
}

var kebabCase = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Register adds an operation with its access rule. It refuses, by panicking
// at start-up, an operation without an access rule, without a kebab-case
// operation id or tag, or whose path and rule disagree about the school.
// Every string of the decoded input is checked before the handler runs
// (see input.go), and handler errors from services are turned into
// problem+json here.
func Register[I, O any](api huma.API, access Access, op huma.Operation, handler func(context.Context, *I) (*O, error)) {
	checkOperation(access, &op)
	for _, tag := range op.Tags {
		if !tagDefined(api, tag) {
			panic(fmt.Sprintf("httpapi: %s %s uses tag %q; define it first with DefineTag", op.Method, op.Path, tag))
		}
	}
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[accessKey] = access
	if op.Extensions == nil {
		op.Extensions = map[string]any{}
	}
	if access.IsPublic() {
		op.Extensions["x-public"] = true
		op.Security = []map[string][]string{}
	} else {
		op.Extensions["x-permission"] = access.Label()
		op.Security = []map[string][]string{{SchemeBearer: {}}}
		if access.IsOrgScoped() {
			op.Security = append(op.Security, map[string][]string{SchemeAPIKey: {}})
		}
	}
	op.Errors = mergeStatuses(op.Errors, errorStatuses(access, &op, inputShapeOf(reflect.TypeFor[I]()))...)
	if op.MaxBodyBytes == 0 {
		// The server's body limit (echo, configurable) governs; huma's own
		// default of 1 MiB would silently override a larger setting.
		op.MaxBodyBytes = -1
	}
	if inputShapeOf(reflect.TypeFor[I]()).body {
		op.Middlewares = append(op.Middlewares, refuseUndeclaredNulls(api))
	}
	check := newInputCheck(reflect.TypeFor[I]())
	unique := newUniqueCheck(reflect.TypeFor[I]())
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		if check != nil {
			if err := check.run(reflect.ValueOf(in).Elem()); err != nil {
				return nil, toProblem(err)
			}
		}
		if unique != nil {
			if err := unique.run(reflect.ValueOf(in).Elem()); err != nil {
				return nil, toProblem(err)
			}
		}
		out, err := handler(ctx, in)
		if err != nil {
			return nil, toProblem(err)
		}
		return out, nil
	})
	if registered := registeredOperation(api, op.Method, op.Path); registered != nil {
		adjustSchemas(api, registered)
		declareReplay(registered, reflect.TypeFor[O]())
		addExamples(api, registered)
	}
}

// declareReplay declares the 200 of a creation that sets its own status:
// the project's idempotent creations answer a repeated request (same
// Idempotency-Key or external id) with 200 and what the first one created.
func declareReplay(op *huma.Operation, out reflect.Type) {
	if out.Kind() != reflect.Struct || op.DefaultStatus != http.StatusCreated {
		return
	}
	if f, ok := out.FieldByName("Status"); !ok || f.Type.Kind() != reflect.Int {
		return
	}
	if created := op.Responses["201"]; created != nil && op.Responses["200"] == nil {
		op.Responses["200"] = &huma.Response{Content: created.Content, Headers: created.Headers,
			Description: "The same request was made before (same Idempotency-Key or external id): what it created, unchanged."}
	}
}

// registeredOperation is the operation as huma keeps it, with its request
// body and parameters worked out.
func registeredOperation(api huma.API, method, path string) *huma.Operation {
	item := api.OpenAPI().Paths[path]
	if item == nil {
		return nil
	}
	for _, op := range []*huma.Operation{item.Get, item.Head, item.Post, item.Put, item.Patch, item.Delete} {
		if op != nil && op.Method == method {
			return op
		}
	}
	return nil
}

func checkOperation(access Access, op *huma.Operation) {
	where := op.Method + " " + op.Path
	switch {
	case access.kind == accessUnset:
		panic(fmt.Sprintf("httpapi: %s has no access rule: use Public, SignedIn, OrgPermission or PlatformPermission", where))
	case !kebabCase.MatchString(op.OperationID):
		panic(fmt.Sprintf("httpapi: %s needs a kebab-case operation id, got %q", where, op.OperationID))
	case len(op.Tags) == 0 || op.Summary == "" || op.Description == "":
		panic(fmt.Sprintf("httpapi: %s needs a tag, a summary and a description", where))
	case access.IsOrgScoped() != strings.HasPrefix(op.Path, "/v1/orgs/{org}"):
		panic(fmt.Sprintf("httpapi: %s: OrgPermission goes with paths under /v1/orgs/{org} and only with them", where))
	}
}

// inputShape is what an operation's input lets a client send, which decides
// the errors it can get.
type inputShape struct {
	params, body, ifMatch bool
}

func inputShapeOf(t reflect.Type) inputShape {
	var s inputShape
	if t.Kind() != reflect.Struct {
		return s
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct && paramLocation(f) == "":
			inner := inputShapeOf(f.Type)
			s.params, s.body, s.ifMatch = s.params || inner.params, s.body || inner.body, s.ifMatch || inner.ifMatch
		case f.Name == "Body" || f.Name == "RawBody":
			s.body = true
		case paramLocation(f) != "":
			s.params = true
			s.ifMatch = s.ifMatch || f.Tag.Get("header") == "If-Match"
		}
	}
	return s
}

// errorStatuses lists the errors an operation can answer given who may call
// it and what it takes, so that the spec documents every one of them.
// Statuses that depend on the use case (409, 429) are declared by the
// module on the operation itself.
func errorStatuses(access Access, op *huma.Operation, in inputShape) []int {
	// Any request may be one the HTTP layer cannot read.
	statuses := []int{http.StatusBadRequest, http.StatusInternalServerError}
	if !access.IsPublic() {
		statuses = append(statuses, http.StatusUnauthorized, http.StatusForbidden)
	}
	if access.IsOrgScoped() || strings.Contains(op.Path, "{") {
		statuses = append(statuses, http.StatusNotFound)
	}
	if in.params || in.body || strings.Contains(op.Path, "{") {
		statuses = append(statuses, http.StatusUnprocessableEntity)
	}
	if in.body {
		statuses = append(statuses, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	if in.ifMatch {
		statuses = append(statuses, http.StatusPreconditionFailed, http.StatusPreconditionRequired)
	}
	return statuses
}

func mergeStatuses(have []int, more ...int) []int {
	seen := map[int]bool{}
	var out []int
	for _, s := range append(have, more...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// DefineTag adds a tag with its description to the spec. A module defines
// its tags before registering operations that use them.
func DefineTag(api huma.API, name, description string) {
	if !tagDefined(api, name) {
		api.OpenAPI().Tags = append(api.OpenAPI().Tags, &huma.Tag{Name: name, Description: description})
	}
}

func tagDefined(api huma.API, name string) bool {
	for _, t := range api.OpenAPI().Tags {
		if t.Name == name {
			return true
		}
	}
	return false
}
