package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"
)

func TestSchemaNamerGivesGeneratorsTypeNames(t *testing.T) {
	anonymous := reflect.TypeOf(struct{ A int }{})
	for _, c := range []struct {
		t    reflect.Type
		hint string
		want string
	}{
		// oapi-codegen calls its own wrapper ListCalendarsResponse.
		{anonymous, "list-calendarsResponse", "ListCalendarsResult"},
		{anonymous, "create-sla-policyRequest", "CreateSlaPolicyRequest"},
		{anonymous, "CreateCohortInputBody", "CreateCohortInputBody"},
		{reflect.TypeOf(rulesLine{}), "ignored", "RulesLine"},
		{reflect.TypeOf(&rulesLine{}), "ignored", "RulesLine"},
		{reflect.TypeOf(Page[rulesLine]{}), "ignored", "PageRulesLine"},
	} {
		if got := SchemaNamer(c.t, c.hint); got != c.want {
			t.Errorf("SchemaNamer(%v, %q) = %q, want %q", c.t, c.hint, got, c.want)
		}
	}
}

type rulesLine struct {
	Label string `json:"label"`
}

type rulesInput struct {
	IfMatch
	Filter string `query:"filter"`
	Body   struct {
		Roles  []string    `json:"roles,omitempty" maxItems:"5" uniqueItems:"true" nullable:"false"`
		Lines  []rulesLine `json:"lines,omitempty" maxItems:"5" uniqueItems:"true"`
		Note   *string     `json:"note,omitempty" maxLength:"10"`
		Maybe  *string     `json:"maybe,omitempty" nullable:"true" maxLength:"10"`
		Count  int64       `json:"count,omitempty"`
		Nested *struct {
			Tags []string `json:"tags,omitempty" maxItems:"5" uniqueItems:"true"`
		} `json:"nested,omitempty"`
	}
}

func rulesAPI(t *testing.T) (humatest.TestAPI, *int) {
	t.Helper()
	_, api := humatest.New(t)
	InstallProblemDetails(nil)
	DefineTag(api, "t", "Things.")
	calls := 0
	Register(api, Public(), huma.Operation{OperationID: "put-rules", Method: http.MethodPut, Path: "/rules", Summary: "s", Description: "d", Tags: []string{"t"}},
		func(_ context.Context, in *rulesInput) (*struct{}, error) {
			calls++
			return nil, nil
		})
	return api, &calls
}

