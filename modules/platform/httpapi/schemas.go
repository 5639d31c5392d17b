package httpapi

import (
	"encoding/json"
	"net/http"
	"path"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/danielgtaylor/huma/v2"
	"github.com/labstack/echo/v4"
)

// NewSchemaNamer returns the namer of one API's component schemas, chosen
// so that client generators can take every name as a type name. huma names
// a body declared inline after the operation id ("list-calendarsResponse");
// generators PascalCase that into the name they give their own response
// wrapper (ListCalendarsResponse) and the client no longer compiles. Every
// name is PascalCased here, and an inline response body is called
// <Operation>Result instead, which no generator uses for itself. Two
// modules may each have a type of the same name: the second one to reach
// the spec is prefixed with its package ("ScorecardQualityScore") instead of
// stopping the server at start-up.
func NewSchemaNamer() func(t reflect.Type, hint string) string {
	var mu sync.Mutex
	owners := map[string]reflect.Type{}
	return func(t reflect.Type, hint string) string {
		name := SchemaNamer(t, hint)
		base := deref(t)
		if base.Name() == "" || base.PkgPath() == "" {
			return name
		}
		mu.Lock()
		defer mu.Unlock()
		if owner, taken := owners[name]; taken && owner != base {
			name = pascalCase(path.Base(base.PkgPath())) + name
		}
		owners[name] = base
		return name
	}
}

// SchemaNamer is the naming rule of NewSchemaNamer for one type.
func SchemaNamer(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	if deref(t).Name() == "" && strings.HasSuffix(name, "Response") {
		name = strings.TrimSuffix(name, "Response") + "Result"
	}
	return pascalCase(name)
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// pascalCase drops the characters a type name cannot hold and capitalises
// the letter after each of them: "Get-homework-statsResult" becomes
// "GetHomeworkStatsResult". Names already in PascalCase stay as they are.
func pascalCase(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ServeSpecHead answers HEAD on the spec documents huma serves at
// openAPIPath.{json,yaml} (and their 3.0 versions) with the headers a GET
// would get, so that a client or cache can check them cheaply.
func ServeSpecHead(e *echo.Echo, api huma.API, openAPIPath string) {
	if openAPIPath == "" {
		return
	}
	documents := map[string]struct {
		contentType string
		render      func(*huma.OpenAPI) ([]byte, error)
	}{
		".json":     {"application/openapi+json", func(o *huma.OpenAPI) ([]byte, error) { return json.Marshal(o) }},
		"-3.0.json": {"application/openapi+json", (*huma.OpenAPI).Downgrade},
		".yaml":     {"application/openapi+yaml", (*huma.OpenAPI).YAML},
		"-3.0.yaml": {"application/openapi+yaml", (*huma.OpenAPI).DowngradeYAML},
	}
	for suffix, doc := range documents {
		var once sync.Once
		var size int
		e.HEAD(openAPIPath+suffix, func(c echo.Context) error {
			once.Do(func() {
				// The operations are all registered by the first request.
				b, err := doc.render(api.OpenAPI())
				if err == nil {
					size = len(b)
				}
			})
			h := c.Response().Header()
			h.Set(echo.HeaderContentType, doc.contentType)
			h.Set(echo.HeaderContentLength, strconv.Itoa(size))
			return c.NoContent(http.StatusOK)
		})
	}
}
