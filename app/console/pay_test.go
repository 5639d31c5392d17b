package console_test

import (
	"bytes"
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// TestConsolePay opens the pay pages on the demo school, where last month
// is exported and the current month is in review with curator01's
// dispute, on both databases: each page's table is the API's answer to
// the same person, the steps a status allows are shown only to the roles
// that may take them, and the forms take their steps.
func TestConsolePay(t *testing.T) {
	for _, dialect := range testkit.Dialects() {
		t.Run(dialect, func(t *testing.T) { testConsolePay(t, newDemoSite(t, dialect)) })
	}
}

func testConsolePay(t *testing.T, site *demoSite) {
	// In this order: the head's steps change the current month.
	for _, check := range []struct {
		name string
		fn   func(*testing.T, *demoSite)
	}{
		{"menu per role", checkPayMenu},
		{"head reads periods, a statement and a line's sources", checkPayHeadReads},
		{"curator reads her own pay only", checkPayCurator},
		{"curator disputes a line", checkPayDispute},
		{"forms without CSRF token are refused", checkPayCSRF},
		{"head resolves the dispute and approves", checkPayHeadSteps},
		{"finance exports and downloads", checkPayFinanceExports},
		{"malformed ids and cursors", checkPayMalformed},
		{"statements sorted and paged", checkPayStatementsSorted},
		{"long operations run as jobs", checkPayJobs},
		{"money in the language", checkPayLanguage},
	} {
		t.Run(check.name, func(t *testing.T) { check.fn(t, site) })
	}
}

var (
	payPeriodRow  = regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})"><td><a href="/console/demo/pay/periods/`)
	payStatement  = regexp.MustCompile(`<tr data-user="([0-9a-f-]{36})">`)
	payStep       = regexp.MustCompile(`data-step="([a-z-]+)"`)
	payLineRow    = regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})"><th scope="row">`)
	paySourceID   = regexp.MustCompile(`<td><code>([0-9a-f-]{36})</code></td>`)
	payVersion    = regexp.MustCompile(`data-version="(\d+)"`)
	payDisputeRow = regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})"><td>[^<]*</td><td>[^<]*</td>`)
	payNext       = regexp.MustCompile(`<a rel="next" href="([^"]+)"`)
	payDownload   = regexp.MustCompile(`href="(/console/demo/pay/periods/[0-9a-f-]{36}/exports/([a-z0-9-]+))"`)
)

// payAPI is the API's answer to the person the browser signed in as.
func payAPI(t *testing.T, site *demoSite, b *browser, path string, v any) {
	t.Helper()
	site.Do(http.MethodGet, "/v1/orgs/demo"+path, nil, apptest.Bearer(b.token())).Expect(http.StatusOK).Decode(v)
}

type apiPeriod struct {
	ID, Month, Status string
	Version           int64
}

// payPeriodsOf are the demo's periods as the API lists them: the current
// month first, then last month.
func payPeriodsOf(t *testing.T, site *demoSite, b *browser) []apiPeriod {
	t.Helper()
	var ps []apiPeriod
	payAPI(t, site, b, "/pay-periods", &ps)
	if len(ps) != 2 {
		t.Fatalf("the demo should have two pay periods: %+v", ps)
	}
	return ps
}

func signedIn(t *testing.T, site *demoSite, email string) *browser {
	b := site.browser(t)
	b.signIn(email)
	return b
}

// payRawKey is a catalog key of the pay pages shown instead of its text.
var payRawKey = regexp.MustCompile(`>[^<]*\b(?:pay|pay_[a-z]+|title|nav|common)\.[a-z_.-]+[^<]*<`)

// mustGet opens a page that must answer 200 with every text found.
func (b *browser) mustGet(path string) page {
	b.t.Helper()
	p := b.get(path)
	if p.Status != http.StatusOK {
		b.t.Fatalf("%s: %d\n%s", path, p.Status, p.Body)
	}
	if strings.Contains(p.Body, "%!") {
		b.t.Errorf("%s shows a formatting error", path)
	}
	if m := payRawKey.FindString(p.Body); m != "" {
		b.t.Errorf("%s shows a catalog key instead of its text: %s", path, m)
	}
	return p
}

// logTime logs the best of three times of a page, from the client, as
// the console's timing check does for the pages without an id.
func (b *browser) logTime(path string) {
	b.t.Helper()
	took := time.Hour
	for range 3 {
		start := time.Now()
		b.mustGet(path)
		took = min(took, time.Since(start))
	}
	b.t.Logf("%-50s %6.1f ms", path, float64(took.Microseconds())/1000)
}

