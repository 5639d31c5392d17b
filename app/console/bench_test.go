package console_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// pageBudget is the console's promise for every page on the demo data:
// an answer within 200 ms of server time.
const pageBudget = 200 * time.Millisecond

// BenchmarkPages opens every GET page of the console that the demo school
// reaches, as the person whose page it is, through the real handler
// (router, middleware, session, policy, services, templates) without a
// network in between: server time. Each page is a sub-benchmark
// reporting ms/op (the mean), p50-ms and max-ms, and fails when its median
// is over pageBudget. The median, not the mean: the machine is shared,
// and one slow answer may be another process's doing.
//
//	go test -run '^$' -bench Pages -benchtime 20x ./app/console/
//
// Ids in addresses are those the pages themselves link to, as a person
// clicking through finds them; every link of each person's menu is opened
// too, so a page added to the menu is measured without a change here.
// With TEST_DATABASE_URL set it runs on PostgreSQL as well.
func BenchmarkPages(b *testing.B) {
	for _, dialect := range testkit.Dialects() {
		b.Run(dialect, func(b *testing.B) { benchmarkPages(b, dialect) })
	}
}

func benchmarkPages(b *testing.B, dialect string) {
	s := apptest.Seeded(b, dialect, "demo", demoAt, func(ctx context.Context, svc *server.Services) error {
		return demo.Seed(ctx, svc, quiet)
	})
	h := s.App.Handler()
	signIn := func(email string) *handlerClient {
		c := &handlerClient{tb: b, h: h, cookies: map[string]string{}}
		form := c.get("/console/sign-in")
		m := csrfInput.FindStringSubmatch(form.Body.String())
		if m == nil {
			b.Fatal("no CSRF token on the sign-in form")
		}
		if r := c.post("/console/sign-in", url.Values{"csrf": {m[1]}, "email": {email}, "password": {demo.Password}}); r.Code != http.StatusSeeOther {
			b.Fatalf("sign-in of %s: %d", email, r.Code)
		}
		return c
	}

	// A webhook and a refund decision, so that the delivery log has a row.
	admin := signIn("admin@demo.test")
	var hook struct {
		ID string `json:"id"`
	}
	s.Do(http.MethodPost, "/v1/orgs/demo/webhooks", map[string]any{"url": "https://hooks.example.com/bench", "event_types": []string{"*"}},
		apptest.Bearer(admin.cookies["co_session"])).Expect(http.StatusCreated).Decode(&hook)
	head := signIn("head@demo.test")
	refunds := head.get("/console/demo/refunds/approve").Body.String()
	if m := benchRefund.FindStringSubmatch(refunds); m != nil {
		head.post("/console/demo/refunds/"+m[1]+"/reject", url.Values{"csrf": {csrfInput.FindStringSubmatch(refunds)[1]}, "version": {m[2]},
			"note": {"Outside the refund window"}})
	}

	type person struct {
		key   string
		c     *handlerClient
		pages []benchPage
	}
	curator, hr, finance := signIn("curator01@demo.test"), signIn("hr@demo.test"), signIn("finance@demo.test")
	people := []person{
		{"head", head, nil}, {"curator01", curator, nil}, {"hr", hr, nil}, {"finance", finance, nil}, {"admin", admin, nil},
	}
	// Each person's menu, from the home page.
	for i, p := range people {
		p.c.mustGet(&people[i].pages, "home", "/console/demo/")
		for _, href := range matchesAll(benchNav, p.c.get("/console/demo/").Body.String()) {
			p.c.mustGet(&people[i].pages, strings.ReplaceAll(strings.TrimPrefix(href, "/console/demo/"), "/", "-"), href)
		}
	}
	// The pages behind an id, found as a person finds them: by a link.
	hp, cp, rp, fp, ap := &people[0].pages, &people[1].pages, &people[2].pages, &people[3].pages, &people[4].pages
	head.mustGet(hp, "sla-explain", head.link("/console/demo/sla", `/console/demo/sla/clocks/`))
	article := head.link("/console/demo/regulations/reading", `/console/demo/regulations/reading/`)
	head.mustGet(hp, "readers-of-article", article)
	head.mustGet(hp, "regulation", strings.Replace(article, "/reading/", "/", 1))
	periods := matchesAll(benchPeriod, head.get("/console/demo/pay").Body.String())
	if len(periods) != 2 {
		b.Fatalf("the demo should have two pay periods: %v", periods)
	}
	head.mustGet(hp, "pay-period-in-review", periods[0])
	head.mustGet(hp, "pay-period-exported", periods[1])
	statement := head.link(periods[1], periods[1]+"/statements/")
	head.mustGet(hp, "pay-statement", statement)
	head.mustGet(hp, "pay-line-sources", head.link(statement, "/console/demo/pay/lines/"))
	curator.mustGet(cp, "queue-pool", "/console/demo/queue?view=pool")
	curator.mustGet(cp, "submission", curator.link("/console/demo/queue?view=pool", "/console/demo/homework/"))
	curator.mustGet(cp, "regulation", curator.link("/console/demo/regulations", "/console/demo/regulations/"))
	vacancy := hr.link("/console/demo/hiring", "/console/demo/hiring/")
	hr.mustGet(rp, "vacancy-board", vacancy)
	hr.mustGet(rp, "candidate-card", hr.link(vacancy, "/console/demo/hiring/applications/"))
	finance.mustGet(fp, "download-pay-export-xlsx", periods[1]+"/exports/xlsx")
	admin.mustGet(ap, "webhook-deliveries", "/console/demo/webhooks/"+hook.ID)
	anonymous := &handlerClient{tb: b, h: h, cookies: map[string]string{}}

	run := func(b *testing.B, c *handlerClient, p benchPage) {
		want := http.StatusOK
		if p.path == "/console/" {
			want = http.StatusSeeOther
		}
		took := make([]time.Duration, 0, b.N)
		for b.Loop() {
			start := time.Now()
			r := c.get(p.path)
			took = append(took, time.Since(start))
			if r.Code != want {
				b.Fatalf("%s: %d", p.path, r.Code)
			}
		}
		slices.Sort(took)
		var sum time.Duration
		for _, d := range took {
			sum += d
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		median := took[(len(took)-1)/2]
		b.ReportMetric(ms(sum)/float64(len(took)), "ms/op")
		b.ReportMetric(ms(median), "p50-ms")
		b.ReportMetric(ms(took[len(took)-1]), "max-ms")
		b.ReportMetric(0, "ns/op")
		if median > pageBudget {
			b.Errorf("%s answers in %.1f ms (median of %d), over the %v budget", p.path, ms(median), len(took), pageBudget)
		}
	}
	b.Run("public/sign-in-form", func(b *testing.B) { run(b, anonymous, benchPage{"sign-in-form", "/console/sign-in"}) })
	b.Run("head/start", func(b *testing.B) { run(b, head, benchPage{"start", "/console/"}) })
	for _, p := range people {
		for _, page := range p.pages {
			b.Run(p.key+"/"+page.name, func(b *testing.B) { run(b, p.c, page) })
		}
	}
}

var (
	benchNav    = regexp.MustCompile(`<li><a href="(/console/demo/[^"]+)"`)
	benchPeriod = regexp.MustCompile(`href="(/console/demo/pay/periods/[0-9a-f-]{36})"`)
	benchRefund = regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})"[\s\S]*?name="version" value="(\d+)"`)
)

