package cases_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// The background pass marks expired the open requests whose link expired,
// in every school, once, with the trail entry; it leaves answered requests
// and links still valid alone.
func TestExpiryPass(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "expiry", 3)
		other := newFixture(t, s, "expiry-other", 1)
		ttl := 14 * 24 * time.Hour // the school's default link_ttl_days

		a, _ := f.ask(t, 0)
		_, tokenDone := f.ask(t, 1)
		s.Do(post, "/v1/case-requests/"+tokenDone, map[string]any{"text": "Спасибо"}).Expect(http.StatusCreated)
		c, _ := other.ask(t, 0)
		f.advance(24 * time.Hour)
		b, tokenB := f.ask(t, 2)

		status := func(fx *fixture, id string) string {
			t.Helper()
			var r struct {
				Status string `json:"status"`
				Trail  []struct {
					Status string `json:"status"`
				} `json:"trail"`
			}
			fx.s.Do(get, fx.sc.Path("/case-requests/"+id), nil, fx.as("head_of_service")).Expect(http.StatusOK).Decode(&r)
			return r.Status + " " + r.Trail[len(r.Trail)-1].Status
		}
		stored := func(id string) string {
			t.Helper()
			var st string
			if err := s.DB.NewSelect().Table("case_requests").Column("status").Where("id = ?", id).Scan(s.Ctx(), &st); err != nil {
				t.Fatal(err)
			}
			return st
		}

		// Just before the first link expires nothing is due.
		start := s.Clock.Now().Add(-24 * time.Hour)
		if n, err := s.Services.Cases.ExpireOnce(s.Ctx(), start.Add(ttl-time.Second)); err != nil || n != 0 {
			t.Fatalf("before expiry: %d marked, %v", n, err)
		}
		// At its expiry, the first requests of both schools are marked; the
		// answered one and the one asked a day later are not.
		if n, err := s.Services.Cases.ExpireOnce(s.Ctx(), start.Add(ttl)); err != nil || n != 2 {
			t.Fatalf("at expiry: %d marked, want 2 (%v)", n, err)
		}
		if got := stored(a) + "," + stored(c) + "," + stored(b); got != "expired,expired,created" {
			t.Fatalf("stored statuses %s", got)
		}
		f.advance(ttl - 24*time.Hour) // now start+ttl; both schools sign in again
		other.advance(0)
		if got := status(f, a); got != "expired expired" {
			t.Fatalf("request a: %s", got)
		}
		if got := status(other, c); got != "expired expired" {
			t.Fatalf("request c of the other school: %s", got)
		}
		if n := s.Count("case_request_events", "request_id = ? AND status = 'expired'", a); n != 1 {
			t.Fatalf("%d expired trail entries", n)
		}
		if n := s.Count("audit_entries", "entity_id = ?", a); n < 2 {
			t.Fatalf("the expiry of a is not audited (%d entries)", n)
		}
		// Running again marks nothing more; the link of b still works.
		if n, err := s.Services.Cases.ExpireOnce(s.Ctx(), start.Add(ttl)); err != nil || n != 0 {
			t.Fatalf("second pass: %d marked, %v", n, err)
		}
		s.Do(get, "/v1/case-requests/"+tokenB, nil).Expect(http.StatusOK)
		// A day later b goes too, and its link answers the same 404.
		if n, err := s.Services.Cases.ExpireOnce(s.Ctx(), start.Add(ttl+24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("b's expiry: %d marked, %v", n, err)
		}
		f.advance(24 * time.Hour)
		s.Do(get, "/v1/case-requests/"+tokenB, nil).ExpectProblem(http.StatusNotFound)
		if n := s.Count("case_request_events", "request_id = ? AND status = 'expired'", b); n != 1 {
			t.Fatalf("b: %d expired trail entries, want 1", n)
		}
	})
}
