package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/school"
)

// The input sweep sends hostile values into every parameter and top-level
// body field of every operation, as a caller the policy lets through, and
// asserts that none makes a server error and that a refusal changes nothing.

// badValue is one hostile value, as it goes into a URL and into a body.
type badValue struct {
	kind string
	text string // the value in a path, query or header parameter
	json any    // the value in a JSON body
}

var (
	nulValue  = badValue{"NUL", "a\x00b", "a\x00b"}
	hugeValue = badValue{"100 KB string", strings.Repeat("a", 100<<10), strings.Repeat("a", 100<<10)}
	farFuture = badValue{"year 9999", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"}
	farPast   = badValue{"year 1", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"}
	dayFuture = badValue{"year 9999", "9999-12-31", "9999-12-31"}
	dayPast   = badValue{"year 1", "0001-01-01", "0001-01-01"}
	negative  = badValue{"negative number", "-1", -1}
)

// badValuesFor picks the hostile values that fit a field: NUL and a huge
// string everywhere, out-of-range times where it holds a time, a negative
// number where it holds a number.
func badValuesFor(s *huma.Schema) []badValue {
	out := []badValue{nulValue, hugeValue}
	switch {
	case s == nil:
	case s.Format == "date-time":
		out = append(out, farFuture, farPast)
	case s.Format == "date":
		out = append(out, dayFuture, dayPast)
	case s.Type == "integer" || s.Type == "number":
		out = append(out, negative)
	}
	return out
}

// knownServerErrors lists the 5xx the sweep still finds, by
// "operation-id field value-kind", each with the module that must fix it.
// The org slug ("path.org") is resolved by the security middleware and is
// probed by TestOrgSlugWithControlCharacters, not here.
var knownServerErrors = map[string]string{}

// sweptField is one parameter or top-level body property of an operation.
type sweptField struct {
	in     string // path, query, header, body
	name   string
	schema *huma.Schema
}

func (f sweptField) String() string { return f.in + "." + f.name }

// inputSweep is what one run of the sweep needs.
type inputSweep struct {
	t        *testing.T
	s        *apptest.Server
	school   *apptest.School
	platform apptest.Actor
	schemas  huma.Registry
	tables   []string
	known    map[string]any // values the services accept, by field name
	// bases holds, by operation id, base body fields that need more than a
	// value by name: a school's own candidate, vacancy, submission or
	// member, or an item kind that needs no article.
	bases  map[string]map[string]any
	counts string // one query counting the rows of every table

	probes, refused, accepted, serverErrors, skipped int
	operations, fields                               int
	findings                                         []string
	baseRefused                                      []string
}

func TestEveryInputIsRefusedWithoutServerErrors(t *testing.T) {
	skipUnderRace(t)
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		w := &inputSweep{t: t, s: s, school: s.NewSchool("alpha"), platform: s.NewPlatformAdmin("root@platform.test"),
			schemas: s.App.API.OpenAPI().Components.Schemas}
		w.countEveryTable()
		w.knowValues()
		w.knowFixtures()
		for _, op := range operations(t, s) {
			w.sweep(op)
		}
		t.Logf("%d operations, %d fields, %d probes: %d refused with 4xx, %d accepted, %d server errors (%d known, skipped)",
			w.operations, w.fields, w.probes, w.refused, w.accepted, w.serverErrors, w.skipped)
		sort.Strings(w.findings)
		for _, f := range w.findings {
			t.Logf("accepted: %s", f)
		}
		for _, b := range w.baseRefused {
			t.Logf("base refused: %s", b)
		}
		if w.probes < w.operations {
			t.Fatal("the sweep sent fewer probes than there are operations: the walk is broken")
		}
	})
}

