package demo

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/events"
)

// schoolRows are the tables the demo students' events write to, with the
// ids each run makes named after the external ids.
var schoolRows = snapshotSpec{
	tables: []string{"students", "enrollments", "curator_assignments", "orders", "order_refunds", "audit_entries"},
	where:  map[string]string{"audit_entries": "entity_type IN ('student', 'enrollment', 'order', 'order_refund')"},
	names: func(raw map[string][]map[string]any) map[string]string {
		names := map[string]string{}
		for _, table := range []string{"students", "enrollments", "orders", "order_refunds"} {
			for _, row := range raw[table] {
				names[row["id"].(string)] = table + " " + row["external_id"].(string)
			}
		}
		for _, row := range raw["curator_assignments"] {
			names[row["id"].(string)] = "assignment of " + names[row["enrollment_id"].(string)]
		}
		return names
	},
}

// TestSchoolWriterWritesWhatTheHandlersWould records the demo students
// twice on one school: once with the bulk writer and once through the
// school's LMS event handlers, and compares every row both leave.
func TestSchoolWriterWritesWhatTheHandlersWould(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		now := time.Now().UTC().Truncate(time.Hour)
		s.Clock.Set(now)
		ctx := s.Ctx()
		org, _, err := s.Services.Identity.EnsureOrg(ctx, identity.NewOrg{Slug: Slug, Name: "Демо-школа психологии", TimeZone: "Europe/Moscow", Currency: "RUB"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := newRun(ctx, s.Services, org.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := seedStaff(ctx, s.Services.Identity, org.ID); err != nil {
			t.Fatal(err)
		}
		cohorts, products, err := seedCatalog(ctx, s.Services.School, org.ID, r.tl)
		if err != nil {
			t.Fatal(err)
		}

		if err := seedStudents(ctx, r, cohorts, products); err != nil {
			t.Fatal(err)
		}
		bulk := takeSnapshot(t, s, schoolRows)
		if n := len(bulk.raw["students"]); n != StudentCount {
			t.Fatalf("the writer recorded %d students, want %d", n, StudentCount)
		}
		forgetStudents(t, s)

		rnd := rand.New(rand.NewSource(2026))
		var evs []events.Inbound
		for _, seat := range demoSeats() {
			for _, ev := range studentEvents(rnd, r, seat, products) {
				in, err := ev.inbound(org.ID)
				if err != nil {
					t.Fatal(err)
				}
				evs = append(evs, in)
			}
		}
		if err := applyEvents(ctx, s.DB, s.Services.School.EventHandlers(), evs); err != nil {
			t.Fatal(err)
		}
		compareSnapshots(t, schoolRows, bulk, takeSnapshot(t, s, schoolRows))
	})
}

// forgetStudents removes what recording the students wrote.
func forgetStudents(t *testing.T, s *apptest.Server) {
	t.Helper()
	err := s.DB.RunInTx(s.Ctx(), nil, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range []string{
			"DELETE FROM order_refunds", "DELETE FROM orders", "DELETE FROM curator_assignments", "DELETE FROM enrollments", "DELETE FROM students",
			"DELETE FROM audit_entries WHERE entity_type IN ('student', 'enrollment', 'order', 'order_refund')",
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
