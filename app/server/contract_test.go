package server_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/app/apptest"
)

// uniqueField is an array of a request body that the spec says holds no
// repeated item.
type uniqueField struct {
	op     *huma.Operation
	path   []string // JSON names from the body down to the array
	schema *huma.Schema
}

func (f uniqueField) String() string {
	return f.op.OperationID + " body." + strings.Join(f.path, ".")
}

// uniqueFields lists every uniqueItems array of every request body.
func uniqueFields(api huma.API) []uniqueField {
	reg := api.OpenAPI().Components.Schemas
	var out []uniqueField
	for _, item := range api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil || op.RequestBody == nil || op.RequestBody.Content["application/json"] == nil {
				continue
			}
			var walk func(s *huma.Schema, path []string, depth int)
			walk = func(s *huma.Schema, path []string, depth int) {
				for s != nil && s.Ref != "" {
					s = reg.SchemaFromRef(s.Ref)
				}
				if s == nil || depth > 4 {
					return
				}
				if s.UniqueItems || s.Extensions["uniqueItems"] == true {
					out = append(out, uniqueField{op: op, path: path, schema: s})
				}
				for name, p := range s.Properties {
					walk(p, append(append([]string{}, path...), name), depth+1)
				}
			}
			walk(op.RequestBody.Content["application/json"].Schema, nil, 0)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// nest puts value at path inside an otherwise empty body.
func nest(path []string, value any) map[string]any {
	body := map[string]any{}
	cur := body
	for i, name := range path {
		if i == len(path)-1 {
			cur[name] = value
			break
		}
		next := map[string]any{}
		cur[name] = next
		cur = next
	}
	return body
}

// contractPath puts a plausible value in each path parameter.
func contractPath(path, slug string) string {
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		b.WriteByte('/')
		switch {
		case seg == "{org}":
			b.WriteString(slug)
		case strings.HasPrefix(seg, "{"):
			b.WriteString("0190a0a0-0000-7000-8000-000000000001")
		default:
			b.WriteString(seg)
		}
	}
	return b.String()
}

// TestUniqueItemsOfAnyTypeNeverPanic: huma v2.37.2 panicked ("hash of
// unhashable type") on an object or array inside any uniqueItems array.
// Every such field of every operation now answers 422 naming the field.
func TestUniqueItemsOfAnyTypeNeverPanic(t *testing.T) {
	s := apptest.New(t, "sqlite")
	sc := s.NewSchool("uniq")
	root := s.NewPlatformAdmin("root@uniq.test")
	fields := uniqueFields(s.App.API)
	// The seven fields of the modules that existed when the panic was
	// found (member roles, assign-curators, replay types, the kb roles of
	// articles and templates on create and edit) must be among them.
	if len(fields) < 7 {
		t.Fatalf("found %d uniqueItems request fields, want at least 7: %v", len(fields), fields)
	}
	for _, f := range fields {
		for name, payload := range map[string]any{
			"objects": []any{map[string]any{}},
			"arrays":  []any{[]any{1}},
			"mixed":   []any{map[string]any{}, map[string]any{}, []any{}, []any{}},
		} {
			t.Run(f.String()+"/"+name, func(t *testing.T) {
				who := sc.People["admin"].Auth()
				if !strings.HasPrefix(f.op.Path, "/v1/orgs/{org}") {
					who = root.Auth()
				}
				r := s.WithT(t).Do(f.op.Method, contractPath(f.op.Path, sc.Slug), nest(f.path, payload), who,
					apptest.Header("If-Match", `"1"`), apptest.Header("Idempotency-Key", "uniq-"+name))
				r.ExpectProblem(http.StatusUnprocessableEntity)
				want := "body." + strings.Join(f.path, ".")
				if !strings.Contains(string(r.Body), `"location":"`+want) {
					t.Errorf("the 422 does not name %s: %s", want, r.Body)
				}
			})
		}
	}
	t.Logf("%d uniqueItems request fields checked", len(fields))
}

// TestRepeatedItemsAreRefused: with huma's own uniqueness check moved to the
// kernel, a repeat is still refused, naming the repeated item.
func TestRepeatedItemsAreRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc := s.NewSchool("repeats")
		admin := sc.People["admin"].Auth()
		before := s.Count("memberships", "")
		s.Do(http.MethodPost, sc.Path("/users"), map[string]any{"email": "new@repeats.test", "name": "Новый куратор",
			"password": "correct-Horse-battery-9", "roles": []string{"curator", "hr", "curator"}}, admin).
			ExpectProblem(http.StatusUnprocessableEntity, "body.roles[2]")
		if after := s.Count("memberships", ""); after != before {
			t.Errorf("a refused request changed the memberships: %d → %d", before, after)
		}
		s.Do(http.MethodPost, sc.Path("/events/replay"), map[string]any{"types": []string{"a.b", "a.b"}}, admin).
			ExpectProblem(http.StatusUnprocessableEntity, "body.types[1]")
		s.Do(http.MethodPost, sc.Path("/users"), map[string]any{"email": "new@repeats.test", "name": "Новый куратор",
			"password": "correct-Horse-battery-9", "roles": []string{"curator", "hr"}}, admin).Expect(http.StatusCreated)
	})
}

// TestEveryOperationHasValidExamples: each operation shows a request body
// (when it takes a JSON one) and a JSON success response as examples, and
// each example passes the same contract check as the API tests' exchanges.
func TestEveryOperationHasValidExamples(t *testing.T) {
	s := apptest.New(t, "sqlite")
	var failing []string
	for path, item := range s.App.API.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			if problems := exampleProblems(s.Contract, path, op); len(problems) > 0 {
				failing = append(failing, op.OperationID+": "+strings.Join(problems, "; "))
			}
		}
	}
	sort.Strings(failing)
	if len(failing) > 0 {
		t.Errorf("%d operations lack a valid example:\n%s", len(failing), strings.Join(failing, "\n"))
	}
}

func exampleProblems(c *apptest.Contract, path string, op *huma.Operation) []string {
	target := contractPath(path, "example-school")
	var problems []string
	if op.RequestBody != nil {
		if mt := op.RequestBody.Content["application/json"]; mt != nil {
			body, err := json.Marshal(mt.Example)
			switch {
			case mt.Example == nil:
				problems = append(problems, "no request example")
			case err != nil:
				problems = append(problems, "request example: "+err.Error())
			default:
				head := http.Header{"Content-Type": {"application/json"}}
				for _, p := range c.RequestBodyProblems(apptest.Exchange{Method: op.Method, Target: target, RequestHead: head, RequestBody: body}) {
					problems = append(problems, "request example "+p)
				}
			}
		}
	}
	for status, r := range op.Responses {
		code, err := strconv.Atoi(status)
		if err != nil || code >= 300 || r.Content["application/json"] == nil {
			continue
		}
		mt := r.Content["application/json"]
		body, err := json.Marshal(mt.Example)
		switch {
		case mt.Example == nil:
			problems = append(problems, "no "+status+" response example")
		case err != nil:
			problems = append(problems, status+" response example: "+err.Error())
		default:
			head := http.Header{"Content-Type": {"application/json"}}
			for _, p := range c.ResponseProblems(apptest.Exchange{Method: op.Method, Target: target, Status: code, Header: head, Body: body}) {
				problems = append(problems, status+" response example "+p)
			}
		}
	}
	return problems
}
