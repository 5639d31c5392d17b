package identity_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// authQueries authenticates the credentials and resolves the caller's
// roles in the school, as the security middleware does, and returns the
// queries that took.
func authQueries(t *testing.T, s *apptest.Server, c httpapi.Credentials, slug string) []string {
	t.Helper()
	ctx, log := apptest.CountQueries(s.Ctx())
	p, err := s.Services.Identity.Authenticate(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Services.Identity.OrgAccess(ctx, p, slug); err != nil {
		t.Fatal(err)
	}
	return log.List()
}

// TestAuthenticationIsFreeOnAWarmCache: once a session or an API key has
// been used, authenticating it and resolving the caller's roles in the
// school cost no query.
func TestAuthenticationIsFreeOnAWarmCache(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		key := s.Do(post, alpha.Path("/api-keys"), map[string]string{"name": "LMS"}, admin.Auth()).Expect(201).Map()["key"].(string)
		s.Clock.Advance(2 * time.Minute) // every last use is due to be written

		for name, c := range map[string]httpapi.Credentials{
			"session": {BearerToken: alpha.People["curator"].Token},
			"API key": {APIKey: key},
		} {
			cold := authQueries(t, s, c, "alpha")
			warm := authQueries(t, s, c, "alpha")
			// Cold: the credential, its last use, the school with the roles.
			if len(cold) != 3 || len(warm) != 0 {
				t.Fatalf("%s: %d queries cold (want 3), %d warm (want 0):\n%s", name, len(cold), len(warm), strings.Join(warm, "\n"))
			}
		}
	})
}

// TestLastUseIsWrittenOnceAMinute: a cached session's last use is still
// written, at most once a minute.
func TestLastUseIsWrittenOnceAMinute(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		cur := alpha.People["curator"]
		lastUsed := func() time.Time {
			var at time.Time
			if err := s.DB.NewSelect().TableExpr("auth_tokens").Column("last_used_at").
				Where("user_id = ?", cur.UserID).Scan(s.Ctx(), &at); err != nil {
				t.Fatal(err)
			}
			return at.UTC()
		}
		s.Do(get, "/v1/me", nil, cur.Auth()).Expect(200)
		if got := lastUsed(); !got.Equal(apptest.Start) {
			t.Fatalf("last use %v after the first request, want %v", got, apptest.Start)
		}
		s.Clock.Advance(59 * time.Second)
		fromMemory(t, s, "/v1/me", cur.Auth())
		if got := lastUsed(); !got.Equal(apptest.Start) {
			t.Fatalf("within the minute: last use %v, want %v", got, apptest.Start)
		}
		s.Clock.Advance(time.Second)
		s.Do(get, "/v1/me", nil, cur.Auth()).Expect(200)
		if want := apptest.Start.Add(time.Minute); !lastUsed().Equal(want) {
			t.Fatalf("after a minute: last use %v, want %v", lastUsed(), want)
		}
	})
}

// TestCachedCredentialsFollowEveryChange: each change that takes access
// away is refused on the very next request of a caller whose credentials
// are cached, and access given back works at once too.
func TestCachedCredentialsFollowEveryChange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, cur := alpha.People["admin"], alpha.People["curator"]
		version := func(n int) apptest.Option { return apptest.Header("If-Match", `"`+strconv.Itoa(n)+`"`) }
		warm := func(a apptest.Actor) { s.Do(get, alpha.Path(""), nil, a.Auth()).Expect(200) }

		// An expired session, although cached.
		warm(cur)
		s.Clock.Advance(12 * time.Hour)
		s.Do(get, alpha.Path(""), nil, cur.Auth()).ExpectProblem(401)
		s.Clock.Set(apptest.Start)

		// A disabled account, then enabled again.
		warm(cur)
		if _, err := s.Services.Identity.SetUserStatus(s.Ctx(), cur.Email, "disabled"); err != nil {
			t.Fatal(err)
		}
		s.Do(get, alpha.Path(""), nil, cur.Auth()).ExpectProblem(401)
		if _, err := s.Services.Identity.SetUserStatus(s.Ctx(), cur.Email, "active"); err != nil {
			t.Fatal(err)
		}
		warm(cur)

		// A disabled membership, then enabled again.
		member := alpha.Path("/users/" + cur.UserID)
		s.Do(patch, member, map[string]string{"status": "disabled"}, admin.Auth(), version(1)).Expect(200)
		s.Do(get, alpha.Path(""), nil, cur.Auth()).ExpectProblem(404)
		s.Do(patch, member, map[string]string{"status": "active"}, admin.Auth(), version(2)).Expect(200)
		warm(cur)

		// The school's settings travel with the cached roles.
		s.Do(patch, alpha.Path(""), map[string]string{"time_zone": "Asia/Tokyo"}, admin.Auth(), version(1)).Expect(200)
		p, err := s.Services.Identity.Authenticate(s.Ctx(), httpapi.Credentials{BearerToken: cur.Token})
		if err != nil {
			t.Fatal(err)
		}
		if org, err := s.Services.Identity.OrgAccess(s.Ctx(), p, "alpha"); err != nil || org.TimeZone != "Asia/Tokyo" {
			t.Fatalf("after changing the time zone: %+v, %v", org, err)
		}

		// A signed-out session.
		s.Do(post, "/v1/auth/logout", nil, cur.Auth()).Expect(204)
		s.Do(get, alpha.Path(""), nil, cur.Auth()).ExpectProblem(401)
	})
}

