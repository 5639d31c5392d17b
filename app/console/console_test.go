package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// TestConsole serves the demo school and checks the console's rules
// without a browser: the session cookie, CSRF, the CSP, redirects, 403
// pages, each person's home, and that the console's tables show what the
// API answers the same person. The demo is seeded once for all of them.
func TestConsole(t *testing.T) {
	for _, dialect := range testkit.Dialects() {
		t.Run(dialect, func(t *testing.T) { testConsole(t, newDemoSite(t, dialect)) })
	}
}

func testConsole(t *testing.T, site *demoSite) {
	for _, check := range []struct {
		name string
		fn   func(*testing.T, *demoSite)
	}{
		{"root redirects to the console", checkRootRedirects},
		{"no session redirects to sign-in", checkNoSessionRedirects},
		{"session cookie flags", checkCookieFlags},
		{"secure cookie behind TLS", checkSecureCookieBehindTLS},
		{"content security policy", checkCSP},
		{"form without CSRF token is refused", checkCSRFRefused},
		{"sign-in form without CSRF token is refused", checkSignInCSRF},
		{"wrong password", checkWrongPassword},
		{"each account lands on its own home", checkHomes},
		{"curator gets 403 on HR pages", checkCuratorForbidden},
		{"every main page answers", checkPagesAnswer},
		{"language from Accept-Language and setting", checkLanguage},
		{"sign-out revokes the session", checkSignOutRevokes},
		{"open redirect refused", checkNoOpenRedirect},
		{"tables match the API", checkTablesMatchAPI},
		{"queue health per curator", checkQueueHealth},
		{"case moderation", checkCaseModeration},
		{"regulations, acknowledgment and quiz", checkRegulations},
		{"my conversations and recording a case", checkConversationsAndCase},
		{"candidate card, reserve and onboarding", checkHRPages},
		{"API keys, webhooks and their delivery log", checkAdminPages},
		{"malformed ids and cursors", checkMalformedAddresses},
	} {
		t.Run(check.name, func(t *testing.T) { check.fn(t, site) })
	}
}

func checkRootRedirects(t *testing.T, site *demoSite) {
	p := site.browser(t).get("/")
	if p.Status != http.StatusFound || p.Header.Get("Location") != "/console/" {
		t.Fatalf("/ answered %d to %q", p.Status, p.Header.Get("Location"))
	}
}

func checkNoSessionRedirects(t *testing.T, site *demoSite) {
	b := site.browser(t)
	for _, path := range []string{"/console/", "/console/demo/", "/console/demo/scorecard", "/console/demo/queue"} {
		p := b.get(path)
		loc := p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/sign-in?next=") {
			t.Fatalf("%s without a session: %d to %q", path, p.Status, loc)
		}
	}
	// A session cookie the identity module does not know is no session.
	u, _ := url.Parse(site.URL + "/console/")
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "co_session", Value: "cot_forged", Path: "/console/"}})
	if p := b.get("/console/demo/"); p.Status != http.StatusSeeOther {
		t.Fatalf("forged session: %d", p.Status)
	}
}

func sessionCookieOf(t *testing.T, p page) *http.Cookie {
	t.Helper()
	for _, line := range p.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == "co_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie set: %v", p.Header.Values("Set-Cookie"))
	return nil
}

