package sla_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/sla"
)

func outbox(t *testing.T, s *apptest.Server, eventType string) []sla.Notification {
	t.Helper()
	var raws []json.RawMessage
	if err := s.DB.NewSelect().TableExpr("outbox_events").Column("payload").Where("type = ?", eventType).
		OrderExpr("occurred_at, id").Scan(context.Background(), &raws); err != nil {
		t.Fatal(err)
	}
	out := make([]sla.Notification, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestWarningsAndBreaches(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 2)
		f.at(s, mon(9, 0))
		svc := s.Services.SLA
		ctx := context.Background()
		head := f.People["head_of_service"]
		s.Do(put, f.Path("/sla/settings"), map[string]any{"quiet_start": "23:00", "quiet_end": "08:00"}, head.Auth(),
			apptest.Header("If-Match", `"0"`)).Expect(200)
		// Email is answered around the clock, within two hours.
		s.Do(post, f.Path("/sla/policies"), map[string]any{"name": "Почта", "channel": "email", "always_open": true,
			"first_response_minutes": 120, "next_response_minutes": 120}, head.Auth()).Expect(201)

		f.at(s, mon(10, 0))
		day := f.send(s, f.conversation(s, 0), student("Вопрос днём", mon(10, 0)))["clock_id"].(string) // warn 11:30, due 12:00
		run := func(at time.Time) sla.RunResult {
			t.Helper()
			res, err := svc.RunOnce(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := run(mon(11, 0)); res != (sla.RunResult{}) {
			t.Errorf("nothing is due at 11:00, got %+v", res)
		}
		if res := run(mon(11, 31)); res.Warnings != 1 || res.Breaches != 0 {
			t.Errorf("at 11:31: %+v", res)
		}
		if res := run(mon(11, 40)); res.Warnings != 0 {
			t.Errorf("a warning went twice: %+v", res)
		}
		warnings := outbox(t, s, sla.EventWarning)
		if len(warnings) != 1 || warnings[0].ClockID != day || len(warnings[0].Recipients) != 1 ||
			warnings[0].Recipients[0].UserID != f.People["curator"].UserID || warnings[0].Text == "" ||
			utf8.RuneCountInString(warnings[0].Text) > 4096 || warnings[0].ParseMode != "" {
			t.Fatalf("warnings %+v", warnings)
		}
		if want := "Срок ответа — 16.03 12:00, через 29 мин."; !strings.Contains(warnings[0].Text, want) {
			t.Errorf("warning text %q does not say %q", warnings[0].Text, want)
		}
		if res := run(mon(12, 1)); res.Breaches != 1 {
			t.Errorf("at 12:01: %+v", res)
		}
		run(mon(12, 2))
		breaches := outbox(t, s, sla.EventBreached)
		if len(breaches) != 1 || len(breaches[0].Recipients) != 2 {
			t.Fatalf("breach notices %+v: want one, to the senior curator and the head", breaches)
		}
		if c := f.clock(s, day); !c.Breached {
			t.Errorf("clock not marked breached: %+v", c)
		}

		// At night: the warning falls in quiet hours and is never sent (the
		// clock is past due when they end); the breach is recorded at once
		// and announced at 08:00.
		f.at(s, mon(22, 0))
		convID := s.Do(post, f.Path("/conversations"), map[string]any{"channel": "email", "student_id": f.students[1]},
			f.People["curator"].Auth()).Expect(201).Map()["id"].(string)
		night := f.send(s, convID, student("Вопрос поздно вечером", mon(22, 0)))["clock_id"].(string) // warn 23:30, due 00:00
		if res := run(mon(23, 31)); res.Deferred != 1 || res.Warnings != 0 {
			t.Errorf("at 23:31: %+v", res)
		}
		if res := run(mon(24, 1)); res.Breaches != 0 || res.Warnings != 0 {
			t.Errorf("at 00:01: %+v", res)
		}
		if c := f.clock(s, night); !c.Breached {
			t.Errorf("breach not recorded in quiet hours: %+v", c)
		}
		if res := run(mon(24+8, 1)); res.Breaches != 1 || res.Warnings != 0 {
			t.Errorf("at 08:01: %+v", res)
		}
		if n := len(outbox(t, s, sla.EventWarning)); n != 1 {
			t.Errorf("%d warnings in all", n)
		}
	})
}

// TestNoticesOnceAcrossReplicas runs two service instances — two serve
// processes — on one database at the same instants and counts what they
// published.
func TestNoticesOnceAcrossReplicas(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		const clocks = 12
		f := newFixture(s, "alpha", clocks)
		f.at(s, mon(9, clocks))
		for i := 0; i < clocks; i++ {
			f.send(s, f.conversation(s, i), student("Вопрос", mon(9, i)))
		}
		replicas := []*server.Services{s.Services, server.NewServices(s.DB, s.Clock, identity.DefaultConfig())}
		for _, at := range []time.Time{mon(10, 45), mon(10, 50), mon(11, 30), mon(11, 31), mon(12, 0)} {
			var wg sync.WaitGroup
			for _, r := range replicas {
				for k := 0; k < 2; k++ {
					wg.Add(1)
					go func(svc *sla.Service) {
						defer wg.Done()
						if _, err := svc.RunOnce(context.Background(), at); err != nil {
							t.Error(err)
						}
					}(r.SLA)
				}
			}
			wg.Wait()
		}
		if n := len(outbox(t, s, sla.EventWarning)); n != clocks {
			t.Errorf("%d warnings published for %d clocks", n, clocks)
		}
		if n := len(outbox(t, s, sla.EventBreached)); n != clocks {
			t.Errorf("%d breach notices published for %d clocks", n, clocks)
		}
	})
}

