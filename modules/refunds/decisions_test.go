package refunds_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// TestRequestGoesThroughApprovalAndPayout: review, approval, payout into
// the ledger in one step, each status in the history; the approver may not
// pay out; the payout is idempotent.
func TestRequestGoesThroughApprovalAndPayout(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		both := s.NewMember(f.sc.Org.ID, "both@north.test", "head_of_service", "finance")
		r := f.raise(t, 0, "no_time", 3_000_000)
		at := func(rest string) string { return f.sc.Path("/refund-requests/" + r.ID + rest) }

		s.Do(post, at("/review"), nil, f.as("curator")).Expect(http.StatusPreconditionRequired)
		s.Do(post, at("/review"), nil, f.as("curator"), ifMatch(r.Version+1)).Expect(http.StatusPreconditionFailed)
		r = decode(s.Do(post, at("/review"), nil, f.as("curator"), ifMatch(r.Version)).Expect(http.StatusOK))
		s.Do(post, at("/approve"), map[string]any{"amount": 3_000_000}, f.as("curator"), ifMatch(r.Version)).Expect(http.StatusForbidden)
		s.Do(post, at("/approve"), map[string]any{"amount": price + 1}, both.Auth(), ifMatch(r.Version)).ExpectProblem(http.StatusUnprocessableEntity, "body.amount")
		r = f.approve(t, r, 3_000_000, both.Auth())
		if r.Status != "approved" || r.ApprovedAmount == nil || *r.ApprovedAmount != 3_000_000 {
			t.Fatalf("approved %+v", r)
		}

		s.Do(post, at("/execute"), map[string]any{}, both.Auth(), key("pay-1")).Expect(http.StatusForbidden)
		s.Do(post, at("/execute"), map[string]any{}, f.as("head_of_service"), key("pay-1")).Expect(http.StatusForbidden)
		s.Do(post, at("/execute"), map[string]any{}, f.as("finance")).ExpectProblem(http.StatusUnprocessableEntity, "header.Idempotency-Key")
		if n := s.Count("order_refunds", ""); n != 0 {
			t.Fatalf("%d ledger refunds before the payout", n)
		}
		paid := decode(s.Do(post, at("/execute"), map[string]any{}, f.as("finance"), key("pay-1")).Expect(http.StatusCreated))
		if paid.Status != "refunded" || paid.RefundedAmount == nil || *paid.RefundedAmount != 3_000_000 || paid.OrderRefundID == nil {
			t.Fatalf("paid %+v", paid)
		}
		again := decode(s.Do(post, at("/execute"), map[string]any{}, f.as("finance"), key("pay-1")).Expect(http.StatusOK))
		if again.OrderRefundID == nil || *again.OrderRefundID != *paid.OrderRefundID {
			t.Errorf("the replay answers %+v", again)
		}
		s.Do(post, at("/execute"), map[string]any{"note": "again"}, f.as("finance"), key("pay-1")).Expect(http.StatusConflict)
		s.Do(post, at("/execute"), map[string]any{}, f.as("finance"), key("pay-2")).Expect(http.StatusConflict)
		if n := s.Count("order_refunds", "amount = 3000000"); n != 1 {
			t.Errorf("%d ledger refunds of 30 000 ₽, want 1", n)
		}
		var want = []string{"requested", "in_review", "approved", "processing", "refunded"}
		d := f.get(t, r.ID, "finance")
		if len(d.History) != len(want) {
			t.Fatalf("history %+v, want %v", d.History, want)
		}
		for i, h := range d.History {
			if h.To != want[i] {
				t.Errorf("history[%d] to %s, want %s", i, h.To, want[i])
			}
		}
		if n := s.Count("outbox_events", "type = 'refund.status_changed'"); n != len(want) {
			t.Errorf("%d refund.status_changed events, want %d", n, len(want))
		}
	})
}

// TestRetentionKeepsTheStudent: a kept student closes the request as
// retained; an attempt after the decision is refused.
func TestRetentionKeepsTheStudent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		r := f.raise(t, 0, "no_time", 0)
		path := f.sc.Path("/refund-requests/" + r.ID + "/retention-attempts")
		s.Do(post, path, map[string]any{"offer": "gift", "outcome": "kept"}, f.as("curator"), ifMatch(r.Version)).ExpectProblem(http.StatusUnprocessableEntity, "body.offer")
		var out struct{ Request request }
		s.Do(post, path, map[string]any{"offer": "pause", "outcome": "refund_continues"}, f.as("curator"), ifMatch(r.Version)).Expect(http.StatusCreated).Decode(&out)
		if out.Request.Status != "in_review" {
			t.Errorf("after a failed attempt the request is %s", out.Request.Status)
		}
		s.Do(post, path, map[string]any{"offer": "transfer", "outcome": "kept", "note": "Переходит в следующий поток"}, f.as("curator"),
			ifMatch(out.Request.Version)).Expect(http.StatusCreated).Decode(&out)
		if out.Request.Status != "retained" {
			t.Errorf("after a kept student the request is %s", out.Request.Status)
		}
		s.Do(post, path, map[string]any{"offer": "pause", "outcome": "kept"}, f.as("curator"), ifMatch(out.Request.Version)).Expect(http.StatusConflict)
		if n := s.Count("refund_retention_attempts", ""); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
	})
}

