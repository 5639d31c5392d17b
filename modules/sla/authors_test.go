package sla_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

// apiKey creates an integration key of the school with the role.
func (f *fixture) apiKey(s *apptest.Server, role string) apptest.Option {
	s.T.Helper()
	out := s.Do(post, f.Path("/api-keys"), map[string]any{"name": "LMS " + role, "role": role}, f.People["admin"].Auth()).Expect(201).Map()
	return apptest.APIKey(out["key"].(string))
}

// TestRepliesCannotBeForged reproduces the forged-reply case: a curator cannot
// turn a breached clock into an answer in time by posting a reply «from» a
// colleague dated one minute after the student's message.
func TestRepliesCannotBeForged(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		curator02 := s.NewMember(f.Org.ID, "curator02@alpha.test", "curator")
		f.at(s, mon(10, 0))
		conv := f.conversation(s, 0)
		clockID := f.send(s, conv, student("Где запись вебинара?", mon(10, 0)))["clock_id"].(string) // due 12:00
		f.at(s, mon(13, 0))
		curator01 := f.People["curator"]
		path := f.Path("/conversations/" + conv + "/messages")
		reply := func(extra map[string]any) map[string]any {
			body := map[string]any{"direction": "staff", "author_kind": "staff", "text": "Вот ссылка"}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}
		oneMinuteLater := mon(10, 1).Format(time.RFC3339)

		s.Do(post, path, reply(map[string]any{"author_email": curator02.Email, "sent_at": oneMinuteLater}), curator01.Auth()).ExpectProblem(403)
		s.Do(post, path, reply(map[string]any{"author_email": curator02.Email}), curator01.Auth()).ExpectProblem(403)
		s.Do(post, path, reply(map[string]any{"sent_at": oneMinuteLater}), curator01.Auth()).ExpectProblem(422, "body.sent_at")
		s.Do(post, path, reply(map[string]any{"author_email": curator01.Email, "sent_at": oneMinuteLater}), curator01.Auth()).ExpectProblem(422, "body.sent_at")
		s.Do(post, path, map[string]any{"direction": "student", "author_kind": "student", "text": "Вопрос"}, curator01.Auth()).ExpectProblem(403)
		s.Do(post, path, map[string]any{"direction": "staff", "author_kind": "bot", "text": "Автоответ"}, curator01.Auth()).ExpectProblem(403)
		if n := s.Count("sla_messages", "conversation_id = ?", conv); n != 1 {
			t.Fatalf("%d messages stored, want the student's only", n)
		}
		if c := f.clock(s, clockID); c.Status != "open" {
			t.Fatalf("clock %+v", c)
		}
		breached := f.clocks(s, "/sla/clocks?view=breached", curator01)
		if len(breached) != 1 || breached[0].ID != clockID {
			t.Fatalf("breached view %+v", breached)
		}

		// Her own reply is hers, sent now: the clock stops, breached.
		var m map[string]any
		s.Do(post, path, reply(map[string]any{"author_email": curator01.Email}), curator01.Auth()).Expect(201).Decode(&m)
		if m["author_user_id"] != curator01.UserID || m["author_email"] != curator01.Email || m["sent_at"] != mon(13, 0).UTC().Format(time.RFC3339) ||
			m["effect"] != "stopped" {
			t.Errorf("own reply %v", m)
		}
		if c := f.clock(s, clockID); c.Status != "answered" || !c.Breached || !c.StoppedAt.Equal(mon(13, 0)) {
			t.Errorf("clock after the reply %+v", c)
		}
	})
}

// TestWhoNamesAuthorAndTime: integration keys name the author and time;
// an administrator may too, as an audited backfill; a key without the
// permission, which is nobody, records nothing.
func TestWhoNamesAuthorAndTime(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 2)
		f.at(s, mon(13, 0))
		integration, curatorKey := f.apiKey(s, "integration"), f.apiKey(s, "curator")
		conv := f.conversation(s, 0)
		path := f.Path("/conversations/" + conv + "/messages")
		at := func(h, m int) string { return mon(h, m).Format(time.RFC3339) }

		s.Do(post, path, map[string]any{"direction": "student", "author_kind": "student", "text": "Вопрос", "sent_at": at(10, 0)}, integration).Expect(201)
		s.Do(post, path, map[string]any{"direction": "student", "author_kind": "student", "text": "Вопрос"}, integration).ExpectProblem(422, "body.sent_at")
		s.Do(post, path, map[string]any{"direction": "staff", "author_kind": "staff", "text": "Ответ", "sent_at": at(10, 30)}, curatorKey).ExpectProblem(403)
		s.Do(post, path, map[string]any{"direction": "staff", "author_kind": "staff", "text": "Ответ"}, curatorKey).ExpectProblem(403)
		reply := s.Do(post, path, map[string]any{"direction": "staff", "author_kind": "staff", "text": "Ответ", "sent_at": at(10, 30),
			"author_email": f.People["curator"].Email}, integration).Expect(201).Map()
		if reply["effect"] != "stopped" || reply["author_user_id"] != f.People["curator"].UserID {
			t.Errorf("integration reply %v", reply)
		}

		// An administrator backfills a conversation the LMS lost.
		admin := f.People["admin"]
		conv2 := f.conversation(s, 1)
		path2 := f.Path("/conversations/" + conv2 + "/messages")
		s.Do(post, path2, map[string]any{"direction": "student", "author_kind": "student", "text": "Вопрос", "sent_at": at(9, 0)}, admin.Auth()).Expect(201)
		backfilled := s.Do(post, path2, map[string]any{"direction": "staff", "author_kind": "staff", "text": "Ответ", "sent_at": at(9, 20),
			"author_email": f.People["curator"].Email}, admin.Auth()).Expect(201).Map()
		if backfilled["sent_at"] != mon(9, 20).UTC().Format(time.RFC3339) || backfilled["author_user_id"] != f.People["curator"].UserID {
			t.Errorf("backfill %v", backfilled)
		}
		var audit struct {
			Items []struct {
				Actor   struct{ Type, ID string }
				Changes map[string]struct{ After any }
			}
		}
		s.Do(get, f.Path("/audit?entity_type=sla_message&entity_id="+backfilled["id"].(string)), nil, admin.Auth()).Expect(200).Decode(&audit)
		if len(audit.Items) != 1 || audit.Items[0].Actor.ID != admin.UserID || audit.Items[0].Changes["backfill"].After != true ||
			audit.Items[0].Changes["author_email"].After != f.People["curator"].Email {
			t.Errorf("backfill audit %+v", audit.Items)
		}
		audit.Items = nil
		s.Do(get, f.Path("/audit?entity_type=sla_message&entity_id="+reply["id"].(string)), nil, admin.Auth()).Expect(200).Decode(&audit)
		if len(audit.Items) != 1 || audit.Items[0].Changes["backfill"].After != nil {
			t.Errorf("an integration's message is no backfill: %+v", audit.Items)
		}
	})
}

