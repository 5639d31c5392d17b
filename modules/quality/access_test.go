package quality_test

import (
	"context"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

func TestACuratorSeesReviewsOfHerOwnConversationsOnly(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "access", 2)
		f.signIn(t, time.Date(2026, 3, 3, 10, 0, 0, 0, msk))
		other := s.NewSchool("elsewhere")
		convA, _ := f.talk(t, 0, "curator", at(10, 0), at(10, 10))
		convB, _ := f.talk(t, 1, "curator2", at(11, 0), at(11, 5))
		f.do("head_of_service", post, "/quality/scorecards", chatScorecard()).Expect(201)
		a := f.pick(t, "senior_curator", convA)
		b := f.pick(t, "senior_curator", convB)
		rA := f.review(t, "senior_curator", a, map[string]any{"scores": scores(v(1), v(4), v(5), nil)})
		rB := f.review(t, "senior_curator", b, map[string]any{"scores": scores(v(1), v(4), v(5), v(1))})

		f.do("curator", get, "/quality/reviews/"+rA.Review.ID, nil).Expect(200)
		f.do("curator", get, "/quality/reviews/"+rB.Review.ID, nil).ExpectProblem(404)
		f.do("curator2", post, "/quality/reviews/"+rA.Review.ID+"/response", map[string]any{"kind": "acknowledged"}).ExpectProblem(404)
		f.do("senior_curator", post, "/quality/reviews/"+rA.Review.ID+"/response", map[string]any{"kind": "acknowledged"}).ExpectProblem(403)
		var list struct {
			Items []reviewDTO `json:"items"`
		}
		f.do("curator", get, "/quality/reviews?curator_id="+f.People["curator2"].UserID, nil).Expect(200).Decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != rA.Review.ID {
			t.Fatalf("curator lists %+v, want her own review only", list.Items)
		}
		f.do("senior_curator", get, "/quality/reviews", nil).Expect(200).Decode(&list)
		if len(list.Items) != 2 {
			t.Fatalf("senior lists %d reviews, want 2", len(list.Items))
		}
		f.do("hr", get, "/quality/reviews", nil).ExpectProblem(403)
		f.do("finance", get, "/quality/scores?month=2026-03", nil).ExpectProblem(403)
		f.do("curator", post, "/quality/assignments", map[string]any{"conversation_id": convB}).ExpectProblem(403)

		// Another school sees nothing of this one, by its path or by ids.
		s.Do(get, f.Path("/quality/reviews/"+rA.Review.ID), nil, other.People["head_of_service"].Auth()).ExpectProblem(404)
		s.Do(get, other.Path("/quality/reviews/"+rA.Review.ID), nil, other.People["head_of_service"].Auth()).ExpectProblem(404)
		s.Do(get, other.Path("/quality/assignments/"+a), nil, other.People["head_of_service"].Auth()).ExpectProblem(404)
		s.Do(post, other.Path("/quality/assignments"), map[string]any{"conversation_id": convA},
			other.People["senior_curator"].Auth()).ExpectProblem(422, "body.conversation_id")

		// Nobody reviews her own answers, or another reviewer's assignment.
		convS, _ := f.talk(t, 0, "senior_curator", at(15, 0), at(15, 5))
		f.do("senior_curator", post, "/quality/assignments", map[string]any{"conversation_id": convS}).ExpectProblem(409)
		c := f.pick(t, "senior2", convS)
		f.do("senior_curator", post, "/quality/assignments/"+c+"/review", map[string]any{"scores": scores(v(1), v(4), v(5), v(1))}).ExpectProblem(403)
		f.do("senior_curator", get, "/quality/assignments/"+c, nil).ExpectProblem(404)

		// Bad input names the field, and changes nothing.
		before := s.Count("quality_reviews", "")
		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"scores": scores(v(3), v(4), v(5), v(1))}, "body.scores[0].value"},
			{map[string]any{"scores": scores(v(1), v(0), v(5), v(1))}, "body.scores[1].value"},
			{map[string]any{"scores": scores(nil, v(4), v(5), v(1))}, "body.scores[0].value"},
			{map[string]any{"scores": scores(v(1), v(4), v(5))}, "body.scores"},
			{map[string]any{"scores": append(scores(v(1), v(4), v(5), v(1)), map[string]any{"key": "nope", "value": 1})}, "body.scores[4].key"},
			{map[string]any{"scores": []map[string]any{{"key": "greeting", "value": 1, "quote_message_id": "00000000-0000-7000-8000-000000000000"},
				{"key": "answered", "value": 4}, {"key": "tone", "value": 5}, {"key": "promises", "value": 1}}}, "body.scores[0].quote_message_id"},
			{map[string]any{"scores": scores(v(1), v(4), v(5), v(1)), "scorecard_id": "00000000-0000-7000-8000-000000000000"}, "body.scorecard_id"},
		} {
			f.do("senior2", post, "/quality/assignments/"+c+"/review", bad.body).ExpectProblem(422, bad.field)
		}
		if n := s.Count("quality_reviews", ""); n != before {
			t.Fatalf("refused reviews wrote rows: %d → %d", before, n)
		}
		f.do("head_of_service", post, "/quality/scorecards", map[string]any{"name": "Плохая", "criteria": []map[string]any{
			{"key": "a", "title": "A", "kind": "yes_no", "weight": 10}, {"key": "a", "title": "B", "kind": "scale", "weight": 10}}}).
			ExpectProblem(422, "body.criteria[1].key")
		f.do("head_of_service", post, "/quality/scorecards", map[string]any{"name": "Плохая", "criteria": []map[string]any{
			{"key": "a", "title": "A", "kind": "yes_no", "weight": 10, "kb_article_id": "00000000-0000-7000-8000-000000000000"}}}).
			ExpectProblem(422, "body.criteria[0].kb_article_id")
		f.do("head_of_service", post, "/quality/scorecards", chatScorecard()).ExpectProblem(409)
		f.do("head_of_service", post, "/quality/calibrations", map[string]any{"conversation_id": convA,
			"reviewer_ids": []string{f.People["curator"].UserID, f.People["senior2"].UserID}}).ExpectProblem(422, "body.reviewer_ids[0]")
		f.do("head_of_service", put, "/quality/settings", map[string]any{"reviews_per_week": 3, "newcomer_reviews_per_week": 7}).ExpectProblem(428)
	})
}

