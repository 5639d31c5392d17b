package sla_test

import (
	"slices"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

// mon is a working Monday morning in Moscow.
func mon(hour, minute int) time.Time { return time.Date(2026, 3, 16, hour, minute, 0, 0, msk) }

func TestClockSemantics(t *testing.T) {
	cases := []struct {
		name      string
		messages  []message
		effects   []string
		clocks    int    // clocks the conversation started
		status    string // of the last clock
		messages0 int    // student messages in the first clock
	}{
		{"a burst of three messages makes one clock",
			[]message{student("Здравствуйте!", mon(10, 0)), student("У меня вопрос по заданию", mon(10, 1)), student("Где найти шаблон?", mon(10, 3))},
			[]string{"started", "joined", "joined"}, 1, "open", 3},
		{"a bot reply does not stop the clock",
			[]message{student("Где запись вебинара?", mon(10, 0)), bot("Ваше сообщение получено, куратор ответит в рабочее время", mon(10, 0))},
			[]string{"started", "none"}, 1, "open", 1},
		{"a human reply stops it",
			[]message{student("Где запись вебинара?", mon(10, 0)), staff("Вот ссылка", mon(10, 40))},
			[]string{"started", "stopped"}, 1, "answered", 1},
		{"thanks after a reply starts none",
			[]message{student("Где запись вебинара?", mon(10, 0)), staff("Вот ссылка", mon(10, 40)), student("Спасибо!", mon(10, 41)),
				student("  ок ", mon(10, 42)), student("👍", mon(10, 43))},
			[]string{"started", "stopped", "no_reply_needed", "no_reply_needed", "no_reply_needed"}, 1, "answered", 1},
		{"stickers and reactions start none",
			[]message{{"student", "student", "sticker", "", mon(10, 0)}, {"student", "student", "reaction", "❤️", mon(10, 1)}},
			[]string{"no_reply_needed", "no_reply_needed"}, 0, "", 0},
		{"a staff reaction does not stop the clock",
			[]message{student("Проверьте, пожалуйста, работу", mon(10, 0)), {"staff", "staff", "reaction", "👍", mon(10, 5)}},
			[]string{"started", "none"}, 1, "open", 1},
		{"a question after a reply starts the next response",
			[]message{student("Вопрос", mon(10, 0)), staff("Ответ", mon(10, 10)), student("А ещё вопрос", mon(11, 0))},
			[]string{"started", "stopped", "started"}, 2, "open", 1},
		{"a staff reply with nothing waiting changes nothing",
			[]message{staff("Напоминаем про дедлайн", mon(10, 0))},
			[]string{"none"}, 0, "", 0},
		{"thanks and acknowledgements in any order start none",
			[]message{student("Понятно, спасибо", mon(10, 0)), student("ок, спасибо большое!", mon(10, 1)), student("Спасибо 🙏", mon(10, 2)),
				student("thanks, got it", mon(10, 3)), student("👍👍", mon(10, 4)), student("ок)", mon(10, 5))},
			[]string{"no_reply_needed", "no_reply_needed", "no_reply_needed", "no_reply_needed", "no_reply_needed", "no_reply_needed"}, 0, "", 0},
		{"thanks with anything more starts one",
			[]message{student("спасибо, а где запись?", mon(10, 0)), student("понятно, а дальше что?", mon(10, 1))},
			[]string{"started", "joined"}, 1, "open", 2},
	}
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", len(cases))
		f.at(s, mon(12, 0))
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := s.WithT(t)
				conv := f.conversation(s, i)
				var clockIDs []string
				for j, m := range tc.messages {
					out := f.send(s, conv, m)
					if out["effect"] != tc.effects[j] {
						t.Fatalf("message %d: effect %v, want %s", j, out["effect"], tc.effects[j])
					}
					if id, ok := out["clock_id"].(string); ok && (len(clockIDs) == 0 || clockIDs[len(clockIDs)-1] != id) {
						clockIDs = append(clockIDs, id)
					}
				}
				var got map[string]any = s.Do(get, f.Path("/conversations/"+conv), nil, f.People["curator"].Auth()).Expect(200).Map()
				if int(got["clocks"].(float64)) != tc.clocks {
					t.Fatalf("conversation started %v clocks, want %d", got["clocks"], tc.clocks)
				}
				if tc.clocks == 0 {
					return
				}
				first := f.clock(s, clockIDs[0])
				if first.Kind != "first" || first.Messages != tc.messages0 || !first.StartedAt.Equal(tc.messages[0].at) {
					t.Errorf("first clock %+v", first)
				}
				last := f.clock(s, clockIDs[len(clockIDs)-1])
				if last.Status != tc.status {
					t.Errorf("last clock is %s, want %s", last.Status, tc.status)
				}
				if tc.clocks > 1 && last.Kind != "next" {
					t.Errorf("a later clock is %s, want next", last.Kind)
				}
				if last.CuratorID != f.People["curator"].UserID {
					t.Errorf("responsible curator %q, want the enrollment's", last.CuratorID)
				}
			})
		}
		t.Run("an answered clock has its business duration", func(t *testing.T) {
			s := s.WithT(t)
			var page struct{ Items []map[string]any }
			s.Do(get, f.Path("/conversations?limit=200"), nil, f.People["curator"].Auth()).Expect(200).Decode(&page)
			conv := page.Items[2]["id"].(string)
			var msgs struct{ Items []map[string]any }
			s.Do(get, f.Path("/conversations/"+conv+"/messages"), nil, f.People["curator"].Auth()).Expect(200).Decode(&msgs)
			c := f.clock(s, msgs.Items[1]["clock_id"].(string))
			if c.BusinessSeconds == nil || *c.BusinessSeconds != 40*60 || c.Breached || c.StoppedAt == nil {
				t.Fatalf("answered clock %+v", c)
			}
		})
	})
}

