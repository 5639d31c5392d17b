package demo_test

import (
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
	if before["sla_conversations"] != 96 || before["sla_messages"] < 600 {
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

	if n := s.Count("sla_messages", "sent_at > ?", s.Clock.Now()); n > 0 {
		t.Errorf("%d demo messages are sent in the future", n)
	}
	// A thanks needs no answer: no open clock was started by one.
	var starters []string
	if err := s.DB.NewSelect().TableExpr("sla_messages AS m").ColumnExpr("m.text").
		Where("m.clock_id IN (SELECT id FROM sla_clocks WHERE status = 'open')").Where("m.direction = 'student'").
		Scan(s.Ctx(), &starters); err != nil {
		t.Fatal(err)
	}
	for _, text := range starters {
		if demo.IsThanks(text) {
			t.Errorf("an open clock was started by the thanks %q", text)
		}
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
