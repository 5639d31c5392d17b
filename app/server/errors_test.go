package server_test

import (
	"context"
	"encoding/json"
	"github.com/curatorops/curatorops/modules/platform/database"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/curatorops/curatorops/app/apptest"
)

// problem is the RFC 9457 body every error carries.
type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

func decodeProblem(t *testing.T, r *apptest.Response) problem {
	t.Helper()
	var p problem
	r.Decode(&p)
	if p.Title == "" {
		t.Errorf("problem has no title: %s", r.Body)
	}
	return p
}

// TestEchoErrorsAreProblems covers the errors echo raises before huma sees
// the request: they must look like every other error of the API.
func TestEchoErrorsAreProblems(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		cases := []struct {
			name, method, path string
			body               any
			want               int
		}{
			{"unknown route", http.MethodGet, "/v1/no-such-thing", nil, http.StatusNotFound},
			{"unknown route under a known prefix", http.MethodGet, "/v1/orgs/x/no-such-thing/deeper", nil, http.StatusNotFound},
			{"wrong method on a known path", http.MethodDelete, "/healthz", nil, http.StatusMethodNotAllowed},
			{"wrong method on an operation", http.MethodPut, "/v1/auth/login", "{}", http.StatusMethodNotAllowed},
			{"body over the limit", http.MethodPost, "/v1/auth/login",
				`{"email":"a@b.test","password":"` + strings.Repeat("x", 1536*1024) + `"}`, http.StatusRequestEntityTooLarge},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.WithT(t).Do(c.method, c.path, c.body).ExpectProblem(c.want)
				p := decodeProblem(t, r)
				if p.Title != http.StatusText(c.want) {
					t.Errorf("title %q, want %q", p.Title, http.StatusText(c.want))
				}
				if p.Detail == "" {
					t.Errorf("problem has no detail: %s", r.Body)
				}
				if strings.Contains(string(r.Body), "xxxxxxxxxx") {
					t.Error("the problem echoes the request body")
				}
			})
		}
	})
}

// TestInvalidInputIsA422NamingTheField: every bad input gets 422 with the
// location of the mistake, and never the submitted values.
func TestInvalidInputIsA422NamingTheField(t *testing.T) {
	const secret = "TopSecretValue123"
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		cases := []struct {
			name     string
			body     string
			location string
		}{
			{"malformed JSON", `{"email": "a@b.test", "password": `, "body"},
			{"not an object", `[1, 2, 3]`, "body"},
			{"unknown field", `{"email":"a@b.test","password":"` + secret + `","nickname":"` + secret + `"}`, "body.nickname"},
			{"over-long email", `{"email":"` + strings.Repeat("a", 290) + `@b.test","password":"` + secret + `"}`, "body.email"},
			// huma names the object that lacks a required property.
			{"missing password", `{"email":"a@b.test"}`, "body.password"},
			{"wrong type", `{"email":"a@b.test","password":12345678901234}`, "body.password"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.WithT(t).Do(http.MethodPost, "/v1/auth/login", c.body).ExpectProblem(http.StatusUnprocessableEntity, c.location)
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("the 422 echoes the submitted password: %s", r.Body)
				}
			})
		}
	})
}

// TestPanicIsAScrubbedProblem: a panicking handler answers 500 without its
// panic text, and the server keeps serving.
func TestPanicIsAScrubbedProblem(t *testing.T) {
	const detail = "secret internal detail"
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		s.App.Echo.GET("/boom", func(echo.Context) error { panic(detail) })
		s.App.Echo.GET("/fail", func(echo.Context) error { return echo.NewHTTPError(http.StatusBadGateway, detail) })
		for _, path := range []string{"/boom", "/fail"} {
			t.Run(path, func(t *testing.T) {
				r := s.WithT(t).Do(http.MethodGet, path, nil).ExpectProblem(http.StatusInternalServerError)
				if strings.Contains(string(r.Body), "secret") || strings.Contains(string(r.Body), "panic") {
					t.Errorf("the 500 leaks the cause: %s", r.Body)
				}
				if r.Header.Get(echo.HeaderXRequestID) == "" {
					t.Error("the 500 carries no X-Request-Id to quote to support")
				}
			})
		}
		s.Do(http.MethodGet, "/healthz", nil).Expect(http.StatusOK)
	})
}

