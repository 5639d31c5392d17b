package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// huma lets a null through wherever a body property is optional, and Go
// decodes it as if the property were absent, while the spec types the
// property without null. A generator or fuzzer that takes the spec at its
// word sees a server that accepts what the spec forbids. The kernel refuses
// such a null with a 422 naming the field, so that null is accepted exactly
// where the spec says [type, null].

const msgNull = "must not be null; leave the field out instead"

// refuseUndeclaredNulls is the operation middleware that reads a JSON body,
// refuses it when it holds a null the body's schema does not allow, and
// hands the same bytes on to huma otherwise.
func refuseUndeclaredNulls(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		schema := jsonBodySchema(ctx.Operation())
		if schema == nil || !isJSON(ctx.Header("Content-Type")) {
			next(ctx)
			return
		}
		raw, err := io.ReadAll(ctx.BodyReader())
		body := &bodyContext{humaContext: ctx, body: io.MultiReader(bytes.NewReader(raw), errorReader{err})}
		if err != nil || !bytes.Contains(raw, []byte("null")) {
			next(body)
			return
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			next(body) // huma names the syntax error
			return
		}
		var bad []error
		undeclaredNulls(api.OpenAPI().Components.Schemas, schema, v, "body", &bad)
		if len(bad) == 0 {
			next(body)
			return
		}
		sort.Slice(bad, func(i, j int) bool { return bad[i].(*huma.ErrorDetail).Location < bad[j].(*huma.ErrorDetail).Location })
		_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "validation failed", bad...)
	}
}

func jsonBodySchema(op *huma.Operation) *huma.Schema {
	if op == nil || op.RequestBody == nil {
		return nil
	}
	if mt := op.RequestBody.Content["application/json"]; mt != nil {
		return mt.Schema
	}
	return nil
}

func isJSON(contentType string) bool {
	return contentType == "" || strings.Contains(strings.ToLower(contentType), "json")
}

// undeclaredNulls adds an error for every null in v where schema does not
// allow one.
func undeclaredNulls(reg huma.Registry, s *huma.Schema, v any, at string, bad *[]error) {
	for s != nil && s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
	}
	if s == nil || len(*bad) >= maxInputErrors {
		return
	}
	switch val := v.(type) {
	case nil:
		if !allowsNull(reg, s) {
			*bad = append(*bad, &huma.ErrorDetail{Location: at, Message: msgNull})
		}
	case map[string]any:
		for k, item := range val {
			prop := s.Properties[k]
			if prop == nil {
				prop, _ = s.AdditionalProperties.(*huma.Schema)
			}
			undeclaredNulls(reg, prop, item, at+"."+k, bad)
		}
	case []any:
		for i, item := range val {
			undeclaredNulls(reg, s.Items, item, at+"["+strconv.Itoa(i)+"]", bad)
		}
	}
}

// allowsNull reports whether the schema admits null: typed so, or saying
// nothing about the type at all.
func allowsNull(reg huma.Registry, s *huma.Schema) bool {
	for s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
	}
	if s.Nullable || s.Type == "null" {
		return true
	}
	for _, group := range [][]*huma.Schema{s.OneOf, s.AnyOf} {
		for _, sub := range group {
			if allowsNull(reg, sub) {
				return true
			}
		}
	}
	return s.Type == "" && len(s.OneOf) == 0 && len(s.AnyOf) == 0 && len(s.AllOf) == 0
}

// humaContext lets bodyContext embed huma.Context, whose own Context method
// would clash with a field of that name.
type humaContext = huma.Context

// bodyContext is the request's context with its body already read.
type bodyContext struct {
	humaContext
	body io.Reader
}

func (c *bodyContext) BodyReader() io.Reader { return c.body }

// Unwrap gives adapters the context they wrap.
func (c *bodyContext) Unwrap() huma.Context { return c.humaContext }

// errorReader replays the error that ended the first read, so that huma
// answers a body cut by the size limit as it would have.
type errorReader struct{ err error }

func (r errorReader) Read([]byte) (int, error) {
	if r.err == nil {
		return 0, io.EOF
	}
	return 0, r.err
}
