package kb_test

import (
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

var refundQuiz = map[string]any{
	"pass_mark_percent": 100,
	"questions": []map[string]any{
		{"text": "Кто одобряет возврат?", "kind": "single", "options": []map[string]any{
			{"text": "Куратор"}, {"text": "РОПиС", "correct": true}}},
		{"text": "Что куратор делает, услышав просьбу о возврате?", "kind": "multiple", "options": []map[string]any{
			{"text": "Выясняет причину", "correct": true}, {"text": "Обещает вернуть деньги"}, {"text": "Передаёт РОПиС", "correct": true}}},
	},
}

type attempt struct {
	ID           string
	RevisionID   string `json:"revision_id"`
	Correct      int
	Total        int
	ScorePercent int `json:"score_percent"`
	Passed       bool
}

func TestQuizGatesAcknowledgment(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head, cur := alpha.People["head_of_service"], alpha.People["curator"]
		a := create(t, s, alpha, regulation("Возвраты", "Возврат одобряет РОПиС."))
		quiz := alpha.Path("/kb/articles/" + a.ID + "/quiz")

		s.Do(get, quiz, nil, head.Auth()).ExpectProblem(404)
		s.Do(put, quiz, refundQuiz, head.Auth()).ExpectProblem(428)
		s.Do(put, quiz, refundQuiz, head.Auth(), ifMatch(9)).ExpectProblem(412)
		s.Do(put, quiz, refundQuiz, cur.Auth(), ifMatch(1)).ExpectProblem(403)
		twoRight := map[string]any{"pass_mark_percent": 50, "questions": []map[string]any{{"text": "?", "kind": "single",
			"options": []map[string]any{{"text": "a", "correct": true}, {"text": "b", "correct": true}}}}}
		s.Do(put, quiz, twoRight, head.Auth(), ifMatch(1)).ExpectProblem(422, "body.questions[0].options")
		s.Do(put, quiz, map[string]any{"pass_mark_percent": 0, "questions": []any{}}, head.Auth(), ifMatch(1)).
			ExpectProblem(422, "body.pass_mark_percent", "body.questions")
		res := s.Do(put, quiz, refundQuiz, head.Auth(), ifMatch(1)).Expect(200)
		if res.Header.Get("ETag") != `"2"` || !strings.Contains(string(res.Body), `"correct":true`) {
			t.Fatalf("set quiz: %s %s", res.Header.Get("ETag"), res.Body)
		}
		// Attempts wait for publication.
		s.Do(post, quiz+"/attempts", map[string]any{"answers": []any{}}, head.Auth()).ExpectProblem(409)
		a.Version = 2
		a = publish(t, s, alpha, a, "major")
		if !a.HasQuiz {
			t.Fatal("the article does not say it has a quiz")
		}

		// Curators never see which options are right.
		taken := s.Do(get, quiz, nil, cur.Auth()).Expect(200)
		if strings.Contains(string(taken.Body), "correct") {
			t.Fatalf("the quiz shows its answers: %s", taken.Body)
		}
		var q struct {
			Questions []struct {
				ID      string
				Options []struct{ ID, Text string }
			}
		}
		taken.Decode(&q)
		if len(q.Questions) != 2 || q.Questions[0].ID != "q1" || q.Questions[1].Options[2].ID != "o3" {
			t.Fatalf("quiz as taken: %+v", q)
		}
		s.Do(get, quiz+"/answer-key", nil, cur.Auth()).ExpectProblem(403)
		s.Do(get, quiz+"/answer-key", nil, head.Auth()).Expect(200)

		ackPath := alpha.Path("/kb/articles/" + a.ID + "/acknowledgments")
		s.Do(post, ackPath, map[string]string{"revision_id": a.CurrentRevisionID}, cur.Auth()).ExpectProblem(409)

		answer := func(q2 ...string) attempt {
			var out attempt
			s.Do(post, quiz+"/attempts", map[string]any{"answers": []map[string]any{
				{"question_id": "q1", "option_ids": []string{"o2"}},
				{"question_id": "q2", "option_ids": q2},
			}}, cur.Auth()).Expect(201).Decode(&out)
			return out
		}
		failed := answer("o1", "o2")
		if failed.Passed || failed.Correct != 1 || failed.Total != 2 || failed.ScorePercent != 50 || failed.RevisionID != a.AckRevisionID {
			t.Fatalf("failed attempt: %+v", failed)
		}
		s.Do(post, ackPath, map[string]string{"revision_id": a.CurrentRevisionID}, cur.Auth()).ExpectProblem(409)
		s.Do(post, quiz+"/attempts", map[string]any{"answers": []map[string]any{{"question_id": "q7", "option_ids": []string{"o1"}}}}, cur.Auth()).
			ExpectProblem(422, "body.answers[0].question_id")
		s.Do(post, quiz+"/attempts", map[string]any{"answers": []map[string]any{{"question_id": "q1", "option_ids": []string{"o1", "o2"}}}}, cur.Auth()).
			ExpectProblem(422, "body.answers[0].option_ids")
		passed := answer("o3", "o1")
		if !passed.Passed || passed.ScorePercent != 100 {
			t.Fatalf("passing attempt: %+v", passed)
		}
		got := acknowledge(t, s, alpha, a, cur)
		if got.QuizAttemptID != passed.ID {
			t.Fatalf("the acknowledgment names attempt %q, want %q", got.QuizAttemptID, passed.ID)
		}

		// Attempts are kept, and each person sees only their own.
		var mine page[attempt]
		s.Do(get, quiz+"/attempts", nil, cur.Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 2 || mine.Items[0].ID != passed.ID || mine.Items[1].ID != failed.ID {
			t.Fatalf("attempts: %+v", mine.Items)
		}
		s.Do(get, quiz+"/attempts", nil, head.Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 0 {
			t.Fatalf("the head sees the curator's attempts as their own: %+v", mine.Items)
		}
		if _, err := s.DB.NewDelete().TableExpr("kb_quiz_attempts").Where("id = ?", failed.ID).Exec(s.Ctx()); err == nil {
			t.Fatal("the database let an attempt be deleted")
		}

		// A major revision needs the quiz passed again.
		v2 := publish(t, s, alpha, edit(t, s, alpha, a, "Возврат одобряет РОПиС в течение дня."), "major")
		s.Do(post, ackPath, map[string]string{"revision_id": v2.CurrentRevisionID}, cur.Auth()).ExpectProblem(409)
		if again := answer("o1", "o3"); !again.Passed || again.RevisionID != v2.AckRevisionID {
			t.Fatalf("attempt on the new revision: %+v", again)
		}
		acknowledge(t, s, alpha, v2, cur)

		// Removing the quiz opens acknowledgment without one.
		var now article
		s.Do(get, alpha.Path("/kb/articles/"+a.ID), nil, head.Auth()).Expect(200).Decode(&now)
		s.Do(del, quiz, nil, head.Auth(), ifMatch(now.Version)).Expect(204)
		s.Do(del, quiz, nil, head.Auth(), ifMatch(now.Version+1)).ExpectProblem(404)
		s.Do(get, quiz, nil, cur.Auth()).ExpectProblem(404)
		other := s.NewMember(alpha.Org.ID, "c2@alpha.test", "curator")
		acknowledge(t, s, alpha, v2, other)
	})
}
