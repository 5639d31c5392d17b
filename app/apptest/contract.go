package apptest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/danielgtaylor/huma/v2"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// The contract check: every request an API test sends through Do, and the
// answer it gets, is held against the OpenAPI document the server itself
// serves. CI keeps that document equal to the committed
// openapi/openapi.yaml, so a module's tests check its part of the contract
// before the spec is even regenerated.
//
// An answer must be declared for its operation (status, content type, body
// schema, headers). A request the spec refuses must not succeed: the test
// may send it on purpose, but then the server must refuse it too (4xx);
// a 2xx means the server accepts something the spec says it does not.

// Contract validates exchanges against one OpenAPI document.
type Contract struct {
	validator validator.Validator
	spec      *huma.OpenAPI
}

var contracts struct {
	sync.Mutex
	byDoc map[string]*Contract
}

// ContractFor returns the validator of api's document, built once per
// process for each distinct document. The document is told apart by its
// operations and schema names, which is far cheaper than marshalling it for
// every test's server.
func ContractFor(api huma.API) (*Contract, error) {
	key := fingerprint(api.OpenAPI())
	contracts.Lock()
	defer contracts.Unlock()
	if c, ok := contracts.byDoc[key]; ok {
		return c, nil
	}
	doc, err := api.OpenAPI().MarshalJSON()
	if err != nil {
		return nil, err
	}
	c, err := NewContract(doc, api.OpenAPI())
	if err != nil {
		return nil, err
	}
	if contracts.byDoc == nil {
		contracts.byDoc = map[string]*Contract{}
	}
	contracts.byDoc[key] = c
	return c, nil
}

// fingerprint lists the document's operations and schema names.
func fingerprint(spec *huma.OpenAPI) string {
	var parts []string
	for path, item := range spec.Paths {
		for method, op := range map[string]*huma.Operation{
			"GET": item.Get, "PUT": item.Put, "POST": item.Post, "DELETE": item.Delete, "PATCH": item.Patch,
		} {
			if op != nil {
				parts = append(parts, method+" "+path+" "+op.OperationID)
			}
		}
	}
	if spec.Components != nil && spec.Components.Schemas != nil {
		for name := range spec.Components.Schemas.Map() {
			parts = append(parts, "schema "+name)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

// NewContract builds a validator for the document (JSON or YAML). spec, when
// given, is the same document as huma holds it, used to name operations in
// failure messages.
func NewContract(doc []byte, spec *huma.OpenAPI) (*Contract, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("apptest: the OpenAPI document does not load: %w", err)
	}
	schemas := &lazySchemaCache{}
	schemas.building.Store(true)
	v, errs := validator.NewValidator(d, config.WithFormatAssertions(), config.WithoutSecurityValidation(), config.WithSchemaCache(schemas))
	schemas.building.Store(false)
	if len(errs) > 0 {
		return nil, fmt.Errorf("apptest: the OpenAPI document does not build: %v", errs)
	}
	return &Contract{validator: v, spec: spec}, nil
}

// lazySchemaCache compiles a schema when a test first needs it. The
// validator compiles every schema of the document up front unless its cache
// already holds them; while it is being built this cache claims to hold
// them all (with no entry), and the validation paths compile what they find
// missing. A test package touches a fraction of the schemas, and compiling
// all of them took seconds (tens of seconds under -race) per package.
type lazySchemaCache struct {
	building atomic.Bool
	m        sync.Map
}

func (c *lazySchemaCache) Load(key uint64) (*cache.SchemaCacheEntry, bool) {
	if v, ok := c.m.Load(key); ok {
		return v.(*cache.SchemaCacheEntry), true
	}
	return nil, c.building.Load()
}

func (c *lazySchemaCache) Store(key uint64, value *cache.SchemaCacheEntry) {
	if value != nil {
		c.m.Store(key, value)
	}
}

func (c *lazySchemaCache) Range(f func(key uint64, value *cache.SchemaCacheEntry) bool) {
	c.m.Range(func(k, v any) bool { return f(k.(uint64), v.(*cache.SchemaCacheEntry)) })
}

// Exchange is one request and the answer it got, as sent and received.
type Exchange struct {
	Method      string
	Target      string // path and query
	RequestHead http.Header
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
}

// Check returns what is wrong with the exchange by the contract, or "" when
// nothing is. Requests outside the spec (/metrics, the spec documents, an
// unknown route or method) are not the contract's business.
func (c *Contract) Check(x Exchange) string {
	resp := &http.Response{StatusCode: x.Status, Header: x.Header, Body: io.NopCloser(bytes.NewReader(x.Body)), Request: x.request()}
	ok, respErrs := c.validator.ValidateHttpResponse(x.request(), resp)
	if !ok && outsideSpec(respErrs) {
		return ""
	}
	var problems []string
	if !ok {
		problems = append(problems, "response does not match the OpenAPI spec:")
		problems = append(problems, describe(respErrs)...)
	}
	if x.Status < 400 && !c.checksItemsOneByOne(x) {
		if ok, reqErrs := c.validator.ValidateHttpRequestSync(x.request()); !ok {
			problems = append(problems, "the server accepted a request the OpenAPI spec refuses:")
			problems = append(problems, describe(reqErrs)...)
		}
	}
	if len(problems) == 0 {
		return ""
	}
	path := x.Target
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	head := fmt.Sprintf("contract: operation %s, %s %s, status %d: ", c.operationID(respErrs, x), x.Method, path, x.Status)
	body := x.Body
	if len(body) > 600 {
		body = append(body[:600:600], []byte("…")...)
	}
	return head + strings.Join(problems, "\n  ") + "\n  body: " + string(body)
}

// ResponseProblems lists what is wrong with the exchange's response alone.
func (c *Contract) ResponseProblems(x Exchange) []string {
	resp := &http.Response{StatusCode: x.Status, Header: x.Header, Body: io.NopCloser(bytes.NewReader(x.Body)), Request: x.request()}
	if ok, errs := c.validator.ValidateHttpResponse(x.request(), resp); !ok {
		return describe(errs)
	}
	return nil
}

// RequestBodyProblems lists what is wrong with the exchange's request body
// alone.
func (c *Contract) RequestBodyProblems(x Exchange) []string {
	if ok, errs := c.validator.GetRequestBodyValidator().ValidateRequestBody(x.request()); !ok {
		return describe(errs)
	}
	return nil
}

func (x Exchange) request() *http.Request {
	r := httptest.NewRequest(x.Method, x.Target, bytes.NewReader(x.RequestBody))
	for k, v := range x.RequestHead {
		r.Header[k] = v
	}
	return r
}

// outsideSpec reports whether the validator could not place the request in
// the spec at all.
func outsideSpec(errs []*verrors.ValidationError) bool {
	for _, e := range errs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			return true
		}
	}
	return false
}