// knowValues gives the sampler what a schema cannot say: values the
// services accept (a real time zone, a time in the past, a school's own
// course, cohort and student), so that the base request of a create
// operation gets past its business rules and each probe tests one field.
func (w *inputSweep) knowValues() {
	w.known = map[string]any{
		"time_zone": "Europe/Moscow", "currency": "RUB", "role": "curator", "roles": "curator",
		"url": "https://example.com/hook", "q": "probe", "event_types": "*", "current_password": apptest.Password,
		"password": "Tallow-Meadow-Quarry-73",
		"sent_at":  "2026-03-02T08:00:00Z", "paid_at": "2026-03-02T08:00:00Z", "occurred_at": "2026-03-02T08:00:00Z",
		"submitted_at": "2026-03-02T08:00:00Z", "from": "2026-02-01T00:00:00Z", "to": "2026-03-01T00:00:00Z",
		"starts_on": "2026-03-02", "ends_on": "2026-06-01",
	}
	admin := w.school.People["admin"].Auth()
	create := func(path string, body map[string]any) string {
		var out struct {
			ID string `json:"id"`
		}
		w.s.Do(http.MethodPost, w.school.Path(path), body, admin).Expect(http.StatusCreated).Decode(&out)
		return out.ID
	}
	w.known["course_id"] = create("/courses", w.baseBody(w.s.App.API.OpenAPI().Paths[orgPrefix+"/courses"].Post))
	w.known["cohort_id"] = create("/cohorts", map[string]any{"course_id": w.known["course_id"], "name": "Probe cohort", "starts_on": "2026-03-02", "ends_on": "2026-06-01"})
	w.known["student_id"] = create("/students", map[string]any{"full_name": "Probe Student"})
}

// knowFixtures creates what the base requests of hiring and onboarding
// refer to, so that each of them gets past the rules that look the
// referenced rows up: an open vacancy and a candidate for an application,
// a homework submission for a calibration item, a member without a plan,
// a template item that needs no article, a member to recognise.
func (w *inputSweep) knowFixtures() {
	ctx, org := w.s.Ctx(), w.school.Org.ID
	people := w.school.People
	create := func(role, path string, body map[string]any) string {
		var out struct {
			ID string `json:"id"`
		}
		w.s.Do(http.MethodPost, w.school.Path(path), body, people[role].Auth()).Expect(http.StatusCreated).Decode(&out)
		return out.ID
	}
	vacancy := create("hr", "/hiring-vacancies", map[string]any{"title": "Probe vacancy", "headcount": 1, "pay_scheme": "Probe pay",
		"status": "open"})
	candidate := create("hr", "/hiring-candidates", map[string]any{"full_name": "Probe Candidate", "source": "job_site",
		"consent_expires_at": w.s.Clock.Now().AddDate(1, 0, 0).Format(time.RFC3339)})

	course, err := w.s.Services.School.CreateCourse(ctx, org, school.NewCourse{Title: "Probe homework", Modules: []school.NewModule{{Title: "Probe",
		Assignments: []school.NewAssignment{{Title: "Probe task", Kind: school.KindRegular, Source: ptr("lms"), ExternalID: ptr("probe-hw"),
			Rubric: []school.Criterion{{Key: "layout", Title: "Layout", MaxPoints: 10, Required: true}}}}}}})
	if err != nil {
		w.t.Fatal(err)
	}
	cohort, err := w.s.Services.School.CreateCohort(ctx, org, school.NewCohort{CourseID: course.Course.ID, Name: "Probe homework cohort",
		StartsOn: "2026-02-01", EndsOn: "2026-06-30", Status: school.CohortActive})
	if err != nil {
		w.t.Fatal(err)
	}
	st, err := w.s.Services.School.CreateStudent(ctx, org, school.StudentInput{FullName: "Probe Submitter",
		External: school.External{Source: ptr("lms"), ExternalID: ptr("probe-st")}})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.s.Services.School.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: cohort.ID,
		Status: school.EnrollmentActive}); err != nil {
		w.t.Fatal(err)
	}
	sub, err := w.s.Services.Homework.Submit(ctx, org, homework.NewSubmission{Source: "lms", ExternalID: "probe-sub",
		StudentExternalID: "probe-st", AssignmentExternalID: "probe-hw", SubmittedAt: w.s.Clock.Now().Add(-time.Hour),
		Content: homework.SubmissionContent{Text: "Probe work"}})
	if err != nil {
		w.t.Fatal(err)
	}

	// The plan's newcomer is nobody else's fixture: a plan gates its
	// holder from students.
	newcomer := w.s.NewMember(org, "newcomer@alpha.test", "curator")
	items := []map[string]any{{"key": "probe-task", "title": "Probe task", "kind": "task", "assignee": "newcomer", "day_offset": 1,
		"weight": 1}}
	create("hr", "/onboarding-templates", map[string]any{"role": "curator", "title": "Probe template", "items": items})
	w.bases = map[string]map[string]any{
		"create-hiring-application":      {"candidate_id": candidate, "vacancy_id": vacancy},
		"create-hiring-calibration-item": {"submission_id": sub.ID, "reference_score": 5},
		"create-onboarding-plan":         {"user_id": newcomer.UserID},
		// The school's curator template exists already: the base asks for
		// another role's.
		"create-onboarding-template": {"role": "senior_curator", "items": items},
		"create-recognition":         {"user_id": people["curator"].UserID},
	}
}