func signInRaw(t *testing.T, b *browser, email, password string, headers ...string) page {
	t.Helper()
	form := b.get("/console/sign-in", headers...)
	req, _ := http.NewRequest(http.MethodPost, b.site.URL+"/console/sign-in",
		strings.NewReader(url.Values{"csrf": {form.csrf(t)}, "email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

func checkCookieFlags(t *testing.T, site *demoSite) {
	p := signInRaw(t, site.browser(t), "head@demo.test", "demo-Curator-2026")
	c := sessionCookieOf(t, p)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/console/" || c.MaxAge <= 0 {
		t.Fatalf("session cookie over plain HTTP: %+v", c)
	}
	if !strings.HasPrefix(c.Value, "cot_") {
		t.Fatal("the cookie should hold the identity module's session token")
	}
}

func checkSecureCookieBehindTLS(t *testing.T, site *demoSite) {
	p := signInRaw(t, site.browser(t), "head@demo.test", "demo-Curator-2026", "X-Forwarded-Proto", "https")
	if c := sessionCookieOf(t, p); !c.Secure || !c.HttpOnly {
		t.Fatalf("session cookie behind TLS: %+v", c)
	}
}

func checkCSP(t *testing.T, site *demoSite) {
	b := site.browser(t)
	b.signIn("head@demo.test")
	for _, path := range []string{"/console/sign-in", "/console/demo/", "/console/demo/scorecard", "/console/demo/sla", "/console/assets/console.css",
		"/console/demo/queue-health", "/console/demo/cases/moderation", "/console/demo/regulations/reading", "/console/demo/regulations",
		"/console/demo/cases/new"} {
		p := b.get(path)
		csp := p.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Fatalf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Fatalf("%s: CSP allows inline code: %q", path, csp)
		}
		if strings.HasSuffix(path, ".css") {
			continue
		}
		// No inline script or style for the policy to block.
		for _, bad := range []string{"<script>", "style=", "<style", "onclick=", "onload=", "javascript:"} {
			if strings.Contains(p.Body, bad) {
				t.Fatalf("%s holds %q", path, bad)
			}
		}
	}
}

func checkCSRFRefused(t *testing.T, site *demoSite) {
	b := site.browser(t)
	home := b.signIn("curator01@demo.test")
	token := b.token()
	before := site.Count("homework_submissions", "status = 'in_review'")
	for name, form := range map[string]url.Values{"missing": {}, "wrong": {"csrf": {strings.Repeat("0", 64)}}} {
		if p := b.post("/console/demo/queue/next", form); p.Status != http.StatusForbidden || !strings.Contains(p.Body, `data-status="403"`) {
			t.Fatalf("take next with a %s token: %d", name, p.Status)
		}
		if p := b.post("/console/sign-out", form); p.Status != http.StatusForbidden {
			t.Fatalf("sign-out with a %s token: %d", name, p.Status)
		}
	}
	if after := site.Count("homework_submissions", "status = 'in_review'"); after != before {
		t.Fatalf("a refused form claimed an item: %d → %d", before, after)
	}
	site.Do(http.MethodGet, "/v1/me", nil, apptest.Bearer(token)).Expect(http.StatusOK)
	// The token is the session's: another session's token is refused too.
	other := site.browser(t)
	other.signIn("curator02@demo.test")
	if p := other.post("/console/demo/queue/next", url.Values{"csrf": {home.csrf(t)}}); p.Status != http.StatusForbidden {
		t.Fatalf("another session's token: %d", p.Status)
	}
}

func checkSignInCSRF(t *testing.T, site *demoSite) {
	b := site.browser(t)
	p := b.post("/console/sign-in", url.Values{"email": {"head@demo.test"}, "password": {"demo-Curator-2026"}})
	if p.Status != http.StatusForbidden || len(p.Header.Values("Set-Cookie")) > 0 && strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), ";"), "co_session=cot_") {
		t.Fatalf("sign-in without the form's token: %d", p.Status)
	}
}

func checkWrongPassword(t *testing.T, site *demoSite) {
	p := signInRaw(t, site.browser(t), "head@demo.test", "not-the-password-1")
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "role=\"alert\"") {
		t.Fatalf("wrong password: %d", p.Status)
	}
}

// homeTiles are the menu entries each demo account's home must show, and
// one it must not.
var homes = []struct {
	email, role string
	shows       []string
	hides       string
}{
	{"head@demo.test", "head_of_service", []string{"/console/demo/scorecard", "/console/demo/sla", "/console/demo/refunds/approve",
		"/console/demo/queue-health", "/console/demo/cases/moderation", "/console/demo/regulations/reading"}, "/console/demo/refunds/execute"},
	{"curator01@demo.test", "curator", []string{"/console/demo/queue", "/console/demo/conversations", "/console/demo/cases/new",
		"/console/demo/regulations"}, "/console/demo/cases/moderation"},
	{"hr@demo.test", "hr", []string{"/console/demo/hiring", "/console/demo/people"}, "/console/demo/queue"},
	{"finance@demo.test", "finance", []string{"/console/demo/refunds/execute", "/console/demo/scorecard"}, "/console/demo/refunds/approve"},
	{"admin@demo.test", "admin", []string{"/console/demo/people", "/console/demo/audit"}, "/console/demo/refunds/execute"},
}