// TestOneBadClockStopsNobody plants a clock whose times cannot be read
// back in school alpha: the pass logs and skips it, alpha's other clock
// and school beta still get their warnings and breach marks, and alpha's
// views answer at worst a 500 problem.
func TestOneBadClockStopsNobody(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := newFixture(s, "alpha", 2), newFixture(s, "beta", 1)
		for _, f := range []*fixture{alpha, beta} {
			f.at(s, mon(10, 0))
		}
		bad := alpha.send(s, alpha.conversation(s, 0), student("Вопрос", mon(10, 0)))["clock_id"].(string) // warn 11:30, due 12:00
		good := alpha.send(s, alpha.conversation(s, 1), student("Вопрос", mon(10, 0)))["clock_id"].(string)
		other := beta.send(s, beta.conversation(s, 0), student("Вопрос", mon(10, 0)))["clock_id"].(string)
		// Before any check of times existed, a clock could be stored due in
		// year 10000, which neither database gives back to Go; '-infinity'
		// is such a value on both, and one that every query takes as due.
		if _, err := s.DB.NewUpdate().TableExpr("sla_clocks").Set("due_at = '-infinity'").Set("warn_at = '-infinity'").
			Where("id = ?", bad).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		var logged bytes.Buffer
		s.Services.SLA.SetLogger(slog.New(slog.NewJSONHandler(&logged, nil)))
		defer s.Services.SLA.SetLogger(nil)

		res, err := s.Services.SLA.RunOnce(context.Background(), mon(11, 31))
		if err != nil {
			t.Fatalf("the pass failed: %v", err)
		}
		if res.Warnings != 2 || res.Failed == 0 {
			t.Errorf("at 11:31: %+v", res)
		}
		var warned []string
		for _, n := range outbox(t, s, sla.EventWarning) {
			warned = append(warned, n.ClockID)
		}
		if slices.Sort(warned); !slices.Equal(warned, sortedIDs(good, other)) {
			t.Errorf("warnings for %v, want alpha's good clock and beta's", warned)
		}
		if !strings.Contains(logged.String(), bad) {
			t.Errorf("the bad clock was not logged: %s", logged.String())
		}

		res, err = s.Services.SLA.RunOnce(context.Background(), mon(12, 1))
		if err != nil || res.Breaches != 2 {
			t.Errorf("at 12:01: %+v, %v", res, err)
		}
		alpha.at(s, mon(12, 2))
		beta.at(s, mon(12, 2))
		if c := beta.clock(s, other); !c.Breached {
			t.Errorf("beta's clock not marked breached: %+v", c)
		}
		if c := alpha.clock(s, good); !c.Breached {
			t.Errorf("alpha's good clock not marked breached: %+v", c)
		}
		// A read that meets the row fails as a 500 problem, never as a 200
		// with a broken body.
		for _, path := range []string{"/sla/clocks?view=open", "/sla/clocks?view=at_risk", "/sla/clocks?view=breached", "/sla/clocks/" + bad} {
			r := s.Do(get, alpha.Path(path), nil, alpha.People["curator"].Auth())
			if r.Code == 200 {
				r.Map()
			} else {
				r.ExpectProblem(500)
			}
		}
		for _, view := range []string{"open", "at_risk", "breached"} {
			beta.clocks(s, "/sla/clocks?view="+view, beta.People["curator"])
		}
	})
}

func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