func TestSaturdayEveningIsDueMonday(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		conv := f.conversation(s, 0)
		sat := time.Date(2026, 3, 14, 19, 0, 0, 0, msk)
		f.at(s, sat)
		out := f.send(s, conv, student("Добрый вечер, не открывается урок", sat))
		c := f.clock(s, out["clock_id"].(string))
		if want := time.Date(2026, 3, 16, 11, 0, 0, 0, msk); !c.DueAt.Equal(want) {
			t.Errorf("due %v, want %v", c.DueAt.In(msk), want)
		}
		// The default warns at 90 of the 120 minutes.
		if want := time.Date(2026, 3, 16, 10, 30, 0, 0, msk); !c.WarnAt.Equal(want) {
			t.Errorf("warning at %v, want %v", c.WarnAt.In(msk), want)
		}
		if c.TargetSeconds != 7200 || c.PolicyID != "" {
			t.Errorf("default policy: %+v", c)
		}
		var ex struct {
			TargetSeconds int64 `json:"target_seconds"`
			Segments      []struct {
				Start   time.Time `json:"start"`
				End     time.Time `json:"end"`
				Seconds int64     `json:"seconds"`
			}
		}
		s.Do(get, f.Path("/sla/clocks/"+c.ID+"/explain"), nil, f.People["curator"].Auth()).Expect(200).Decode(&ex)
		if len(ex.Segments) != 1 || ex.Segments[0].Seconds != 7200 || !ex.Segments[0].Start.Equal(time.Date(2026, 3, 16, 9, 0, 0, 0, msk)) {
			t.Errorf("explanation %+v", ex)
		}
		other := s.NewSchool("beta")
		s.Do(get, other.Path("/sla/clocks/"+c.ID+"/explain"), nil, other.People["curator"].Auth()).ExpectProblem(404)
		s.Do(get, f.Path("/sla/clocks/"+c.ID+"/explain"), nil, f.People["hr"].Auth()).ExpectProblem(403)
		s.Do(get, f.Path("/sla/clocks/"+c.ID+"/explain"), nil).ExpectProblem(401)
	})
}