type benchPage struct{ name, path string }

// handlerClient is a person's browser talking to the handler directly:
// the cookies it was given, no network.
type handlerClient struct {
	tb      testing.TB
	h       http.Handler
	cookies map[string]string
}

func (c *handlerClient) do(req *http.Request) *httptest.ResponseRecorder {
	for name, value := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return rec
}

func (c *handlerClient) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (c *handlerClient) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// mustGet adds the page to pages once it has answered 200.
func (c *handlerClient) mustGet(pages *[]benchPage, name, path string) {
	c.tb.Helper()
	for _, p := range *pages {
		if p.path == path {
			return
		}
	}
	if r := c.get(path); r.Code != http.StatusOK {
		c.tb.Fatalf("%s (%s): %d", name, path, r.Code)
	}
	*pages = append(*pages, benchPage{name, path})
}

// link is the first address on the page at path that starts with prefix
// followed by an id, as the page links it.
func (c *handlerClient) link(path, prefix string) string {
	c.tb.Helper()
	re := regexp.MustCompile(`href="(` + regexp.QuoteMeta(prefix) + `[0-9a-f-]{36}(?:[/?][^"]*)?)"`)
	m := re.FindStringSubmatch(c.get(path).Body.String())
	if m == nil {
		c.tb.Fatalf("%s links nothing under %s", path, prefix)
	}
	return html.UnescapeString(m[1])
}

func matchesAll(re *regexp.Regexp, body string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}