func checkPayMenu(t *testing.T, site *demoSite) {
	for _, c := range []struct {
		email      string
		shows      []string
		hides      []string
		listStatus int
	}{
		{"head@demo.test", []string{"/console/demo/pay"}, []string{"/console/demo/pay/mine"}, http.StatusOK},
		{"finance@demo.test", []string{"/console/demo/pay"}, []string{"/console/demo/pay/mine"}, http.StatusOK},
		{"admin@demo.test", []string{"/console/demo/pay"}, []string{"/console/demo/pay/mine"}, http.StatusOK},
		{"curator01@demo.test", []string{"/console/demo/pay/mine"}, []string{"/console/demo/pay"}, http.StatusForbidden},
		{"hr@demo.test", nil, []string{"/console/demo/pay", "/console/demo/pay/mine"}, http.StatusForbidden},
	} {
		b := site.browser(t)
		home := b.signIn(c.email)
		for _, link := range c.shows {
			if !strings.Contains(home.Body, `href="`+link+`"`) {
				t.Errorf("%s's menu lacks %s", c.email, link)
			}
		}
		for _, link := range c.hides {
			if strings.Contains(home.Body, `href="`+link+`"`) {
				t.Errorf("%s's menu links %s", c.email, link)
			}
		}
		p := b.get("/console/demo/pay")
		if p.Status != c.listStatus {
			t.Errorf("%s on the periods list: %d, want %d", c.email, p.Status, c.listStatus)
		}
		if c.listStatus == http.StatusForbidden && !strings.Contains(p.Body, `data-status="403"`) {
			t.Errorf("%s should get the 403 page", c.email)
		}
	}
}

