package audit_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

type entry struct {
	ID         string
	OccurredAt time.Time `json:"occurred_at"`
	Actor      struct{ Type, ID, Name string }
	Action     string
	EntityType string `json:"entity_type"`
	EntityID   string `json:"entity_id"`
	Changes    map[string]struct{ Before, After any }
	RequestID  string `json:"request_id"`
	IP         string
	UserAgent  string `json:"user_agent"`
}

type page struct {
	Items      []entry
	NextCursor string `json:"next_cursor"`
}

func TestAuditRecordsWhoChangedWhat(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, head := alpha.People["admin"], alpha.People["head_of_service"]
		body := map[string]any{"email": "anna@alpha.test", "name": "Анна", "password": "Strong-Passw0rd-1", "roles": []string{"curator"}}
		created := s.Do(http.MethodPost, alpha.Path("/users"), body, admin.Auth(), apptest.Header("User-Agent", "audit-test/1")).Expect(201)
		userID := created.Map()["user_id"].(string)
		requestID := created.Header.Get("X-Request-Id")

		var p page
		s.Do(http.MethodGet, alpha.Path("/audit?action=create-user"), nil, head.Auth()).Expect(200).Decode(&p)
		if len(p.Items) != 2 {
			t.Fatalf("create-user wrote %d entries, want the account and the membership: %+v", len(p.Items), p.Items)
		}
		for _, e := range p.Items {
			if e.Actor.Type != "user" || e.Actor.ID != admin.UserID || e.Actor.Name != admin.Email {
				t.Errorf("actor %+v, want the admin", e.Actor)
			}
			if e.EntityType != "user" || e.EntityID != userID || e.RequestID != requestID || requestID == "" {
				t.Errorf("entry %+v: want entity user %s and request %s", e, userID, requestID)
			}
			if e.UserAgent != "audit-test/1" || e.IP == "" || !e.OccurredAt.Equal(apptest.Start) {
				t.Errorf("entry %+v: want user agent, address and time of the request", e)
			}
		}
		membership := p.Items[0] // newest first: the membership follows the account
		if r := membership.Changes["roles"]; r.Before != nil || r.After.([]any)[0] != "curator" {
			t.Errorf("membership entry changes %+v", membership.Changes)
		}
		if account := p.Items[1]; account.Changes["email"].After != "anna@alpha.test" || account.Changes["name"].After != "Анна" {
			t.Errorf("account entry changes %+v", account.Changes)
		}

		s.Do(http.MethodPatch, alpha.Path("/users/"+userID), map[string]string{"status": "disabled"}, admin.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200)
		s.Do(http.MethodGet, alpha.Path("/audit?entity_type=user&entity_id="+userID+"&action=update-user"), nil, head.Auth()).Expect(200).Decode(&p)
		if len(p.Items) != 1 || p.Items[0].Changes["membership"].Before != "active" || p.Items[0].Changes["membership"].After != "disabled" {
			t.Fatalf("disabling audited as %+v", p.Items)
		}
	})
}

func TestAuditNeverHoldsSecrets(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		secretPassword := "Very-Secret-Passw0rd-42"
		s.Do(http.MethodPost, alpha.Path("/users"), map[string]any{"email": "boris@alpha.test", "name": "Борис", "password": secretPassword, "roles": []string{"hr"}}, admin.Auth()).Expect(201)
		token := s.Login("boris@alpha.test", secretPassword)
		s.Do(http.MethodPut, "/v1/me/password", map[string]string{"current_password": secretPassword, "new_password": "Another-Secret-Passw0rd"}, apptest.Bearer(token)).Expect(204)
		key := s.Do(http.MethodPost, alpha.Path("/api-keys"), map[string]string{"name": "LMS"}, admin.Auth()).Expect(201).Map()["key"].(string)

		var dump strings.Builder
		rows, err := s.DB.QueryContext(s.Ctx(), "SELECT changes FROM audit_entries")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			dump.WriteString(c)
		}
		all := dump.String()
		for _, secret := range []string{secretPassword, "Another-Secret-Passw0rd", token, token[4:], key, key[4:], "argon2id", "password_hash", "key_hash", "token_hash"} {
			if strings.Contains(all, secret) {
				t.Errorf("the audit log holds a secret (%.12s…)", secret)
			}
		}
		if !strings.Contains(all, "password") {
			t.Error("the password change itself should be audited, without values")
		}
	})
}

