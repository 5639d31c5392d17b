package sla_test

import (
	"context"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
	"github.com/curatorops/curatorops/modules/sla"
)

// payClockRows writes hand-made clocks of one conversation, so that the
// pay read is checked against ids known in advance.
type payClockRows struct {
	s            *apptest.Server
	orgID, convo string
}

func newPayClockRows(t *testing.T, s *apptest.Server, slug string) *payClockRows {
	t.Helper()
	p := &payClockRows{s: s, orgID: s.NewSchool(slug).Org.ID, convo: ids.New()}
	c := &sla.Conversation{ID: p.convo, OrgID: p.orgID, Channel: "telegram", StudentID: ids.New(), CreatedAt: apptest.Start}
	if _, err := s.DB.NewInsert().Model(c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p
}

// clock writes a clock of the curator started at, due two hours later.
func (p *payClockRows) clock(t *testing.T, curatorID, status string, breached bool, started time.Time) string {
	t.Helper()
	due := started.Add(2 * time.Hour)
	c := &sla.ResponseClock{ID: ids.New(), OrgID: p.orgID, ConversationID: p.convo, StudentID: ids.New(), Channel: "telegram",
		Kind: sla.ClockFirst, Status: status, StartedAt: started, LocalDay: started.Format(time.DateOnly), MessageCount: 1,
		LastStudentMessageAt: started, DueAt: due, WarnAt: started.Add(90 * time.Minute), Breached: breached, TargetSeconds: 7200,
		CuratorID: curatorID, CreatedAt: started, UpdatedAt: started, Version: 1}
	if status == sla.ClockAnswered {
		stopped := started.Add(time.Hour)
		c.StoppedAt = &stopped
	}
	if _, err := p.s.DB.NewInsert().Model(c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestPayReadsClockGroups: the clocks compliance counts, by curator and
// compliance, with their ids.
func TestPayReadsClockGroups(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		day := func(d, hour int) time.Time { return time.Date(2026, 3, d, hour, 0, 0, 0, time.UTC) }
		s.Clock.Set(day(20, 12))
		p := newPayClockRows(t, s, "pay-clocks")
		curator := ids.New()
		inTime := p.clock(t, curator, sla.ClockAnswered, false, from)
		breached := p.clock(t, curator, sla.ClockAnswered, true, day(3, 10))
		pastDue := p.clock(t, curator, sla.ClockOpen, false, day(10, 10))
		nobodys := p.clock(t, "", sla.ClockAnswered, false, day(11, 10))
		p.clock(t, curator, sla.ClockOpen, false, day(20, 11))              // open and still in time at now
		p.clock(t, curator, sla.ClockDismissed, false, day(5, 10))          // dismissed: no reply was owed
		p.clock(t, curator, sla.ClockAnswered, false, from.Add(-time.Hour)) // February's
		p.clock(t, curator, sla.ClockAnswered, false, to)                   // April's
		q := newPayClockRows(t, s, "pay-clocks-other")
		q.clock(t, curator, sla.ClockAnswered, false, day(4, 10)) // another school's

		got := testkit.IDGroups[sla.PayClockGroup]{}
		err := s.Services.SLA.PayClockGroups(s.Ctx(), p.orgID, from, to, func(g sla.PayClockGroup) {
			count, ids := g.Count, g.IDs
			g.Count, g.IDs = 0, ""
			got.Add(t, g, count, ids)
		})
		if err != nil {
			t.Fatal(err)
		}
		got.Expect(t, map[sla.PayClockGroup][]string{
			{CuratorID: curator, Compliant: true}: {inTime},
			{CuratorID: curator}:                  {breached, pastDue},
			{Compliant: true}:                     {nobodys},
		})
	})
}