func checkHomes(t *testing.T, site *demoSite) {
	for _, h := range homes {
		b := site.browser(t)
		p := b.signIn(h.email)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="home-tiles"`) || !strings.Contains(p.Body, `data-role="`+h.role+`"`) {
			t.Fatalf("%s lands on %d without their home:\n%s", h.email, p.Status, p.Body)
		}
		for _, link := range h.shows {
			if !strings.Contains(p.Body, `href="`+link+`"`) {
				t.Errorf("%s's home lacks %s", h.email, link)
			}
		}
		if strings.Contains(p.Body, `href="`+h.hides+`"`) {
			t.Errorf("%s's home links %s, which their roles do not open", h.email, h.hides)
		}
	}
}

func checkCuratorForbidden(t *testing.T, site *demoSite) {
	b := site.browser(t)
	b.signIn("curator01@demo.test")
	for _, path := range []string{"/console/demo/hiring", "/console/demo/people", "/console/demo/audit", "/console/demo/refunds/execute",
		"/console/demo/cases/moderation", "/console/demo/regulations/reading"} {
		if p := b.get(path); p.Status != http.StatusForbidden || !strings.Contains(p.Body, `data-status="403"`) {
			t.Fatalf("curator on %s: %d", path, p.Status)
		}
	}
	// A school the person does not belong to answers 404, like the API.
	if p := b.get("/console/elsewhere/queue"); p.Status != http.StatusNotFound {
		t.Fatalf("another school: %d", p.Status)
	}
}

// checkPagesAnswer opens every main page as its person on the demo data
// and logs the best of three times, measured from the client.
func checkPagesAnswer(t *testing.T, site *demoSite) {
	for email, paths := range map[string][]string{
		"head@demo.test": {"/console/demo/", "/console/demo/scorecard", "/console/demo/sla", "/console/demo/refunds/approve",
			"/console/demo/queue-health", "/console/demo/cases/moderation", "/console/demo/regulations/reading", "/console/demo/pay"},
		"curator01@demo.test": {"/console/demo/queue", "/console/demo/queue?view=pool", "/console/demo/conversations",
			"/console/demo/regulations", "/console/demo/cases/new", "/console/demo/pay/mine"},
		"hr@demo.test":      {"/console/demo/hiring", "/console/demo/people", "/console/demo/hiring/reserve", "/console/demo/onboarding"},
		"finance@demo.test": {"/console/demo/refunds/execute", "/console/demo/pay"},
		"admin@demo.test":   {"/console/demo/audit", "/console/demo/people", "/console/demo/api-keys", "/console/demo/webhooks"},
	} {
		b := site.browser(t)
		b.signIn(email)
		for _, path := range paths {
			b.get(path) // warm the credential cache, as a person's second page is
			// The best of three: the machine running the tests is shared,
			// and one slow answer may be another process's doing.
			took := time.Hour
			for range 3 {
				start := time.Now()
				p := b.get(path)
				took = min(took, time.Since(start))
				if p.Status != http.StatusOK {
					t.Fatalf("%s %s: %d\n%s", email, path, p.Status, p.Body)
				}
				checkTexts(t, path, p.Body)
			}
			// Logged, not asserted: a time is a benchmark's business, and
			// under the race detector or on a busy machine it says nothing.
			t.Logf("%-22s %-36s %6.1f ms", email, path, float64(took.Microseconds())/1000)
		}
	}
}

func checkLanguage(t *testing.T, site *demoSite) {
	b := site.browser(t)
	if p := b.get("/console/sign-in", "Accept-Language", "en-GB,en;q=0.9"); !strings.Contains(p.Body, `lang="en"`) || !strings.Contains(p.Body, "Sign in") {
		t.Fatal("English was asked for")
	}
	if p := b.get("/console/sign-in", "Accept-Language", "ru-RU"); !strings.Contains(p.Body, `lang="ru"`) || !strings.Contains(p.Body, "Войти") {
		t.Fatal("Russian was asked for")
	}
	form := b.get("/console/sign-in")
	p := b.post("/console/language", url.Values{"csrf": {form.csrf(t)}, "lang": {"en"}, "next": {"/console/sign-in"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("language switch: %d", p.Status)
	}
	if p := b.get("/console/sign-in", "Accept-Language", "ru-RU"); !strings.Contains(p.Body, `lang="en"`) {
		t.Fatal("the person's setting should win over Accept-Language")
	}
	// Money and dates follow the language and the school's time zone.
	b.signIn("finance@demo.test")
	p = b.get("/console/demo/refunds/execute")
	if p.Status != http.StatusOK || strings.Contains(p.Body, "₽") && !strings.Contains(p.Body, "RUB") {
		t.Fatalf("English money: %d", p.Status)
	}
}

func checkSignOutRevokes(t *testing.T, site *demoSite) {
	b := site.browser(t)
	home := b.signIn("hr@demo.test")
	token := b.token()
	p := b.post("/console/sign-out", url.Values{"csrf": {home.csrf(t)}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", p.Status)
	}
	site.Do(http.MethodGet, "/v1/me", nil, apptest.Bearer(token)).Expect(http.StatusUnauthorized)
	if p := b.get("/console/demo/hiring"); p.Status != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", p.Status)
	}
	if site.Count("audit_entries", "entity_type = 'session' AND entity_id IN (SELECT CAST(id AS TEXT) FROM auth_tokens WHERE revoked_at IS NOT NULL)") == 0 {
		t.Fatal("sign-out should be audited as the API's logout is")
	}
}

func checkNoOpenRedirect(t *testing.T, site *demoSite) {
	b := site.browser(t)
	form := b.get("/console/sign-in?next=//evil.example/x")
	if strings.Contains(form.Body, `value="//evil.example/x"`) {
		t.Fatal("a foreign address was kept as the return address")
	}
	p := b.post("/console/sign-in", url.Values{"csrf": {form.csrf(t)}, "email": {"hr@demo.test"}, "password": {"demo-Curator-2026"},
		"next": {"https://evil.example/"}})
	if loc := p.Header.Get("Location"); loc != "/console/" {
		t.Fatalf("sign-in sent the browser to %q", loc)
	}
}

var (
	hrefID      = regexp.MustCompile(`href="/console/demo/(?:homework|hiring|sla/clocks)/([0-9a-f-]{36})"`)
	dataID      = regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})"`)
	emailCell   = regexp.MustCompile(`<td>([^<@]+@[^<]+)</td>`)
	idsFromJSON = func(r *apptest.Response, field string) []string {
		var body struct {
			Items []map[string]any `json:"items"`
		}
		r.Decode(&body)
		var out []string
		for _, it := range body.Items {
			out = append(out, it[field].(string))
		}
		return out
	}
)

