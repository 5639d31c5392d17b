package demo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// demoAttempt is one planned submission and what became of it.
type demoAttempt struct {
	ext        string
	previous   string // the attempt this one follows after rework, if any
	student    string
	assignment string
	at         time.Time
	outcome    string // a verdict, "queued" or "claimed"
	reviewAt   time.Time
	scores     map[string]int
}

// seedHomework replays the demo cohorts' homework up to the seed's hour:
// each student hands in the modules their fate lets them reach, work is
// reviewed with rubric scores, resubmitted after rework, waiting in the
// queue or in review when it came in the last two days, now and then
// forgotten for a week, and sampled reviews get their second look. Fixed
// random seeds decide what happens, and recorded external ids are
// skipped, so seeding again changes nothing. A seed days later adds the
// work handed in since and reviews the work an earlier seed left waiting.
func seedHomework(ctx context.Context, r *run) error {
	senior, err := r.svc.Identity.ActivePersonByEmail(ctx, r.orgID, "senior@demo.test")
	if err != nil {
		return err
	}
	head, err := r.svc.Identity.ActivePersonByEmail(ctx, r.orgID, "head@demo.test")
	if err != nil {
		return err
	}
	cal, err := bizcal.New(DemoCalendarSpec())
	if err != nil {
		return err
	}
	w, err := newHomeworkWriter(ctx, r, homework.HashSampler)
	if err != nil {
		return err
	}
	checkers := []string{senior.UserID, head.UserID}
	late := newLateReviews(r, checkers)
	for _, a := range planHomework(r.tl, r.fates, cal) {
		if w.waitsForVerdict(a) {
			if err := late.review(ctx, w, a, senior.UserID); err != nil {
				return fmt.Errorf("review of %s: %w", a.ext, err)
			}
			continue
		}
		if !w.stillToSubmit(a) {
			continue
		}
		if err := w.attempt(a, senior.UserID); err != nil {
			return fmt.Errorf("submission %s: %w", a.ext, err)
		}
	}
	if err := w.qualityChecks(demoChecks, checkers); err != nil {
		return err
	}
	return w.write(ctx)
}

// lateReviews give work an earlier seed left waiting the verdict the plan
// gives it now. There are a handful at most, so they go through the
// homework service itself, on a clock set to when each review happened.
type lateReviews struct {
	r        *run
	clk      *clock.Fixed
	hw       *homework.Service
	checkers []string
}

func newLateReviews(r *run, checkers []string) *lateReviews {
	clk := clock.NewFixed(r.tl.now)
	return &lateReviews{r: r, clk: clk, hw: server.NewHomework(r.svc.Homework.DB, clk, r.svc), checkers: checkers}
}

// review claims and reviews a recorded submission at the planned time, or
// an hour after its last change when that is later, and gives the review
// its second look when it is sampled and chosen. Work that someone else
// has taken meanwhile is left to them.
func (l *lateReviews) review(ctx context.Context, w *homeworkWriter, a demoAttempt, seniorID string) error {
	sub := w.recorded[a.ext]
	at := a.reviewAt
	if after := sub.UpdatedAt.Add(time.Hour); at.Before(after) {
		at = after
	}
	if at.After(l.r.tl.now) {
		return nil
	}
	who := homework.Reviewer{UserID: seniorID, SeesAll: true}
	if sub.QueueCuratorID != nil {
		who = homework.Reviewer{UserID: *sub.QueueCuratorID}
	}
	l.clk.Set(at.Add(-20 * time.Minute))
	claimed, err := l.hw.Claim(ctx, l.r.orgID, sub.ID, who)
	if errors.Is(err, errs.ErrConflict) || errors.Is(err, errs.ErrForbidden) {
		return nil
	}
	if err != nil {
		return err
	}
	l.clk.Set(at)
	reviewed, rev, err := l.hw.Review(ctx, l.r.orgID, sub.ID, claimed.Version, who,
		homework.ReviewInput{Verdict: a.outcome, Scores: a.scores, Feedback: demoFeedback[a.outcome]})
	if err != nil {
		return err
	}
	w.reviewedLate(sub, reviewed)
	if !rev.Sampled || !demoChecks.chosen(rev) {
		return nil
	}
	l.clk.Set(l.r.tl.now)
	checker, in := demoChecks.assess(rev, l.checkers)
	_, err = l.hw.CheckReview(ctx, l.r.orgID, rev.ID, checker, in)
	return err
}

