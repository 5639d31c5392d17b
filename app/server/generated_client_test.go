package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/apptest/genclient"
	"github.com/curatorops/curatorops/modules/school"
)

// TestGeneratedClientScenario drives sign-in, the signed-in user and a
// cohort listing through the client oapi-codegen generates from the spec,
// against the real server: the spec as a generator reads it is the API the
// server serves. Every exchange also passes the contract check.
func TestGeneratedClientScenario(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		ctx := context.Background()
		sc := s.NewSchool("genclient")
		head := sc.People["head_of_service"]
		course, err := s.Services.School.CreateCourse(s.Ctx(), sc.Org.ID, school.NewCourse{Title: "Python-разработчик"})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Поток 1", "Поток 2", "Поток 3"} {
			if _, err := s.Services.School.CreateCohort(s.Ctx(), sc.Org.ID, school.NewCohort{CourseID: course.Course.ID, Name: name,
				StartsOn: "2026-03-10", EndsOn: "2026-09-10"}); err != nil {
				t.Fatal(err)
			}
		}

		anonymous, err := genclient.NewClientWithResponses("http://curatorops.test", genclient.WithHTTPClient(&http.Client{Transport: s.Transport()}))
		if err != nil {
			t.Fatal(err)
		}
		login, err := anonymous.LoginWithResponse(ctx, genclient.LoginJSONRequestBody{Email: head.Email, Password: apptest.Password})
		if err != nil {
			t.Fatal(err)
		}
		if login.JSON200 == nil {
			t.Fatalf("login: status %d: %s", login.StatusCode(), login.Body)
		}
		if string(login.JSON200.User.Email) != head.Email {
			t.Errorf("signed in as %s, want %s", login.JSON200.User.Email, head.Email)
		}
		wrong, err := anonymous.LoginWithResponse(ctx, genclient.LoginJSONRequestBody{Email: head.Email, Password: "not-the-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		if wrong.ApplicationproblemJSON401 == nil {
			t.Errorf("a wrong password: status %d, want a 401 problem: %s", wrong.StatusCode(), wrong.Body)
		}

		token := login.JSON200.Token
		client, err := genclient.NewClientWithResponses("http://curatorops.test", genclient.WithHTTPClient(&http.Client{Transport: s.Transport()}),
			genclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
				r.Header.Set("Authorization", "Bearer "+token)
				return nil
			}))
		if err != nil {
			t.Fatal(err)
		}
		me, err := client.GetMeWithResponse(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if me.JSON200 == nil || me.JSON200.Memberships == nil || len(*me.JSON200.Memberships) != 1 {
			t.Fatalf("me: status %d: %s", me.StatusCode(), me.Body)
		}
		if m := (*me.JSON200.Memberships)[0]; m.Org.Slug != sc.Slug || m.Roles == nil || len(*m.Roles) != 1 || (*m.Roles)[0] != "head_of_service" {
			t.Errorf("membership %+v, want head_of_service of %s", m, sc.Slug)
		}

		// Two pages of two, then one: the cursor the client got is the
		// cursor it sends back.
		limit := int64(2)
		var names []string
		params := &genclient.ListCohortsParams{Limit: &limit}
		for page := 0; page < 3; page++ {
			list, err := client.ListCohortsWithResponse(ctx, sc.Slug, params)
			if err != nil {
				t.Fatal(err)
			}
			if list.JSON200 == nil {
				t.Fatalf("list cohorts: status %d: %s", list.StatusCode(), list.Body)
			}
			for _, c := range list.JSON200.Items {
				names = append(names, c.Name)
			}
			if list.JSON200.NextCursor == nil {
				break
			}
			params = &genclient.ListCohortsParams{Limit: &limit, Cursor: list.JSON200.NextCursor}
		}
		if len(names) != 3 || names[0] != "Поток 1" || names[2] != "Поток 3" {
			t.Errorf("cohorts %q, want the three in creation order", names)
		}
		other := s.NewSchool("genclient-other")
		forbidden, err := client.ListCohortsWithResponse(ctx, other.Slug, nil)
		if err != nil {
			t.Fatal(err)
		}
		if forbidden.StatusCode() != http.StatusForbidden && forbidden.StatusCode() != http.StatusNotFound {
			t.Errorf("another school's cohorts: status %d: %s", forbidden.StatusCode(), forbidden.Body)
		}
	})
}
