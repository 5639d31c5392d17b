package identity_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// refusedWithin polls until the request is answered with status or the
// time is up, and returns how long that took.
func refusedWithin(t *testing.T, limit time.Duration, status int, request func() *apptest.Response) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		res := request()
		if res.Code == status {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("still %d after %v, want %d", res.Code, limit, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRevocationReachesTheOtherReplica: two servers on one PostgreSQL
// database, each with its own pool and credential cache. What one of them
// revokes, the other refuses within a second, although it had the
// credentials cached (its time-to-live is thirty times longer).
func TestRevocationReachesTheOtherReplica(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.Server) {
		b := a.Replica()
		alpha := a.NewSchool("alpha")
		admin := alpha.People["admin"]
		cur := a.NewMember(alpha.Org.ID, "two-roles@alpha.test", "curator", "hr")
		key := a.Do(http.MethodPost, alpha.Path("/api-keys"), map[string]string{"name": "LMS"}, admin.Auth()).Expect(201).Map()

		// b serves all three from memory: each request costs only its
		// handler's queries, none for authentication.
		warm := func(path string, as apptest.Option, handlerQueries int) {
			b.Do(http.MethodGet, path, nil, as).Expect(200)
			if q := b.Do(http.MethodGet, path, nil, as).Expect(200).Queries; len(q) != handlerQueries {
				t.Fatalf("GET %s on b: %d queries, want %d (authentication from the cache): %v", path, len(q), handlerQueries, q)
			}
		}
		warm(alpha.Path("/users"), cur.Auth(), 2)
		warm(alpha.Path("/students"), apptest.APIKey(key["key"].(string)), 1)
		warm("/v1/me", alpha.People["finance"].Auth(), 0)
		warm("/v1/me", cur.Auth(), 0)

		// A role removed through a.
		a.Do(http.MethodDelete, alpha.Path("/users/"+cur.UserID+"/roles/hr"), nil, admin.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200)
		took := refusedWithin(t, time.Second, http.StatusForbidden, func() *apptest.Response {
			return b.Do(http.MethodGet, alpha.Path("/users"), nil, cur.Auth())
		})
		t.Logf("role removed on a, refused by b after %v", took)
		if roles := b.Do(http.MethodGet, "/v1/me", nil, cur.Auth()).Expect(200).Map()["memberships"].([]any)[0].(map[string]any)["roles"]; len(roles.([]any)) != 1 {
			t.Fatalf("b's /v1/me still shows roles %v", roles)
		}

		// A key revoked through a.
		a.Do(http.MethodPost, alpha.Path("/api-keys/"+key["id"].(string)+"/revoke"), nil, admin.Auth()).Expect(200)
		took = refusedWithin(t, time.Second, http.StatusUnauthorized, func() *apptest.Response {
			return b.Do(http.MethodGet, alpha.Path("/students"), nil, apptest.APIKey(key["key"].(string)))
		})
		t.Logf("key revoked on a, refused by b after %v", took)

		// A session signed out through a.
		a.Do(http.MethodPost, "/v1/auth/logout", nil, alpha.People["finance"].Auth()).Expect(204)
		took = refusedWithin(t, time.Second, http.StatusUnauthorized, func() *apptest.Response {
			return b.Do(http.MethodGet, "/v1/me", nil, alpha.People["finance"].Auth())
		})
		t.Logf("session signed out on a, refused by b after %v", took)
	})
}
