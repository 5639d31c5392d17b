package httpapi

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Every operation shows a request body (when it takes one) and a success
// response as examples in the spec, so that a reader, a generated client's
// docs or a mock server has a concrete exchange to start from. They are
// built from the schemas — a field's own example first, then its default or
// first allowed value, then a value of its format — so they follow the
// schemas as modules change them; the contract tests validate each one
// against its schema.

const exampleDepth = 8

// addExamples gives the operation's JSON request body and success responses
// an example where they have none.
func addExamples(api huma.API, op *huma.Operation) {
	reg := api.OpenAPI().Components.Schemas
	if op.RequestBody != nil {
		if mt := op.RequestBody.Content["application/json"]; mt != nil && mt.Example == nil && mt.Schema != nil {
			mt.Example = exampleOf(reg, mt.Schema, 0)
		}
	}
	for status, r := range op.Responses {
		if !strings.HasPrefix(status, "2") || r == nil {
			continue
		}
		if mt := r.Content["application/json"]; mt != nil && mt.Example == nil && mt.Schema != nil {
			mt.Example = exampleOf(reg, mt.Schema, 0)
		}
	}
}

// exampleOf builds a value that the schema accepts.
func exampleOf(reg huma.Registry, s *huma.Schema, depth int) any {
	for s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
	}
	switch {
	case len(s.Examples) > 0:
		return s.Examples[0]
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.OneOf) > 0:
		return exampleOf(reg, s.OneOf[0], depth+1)
	case len(s.AnyOf) > 0:
		return exampleOf(reg, s.AnyOf[0], depth+1)
	}
	switch s.Type {
	case huma.TypeObject:
		return objectExample(reg, s, depth)
	case huma.TypeArray:
		return arrayExample(reg, s, depth)
	case huma.TypeString:
		return stringExample(s)
	case huma.TypeInteger, huma.TypeNumber:
		return numberExample(s)
	case huma.TypeBoolean:
		return true
	case "":
		return map[string]any{} // any JSON value
	}
	return nil
}

// arrayExample holds as many items as the array needs, strings told apart
// so that unique items stay unique.
func arrayExample(reg huma.Registry, s *huma.Schema, depth int) []any {
	out := []any{}
	if s.Items == nil || depth >= exampleDepth {
		return out
	}
	n := 1
	if s.MinItems != nil && *s.MinItems > n {
		n = *s.MinItems
	}
	for i := 0; i < n; i++ {
		item := exampleOf(reg, s.Items, depth+1)
		if str, ok := item.(string); ok && i > 0 {
			item = str + " " + strconv.Itoa(i+1)
		}
		out = append(out, item)
	}
	return out
}

func objectExample(reg huma.Registry, s *huma.Schema, depth int) map[string]any {
	out := map[string]any{}
	if depth >= exampleDepth {
		return out
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := s.Properties[name]
		if p.ReadOnly && depth == 0 {
			continue
		}
		if v := exampleOf(reg, p, depth+1); v != nil {
			out[name] = v
		}
	}
	return out
}

func numberExample(s *huma.Schema) any {
	v := 1.0
	if s.Minimum != nil && v < *s.Minimum {
		v = *s.Minimum
	}
	if s.ExclusiveMinimum != nil && v <= *s.ExclusiveMinimum {
		v = *s.ExclusiveMinimum + 1
	}
	if s.Maximum != nil && v > *s.Maximum {
		v = *s.Maximum
	}
	if s.Type == huma.TypeInteger {
		return int64(v)
	}
	return v
}

// formatExamples are values of the string formats the API uses.
var formatExamples = map[string]string{
	"date-time": "2026-03-02T09:00:00Z",
	"date":      "2026-03-02",
	"email":     "curator@school.example",
	"uri":       "https://lms.example.com/hooks/curatorops",
	"uuid":      "0190a0a0-0000-7000-8000-000000000001",
	"duration":  "PT1H",
}

// patternCandidates are tried, in order, against a string's pattern.
var patternCandidates = []string{
	"example", "example-school", `"1"`, "RUB", "Europe/Moscow", "+79991234567", "@curator_anna", "review.completed",
	"2026-03-02", "09:00", "10:00-19:00", "2026-03", "A1", "1", strings.Repeat("0123456789abcdef", 4),
}

func stringExample(s *huma.Schema) string {
	if v, ok := formatExamples[s.Format]; ok {
		return v
	}
	candidates := patternCandidates
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return "example"
		}
		var fitting []string
		for _, c := range candidates {
			if re.MatchString(c) {
				fitting = append(fitting, c)
			}
		}
		candidates = fitting
	}
	for _, c := range candidates {
		if fitsLength(s, c) {
			return c
		}
	}
	v := "example"
	if s.MinLength != nil {
		for len(v) < *s.MinLength {
			v += "x"
		}
	}
	if s.MaxLength != nil && len(v) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

func fitsLength(s *huma.Schema, v string) bool {
	n := len([]rune(v))
	return (s.MinLength == nil || n >= *s.MinLength) && (s.MaxLength == nil || n <= *s.MaxLength)
}
