package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// Query budgets: how many queries one request may cost once the caller's
// credentials are in the cache. Authenticating and authorizing a warm
// caller costs none, so each budget is what the handler itself needs; a
// listing's budget does not grow with the page, so an N+1 query fails here
// with the SQL it ran.
type queryBudget struct {
	name   string
	method string
	path   func(sc *apptest.School) string
	as     func(sc *apptest.School) apptest.Option
	max    int
	// coldMax, when set, bounds the first request, whose caller's
	// credentials are cached but not the answer itself.
	coldMax *int
}

func atMost(n int) *int { return &n }

func person(role string) func(sc *apptest.School) apptest.Option {
	return func(sc *apptest.School) apptest.Option { return sc.People[role].Auth() }
}

func inSchool(rest string) func(sc *apptest.School) string {
	return func(sc *apptest.School) string { return sc.Path(rest) }
}

var queryBudgets = []queryBudget{
	// The user with their three schools and their roles there: one query,
	// however many schools, and none once it is cached.
	{name: "get-me", method: http.MethodGet, path: func(*apptest.School) string { return "/v1/me" }, as: person("head_of_service"), max: 0, coldMax: atMost(1)},
	{name: "get-org", method: http.MethodGet, path: inSchool(""), as: person("curator"), max: 1},
	// Members, then the roles of the whole page.
	{name: "list-users", method: http.MethodGet, path: inSchool("/users?limit=50"), as: person("admin"), max: 2},
	{name: "list-api-keys", method: http.MethodGet, path: inSchool("/api-keys"), as: person("admin"), max: 1},
	{name: "list-students", method: http.MethodGet, path: inSchool("/students?limit=50"), as: person("head_of_service"), max: 1},
	{name: "list-students (API key)", method: http.MethodGet, path: inSchool("/students?limit=50"), as: integrationKey, max: 1},
	{name: "list-cohorts", method: http.MethodGet, path: inSchool("/cohorts"), as: person("head_of_service"), max: 1},
	{name: "list-courses", method: http.MethodGet, path: inSchool("/courses"), as: person("head_of_service"), max: 1},
}

// integrationKeys holds each school's integration key, made by budgetSchool.
var integrationKeys = map[*apptest.School]string{}

func integrationKey(sc *apptest.School) apptest.Option { return apptest.APIKey(integrationKeys[sc]) }

// budgetSchool is a school with enough rows that a query per row would
// show: 60 students, its head working for two more schools, and an
// integration key.
func budgetSchool(t *testing.T, s *apptest.Server) *apptest.School {
	sc := s.NewSchool("alpha")
	head := sc.People["head_of_service"]
	for _, slug := range []string{"beta", "gamma"} {
		other := s.NewSchool(slug)
		s.NewMember(other.Org.ID, head.Email, "curator", "senior_curator")
	}
	for i := 0; i < 60; i++ {
		s.Do(http.MethodPost, sc.Path("/students"), map[string]any{"full_name": fmt.Sprintf("Student %02d", i),
			"email": fmt.Sprintf("student%02d@alpha.test", i)}, head.Auth()).Expect(http.StatusCreated)
	}
	var key struct {
		Key string `json:"key"`
	}
	s.Do(http.MethodPost, sc.Path("/api-keys"), map[string]any{"name": "LMS", "role": "integration"},
		sc.People["admin"].Auth()).Expect(http.StatusCreated).Decode(&key)
	integrationKeys[sc] = key.Key
	t.Cleanup(func() { delete(integrationKeys, sc) })
	return sc
}

func TestQueryBudgets(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc := budgetSchool(t, s)
		for _, b := range queryBudgets {
			t.Run(b.name, func(t *testing.T) {
				s := s.WithT(t)
				cold := s.Do(b.method, b.path(sc), nil, b.as(sc)).Expect(http.StatusOK)
				warm := s.Do(b.method, b.path(sc), nil, b.as(sc)).Expect(http.StatusOK)
				if b.coldMax != nil && len(cold.Queries) > *b.coldMax {
					t.Fatalf("%d queries on the first request, budget %d:\n%s", len(cold.Queries), *b.coldMax, strings.Join(cold.Queries, "\n"))
				}
				if len(warm.Queries) > b.max {
					t.Fatalf("%d queries on a warm cache, budget %d (cold: %d):\n%s", len(warm.Queries), b.max, len(cold.Queries),
						strings.Join(warm.Queries, "\n"))
				}
				t.Logf("%d queries cold, %d warm (budget %d)", len(cold.Queries), len(warm.Queries), b.max)
			})
		}
	})
}
