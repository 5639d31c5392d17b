package pay_test

import (
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// TestSchemeVersions: a scheme is created with its first version, edits
// of an unused version need If-Match, bad tiers are refused naming the
// field and change nothing, and the roles and the cross-school rule hold.
func TestSchemeVersions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc, other := s.NewSchool("north"), s.NewSchool("south")
		head := sc.People["head_of_service"].Auth()
		path := sc.Path("/pay-schemes")
		body := map[string]any{"name": "Кураторы", "spec": referenceSpec()}

		s.Do(post, path, body).Expect(http.StatusUnauthorized)
		for _, role := range []string{"curator", "hr", "finance"} {
			s.Do(post, path, body, sc.People[role].Auth()).Expect(http.StatusForbidden)
		}
		s.Do(post, path, body, other.People["head_of_service"].Auth()).Expect(http.StatusNotFound)
		s.Do(get, path, nil, sc.People["hr"].Auth()).Expect(http.StatusForbidden)

		gap := referenceSpec()
		gap["components"].([]any)[2].(map[string]any)["tiers"].([]any)[1].(map[string]any)["from"] = "55"
		s.Do(post, path, map[string]any{"name": "Gap", "spec": gap}, head).ExpectProblem(http.StatusUnprocessableEntity, "body.spec.components[2].tiers[1].from")
		bad := referenceSpec()
		bad["components"].([]any)[3].(map[string]any)["weight"] = "abc"
		s.Do(post, path, map[string]any{"name": "Bad", "spec": bad}, head).ExpectProblem(http.StatusUnprocessableEntity, "body.spec.components[3].weight")
		if n := s.Count("pay_schemes", ""); n != 0 {
			t.Fatalf("%d schemes after refusals", n)
		}

		var created scheme
		s.Do(post, path, body, head).Expect(http.StatusCreated).Decode(&created)
		if len(created.Versions) != 1 || created.Versions[0].Number != 1 || len(created.Versions[0].Spec.Components) != 5 {
			t.Fatalf("created %+v", created)
		}
		s.Do(post, path, body, head).ExpectProblem(http.StatusUnprocessableEntity, "body.name")
		v1 := created.Versions[0]
		vpath := sc.Path("/pay-scheme-versions/" + v1.ID)
		s.Do(get, vpath, nil, sc.People["finance"].Auth()).Expect(http.StatusOK)
		s.Do(get, other.Path("/pay-scheme-versions/"+v1.ID), nil, other.People["head_of_service"].Auth()).Expect(http.StatusNotFound)

		edit := map[string]any{"spec": referenceSpec(), "note": "ставка за эссе 160 ₽"}
		edit["spec"].(map[string]any)["components"].([]any)[1].(map[string]any)["rates"].([]any)[0].(map[string]any)["rate"] = 16_000
		s.Do(put, vpath, edit, head).Expect(http.StatusPreconditionRequired)
		s.Do(put, vpath, edit, head, ifMatch(7)).Expect(http.StatusPreconditionFailed)
		var edited version
		s.Do(put, vpath, edit, head, ifMatch(1)).Expect(http.StatusOK).Decode(&edited)
		if edited.Version != 2 || edited.Spec.Components[1]["rates"].([]any)[0].(map[string]any)["rate"].(float64) != 16_000 {
			t.Errorf("edited %+v", edited)
		}

		var v2 version
		s.Do(post, sc.Path("/pay-schemes/"+created.ID+"/versions"), map[string]any{"spec": referenceSpec()}, head).Expect(http.StatusCreated).Decode(&v2)
		if v2.Number != 2 {
			t.Errorf("second version numbered %d", v2.Number)
		}
		var all []scheme
		s.Do(get, path, nil, sc.People["finance"].Auth()).Expect(http.StatusOK).Decode(&all)
		if len(all) != 1 || len(all[0].Versions) != 2 {
			t.Errorf("list %+v", all)
		}
		// A calculated period freezes the versions it used; then an edit
		// is refused and the rules change only through a new version.
		if _, err := s.DB.NewRaw("UPDATE pay_scheme_versions SET used_at = ? WHERE id = ?", s.Clock.Now(), v2.ID).Exec(s.Ctx()); err != nil {
			t.Fatal(err)
		}
		s.Do(put, sc.Path("/pay-scheme-versions/"+v2.ID), edit, head, ifMatch(1)).ExpectProblem(http.StatusConflict)
		var frozen version
		s.Do(get, sc.Path("/pay-scheme-versions/"+v2.ID), nil, head).Expect(http.StatusOK).Decode(&frozen)
		if !frozen.Used || frozen.Version != 1 || frozen.Spec.Components[1]["rates"].([]any)[0].(map[string]any)["rate"].(float64) != 15_000 {
			t.Errorf("frozen version changed: %+v", frozen)
		}
		if n := s.Count("audit_entries", "entity_type LIKE 'pay_%'"); n != 4 {
			t.Errorf("%d audit entries, want 4 (scheme, version 1, its edit, version 2)", n)
		}
	})
}

// TestAssignments: a person of the school gets a version from a date;
// a stranger or another school's version is refused naming the field.
func TestAssignments(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc, other := s.NewSchool("north"), s.NewSchool("south")
		head := sc.People["head_of_service"].Auth()
		var a, b scheme
		s.Do(post, sc.Path("/pay-schemes"), map[string]any{"name": "A", "spec": referenceSpec()}, head).Expect(http.StatusCreated).Decode(&a)
		s.Do(post, other.Path("/pay-schemes"), map[string]any{"name": "B", "spec": referenceSpec()}, other.People["head_of_service"].Auth()).
			Expect(http.StatusCreated).Decode(&b)
		curator := sc.People["curator"].UserID
		path := sc.Path("/pay-assignments")
		in := map[string]any{"user_id": curator, "scheme_version_id": a.Versions[0].ID, "effective_from": "2026-11-01"}
		s.Do(post, path, in, sc.People["curator"].Auth()).Expect(http.StatusForbidden)
		s.Do(post, path, map[string]any{"user_id": other.People["curator"].UserID, "scheme_version_id": a.Versions[0].ID, "effective_from": "2026-11-01"}, head).
			ExpectProblem(http.StatusUnprocessableEntity, "body.user_id")
		s.Do(post, path, map[string]any{"user_id": curator, "scheme_version_id": b.Versions[0].ID, "effective_from": "2026-11-01"}, head).
			ExpectProblem(http.StatusUnprocessableEntity, "body.scheme_version_id")
		s.Do(post, path, map[string]any{"user_id": curator, "scheme_version_id": a.Versions[0].ID, "effective_from": "2026-13-01"}, head).
			ExpectProblem(http.StatusUnprocessableEntity, "body.effective_from")
		s.Do(post, path, in, head).Expect(http.StatusCreated)
		var rows []map[string]any
		s.Do(get, path+"?user_id="+curator, nil, sc.People["finance"].Auth()).Expect(http.StatusOK).Decode(&rows)
		if len(rows) != 1 || rows[0]["effective_from"] != "2026-11-01" {
			t.Errorf("assignments %v", rows)
		}
	})
}
