package identity_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

const (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
	del   = http.MethodDelete
)

func login(email, password string) map[string]string {
	return map[string]string{"email": email, "password": password}
}

func TestLogin(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head := alpha.People["head_of_service"]

		body := s.Do(post, "/v1/auth/login", login("HEAD_of_service@Alpha.test", apptest.Password)).Expect(200).Map()
		if tok, _ := body["token"].(string); !strings.HasPrefix(tok, "cot_") || len(tok) < 40 {
			t.Fatalf("token %q is not a long opaque token", body["token"])
		}
		if body["user"].(map[string]any)["email"] != head.Email {
			t.Fatalf("login answered user %v", body["user"])
		}
		if exp, _ := time.Parse(time.RFC3339, body["expires_at"].(string)); !exp.Equal(apptest.Start.Add(12 * time.Hour)) {
			t.Fatalf("expires_at %v, want 12 h after now", body["expires_at"])
		}

		wrongPassword := s.Do(post, "/v1/auth/login", login(head.Email, "not-the-password")).ExpectProblem(401)
		unknownEmail := s.Do(post, "/v1/auth/login", login("nobody@alpha.test", "not-the-password")).ExpectProblem(401)
		if string(wrongPassword.Body) != string(unknownEmail.Body) {
			t.Fatalf("unknown email and wrong password must look the same:\n%s\n%s", wrongPassword.Body, unknownEmail.Body)
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		email := alpha.People["curator"].Email
		for i := 0; i < 4; i++ {
			s.Do(post, "/v1/auth/login", login(email, "wrong-password")).ExpectProblem(401)
		}
		// The fifth failure reaches the threshold and blocks the email.
		s.Do(post, "/v1/auth/login", login(email, "wrong-password")).ExpectProblem(401)
		blocked := s.Do(post, "/v1/auth/login", login(email, apptest.Password)).ExpectProblem(429)
		retry, err := strconv.Atoi(blocked.Header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > 60 {
			t.Fatalf("Retry-After %q, want 1..60 seconds", blocked.Header.Get("Retry-After"))
		}
		// Other people are not blocked.
		s.Do(post, "/v1/auth/login", login(alpha.People["hr"].Email, apptest.Password)).Expect(200)

		s.Clock.Advance(61 * time.Second)
		s.Do(post, "/v1/auth/login", login(email, apptest.Password)).Expect(200)
		// Success resets the count: one more failure does not block again.
		s.Do(post, "/v1/auth/login", login(email, "wrong-password")).ExpectProblem(401)
		s.Do(post, "/v1/auth/login", login(email, apptest.Password)).Expect(200)
	})
}

func TestMeLogoutAndExpiry(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		head := alpha.People["head_of_service"]
		// The same person also works for beta as a curator.
		s.NewMember(beta.Org.ID, head.Email, "curator")

		s.Do(get, "/v1/me", nil).ExpectProblem(401)
		s.Do(get, "/v1/me", nil, apptest.Bearer("cot_forged")).ExpectProblem(401)

		var me struct {
			User        struct{ Email string }
			Memberships []struct {
				Org   struct{ Slug string }
				Roles []string
			}
		}
		s.Do(get, "/v1/me", nil, head.Auth()).Expect(200).Decode(&me)
		roles := map[string]string{}
		for _, m := range me.Memberships {
			roles[m.Org.Slug] = strings.Join(m.Roles, ",")
		}
		if me.User.Email != head.Email || roles["alpha"] != "head_of_service" || roles["beta"] != "curator" {
			t.Fatalf("unexpected /v1/me: %+v", me)
		}

		s.Do(post, "/v1/auth/logout", nil, head.Auth()).Expect(204)
		s.Do(get, "/v1/me", nil, head.Auth()).ExpectProblem(401)

		hr := alpha.People["hr"]
		s.Clock.Advance(12*time.Hour + time.Second)
		s.Do(get, "/v1/me", nil, hr.Auth()).ExpectProblem(401)
	})
}

// TestDisabledAccountIsRefused: a disabled account's open sessions stop
// working at once, in every school, while its memberships stay as they are.
func TestDisabledAccountIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		cur := alpha.People["curator"]
		s.Do(get, alpha.Path(""), nil, cur.Auth()).Expect(200)
		if _, err := s.Services.Identity.SetUserStatus(s.Ctx(), cur.Email, "disabled"); err != nil {
			t.Fatal(err)
		}
		s.Do(get, "/v1/me", nil, cur.Auth()).ExpectProblem(401)
		s.Do(get, alpha.Path(""), nil, cur.Auth()).ExpectProblem(401)
		s.Do(get, alpha.Path(""), nil, alpha.People["head_of_service"].Auth()).Expect(200)
	})
}

