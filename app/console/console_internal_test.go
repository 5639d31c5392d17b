package console

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/policies"
)

func enforcer(t *testing.T) *authz.Enforcer {
	t.Helper()
	e, err := authz.New(policies.Model, policies.Files()...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestStartupRefusesUndeclaredPages: a page without an access rule, a
// school's page without a permission, and a permission no role holds stop
// start-up, as they do for an API operation.
func TestStartupRefusesUndeclaredPages(t *testing.T) {
	e := enforcer(t)
	noop := func(*request) error { return nil }
	for name, p := range map[string]*page{
		"no access rule":      {name: "x", method: http.MethodGet, path: "/:org/x", handler: noop},
		"no permission":       {name: "x", method: http.MethodGet, path: "/:org/x", access: accessOrg, handler: noop},
		"permission no role":  {name: "x", method: http.MethodGet, path: "/:org/x", access: accessOrg, perms: []authz.Permission{perm("nothing", "read")}, handler: noop},
		"permission, no org":  {name: "x", method: http.MethodGet, path: "/x", access: accessOrg, perms: []authz.Permission{perm("audit", "read")}, handler: noop},
		"declared twice":      {name: "home", method: http.MethodGet, path: "/:org/", access: accessOrg, perms: []authz.Permission{perm("org", "read")}, handler: noop},
		"no name for the log": {method: http.MethodGet, path: "/:org/y", access: accessOrg, perms: []authz.Permission{perm("org", "read")}, handler: noop},
	} {
		c := &Console{}
		pages := append(c.pageList(), p)
		if err := checkPages(pages, e); err == nil {
			t.Errorf("%s: start-up accepted the page", name)
		}
	}
	if err := checkPages((&Console{}).pageList(), e); err != nil {
		t.Fatalf("the console's own pages: %v", err)
	}
}

// TestEveryOrgPageDeclaresAPermission lists the declarations, so that a
// page added without one fails here before it fails at start-up.
func TestEveryOrgPageDeclaresAPermission(t *testing.T) {
	for _, p := range (&Console{}).pageList() {
		if strings.Contains(p.path, ":org") && len(p.perms) == 0 {
			t.Errorf("%s %s declares no permission", p.method, p.path)
		}
		if p.method == http.MethodPost && p.access == accessOrg && len(p.perms) != 1 {
			t.Errorf("form %s should declare exactly the permission of its operation", p.path)
		}
	}
}

// TestCatalog: both languages have the same keys, and every key the
// templates and handlers name is in the catalog.
func TestCatalog(t *testing.T) {
	for key := range catalog["ru"] {
		if _, ok := catalog["en"][key]; !ok {
			t.Errorf("%s has no English text", key)
		}
	}
	for key := range catalog["en"] {
		if _, ok := catalog["ru"][key]; !ok {
			t.Errorf("%s has no Russian text", key)
		}
	}
	used := regexp.MustCompile(`(?:\.L\.T|L\.T|r\.L\.T|l\.T) "([a-z_]+\.[a-z_.]+)"|"((?:nav|sc|sla|title|error|common|refund|queue|review|hiring|signin|explain|people|audit|home|schools|health|cases|conv|reading|quiz|cand|reserve|onb|keys|hooks|pay)\.[a-z_.]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, goFiles...) {
		if strings.HasSuffix(f, "_test.go") || f == "messages.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			if strings.HasSuffix(key, ".") {
				continue
			}
			if _, ok := catalog["ru"][key]; !ok {
				t.Errorf("%s uses %q, which the catalog lacks", f, key)
			}
		}
	}
	for _, p := range (&Console{}).pageList() {
		if p.nav != "" {
			for _, k := range []string{p.nav, p.nav + ".about"} {
				if _, ok := catalog["ru"][k]; !ok {
					t.Errorf("menu entry %s lacks %s", p.name, k)
				}
			}
		}
	}
}

// TestFormatting: numbers, money and dates follow the language and the
// school's time zone.
func TestFormatting(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "ru")
	ru := localeFor(req)
	ru.setZone("Europe/Moscow")
	req.Header.Set("Accept-Language", "en-US")
	en := localeFor(req)
	en.setZone("Europe/Moscow")
	if got := ru.Money(123456789); got != "1\u00a0234\u00a0567,89\u00a0₽" {
		t.Errorf("ru money: %q", got)
	}
	if got := en.Money(123456789); got != "RUB\u00a01,234,567.89" {
		t.Errorf("en money: %q", got)
	}
	v := 49.25
	if got := ru.Pct(&v); got != "49,3\u00a0%" && got != "49,2\u00a0%" {
		t.Errorf("ru percent: %q", got)
	}
	if got := ru.Pct(nil); got != "—" {
		t.Errorf("a figure without data shows %q, never 0", got)
	}
	at := mustTime(t, "2026-03-02T21:30:00Z")
	if got := ru.Time(at); got != "03.03.2026 00:30" {
		t.Errorf("ru time in Moscow: %q", got)
	}
	if got := en.Time(at); got != "Mar 3, 2026 00:30" {
		t.Errorf("en time in Moscow: %q", got)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