func ptr(s string) *string { return &s }

// countEveryTable prepares one statement that counts the rows of every
// table, so that a probe can show it changed nothing.
func (w *inputSweep) countEveryTable() {
	query := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if w.s.Dialect == "postgres" {
		query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
	}
	if err := w.s.DB.NewRaw(query).Scan(context.Background(), &w.tables); err != nil {
		w.t.Fatal(err)
	}
	if len(w.tables) == 0 {
		w.t.Fatal("no tables to count")
	}
	parts := make([]string, len(w.tables))
	for i, table := range w.tables {
		parts[i] = fmt.Sprintf(`(SELECT count(*) FROM "%s")`, table)
	}
	w.counts = "SELECT " + strings.Join(parts, ", ")
}

// rowCounts returns the number of rows of every table, by name. Failed
// sign-ins are counted on purpose (auth_throttle), so that table is left
// out.
func (w *inputSweep) rowCounts() map[string]int64 {
	w.t.Helper()
	values := make([]int64, len(w.tables))
	dest := make([]any, len(values))
	for i := range values {
		dest[i] = &values[i]
	}
	if err := w.s.DB.QueryRowContext(context.Background(), w.counts).Scan(dest...); err != nil {
		w.t.Fatal(err)
	}
	out := make(map[string]int64, len(values))
	for i, table := range w.tables {
		if table != "auth_throttle" {
			out[table] = values[i]
		}
	}
	return out
}

func changedTables(before, after map[string]int64) []string {
	var out []string
	for table, n := range after {
		if before[table] != n {
			out = append(out, fmt.Sprintf("%s %d→%d", table, before[table], n))
		}
	}
	sort.Strings(out)
	return out
}

// sweep probes every field of one operation with every bad value that fits.
func (w *inputSweep) sweep(op sweptOp) {
	spec := w.operation(op)
	if spec == nil {
		return
	}
	caller, ok := w.caller(op)
	if !ok {
		return
	}
	w.operations++
	fields := w.fieldsOf(spec)
	base := w.baseBody(spec)
	for k, v := range w.bases[op.id] {
		base[k] = v
	}
	w.checkBase(op, spec, caller, base)
	for _, f := range fields {
		w.fields++
		for _, v := range badValuesFor(f.schema) {
			w.probe(op, spec, caller, base, f, v)
		}
	}
}

func (w *inputSweep) operation(op sweptOp) *huma.Operation {
	item := w.s.App.API.OpenAPI().Paths[op.path]
	return map[string]*huma.Operation{
		http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
		http.MethodPatch: item.Patch, http.MethodDelete: item.Delete,
	}[op.method]
}

// caller returns how to authenticate as someone the policy lets call op:
// the school's admin when the admin may, otherwise the first role that may;
// a platform administrator for platform operations; a fresh person for
// operations on oneself (one of them may change the password or sign out).
func (w *inputSweep) caller(op sweptOp) (func() apptest.Option, bool) {
	switch {
	case op.public:
		return func() apptest.Option { return func(*http.Request) {} }, true
	case op.orgScoped():
		perm := op.perm(w.t)
		for _, role := range append([]string{"admin"}, authz.Roles...) {
			if w.s.App.Enforcer().Allowed([]string{role}, perm) {
				auth := w.school.People[role].Auth()
				return func() apptest.Option { return auth }, true
			}
		}
		w.t.Errorf("%s: no role may call it", op)
		return nil, false
	case op.platform():
		if !w.s.App.Enforcer().Allowed([]string{authz.PlatformAdmin}, op.perm(w.t)) {
			return nil, false
		}
		auth := w.platform.Auth()
		return func() apptest.Option { return auth }, true
	default:
		n := 0
		return func() apptest.Option {
			n++
			return w.s.NewMember(w.school.Org.ID, fmt.Sprintf("self%d-%s@alpha.test", n, op.id), "curator").Auth()
		}, true
	}
}