func TestMessageInput(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 1)
		f.at(s, mon(12, 0))
		beta := s.NewSchool("beta")
		conv := f.conversation(s, 0)
		path := f.Path("/conversations/" + conv + "/messages")
		at := mon(10, 0).Format(time.RFC3339)
		key := f.People["integration"].Auth()
		s.Do(post, path, map[string]any{"direction": "student", "author_kind": "staff", "text": "x", "sent_at": at}, key).ExpectProblem(422, "body.author_kind")
		s.Do(post, path, map[string]any{"direction": "sideways", "author_kind": "student", "text": "x", "sent_at": at}, key).ExpectProblem(422, "body.direction")
		s.Do(post, path, map[string]any{"direction": "student", "author_kind": "student", "text": "x", "sent_at": at, "external_id": "m-1"}, key).Expect(201)
		s.Do(post, path, map[string]any{"direction": "student", "author_kind": "student", "text": "x", "sent_at": at, "external_id": "m-1"}, key).ExpectProblem(409)
		s.Do(post, path, map[string]any{"direction": "student", "author_kind": "student", "text": "x", "sent_at": at}, f.People["hr"].Auth()).ExpectProblem(403)
		s.Do(post, beta.Path("/conversations/"+conv+"/messages"), map[string]any{"direction": "student", "author_kind": "student", "text": "x", "sent_at": at},
			beta.People["integration"].Auth()).ExpectProblem(404)
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "telegram", "student_id": beta.Org.ID}, key).ExpectProblem(422, "body.student_id")
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "email", "student_id": f.students[0], "cohort_id": beta.Org.ID}, key).ExpectProblem(422, "body.cohort_id")
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "email", "student_id": f.students[0], "cohort_id": f.cohortID}, key).Expect(201)
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "pigeon", "student_id": f.students[0]}, key).ExpectProblem(422, "body.channel")
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "email", "student_id": f.students[0], "external_id": "t-1"}, key).Expect(201)
		s.Do(post, f.Path("/conversations"), map[string]any{"channel": "email", "student_id": f.students[0], "external_id": "t-1"}, key).ExpectProblem(409)
		if n := s.Count("sla_messages", "org_id = ?", f.Org.ID); n != 1 {
			t.Errorf("%d messages stored, want 1", n)
		}
	})
}

// TestLiveViewBoundaries puts a clock on each side of every boundary of
// the live views: at_risk is open, not yet due and due within the window;
// breached is due (at or before now) and open; no clock is in both.
func TestLiveViewBoundaries(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(s, "alpha", 5)
		now := mon(12, 0)
		f.at(s, now)
		f.alwaysOpenPolicy(s, 30)
		sent := map[string]time.Time{ // due 30 minutes after sent
			"due a second ago":              now.Add(-30*time.Minute - time.Second),
			"due now":                       now.Add(-30 * time.Minute),
			"due in a second":               now.Add(-30*time.Minute + time.Second),
			"due at the end of the window":  now,
			"due a second after the window": now.Add(time.Second),
		}
		clockOf := map[string]string{}
		i := 0
		for name, at := range sent {
			clockOf[f.send(s, f.conversation(s, i), student("Где запись?", at))["clock_id"].(string)] = name
			i++
		}
		view := func(path string) []string {
			var names []string
			for _, c := range f.clocks(s, path, f.People["curator"]) {
				names = append(names, clockOf[c.ID])
			}
			return names
		}
		for path, want := range map[string][]string{
			"/sla/clocks?view=open": {"due a second ago", "due now", "due in a second", "due at the end of the window",
				"due a second after the window"},
			"/sla/clocks?view=at_risk&within_minutes=30":    {"due in a second", "due at the end of the window"},
			"/sla/clocks?view=breached":                     {"due a second ago", "due now"},
			"/sla/my-clocks?view=at_risk&within_minutes=30": {"due in a second", "due at the end of the window"},
			"/sla/my-clocks?view=breached":                  {"due a second ago", "due now"},
		} {
			if got := view(path); !slices.Equal(got, want) {
				t.Errorf("%s: %q, want %q", path, got, want)
			}
		}
	})
}