func TestChangePassword(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		cur := alpha.People["curator"]
		other := s.Login(cur.Email, apptest.Password)

		change := func(current, next string) *apptest.Response {
			return s.Do(put, "/v1/me/password", map[string]string{"current_password": current, "new_password": next}, cur.Auth())
		}
		change("wrong-current-pw", "a-Much-Better-Passw0rd").ExpectProblem(422, "body.current_password")
		change(apptest.Password, "short").ExpectProblem(422, "body.new_password")
		change(apptest.Password, "demo-password").ExpectProblem(422, "body.new_password")
		change(apptest.Password, "demo-Curator-2026").ExpectProblem(422, "body.new_password")
		change(apptest.Password, "aaaaaaaaaaaa").ExpectProblem(422, "body.new_password")
		change(apptest.Password, "a-Much-Better-Passw0rd").Expect(204)

		s.Do(get, "/v1/me", nil, cur.Auth()).Expect(200)
		s.Do(get, "/v1/me", nil, apptest.Bearer(other)).ExpectProblem(401) // other sessions end
		s.Do(post, "/v1/auth/login", login(cur.Email, apptest.Password)).ExpectProblem(401)
		s.Login(cur.Email, "a-Much-Better-Passw0rd")
	})
}

func TestCreateOrg(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		root := s.NewPlatformAdmin("root@platform.test")
		org := map[string]string{"slug": "gamma", "name": "Гамма", "time_zone": "Asia/Yekaterinburg", "currency": "RUB"}

		s.Do(post, "/v1/orgs", org).ExpectProblem(401)
		s.Do(post, "/v1/orgs", org, alpha.People["admin"].Auth()).ExpectProblem(403)
		created := s.Do(post, "/v1/orgs", org, root.Auth()).Expect(201)
		if created.Header.Get("ETag") != `"1"` || created.Map()["time_zone"] != "Asia/Yekaterinburg" {
			t.Fatalf("unexpected creation: %s %s", created.Header, created.Body)
		}
		s.Do(post, "/v1/orgs", org, root.Auth()).ExpectProblem(409)

		bad := map[string]string{"slug": "Bad Slug", "name": "x", "time_zone": "Mars/Olympus", "currency": "rub"}
		s.Do(post, "/v1/orgs", bad, root.Auth()).ExpectProblem(422, "body.slug", "body.currency")
		bad = map[string]string{"slug": "delta", "name": "x", "time_zone": "Mars/Olympus", "currency": "RUB"}
		s.Do(post, "/v1/orgs", bad, root.Auth()).ExpectProblem(422, "body.time_zone")

		var page struct{ Items []struct{ Slug string } }
		s.Do(get, "/v1/orgs?limit=1", nil, root.Auth()).Expect(200).Decode(&page)
		if len(page.Items) != 1 || page.Items[0].Slug != "alpha" {
			t.Fatalf("first page of orgs: %+v", page)
		}
	})
}

func TestUpdateOrgNeedsCurrentVersion(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		rename := map[string]string{"name": "Альфа"}

		s.Do(patch, alpha.Path(""), rename, admin.Auth()).ExpectProblem(428)
		s.Do(patch, alpha.Path(""), rename, admin.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200)
		// A second writer still holding version 1 is refused and changes nothing.
		s.Do(patch, alpha.Path(""), map[string]string{"name": "Lost update"}, admin.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(412)
		got := s.Do(get, alpha.Path(""), nil, alpha.People["curator"].Auth()).Expect(200)
		if got.Map()["name"] != "Альфа" || got.Header.Get("ETag") != `"2"` {
			t.Fatalf("after update: %s %s", got.Header.Get("ETag"), got.Body)
		}
		s.Do(patch, alpha.Path(""), rename, alpha.People["head_of_service"].Auth(), apptest.Header("If-Match", `"2"`)).ExpectProblem(403)
		s.Do(patch, alpha.Path(""), map[string]string{"time_zone": "Nowhere/City"}, admin.Auth(), apptest.Header("If-Match", `"2"`)).ExpectProblem(422, "body.time_zone")
	})
}

func newUser(email string, roles ...string) map[string]any {
	return map[string]any{"email": email, "name": "Новый Куратор", "password": "Strong-Passw0rd-1", "roles": roles}
}

