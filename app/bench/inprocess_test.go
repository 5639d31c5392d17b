package main

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// BenchmarkInProcess is the project's cost per request without the
// network or a load generator: CPU, bytes and allocations of one request
// through the router and middleware, on SQLite and, with
// TEST_DATABASE_URL set, on PostgreSQL, for profiling
// (go test ./app/bench -run - -bench InProcess -benchmem -memprofile …).
func BenchmarkInProcess(b *testing.B) {
	databases := []struct{ dialect, url string }{{"sqlite", ""}}
	if url := os.Getenv(testkit.EnvPostgres); url != "" {
		databases = append(databases, struct{ dialect, url string }{"postgres", url})
	}
	for _, d := range databases {
		b.Run(d.dialect, func(b *testing.B) { benchmarkInProcess(b, d.dialect, d.url) })
	}
}

func benchmarkInProcess(b *testing.B, dialect, url string) {
	f, err := newFixture(context.Background(), dialect, url, 200)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(f.close)
	auth := http.Header{"Authorization": {"Bearer " + f.token}}
	for _, c := range []struct{ name, path string }{
		{"me", "/v1/me"},
		{"students", "/v1/orgs/" + f.slug + "/students?limit=50"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodGet, c.path, nil)
			req.Header = auth
			rec := newRecorder()
			for b.Loop() {
				rec.body.Reset()
				f.app.ServeHTTP(rec, req)
				if rec.code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.code, rec.body.String())
				}
			}
		})
	}
}
