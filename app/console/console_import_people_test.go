package console_test

import (
	"bytes"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// TestConsoleImportPeople covers the students import, run as a job with
// its progress and report, and the administrator's forms on the people
// page, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: each result
// against the API's answer for the same input, each refusal with the API's
// status and words.
func TestConsoleImportPeople(t *testing.T) {
	for _, dialect := range testkit.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			site := newDemoSite(t, dialect)
			t.Run("students imported as a job", func(t *testing.T) { checkImport(t, site) })
			t.Run("roles granted and revoked, access disabled", func(t *testing.T) { checkPeopleForms(t, site) })
		})
	}
}

var (
	importCount = regexp.MustCompile(`<tr data-count="([a-z_]+)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>`)
	importErrRe = regexp.MustCompile(`<tr data-location="([^"]*)"><td class="num">([^<]*)</td><td><code>([^<]*)</code></td><td>([^<]*)</td>`)
	importState = regexp.MustCompile(`id="import-report" data-status="(\d+)" data-dry-run="(true|false)" data-applied="(true|false)"`)
	importProg  = regexp.MustCompile(`id="import-progress" data-done="(\d+)" data-total="(\d+)"`)
	peopleRow   = regexp.MustCompile(`<tr data-user="([0-9a-f-]{36})" data-version="(\d+)" data-status="([a-z]+)">`)
	jobTotal    = regexp.MustCompile(`id="job" data-kind="import" data-done="\d+" data-total="(\d+)"`)
	peopleErr   = regexp.MustCompile(`id="people-error">([^<]*)</p>`)
)

