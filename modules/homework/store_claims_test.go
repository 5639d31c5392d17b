package homework_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// queueSchool is a school seeded straight into the store: the caller
// "me", another curator "mate", and the cohorts "mine" (where I curate
// students) and "theirs".
type queueSchool struct {
	db      *bun.DB
	org     string
	users   map[string]string // me, mate → user id
	cohorts map[string]string // mine, theirs → cohort id
	exts    map[string]string // submission id → external id
}

var claimNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newQueueSchool(t *testing.T, db *bun.DB, slug string) *queueSchool {
	q := &queueSchool{db: db, org: ids.New(), users: map[string]string{"me": ids.New(), "mate": ids.New()},
		cohorts: map[string]string{"mine": ids.New(), "theirs": ids.New()}, exts: map[string]string{}}
	testkit.SeedOrg(t, db, q.org, slug)
	return q
}

// queued is an item in a queue: queue names the curator (me, mate) or is
// empty for the pool; lease is "" (free), "live" or "expired", held by
// the mate.
type queued struct {
	ext    string
	queue  string
	cohort string
	due    time.Duration // from claimNow; negative is overdue
	lease  string
}

func (q *queueSchool) add(t *testing.T, it queued) *homework.Submission {
	t.Helper()
	sub := &homework.Submission{ID: ids.New(), OrgID: q.org, Source: "lms", ExternalID: it.ext, StudentID: ids.New(), AssignmentID: ids.New(),
		CourseID: ids.New(), ModuleID: ids.New(), CohortID: q.cohorts[it.cohort], EnrollmentID: ids.New(), Attempt: 1,
		Content: homework.SubmissionContent{Links: []string{}, Attachments: []homework.SubmissionAttachment{}}, Rubric: []homework.RubricCriterion{},
		SubmittedAt: claimNow.Add(-48 * time.Hour), TargetMinutes: homework.DefaultTargetMinutes, DueAt: claimNow.Add(it.due),
		Status: homework.StatusQueued, CreatedAt: claimNow, UpdatedAt: claimNow, Version: 1}
	if it.queue != "" {
		id := q.users[it.queue]
		sub.QueueCuratorID = &id
	}
	if it.lease != "" {
		until := claimNow.Add(10 * time.Minute)
		if it.lease == "expired" {
			until = claimNow.Add(-time.Minute)
		}
		mate := q.users["mate"]
		sub.Status, sub.ClaimedBy, sub.ClaimedAt, sub.LeaseExpiresAt = homework.StatusInReview, &mate, &claimNow, &until
		sub.Draft = &homework.ReviewDraft{Feedback: "the mate's notes"}
	}
	if err := (homework.Store{}).InsertSubmission(context.Background(), q.db, sub); err != nil {
		t.Fatal(err)
	}
	q.exts[sub.ID] = it.ext
	return sub
}