// fieldsOf lists the operation's parameters (but the school, which the
// security middleware resolves before any input is read) and the top-level
// properties of its JSON body.
func (w *inputSweep) fieldsOf(spec *huma.Operation) []sweptField {
	var out []sweptField
	for _, p := range spec.Parameters {
		if p.In == "path" && p.Name == "org" {
			continue
		}
		out = append(out, sweptField{in: p.In, name: p.Name, schema: w.resolve(p.Schema)})
	}
	body := w.bodySchema(spec)
	if body == nil {
		return out
	}
	names := make([]string, 0, len(body.Properties))
	for name := range body.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if prop := w.resolve(body.Properties[name]); !prop.ReadOnly {
			out = append(out, sweptField{in: "body", name: name, schema: prop})
		}
	}
	return out
}

func (w *inputSweep) bodySchema(spec *huma.Operation) *huma.Schema {
	if spec.RequestBody == nil {
		return nil
	}
	media := spec.RequestBody.Content["application/json"]
	if media == nil || media.Schema == nil {
		return nil
	}
	return w.resolve(media.Schema)
}

func (w *inputSweep) resolve(s *huma.Schema) *huma.Schema {
	if s != nil && s.Ref != "" {
		return w.schemas.SchemaFromRef(s.Ref)
	}
	return s
}

// baseBody is a body that passes the schema, so that a probe's one bad
// field is what the server sees; nil when the operation takes no JSON.
func (w *inputSweep) baseBody(spec *huma.Operation) map[string]any {
	body := w.bodySchema(spec)
	if body == nil {
		return nil
	}
	out := map[string]any{}
	for _, name := range body.Required {
		out[name] = w.sample(name, body.Properties[name], 0)
	}
	return out
}

// samples are tried in turn against a string's pattern.
var samples = []string{"probe", "probe-x", "2026-03", "18:00", "@probe_user", "RUB", "+79001234567", strings.Repeat("a", 64)}

// sample returns a value valid for schema s.
func (w *inputSweep) sample(name string, s *huma.Schema, depth int) any {
	s = w.resolve(s)
	if v, ok := w.known[name]; ok && s != nil && s.Type != "object" && s.Type != "array" {
		return v
	}
	switch {
	case s == nil || depth > 4:
		return nil
	case len(s.Examples) > 0:
		return s.Examples[0]
	case len(s.Enum) > 0:
		return s.Enum[0]
	}
	switch s.Type {
	case "string":
		return sampleString(s)
	case "integer", "number":
		switch {
		case s.Minimum != nil:
			return *s.Minimum
		case s.ExclusiveMinimum != nil:
			return *s.ExclusiveMinimum + 1
		}
		return 1
	case "boolean":
		return false
	case "array":
		n := 1
		if s.MinItems != nil && *s.MinItems > 1 {
			n = *s.MinItems
		}
		items := make([]any, n)
		for i := range items {
			items[i] = w.sample(name, s.Items, depth+1)
		}
		return items
	case "object":
		obj := map[string]any{}
		for _, prop := range s.Required {
			obj[prop] = w.sample(prop, s.Properties[prop], depth+1)
		}
		return obj
	}
	return nil
}

func sampleString(s *huma.Schema) string {
	switch s.Format {
	case "date-time":
		return "2026-03-02T10:00:00Z"
	case "date":
		return "2026-03-02"
	case "email":
		return "probe@example.com"
	case "uuid":
		return anyID
	case "uri":
		return "https://example.com/probe"
	}
	for _, v := range samples {
		if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(v) {
			continue
		}
		if s.MinLength != nil && len(v) < *s.MinLength {
			v += strings.Repeat("a", *s.MinLength-len(v))
		}
		return v
	}
	return "probe"
}

// request builds the URL and body of a probe: the base values everywhere
// and v in field f.
func (w *inputSweep) request(op sweptOp, spec *huma.Operation, base map[string]any, f sweptField, v badValue) (string, any, []apptest.Option) {
	path := fillPath(op.path, w.school.Slug, f, v)
	query := url.Values{}
	var opts []apptest.Option
	for _, p := range spec.Parameters {
		value, set := "", false
		if p.In == f.in && p.Name == f.name {
			value, set = v.text, true
		} else if _, known := w.known[p.Name]; (p.Required || known) && (p.In == "query" || p.In == "header") {
			value, set = fmt.Sprint(w.sample(p.Name, p.Schema, 0)), true
		}
		switch {
		case !set:
		case p.In == "query":
			query.Set(p.Name, value)
		case p.In == "header":
			opts = append(opts, apptest.Header(p.Name, value))
		}
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	if base == nil {
		if op.method == http.MethodGet || op.method == http.MethodDelete {
			return path, nil, opts
		}
		return path, op.body(), opts
	}
	body := make(map[string]any, len(base)+1)
	for k, val := range base {
		body[k] = val
	}
	if f.in == "body" {
		body[f.name] = v.json
	}
	raw, err := json.Marshal(body)
	if err != nil {
		w.t.Fatal(err)
	}
	return path, raw, opts
}

// fillPath fills the path parameters as the role sweep does, with v in the
// one probed.
func fillPath(path, slug string, f sweptField, v badValue) string {
	var b strings.Builder
	for rest := path; ; {
		open := strings.IndexByte(rest, '{')
		end := strings.IndexByte(rest, '}')
		if open < 0 || end < open {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:open])
		name := rest[open+1 : end]
		switch {
		case f.in == "path" && f.name == name:
			b.WriteString(url.PathEscape(v.text))
		case name == "org":
			b.WriteString(slug)
		case name == "role":
			b.WriteString("curator")
		case name == "format":
			b.WriteString("csv")
		default:
			b.WriteString(anyID)
		}
		rest = rest[end+1:]
	}
}

