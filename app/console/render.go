package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"time"
)

//go:embed templates
var templateFS embed.FS

// templates are the pages, each parsed with the layout.
type templates struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"join": strings.Join,
	"list": func(s ...string) []string { return s },
	// roubles shows kopecks in a form's amount field.
	"roubles": func(kopecks int64) float64 { return float64(kopecks) / 100 },
	"query": func(base string, kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	},
}

// loadTemplates parses the embedded templates once per process: every
// server assembled (tests assemble hundreds) shares them, read-only.
var loadTemplates = sync.OnceValues(parseTemplates)

func parseTemplates() (*templates, error) {
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{byName: map[string]*template.Template{}}
	for _, file := range names {
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := clone.ParseFS(templateFS, file); err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/page_"), ".html")
		t.byName[name] = clone
	}
	return t, nil
}

// view is what every page's template receives.
type view struct {
	L       *locale
	Title   string
	Name    string // the signed-in person
	OrgName string
	OrgSlug string
	Nav     []navItem
	CSRF    string
	Path    string // the page's own address, for the language switch
	Home    string
	Data    any
	Now     time.Time
	// Refresh reloads the page every so many seconds (a running job's
	// page), with a meta element: no script.
	Refresh int
}

// refresher is page data that asks for the page to reload itself.
type refresher interface{ refresh() int }

// render writes a page with the layout.
func (r *request) render(status int, name string, data any) error {
	t, ok := r.c.tmpl.byName[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	v := view{L: r.L, Title: r.L.T("title." + name), Name: principalName(r.principal), Nav: r.nav(), CSRF: r.csrf,
		Path: r.Request().URL.RequestURI(), Home: Prefix + "/", Data: data}
	if r.org != nil {
		v.OrgSlug, v.Home = r.org.Slug, r.orgPath("/")
	}
	if rf, ok := data.(refresher); ok {
		v.Refresh = rf.refresh()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	return r.HTMLBlob(status, buf.Bytes())
}

// onePage cuts rows read with one more than the page size to the page and
// gives the cursor of the next page ("" on the last), made from the page's
// last row.
func onePage[T any](rows []T, cursor func(last T) string) ([]T, string) {
	if len(rows) <= pageSize {
		return rows, ""
	}
	rows = rows[:pageSize]
	return rows, cursor(rows[len(rows)-1])
}
