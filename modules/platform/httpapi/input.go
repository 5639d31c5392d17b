package httpapi

import (
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// The input check refuses, before any handler runs, every string of a
// request that is not valid UTF-8 or holds control characters: a NUL byte
// makes SQLite fail with a syntax error and PostgreSQL refuse the text, and
// other control characters have no business in a name, an id or a filter.
// huma's schema checks come first; this one walks what they let through, so
// that no module has to remember it. Long text in a body may hold tab and
// line breaks; parameters (path, query, header) may hold none.

const (
	msgSingleLine = "must be valid UTF-8 without control characters"
	msgText       = "must be valid UTF-8 without control characters other than tab and line breaks"
	msgMapKeys    = "has a key that is not valid UTF-8 or holds control characters"
	// maxInputErrors bounds the problem a hostile body full of bad strings
	// can make us write.
	maxInputErrors = 100
)

// strictness says which control characters a string may hold.
type strictness int

const (
	singleLine strictness = iota // parameters: none
	text                         // body strings: tab, line feed, carriage return
)

func (s strictness) clean(v string) bool {
	if s == text {
		return validate.IsText(v)
	}
	return validate.IsSingleLine(v)
}

func (s strictness) message() string {
	if s == text {
		return msgText
	}
	return msgSingleLine
}

// inputCheck is the plan for one input type, worked out once when the
// operation is registered: where the strings are and how to name them.
type inputCheck struct {
	fields []checkedField
}

// checkedField is one parameter or the body of an input struct.
type checkedField struct {
	index    []int
	location string // "path.org", "query.status", "header.If-Match", "body"
	node     *stringNode
}

// newInputCheck plans the check of input type t, or returns nil when t holds
// no string a client could send.
func newInputCheck(t reflect.Type) *inputCheck {
	c := &inputCheck{}
	c.collect(t, nil)
	if len(c.fields) == 0 {
		return nil
	}
	return c
}

// collect finds the parameters and the body of an input struct, including
// those of embedded structs (OrgPath, PageQuery, IfMatch).
func (c *inputCheck) collect(t reflect.Type, prefix []int) {
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
		if !f.IsExported() {
			continue
		}
		location, strict := paramLocation(f), singleLine
		if location == "" && f.Name == "Body" {
			location, strict = "body", text
		}
		if location == "" {
			continue // RawBody and fields huma fills from elsewhere
		}
		if node := planType(f.Type, strict); node != nil {
			c.fields = append(c.fields, checkedField{index: index, location: location, node: node})
		}
	}
}

// paramLocation names a parameter field as huma does in its own errors.
func paramLocation(f reflect.StructField) string {
	for _, in := range []string{"path", "query", "header", "cookie"} {
		if name, ok := f.Tag.Lookup(in); ok {
			name, _, _ = strings.Cut(name, ",")
			if name == "" {
				name = f.Name
			}
			return in + "." + name
		}
	}
	return ""
}

// run checks the input and returns a validation error naming every bad
// string, or nil. The values themselves are never repeated: they may be
// passwords or personal data. A first pass only asks whether anything is
// wrong, which costs no allocation; the locations are worked out only for a
// request that will be refused.
func (c *inputCheck) run(in reflect.Value) error {
	if c.visit(in, nil) {
		return nil
	}
	var bad []errs.FieldError
	c.visit(in, &bad)
	return &errs.ValidationError{Fields: bad}
}

// visit walks every field; see stringNode.walk for what bad does.
func (c *inputCheck) visit(in reflect.Value, bad *[]errs.FieldError) bool {
	ok := true
	for i := range c.fields {
		f := &c.fields[i]
		v, found := fieldByIndex(in, f.index)
		if !found {
			continue
		}
		var at *pathStep
		if bad != nil {
			at = &pathStep{name: f.location}
		}
		if !f.node.walk(v, at, bad) {
			ok = false
			if bad == nil {
				return false
			}
		}
	}
	return ok
}

// fieldByIndex is reflect.Value.FieldByIndex that stops at a nil embedded
// pointer instead of panicking.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

// pathStep is one step of a field's location, linked to its parent so that
// the location string is only built for a bad field.
type pathStep struct {
	parent *pathStep
	name   string // a field or map key, or "" for an index
	index  int
}

// child is the step below p, or nil while only asking whether anything is
// wrong.
func (p *pathStep) child(name string, index int) *pathStep {
	if p == nil {
		return nil
	}
	return &pathStep{parent: p, name: name, index: index}
}

func (p *pathStep) String() string {
	if p.parent == nil {
		return p.name
	}
	if p.name == "" {
		return p.parent.String() + "[" + strconv.Itoa(p.index) + "]"
	}
	return p.parent.String() + "." + p.name
}

type nodeKind int

const (
	nodeString nodeKind = iota
	nodePointer
	nodeList
	nodeMap
	nodeStruct
	nodeAny
)

// stringNode says where the strings are inside one type.
type stringNode struct {
	kind   nodeKind
	strict strictness
	elem   *stringNode    // pointer, list and map values; nil when they hold no string
	keys   bool           // map keys are strings to check
	fields []structMember // struct fields that hold strings
}

type structMember struct {
	index int
	name  string // json name; "" for an embedded struct whose fields are promoted
	node  *stringNode
}

type planKey struct {
	t      reflect.Type
	strict strictness
}