// TestMeFollowsEveryChange: /v1/me, answered from memory once read, shows
// a new school, a role granted or removed, a disabled membership and a
// renamed school on the next request.
func TestMeFollowsEveryChange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		admin, cur := alpha.People["admin"], alpha.People["curator"]
		version := func(n int) apptest.Option { return apptest.Header("If-Match", `"`+strconv.Itoa(n)+`"`) }
		me := func() string {
			var body struct {
				Memberships []struct {
					Org    struct{ Slug, Name string }
					Status string
					Roles  []string
				}
			}
			res := s.Do(get, "/v1/me", nil, cur.Auth()).Expect(200)
			res.Decode(&body)
			var parts []string
			for _, m := range body.Memberships {
				parts = append(parts, m.Org.Slug+"("+m.Org.Name+") "+m.Status+" "+strings.Join(m.Roles, ","))
			}
			return strings.Join(parts, "; ")
		}
		expect := func(want string) {
			t.Helper()
			if got := me(); got != want {
				t.Fatalf("/v1/me shows %q, want %q", got, want)
			}
		}
		expect("alpha(School alpha) active curator")
		fromMemory(t, s, "/v1/me", cur.Auth())

		s.Do(post, beta.Path("/users"), map[string]any{"email": cur.Email, "name": "Ignored", "password": "Another-l0ng-password", "roles": []string{"hr"}},
			beta.People["admin"].Auth()).Expect(201)
		// An existing account is invited: beta shows once she accepts.
		expect("alpha(School alpha) active curator")
		var invitations struct{ Items []struct{ ID string } }
		s.Do(get, "/v1/me/invitations", nil, cur.Auth()).Expect(200).Decode(&invitations)
		if len(invitations.Items) != 1 {
			t.Fatalf("invitations %+v, want one", invitations)
		}
		s.Do(post, "/v1/me/invitations/"+invitations.Items[0].ID+"/accept", nil, cur.Auth()).Expect(204)
		expect("alpha(School alpha) active curator; beta(School beta) active hr")

		member := alpha.Path("/users/" + cur.UserID)
		s.Do(put, member+"/roles/senior_curator", nil, admin.Auth(), version(1)).Expect(200)
		expect("alpha(School alpha) active senior_curator,curator; beta(School beta) active hr")
		s.Do(del, member+"/roles/senior_curator", nil, admin.Auth(), version(2)).Expect(200)
		s.Do(patch, member, map[string]string{"status": "disabled"}, admin.Auth(), version(3)).Expect(200)
		expect("alpha(School alpha) disabled curator; beta(School beta) active hr")

		s.Do(patch, beta.Path(""), map[string]string{"name": "Beta Academy"}, beta.People["admin"].Auth(), version(1)).Expect(200)
		expect("alpha(School alpha) disabled curator; beta(Beta Academy) active hr")
	})
}

// fromMemory repeats a GET until one is served without a query, and fails
// after 20. On PostgreSQL the notifications of the setup's own writes reach
// the cache asynchronously, and one arriving after a request has filled
// the cache makes it forget that entry once.
func fromMemory(t *testing.T, s *apptest.Server, path string, auth apptest.Option) {
	t.Helper()
	var queries []string
	for range 20 {
		if queries = s.Do(get, path, nil, auth).Expect(200).Queries; len(queries) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("GET %s was never served from memory; the last time it ran:\n%s", path, strings.Join(queries, "\n"))
}
