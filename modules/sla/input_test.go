package sla_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/sla"
)

// One table, two entry points: each bad message is refused by the API and
// by the message.created event alike, naming the same field, and nothing
// is stored.
func TestMessageInputRulesAreTheSameOnTheAPIAndTheEvent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		f.at(s, mon(12, 0))
		conv := f.conversation(s, 0)
		seq := 0
		apply := func(data map[string]any) error {
			seq++
			raw, _ := json.Marshal(data)
			return events.Apply(s.Ctx(), s.DB, s.Services.SLA.EventHandlers(), events.Inbound{OrgID: f.Org.ID, EventID: fmt.Sprintf("ev-%d", seq),
				Type: sla.EventMessageCreated, OccurredAt: apptest.Start, Data: raw})
		}
		cases := []struct {
			name, field string
			edit        func(m map[string]any)
		}{
			{"NUL in the text", "text", func(m map[string]any) { m["text"] = "a\x00b" }},
			{"bell in the text", "text", func(m map[string]any) { m["text"] = "ding\a" }},
			{"NUL in the external id", "external_id", func(m map[string]any) { m["external_id"] = "m\x00" }},
			{"tab in the external id", "external_id", func(m map[string]any) { m["external_id"] = "m\t1" }},
			{"line break in the external id", "external_id", func(m map[string]any) { m["external_id"] = "m\n1" }},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := s.WithT(t)
				body := map[string]any{"external_id": fmt.Sprintf("m-%d", i), "direction": "student", "author_kind": "student",
					"kind": "text", "text": "Вопрос", "sent_at": mon(11, 0).Format(time.RFC3339)}
				c.edit(body)
				s.Do(post, f.Path("/conversations/"+conv+"/messages"), body, f.People["integration"].Auth()).ExpectProblem(422, "body."+c.field)
				body["conversation_external_id"], body["channel"], body["student_external_id"] = "tg-1", "telegram", "st-1"
				var ve *errs.ValidationError
				if err := apply(body); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Location != "data."+c.field {
					t.Fatalf("the event: %v, want one error at data.%s", err, c.field)
				}
			})
		}
		// The ids an event names are checked before they are looked up.
		for _, field := range []string{"conversation_external_id", "student_external_id", "cohort_external_id"} {
			m := map[string]any{"external_id": "m-ids", "conversation_external_id": "tg-1", "channel": "telegram", "student_external_id": "st-1",
				"cohort_external_id": "co-1", "direction": "student", "author_kind": "student", "text": "?", "sent_at": mon(11, 0).Format(time.RFC3339)}
			m[field] = "x\x00y"
			var ve *errs.ValidationError
			if err := apply(m); !errors.As(err, &ve) || ve.Fields[0].Location != "data."+field {
				t.Errorf("%s with NUL: %v", field, err)
			}
		}
		long := map[string]any{"external_id": "m-long", "conversation_external_id": "tg-1", "channel": "telegram", "student_external_id": "st-1",
			"direction": "student", "author_kind": "student", "text": strings.Repeat("я", 20001), "sent_at": mon(11, 0).Format(time.RFC3339)}
		var ve *errs.ValidationError
		if err := apply(long); !errors.As(err, &ve) || ve.Fields[0].Location != "data.text" {
			t.Errorf("a text of 20001 letters: %v", err)
		}
		if n := s.Count("sla_messages", "org_id = ?", f.Org.ID); n != 0 {
			t.Fatalf("%d refused messages were stored", n)
		}
		// Tabs and line breaks belong in a message.
		f.send(s, conv, student("Строка\n\tвторая", mon(11, 0)))
	})
}

func TestSLANamesAndFiltersRefuseControlCharacters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		head := f.People["head_of_service"].Auth()
		policy := func(name string, tariff any) map[string]any {
			body := map[string]any{"name": name, "always_open": true, "first_response_minutes": 60, "next_response_minutes": 60}
			if tariff != nil {
				body["tariff"] = tariff
			}
			return body
		}
		s.Do(post, f.Path("/sla/policies"), policy("a\x00b", nil), head).ExpectProblem(422, "body.name")
		s.Do(post, f.Path("/sla/policies"), policy("Две\nстроки", nil), head).ExpectProblem(422, "body.name")
		s.Do(post, f.Path("/sla/policies"), policy("С\tтабом", nil), head).ExpectProblem(422, "body.name")
		s.Do(post, f.Path("/sla/policies"), policy("Тариф", "Стандарт\n"), head).ExpectProblem(422, "body.tariff")
		if n := s.Count("sla_policies", "org_id = ?", f.Org.ID); n != 0 {
			t.Fatalf("%d refused policies were stored", n)
		}
		s.Do(post, f.Path("/sla/policies"), policy("Стандарт 24/7", "Стандарт"), head).Expect(201)

		cur := f.People["curator"].Auth()
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "telegram", "student_id": f.students[0], "external_id": "tg\x00"}, cur).
			ExpectProblem(422, "body.external_id")
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "telegram", "student_id": f.students[0], "external_id": "tg\t1"}, cur).
			ExpectProblem(422, "body.external_id")

		for _, q := range []struct{ path, field string }{
			{"/conversations?channel=telegram%00", "query.channel"},
			{"/conversations?student_id=%00", "query.student_id"},
			{"/sla/clocks?view=open%00", "query.view"},
			{"/sla/clocks?curator_id=a%00b", "query.curator_id"},
			{"/sla/report?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&group_by=curator%00", "query.group_by"},
			{"/sla/report?from=2026-01-01T00:00:00Z%00&to=2026-02-01T00:00:00Z", "query.from"},
			{"/sla/report/export?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&group_by=%00", "query.group_by"},
		} {
			s.Do(get, f.Path(q.path), nil, head).ExpectProblem(422, q.field)
		}
	})
}