func TestCreateUser(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		admin := alpha.People["admin"]

		created := s.Do(post, alpha.Path("/users"), newUser("New.Curator@alpha.test", "curator", "senior_curator"), admin.Auth()).Expect(201).Map()
		if created["status"] != "active" || len(created["roles"].([]any)) != 2 {
			t.Fatalf("unexpected member %v", created)
		}
		s.Login("New.Curator@alpha.test", "Strong-Passw0rd-1")

		// Case-insensitive email: the same person cannot be added twice.
		s.Do(post, alpha.Path("/users"), newUser("new.curator@ALPHA.test", "curator"), admin.Auth()).ExpectProblem(409)
		// So is an address that differs only in Unicode form (fullwidth letters) or surrounding spaces.
		s.Do(post, alpha.Path("/users"), newUser(" \uff4eew.curator@alpha.test ", "curator"), admin.Auth()).ExpectProblem(409)
		users := s.Count("users", "")
		s.Do(post, alpha.Path("/users"), newUser("x@alpha.test", "janitor"), admin.Auth()).ExpectProblem(422, "body.roles[0]")
		s.Do(post, alpha.Path("/users"), newUser("y@alpha.test"), admin.Auth()).ExpectProblem(422, "body.roles")
		for _, password := range []string{"demo-password", "aaaaaaaaaaaa", "qwertyqwerty", "short-pw"} {
			weak := newUser("z@alpha.test", "curator")
			weak["password"] = password
			s.Do(post, alpha.Path("/users"), weak, admin.Auth()).ExpectProblem(422, "body.password")
		}
		for _, email := range []string{"admin@alpha.test\u200b", "\u0430dmin@alpha.test", "admin@\u0430lpha.test"} {
			s.Do(post, alpha.Path("/users"), newUser(email, "curator"), admin.Auth()).ExpectProblem(422, "body.email")
		}
		guessable := newUser("z@alpha.test", "curator")
		guessable["password"] = "qwertyqwerty"
		if body := string(s.Do(post, alpha.Path("/users"), guessable, admin.Auth()).ExpectProblem(422, "body.password").Body); !strings.Contains(body, "too easy to guess") || strings.Contains(body, "qwertyqwerty") {
			t.Errorf("the refusal does not say why, or repeats the password: %s", body)
		}
		named := newUser("z@alpha.test", "curator")
		named["name"], named["password"] = "Zinaida Zaslavskaya", "Zaslavskaya-2026"
		s.Do(post, alpha.Path("/users"), named, admin.Auth()).ExpectProblem(422, "body.password") // strong, but for her name
		long := newUser("w@alpha.test", "curator")
		long["name"] = strings.Repeat("я", 201)
		s.Do(post, alpha.Path("/users"), long, admin.Auth()).ExpectProblem(422, "body.name")
		unknown := newUser("v@alpha.test", "curator")
		unknown["is_root"] = true
		s.Do(post, alpha.Path("/users"), unknown, admin.Auth()).ExpectProblem(422, "body.is_root")
		s.Do(post, alpha.Path("/users"), `{"email": "u@alpha.test",`, admin.Auth()).ExpectProblem(422, "body")
		if s.Count("users", "") != users {
			t.Fatal("refused requests must write nothing")
		}

		// One script per part is fine, whichever it is.
		for _, email := range []string{"José.Núñez@alpha.test", "анна@пример.рф"} {
			s.Do(post, alpha.Path("/users"), newUser(email, "curator"), admin.Auth()).Expect(201)
		}
		stranger := newUser("stranger@alpha.test", "curator")
		stranger["password"] = "Zaslavskaya-2026"
		s.Do(post, alpha.Path("/users"), stranger, admin.Auth()).Expect(201)

		s.Do(post, alpha.Path("/users"), newUser("q@alpha.test", "curator"), alpha.People["head_of_service"].Auth()).ExpectProblem(403)
		s.Do(post, beta.Path("/users"), newUser("q@alpha.test", "curator"), admin.Auth()).ExpectProblem(404)
		if s.Count("users", "email_key = ?", "q@alpha.test") != 0 {
			t.Fatal("a refused cross-school request created a user")
		}
	})
}

