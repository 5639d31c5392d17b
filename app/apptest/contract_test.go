package apptest_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/curatorops/curatorops/app/apptest"
)

// recordingT is a test that keeps its failures instead of failing, so that
// a test can assert that the contract check fails the test it runs in.
type recordingT struct {
	testing.TB
	mu       sync.Mutex
	failures []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recordingT) Helper() {}

func (r *recordingT) only(t *testing.T) string {
	t.Helper()
	if len(r.failures) != 1 {
		t.Fatalf("want the request to fail the test exactly once, got %d failures: %q", len(r.failures), r.failures)
	}
	return r.failures[0]
}

func mustContain(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("failure message lacks %q:\n%s", p, msg)
		}
	}
}

// TestContractFailsTheTestOfAWrongResponse: a response that breaks the spec
// makes the test that caused it fail, with a message naming the operation,
// the request, the status and the field.
func TestContractFailsTheTestOfAWrongResponse(t *testing.T) {
	s := apptest.New(t, "sqlite")
	sc := s.NewSchool("contract")
	admin := sc.People["admin"]

	// Deliberately wrong answers, put in front of the real handlers.
	s.App.Echo.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch c.Request().Header.Get("X-Break") {
			case "field-type":
				return c.JSONBlob(http.StatusOK, []byte(`{"user":42,"memberships":[]}`))
			case "status":
				return c.JSONBlob(http.StatusTeapot, []byte(`{}`))
			case "content-type":
				return c.Blob(http.StatusOK, "text/plain", []byte("hello"))
			case "problem":
				return c.Blob(http.StatusUnauthorized, "application/problem+json", []byte(`{"status":"gone"}`))
			}
			return next(c)
		}
	})

	cases := []struct {
		breaks string
		want   []string
	}{
		{"field-type", []string{"operation get-me", "GET /v1/me", "status 200", "response does not match the OpenAPI spec", "$.user"}},
		{"status", []string{"operation get-me", "status 418", "response does not match the OpenAPI spec", "418"}},
		{"content-type", []string{"operation get-me", "response does not match the OpenAPI spec", "text/plain"}},
		{"problem", []string{"operation get-me", "status 401", "response does not match the OpenAPI spec", "$.status"}},
	}
	for _, c := range cases {
		t.Run(c.breaks, func(t *testing.T) {
			rec := &recordingT{TB: t}
			s.WithT(rec).Do(http.MethodGet, "/v1/me", nil, admin.Auth(), apptest.Header("X-Break", c.breaks))
			mustContain(t, rec.only(t), c.want...)
		})
	}

	t.Run("a right response passes", func(t *testing.T) {
		rec := &recordingT{TB: t}
		s.WithT(rec).Do(http.MethodGet, "/v1/me", nil, admin.Auth()).Expect(http.StatusOK)
		s.WithT(rec).Do(http.MethodGet, "/v1/me", nil).Expect(http.StatusUnauthorized)
		s.WithT(rec).Do(http.MethodGet, sc.Path("/cohorts?limit=2"), nil, admin.Auth()).Expect(http.StatusOK)
		if len(rec.failures) > 0 {
			t.Fatalf("a right exchange failed the test: %q", rec.failures)
		}
	})

	t.Run("requests outside the spec are not checked", func(t *testing.T) {
		rec := &recordingT{TB: t}
		s.WithT(rec).Do(http.MethodGet, "/v1/no-such-thing", nil).Expect(http.StatusNotFound)
		s.WithT(rec).Do(http.MethodGet, "/openapi.json", nil).Expect(http.StatusOK)
		if len(rec.failures) > 0 {
			t.Fatalf("an exchange outside the spec failed the test: %q", rec.failures)
		}
	})
}

// TestContractRefusesAcceptedBadRequests: when the server accepts a request
// the spec refuses, the spec and the server disagree, and the test fails.
func TestContractRefusesAcceptedBadRequests(t *testing.T) {
	s := apptest.New(t, "sqlite")
	sc := s.NewSchool("lenient")
	// A server that answers every cohort listing, whatever its parameters.
	s.App.Echo.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().Header.Get("X-Lenient") != "" {
				return c.JSONBlob(http.StatusOK, []byte(`{"items":[]}`))
			}
			return next(c)
		}
	})
	rec := &recordingT{TB: t}
	s.WithT(rec).Do(http.MethodGet, sc.Path("/cohorts?limit=100000"), nil, sc.People["admin"].Auth(), apptest.Header("X-Lenient", "1"))
	mustContain(t, rec.only(t), "operation list-cohorts", "the server accepted a request the OpenAPI spec refuses", "limit")

	// The real server refuses it, which is what the spec says.
	rec = &recordingT{TB: t}
	s.WithT(rec).Do(http.MethodGet, sc.Path("/cohorts?limit=100000"), nil, sc.People["admin"].Auth()).ExpectProblem(http.StatusUnprocessableEntity, "query.limit")
	if len(rec.failures) > 0 {
		t.Fatalf("a refused bad request failed the test: %q", rec.failures)
	}
}

// TestContractIsBuiltOncePerDocument: the validator is expensive to build,
// so servers with the same spec share one.
func TestContractIsBuiltOncePerDocument(t *testing.T) {
	a := apptest.New(t, "sqlite")
	b := apptest.New(t, "sqlite")
	if a.Contract == nil || a.Contract != b.Contract {
		t.Fatal("two servers with the same spec built two validators")
	}
}
