package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// demoSite is the demo school served over HTTP, as `serve --demo` does.
type demoSite struct {
	*apptest.Server
	URL string
}

// demoAt is the present the demo school is seeded around; the clock of
// every site stands still at it.
var demoAt = time.Now().UTC().Truncate(time.Second)

func TestMain(m *testing.M) {
	code := m.Run()
	testkit.DropSnapshots()
	os.Exit(code)
}

// newDemoSite serves a fresh copy of the demo school on dialect, as
// `serve --demo` does. The school is seeded once per database and run.
func newDemoSite(t *testing.T, dialect string) *demoSite {
	t.Helper()
	s := apptest.Seeded(t, dialect, "demo", demoAt, func(ctx context.Context, svc *server.Services) error {
		return demo.Seed(ctx, svc, quiet)
	})
	srv := httptest.NewServer(s.App.Handler())
	t.Cleanup(srv.Close)
	return &demoSite{Server: s, URL: srv.URL}
}

// browser is a plain HTTP client with cookies that does not follow
// redirects, so that tests see them.
type browser struct {
	t    *testing.T
	site *demoSite
	c    *http.Client
}

func (d *demoSite) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, site: d, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) get(path string, headers ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.site.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.site.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token of the first form of a page.
func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", p.Body)
	}
	return m[1]
}

// signIn signs in through the form and returns the page it lands on.
func (b *browser) signIn(email string) page {
	b.t.Helper()
	form := b.get("/console/sign-in")
	p := b.post("/console/sign-in", url.Values{"csrf": {form.csrf(b.t)}, "email": {email}, "password": {demo.Password}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("sign-in of %s: %d\n%s", email, p.Status, p.Body)
	}
	return b.follow(p)
}

// follow follows redirects to the final page.
func (b *browser) follow(p page) page {
	b.t.Helper()
	for i := 0; i < 5 && (p.Status == http.StatusSeeOther || p.Status == http.StatusFound); i++ {
		p = b.get(p.Header.Get("Location"))
	}
	return p
}

// token is the session token the browser holds, for calling the API as
// the same person.
func (b *browser) token() string {
	u, _ := url.Parse(b.site.URL + "/console/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "co_session" {
			return c.Value
		}
	}
	b.t.Fatal("no session cookie")
	return ""
}