// apiImportReport is import-students' answer.
type apiImportReport struct {
	DryRun             bool `json:"dry_run"`
	Applied            bool `json:"applied"`
	Rows               int  `json:"rows"`
	StudentsCreated    int  `json:"students_created"`
	StudentsUpdated    int  `json:"students_updated"`
	EnrollmentsCreated int  `json:"enrollments_created"`
	Errors             []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// consoleReport is what the report on the job's page says, in the API's
// terms.
type consoleReport struct {
	status      int
	report      apiImportReport
	done, total int
	lines       []string // each refused row: line, column as shown
}

// postFile sends the import form as a browser does: multipart, with the
// file and the check-only box.
func (b *browser) postFile(path string, fields url.Values, filename, content string) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		_, _ = fw.Write([]byte(content))
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.site.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// runImport sends a file through the console's form and follows the job's
// page until it ended, then reads the report it shows. The job's address
// is returned too.
func runImport(t *testing.T, b *browser, token, name, csv string, dryRun bool) (consoleReport, string, page) {
	t.Helper()
	fields := url.Values{"csrf": {token}}
	if dryRun {
		fields.Set("dry_run", "1")
	}
	started := b.postFile("/console/demo/students/import", fields, name, csv)
	job := started.Header.Get("Location")
	if started.Status != http.StatusSeeOther || !strings.HasPrefix(job, "/console/demo/jobs/") {
		t.Fatalf("the import form: %d %q\n%s", started.Status, job, started.Body)
	}
	deadline := time.Now().Add(30 * time.Second)
	var p page
	for {
		p = b.get(job)
		if !strings.Contains(p.Body, `id="job"`) {
			break
		}
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `<meta http-equiv="refresh" content="1">`) {
			t.Fatalf("a running import's page: %d\n%s", p.Status, p.Body)
		}
		// While it runs, the bar counts the file's rows (once known).
		if m := jobTotal.FindStringSubmatch(p.Body); m != nil && m[1] != "0" && m[1] != strconv.Itoa(strings.Count(csv, "\n")-1) {
			t.Fatalf("a running import counts %s rows", m[1])
		}
		if time.Now().After(deadline) {
			t.Fatal("the import did not end in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkTexts(t, job, p.Body)
	st := importState.FindStringSubmatch(p.Body)
	if st == nil {
		t.Fatalf("the ended import shows no report: %d\n%s", p.Status, p.Body)
	}
	var out consoleReport
	out.status, _ = strconv.Atoi(st[1])
	if out.status != p.Status {
		t.Fatalf("the report says %d, the page answered %d", out.status, p.Status)
	}
	out.report.DryRun, out.report.Applied = st[2] == "true", st[3] == "true"
	for _, m := range importCount.FindAllStringSubmatch(p.Body, -1) {
		n, err := strconv.Atoi(strings.NewReplacer(" ", "", "\u00a0", "", ",", "").Replace(m[2]))
		if err != nil {
			t.Fatalf("count %s: %q", m[1], m[2])
		}
		switch m[1] {
		case "rows":
			out.report.Rows = n
		case "students_created":
			out.report.StudentsCreated = n
		case "students_updated":
			out.report.StudentsUpdated = n
		case "enrollments_created":
			out.report.EnrollmentsCreated = n
		}
	}
	for _, m := range importErrRe.FindAllStringSubmatch(p.Body, -1) {
		out.report.Errors = append(out.report.Errors, struct {
			Location string `json:"location"`
			Message  string `json:"message"`
		}{Location: html.UnescapeString(m[1]), Message: html.UnescapeString(m[4])})
		out.lines = append(out.lines, m[2]+" "+html.UnescapeString(m[3]))
	}
	if pr := importProg.FindStringSubmatch(p.Body); pr != nil {
		out.done, _ = strconv.Atoi(pr[1])
		out.total, _ = strconv.Atoi(pr[2])
	}
	return out, job, p
}

// apiImport sends the same file to import-students.
func apiImport(site *demoSite, bearer apptest.Option, csv string, dryRun bool) *apptest.Response {
	path := "/v1/orgs/demo/students/import"
	if dryRun {
		path += "?dry_run=true"
	}
	return site.Do(http.MethodPost, path, csv, bearer, apptest.Header("Content-Type", "text/csv"))
}

func sameReport(t *testing.T, what string, got, want apiImportReport) {
	t.Helper()
	for _, r := range []*apiImportReport{&got, &want} {
		if len(r.Errors) == 0 {
			r.Errors = nil // none shown is the API's empty list
		}
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	if !bytes.Equal(a, b) {
		t.Fatalf("%s: the console's report\n%s\nthe API's\n%s", what, a, b)
	}
}

// studentNames are the names of the students list-students finds by part
// of a name.
func studentNames(t *testing.T, site *demoSite, bearer apptest.Option, part string) []string {
	t.Helper()
	names := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/students?limit=100&name="+url.QueryEscape(part), nil, bearer).
		Expect(http.StatusOK)), "full_name")
	slices.Sort(names)
	return names
}

func checkImport(t *testing.T, site *demoSite) {
	b := site.browser(t)
	home := b.signIn("admin@demo.test")
	if !strings.Contains(home.Body, `href="/console/demo/students/import"`) {
		t.Fatal("the admin's home does not link the import")
	}
	bearer := apptest.Bearer(b.token())
	form := b.get("/console/demo/students/import")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `enctype="multipart/form-data"`) {
		t.Fatalf("the import form: %d\n%s", form.Status, form.Body)
	}
	checkTexts(t, "import form", form.Body)
	token := form.csrf(t)

	cohorts := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/cohorts?limit=1", nil, bearer).Expect(http.StatusOK), "id")
	if len(cohorts) == 0 {
		t.Fatal("the demo has no cohort")
	}
	good := "full_name,email,external_id,source,cohort_id,tariff,curator_email\n" +
		"Импортова Анна,anna.importova@example.test,imp-1,console-test," + cohorts[0] + ",basic,curator01@demo.test\n" +
		"Импортова Белла,bella.importova@example.test,imp-2,console-test,,,\n" +
		"Импортова Вера,,imp-3,console-test," + cohorts[0] + ",,\n"

	// Check only: the report is the API's dry run of the same file, and
	// nothing is written by either.
	dry, _, _ := runImport(t, b, token, "students.csv", good, true)
	var apiDry apiImportReport
	apiImport(site, bearer, good, true).Expect(http.StatusOK).Decode(&apiDry)
	sameReport(t, "dry run", dry.report, apiDry)
	if dry.status != http.StatusOK || !dry.report.DryRun || dry.report.StudentsCreated != 3 || dry.report.EnrollmentsCreated != 2 {
		t.Fatalf("dry run: %+v", dry)
	}
	if dry.done != 3 || dry.total != 3 {
		t.Fatalf("the dry run's progress ended at %d of %d, want 3 of 3", dry.done, dry.total)
	}
	if n := studentNames(t, site, bearer, "Импортова"); len(n) != 0 {
		t.Fatalf("a dry run wrote %v", n)
	}

	// Without the form's token no job starts and nothing is written.
	if p := b.postFile("/console/demo/students/import", url.Values{}, "students.csv", good); p.Status != http.StatusForbidden {
		t.Fatalf("an import without the CSRF token: %d", p.Status)
	}
	if p := b.postFile("/console/demo/students/import", url.Values{"csrf": {wrongToken(token)}}, "students.csv", good); p.Status != http.StatusForbidden {
		t.Fatalf("an import with a wrong CSRF token: %d", p.Status)
	}
	// No file, or an empty one: the form again, the field named.
	for _, name := range []string{"", "empty.csv"} {
		p := b.postFile("/console/demo/students/import", url.Values{"csrf": {token}}, name, "")
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="import-error"`) || !strings.Contains(p.Body, "(file)") {
			t.Fatalf("an import without a file (%q): %d\n%s", name, p.Status, p.Body)
		}
	}
	// A file over the server's body limit (1 MiB in tests, as for the
	// API's import) is refused before any handler reads it: 413.
	big := "full_name\n" + strings.Repeat("Импортова Большая\n", 40000)
	if p := b.postFile("/console/demo/students/import", url.Values{"csrf": {token}}, "big.csv", big); p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("a file over the body limit: %d", p.Status)
	}
	apiImport(site, bearer, big, true).Expect(http.StatusRequestEntityTooLarge)
	if n := studentNames(t, site, bearer, "Импортова"); len(n) != 0 {
		t.Fatalf("refused forms wrote %v", n)
	}

	// The real import: the students the API then lists, enrolled, audited
	// under the form's operation.
	real, job, _ := runImport(t, b, token, "students.csv", good, false)
	if real.status != http.StatusOK || !real.report.Applied || real.report.StudentsCreated != 3 || real.report.EnrollmentsCreated != 2 ||
		len(real.report.Errors) != 0 || real.done != 3 || real.total != 3 {
		t.Fatalf("import: %+v", real)
	}
	if got := studentNames(t, site, bearer, "Импортова"); !slices.Equal(got, []string{"Импортова Анна", "Импортова Белла", "Импортова Вера"}) {
		t.Fatalf("the API lists %v after the import", got)
	}
	enrolled := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/enrollments?limit=100&cohort_id="+cohorts[0], nil, bearer).Expect(http.StatusOK))
	audited := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/audit?limit=100&entity_type=student&action="+url.QueryEscape("console:import-students"),
		nil, bearer).Expect(http.StatusOK))
	if len(audited) != 3 {
		t.Fatalf("%d students audited under console:import-students, want 3", len(audited))
	}
	importedIDs := field(audited, "entity_id")
	n := 0
	for _, e := range enrolled {
		if slices.Contains(importedIDs, e["student_id"].(string)) {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d of the imported students are enrolled in the cohort, want 2", n)
	}
	// The same file again updates them: the API's dry run says so too.
	again, _, _ := runImport(t, b, token, "students.csv", good, true)
	apiImport(site, bearer, good, true).Expect(http.StatusOK).Decode(&apiDry)
	sameReport(t, "dry run of a known file", again.report, apiDry)
	if again.report.StudentsUpdated != 3 || again.report.StudentsCreated != 0 {
		t.Fatalf("the same file again: %+v", again.report)
	}

	// A file with wrong lines: nothing written, each refused row with its
	// line, column and message — the API's 422 report for the same file.
	bad := "full_name,email,birth_date,cohort_id,external_id,source\n" +
		"Неверова Ада,not-an-email,,,bad-1,console-test\n" +
		",,,,bad-2,console-test\n" +
		"Неверова Ева,,2099-13-40,,bad-3,console-test\n" +
		"Неверова Ира,,,not-a-uuid,bad-4,console-test\n"
	refused, _, p := runImport(t, b, token, "bad.csv", bad, false)
	var apiBad apiImportReport
	apiImport(site, bearer, bad, false).Expect(http.StatusUnprocessableEntity).Decode(&apiBad)
	sameReport(t, "refused file", refused.report, apiBad)
	if refused.status != http.StatusUnprocessableEntity || refused.report.Applied || len(refused.report.Errors) < 4 ||
		!strings.Contains(p.Body, `id="import-refused"`) {
		t.Fatalf("refused file: %+v", refused)
	}
	for _, want := range []string{"2 email", "3 full_name", "4 birth_date", "5 cohort_id"} {
		if !slices.Contains(refused.lines, want) {
			t.Errorf("the refused rows %v do not show line and column %q", refused.lines, want)
		}
	}
	if n := studentNames(t, site, bearer, "Неверова"); len(n) != 0 {
		t.Fatalf("a refused file wrote %v", n)
	}
	// A file wrong as a whole (an unknown column): the API's 422 problem,
	// its location shown.
	whole := "full_name,shoe_size\nАда,42\n"
	wrong, _, _ := runImport(t, b, token, "whole.csv", whole, false)
	var problem struct {
		Errors []struct {
			Location string `json:"location"`
		} `json:"errors"`
	}
	apiImport(site, bearer, whole, false).Expect(http.StatusUnprocessableEntity).Decode(&problem)
	if wrong.status != http.StatusUnprocessableEntity || len(problem.Errors) != 1 || len(wrong.report.Errors) != 1 ||
		wrong.report.Errors[0].Location != problem.Errors[0].Location || wrong.lines[0] != "1 shoe_size" {
		t.Fatalf("a file with an unknown column: %+v, the API's %+v", wrong, problem)
	}

	// The job is its starter's: the head (who may import too) does not
	// find it, and a curator may not import at all.
	head := site.browser(t)
	head.signIn("head@demo.test")
	if p := head.get(job); p.Status != http.StatusNotFound {
		t.Fatalf("another person's import job: %d", p.Status)
	}
	if p := head.get("/console/demo/students/import"); p.Status != http.StatusOK {
		t.Fatalf("the head's import form: %d", p.Status)
	}
	cur := site.browser(t)
	curHome := cur.signIn("curator01@demo.test")
	if strings.Contains(curHome.Body, "/students/import") {
		t.Fatal("a curator's home links the import")
	}
	if p := cur.get("/console/demo/students/import"); p.Status != http.StatusForbidden || !strings.Contains(p.Body, `data-status="403"`) {
		t.Fatalf("a curator's import form: %d", p.Status)
	}
	if p := cur.postFile("/console/demo/students/import", url.Values{"csrf": {curHome.csrf(t)}}, "students.csv",
		"full_name\nКураторова Запрет\n"); p.Status != http.StatusForbidden {
		t.Fatalf("a curator's import: %d", p.Status)
	}
	if p := cur.get(job); p.Status != http.StatusNotFound {
		t.Fatalf("a curator opening the admin's job: %d", p.Status)
	}
	if n := studentNames(t, site, bearer, "Кураторова"); len(n) != 0 {
		t.Fatalf("a curator's import wrote %v", n)
	}
}

// member is a person's membership as get-user shows it.
type member struct {
	Roles   []string `json:"roles"`
	Status  string   `json:"status"`
	Version int64    `json:"version"`
}

func getMember(t *testing.T, site *demoSite, bearer apptest.Option, id string) member {
	t.Helper()
	var m member
	site.Do(http.MethodGet, "/v1/orgs/demo/users/"+id, nil, bearer).Expect(http.StatusOK).Decode(&m)
	return m
}

// rowVersion is the version a person's row on the people page carries.
func rowVersion(t *testing.T, p page, id string) string {
	t.Helper()
	for _, m := range peopleRow.FindAllStringSubmatch(p.Body, -1) {
		if m[1] == id {
			return m[2]
		}
	}
	t.Fatalf("the people page has no row of %s", id)
	return ""
}

func checkPeopleForms(t *testing.T, site *demoSite) {
	b := site.browser(t)
	b.signIn("admin@demo.test")
	bearer := apptest.Bearer(b.token())
	list := b.get("/console/demo/people")
	checkTexts(t, "people", list.Body)
	if p := b.get("/console/demo/people?role=wizard"); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("people by an unknown role: %d", p.Status)
	}
	token := list.csrf(t)
	curator := userID(t, site, bearer, "curator02@demo.test")
	admin := userID(t, site, bearer, "admin@demo.test")
	// Each row is the API's person at the API's version.
	if v := rowVersion(t, list, curator); v != strconv.FormatInt(getMember(t, site, bearer, curator).Version, 10) {
		t.Fatalf("curator02's row carries version %s", v)
	}

	post := func(path string, form url.Values) page {
		form.Set("csrf", token)
		return b.post("/console/demo/people/"+path, form)
	}
	// Grant: the API's get-user then shows the role, audited under the
	// form's operation.
	old := rowVersion(t, list, curator)
	if p := post(curator+"/roles", url.Values{"version": {old}, "role": {"senior_curator"}}); p.Status != http.StatusSeeOther ||
		!strings.Contains(p.Header.Get("Location"), "done=granted") {
		t.Fatalf("grant a role: %d\n%s", p.Status, p.Body)
	}
	if m := getMember(t, site, bearer, curator); !slices.Contains(m.Roles, "senior_curator") {
		t.Fatalf("after the grant the API shows %v", m.Roles)
	}
	// Granting a role she holds changes nothing (no new version), and the
	// answer goes back to the filtered page the form was sent from.
	held := getMember(t, site, bearer, curator)
	if p := post(curator+"/roles", url.Values{"version": {strconv.FormatInt(held.Version, 10)}, "role": {"senior_curator"},
		"filter_role": {"curator"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Header.Get("Location"), "role=curator") {
		t.Fatalf("grant a held role: %d %q", p.Status, p.Header.Get("Location"))
	}
	if m := getMember(t, site, bearer, curator); m.Version != held.Version {
		t.Fatalf("granting a held role moved the version from %d to %d", held.Version, m.Version)
	}
	if n := len(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/audit?entity_id="+curator+"&action="+url.QueryEscape("console:grant-role"), nil, bearer).
		Expect(http.StatusOK))); n != 1 {
		t.Fatalf("%d audit entries of the grant", n)
	}
	// The old version is stale now: 412, shown on the page, nothing done.
	if p := post(curator+"/roles", url.Values{"version": {old}, "role": {"hr"}}); p.Status != http.StatusPreconditionFailed ||
		!peopleErr.MatchString(p.Body) {
		t.Fatalf("a grant with a stale version: %d\n%s", p.Status, p.Body)
	}
	if m := getMember(t, site, bearer, curator); slices.Contains(m.Roles, "hr") {
		t.Fatal("a stale grant was made")
	}
	// Revoke with the page's current version: the API no longer shows it.
	list = b.get("/console/demo/people")
	if p := post(curator+"/roles/revoke", url.Values{"version": {rowVersion(t, list, curator)}, "role": {"senior_curator"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke a role: %d\n%s", p.Status, p.Body)
	}
	if m := getMember(t, site, bearer, curator); !slices.Equal(m.Roles, []string{"curator"}) {
		t.Fatalf("after the revocation the API shows %v", m.Roles)
	}
	// A member keeps one role: the API's 409 and its words, on the page.
	list = b.get("/console/demo/people")
	cv := rowVersion(t, list, curator)
	p := post(curator+"/roles/revoke", url.Values{"version": {cv}, "role": {"curator"}})
	apiOnly := site.Do(http.MethodDelete, "/v1/orgs/demo/users/"+curator+"/roles/curator", nil, bearer, apptest.Header("If-Match", `"`+cv+`"`))
	checkRefusal(t, "revoke the only role", p, apiOnly, http.StatusConflict)
	// The last admin: revoking her admin role or disabling her is the
	// API's 409.
	adminRow := rowVersion(t, list, admin)
	site.Do(http.MethodPut, "/v1/orgs/demo/users/"+admin+"/roles/hr", nil, bearer, apptest.Header("If-Match", `"`+adminRow+`"`)).Expect(http.StatusOK)
	list = b.get("/console/demo/people")
	adminRow = rowVersion(t, list, admin)
	p = post(admin+"/roles/revoke", url.Values{"version": {adminRow}, "role": {"admin"}})
	apiLast := site.Do(http.MethodDelete, "/v1/orgs/demo/users/"+admin+"/roles/admin", nil, bearer, apptest.Header("If-Match", `"`+adminRow+`"`))
	checkRefusal(t, "revoke the last admin", p, apiLast, http.StatusConflict)
	p = post(admin+"/status", url.Values{"version": {adminRow}, "status": {"disabled"}})
	apiLast = site.Do(http.MethodPatch, "/v1/orgs/demo/users/"+admin, map[string]string{"status": "disabled"}, bearer,
		apptest.Header("If-Match", `"`+adminRow+`"`))
	checkRefusal(t, "disable the last admin", p, apiLast, http.StatusConflict)
	if m := getMember(t, site, bearer, admin); !slices.Contains(m.Roles, "admin") || m.Status != "active" {
		t.Fatalf("the last admin is now %+v", m)
	}
	// Disable and enable again, as update-user does.
	if p := post(curator+"/status", url.Values{"version": {cv}, "status": {"disabled"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d\n%s", p.Status, p.Body)
	}
	m := getMember(t, site, bearer, curator)
	if m.Status != "disabled" {
		t.Fatalf("after disabling the API shows %q", m.Status)
	}
	list = b.get("/console/demo/people")
	if v := rowVersion(t, list, curator); v != strconv.FormatInt(m.Version, 10) || !strings.Contains(list.Body, `data-user="`+curator+`" data-version="`+v+`" data-status="disabled"`) {
		t.Fatalf("the disabled row: version %s, the API's %d", v, m.Version)
	}
	if p := post(curator+"/status", url.Values{"version": {cv}, "status": {"active"}}); p.Status != http.StatusPreconditionFailed {
		t.Fatalf("enable with a stale version: %d", p.Status)
	}
	if p := post(curator+"/status", url.Values{"version": {strconv.FormatInt(m.Version, 10)}, "status": {"active"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("enable: %d\n%s", p.Status, p.Body)
	}
	if m := getMember(t, site, bearer, curator); m.Status != "active" {
		t.Fatalf("after enabling the API shows %q", m.Status)
	}

	// Bad ids 404, as from the API; a bad role or status 422 naming it; no
	// version 422.
	v := strconv.FormatInt(getMember(t, site, bearer, curator).Version, 10)
	for path, want := range map[string]int{
		"not-an-id/roles": http.StatusNotFound,
		"00000000-0000-0000-0000-000000000000/roles":  http.StatusNotFound,
		"00000000-0000-0000-0000-000000000000/status": http.StatusNotFound,
		"1%27%20or%201=1/roles/revoke":                http.StatusNotFound,
	} {
		if p := post(path, url.Values{"version": {v}, "role": {"hr"}, "status": {"active"}}); p.Status != want {
			t.Errorf("%s: %d, want %d", path, p.Status, want)
		}
	}
	for _, c := range []struct{ path, field, value string }{
		{curator + "/roles", "role", "platform_admin"}, {curator + "/roles/revoke", "role", ""},
		{curator + "/status", "status", "gone"}, {curator + "/roles", "version", "x"},
	} {
		form := url.Values{"version": {v}, "role": {"hr"}, "status": {"active"}}
		form.Set(c.field, c.value)
		if p := post(c.path, form); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, c.field) {
			t.Errorf("%s with %s=%q: %d", c.path, c.field, c.value, p.Status)
		}
	}
	// Without the token nothing changes.
	if p := b.post("/console/demo/people/"+curator+"/roles", url.Values{"version": {v}, "role": {"hr"}}); p.Status != http.StatusForbidden {
		t.Fatalf("a grant without the CSRF token: %d", p.Status)
	}
	if m := getMember(t, site, bearer, curator); !slices.Equal(m.Roles, []string{"curator"}) {
		t.Fatalf("refused forms changed the roles: %v", m.Roles)
	}

	// HR reads people but holds none of the forms' permissions: no forms,
	// and each POST is the 403 page.
	hr := site.browser(t)
	hr.signIn("hr@demo.test")
	hp := hr.get("/console/demo/people")
	if hp.Status != http.StatusOK || strings.Contains(hp.Body, "grant-role") || strings.Contains(hp.Body, "/status\"") {
		t.Fatalf("HR's people page: %d, forms shown", hp.Status)
	}
	for _, path := range []string{curator + "/roles", curator + "/roles/revoke", curator + "/status"} {
		p := hr.post("/console/demo/people/"+path, url.Values{"csrf": {hp.csrf(t)}, "version": {v}, "role": {"hr"}, "status": {"disabled"}})
		if p.Status != http.StatusForbidden {
			t.Errorf("HR's %s: %d", path, p.Status)
		}
	}
	if m := getMember(t, site, bearer, curator); !slices.Equal(m.Roles, []string{"curator"}) || m.Status != "active" {
		t.Fatalf("HR's forms changed curator02: %+v", m)
	}
}

// checkRefusal compares a refused people form with the API's answer to
// the same change: the same status, and the API's words on the page.
func checkRefusal(t *testing.T, what string, p page, api *apptest.Response, want int) {
	t.Helper()
	var problem struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	api.Expect(want).Decode(&problem)
	m := peopleErr.FindStringSubmatch(p.Body)
	if p.Status != want || m == nil || !strings.Contains(html.UnescapeString(m[1]), problem.Detail) || problem.Detail == "" {
		t.Fatalf("%s: the console %d %v, the API %d %q", what, p.Status, m, api.Code, problem.Detail)
	}
}

// wrongToken differs from token in its first character.
func wrongToken(token string) string {
	if token[0] == '0' {
		return "1" + token[1:]
	}
	return "0" + token[1:]
}