func TestListAndGetUsers(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		head := alpha.People["head_of_service"]

		var page struct {
			Items []struct {
				UserID string `json:"user_id"`
				Email  string
				Roles  []string
			}
			NextCursor string `json:"next_cursor"`
		}
		seen := map[string]bool{}
		next := alpha.Path("/users?limit=3")
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			page.NextCursor = ""
			s.Do(get, next, nil, head.Auth()).Expect(200).Decode(&page)
			for _, it := range page.Items {
				if seen[it.Email] {
					t.Fatalf("%s on two pages", it.Email)
				}
				seen[it.Email] = true
				if !strings.HasSuffix(it.Email, "@alpha.test") {
					t.Fatalf("alpha's list shows %s", it.Email)
				}
			}
			next = ""
			if page.NextCursor != "" {
				next = alpha.Path("/users?limit=3&cursor=" + page.NextCursor)
			}
		}
		if len(seen) != 7 {
			t.Fatalf("paged through %d members, want 7", len(seen))
		}

		s.Do(get, alpha.Path("/users?role=curator"), nil, head.Auth()).Expect(200).Decode(&page)
		if len(page.Items) != 1 || page.Items[0].Email != "curator@alpha.test" {
			t.Fatalf("role filter: %+v", page.Items)
		}
		s.Do(get, alpha.Path("/users?email=HR@"), nil, head.Auth()).Expect(200).Decode(&page)
		if len(page.Items) != 1 || page.Items[0].Email != "hr@alpha.test" {
			t.Fatalf("email filter: %+v", page.Items)
		}
		s.Do(get, alpha.Path("/users?cursor=garbage"), nil, head.Auth()).ExpectProblem(422, "query.cursor")
		s.Do(get, alpha.Path("/users?limit=500"), nil, head.Auth()).ExpectProblem(422, "query.limit")
		s.Do(get, alpha.Path("/users?stauts=active"), nil, head.Auth()).ExpectProblem(422, "query.stauts")

		cur := alpha.People["curator"]
		s.Do(get, alpha.Path("/users/"+cur.UserID), nil, head.Auth()).Expect(200)
		s.Do(get, alpha.Path("/users/"+cur.UserID), nil, cur.Auth()).ExpectProblem(403)
		s.Do(get, alpha.Path("/users/"+beta.People["curator"].UserID), nil, head.Auth()).ExpectProblem(404)
		s.Do(get, beta.Path("/users/"+beta.People["curator"].UserID), nil, head.Auth()).ExpectProblem(404)
		s.Do(get, alpha.Path("/users/not-a-uuid"), nil, head.Auth()).ExpectProblem(422, "path.user_id")
	})
}

func TestDisableMember(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		cur := alpha.People["curator"]
		path := alpha.Path("/users/" + cur.UserID)
		disable := map[string]string{"status": "disabled"}

		s.Do(patch, path, disable, admin.Auth()).ExpectProblem(428)
		s.Do(patch, path, disable, admin.Auth(), apptest.Header("If-Match", `"7"`)).ExpectProblem(412)
		s.Do(patch, path, map[string]string{"status": "gone"}, admin.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(422, "body.status")
		res := s.Do(patch, path, disable, admin.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200)
		if res.Map()["status"] != "disabled" || res.Header.Get("ETag") != `"2"` {
			t.Fatalf("after disabling: %s %s", res.Header.Get("ETag"), res.Body)
		}
		// A disabled member no longer reaches the school, but still signs in.
		s.Do(get, alpha.Path(""), nil, cur.Auth()).ExpectProblem(404)
		s.Do(get, "/v1/me", nil, cur.Auth()).Expect(200)

		// The last active administrator cannot lock the school out.
		self := alpha.Path("/users/" + admin.UserID)
		s.Do(patch, self, disable, admin.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(409)
		s.Do(get, alpha.Path(""), nil, admin.Auth()).Expect(200)
	})
}

