package identity_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

type myInvitations struct {
	Items []struct {
		ID  string `json:"id"`
		Org struct {
			ID, Slug, Name string
		} `json:"org"`
		Roles []string `json:"roles"`
	} `json:"items"`
}

func invitationsOf(s *apptest.Server, a apptest.Actor) myInvitations {
	var out myInvitations
	s.Do(get, "/v1/me/invitations", nil, a.Auth()).Expect(200).Decode(&out)
	return out
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestAddingAnExistingAccountInvites(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		curator := alpha.People["curator"]
		betaAdmin := beta.People["admin"]

		typed := func(email string) map[string]any {
			u := newUser(email, "senior_curator", "curator")
			u["name"] = "Name Typed In Beta"
			return u
		}
		fresh := s.Do(post, beta.Path("/users"), typed("fresh@beta.test"), betaAdmin.Auth()).Expect(201)
		invited := s.Do(post, beta.Path("/users"), typed(strings.ToUpper(curator.Email)), betaAdmin.Auth()).Expect(201)

		// The answer is shaped as for a new email and carries nothing of the account.
		f, i := fresh.Map(), invited.Map()
		if !reflect.DeepEqual(keys(f), keys(i)) {
			t.Errorf("fields %v for an invitation, %v for a new account", keys(i), keys(f))
		}
		for _, field := range []string{"status", "user_status", "roles", "version"} {
			if !reflect.DeepEqual(f[field], i[field]) {
				t.Errorf("%s is %v for an invitation, %v for a new account", field, i[field], f[field])
			}
		}
		if i["name"] != "Name Typed In Beta" || i["email"] != "CURATOR@alpha.test" {
			t.Errorf("answer %v, want the name and the email (domain lowercased) sent", i)
		}
		if (invited.Header.Get("ETag") == "") != (fresh.Header.Get("ETag") == "") {
			t.Error("ETag present in one answer only")
		}
		body := string(invited.Body)
		if strings.Contains(body, curator.UserID) || strings.Contains(body, "Person ") {
			t.Errorf("the answer leaks the account: %s", body)
		}
		// Inviting again is refused as adding a member twice is.
		s.Do(post, beta.Path("/users"), typed(curator.Email), betaAdmin.Auth()).ExpectProblem(409)
		s.Do(post, beta.Path("/users"), typed("fresh@beta.test"), betaAdmin.Auth()).ExpectProblem(409)

		// Until she accepts, curator05 has no access to beta.
		s.Do(get, beta.Path(""), nil, curator.Auth()).ExpectProblem(404)
		if n := s.Count("memberships", "org_id = ? AND user_id = ?", beta.Org.ID, curator.UserID); n != 0 {
			t.Fatalf("%d memberships before accepting", n)
		}

		mine := invitationsOf(s, curator)
		if len(mine.Items) != 1 || mine.Items[0].Org.Slug != "beta" || mine.Items[0].Org.Name == "" ||
			!reflect.DeepEqual(mine.Items[0].Roles, []string{"senior_curator", "curator"}) {
			t.Fatalf("invitations %+v", mine)
		}
		id := mine.Items[0].ID
		if len(invitationsOf(s, betaAdmin).Items) != 0 {
			t.Error("the inviting admin sees the invitation as theirs")
		}
		// Nobody else can answer it.
		s.Do(post, "/v1/me/invitations/"+id+"/accept", nil, betaAdmin.Auth()).ExpectProblem(404)
		s.Do(post, "/v1/me/invitations/"+id+"/decline", nil, alpha.People["admin"].Auth()).ExpectProblem(404)
		s.Do(post, "/v1/me/invitations/not-a-uuid/accept", nil, curator.Auth()).ExpectProblem(422, "path.id")

		s.Do(post, "/v1/me/invitations/"+id+"/accept", nil, curator.Auth()).Expect(204)
		s.Do(get, beta.Path(""), nil, curator.Auth()).Expect(200)
		me := s.Do(get, "/v1/me", nil, curator.Auth()).Expect(200)
		if !strings.Contains(string(me.Body), `"slug":"beta"`) {
			t.Errorf("/v1/me after accepting: %s", me.Body)
		}
		s.Login(curator.Email, apptest.Password) // her password is her own still
		if len(invitationsOf(s, curator).Items) != 0 {
			t.Error("an accepted invitation is still pending")
		}
		s.Do(post, "/v1/me/invitations/"+id+"/accept", nil, curator.Auth()).ExpectProblem(404)
		if s.Count("audit_entries", "org_id = ? AND entity_type = ? AND entity_id = ?", beta.Org.ID, "invitation", id) != 2 {
			t.Error("want the invitation and its acceptance audited in beta's log")
		}
	})
}

func TestDecliningAnInvitationGivesNoAccess(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		head := alpha.People["head_of_service"]

		s.Do(post, beta.Path("/users"), newUser(head.Email, "head_of_service"), beta.People["admin"].Auth()).Expect(201)
		mine := invitationsOf(s, head)
		if len(mine.Items) != 1 {
			t.Fatalf("invitations %+v", mine)
		}
		id := mine.Items[0].ID
		s.Do(post, "/v1/me/invitations/"+id+"/decline", nil, head.Auth()).Expect(204)

		s.Do(get, beta.Path(""), nil, head.Auth()).ExpectProblem(404)
		s.Do(post, "/v1/me/invitations/"+id+"/accept", nil, head.Auth()).ExpectProblem(404)
		if len(invitationsOf(s, head).Items) != 0 || s.Count("memberships", "user_id = ?", head.UserID) != 1 {
			t.Error("declining left an invitation or a membership")
		}
		if s.Count("audit_entries", "org_id = ? AND entity_type = ? AND entity_id = ?", beta.Org.ID, "invitation", id) != 2 {
			t.Error("want the invitation and its refusal audited in beta's log")
		}
	})
}