// TestStoreClaimNext runs the claim statement on the database: which item
// each claim takes, in turn, until nothing is left for the caller.
func TestStoreClaimNext(t *testing.T) {
	cases := []struct {
		name    string
		seesAll bool
		items   []queued
		want    []string
	}{
		{name: "own queue, then the pools of my cohorts, most urgent first in each",
			items: []queued{
				{ext: "own-later", queue: "me", cohort: "mine", due: 2 * time.Hour},
				{ext: "own-sooner", queue: "me", cohort: "mine", due: time.Hour},
				{ext: "pool-overdue", cohort: "mine", due: -time.Hour},
				{ext: "mates", queue: "mate", cohort: "mine", due: -5 * time.Hour},
				{ext: "other-pool", cohort: "theirs"},
			},
			want: []string{"own-sooner", "own-later", "pool-overdue"}},
		{name: "an expired lease goes before free work; a live one is never taken",
			items: []queued{
				{ext: "own", queue: "me", cohort: "mine", due: -time.Hour},
				{ext: "expired", cohort: "mine", due: 5 * time.Hour, lease: "expired"},
				{ext: "held", queue: "me", cohort: "mine", due: -2 * time.Hour, lease: "live"},
			},
			want: []string{"expired", "own"}},
		{name: "who sees everything also takes any overdue item, after their own queue",
			seesAll: true,
			items: []queued{
				{ext: "mates-overdue", queue: "mate", cohort: "theirs", due: -2 * time.Hour},
				{ext: "mates-not-due", queue: "mate", cohort: "theirs", due: time.Hour},
				{ext: "pool-overdue", cohort: "theirs", due: -time.Hour},
				{ext: "own", queue: "me", cohort: "theirs", due: 3 * time.Hour},
			},
			want: []string{"own", "mates-overdue", "pool-overdue"}},
		{name: "nothing for me",
			items: []queued{
				{ext: "mates", queue: "mate", cohort: "mine", due: -time.Hour},
				{ext: "held", cohort: "mine", lease: "live"},
			}},
	}
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		elsewhere := newQueueSchool(t, db, "elsewhere")
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q := newQueueSchool(t, db, fmt.Sprintf("school-%d", i))
				// Another school's work is never anyone's here.
				elsewhere.users["me"] = q.users["me"]
				elsewhere.add(t, queued{ext: fmt.Sprintf("elsewhere-%d", i), queue: "me", cohort: "mine", due: -time.Hour})
				for _, it := range c.items {
					q.add(t, it)
				}
				who := homework.Reviewer{UserID: q.users["me"], SeesAll: c.seesAll}
				var cohorts []string
				if !c.seesAll {
					cohorts = []string{q.cohorts["mine"]}
				}
				var got []string
				for range len(c.items) + 1 {
					sub, err := (homework.Store{}).ClaimNext(context.Background(), db, q.org, who, cohorts, claimNow, claimNow.Add(30*time.Minute))
					if err != nil {
						t.Fatal(err)
					}
					if sub == nil {
						break
					}
					if sub.Status != homework.StatusInReview || *sub.ClaimedBy != who.UserID || !sub.LeaseExpiresAt.Equal(claimNow.Add(30*time.Minute)) {
						t.Errorf("claimed %s: status %s, by %v until %v", q.exts[sub.ID], sub.Status, *sub.ClaimedBy, sub.LeaseExpiresAt)
					}
					got = append(got, q.exts[sub.ID])
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("claims took %v, want %v", got, c.want)
				}
			})
		}
	})
}

// TestStoreTakeLease: the update itself checks that the item is free,
// whatever the candidate query chose, and a draft survives only when its
// author takes the item back.
func TestStoreTakeLease(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx, store := context.Background(), homework.Store{}
		q := newQueueSchool(t, db, "alpha")
		held := q.add(t, queued{ext: "held", cohort: "mine", lease: "live"})
		pick := db.NewSelect().Model((*homework.Submission)(nil)).Column("id").Where("id = ?", held.ID)
		for name, claim := range map[string]func() (*homework.Submission, error){
			"ClaimFirst": func() (*homework.Submission, error) {
				return store.ClaimFirst(ctx, db, q.org, q.users["me"], claimNow, claimNow.Add(time.Hour), pick)
			},
			"TakeLease": func() (*homework.Submission, error) {
				return store.TakeLease(ctx, db, q.org, held.ID, q.users["me"], claimNow, claimNow.Add(time.Hour))
			},
		} {
			if sub, err := claim(); err != nil || sub != nil {
				t.Errorf("%s took an item under a live lease: %v, %v", name, sub, err)
			}
		}
		if still, err := store.Submission(ctx, db, q.org, held.ID); err != nil || *still.ClaimedBy != q.users["mate"] || still.Version != held.Version {
			t.Errorf("the held item changed: %+v, %v", still, err)
		}

		for _, c := range []struct {
			name, taker string
			keepsDraft  bool
		}{
			{"the draft's author takes it back", "mate", true},
			{"another reviewer starts afresh", "me", false},
		} {
			t.Run(c.name, func(t *testing.T) {
				expired := q.add(t, queued{ext: "expired-" + c.taker, cohort: "mine", lease: "expired"})
				sub, err := store.TakeLease(ctx, db, q.org, expired.ID, q.users[c.taker], claimNow, claimNow.Add(time.Hour))
				if err != nil || sub == nil {
					t.Fatalf("taking an expired lease: %v, %v", sub, err)
				}
				if (sub.Draft != nil) != c.keepsDraft || *sub.ClaimedBy != q.users[c.taker] || sub.Version != expired.Version+1 {
					t.Errorf("taken: draft %v, by %s, version %d", sub.Draft, *sub.ClaimedBy, sub.Version)
				}
			})
		}
	})
}
