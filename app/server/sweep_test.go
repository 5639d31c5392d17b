package server_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/authz"
)

// The sweeps walk every operation in the spec, so that an operation added
// tomorrow is checked without anyone writing a test for it.

const (
	orgPrefix = "/v1/orgs/{org}"
	// anyID fills every id path parameter: a well-formed id of nothing.
	anyID = "00000000-0000-7000-8000-000000000000"
)

// sweptOp is one operation of the spec with what the sweeps need to know.
type sweptOp struct {
	id, method, path string
	public           bool
	permission       string // x-permission: "signed-in" or object:action
}

func (o sweptOp) String() string { return o.id + " (" + o.method + " " + o.path + ")" }

// orgScoped reports whether the operation acts inside one school.
func (o sweptOp) orgScoped() bool {
	return o.path == orgPrefix || strings.HasPrefix(o.path, orgPrefix+"/")
}

// platform reports whether the operation needs a platform permission.
func (o sweptOp) platform() bool {
	return !o.public && o.permission != "signed-in" && !o.orgScoped()
}

// perm returns the object:action the operation requires.
func (o sweptOp) perm(t *testing.T) authz.Permission {
	t.Helper()
	object, action, ok := strings.Cut(o.permission, ":")
	if !ok || object == "" || action == "" {
		t.Fatalf("%s: x-permission %q is neither signed-in nor object:action", o, o.permission)
	}
	return authz.Permission{Object: object, Action: action}
}

// url fills the path parameters: {org} with slug, {role} with a real role,
// any other with a well-formed id.
func (o sweptOp) url(slug string) string {
	var b strings.Builder
	rest := o.path
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			return b.String()
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:open])
		switch rest[open+1 : open+end] {
		case "org":
			b.WriteString(slug)
		case "role":
			b.WriteString("curator")
		case "format":
			b.WriteString("csv") // an export's format, the one path value not an id
		default:
			b.WriteString(anyID)
		}
		rest = rest[open+end+1:]
	}
}

// body is an empty JSON object for methods that carry one.
func (o sweptOp) body() any {
	switch o.method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return "{}"
	}
	return nil
}

// operations lists every operation of the running server, sorted.
func operations(t *testing.T, s *apptest.Server) []sweptOp {
	t.Helper()
	var ops []sweptOp
	for path, item := range s.App.API.OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{
			http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
			http.MethodPatch: item.Patch, http.MethodDelete: item.Delete,
		} {
			if op == nil {
				continue
			}
			o := sweptOp{id: op.OperationID, method: method, path: path}
			o.public, _ = op.Extensions["x-public"].(bool)
			o.permission, _ = op.Extensions["x-permission"].(string)
			if !o.public && o.permission == "" {
				t.Errorf("%s declares neither x-public nor x-permission", o)
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+" "+ops[i].method < ops[j].path+" "+ops[j].method })
	if len(ops) == 0 {
		t.Fatal("the spec lists no operations: the sweep would check nothing")
	}
	return ops
}

// expectProblem fails unless r has the status and is a problem+json.
func expectProblem(t *testing.T, r *apptest.Response, want int, what string) {
	t.Helper()
	if r.Code != want {
		t.Errorf("%s: status %d, want %d; body: %s", what, r.Code, want, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: content type %q, want application/problem+json", what, ct)
	}
}

// expectPassed fails when the request was refused for who made it: whatever
// else the handler answers (200, 404 for the made-up id, 422 for the empty
// body, 428 without If-Match), it must not be 401 or 403.
func expectPassed(t *testing.T, r *apptest.Response, what string) {
	t.Helper()
	if r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden {
		t.Errorf("%s: status %d, want the caller let through; body: %s", what, r.Code, r.Body)
	}
}

func TestEveryOperationEnforcesAuthentication(t *testing.T) {
	skipUnderRace(t)
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		school := s.NewSchool("alpha")
		credentials := []struct {
			name string
			opts []apptest.Option
		}{
			{"anonymous", nil},
			{"unknown bearer token", []apptest.Option{apptest.Bearer("not-a-token")}},
			{"unknown API key", []apptest.Option{apptest.APIKey("not-a-key")}},
			{"non-bearer Authorization", []apptest.Option{apptest.Header("Authorization", "Basic "+school.People["admin"].Token)}},
		}
		checked, public := 0, 0
		for _, op := range operations(t, s) {
			if op.public {
				public++
				continue
			}
			for _, c := range credentials {
				r := s.Do(op.method, op.url(school.Slug), op.body(), c.opts...)
				expectProblem(t, r, http.StatusUnauthorized, op.String()+" "+c.name)
				if r.Code == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s: 401 without WWW-Authenticate", op, c.name)
				}
			}
			checked++
		}
		if checked == 0 {
			t.Fatal("no operation needs credentials: the walk is broken")
		}
		t.Logf("%d operations refuse anonymous callers; %d are public", checked, public)
	})
}

