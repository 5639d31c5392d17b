package httpapi

import (
	"context"
	"io"
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

// A body is sent with its length declared, in one piece: without a
// length, net/http sends a body of more than 2 KB in chunks.
func TestBodyDeclaresItsLength(t *testing.T) {
	e := echo.New()
	e.Use(DeferStatus)
	cfg := huma.DefaultConfig("test", "1")
	cfg.Formats = map[string]huma.Format{"application/json": JSONFormat, "json": JSONFormat}
	api := humaecho.New(e, cfg)
	type page struct {
		Body struct {
			Items []string `json:"items"`
		}
	}
	huma.Get(api, "/page", func(context.Context, *struct{}) (*page, error) {
		out := &page{}
		for range 500 {
			out.Body.Items = append(out.Body.Items, "twenty characters...")
		}
		return out, nil
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/page")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || len(body) < 10_000 || res.ContentLength != int64(len(body)) || len(res.TransferEncoding) != 0 {
		t.Errorf("%d, %d bytes, declared length %d, transfer encoding %q; want 200 with the length declared and no chunks",
			res.StatusCode, len(body), res.ContentLength, res.TransferEncoding)
	}
}