// TestTimesOutOfRange: a fact lies in [2000-01-01, now + 5 min]; a due
// time past 2100 is refused, never stored.
func TestTimesOutOfRange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 2)
		now := mon(13, 0)
		f.at(s, now)
		key := f.People["integration"].Auth()
		conv := f.conversation(s, 0)
		path := f.Path("/conversations/" + conv + "/messages")
		msg := func(at time.Time) map[string]any {
			return map[string]any{"direction": "student", "author_kind": "student", "text": "Вопрос", "sent_at": at.Format(time.RFC3339)}
		}
		for _, bad := range []time.Time{time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), now.Add(5*time.Minute + time.Second),
			time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 30, 0, 0, time.UTC)} {
			s.Do(post, path, msg(bad), key).ExpectProblem(422, "body.sent_at")
		}
		event := func(ext string, at time.Time) error {
			data, _ := json.Marshal(map[string]any{"external_id": ext, "conversation_external_id": "tg-1", "channel": "telegram",
				"student_external_id": "st-1", "direction": "student", "author_kind": "student", "text": "Вопрос", "sent_at": at.Format(time.RFC3339)})
			return events.Apply(s.Ctx(), s.DB, s.Services.SLA.EventHandlers(), events.Inbound{OrgID: f.Org.ID, EventID: ext,
				Type: sla.EventMessageCreated, OccurredAt: now, Data: data})
		}
		var v *errs.ValidationError
		if err := event("ev-1", time.Date(9999, 12, 31, 23, 30, 0, 0, time.UTC)); !errors.As(err, &v) || v.Fields[0].Location != "data.sent_at" {
			t.Errorf("event in 9999: %v", err)
		}
		if err := event("ev-2", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.As(err, &v) || v.Fields[0].Location != "data.sent_at" {
			t.Errorf("event in 1990: %v", err)
		}
		if n := s.Count("sla_messages", "org_id = ?", f.Org.ID); n != 0 {
			t.Fatalf("%d messages stored", n)
		}
		s.Do(post, path, msg(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)), key).Expect(201)
		s.Do(post, f.Path("/conversations/"+f.conversation(s, 1)+"/messages"), msg(now.Add(5*time.Minute)), key).Expect(201)

		// A calendar open one minute a week cannot meet a 30-day target
		// before 2100: the message is refused, no clock is stored.
		rare, err := s.Services.School.CreateCalendar(s.Ctx(), f.Org.ID, school.CalendarInput{Name: "Почти никогда",
			Spec: bizcal.Spec{TimeZone: "Europe/Moscow", Weekly: bizcal.Weekly{Monday: []bizcal.Interval{{Start: "09:00", End: "09:01"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		f.at(s, now)
		s.Do(post, f.Path("/sla/policies"), map[string]any{"name": "Редко", "calendar_id": rare.ID, "priority": 100,
			"first_response_minutes": 43200, "next_response_minutes": 43200}, f.People["head_of_service"].Auth()).Expect(201)
		clocks := s.Count("sla_clocks", "org_id = ?", f.Org.ID)
		conv3 := s.Do(post, f.Path("/conversations"), map[string]any{"channel": "email", "student_id": f.students[1]},
			f.People["curator"].Auth()).Expect(201).Map()["id"].(string)
		s.Do(post, f.Path("/conversations/"+conv3+"/messages"), msg(now), f.People["integration"].Auth()).ExpectProblem(422, "body.sent_at")
		if err := event("ev-3", now); !errors.As(err, &v) || v.Fields[0].Location != "data.sent_at" {
			t.Errorf("event with an overflowing due time: %v", err)
		}
		if n := s.Count("sla_clocks", "org_id = ?", f.Org.ID); n != clocks {
			t.Errorf("%d clocks, want %d: an out-of-range due time was stored", n, clocks)
		}
	})
}