func TestEveryOperationEnforcesRoles(t *testing.T) {
	skipUnderRace(t)
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		platformAdmin := s.NewPlatformAdmin("root@platform.test")
		enforcer := s.App.Enforcer()
		ops := operations(t, s)

		var key struct {
			Key  string `json:"key"`
			Role string `json:"role"`
		}
		s.Do(http.MethodPost, alpha.Path("/api-keys"), map[string]string{"name": "k", "role": "head_of_service"},
			alpha.People["admin"].Auth()).Expect(http.StatusCreated).Decode(&key)
		if key.Key == "" || key.Role != "head_of_service" {
			t.Fatalf("API key not created as asked: role %q", key.Role)
		}

		for _, role := range authz.Roles {
			if alpha.People[role].Token == "" {
				t.Fatalf("the fixture school has nobody holding %s: add the role to apptest.NewSchool", role)
			}
		}

		var denied, allowed, crossSchool, platform, signedIn int
		// Refusals first: they change nothing, whereas a call let through
		// might.
		for _, op := range ops {
			switch {
			case op.public:
			case op.orgScoped():
				perm := op.perm(t)
				for _, role := range authz.Roles {
					if enforcer.Allowed([]string{role}, perm) {
						continue
					}
					r := s.Do(op.method, op.url(alpha.Slug), op.body(), alpha.People[role].Auth())
					expectProblem(t, r, http.StatusForbidden, op.String()+" as "+role)
					denied++
				}
				// Whatever their roles, members of alpha do not see beta.
				for _, role := range []string{"admin", "head_of_service"} {
					r := s.Do(op.method, op.url(beta.Slug), op.body(), alpha.People[role].Auth())
					expectProblem(t, r, http.StatusNotFound, op.String()+" on another school as "+role)
					crossSchool++
				}
				// Nor do alpha's API keys, nor a platform administrator
				// who is no member.
				r := s.Do(op.method, op.url(beta.Slug), op.body(), apptest.APIKey(key.Key))
				expectProblem(t, r, http.StatusNotFound, op.String()+" on another school with an API key")
				r = s.Do(op.method, op.url(beta.Slug), op.body(), platformAdmin.Auth())
				expectProblem(t, r, http.StatusNotFound, op.String()+" on a school as a non-member platform admin")
				crossSchool += 2
				if !enforcer.Allowed([]string{key.Role}, perm) {
					r = s.Do(op.method, op.url(alpha.Slug), op.body(), apptest.APIKey(key.Key))
					expectProblem(t, r, http.StatusForbidden, op.String()+" with a "+key.Role+" API key")
					denied++
				}
			case op.platform():
				perm := op.perm(t)
				for _, role := range authz.Roles {
					r := s.Do(op.method, op.url(alpha.Slug), op.body(), alpha.People[role].Auth())
					expectProblem(t, r, http.StatusForbidden, op.String()+" as school "+role)
					platform++
				}
				r := s.Do(op.method, op.url(alpha.Slug), op.body(), apptest.APIKey(key.Key))
				expectProblem(t, r, http.StatusForbidden, op.String()+" with an API key")
				platform++
				if !enforcer.Allowed([]string{authz.PlatformAdmin}, perm) {
					r := s.Do(op.method, op.url(alpha.Slug), op.body(), platformAdmin.Auth())
					expectProblem(t, r, http.StatusForbidden, op.String()+" as platform admin")
					platform++
				}
			default: // signed-in
				r := s.Do(op.method, op.url(alpha.Slug), op.body(), apptest.APIKey(key.Key))
				expectProblem(t, r, http.StatusForbidden, op.String()+" with an API key")
				signedIn++
			}
		}

		// Then every allowed caller gets through. Each signed-in call gets
		// a fresh session, since one of them may be logout.
		for _, op := range ops {
			switch {
			case op.public:
			case op.orgScoped():
				perm := op.perm(t)
				for _, role := range authz.Roles {
					if enforcer.Allowed([]string{role}, perm) {
						r := s.Do(op.method, op.url(alpha.Slug), op.body(), alpha.People[role].Auth())
						expectPassed(t, r, op.String()+" as "+role)
						allowed++
					}
				}
				if enforcer.Allowed([]string{key.Role}, perm) {
					r := s.Do(op.method, op.url(alpha.Slug), op.body(), apptest.APIKey(key.Key))
					expectPassed(t, r, op.String()+" with a "+key.Role+" API key")
					allowed++
				}
			case op.platform():
				if enforcer.Allowed([]string{authz.PlatformAdmin}, op.perm(t)) {
					r := s.Do(op.method, op.url(alpha.Slug), op.body(), platformAdmin.Auth())
					expectPassed(t, r, op.String()+" as platform admin")
					allowed++
				}
			default:
				token := s.Login(alpha.People["curator"].Email, apptest.Password)
				r := s.Do(op.method, op.url(alpha.Slug), op.body(), apptest.Bearer(token))
				expectPassed(t, r, op.String()+" as a signed-in user")
				allowed++
			}
		}

		t.Logf("checked %d refusals by role, %d grants, %d cross-school, %d platform, %d signed-in-only",
			denied, allowed, crossSchool, platform, signedIn)
		for name, n := range map[string]int{
			"role refusals": denied, "grants": allowed, "cross-school refusals": crossSchool,
			"platform refusals": platform, "API-key refusals of signed-in operations": signedIn,
		} {
			if n == 0 {
				t.Errorf("checked no %s: the walk is broken or the API lost a kind of operation", name)
			}
		}
	})
}

// skipUnderRace skips a sweep under the race detector (see
// race_on_test.go); .ci/run runs the sweeps in a pass without it.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("a sequential sweep: .ci/run runs it without -race")
	}
}