// plans caches the node of every type already planned, so that recursive
// types terminate and dynamic values (inside `any`) are planned once.
var plans sync.Map // planKey → *stringNode (nil stored as noStrings)

var noStrings = &stringNode{}

// planType returns the node of t, or nil when no value of t holds a string.
func planType(t reflect.Type, strict strictness) *stringNode {
	key := planKey{t, strict}
	if n, ok := plans.Load(key); ok {
		return live(n.(*stringNode))
	}
	n := buildNode(t, strict, map[planKey]*stringNode{})
	if n == nil {
		n = noStrings
	}
	plans.Store(key, n)
	return live(n)
}

func live(n *stringNode) *stringNode {
	if n == noStrings {
		return nil
	}
	return n
}

// buildNode plans t; building holds the nodes of the types being planned,
// so that a type that contains itself points back at its own node.
func buildNode(t reflect.Type, strict strictness, building map[planKey]*stringNode) *stringNode {
	key := planKey{t, strict}
	if n, ok := building[key]; ok {
		return n
	}
	switch t.Kind() {
	case reflect.String:
		return &stringNode{kind: nodeString, strict: strict}
	case reflect.Interface:
		return &stringNode{kind: nodeAny, strict: strict}
	case reflect.Pointer:
		return wrap(nodePointer, buildNode(t.Elem(), strict, building), false)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes, not text
		}
		return wrap(nodeList, buildNode(t.Elem(), strict, building), false)
	case reflect.Map:
		keys := t.Key().Kind() == reflect.String
		return wrap(nodeMap, buildNode(t.Elem(), strict, building), keys)
	case reflect.Struct:
		return buildStruct(t, strict, building)
	}
	return nil
}

func wrap(kind nodeKind, elem *stringNode, keys bool) *stringNode {
	if elem == nil && !keys {
		return nil
	}
	return &stringNode{kind: kind, elem: elem, keys: keys}
}

func buildStruct(t reflect.Type, strict strictness, building map[planKey]*stringNode) *stringNode {
	n := &stringNode{kind: nodeStruct, strict: strict}
	building[planKey{t, strict}] = n
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			name = "" // promoted: its fields sit at this level, as in JSON
		} else if name == "" {
			name = f.Name
		}
		if child := buildNode(f.Type, strict, building); child != nil {
			n.fields = append(n.fields, structMember{index: i, name: name, node: child})
		}
	}
	if len(n.fields) == 0 {
		// time.Time and other structs whose content is not client text.
		return nil
	}
	return n
}

// walk checks the strings of v against n and reports whether all are clean.
// With bad nil it stops at the first bad string; otherwise it adds every bad
// one, located by at, to bad.
func (n *stringNode) walk(v reflect.Value, at *pathStep, bad *[]errs.FieldError) bool {
	if bad != nil && len(*bad) >= maxInputErrors {
		return false
	}
	switch n.kind {
	case nodeString:
		if !n.strict.clean(v.String()) {
			return refuse(at, n.strict.message(), bad)
		}
	case nodePointer:
		if !v.IsNil() {
			return n.elem.walk(v.Elem(), at, bad)
		}
	case nodeList:
		return n.walkList(v, at, bad)
	case nodeMap:
		return n.walkMap(v, at, bad)
	case nodeStruct:
		return n.walkStruct(v, at, bad)
	case nodeAny:
		if !v.IsNil() {
			return walkDynamic(v.Elem(), n.strict, at, bad)
		}
	}
	return true
}

// refuse records one bad value and reports it as not clean.
func refuse(at *pathStep, message string, bad *[]errs.FieldError) bool {
	if bad != nil {
		*bad = append(*bad, errs.FieldError{Location: at.String(), Message: message})
	}
	return false
}

func (n *stringNode) walkList(v reflect.Value, at *pathStep, bad *[]errs.FieldError) bool {
	ok := true
	for i := 0; i < v.Len(); i++ {
		if !n.elem.walk(v.Index(i), at.child("", i), bad) {
			ok = false
			if bad == nil {
				return false
			}
		}
	}
	return ok
}

func (n *stringNode) walkStruct(v reflect.Value, at *pathStep, bad *[]errs.FieldError) bool {
	ok := true
	for _, f := range n.fields {
		step := at
		if f.name != "" {
			step = at.child(f.name, 0)
		}
		if !f.node.walk(v.Field(f.index), step, bad) {
			ok = false
			if bad == nil {
				return false
			}
		}
	}
	return ok
}

func (n *stringNode) walkMap(v reflect.Value, at *pathStep, bad *[]errs.FieldError) bool {
	ok, keysReported := true, false
	for it := v.MapRange(); it.Next(); {
		if n.keys && !keysReported && !singleLine.clean(it.Key().String()) {
			// The key itself is not repeated, so the map is named instead.
			ok, keysReported = refuse(at, msgMapKeys, bad), true
			if bad == nil {
				return false
			}
			continue
		}
		if n.elem != nil && !n.elem.walk(it.Value(), at.child(it.Key().String(), 0), bad) {
			ok = false
			if bad == nil {
				return false
			}
		}
	}
	return ok
}

// walkDynamic checks a value held in an `any` (decoded JSON: maps, lists,
// strings, numbers) by planning its concrete type.
func walkDynamic(v reflect.Value, strict strictness, at *pathStep, bad *[]errs.FieldError) bool {
	if n := planType(v.Type(), strict); n != nil {
		return n.walk(v, at, bad)
	}
	return true
}
