package refunds_test

import (
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// TestCreateRequestRules: a reason from the catalog is required, the order
// must be the school's, the amount never exceeds what was paid, and the
// refusal changes nothing; the roles and the cross-school rule hold.
func TestCreateRequestRules(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		other := newFixture(t, s, "south", 1)
		path := f.sc.Path("/refund-requests")

		noReason := f.requestBody(0, "", 0)
		delete(noReason, "reason")
		s.Do(post, path, noReason, f.as("head_of_service")).ExpectProblem(http.StatusUnprocessableEntity, "body.reason")
		s.Do(post, path, f.requestBody(0, "bored", 0), f.as("head_of_service")).ExpectProblem(http.StatusUnprocessableEntity, "body.reason")
		s.Do(post, path, other.requestBody(0, "no_time", 0), f.as("head_of_service")).ExpectProblem(http.StatusUnprocessableEntity, "body.order_id")
		s.Do(post, path, f.requestBody(0, "no_time", price+1), f.as("head_of_service")).ExpectProblem(http.StatusUnprocessableEntity, "body.amount")
		if n := s.Count("refund_requests", ""); n != 0 {
			t.Fatalf("%d requests after refusals", n)
		}

		s.Do(post, path, f.requestBody(0, "no_time", 0)).Expect(http.StatusUnauthorized)
		s.Do(post, path, f.requestBody(0, "no_time", 0), f.as("hr")).Expect(http.StatusForbidden)
		s.Do(post, other.sc.Path("/refund-requests"), other.requestBody(0, "no_time", 0), f.as("head_of_service")).Expect(http.StatusNotFound)

		r := decode(s.Do(post, path, f.requestBody(0, "no_time", 0), f.as("curator")).Expect(http.StatusCreated))
		if r.Status != "requested" || r.Reason != "no_time" || r.ReasonTitle == "" || r.RequestedAmount != price {
			t.Errorf("created %+v", r)
		}
		if r.CuratorName == nil || r.CuratorID == nil || *r.CuratorID != f.sc.People["curator"].UserID {
			t.Errorf("curator %v named %v, want the student's curator with a name", r.CuratorID, r.CuratorName)
		}
		d := f.get(t, r.ID, "curator")
		if d.Evidence.ModulesTotal != 6 || d.Evidence.RefundCalculation.Refundable != price || len(d.History) != 1 || d.History[0].To != "requested" {
			t.Errorf("evidence %+v, history %+v", d.Evidence, d.History)
		}
		if len(d.Evidence.Notes) != 0 {
			t.Errorf("notes %v: the server connects the survey answers, so none is missing", d.Evidence.Notes)
		}
		s.Do(get, other.sc.Path("/refund-requests/"+r.ID), nil, other.as("head_of_service")).Expect(http.StatusNotFound)
		s.Do(get, f.sc.Path("/refund-requests/00000000-0000-7000-8000-000000000000"), nil, f.as("head_of_service")).Expect(http.StatusNotFound)
	})
}

// TestCreateRequestIsIdempotent: the same key twice gives one request; the
// same key with another body is a conflict.
func TestCreateRequestIsIdempotent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		path := f.sc.Path("/refund-requests")
		first := decode(s.Do(post, path, f.requestBody(0, "no_time", 1_000_000), f.as("head_of_service"), key("k-1")).Expect(http.StatusCreated))
		again := decode(s.Do(post, path, f.requestBody(0, "no_time", 1_000_000), f.as("head_of_service"), key("k-1")).Expect(http.StatusOK))
		if again.ID != first.ID {
			t.Errorf("the replay made request %s, want %s", again.ID, first.ID)
		}
		s.Do(post, path, f.requestBody(0, "financial", 1_000_000), f.as("head_of_service"), key("k-1")).Expect(http.StatusConflict)
		if n := s.Count("refund_requests", ""); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

// TestCuratorsSeeTheirOwnStudents: a curator lists and opens only the
// requests of the students they curate.
func TestCuratorsSeeTheirOwnStudents(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		r := f.raise(t, 0, "no_time", 0)
		stranger := s.NewMember(f.sc.Org.ID, "stranger@north.test", "curator")
		s.Do(get, f.sc.Path("/refund-requests/"+r.ID), nil, stranger.Auth()).Expect(http.StatusForbidden)
		var page struct{ Items []request }
		s.Do(get, f.sc.Path("/refund-requests"), nil, stranger.Auth()).Expect(http.StatusOK).Decode(&page)
		if len(page.Items) != 0 {
			t.Errorf("a stranger sees %d requests", len(page.Items))
		}
		s.Do(get, f.sc.Path("/refund-requests"), nil, f.as("curator")).Expect(http.StatusOK).Decode(&page)
		if len(page.Items) != 1 {
			t.Errorf("the student's curator sees %d requests, want 1", len(page.Items))
		}
		s.Do(get, f.sc.Path("/refund-requests"), nil, f.as("hr")).Expect(http.StatusForbidden)
	})
}