// describe lists each mismatch with the field it is about.
func describe(errs []*verrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		line := "- " + e.Message
		if e.ParameterName != "" {
			line += " (parameter " + e.ParameterName + ")"
		}
		if len(e.SchemaValidationErrors) == 0 && e.Reason != "" && e.Reason != e.Message {
			line += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" {
				where = "$"
			}
			line += "\n    at " + where + ": " + f.Reason
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// ItemsCheckedOneByOne is the OpenAPI extension of an operation that takes
// a batch and judges each item on its own (the LMS's events): a batch with
// wrong items is answered 200 with each item's verdict, so the server
// accepting it is no contract breach.
const ItemsCheckedOneByOne = "x-items-checked-one-by-one"

func (c *Contract) checksItemsOneByOne(x Exchange) bool {
	op := c.operation(matchPath(c.spec, x.Target), x.Method)
	return op != nil && op.Extensions[ItemsCheckedOneByOne] == true
}

// operation is the spec's operation of method on the path template.
func (c *Contract) operation(specPath, method string) *huma.Operation {
	if c.spec == nil || c.spec.Paths[specPath] == nil {
		return nil
	}
	item := c.spec.Paths[specPath]
	for _, op := range []*huma.Operation{item.Get, item.Head, item.Post, item.Put, item.Patch, item.Delete} {
		if op != nil && op.Method == method {
			return op
		}
	}
	return nil
}

// operationID names the operation the exchange belongs to.
func (c *Contract) operationID(errs []*verrors.ValidationError, x Exchange) string {
	if c.spec == nil {
		return "?"
	}
	specPath := ""
	for _, e := range errs {
		if e.SpecPath != "" {
			specPath = e.SpecPath
			break
		}
	}
	if specPath == "" {
		specPath = matchPath(c.spec, x.Target)
	}
	if op := c.operation(specPath, x.Method); op != nil {
		return op.OperationID
	}
	return "?"
}

// matchPath finds the spec path template the request path fits, preferring
// literal segments over parameters.
func matchPath(spec *huma.OpenAPI, target string) string {
	if i := strings.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	segs := strings.Split(target, "/")
	best, bestLiterals := "", -1
	for tmpl := range spec.Paths {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		literals := 0
		fits := true
		for i := range ts {
			switch {
			case strings.HasPrefix(ts[i], "{"):
			case ts[i] == segs[i]:
				literals++
			default:
				fits = false
			}
		}
		if fits && literals > bestLiterals {
			best, bestLiterals = tmpl, literals
		}
	}
	return best
}

// Transport returns an http.RoundTripper that serves requests with the
// server's handler in memory and checks each exchange against the contract
// as Do does: for clients generated from the spec.
func (s *Server) Transport() http.RoundTripper { return roundTripper{s} }

type roundTripper struct{ s *Server }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	in := httptest.NewRequest(req.Method, req.URL.RequestURI(), bytes.NewReader(body))
	in.Header = req.Header.Clone()
	rec := httptest.NewRecorder()
	rt.s.App.Handler().ServeHTTP(rec, in.WithContext(req.Context()))
	if rt.s.Contract != nil {
		if msg := rt.s.Contract.Check(Exchange{Method: req.Method, Target: req.URL.RequestURI(), RequestHead: req.Header,
			RequestBody: body, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}); msg != "" {
			rt.s.T.Errorf("%s", msg)
		}
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}