func matches(re *regexp.Regexp, body string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// checkTablesMatchAPI compares, for each role, a console table with the
// API's answer to the same person for the same data: the console shows
// nothing the person could not read through the API, and leaves nothing
// out of a page.
func checkTablesMatchAPI(t *testing.T, site *demoSite) {
	for _, c := range []struct {
		email, page, api, field string
		re                      *regexp.Regexp
		sorted                  bool
	}{
		{"curator01@demo.test", "/console/demo/queue?view=mine", "/v1/orgs/demo/homework-submissions?view=mine&limit=25", "id", hrefID, false},
		{"curator01@demo.test", "/console/demo/queue?view=pool", "/v1/orgs/demo/homework-submissions?view=pool&limit=25", "id", hrefID, false},
		{"head@demo.test", "/console/demo/sla", "/v1/orgs/demo/sla/clocks?view=open&limit=25", "id", hrefID, false},
		{"hr@demo.test", "/console/demo/hiring", "/v1/orgs/demo/hiring-vacancies?limit=25", "id", hrefID, true},
		{"finance@demo.test", "/console/demo/refunds/execute", "/v1/orgs/demo/refund-requests?status=approved&limit=25", "id", dataID, false},
		{"admin@demo.test", "/console/demo/people", "/v1/orgs/demo/users?limit=25", "email", emailCell, true},
		{"hr@demo.test", "/console/demo/people", "/v1/orgs/demo/users?limit=25", "email", emailCell, true},
	} {
		b := site.browser(t)
		b.signIn(c.email)
		p := b.get(c.page)
		if p.Status != http.StatusOK {
			t.Fatalf("%s %s: %d", c.email, c.page, p.Status)
		}
		got := matches(c.re, p.Body)
		want := idsFromJSON(site.Do(http.MethodGet, c.api, nil, apptest.Bearer(b.token())).Expect(http.StatusOK), c.field)
		if c.sorted {
			sort.Strings(got)
			sort.Strings(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s %s shows %d rows %v\nthe API answers %d %v", c.email, c.page, len(got), got, len(want), want)
		}
		if len(want) == 0 && c.page != "/console/demo/refunds/execute" && c.page != "/console/demo/queue?view=mine" {
			t.Errorf("%s %s: the demo should give this table rows", c.email, c.page)
		}
	}
	// A curator's refunds: the API shows her only her students'; the console
	// gives her no refunds page at all.
	b := site.browser(t)
	b.signIn("curator01@demo.test")
	if p := b.get("/console/demo/refunds/approve"); p.Status != http.StatusForbidden {
		t.Fatalf("curator on refunds to approve: %d", p.Status)
	}
}
