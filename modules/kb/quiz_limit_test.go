package kb_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

func TestQuizAttemptsAreLimitedPerPersonAndDay(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head, cur := alpha.People["head_of_service"], alpha.People["curator"]
		a := create(t, s, alpha, regulation("Возвраты", "Возврат одобряет РОПиС."))
		quiz := alpha.Path("/kb/articles/" + a.ID + "/quiz")

		for _, bad := range []int{0, 21} {
			body := withLimit(bad)
			s.Do(put, quiz, body, head.Auth(), ifMatch(1)).ExpectProblem(422, "body.max_attempts_per_day")
		}
		var key struct {
			MaxAttemptsPerDay int `json:"max_attempts_per_day"`
		}
		s.Do(put, quiz, refundQuiz, head.Auth(), ifMatch(1)).Expect(200).Decode(&key)
		if key.MaxAttemptsPerDay != 3 {
			t.Fatalf("default attempts per day: %d, want 3", key.MaxAttemptsPerDay)
		}
		a.Version = 2
		a = publish(t, s, alpha, a, "major")

		wrong := map[string]any{"answers": []map[string]any{{"question_id": "q1", "option_ids": []string{"o1"}}}}
		attempts := quiz + "/attempts"
		for i := 0; i < 3; i++ {
			res := s.Do(post, attempts, wrong, cur.Auth()).Expect(201)
			if keys := keysOf(res.Map()); keys != "answers article_id correct created_at id pass_mark_percent passed revision_id score_percent total" {
				t.Fatalf("a failed attempt tells more than its score: %s", keys)
			}
			later(s, time.Hour, []*apptest.School{alpha})
			cur = alpha.People["curator"]
		}
		// Three attempts at 0h, 1h and 2h; at 3h the first frees a place at 24h.
		blocked := s.Do(post, attempts, wrong, cur.Auth()).ExpectProblem(429)
		if got := blocked.Header.Get("Retry-After"); got != "75600" {
			t.Fatalf("Retry-After %q, want 75600 (21 hours)", got)
		}
		var mine page[attempt]
		s.Do(get, attempts, nil, cur.Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 3 {
			t.Fatalf("the refused attempt was kept: %d attempts", len(mine.Items))
		}
		// Another person has attempts of their own.
		other := s.NewMember(alpha.Org.ID, "c2@alpha.test", "curator")
		s.Do(post, attempts, wrong, other.Auth()).Expect(201)

		// After 24 hours the oldest attempt stops counting: one more place.
		later(s, 21*time.Hour, []*apptest.School{alpha}, &other)
		cur = alpha.People["curator"]
		s.Do(post, attempts, wrong, cur.Auth()).Expect(201)
		s.Do(post, attempts, wrong, cur.Auth()).ExpectProblem(429)

		// A new major revision is a new quiz to pass: its attempts count afresh.
		v2 := publish(t, s, alpha, edit(t, s, alpha, a, "Возврат одобряет РОПиС в течение дня."), "major")
		s.Do(post, attempts, wrong, cur.Auth()).Expect(201)

		// An editor may allow one attempt a day.
		s.Do(put, quiz, withLimit(1), alpha.People["head_of_service"].Auth(), ifMatch(v2.Version)).Expect(200)
		s.Do(post, attempts, wrong, other.Auth()).Expect(201)
		s.Do(post, attempts, wrong, other.Auth()).ExpectProblem(429)
		var taken struct {
			MaxAttemptsPerDay int `json:"max_attempts_per_day"`
		}
		s.Do(get, quiz, nil, other.Auth()).Expect(200).Decode(&taken)
		if taken.MaxAttemptsPerDay != 1 {
			t.Fatalf("the quiz shows %d attempts per day, want 1", taken.MaxAttemptsPerDay)
		}
	})
}

func withLimit(n int) map[string]any {
	out := map[string]any{}
	for k, v := range refundQuiz {
		out[k] = v
	}
	out["max_attempts_per_day"] = n
	return out
}

func keysOf(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}
