package homework_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
)

func TestClaimsAndReviews(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 0, "")
		cur := f.sc.People["curator"]
		mate := s.NewMember(f.sc.Org.ID, "mate@alpha.test", "curator")
		for i := 0; i < 3; i++ {
			f.addStudent(t, cur.UserID)
		}
		f.addStudent(t, mate.UserID)
		now := s.Clock.Now()
		own := f.submit(submission("own-1", 0, 0, now))
		path := func(id, rest string) string { return f.sc.Path("/homework-submissions/" + id + rest) }
		ownID := own["id"].(string)

		t.Run("a review needs the claim, the holder and the current version", func(t *testing.T) {
			s := s.WithT(t)
			read := s.Do(get, path(ownID, ""), nil, f.as("curator")).Expect(200)
			review := map[string]any{"verdict": "accepted", "scores": fullScores(), "feedback": "**Great** work"}
			expectRefusals(t, s, []refusal{
				{name: "unclaimed", method: post, path: path(ownID, "/review"), body: review, opts: opts(f.as("curator"), etag(read)),
					status: http.StatusConflict, detail: "queued"},
			})
			claimed := s.Do(post, f.sc.Path("/homework/claim-next"), nil, f.as("curator")).Expect(200)
			if claimed.Map()["id"] != ownID || claimed.Map()["status"] != "in_review" || claimed.Map()["claimed_by"] != cur.UserID {
				t.Fatalf("claim-next gave %s", claimed.Body)
			}
			verdict := func(verdict string, scores map[string]int) map[string]any {
				return map[string]any{"verdict": verdict, "scores": scores, "feedback": ""}
			}
			// The mate cannot see the curator's own queue; a senior curator
			// can, but only the holder reviews.
			expectRefusals(t, s, []refusal{
				{name: "review by a curator of another queue", method: post, path: path(ownID, "/review"), body: review, opts: opts(mate.Auth(), etag(claimed)),
					status: http.StatusForbidden},
				{name: "review by a senior curator", method: post, path: path(ownID, "/review"), body: review, opts: opts(f.as("senior_curator"), etag(claimed)),
					status: http.StatusForbidden},
				{name: "release by a senior curator", method: post, path: path(ownID, "/release"), opts: opts(f.as("senior_curator")),
					status: http.StatusForbidden},
				{name: "draft by a senior curator", method: put, path: path(ownID, "/draft"), body: map[string]any{"feedback": "x"}, opts: opts(f.as("senior_curator")),
					status: http.StatusForbidden},
				{name: "review at the version before the claim", method: post, path: path(ownID, "/review"), body: review, opts: opts(f.as("curator"), etag(read)),
					status: http.StatusPreconditionFailed},
				{name: "review without If-Match", method: post, path: path(ownID, "/review"), body: review, opts: opts(f.as("curator")),
					status: http.StatusPreconditionRequired},
				{name: "a score of no criterion", method: post, path: path(ownID, "/review"), body: verdict("accepted", map[string]int{"task": 5, "depth": 4, "bogus": 1}),
					opts: opts(f.as("curator"), etag(claimed)), status: 422, where: []string{"body.scores.bogus"}},
				{name: "a score above the criterion's points", method: post, path: path(ownID, "/review"), body: verdict("accepted", map[string]int{"task": 6, "depth": 4}),
					opts: opts(f.as("curator"), etag(claimed)), status: 422, where: []string{"body.scores.task"}},
				{name: "a required criterion unscored", method: post, path: path(ownID, "/review"), body: verdict("accepted", map[string]int{"task": 5}),
					opts: opts(f.as("curator"), etag(claimed)), status: 422, where: []string{"body.scores.depth"}},
				{name: "no such verdict", method: post, path: path(ownID, "/review"), body: verdict("maybe", fullScores()),
					opts: opts(f.as("curator"), etag(claimed)), status: 422, where: []string{"body.verdict"}},
			})
			if n := s.Count("homework_reviews", ""); n != 0 {
				t.Fatalf("refused reviews wrote %d rows", n)
			}
			if n := s.Count("outbox_events", "type = ?", "review.completed"); n != 0 {
				t.Fatalf("refused reviews published %d events", n)
			}
			if after := s.Do(get, path(ownID, ""), nil, f.as("curator")).Expect(200); after.Header.Get("ETag") != claimed.Header.Get("ETag") ||
				after.Map()["status"] != "in_review" || after.Map()["verdict"] != nil {
				t.Fatalf("refused reviews changed the submission: %s", after.Body)
			}

			// Autosave keeps the ETag valid and is shown to the holder only.
			draft := s.Do(put, path(ownID, "/draft"), map[string]any{"verdict": "accepted", "scores": map[string]int{"task": 5}, "feedback": "Draft"}, f.as("curator")).Expect(200)
			if draft.Header.Get("ETag") != claimed.Header.Get("ETag") || draft.Map()["draft"] == nil {
				t.Errorf("draft changed the version or was not returned: %s", draft.Body)
			}
			expectRefusals(t, s, []refusal{
				{name: "a draft scoring no criterion", method: put, path: path(ownID, "/draft"), body: map[string]any{"scores": map[string]int{"nope": 1}, "feedback": ""},
					opts: opts(f.as("curator")), status: 422, where: []string{"body.scores.nope"}},
			})
			if seen := s.Do(get, path(ownID, ""), nil, f.as("senior_curator")).Expect(200).Map(); seen["draft"] != nil {
				t.Error("someone else sees the holder's draft")
			}

			done := s.Do(post, path(ownID, "/review"), review, f.as("curator"), etag(claimed)).Expect(200).Map()
			sub, rev := done["submission"].(map[string]any), done["review"].(map[string]any)
			if sub["status"] != "accepted" || sub["score"] != float64(11) || sub["max_score"] != float64(13) || sub["claimed_by"] != nil {
				t.Errorf("reviewed submission %v", sub)
			}
			if rev["verdict"] != "accepted" || rev["feedback"] != "**Great** work" || rev["within_sla"] != true || rev["reviewer_id"] != cur.UserID {
				t.Errorf("review %v", rev)
			}
			if n := s.Count("outbox_events", "type = ? AND org_id = ?", "review.completed", f.sc.Org.ID); n != 1 {
				t.Errorf("%d review.completed events, want 1", n)
			}
			var reviews struct{ Items []map[string]any }
			s.Do(get, path(ownID, "/reviews"), nil, f.as("curator")).Expect(200).Decode(&reviews)
			if len(reviews.Items) != 1 {
				t.Errorf("%d reviews", len(reviews.Items))
			}
			// Reviewed is final: claiming it again is a conflict naming the state.
			expectRefusals(t, s, []refusal{
				{name: "claim of a reviewed item", method: post, path: path(ownID, "/claim"), opts: opts(f.as("curator")),
					status: http.StatusConflict, detail: "accepted"},
			})
		})

		t.Run("leases: one holder, renew, release, expiry", func(t *testing.T) {
			s := s.WithT(t)
			// The mate's student's submission lands in the mate's queue;
			// moved to the pool it is open to both curators of the cohort.
			item := f.submit(submission("pool-1", 3, 0, s.Clock.Now()))
			id := item["id"].(string)
			read := s.Do(get, path(id, ""), nil, f.as("head_of_service")).Expect(200)
			expectRefusals(t, s, []refusal{
				{name: "reassignment by a curator", method: post, path: path(id, "/reassign"), body: map[string]any{"curator_id": nil},
					opts: opts(f.as("curator"), etag(read)), status: http.StatusForbidden},
				{name: "reassignment to someone who is not a curator", method: post, path: path(id, "/reassign"), body: map[string]any{"curator_id": f.sc.People["hr"].UserID},
					opts: opts(f.as("head_of_service"), etag(read)), status: 422, where: []string{"body.curator_id"}},
			})
			moved := s.Do(post, path(id, "/reassign"), map[string]any{"curator_id": nil}, f.as("head_of_service"), etag(read)).Expect(200)
			if moved.Map()["queue_curator_id"] != nil {
				t.Fatalf("reassigned to %v", moved.Map()["queue_curator_id"])
			}
			if n := s.Count("audit_entries", "entity_id = ? AND action = ?", id, "reassign-homework-submission"); n != 1 {
				t.Errorf("%d audit entries for the reassignment", n)
			}
			s.Do(post, path(id, "/claim"), nil, mate.Auth()).Expect(200)
			// The mate holds it: the other curator neither takes nor touches it.
			expectRefusals(t, s, []refusal{
				{name: "claim of a held item", method: post, path: path(id, "/claim"), opts: opts(f.as("curator")),
					status: http.StatusConflict, detail: "in_review"},
				{name: "release by another curator", method: post, path: path(id, "/release"), opts: opts(f.as("curator")), status: http.StatusForbidden},
				{name: "renewal by another curator", method: post, path: path(id, "/renew"), opts: opts(f.as("curator")), status: http.StatusForbidden},
			})
			s.Do(post, f.sc.Path("/homework/claim-next"), nil, f.as("curator")).Expect(http.StatusNoContent)
			s.Clock.Advance(20 * time.Minute)
			renewed := s.Do(post, path(id, "/renew"), nil, mate.Auth()).Expect(200).Map()
			if exp, _ := time.Parse(time.RFC3339, renewed["lease_expires_at"].(string)); !exp.Equal(s.Clock.Now().Add(30 * time.Minute)) {
				t.Errorf("renewed lease ends %v", exp)
			}
			s.Clock.Advance(31 * time.Minute)
			// The lease expired: the item is back in the queue for anyone.
			if st := s.Do(get, path(id, ""), nil, f.as("curator")).Expect(200).Map(); st["status"] != "queued" || st["claimed_by"] != nil {
				t.Errorf("after expiry %v", st)
			}
			expectRefusals(t, s, []refusal{
				{name: "renewal of an expired lease", method: post, path: path(id, "/renew"), opts: opts(mate.Auth()), status: http.StatusConflict},
			})
			taken := s.Do(post, f.sc.Path("/homework/claim-next"), nil, f.as("curator")).Expect(200).Map()
			if taken["id"] != id || taken["claimed_by"] != cur.UserID {
				t.Fatalf("claim-next after expiry gave %v", taken)
			}
			released := s.Do(post, path(id, "/release"), nil, f.as("curator")).Expect(200).Map()
			if released["status"] != "queued" {
				t.Errorf("released %v", released)
			}
			expectRefusals(t, s, []refusal{
				{name: "release of a released item", method: post, path: path(id, "/release"), opts: opts(f.as("curator")), status: http.StatusConflict},
			})
		})

		t.Run("overdue items escalate", func(t *testing.T) {
			s := s.WithT(t)
			f.submit(submission("late-1", 1, 1, s.Clock.Now().Add(-10*24*time.Hour)))
			f.submit(submission("late-2", 2, 1, s.Clock.Now().Add(-9*24*time.Hour)))
			var page struct{ Items []map[string]any }
			s.Do(get, f.sc.Path("/homework-submissions?view=overdue"), nil, f.as("senior_curator")).Expect(200).Decode(&page)
			if len(page.Items) == 0 || page.Items[0]["escalated"] != true {
				t.Fatalf("overdue view %v", page.Items)
			}
			n, err := s.Services.Homework.RunOnce(context.Background(), s.Clock.Now())
			if err != nil || n != len(page.Items) {
				t.Errorf("published %d overdue events (%v), want %d", n, err, len(page.Items))
			}
			if n, _ := s.Services.Homework.RunOnce(context.Background(), s.Clock.Now()); n != 0 {
				t.Errorf("second pass published %d", n)
			}
			if got := s.Count("outbox_events", "type = ?", "homework.overdue"); got != len(page.Items) {
				t.Errorf("%d homework.overdue events", got)
			}
			// A senior curator without students of their own takes escalated items.
			s.Do(post, f.sc.Path("/homework/claim-next"), nil, f.as("senior_curator")).Expect(200)
		})
	})
}