type problemBody struct {
	Status int `json:"status"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

func expect422(t *testing.T, api humatest.TestAPI, body string, location string) problemBody {
	t.Helper()
	resp := api.Put("/rules", strings.NewReader(body))
	if resp.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%s: status %d, want 422; %s", body, resp.Code, resp.Body)
	}
	var p problemBody
	if err := json.Unmarshal(resp.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Errors {
		if e.Location == location {
			return p
		}
	}
	t.Fatalf("%s: no error at %s: %s", body, location, resp.Body)
	return p
}

// TestUniqueItemsOfAnyTypeAreRefusedNotPanicked: huma v2.37.2 hashes the
// items of a uniqueItems array before checking their type and panics on an
// object or an array; the kernel checks uniqueness itself.
func TestUniqueItemsOfAnyTypeAreRefusedNotPanicked(t *testing.T) {
	api, calls := rulesAPI(t)
	expect422(t, api, `{"roles":[{}]}`, "body.roles[0]")
	expect422(t, api, `{"roles":[[1],[1]]}`, "body.roles[0]")
	expect422(t, api, `{"lines":[[1]]}`, "body.lines[0]")
	expect422(t, api, `{"nested":{"tags":[{"a":1}]}}`, "body.nested.tags[0]")

	p := expect422(t, api, `{"roles":["a","b","a"]}`, "body.roles[2]")
	if !strings.Contains(p.Errors[0].Message, "repeats item 0") {
		t.Errorf("the message does not point at the first occurrence: %+v", p.Errors)
	}
	expect422(t, api, `{"lines":[{"label":"x"},{"label":"x"}]}`, "body.lines[1]")
	expect422(t, api, `{"nested":{"tags":["x","x"]}}`, "body.nested.tags[1]")
	if *calls != 0 {
		t.Fatalf("a refused request reached the handler %d times", *calls)
	}
	if resp := api.Put("/rules", strings.NewReader(`{"roles":["a","b"],"lines":[{"label":"x"},{"label":"y"}]}`)); resp.Code != http.StatusNoContent {
		t.Fatalf("unique items: status %d; %s", resp.Code, resp.Body)
	}

	// The spec still says uniqueItems.
	spec, err := json.Marshal(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(spec), `"uniqueItems":true`); n != 3 {
		t.Errorf("the spec has %d uniqueItems, want 3", n)
	}
}

// TestNullOnlyWhereTheSpecSaysNull: a null for a property the spec types
// without null is refused naming it; a nullable one takes null.
func TestNullOnlyWhereTheSpecSaysNull(t *testing.T) {
	api, calls := rulesAPI(t)
	p := expect422(t, api, `{"note":null}`, "body.note")
	if !strings.Contains(p.Errors[0].Message, "must not be null") {
		t.Errorf("message %q", p.Errors[0].Message)
	}
	expect422(t, api, `{"roles":null}`, "body.roles")
	expect422(t, api, `{"nested":{"tags":[null]}}`, "body.nested.tags[0]")
	if *calls != 0 {
		t.Fatalf("a refused request reached the handler")
	}
	if resp := api.Put("/rules", strings.NewReader(`{"maybe":null,"note":"text null"}`)); resp.Code != http.StatusNoContent {
		t.Fatalf("a declared null was refused: %d %s", resp.Code, resp.Body)
	}
}

// TestIntegersAreBoundedInTheSpec: an integer without bounds gets the safe
// ones, so an oversized number is a 422 naming the field, not Go's decoder
// error.
func TestIntegersAreBoundedInTheSpec(t *testing.T) {
	api, _ := rulesAPI(t)
	for _, body := range []string{`{"count":1e300}`, `{"count":9223372036854775808}`, `{"count":-9007199254740993}`} {
		p := expect422(t, api, body, "body.count")
		for _, e := range p.Errors {
			if strings.Contains(e.Message, "int64") || strings.Contains(e.Message, "Go ") {
				t.Errorf("%s: the message shows Go types: %q", body, e.Message)
			}
		}
	}
	spec, _ := json.Marshal(api.OpenAPI())
	if !strings.Contains(string(spec), `"maximum":9007199254740991`) {
		t.Error("the spec does not bound count")
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	var v struct {
		Amount struct {
			Amount int8 `json:"amount"`
		} `json:"amount"`
	}
	err := unmarshalJSON([]byte(`{"amount":{"amount":300}}`), &v)
	if err == nil {
		t.Fatal("no error for an int8 of 300")
	}
	loc, msg := decodeErrorLocation("body", err.Error())
	if loc != "body.amount.amount" || strings.Contains(msg, "int8") {
		t.Errorf("location %q message %q", loc, msg)
	}
	if loc, msg := decodeErrorLocation("body", "unexpected end of JSON input"); loc != "body" || msg != "unexpected end of JSON input" {
		t.Errorf("a syntax error moved: %q %q", loc, msg)
	}
}

// TestStatusesFollowTheInput: what an operation takes decides the errors the
// spec declares for it.
func TestStatusesFollowTheInput(t *testing.T) {
	api, _ := rulesAPI(t)
	op := api.OpenAPI().Paths["/rules"].Put
	for _, status := range []string{"400", "412", "413", "415", "422", "428", "500"} {
		if op.Responses[status] == nil {
			t.Errorf("put-rules does not declare %s", status)
		}
	}
	for _, p := range op.Parameters {
		if p.In == "query" && !p.AllowEmptyValue {
			t.Errorf("query %s: an empty value is read as absent, but the spec does not allow it", p.Name)
		}
	}
	if mt := op.RequestBody.Content["application/json"]; mt.Example == nil {
		t.Error("put-rules has no request example")
	}
}

func TestSchemaNamerKeepsTwoModulesTypesApart(t *testing.T) {
	namer := NewSchemaNamer()
	mine := reflect.TypeOf(rulesLine{})
	theirs := reflect.TypeOf(huma.Schema{})
	if got := namer(mine, ""); got != "RulesLine" {
		t.Fatalf("first: %q", got)
	}
	if got := namer(mine, ""); got != "RulesLine" {
		t.Fatalf("the same type again: %q", got)
	}
	if got := namer(theirs, ""); got != "Schema" {
		t.Fatalf("another name: %q", got)
	}
	type Schema struct{}
	if got := namer(reflect.TypeOf(Schema{}), ""); got != "HttpapiSchema" {
		t.Fatalf("a second type named Schema: %q", got)
	}
}
