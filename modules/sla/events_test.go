package sla_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/sla"
)

func TestMessageCreatedEvents(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		f.at(s, mon(12, 0))
		found := false
		for _, et := range s.Services.Integration.EventTypes() {
			found = found || et == sla.EventMessageCreated
		}
		if !found {
			t.Fatal("the inbox does not take message.created")
		}
		n := 0
		apply := func(data map[string]any) error {
			n++
			raw, _ := json.Marshal(data)
			return events.Apply(s.Ctx(), s.DB, s.Services.SLA.EventHandlers(), events.Inbound{OrgID: f.Org.ID, EventID: "ev-" + string(rune('a'+n)),
				Type: sla.EventMessageCreated, OccurredAt: apptest.Start, Data: raw})
		}
		msg := func(ext, dir, author, text string, at time.Time) map[string]any {
			m := map[string]any{"external_id": ext, "conversation_external_id": "tg-1", "channel": "telegram",
				"student_external_id": "st-1", "cohort_external_id": "co-1", "direction": dir, "author_kind": author,
				"kind": "text", "text": text, "sent_at": at.Format(time.RFC3339)}
			if author == "staff" {
				m["author_email"] = f.People["curator"].Email
			}
			return m
		}
		for _, m := range []map[string]any{
			msg("m1", "student", "student", "Здравствуйте", mon(10, 0)),
			msg("m2", "student", "student", "Подскажите по заданию", mon(10, 2)),
			msg("m3", "staff", "bot", "Куратор скоро ответит", mon(10, 2)),
			msg("m4", "staff", "staff", "Добрый день! Отвечаю", mon(10, 30)),
			msg("m5", "student", "student", "Благодарю.", mon(10, 31)),
		} {
			if err := apply(m); err != nil {
				t.Fatal(err)
			}
		}
		var convs struct{ Items []map[string]any }
		s.Do(get, f.Path("/conversations"), nil, f.People["curator"].Auth()).Expect(200).Decode(&convs)
		if len(convs.Items) != 1 || convs.Items[0]["clocks"].(float64) != 1 || convs.Items[0]["cohort_id"] != f.cohortID {
			t.Fatalf("conversations %v", convs.Items)
		}
		var msgs struct{ Items []map[string]any }
		s.Do(get, f.Path("/conversations/"+convs.Items[0]["id"].(string)+"/messages"), nil, f.People["curator"].Auth()).Expect(200).Decode(&msgs)
		var effects []string
		for _, m := range msgs.Items {
			effects = append(effects, m["effect"].(string))
		}
		if want := []string{"started", "joined", "none", "stopped", "no_reply_needed"}; len(effects) != 5 || effects[0] != want[0] ||
			effects[1] != want[1] || effects[2] != want[2] || effects[3] != want[3] || effects[4] != want[4] {
			t.Errorf("effects %v", effects)
		}
		if msgs.Items[3]["author_user_id"] != f.People["curator"].UserID {
			t.Errorf("the reply is not attributed: %v", msgs.Items[3])
		}

		bad := []struct {
			name  string
			edit  func(m map[string]any)
			field string
		}{
			{"unknown field", func(m map[string]any) { m["mood"] = "ok" }, "data.mood"},
			{"no external id", func(m map[string]any) { delete(m, "external_id") }, "data.external_id"},
			{"unknown student", func(m map[string]any) { m["conversation_external_id"] = "tg-2"; m["student_external_id"] = "nobody" }, "data.student_external_id"},
			{"bad channel", func(m map[string]any) { m["channel"] = "fax" }, "data.channel"},
			{"channel of another conversation", func(m map[string]any) { m["channel"] = "email" }, "data.channel"},
			{"bad kind", func(m map[string]any) { m["kind"] = "voice" }, "data.kind"},
			{"student as staff", func(m map[string]any) { m["author_kind"] = "staff" }, "data.author_kind"},
			{"no time", func(m map[string]any) { delete(m, "sent_at") }, "data.sent_at"},
			{"repeated message", func(m map[string]any) { m["external_id"] = "m1" }, "data.external_id"},
			{"text as a number", func(m map[string]any) { m["text"] = 5 }, "data.text"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				m := msg("m-bad", "student", "student", "?", mon(11, 0))
				tc.edit(m)
				err := apply(m)
				var v *errs.ValidationError
				if !errors.As(err, &v) || v.Fields[0].Location != tc.field {
					t.Fatalf("error %v, want a validation error at %s", err, tc.field)
				}
			})
		}
	})
}

func TestSettings(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		f.at(s, mon(12, 0))
		head := f.People["head_of_service"]
		path := f.Path("/sla/settings")
		got := s.Do(get, path, nil, head.Auth()).Expect(200).Map()
		if got["version"].(float64) != 0 || len(got["no_reply_phrases"].([]any)) != len(sla.DefaultNoReplyPhrases) {
			t.Fatalf("defaults %v", got)
		}
		body := map[string]any{"quiet_start": "23:00", "quiet_end": "08:00", "no_reply_phrases": []string{"спасибо", "понятно, спасибо"}}
		s.Do(put, path, body, head.Auth()).ExpectProblem(428)
		s.Do(put, path, body, f.People["curator"].Auth(), apptest.Header("If-Match", `"0"`)).ExpectProblem(403)
		s.Do(put, path, map[string]any{"quiet_start": "23:00"}, head.Auth(), apptest.Header("If-Match", `"0"`)).ExpectProblem(422, "body.quiet_end")
		s.Do(put, path, map[string]any{"quiet_start": "25:00", "quiet_end": "08:00"}, head.Auth(), apptest.Header("If-Match", `"0"`)).ExpectProblem(422, "body.quiet_start")
		s.Do(put, path, map[string]any{"no_reply_phrases": []string{"!!!"}}, head.Auth(), apptest.Header("If-Match", `"0"`)).ExpectProblem(422, "body.no_reply_phrases[0]")
		s.Do(put, path, body, head.Auth(), apptest.Header("If-Match", `"0"`)).Expect(200)
		s.Do(put, path, body, head.Auth(), apptest.Header("If-Match", `"0"`)).ExpectProblem(412)

		// The school's own list now decides: "ок" needs an answer, and
		// "Понятно, спасибо!" does not.
		conv := f.conversation(s, 0)
		if e := f.send(s, conv, student("Понятно, спасибо!", mon(10, 0)))["effect"]; e != "no_reply_needed" {
			t.Errorf("listed phrase: %v", e)
		}
		if e := f.send(s, conv, student("ок", mon(10, 1)))["effect"]; e != "started" {
			t.Errorf("unlisted phrase: %v", e)
		}
		s.Do(put, path, map[string]any{"no_reply_phrases": []string{"спасибо?"}}, head.Auth(), apptest.Header("If-Match", `"1"`)).
			ExpectProblem(422, "body.no_reply_phrases[0]")

		// Back to the defaults: "ок" needs no reply from now on, but the
		// clock it started stays as it was.
		started := f.send(s, f.conversation(s, 0), student("ок", mon(10, 2)))["clock_id"].(string)
		s.Do(put, path, map[string]any{"quiet_start": "23:00", "quiet_end": "08:00"}, head.Auth(), apptest.Header("If-Match", `"1"`)).Expect(200)
		if e := f.send(s, f.conversation(s, 0), student("ок", mon(10, 3)))["effect"]; e != "no_reply_needed" {
			t.Errorf("default phrase: %v", e)
		}
		if c := f.clock(s, started); c.Status != "open" || c.Messages != 1 {
			t.Errorf("an existing clock was rewritten: %+v", c)
		}
	})
}