// probe sends one bad value and checks what came of it.
func (w *inputSweep) probe(op sweptOp, spec *huma.Operation, caller func() apptest.Option, base map[string]any, f sweptField, v badValue) {
	w.t.Helper()
	auth := caller()
	path, body, opts := w.request(op, spec, base, f, v)
	before := w.rowCounts()
	r := w.s.Do(op.method, path, body, append(opts, auth)...)
	changed := changedTables(before, w.rowCounts())
	w.probes++
	what := fmt.Sprintf("%s %s ← %s", op, f, v.kind)
	switch {
	case r.Code >= 500:
		w.serverErrors++
		if reason, known := knownServerErrors[op.id+" "+f.String()+" "+v.kind]; known {
			w.skipped++
			w.t.Logf("known server error (%s): %s", reason, what)
			return
		}
		w.t.Errorf("%s: status %d; body: %s", what, r.Code, r.Body)
	case r.Code >= 400:
		w.refused++
		if len(changed) > 0 {
			w.t.Errorf("%s: refused with %d but changed %v", what, r.Code, changed)
		}
	default:
		w.accepted++
		if v.kind == nulValue.kind {
			w.t.Errorf("%s: status %d: a NUL byte was accepted (changed %v)", what, r.Code, changed)
			return
		}
		// Every time on every entry point lies in [2000, 2100): no date of
		// year 9999 may be stored or used as a filter, nor one of year 1
		// stored. (0001-01-01T00:00:00Z is Go's zero time, which an optional
		// filter reads as "not given".)
		if v.kind == farFuture.kind || (v.kind == farPast.kind && len(changed) > 0) {
			w.t.Errorf("%s: status %d: a time outside 2000–2100 was accepted (changed %v)", what, r.Code, changed)
			return
		}
		w.findings = append(w.findings, fmt.Sprintf("%s: status %d, changed %v", what, r.Code, changed))
	}
}

// The school in the path is resolved by the security middleware before
// huma reads any input, so the kernel's input check never sees it; a slug
// no school can have must still be a plain 404 (or 422), never a 5xx.
func TestOrgSlugWithControlCharacters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		school := s.NewSchool("demo")
		admin := school.People["admin"].Auth()
		before := s.Count("audit_entries", "")
		for name, slug := range map[string]string{
			"NUL":           "demo%00",
			"control":       "demo%07",
			"invalid UTF-8": "demo%FF",
			"100 KB":        strings.Repeat("a", 100<<10),
		} {
			r := s.Do(http.MethodGet, "/v1/orgs/"+slug+"/students", nil, admin)
			if r.Code >= 500 || r.Code < 400 {
				t.Errorf("%s in the org slug: status %d, want 404 or 422; body: %s", name, r.Code, r.Body)
			}
		}
		if after := s.Count("audit_entries", ""); after != before {
			t.Errorf("refused requests wrote %d audit entries", after-before)
		}
	})
}

// checkBase sends the base request alone: when the schema refuses it, every
// probe of the operation is refused for the wrong reason and proves little.
func (w *inputSweep) checkBase(op sweptOp, spec *huma.Operation, caller func() apptest.Option, base map[string]any) {
	path, body, opts := w.request(op, spec, base, sweptField{}, badValue{})
	r := w.s.Do(op.method, path, body, append(opts, caller())...)
	if r.Code == http.StatusUnprocessableEntity {
		w.baseRefused = append(w.baseRefused, fmt.Sprintf("%s: %s", op, r.Body))
	}
}