func checkPayHeadReads(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "head@demo.test")
	periods := payPeriodsOf(t, site, b)
	list := b.mustGet("/console/demo/pay")
	var want []string
	for _, p := range periods {
		want = append(want, p.ID)
	}
	if got := matches(payPeriodRow, list.Body); !slices.Equal(got, want) {
		t.Fatalf("periods list shows %v, the API %v", got, want)
	}
	if !strings.Contains(list.Body, `id="open-period"`) {
		t.Error("the head should have the form to open a month")
	}

	if periods[0].Status != "in_review" || periods[1].Status != "exported" {
		t.Fatalf("the demo should have the current month in review and last month exported: %+v", periods)
	}
	cur := periods[0]
	p := b.mustGet("/console/demo/pay/periods/" + cur.ID)
	// In review with an open dispute: the head may recalculate or approve
	// (refused until the dispute is resolved); finance's steps are not hers.
	if got := matches(payStep, p.Body); !slices.Equal(got, []string{"calculate", "approve"}) {
		t.Errorf("the head's steps in review: %v", got)
	}
	if m := payVersion.FindStringSubmatch(p.Body); m == nil || m[1] != itoa(cur.Version) {
		t.Errorf("the page should carry the period's version %d for If-Match", cur.Version)
	}
	var sts []struct {
		UserID string `json:"user_id"`
		Name   string
		Total  int64
		Lines  []struct {
			ID, Kind, Title string
		}
	}
	payAPI(t, site, b, "/pay-periods/"+cur.ID+"/statements", &sts)
	var users []string
	got, all, pages := b.statementPages("/console/demo/pay/periods/" + cur.ID)
	for _, s := range sts {
		users = append(users, s.UserID)
		if !strings.Contains(all, ">"+s.Name+"</a>") {
			t.Errorf("the statements table should name %s", s.Name)
		}
	}
	// Paged, in the API's order when no column is chosen.
	if !slices.Equal(got, users) || len(users) == 0 || pages != (len(users)+24)/25 {
		t.Fatalf("statements %v on %d pages, the API %v", got, pages, users)
	}
	if !strings.Contains(p.Body, "/resolve") || !strings.Contains(p.Body, "В статистике не хватает") {
		t.Error("curator01's dispute should be listed with the resolve form")
	}
	if !strings.Contains(p.Body, `id="history"`) || !strings.Contains(p.Body, `id="no-difference"`) {
		t.Error("the period page should show its history, and no difference after one calculation")
	}

	// A statement of last month, which has a month of facts behind it:
	// every line of the API's, and each line's sources as the API pages
	// them.
	last := periods[1]
	payAPI(t, site, b, "/pay-periods/"+last.ID+"/statements", &sts)
	st := sts[0]
	sp := b.mustGet("/console/demo/pay/periods/" + last.ID + "/statements/" + st.UserID)
	var lineIDs []string
	for _, l := range st.Lines {
		lineIDs = append(lineIDs, l.ID)
	}
	if got := matches(payLineRow, sp.Body); !slices.Equal(got, lineIDs) {
		t.Fatalf("statement lines %v, the API %v", got, lineIDs)
	}
	if strings.Contains(sp.Body, "/disputes\"") {
		t.Error("the head has no dispute form on another's statement")
	}
	sourced, paged := 0, false
	for _, l := range st.Lines {
		var page struct {
			Items []struct {
				SourceID string `json:"source_id"`
			}
		}
		payAPI(t, site, b, "/pay-lines/"+l.ID+"/sources?limit=25", &page)
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.SourceID)
		}
		src := b.mustGet("/console/demo/pay/lines/" + l.ID + "/sources?period=" + last.ID + "&user=" + st.UserID)
		if got := matches(paySourceID, src.Body); !slices.Equal(got, ids) {
			t.Errorf("sources of %s (%s): %v, the API %v", l.Title, l.Kind, got, ids)
		}
		if !strings.Contains(src.Body, `href="/console/demo/pay/periods/`+last.ID+`/statements/`+st.UserID+`"`) {
			t.Error("the sources page should link back to the statement")
		}
		sourced += len(ids)
		// A line with more rows than a page: the next page holds the rest
		// of the API's rows, in the API's order.
		if m := payNext.FindStringSubmatch(src.Body); m != nil {
			paged = true
			var all struct {
				Items []struct {
					SourceID string `json:"source_id"`
				}
			}
			payAPI(t, site, b, "/pay-lines/"+l.ID+"/sources?limit=100", &all)
			rest := b.mustGet("/console/demo/pay/lines/" + l.ID + "/sources" + strings.ReplaceAll(m[1], "&amp;", "&"))
			got := append(matches(paySourceID, src.Body), matches(paySourceID, rest.Body)...)
			var want []string
			for _, it := range all.Items[:min(len(all.Items), 50)] {
				want = append(want, it.SourceID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("two pages of sources of %s: %v, the API %v", l.Title, got, want)
			}
		}
	}
	if !paged {
		t.Error("the demo should have a line with more sources than a page")
	}
	if sourced == 0 {
		t.Error("the demo statement should have lines with sources")
	}
	for _, path := range []string{"/console/demo/pay/periods/" + last.ID, "/console/demo/pay/periods/" + last.ID + "/statements/" + st.UserID,
		"/console/demo/pay/lines/" + st.Lines[1].ID + "/sources"} {
		b.logTime(path)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// curatorStatement is curator01's lines of the current month as the API
// gives them to her.
func curatorStatement(t *testing.T, site *demoSite, b *browser, periodID, userID string) (lines []struct {
	ID, Component string
}) {
	var st struct {
		Lines []struct{ ID, Component string }
	}
	payAPI(t, site, b, "/pay-periods/"+periodID+"/statements/"+userID, &st)
	for _, l := range st.Lines {
		lines = append(lines, struct{ ID, Component string }{l.ID, l.Component})
	}
	return lines
}

func meOf(t *testing.T, site *demoSite, b *browser) string {
	var me struct {
		User struct{ ID string }
	}
	site.Do(http.MethodGet, "/v1/me", nil, apptest.Bearer(b.token())).Expect(http.StatusOK).Decode(&me)
	return me.User.ID
}

func checkPayCurator(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "curator01@demo.test")
	me := meOf(t, site, b)
	head := signedIn(t, site, "head@demo.test")
	periods := payPeriodsOf(t, site, head)
	cur := periods[0]

	p := b.mustGet("/console/demo/pay/mine")
	if !strings.Contains(p.Body, `data-user="`+me+`"`) {
		t.Fatalf("My pay should be curator01's own statement:\n%s", p.Body)
	}
	var want []string
	for _, l := range curatorStatement(t, site, b, cur.ID, me) {
		want = append(want, l.ID)
	}
	if got := matches(payLineRow, p.Body); !slices.Equal(got, want) {
		t.Fatalf("My pay shows lines %v, the API %v", got, want)
	}
	// In review: the dispute form on her lines, and her disputed line marked.
	if !strings.Contains(p.Body, "/disputes\"") || !strings.Contains(p.Body, "оспорено") {
		t.Error("in review, My pay should offer the dispute form and mark the disputed line")
	}
	// The same statement by its address, and nobody else's.
	b.mustGet("/console/demo/pay/periods/" + cur.ID + "/statements/" + me)
	var others []struct {
		UserID string `json:"user_id"`
		Lines  []struct{ ID string }
	}
	payAPI(t, site, head, "/pay-periods/"+cur.ID+"/statements", &others)
	for _, o := range others {
		if o.UserID == me {
			continue
		}
		if p := b.get("/console/demo/pay/periods/" + cur.ID + "/statements/" + o.UserID); p.Status != http.StatusNotFound {
			t.Fatalf("curator01 on another's statement: %d", p.Status)
		}
		if p := b.get("/console/demo/pay/lines/" + o.Lines[0].ID + "/sources"); p.Status != http.StatusNotFound {
			t.Fatalf("curator01 on another's line sources: %d", p.Status)
		}
		break
	}
	for _, path := range []string{"/console/demo/pay", "/console/demo/pay/periods/" + cur.ID} {
		if p := b.get(path); p.Status != http.StatusForbidden || !strings.Contains(p.Body, `data-status="403"`) {
			t.Fatalf("curator01 on %s: %d", path, p.Status)
		}
	}
}

