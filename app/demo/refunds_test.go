package demo_test

import (
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

// TestDemoRefunds: every refund of the demo ledger has its refunded
// request linked to it, requests stand in every state, the latest
// cohort's refund rate stays near 2 %, and seeding again adds nothing.
func TestDemoRefunds(t *testing.T) {
	eachSeededDemo(t, func(t *testing.T, s *apptest.Server) {
		ledger := s.Count("order_refunds", "")
		linked := s.Count("refund_requests", "status = 'refunded' AND order_refund_id IN (SELECT id FROM order_refunds)")
		if ledger == 0 || linked != ledger {
			t.Errorf("%d ledger refunds, %d refunded requests linked to them", ledger, linked)
		}
		for _, status := range []string{"requested", "in_review", "approved", "rejected", "retained", "processing", "refunded", "failed"} {
			if s.Count("refund_requests", "status = ?", status) == 0 {
				t.Errorf("no demo request is %s", status)
			}
		}
		if n := s.Count("refund_retention_attempts", "outcome = 'kept'"); n < 5 {
			t.Errorf("%d students kept, want several", n)
		}
		head := s.Login("head@demo.test", demo.Password)
		var a struct {
			Groups []struct {
				Name                string   `json:"name"`
				RefundedEnrollments int      `json:"refunded_enrollments"`
				PaidEnrollments     int      `json:"paid_enrollments"`
				Rate                *float64 `json:"rate"`
			} `json:"groups"`
		}
		s.Do(http.MethodGet, "/v1/orgs/demo/refund-analytics?group_by=cohort", nil, apptest.Bearer(head)).Expect(http.StatusOK).Decode(&a)
		for _, g := range a.Groups {
			if g.Name == "Практическая психология — поток 8" && (g.Rate == nil || *g.Rate < 1.5 || *g.Rate > 2.5) {
				t.Errorf("the latest cohort's refund rate is %v (%d of %d), want about 2 %%", g.Rate, g.RefundedEnrollments, g.PaidEnrollments)
			}
		}
		requests := s.Count("refund_requests", "")
		if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
			t.Fatal(err)
		}
		if n := s.Count("refund_requests", ""); n != requests {
			t.Errorf("seeding again made %d requests of %d", n, requests)
		}
	})
}