// TestResponsesCarrySecurityHeaders checks the headers on success, on a huma
// error and on an echo error alike.
func TestResponsesCarrySecurityHeaders(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		cases := []struct {
			name, method, path string
			body               any
			want               int
		}{
			{"success", http.MethodGet, "/healthz", nil, http.StatusOK},
			{"huma error", http.MethodGet, "/v1/me", nil, http.StatusUnauthorized},
			{"echo error", http.MethodGet, "/no-such-route", nil, http.StatusNotFound},
			{"validation error", http.MethodPost, "/v1/auth/login", "{", http.StatusUnprocessableEntity},
			{"body too large", http.MethodPost, "/v1/auth/login", strings.Repeat("x", 2<<20), http.StatusRequestEntityTooLarge},
		}
		seen := map[string]bool{}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.WithT(t).Do(c.method, c.path, c.body).Expect(c.want)
				for name, want := range map[string]string{
					"X-Content-Type-Options": "nosniff",
					"X-Frame-Options":        "DENY",
				} {
					if got := r.Header.Get(name); got != want {
						t.Errorf("%s: %q, want %q", name, got, want)
					}
				}
				id := r.Header.Get(echo.HeaderXRequestID)
				if id == "" {
					t.Fatal("no X-Request-Id")
				}
				if seen[id] {
					t.Errorf("X-Request-Id %q repeats across requests", id)
				}
				seen[id] = true
			})
		}
		t.Run("malformed client request id is replaced", func(t *testing.T) {
			bad := "bad id\twith " + strings.Repeat("z", 100)
			r := s.WithT(t).Do(http.MethodGet, "/healthz", nil, apptest.Header(echo.HeaderXRequestID, bad)).Expect(http.StatusOK)
			if got := r.Header.Get(echo.HeaderXRequestID); got == bad || got == "" {
				t.Errorf("X-Request-Id %q: want a fresh id instead of the malformed one", got)
			}
		})
		t.Run("client request id is kept", func(t *testing.T) {
			r := s.WithT(t).Do(http.MethodGet, "/healthz", nil, apptest.Header(echo.HeaderXRequestID, "client-id-42")).Expect(http.StatusOK)
			if got := r.Header.Get(echo.HeaderXRequestID); got != "client-id-42" {
				t.Errorf("X-Request-Id %q, want the client's client-id-42", got)
			}
		})
	})
}

func TestOperationalEndpoints(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		t.Run("healthz", func(t *testing.T) {
			var body struct {
				Status string `json:"status"`
			}
			s.WithT(t).Do(http.MethodGet, "/healthz", nil).Expect(http.StatusOK).Decode(&body)
			if body.Status != "ok" {
				t.Errorf("status %q, want ok", body.Status)
			}
		})
		t.Run("readyz", func(t *testing.T) {
			var body struct {
				Status string            `json:"status"`
				Checks map[string]string `json:"checks"`
			}
			s.WithT(t).Do(http.MethodGet, "/readyz", nil).Expect(http.StatusOK).Decode(&body)
			if body.Status != "ok" {
				t.Errorf("status %q, want ok", body.Status)
			}
			for _, check := range []string{"database", "migrations"} {
				if body.Checks[check] != "ok" {
					t.Errorf("check %s = %q, want ok (checks %v)", check, body.Checks[check], body.Checks)
				}
			}
		})
		t.Run("metrics", func(t *testing.T) {
			s.WithT(t).Do(http.MethodGet, "/healthz", nil).Expect(http.StatusOK)
			r := s.WithT(t).Do(http.MethodGet, "/metrics", nil).Expect(http.StatusOK)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("content type %q, want Prometheus text", ct)
			}
			if !strings.Contains(string(r.Body), "# TYPE curatorops_http_requests_total counter") {
				t.Fatalf("no curatorops_http_requests_total counter:\n%.2000s", r.Body)
			}
			if !strings.Contains(string(r.Body), `curatorops_http_requests_total{method="GET",operation="healthz",status="200"}`) {
				t.Errorf("the healthz request is not counted by operation id:\n%.2000s", r.Body)
			}
		})
		t.Run("openapi.json", func(t *testing.T) {
			r := s.WithT(t).Do(http.MethodGet, "/openapi.json", nil).Expect(http.StatusOK)
			var spec struct {
				OpenAPI string         `json:"openapi"`
				Paths   map[string]any `json:"paths"`
			}
			if err := json.Unmarshal(r.Body, &spec); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if !strings.HasPrefix(spec.OpenAPI, "3.") || len(spec.Paths) == 0 {
				t.Errorf("not an OpenAPI 3 document with paths: openapi %q, %d paths", spec.OpenAPI, len(spec.Paths))
			}
		})
		t.Run("openapi.yaml", func(t *testing.T) {
			r := s.WithT(t).Do(http.MethodGet, "/openapi.yaml", nil).Expect(http.StatusOK)
			if !strings.Contains(string(r.Body), "\nopenapi: ") || !strings.Contains(string(r.Body), "operationId: login") {
				t.Errorf("not the OpenAPI YAML:\n%.500s", r.Body)
			}
		})
	})
}

// A body sent without Content-Length is cut by the server's limit while it is
// read; the client gets 413, not a 500.
func TestStreamedBodyOverTheLimitIs413(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		body := io.MultiReader(strings.NewReader(`{"email":"a@b.test","password":"`), strings.NewReader(strings.Repeat("x", 2<<20)), strings.NewReader(`"}`))
		req := httptest.NewRequest(http.MethodPost, "/v1/auth/login", body)
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		s.App.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
			t.Fatalf("status %d (%s), want a 413 problem: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	})
}

func TestReadyzNamesThePendingMigrations(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		m, err := database.NewMigrator(s.DB)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Down(context.Background()); err != nil {
			t.Fatal(err)
		}
		var body struct {
			Status string
			Checks map[string]string
		}
		s.Do(http.MethodGet, "/readyz", nil).Expect(http.StatusServiceUnavailable).Decode(&body)
		if body.Status != "unavailable" || body.Checks["migrations"] != "pending" || body.Checks["database"] != "ok" {
			t.Fatalf("readyz body %+v", body)
		}
	})
}