func TestGrantAndRevokeRoles(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		cur := alpha.People["curator"]
		role := func(name string) string { return alpha.Path("/users/" + cur.UserID + "/roles/" + name) }
		v := func(n int) apptest.Option { return apptest.Header("If-Match", `"`+strconv.Itoa(n)+`"`) }

		s.Do(get, alpha.Path("/audit"), nil, cur.Auth()).ExpectProblem(403)
		res := s.Do(put, role("head_of_service"), nil, admin.Auth(), v(1)).Expect(200).Map()
		if strings.Join(toStrings(res["roles"]), ",") != "head_of_service,curator" {
			t.Fatalf("roles after grant: %v", res["roles"])
		}
		// The new role takes effect on the next request.
		s.Do(get, alpha.Path("/audit"), nil, cur.Auth()).Expect(200)
		// Granting again changes nothing, not even the version.
		if again := s.Do(put, role("head_of_service"), nil, admin.Auth(), v(2)).Expect(200); again.Header.Get("ETag") != `"2"` {
			t.Fatalf("idempotent grant bumped the version to %s", again.Header.Get("ETag"))
		}
		s.Do(put, role("janitor"), nil, admin.Auth(), v(2)).ExpectProblem(422, "path.role")
		s.Do(del, role("head_of_service"), nil, admin.Auth(), v(1)).ExpectProblem(412)
		s.Do(del, role("finance"), nil, admin.Auth(), v(2)).ExpectProblem(404)
		s.Do(del, role("head_of_service"), nil, admin.Auth(), v(2)).Expect(200)
		s.Do(get, alpha.Path("/audit"), nil, cur.Auth()).ExpectProblem(403)
		s.Do(del, role("curator"), nil, admin.Auth(), v(3)).ExpectProblem(409)
		s.Do(put, role("hr"), nil, alpha.People["hr"].Auth(), v(3)).ExpectProblem(403)
	})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestAPIKeys(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		admin := alpha.People["admin"]

		created := s.Do(post, alpha.Path("/api-keys"), map[string]string{"name": "LMS", "role": "head_of_service"}, admin.Auth()).Expect(201).Map()
		key, _ := created["key"].(string)
		if !strings.HasPrefix(key, "cok_") || !strings.HasPrefix(key, created["key_prefix"].(string)) {
			t.Fatalf("created key %v", created)
		}
		def := s.Do(post, alpha.Path("/api-keys"), map[string]string{"name": "default"}, admin.Auth()).Expect(201).Map()
		if def["role"] != "integration" {
			t.Fatalf("default role %v", def["role"])
		}
		s.Do(post, alpha.Path("/api-keys"), map[string]string{"name": "root", "role": "admin"}, admin.Auth()).ExpectProblem(422, "body.role")
		past := map[string]any{"name": "old", "expires_at": apptest.Start.Add(-time.Hour)}
		s.Do(post, alpha.Path("/api-keys"), past, admin.Auth()).ExpectProblem(422, "body.expires_at")

		list := s.Do(get, alpha.Path("/api-keys"), nil, admin.Auth()).Expect(200)
		if strings.Contains(string(list.Body), key) || len(list.Map()["items"].([]any)) != 2 {
			t.Fatalf("key list shows the secret or misses keys: %s", list.Body)
		}
		if strings.Contains(string(s.Do(get, alpha.Path("/audit?entity_type=api_key"), nil, admin.Auth()).Body), key[4:]) {
			t.Fatal("the audit log shows the key")
		}

		s.Do(get, alpha.Path("/audit"), nil, apptest.APIKey(key)).Expect(200)
		s.Do(get, alpha.Path("/users"), nil, apptest.APIKey(key)).Expect(200)
		s.Do(get, alpha.Path("/api-keys"), nil, apptest.APIKey(key)).ExpectProblem(403)
		s.Do(get, beta.Path("/audit"), nil, apptest.APIKey(key)).ExpectProblem(404)
		s.Do(get, "/v1/me", nil, apptest.APIKey(key)).ExpectProblem(403)
		s.Do(get, alpha.Path("/audit"), nil, apptest.APIKey("cok_forged")).ExpectProblem(401)
		s.Do(get, alpha.Path("/audit"), nil, apptest.APIKey(key), admin.Auth()).ExpectProblem(401)

		id := created["id"].(string)
		s.Do(post, beta.Path("/api-keys/"+id+"/revoke"), nil, beta.People["admin"].Auth()).ExpectProblem(404)
		s.Do(post, alpha.Path("/api-keys/"+id+"/revoke"), nil, admin.Auth()).Expect(200)
		s.Do(get, alpha.Path("/audit"), nil, apptest.APIKey(key)).ExpectProblem(401)
		s.Do(post, alpha.Path("/api-keys/"+id+"/revoke"), nil, admin.Auth()).ExpectProblem(409)

		expiring := map[string]any{"name": "short", "role": "finance", "expires_at": apptest.Start.Add(time.Hour)}
		short := s.Do(post, alpha.Path("/api-keys"), expiring, admin.Auth()).Expect(201).Map()["key"].(string)
		s.Do(get, alpha.Path(""), nil, apptest.APIKey(short)).Expect(200)
		s.Clock.Advance(time.Hour)
		s.Do(get, alpha.Path(""), nil, apptest.APIKey(short)).ExpectProblem(401)
	})
}
