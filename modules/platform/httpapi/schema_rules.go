package httpapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// huma v2.37.2 checks uniqueItems by using each array item as a map key
// before it checks the items' type, so `{"roles":[{}]}` panics with "hash of
// unhashable type" and answers 500. The spec keeps saying uniqueItems: true
// (through the schema's extensions, which huma writes out as they are), but
// huma's own check is switched off and the kernel checks uniqueness on the
// decoded input instead, where huma's type checks have already passed. Every
// other rule of the schema stays huma's.

const uniqueKeyword = "uniqueItems"

// maxSafeInteger bounds an integer the spec leaves unbounded: the largest
// integer every JSON client (JavaScript's numbers included) reads exactly.
// A larger number is refused as out of range, naming the field, before Go
// would fail to decode it into an int64.
const maxSafeInteger = 1<<53 - 1

// adjustSchemas fixes up every schema reachable from the operation once huma
// has built them: uniqueItems moves out of huma's runtime checks (but stays
// in the spec), an integer without bounds gets the safe ones, and a nullable
// enum lists null among its values.
func adjustSchemas(api huma.API, op *huma.Operation) {
	reg := api.OpenAPI().Components.Schemas
	seen := map[*huma.Schema]bool{}
	for _, p := range op.Parameters {
		if p == nil {
			continue
		}
		if p.In == "query" {
			// huma reads ?limit= as if limit were absent; the spec says so.
			p.AllowEmptyValue = true
		}
		adjustSchema(reg, p.Schema, seen)
	}
	if op.RequestBody != nil {
		for _, mt := range op.RequestBody.Content {
			if mt != nil {
				adjustSchema(reg, mt.Schema, seen)
			}
		}
	}
	for _, r := range op.Responses {
		for _, mt := range r.Content {
			if mt != nil {
				adjustSchema(reg, mt.Schema, seen)
			}
		}
	}
}

func adjustSchema(reg huma.Registry, s *huma.Schema, seen map[*huma.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if s.Ref != "" {
		adjustSchema(reg, reg.SchemaFromRef(s.Ref), seen)
	}
	if s.UniqueItems {
		s.UniqueItems = false
		if s.Extensions == nil {
			s.Extensions = map[string]any{}
		}
		s.Extensions[uniqueKeyword] = true
	}
	if s.Nullable && len(s.Enum) > 0 && !slices.Contains(s.Enum, any(nil)) {
		// A nullable field with a closed set of values: JSON Schema checks
		// enum apart from type, so null must be one of the values too.
		s.Enum = append(s.Enum, nil)
	}
	if s.Type == huma.TypeInteger && (s.Minimum == nil || s.Maximum == nil) {
		lo, hi := float64(-maxSafeInteger), float64(maxSafeInteger)
		if s.Minimum == nil {
			s.Minimum = &lo
		}
		if s.Maximum == nil {
			s.Maximum = &hi
		}
		s.PrecomputeMessages()
	}
	adjustSchema(reg, s.Items, seen)
	if extra, ok := s.AdditionalProperties.(*huma.Schema); ok {
		adjustSchema(reg, extra, seen)
	}
	for _, p := range s.Properties {
		adjustSchema(reg, p, seen)
	}
	for _, group := range [][]*huma.Schema{s.OneOf, s.AnyOf, s.AllOf} {
		for _, sub := range group {
			adjustSchema(reg, sub, seen)
		}
	}
	adjustSchema(reg, s.Not, seen)
}

// uniqueCheck finds, in a decoded input, the arrays tagged uniqueItems that
// repeat an item.
type uniqueCheck struct {
	fields []uniqueField
}

// uniqueField is a parameter or the body of an input struct that is, or
// holds, an array tagged uniqueItems.
type uniqueField struct {
	index    []int
	location string
	tagged   bool // the field itself is the array
}

// newUniqueCheck plans the check of input type t, or returns nil when no
// parameter or body field of t is tagged uniqueItems.
func newUniqueCheck(t reflect.Type) *uniqueCheck {
	c := &uniqueCheck{}
	c.collect(t, nil)
	if len(c.fields) == 0 {
		return nil
	}
	return c
}

// collect finds the parameters and the body of an input struct, as the
// input check does, keeping those where an array tagged uniqueItems can be.
func (c *uniqueCheck) collect(t reflect.Type, prefix []int) {
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		index := append(append([]int{}, prefix...), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && paramLocation(f) == "" {
			c.collect(f.Type, index)
			continue
		}
		location := paramLocation(f)
		if location == "" && f.Name == "Body" {
			location = "body"
		}
		if location == "" || !f.IsExported() {
			continue
		}
		if isUnique(f.Tag) || hasUnique(f.Type, map[reflect.Type]bool{}) {
			c.fields = append(c.fields, uniqueField{index: index, location: location, tagged: isUnique(f.Tag)})
		}
	}
}

// hasUnique reports whether a value of t can hold an array tagged
// uniqueItems.
func hasUnique(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return hasUnique(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if isUnique(f.Tag) || hasUnique(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

func isUnique(tag reflect.StructTag) bool { return tag.Get(uniqueKeyword) == "true" }

func (c *uniqueCheck) run(in reflect.Value) error {
	var bad []errs.FieldError
	for _, f := range c.fields {
		v, found := fieldByIndex(in, f.index)
		if !found {
			continue
		}
		if f.tagged {
			checkUnique(v, f.location, &bad)
		}
		walkUnique(v, f.location, &bad)
	}
	if len(bad) == 0 {
		return nil
	}
	return &errs.ValidationError{Fields: bad}
}

// walkUnique checks the arrays tagged uniqueItems inside v.
func walkUnique(v reflect.Value, at string, bad *[]errs.FieldError) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkUnique(v.Elem(), at, bad)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkUnique(v.Index(i), fmt.Sprintf("%s[%d]", at, i), bad)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walkUnique(it.Value(), at+"."+fmt.Sprint(it.Key().Interface()), bad)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			step := at
			if !(f.Anonymous && name == "") {
				if name == "" {
					name = f.Name
				}
				step = at + "." + name
			}
			if isUnique(f.Tag) {
				checkUnique(v.Field(i), step, bad)
			}
			walkUnique(v.Field(i), step, bad)
		}
	}
}

// checkUnique refuses an array that holds the same item twice, naming the
// repeat. Items are compared by their JSON form, which is how the client
// sent them and works for items of any type.
func checkUnique(v reflect.Value, at string, bad *[]errs.FieldError) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return
	}
	first := make(map[string]int, v.Len())
	for i := 0; i < v.Len(); i++ {
		key, err := json.Marshal(v.Index(i).Interface())
		if err != nil {
			continue
		}
		if j, dup := first[string(key)]; dup {
			*bad = append(*bad, errs.FieldError{Location: fmt.Sprintf("%s[%d]", at, i),
				Message: fmt.Sprintf("repeats item %d; the items must be unique", j)})
			continue
		}
		first[string(key)] = i
	}
}
