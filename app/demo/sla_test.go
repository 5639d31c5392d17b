package demo_test

import (
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

var slaTables = []string{"sla_conversations", "sla_messages", "sla_clocks", "sla_settings"}

func checkSeedWritesSLAConversations(t *testing.T, s *apptest.Server) {
	before := map[string]int{}
	for _, table := range slaTables {
		before[table] = s.Count(table, "")
	}
	if before["sla_conversations"] != 160 || before["sla_messages"] < 800 {
		t.Fatalf("seeded %v", before)
	}
	for what, where := range map[string]string{
		"bursts":              "message_count > 1",
		"breaches":            "breached = true AND status = 'answered'",
		"open clocks":         "status = 'open'",
		"next responses":      "kind = 'next'",
		"responsible curator": "curator_id <> ''",
	} {
		if n := s.Count("sla_clocks", where); n == 0 {
			t.Errorf("no %s in the demo", what)
		}
	}
	if s.Count("sla_messages", "effect = 'no_reply_needed'") == 0 || s.Count("sla_messages", "author_kind = 'bot'") == 0 {
		t.Error("the demo has no thanks or no bot replies")
	}

	head := s.Login("head@demo.test", demo.Password)
	var r struct {
		Total struct {
			Items             int
			CompliancePercent float64 `json:"compliance_percent"`
		}
	}
	s.Do(http.MethodGet, "/v1/orgs/demo/sla/report?group_by=curator&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", nil,
		apptest.Bearer(head)).Expect(200).Decode(&r)
	t.Logf("demo SLA: %v, report total %+v", before, r.Total)
	if r.Total.Items < 150 || r.Total.CompliancePercent < 60 || r.Total.CompliancePercent > 97 {
		t.Errorf("demo compliance %+v: want mostly on time with some breaches", r.Total)
	}

	if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
		t.Fatal(err)
	}
	for _, table := range slaTables {
		if got := s.Count(table, ""); got != before[table] {
			t.Errorf("seeding again changed %s: %d rows, was %d", table, got, before[table])
		}
	}
}