// TestConcurrentClaimNext proves the claim is exclusive: 50 curators of
// one cohort take 1,000 pooled items at once, and every item is claimed
// exactly once.
func TestConcurrentClaimNext(t *testing.T) {
	const items, workers = 1000, 50
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 0, "")
		ctx, org := s.Ctx(), f.sc.Org.ID
		curators := make([]homework.Reviewer, workers)
		for i := range curators {
			u, _, err := s.Services.Identity.EnsureUser(ctx, identity.UserSpec{Email: fmt.Sprintf("c%02d@alpha.test", i), Name: "Curator", Password: apptest.Password})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Services.Identity.EnsureMember(ctx, org, u.ID, []string{"curator"}); err != nil {
				t.Fatal(err)
			}
			curators[i] = homework.Reviewer{UserID: u.ID}
			f.addStudent(t, u.ID) // makes the cohort theirs
		}
		first := len(f.students)
		for i := 0; i < items/5; i++ {
			f.addStudent(t, "") // no curator: their work goes to the pool
		}
		for i := 0; i < items; i++ {
			_, err := s.Services.Homework.Submit(ctx, org, homework.NewSubmission{ExternalID: fmt.Sprintf("c-%d", i),
				StudentID: f.students[first+i/5].ID, AssignmentID: f.assignments[i%5].ID, SubmittedAt: s.Clock.Now().Add(-time.Duration(i) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
		}
		var (
			mu     sync.Mutex
			claims = map[string][]string{}
			wg     sync.WaitGroup
			errs   = make(chan error, workers)
		)
		for _, who := range curators {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					sub, err := s.Services.Homework.ClaimNext(context.Background(), org, who)
					if err != nil {
						errs <- err
						return
					}
					if sub == nil {
						return
					}
					mu.Lock()
					claims[sub.ID] = append(claims[sub.ID], who.UserID)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(claims) != items {
			t.Errorf("%d items claimed, want %d", len(claims), items)
		}
		for id, by := range claims {
			if len(by) != 1 {
				t.Errorf("item %s claimed %d times: %v", id, len(by), by)
			}
		}
		if n := s.Count("homework_submissions", "org_id = ? AND status = ? AND claimed_by IS NOT NULL", org, "in_review"); n != items {
			t.Errorf("%d items held in the database, want %d", n, items)
		}
	})
}
