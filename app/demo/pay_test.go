package demo_test

import (
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

// TestDemoPay: last month is locked and exported, the current month is in
// review with curator01's dispute, every statement adds up to its lines,
// curator01 reads only her own statement and follows a line to its
// sources, and seeding again adds nothing.
func TestDemoPay(t *testing.T) {
	eachSeededDemo(t, func(t *testing.T, s *apptest.Server) {
		head := apptest.Bearer(s.Login("head@demo.test", demo.Password))
		var periods []struct {
			ID     string `json:"id"`
			Month  string `json:"month"`
			Status string `json:"status"`
		}
		s.Do(http.MethodGet, "/v1/orgs/demo/pay-periods", nil, head).Expect(http.StatusOK).Decode(&periods)
		if len(periods) != 2 || periods[0].Status != "in_review" || periods[1].Status != "exported" {
			t.Fatalf("demo periods %+v", periods)
		}
		if n := s.Count("pay_exports", "period_id = ?", periods[1].ID); n != 2 {
			t.Errorf("last month has %d exports, want XLSX and 1C", n)
		}
		if n := s.Count("pay_disputes", "period_id = ? AND status = 'open'", periods[0].ID); n != 1 {
			t.Errorf("%d open disputes in the current month, want 1", n)
		}
		var statements []struct {
			UserID string `json:"user_id"`
			Name   string `json:"name"`
			Total  int64  `json:"total"`
			Lines  []struct {
				ID       string `json:"id"`
				Kind     string `json:"kind"`
				Amount   int64  `json:"amount"`
				Quantity int64  `json:"quantity"`
			} `json:"lines"`
		}
		s.Do(http.MethodGet, "/v1/orgs/demo/pay-periods/"+periods[1].ID+"/statements", nil, head).Expect(http.StatusOK).Decode(&statements)
		if len(statements) < demo.CuratorCount {
			t.Errorf("%d statements, want every one of the %d curators", len(statements), demo.CuratorCount)
		}
		reviewed := 0
		for _, st := range statements {
			var sum int64
			for _, l := range st.Lines {
				sum += l.Amount
				if l.Kind == "piece" {
					reviewed += int(l.Quantity)
				}
			}
			if sum != st.Total || st.Total <= 0 || st.Name == "" {
				t.Errorf("%s: lines add up to %d, total %d", st.Name, sum, st.Total)
			}
		}
		if reviewed == 0 {
			t.Error("no review was paid last month")
		}

		curator := apptest.Bearer(s.Login("curator01@demo.test", demo.Password))
		var own []struct {
			UserID string `json:"user_id"`
			Lines  []struct {
				ID       string `json:"id"`
				Kind     string `json:"kind"`
				Quantity int64  `json:"quantity"`
			} `json:"lines"`
		}
		s.Do(http.MethodGet, "/v1/orgs/demo/pay-periods/"+periods[1].ID+"/statements", nil, curator).Expect(http.StatusOK).Decode(&own)
		if len(own) != 1 {
			t.Fatalf("curator01 sees %d statements", len(own))
		}
		for _, l := range own[0].Lines {
			if l.Kind != "piece" {
				continue
			}
			var page struct {
				Items []map[string]string `json:"items"`
			}
			s.Do(http.MethodGet, "/v1/orgs/demo/pay-lines/"+l.ID+"/sources?limit=200", nil, curator).Expect(http.StatusOK).Decode(&page)
			if int64(len(page.Items)) != l.Quantity {
				t.Errorf("curator01's review line pays %d reviews and links %d", l.Quantity, len(page.Items))
			}
		}

		lines := s.Count("pay_lines", "")
		if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
			t.Fatal(err)
		}
		if n := s.Count("pay_lines", ""); n != lines {
			t.Errorf("seeding again made %d lines of %d", n, lines)
		}
	})
}