// TestAboveTheLimitTakesTwoApprovers: above the approver's limit a second,
// different approver must agree to the same amount.
func TestAboveTheLimitTakesTwoApprovers(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		settings := s.Do(get, f.sc.Path("/refund-settings"), nil, f.as("head_of_service")).Expect(http.StatusOK)
		body := settings.Map()
		body["approval_limits"] = map[string]any{"head_of_service": 1_000_000, "admin": 5_000_000}
		s.Do(put, f.sc.Path("/refund-settings"), body, f.as("head_of_service")).Expect(http.StatusPreconditionRequired)
		s.Do(put, f.sc.Path("/refund-settings"), body, f.as("curator"), apptest.Header("If-Match", settings.Header.Get("ETag"))).Expect(http.StatusForbidden)
		s.Do(put, f.sc.Path("/refund-settings"), body, f.as("head_of_service"), apptest.Header("If-Match", settings.Header.Get("ETag"))).Expect(http.StatusOK)

		r := f.raise(t, 0, "financial", 2_000_000)
		r = f.approve(t, r, 2_000_000, f.as("head_of_service"))
		if r.Status != "in_review" || r.ApprovalsNeeded != 2 {
			t.Fatalf("after one approval above the limit: %+v", r)
		}
		s.Do(post, f.sc.Path("/refund-requests/"+r.ID+"/approve"), map[string]any{"amount": 2_000_000}, f.as("head_of_service"), ifMatch(r.Version)).Expect(http.StatusConflict)
		r = f.approve(t, r, 2_000_000, f.as("admin"))
		if r.Status != "approved" {
			t.Fatalf("after the second approval: %+v", r)
		}
	})
}

// TestConcurrentPayoutsNeverExceedWhatIsLeft: two approved requests of one
// order whose sum exceeds what was paid, paid out at once: exactly one
// succeeds.
func TestConcurrentPayoutsNeverExceedWhatIsLeft(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		var reqs []request
		for i := 0; i < 2; i++ {
			r := f.raise(t, 0, "financial", 3_000_000)
			reqs = append(reqs, f.approve(t, r, 3_000_000, f.as("head_of_service")))
		}
		codes := make([]int, len(reqs))
		var wg sync.WaitGroup
		for i, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = s.Do(post, f.sc.Path("/refund-requests/"+r.ID+"/execute"), map[string]any{}, f.as("finance"), key("pay-"+r.ID)).Code
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, c := range codes {
			switch c {
			case http.StatusCreated:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Errorf("payouts answered %v, want one 201 and one 409", codes)
		}
		if n := s.Count("order_refunds", ""); n != 1 {
			t.Errorf("%d ledger refunds, want 1", n)
		}
		if n := s.Count("refund_requests", "status = 'approved'"); n != 1 {
			t.Errorf("%d requests still approved, want the one refused", n)
		}
	})
}

// TestRejectAndFail: a refusal needs its reason; a payout in processing
// may fail.
func TestRejectAndFail(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 2)
		r := f.raise(t, 0, "content", 0)
		s.Do(post, f.sc.Path("/refund-requests/"+r.ID+"/reject"), map[string]any{"note": " "}, f.as("head_of_service"), ifMatch(r.Version)).
			ExpectProblem(http.StatusUnprocessableEntity, "body.note")
		r = decode(s.Do(post, f.sc.Path("/refund-requests/"+r.ID+"/reject"), map[string]any{"note": "Курс пройден полностью"}, f.as("head_of_service"),
			ifMatch(r.Version)).Expect(http.StatusOK))
		if r.Status != "rejected" {
			t.Errorf("rejected request is %s", r.Status)
		}
		p := f.approve(t, f.raise(t, 1, "financial", 1_000_000), 1_000_000, f.as("head_of_service"))
		p = decode(s.Do(post, f.sc.Path("/refund-requests/"+p.ID+"/processing"), nil, f.as("finance"), ifMatch(p.Version)).Expect(http.StatusOK))
		p = decode(s.Do(post, f.sc.Path("/refund-requests/"+p.ID+"/fail"), map[string]any{"reason": "Банк отклонил перевод"}, f.as("finance"), ifMatch(p.Version)).Expect(http.StatusOK))
		if p.Status != "failed" {
			t.Errorf("failed payout is %s", p.Status)
		}
	})
}