// Reviews, scores, answers and settlements are evidence: the database
// itself refuses to change or delete them.
func TestEvidenceIsAppendOnlyInTheDatabase(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "evidence", 1)
		f.signIn(t, time.Date(2026, 3, 3, 10, 0, 0, 0, msk))
		conv, _ := f.talk(t, 0, "curator", at(10, 0), at(10, 10))
		f.do("head_of_service", post, "/quality/scorecards", chatScorecard()).Expect(201)
		a := f.pick(t, "senior_curator", conv)
		r := f.review(t, "senior_curator", a, map[string]any{"scores": scores(v(1), v(4), v(5), nil)})
		f.do("curator", post, "/quality/reviews/"+r.Review.ID+"/response", map[string]any{"kind": "acknowledged"}).Expect(201)
		ctx := context.Background()
		for _, q := range []string{
			"UPDATE quality_reviews SET earned = 0",
			"DELETE FROM quality_review_scores",
			"UPDATE quality_review_scores SET value = 1",
			"UPDATE quality_responses SET kind = 'disputed'",
			"DELETE FROM quality_assignments",
			"UPDATE quality_scorecard_versions SET criteria = '[]'",
		} {
			if _, err := s.DB.ExecContext(ctx, q); err == nil {
				t.Errorf("%s: the database allowed it", q)
			}
		}
		if _, err := s.DB.ExecContext(ctx, "UPDATE quality_scorecard_versions SET status = 'active'"); err != nil {
			t.Errorf("a version's status must stay movable: %v", err)
		}
	})
}
