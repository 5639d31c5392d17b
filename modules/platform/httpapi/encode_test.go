package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humaecho"
	"github.com/labstack/echo/v4"
)

type stamped struct {
	Body struct {
		At time.Time `json:"at"`
	}
}

// A body that cannot be encoded answers the error handler's 500, not a 200
// with a broken body; one that can is untouched.
func TestUnencodableBodyIsA500(t *testing.T) {
	e := echo.New()
	e.Use(DeferStatus)
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if !c.Response().Committed {
			_ = c.JSON(http.StatusInternalServerError, map[string]string{"detail": "internal error"})
		}
	}
	cfg := huma.DefaultConfig("test", "1")
	cfg.Formats = map[string]huma.Format{"application/json": JSONFormat, "json": JSONFormat}
	api := humaecho.New(e, cfg)
	for path, at := range map[string]time.Time{
		"/fine":   time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		"/broken": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		huma.Get(api, path, func(context.Context, *struct{}) (*stamped, error) {
			out := &stamped{}
			out.Body.At = at
			return out, nil
		})
	}

	cases := []struct {
		path, want string
		status     int
	}{
		{"/fine", `"at":"2026-03-02T09:00:00Z"`, http.StatusOK},
		{"/broken", `"detail":"internal error"`, http.StatusInternalServerError},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) || strings.Contains(rec.Body.String(), "marshaling") {
			t.Errorf("GET %s: %d %s, want %d with %s", c.path, rec.Code, rec.Body, c.status, c.want)
		}
	}
}