func checkPayDispute(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "curator01@demo.test")
	me := meOf(t, site, b)
	cur := payPeriodsOf(t, site, signedIn(t, site, "head@demo.test"))[0]
	p := b.mustGet("/console/demo/pay/mine")
	var line string
	for _, l := range curatorStatement(t, site, b, cur.ID, me) {
		if l.Component == "fixed" {
			line = l.ID
		}
	}
	before := site.Count("pay_disputes", "status = 'open'")
	// An empty comment is refused with the field named, and nothing is stored.
	if r := b.post("/console/demo/pay/lines/"+line+"/disputes", url.Values{"csrf": {p.csrf(t)}, "comment": {"  "}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a dispute without comment: %d", r.Status)
	}
	r := b.post("/console/demo/pay/lines/"+line+"/disputes", url.Values{"csrf": {p.csrf(t)}, "comment": {"Оклад за неполный месяц?"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("dispute: %d\n%s", r.Status, r.Body)
	}
	if after := site.Count("pay_disputes", "status = 'open'"); after != before+1 {
		t.Fatalf("open disputes %d → %d", before, after)
	}
	if done := b.follow(r); !strings.Contains(done.Body, `id="done"`) {
		t.Error("the page after the dispute should say it is open")
	}
	if site.Count("audit_entries", "entity_type = 'pay_dispute'") < 2 {
		t.Error("a dispute from the console is audited as from the API")
	}
}

func checkPayCSRF(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "head@demo.test")
	cur := payPeriodsOf(t, site, b)[0]
	before := site.Count("pay_period_transitions", "1 = 1")
	for name, form := range map[string]url.Values{"missing": {"version": {itoa(cur.Version)}},
		"wrong": {"csrf": {strings.Repeat("0", 64)}, "version": {itoa(cur.Version)}}} {
		for _, path := range []string{"/calculate", "/approve", "/exports"} {
			if p := b.post("/console/demo/pay/periods/"+cur.ID+path, form); p.Status != http.StatusForbidden ||
				!strings.Contains(p.Body, `data-status="403"`) {
				t.Fatalf("%s with a %s token: %d", path, name, p.Status)
			}
		}
	}
	if after := site.Count("pay_period_transitions", "1 = 1"); after != before {
		t.Fatalf("a refused form moved the period: %d → %d transitions", before, after)
	}
	// Nor was a job started for finance's export without its token.
	f := signedIn(t, site, "finance@demo.test")
	exports := site.Count("pay_exports", "1 = 1")
	if p := f.post("/console/demo/pay/periods/"+payPeriodsOf(t, site, f)[1].ID+"/exports", url.Values{"format": {"csv"}}); p.Status != http.StatusForbidden {
		t.Fatalf("an export without a token: %d", p.Status)
	}
	time.Sleep(50 * time.Millisecond)
	if site.Count("pay_exports", "1 = 1") != exports {
		t.Fatal("an export without a token was recorded")
	}
}

func checkPayHeadSteps(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "head@demo.test")
	cur := payPeriodsOf(t, site, b)[0]
	path := "/console/demo/pay/periods/" + cur.ID
	p := b.mustGet(path)
	token := p.csrf(t)
	// Recalculate (back to calculated, the first calculation kept beside
	// the second) and send to review again, with the page's versions.
	version := func(p page) string {
		m := payVersion.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no version on the period page")
		}
		return m[1]
	}
	for _, step := range []struct{ name, status, steps string }{
		{"calculate", "calculated", "calculate submit"}, {"submit", "in_review", "calculate approve"}} {
		r := b.post(path+"/"+step.name, url.Values{"csrf": {token}, "version": {version(p)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", step.name, r.Status, r.Body)
		}
		if step.name == "calculate" {
			// The calculation runs as a job: its page, then the period's.
			r = b.awaitJob(r)
		}
		p = b.follow(r)
		if !strings.Contains(p.Body, `data-status="`+step.status+`"`) || strings.Join(matches(payStep, p.Body), " ") != step.steps {
			t.Fatalf("after %s: steps %v", step.name, matches(payStep, p.Body))
		}
	}
	// The calculation the job made is the API's period.
	var api apiPeriod
	payAPI(t, site, b, "/pay-periods/"+cur.ID, &api)
	if api.Status != "in_review" || version(p) != itoa(api.Version) || !strings.Contains(p.Body, "№ 2") {
		t.Errorf("after the calculation job and submit: the API's %+v, the page's version %s", api, version(p))
	}
	if site.Count("pay_statements", "period_id = ?", cur.ID) != 2*site.Count("pay_statements", "period_id = ? AND calculation = 1", cur.ID) {
		t.Error("a recalculation keeps the first calculation's statements beside the second's")
	}
	if !strings.Contains(p.Body, `id="no-difference"`) && !strings.Contains(p.Body, `id="difference"`) {
		t.Error("the period page should show the difference from the previous calculation")
	}
	cur.Version, _ = strconv.ParseInt(version(p), 10, 64)
	// Approval waits for the disputes: 409, like the API.
	if r := b.post(path+"/approve", url.Values{"csrf": {token}, "version": {itoa(cur.Version)}}); r.Status != http.StatusConflict {
		t.Fatalf("approve with open disputes: %d", r.Status)
	}
	var disputes []struct {
		ID, Status string
		Version    int64
	}
	payAPI(t, site, b, "/pay-periods/"+cur.ID+"/disputes", &disputes)
	if got := matches(payDisputeRow, p.Body); len(got) != len(disputes) || len(got) == 0 {
		t.Fatalf("disputes shown %v, the API has %d", got, len(disputes))
	}
	for _, d := range disputes {
		if d.Status != "open" {
			continue
		}
		form := url.Values{"csrf": {token}, "version": {itoa(d.Version)}, "period": {cur.ID}, "resolution": {"Проверили: всё учтено."}}
		if r := b.post("/console/demo/pay/disputes/"+d.ID+"/resolve", form); r.Status != http.StatusSeeOther {
			t.Fatalf("resolve: %d\n%s", r.Status, r.Body)
		}
		if r := b.post("/console/demo/pay/disputes/"+d.ID+"/resolve", form); r.Status != http.StatusPreconditionFailed {
			t.Fatalf("resolve with the stale version: %d", r.Status)
		}
	}
	// A stale version is refused; the page's current one approves.
	if r := b.post(path+"/approve", url.Values{"csrf": {token}, "version": {itoa(cur.Version + 7)}}); r.Status != http.StatusPreconditionFailed {
		t.Fatalf("approve with a stale version: %d", r.Status)
	}
	r := b.post(path+"/approve", url.Values{"csrf": {token}, "version": {itoa(cur.Version)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", r.Status, r.Body)
	}
	after := b.follow(r)
	if !strings.Contains(after.Body, `data-status="head_approved"`) {
		t.Fatal("the period should be approved by the head")
	}
	// Finance's step now, which the head is not shown.
	if got := matches(payStep, after.Body); len(got) != 0 {
		t.Errorf("the head's steps after her approval: %v", got)
	}
	if got := matches(payStep, signedIn(t, site, "finance@demo.test").mustGet(path).Body); !slices.Equal(got, []string{"approve-finance"}) {
		t.Errorf("finance's steps after the head's approval: %v", got)
	}
	// The head cannot take finance's step even by sending the form.
	if r := b.post(path+"/approve-finance", url.Values{"csrf": {token}, "version": {itoa(cur.Version + 1)}}); r.Status != http.StatusForbidden {
		t.Fatalf("the head approving as finance: %d", r.Status)
	}
}

func checkPayFinanceExports(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "finance@demo.test")
	last := payPeriodsOf(t, site, b)[1]
	path := "/console/demo/pay/periods/" + last.ID
	p := b.mustGet(path)
	if got := matches(payStep, p.Body); !slices.Equal(got, []string{"mark-paid"}) {
		t.Errorf("finance's steps on an exported month: %v", got)
	}
	for _, f := range []string{"csv", "xlsx", "1c", "1c-cp1251"} {
		if !strings.Contains(p.Body, `name="format" value="`+f+`"`) {
			t.Errorf("finance should have the %s export button", f)
		}
	}
	// The demo exported XLSX and 1C: their files are linked.
	links := map[string]string{}
	for _, m := range payDownload.FindAllStringSubmatch(p.Body, -1) {
		links[m[2]] = m[1]
	}
	if links["xlsx"] == "" || links["1c"] == "" || links["csv"] != "" {
		t.Fatalf("download links %v", links)
	}
	var detail struct {
		Exports []struct{ Format, Checksum string }
	}
	payAPI(t, site, b, "/pay-periods/"+last.ID, &detail)
	checksum := map[string]string{}
	for _, e := range detail.Exports {
		checksum[e.Format] = e.Checksum
	}
	x := b.get(links["xlsx"])
	if x.Status != http.StatusOK || !strings.HasPrefix(x.Header.Get("Content-Disposition"), `attachment; filename="pay-`+last.Month+`.xlsx"`) ||
		x.Header.Get("X-Checksum-Sha256") != checksum["xlsx"] {
		t.Fatalf("xlsx download: %d %v", x.Status, x.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	sheets := f.GetSheetList()
	sort.Strings(sheets)
	if !slices.Equal(sheets, []string{"Control", "Lines", "Summary"}) {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows("Lines")
	if err != nil || len(rows) < 2 {
		t.Fatalf("the lines sheet: %d rows, %v", len(rows), err)
	}
	_ = f.Close()
	// The file is the API's, byte for byte.
	api := site.Do(http.MethodGet, "/v1/orgs/demo/pay-periods/"+last.ID+"/exports/xlsx", nil, apptest.Bearer(b.token())).Expect(http.StatusOK)
	if !bytes.Equal(api.Body, []byte(x.Body)) {
		t.Error("the console's XLSX differs from the API's")
	}

	// A CSV export recorded from the console, then downloaded.
	before := site.Count("pay_exports", "1 = 1")
	r := b.post(path+"/exports", url.Values{"csrf": {p.csrf(t)}, "format": {"csv"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("export: %d\n%s", r.Status, r.Body)
	}
	r = b.awaitJob(r)
	if site.Count("pay_exports", "1 = 1") != before+1 || site.Count("audit_entries", "entity_type = 'pay_export'") < 3 {
		t.Fatal("the export should be recorded and audited")
	}
	after := b.follow(r)
	var csvLink string
	for _, m := range payDownload.FindAllStringSubmatch(after.Body, -1) {
		if m[2] == "csv" {
			csvLink = m[1]
		}
	}
	c := b.get(csvLink)
	if csvLink == "" || c.Status != http.StatusOK || !strings.Contains(c.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(c.Body, "month,") {
		t.Fatalf("csv download %q: %d %v", csvLink, c.Status, c.Header)
	}
	// Exporting again is the same record; a format that is not one is 422.
	if r := b.awaitJob(b.post(path+"/exports", url.Values{"csrf": {p.csrf(t)}, "format": {"csv"}})); r.Status != http.StatusSeeOther ||
		site.Count("pay_exports", "1 = 1") != before+1 {
		t.Fatalf("the same export again: %d", r.Status)
	}
	if r := b.post(path+"/exports", url.Values{"csrf": {p.csrf(t)}, "format": {"pdf"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown format: %d", r.Status)
	}
	// Only those who export download: the head gets the 403 page.
	if r := signedIn(t, site, "head@demo.test").get(links["xlsx"]); r.Status != http.StatusForbidden {
		t.Fatalf("the head downloading: %d", r.Status)
	}
}

func checkPayMalformed(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "head@demo.test")
	periods := payPeriodsOf(t, site, b)
	var st []struct {
		UserID string `json:"user_id"`
		Lines  []struct{ ID string }
	}
	payAPI(t, site, b, "/pay-periods/"+periods[0].ID+"/statements", &st)
	for path, want := range map[string]int{
		"/console/demo/pay/periods/not-an-id":                                                                     http.StatusNotFound,
		"/console/demo/pay/periods/00000000-0000-7000-8000-000000000000":                                          http.StatusNotFound,
		"/console/demo/pay/periods/" + periods[0].ID + "/statements/x'--":                                         http.StatusNotFound,
		"/console/demo/pay/periods/" + periods[1].ID + "/exports/pdf":                                             http.StatusForbidden, // finance's page
		"/console/demo/pay/lines/nope/sources":                                                                    http.StatusNotFound,
		"/console/demo/pay/lines/" + st[0].Lines[0].ID + "/sources?cursor=!!!":                                    http.StatusUnprocessableEntity,
		"/console/demo/pay/lines/" + st[0].Lines[0].ID + "/sources?cursor=" + httpapi.EncodeCursor("review:x'--"): http.StatusUnprocessableEntity,
		"/console/demo/pay/lines/" + st[0].Lines[0].ID + "/sources?period=x&user=y":                               http.StatusOK,
		"/console/elsewhere/pay": http.StatusNotFound,
		"/console/demo/pay/periods/" + periods[0].ID + "/statements/" + st[0].UserID + "?x=<b>": http.StatusOK,
	} {
		if p := b.get(path); p.Status != want {
			t.Errorf("%s: %d, want %d", path, p.Status, want)
		}
	}
	f := signedIn(t, site, "finance@demo.test")
	if p := f.get("/console/demo/pay/periods/" + periods[1].ID + "/exports/pdf"); p.Status != http.StatusNotFound {
		t.Errorf("a format that is none: %d", p.Status)
	}
	// Opening a month: a malformed month is 422, a second period of a month 409.
	form := b.mustGet("/console/demo/pay")
	if p := b.post("/console/demo/pay/periods", url.Values{"csrf": {form.csrf(t)}, "month": {"2026-13"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("month 2026-13: %d", p.Status)
	}
	if p := b.post("/console/demo/pay/periods", url.Values{"csrf": {form.csrf(t)}, "month": {periods[0].Month}}); p.Status != http.StatusConflict {
		t.Errorf("a month opened twice: %d", p.Status)
	}
}

func checkPayLanguage(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "head@demo.test")
	if p := b.mustGet("/console/demo/pay"); !strings.Contains(p.Body, "\u00a0₽") || strings.Contains(p.Body, "RUB") {
		t.Error("Russian money on the periods list")
	}
	if p := b.get("/console/demo/pay", "Accept-Language", "en"); !strings.Contains(p.Body, "RUB\u00a0") {
		t.Error("English money on the periods list")
	}
}

var jobAddress = regexp.MustCompile(`^/console/demo/jobs/[0-9a-f]{32}$`)

// awaitJob takes the answer of a form that starts a long operation (303
// to the job's page) and waits on the job's page, as its refresh does,
// until the operation ends: it returns the page's last answer, the 303 to
// the result or the error page. A running job's page must show its
// progress and refresh itself, without script.
func (b *browser) awaitJob(r page) page {
	b.t.Helper()
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || !jobAddress.MatchString(loc) {
		b.t.Fatalf("a long operation should answer 303 to its job's page: %d %q\n%s", r.Status, loc, r.Body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		p := b.get(loc)
		if p.Status != http.StatusOK {
			return p
		}
		if !strings.Contains(p.Body, `<meta http-equiv="refresh" content="1">`) || !strings.Contains(p.Body, `<progress id="job-progress"`) ||
			strings.Contains(p.Body, "<script>") {
			b.t.Fatalf("a running job's page without its progress or refresh:\n%s", p.Body)
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the job at %s did not end", loc)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkPayJobs: a long operation's job belongs to who started it, and a
// failed one answers as the form would have.
func checkPayJobs(t *testing.T, site *demoSite) {
	head := signedIn(t, site, "head@demo.test")
	periods := payPeriodsOf(t, site, head)
	cur := periods[0]
	p := head.mustGet("/console/demo/pay/periods/" + cur.ID)
	// The head approved the month: it cannot be recalculated, and the
	// job says so with the API's status and words.
	r := head.post("/console/demo/pay/periods/"+cur.ID+"/calculate", url.Values{"csrf": {p.csrf(t)}, "version": {itoa(cur.Version)}})
	jobPath := r.Header.Get("Location")
	failed := head.awaitJob(r)
	api := site.Do(http.MethodPost, "/v1/orgs/demo/pay-periods/"+cur.ID+"/calculate", nil, apptest.Bearer(head.token()),
		apptest.Header("If-Match", `"`+itoa(cur.Version)+`"`)).Expect(http.StatusConflict)
	var problem struct{ Detail string }
	api.Decode(&problem)
	if failed.Status != http.StatusConflict || problem.Detail == "" || !strings.Contains(failed.Body, template.HTMLEscapeString(problem.Detail)) {
		t.Fatalf("a calculation the status refuses: %d, want 409 with %q\n%s", failed.Status, problem.Detail, failed.Body)
	}
	// Another person of the school does not find the head's job; neither
	// does an address that is no job's.
	finance := signedIn(t, site, "finance@demo.test")
	for _, path := range []string{jobPath, "/console/demo/jobs/not-a-job", "/console/demo/jobs/" + strings.Repeat("0", 32)} {
		if p := finance.get(path); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "другой сервер консоли") {
			t.Errorf("finance on %s: %d", path, p.Status)
		}
	}
	if p := head.get(jobPath); p.Status != http.StatusConflict {
		t.Errorf("the head's own ended job: %d", p.Status)
	}
	if p := site.browser(t).get(jobPath); p.Status != http.StatusSeeOther {
		t.Errorf("a job's page without a session: %d", p.Status)
	}

	// Finance records the Windows-1251 1C export as a job: the record and
	// the file are the API's.
	last := periods[1]
	fp := finance.mustGet("/console/demo/pay/periods/" + last.ID)
	done := finance.follow(finance.awaitJob(finance.post("/console/demo/pay/periods/"+last.ID+"/exports",
		url.Values{"csrf": {fp.csrf(t)}, "format": {"1c-cp1251"}})))
	if !strings.Contains(done.Body, `id="done"`) {
		t.Fatalf("the export job should end on the period page with its note:\n%s", done.Body)
	}
	var detail struct {
		Exports []struct{ Format, Checksum string }
	}
	payAPI(t, site, finance, "/pay-periods/"+last.ID, &detail)
	var checksum string
	for _, e := range detail.Exports {
		if e.Format == "1c-cp1251" {
			checksum = e.Checksum
		}
	}
	file := finance.get("/console/demo/pay/periods/" + last.ID + "/exports/1c-cp1251")
	apiFile := site.Do(http.MethodGet, "/v1/orgs/demo/pay-periods/"+last.ID+"/exports/1c-cp1251", nil, apptest.Bearer(finance.token())).
		Expect(http.StatusOK)
	if checksum == "" || file.Status != http.StatusOK || file.Header.Get("X-Checksum-Sha256") != checksum || !bytes.Equal(apiFile.Body, []byte(file.Body)) {
		t.Fatalf("the job's export %q: %d %s, not the API's", checksum, file.Status, file.Header.Get("X-Checksum-Sha256"))
	}
	// The export's audit entries are those of the API's export.
	if site.Count("audit_entries", "entity_type = 'pay_export' AND action = 'console:export-pay-period' AND actor_type = 'user'") == 0 {
		t.Error("the job's export should be audited under the form's operation")
	}
}

var statementTotal = regexp.MustCompile(`<tr data-user="[0-9a-f-]{36}"><td><a href="[^"]+">[^<]*</a></td><td class="num">\d+</td><td class="num">([^<]+)</td>`)

// checkPayStatementsSorted: the statements of a period sort over the whole
// calculation, by person and total, with the header saying which.
func checkPayStatementsSorted(t *testing.T, site *demoSite) {
	b := signedIn(t, site, "head@demo.test")
	last := payPeriodsOf(t, site, b)[1]
	var sts []struct {
		UserID string `json:"user_id"`
		Name   string
		Total  int64
	}
	payAPI(t, site, b, "/pay-periods/"+last.ID+"/statements", &sts)
	if len(sts) < 2 {
		t.Fatalf("the demo's last month should pay several people: %d", len(sts))
	}
	path := "/console/demo/pay/periods/" + last.ID
	byTotal := slices.Clone(sts)
	slices.SortStableFunc(byTotal, func(a, b struct {
		UserID string `json:"user_id"`
		Name   string
		Total  int64
	}) int {
		if a.Total != b.Total {
			return cmp.Compare(b.Total, a.Total)
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	var want []string
	for _, s := range byTotal {
		want = append(want, s.UserID)
	}
	// The whole calculation is sorted, then paged: the pages follow on.
	if got, _, pages := b.statementPages(path + "?sort=total&dir=desc"); !slices.Equal(got, want) || pages < 2 {
		t.Errorf("statements by total, most first, on %d pages: %v, want %v", pages, got, want)
	}
	p := b.mustGet(path + "?sort=total&dir=desc")
	if !strings.Contains(p.Body, `aria-sort="descending" data-sort="total"`) || !strings.Contains(p.Body, "▼") {
		t.Error("the sorted column should say so, with an arrow")
	}
	// The header's link turns the order round and keeps the page's
	// parameters.
	if !strings.Contains(p.Body, `data-sort="total"><a href="?dir=asc&amp;sort=total">`) {
		t.Errorf("the total's header should sort ascending next")
	}
	// Least first: the same amounts the other way round (people with the
	// same total keep their order by id).
	_, ascBody, _ := b.statementPages(path + "?sort=total&dir=asc")
	_, descBody, _ := b.statementPages(path + "?sort=total")
	totals := func(body string) (out []string) {
		for _, m := range statementTotal.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	asc, desc := totals(ascBody), totals(descBody)
	slices.Reverse(desc)
	if !slices.Equal(asc, desc) || len(asc) != len(sts) {
		t.Errorf("totals least first %v, most first reversed %v", asc, desc)
	}
	names, byName, _ := b.statementPages(path + "?sort=person")
	if !strings.Contains(byName, `aria-sort="ascending" data-sort="person"`) || !sameSet(names, want) {
		t.Error("statements by person")
	}
	for _, q := range []string{"?sort=salary", "?sort=total&dir=up", "?sort=total&cursor=!!!", "?cursor=" + httpapi.EncodeCursor("x'--")} {
		if r := b.get(path + q); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", q, r.Status)
		}
	}
}

var statementsNext = regexp.MustCompile(`<a rel="next" href="([^"]+)" id="statements-next">`)

// statementPages reads every page of a period's statements table: the
// users in order, the pages' bodies and how many pages there were.
func (b *browser) statementPages(path string) (users []string, bodies string, pages int) {
	b.t.Helper()
	base, _, _ := strings.Cut(path, "?")
	for next := path; next != "" && pages < 20; pages++ {
		p := b.mustGet(next)
		users = append(users, matches(payStatement, p.Body)...)
		bodies += p.Body
		next = ""
		if m := statementsNext.FindStringSubmatch(p.Body); m != nil {
			next = base + strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	return users, bodies, pages
}