// planHomework decides every demo submission from fixed seeds: a student
// hands in the homework of each module they reach within two weeks of the
// module's opening, a fortnight after the previous one's, and work older
// than two days is mostly reviewed. Each student's work on a module draws
// from a random source of its own, so that a plan made at a later hour
// differs only where time has moved that work on.
func planHomework(tl timeline, fates map[int]demoFate, cal *bizcal.Calendar) []demoAttempt {
	var plan []demoAttempt
	for _, seat := range demoSeats() {
		starts, fate := tl.starts(seat.cohort), fates[seat.n]
		for m := 1; m <= fate.reach; m++ {
			rnd := rand.New(rand.NewPCG(4711, uint64(seat.n)*10+uint64(m)))
			day := (m-1)*14 + 3 + rnd.IntN(14)
			if fate.refunded { // handed in before asking for the money back
				day = 3 + rnd.IntN(7)
			}
			at := starts.AddDate(0, 0, day).Add(time.Duration(6+rnd.IntN(14))*time.Hour + time.Duration(rnd.IntN(60))*time.Minute)
			if at.After(tl.now) {
				continue
			}
			plan = append(plan, planAttempts(rnd, tl.now, seat, fmt.Sprintf("%s-hw-%d", seat.cohort.course, m), at)...)
		}
	}
	return leaveOverdue(plan, tl.now, cal)
}

// overdueBacklog is how many of the last week's submissions still wait
// past their due time when the demo opens.
const overdueBacklog = 3

// leaveOverdue keeps a handful of last week's first attempts waiting past
// their review time, so that the overdue view is never empty, and drops
// the resubmissions that would have followed their verdicts. Which ones is
// decided by external id among the work handed in between eight and two
// days ago that is due by now.
func leaveOverdue(plan []demoAttempt, now time.Time, cal *bizcal.Calendar) []demoAttempt {
	var candidates []string
	for _, a := range plan {
		due := cal.AddBusiness(a.at, homework.DefaultTargetMinutes*time.Minute)
		if a.previous == "" && a.outcome != "queued" && a.outcome != "claimed" && !strings.HasSuffix(a.assignment, "-hw-6") &&
			a.at.After(now.Add(-8*24*time.Hour)) && a.at.Before(now.Add(-48*time.Hour)) && due.Before(now.Add(-time.Hour)) {
			candidates = append(candidates, a.ext)
		}
	}
	sort.Slice(candidates, func(i, j int) bool { return idHash(candidates[i]) < idHash(candidates[j]) })
	waiting := map[string]bool{}
	for _, ext := range candidates[:min(overdueBacklog, len(candidates))] {
		waiting[ext] = true
	}
	var out []demoAttempt
	for _, a := range plan {
		switch {
		case waiting[a.previous]:
			waiting[a.ext] = true // never made: the work it follows is not reviewed yet
			continue
		case waiting[a.ext]:
			a.outcome = "queued"
		}
		out = append(out, a)
	}
	return out
}

func idHash(s string) uint64 {
	sum := sha256.Sum256([]byte(s))
	return binary.BigEndian.Uint64(sum[:8])
}

// forgottenPercent is the share of work whose reviewer forgets it for a
// week: it waits past its due time until found and reviewed late. Only
// work of the last week can still be waiting, so the overdue view shows a
// handful of items, none of them months old.
const forgottenPercent = 4