func TestAuditListing(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		beta := s.NewSchool("beta")
		admin, head := alpha.People["admin"], alpha.People["head_of_service"]
		for i, name := range []string{"one", "two", "three"} {
			s.Clock.Set(apptest.Start.Add(time.Duration(i+1) * time.Hour))
			s.Do(http.MethodPost, alpha.Path("/api-keys"), map[string]string{"name": name}, admin.Auth()).Expect(201)
		}
		s.Do(http.MethodPost, beta.Path("/api-keys"), map[string]string{"name": "beta-key"}, beta.People["admin"].Auth()).Expect(201)

		// Paging walks every alpha key entry once, newest first, and never shows beta's.
		var names []string
		next := alpha.Path("/audit?entity_type=api_key&limit=2")
		for next != "" {
			var p page
			s.Do(http.MethodGet, next, nil, head.Auth()).Expect(200).Decode(&p)
			for _, e := range p.Items {
				names = append(names, e.Changes["name"].After.(string))
			}
			next = ""
			if p.NextCursor != "" {
				next = alpha.Path("/audit?entity_type=api_key&limit=2&cursor=" + p.NextCursor)
			}
		}
		if strings.Join(names, ",") != "three,two,one" {
			t.Fatalf("paged api key entries %v, want three,two,one", names)
		}

		var p page
		from, to := apptest.Start.Add(90*time.Minute).Format(time.RFC3339), apptest.Start.Add(150*time.Minute).Format(time.RFC3339)
		s.Do(http.MethodGet, alpha.Path("/audit?entity_type=api_key&from="+url.QueryEscape(from)+"&to="+url.QueryEscape(to)), nil, head.Auth()).Expect(200).Decode(&p)
		if len(p.Items) != 1 || p.Items[0].Changes["name"].After != "two" {
			t.Fatalf("time range gave %+v", p.Items)
		}
		s.Do(http.MethodGet, alpha.Path("/audit?actor_id="+admin.UserID+"&entity_type=api_key"), nil, head.Auth()).Expect(200).Decode(&p)
		if len(p.Items) != 3 {
			t.Fatalf("actor filter gave %d entries, want 3", len(p.Items))
		}

		s.Do(http.MethodGet, alpha.Path("/audit?from="+url.QueryEscape(to)+"&to="+url.QueryEscape(from)), nil, head.Auth()).ExpectProblem(422, "query.to")
		s.Do(http.MethodGet, alpha.Path("/audit?from=yesterday"), nil, head.Auth()).ExpectProblem(422, "query.from")
		s.Do(http.MethodGet, alpha.Path("/audit?cursor=%21%21"), nil, head.Auth()).ExpectProblem(422, "query.cursor")

		s.Do(http.MethodGet, alpha.Path("/audit"), nil).ExpectProblem(401)
		for _, role := range []string{"curator", "senior_curator", "hr", "finance", "integration"} {
			s.Do(http.MethodGet, alpha.Path("/audit"), nil, alpha.People[role].Auth()).ExpectProblem(403)
		}
		s.Do(http.MethodGet, alpha.Path("/audit"), nil, admin.Auth()).Expect(200)
		s.Do(http.MethodGet, beta.Path("/audit"), nil, head.Auth()).ExpectProblem(404)
	})
}

// A change that fails leaves no audit entry: the entry is written in the
// change's own transaction.
func TestRefusedChangeLeavesNoEntry(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		before := s.Count("audit_entries", "")
		s.Do(http.MethodPatch, alpha.Path("/users/"+admin.UserID), map[string]string{"status": "disabled"}, admin.Auth(), apptest.Header("If-Match", `"1"`)).ExpectProblem(409)
		s.Do(http.MethodPost, alpha.Path("/users"), map[string]any{"email": "admin@alpha.test", "name": "Dup", "password": "Strong-Passw0rd-1", "roles": []string{"curator"}}, admin.Auth()).ExpectProblem(409)
		if after := s.Count("audit_entries", ""); after != before {
			t.Fatalf("refused changes wrote %d audit entries", after-before)
		}
	})
}
