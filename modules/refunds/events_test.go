package refunds_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
)

// TestLedgerRefundsAreLinked: a refund that arrives as order.refunded
// closes the order's open request; with none open it is recorded as an
// unspecified, flagged request.
func TestLedgerRefundsAreLinked(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 2)
		open := f.raise(t, 0, "financial", 2_000_000)
		f.orderRefunded(t, 0, "bank-1", 2_000_000)
		linked := f.get(t, open.ID, "head_of_service")
		if linked.Status != "refunded" || linked.RefundedAmount == nil || *linked.RefundedAmount != 2_000_000 || linked.OrderRefundID == nil || !linked.Flagged {
			t.Errorf("the open request after the ledger refund: %+v", linked)
		}

		f.orderRefunded(t, 1, "bank-2", price)
		var page struct{ Items []request }
		s.Do(get, f.sc.Path("/refund-requests?flagged=true&reason=unspecified"), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&page)
		if len(page.Items) != 1 || page.Items[0].Status != "refunded" || *page.Items[0].RefundedAmount != price {
			t.Errorf("unspecified requests: %+v", page.Items)
		}
		if n := s.Count("refund_requests", ""); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}

// TestLMSRaisesRequests: refund.requested from the LMS raises a request
// for the student; a reason is required.
func TestLMSRaisesRequests(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 1)
		apply := func(id string, data map[string]any) error {
			raw, _ := json.Marshal(data)
			ev := events.Inbound{OrgID: f.sc.Org.ID, EventID: id, Type: "refund.requested", OccurredAt: s.Clock.Now().Add(-time.Hour), Data: raw}
			return events.Apply(s.Ctx(), s.DB, s.Services.Refunds.EventHandlers(), ev)
		}
		err := apply("e-1", map[string]any{"external_id": "rr-1", "order_external_id": "o-1"})
		var v *errs.ValidationError
		if !errors.As(err, &v) || v.Fields[0].Location != "data.reason" {
			t.Fatalf("without a reason: %v", err)
		}
		if err := apply("e-2", map[string]any{"external_id": "rr-1", "order_external_id": "o-1", "reason": "health_personal", "comment": "Заболела"}); err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items []struct {
				RaisedBy string `json:"raised_by"`
				Channel  string `json:"channel"`
				Status   string `json:"status"`
			}
		}
		s.Do(get, f.sc.Path("/refund-requests"), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&page)
		if len(page.Items) != 1 || page.Items[0].RaisedBy != "student" || page.Items[0].Channel != "lms" || page.Items[0].Status != "requested" {
			t.Errorf("requests from the LMS: %+v", page.Items)
		}
	})
}

// TestUndecidedRequestsAreEscalated: a request not decided within the
// school's decision hours of business time is escalated once.
func TestUndecidedRequestsAreEscalated(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "north", 2)
		// Raised Monday 12:00 in Moscow; 16 business hours of 09:00–18:00
		// weekdays: 6 on Monday, 9 on Tuesday, 1 on Wednesday → due
		// Wednesday 10:00 Moscow, 07:00 UTC.
		r := f.raise(t, 0, "no_time", 0)
		decided := f.raise(t, 1, "no_time", 0)
		s.Do(post, f.sc.Path("/refund-requests/"+decided.ID+"/reject"), map[string]any{"note": "Нет оснований"}, f.as("head_of_service"), ifMatch(decided.Version)).Expect(http.StatusOK)
		due := time.Date(2026, 3, 4, 7, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			at   time.Time
			want int
		}{{due.Add(-time.Minute), 0}, {due, 1}, {due.Add(time.Hour), 0}} {
			n, err := s.Services.Refunds.RunOnce(s.Ctx(), c.at)
			if err != nil || n != c.want {
				t.Errorf("at %s escalated %d (%v), want %d", c.at, n, err, c.want)
			}
		}
		if !f.get(t, r.ID, "head_of_service").Escalated || f.get(t, decided.ID, "head_of_service").Escalated {
			t.Error("the undecided request must be escalated and the decided one not")
		}
		if n := s.Count("outbox_events", "type = 'refund.escalated'"); n != 1 {
			t.Errorf("%d refund.escalated events, want 1", n)
		}
	})
}