// planAttempts plans a student's attempts at one assignment: rework
// requested leads to another attempt a few days later, up to three.
func planAttempts(rnd *rand.Rand, now time.Time, seat demoSeat, assignment string, at time.Time) []demoAttempt {
	var out []demoAttempt
	sid := seat.studentID()
	previous := ""
	for k := 1; k <= 3 && !at.After(now); k++ {
		a := demoAttempt{ext: fmt.Sprintf("hw-%s-%s-a%d", sid, assignment, k), previous: previous, student: sid, assignment: assignment, at: at}
		roll := rnd.IntN(100)
		a.reviewAt = at.Add(time.Duration(1+rnd.IntN(40)) * time.Hour)
		if roll < forgottenPercent {
			a.reviewAt = a.reviewAt.Add(6 * 24 * time.Hour)
		}
		switch {
		case now.Sub(at) < 48*time.Hour:
			a.outcome = map[bool]string{true: "claimed", false: "queued"}[roll < 30]
		case a.reviewAt.After(now):
			a.outcome = "queued"
		case roll < 76:
			a.outcome = homework.StatusAccepted
		case roll < 94:
			a.outcome = homework.StatusReworkRequested
		default:
			a.outcome = homework.StatusRejected
		}
		a.scores = demoScores(rnd, a.outcome)
		out = append(out, a)
		if a.outcome != homework.StatusReworkRequested {
			break
		}
		previous = a.ext
		at = a.reviewAt.Add(time.Duration(24+rnd.IntN(72)) * time.Hour)
	}
	return out
}

func demoScores(rnd *rand.Rand, outcome string) map[string]int {
	switch outcome {
	case homework.StatusAccepted:
		return map[string]int{"task": 4 + rnd.IntN(2), "depth": 3 + rnd.IntN(3), "theory": 1 + rnd.IntN(3)}
	case homework.StatusRejected:
		return map[string]int{"task": rnd.IntN(2), "depth": rnd.IntN(2)}
	default:
		return map[string]int{"task": 2 + rnd.IntN(2), "depth": 1 + rnd.IntN(2), "theory": rnd.IntN(2)}
	}
}

var demoFeedback = map[string]string{
	homework.StatusAccepted:        "Отличная работа! Видно, что вы опирались на материал модуля. **Зачтено.**",
	homework.StatusReworkRequested: "Хорошее начало. Раскройте, пожалуйста, подробнее второй вопрос и приведите пример из своей жизни.",
	homework.StatusRejected:        "Работа не относится к заданию этого модуля. Перечитайте задание и отправьте новую работу.",
}

// statusAfter is the status a planned attempt leaves its submission in.
func statusAfter(outcome string) string {
	switch outcome {
	case "queued":
		return homework.StatusQueued
	case "claimed":
		return homework.StatusInReview
	default:
		return outcome
	}
}

// chosenForCheck says whether a sampled review gets its second look: about
// 60 % of them, chosen by when the review was made, so that every seed
// picks the same ones.
func chosenForCheck(r *homework.Review) bool {
	return homework.HashSampler("check:"+r.CreatedAt.UTC().Format(time.RFC3339Nano), 60)
}

// demoQualityCheck is the second look at a sampled review: mostly good
// marks, and now and then a rejection that should have been a request for
// rework. The senior curator checks, or the head when the senior wrote the
// review or, for half of the reviews, by turns.
func demoQualityCheck(r *homework.Review, checkers []string) (string, homework.QualityInput) {
	rnd := rand.New(rand.NewPCG(uint64(r.CreatedAt.UnixMicro()), 0))
	in := homework.QualityInput{VerdictCorrect: 3 + rnd.IntN(3), FeedbackHelpful: 2 + rnd.IntN(4), Tone: 3 + rnd.IntN(3), OnTime: 2 + rnd.IntN(4)}
	if r.Verdict == homework.StatusRejected && rnd.IntN(4) == 0 {
		verdict := homework.StatusReworkRequested
		in.Overturn, in.VerdictCorrect, in.Comment = &verdict, 1, "Работу стоило вернуть на доработку, а не отклонять."
	}
	checker := checkers[0]
	if checker == r.ReviewerID || homework.HashSampler("checker:"+r.CreatedAt.UTC().Format(time.RFC3339Nano), 50) {
		checker = checkers[1]
	}
	return checker, in
}
