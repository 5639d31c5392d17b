package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/school"
)

// demoAttempt is one planned submission and what became of it.
type demoAttempt struct {
	ext        string
	previous   string // the attempt this one follows after rework, if any
	student    string
	assignment string
	at         time.Time
	outcome    string // a verdict, "queued", "claimed" or "overdue"
	reviewAt   time.Time
	scores     map[string]int
}

// seedHomework replays the demo cohorts' homework up to the current hour:
// a few thousand submissions with reviews, resubmissions after rework,
// items still queued or in review, some overdue, and quality checks of
// sampled reviews. Everything goes through the homework service with a
// clock set to when it happened; fixed random seeds decide what happens,
// and recorded external ids are skipped, so seeding again changes nothing.
func seedHomework(ctx context.Context, svc *server.Services, orgID string) error {
	return replayHomework(ctx, svc, orgID, time.Now().UTC().Truncate(time.Hour))
}

// replayHomework replays the demo homework as it stands at now.
func replayHomework(ctx context.Context, svc *server.Services, orgID string, now time.Time) error {
	senior, err := svc.Identity.ActivePersonByEmail(ctx, orgID, "senior@demo.test")
	if err != nil {
		return err
	}
	head, err := svc.Identity.ActivePersonByEmail(ctx, orgID, "head@demo.test")
	if err != nil {
		return err
	}
	clk := clock.NewFixed(now)
	hw := server.NewHomework(svc.Homework.DB, clk, svc)
	statuses, err := recordedStatuses(ctx, hw, orgID)
	if err != nil {
		return err
	}
	for _, a := range planHomework(now) {
		if !stillToSubmit(a, statuses) {
			continue
		}
		if err := seedAttempt(ctx, hw, clk, orgID, a, senior.UserID); err != nil {
			return fmt.Errorf("submission %s: %w", a.ext, err)
		}
		statuses[a.ext] = statusAfter(a.outcome)
	}
	clk.Set(now)
	return seedQualityChecks(ctx, hw, orgID, []string{senior.UserID, head.UserID})
}

// recordedStatuses returns the status of each demo submission already
// recorded, by external id. Reading the queue a page at a time takes a few
// queries where looking up every planned attempt would take thousands.
func recordedStatuses(ctx context.Context, hw *homework.Service, orgID string) (map[string]string, error) {
	const pageSize = 1000
	statuses := map[string]string{}
	var after []string
	for {
		page, err := hw.List(ctx, orgID, homework.Reviewer{SeesAll: true}, homework.ListFilter{Limit: pageSize, After: after})
		if err != nil {
			return nil, err
		}
		for _, sub := range page {
			if sub.Source == demoSource {
				statuses[sub.ExternalID] = sub.Status
			}
		}
		if len(page) < pageSize {
			return statuses, nil
		}
		last := page[len(page)-1]
		after = []string{last.DueAt.UTC().Format(time.RFC3339Nano), last.ID}
	}
}

// stillToSubmit reports whether a planned attempt is missing and may be
// submitted: a resubmission only follows a request for rework. The plan
// depends on the hour it is made at, so a later seed can see a verdict
// where an earlier one left the work waiting; what is recorded stands, and
// the resubmission is not made.
func stillToSubmit(a demoAttempt, statuses map[string]string) bool {
	if _, recorded := statuses[a.ext]; recorded {
		return false
	}
	return a.previous == "" || statuses[a.previous] == homework.StatusReworkRequested
}

// statusAfter is the status seedAttempt leaves a submission in.
func statusAfter(outcome string) string {
	switch outcome {
	case "queued", "overdue":
		return homework.StatusQueued
	case "claimed":
		return homework.StatusInReview
	default:
		return outcome
	}
}

// planHomework decides every demo submission from fixed seeds: a module's
// homework is due two weeks after the previous one, most students hand it
// in, and work older than two days is mostly reviewed. Each student's work
// on a module draws from a random source of its own, so that a plan made
// at a later hour differs only where time has moved that work on.
func planHomework(now time.Time) []demoAttempt {
	var plan []demoAttempt
	for _, seat := range demoSeats() {
		starts, _ := time.Parse(time.DateOnly, seat.cohort.starts)
		for m := 1; m <= 6; m++ {
			rnd := rand.New(rand.NewPCG(4711, uint64(seat.n)*10+uint64(m)))
			skip := rnd.IntN(100) < 12
			at := starts.AddDate(0, 0, (m-1)*14+3+rnd.IntN(10)).Add(time.Duration(6+rnd.IntN(14))*time.Hour + time.Duration(rnd.IntN(60))*time.Minute)
			if skip || at.After(now) {
				continue
			}
			plan = append(plan, planAttempts(rnd, now, seat, fmt.Sprintf("%s-hw-%d", seat.cohort.course, m), at)...)
		}
	}
	return plan
}

// planAttempts plans a student's attempts at one assignment: rework
// requested leads to another attempt a few days later, up to three. About
// one work in 25 is forgotten by its reviewer: it waits past its due time
// while the cohort runs; a finished cohort leaves nothing waiting, so there
// it was found at the wrap-up and accepted late.
func planAttempts(rnd *rand.Rand, now time.Time, seat demoSeat, assignment string, at time.Time) []demoAttempt {
	var out []demoAttempt
	sid, finished := seat.studentID(), seat.cohort.status == school.CohortFinished
	previous := ""
	for k := 1; k <= 3 && !at.After(now); k++ {
		a := demoAttempt{ext: fmt.Sprintf("hw-%s-%s-a%d", sid, assignment, k), previous: previous, student: sid, assignment: assignment, at: at}
		roll := rnd.IntN(100)
		a.reviewAt = at.Add(time.Duration(1+rnd.IntN(40)) * time.Hour)
		forgotten := roll < 4
		if forgotten && finished {
			a.reviewAt = a.reviewAt.Add(6 * 24 * time.Hour)
		}
		switch {
		case now.Sub(at) < 48*time.Hour:
			a.outcome = map[bool]string{true: "claimed", false: "queued"}[roll < 30]
		case forgotten && !finished:
			a.outcome = "overdue"
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

// seedAttempt submits a planned attempt and takes it as far as its outcome.
func seedAttempt(ctx context.Context, hw *homework.Service, clk *clock.Fixed, orgID string, a demoAttempt, seniorID string) error {
	clk.Set(a.at)
	sub, err := hw.Submit(ctx, orgID, homework.NewSubmission{Source: demoSource, ExternalID: a.ext, StudentExternalID: a.student,
		AssignmentExternalID: a.assignment, SubmittedAt: a.at, Content: homework.SubmissionContent{
			Text:        "Мои ответы на вопросы задания и размышления по теме модуля.",
			Links:       []string{"https://docs.example.com/" + a.ext},
			Attachments: []homework.SubmissionAttachment{{Name: "homework.pdf", URL: "https://lms.example.com/files/" + a.ext, SizeBytes: 180000, ContentType: "application/pdf"}},
		}})
	if err != nil {
		return err
	}
	who := homework.Reviewer{UserID: seniorID, SeesAll: true}
	if sub.QueueCuratorID != nil {
		who = homework.Reviewer{UserID: *sub.QueueCuratorID}
	}
	switch a.outcome {
	case "queued", "overdue":
		return nil
	case "claimed":
		// Taken a few minutes ago by the wall clock, so that the lease is
		// still live when the demo opens.
		clk.Set(time.Now().Add(-5 * time.Minute))
		_, err = hw.Claim(ctx, orgID, sub.ID, who)
		return err
	}
	clk.Set(a.reviewAt.Add(-20 * time.Minute))
	claimed, err := hw.Claim(ctx, orgID, sub.ID, who)
	if err != nil {
		return err
	}
	clk.Set(a.reviewAt)
	_, _, err = hw.Review(ctx, orgID, sub.ID, claimed.Version, who, homework.ReviewInput{Verdict: a.outcome, Scores: a.scores, Feedback: demoFeedback[a.outcome]})
	return err
}

// seedQualityChecks gives about 60 % of the sampled reviews their second
// look, chosen by review id so that a second run picks the same ones.
func seedQualityChecks(ctx context.Context, hw *homework.Service, orgID string, checkers []string) error {
	after := ""
	for {
		page, err := hw.PendingSamples(ctx, orgID, after, 200)
		if err != nil || len(page) == 0 {
			return err
		}
		for _, r := range page {
			after = r.ID
			if !homework.HashSampler("check:"+r.ID, 60) {
				continue
			}
			rnd := rand.New(rand.NewPCG(uint64(r.CreatedAt.UnixMicro()), 0))
			in := homework.QualityInput{VerdictCorrect: 3 + rnd.IntN(3), FeedbackHelpful: 2 + rnd.IntN(4), Tone: 3 + rnd.IntN(3), OnTime: 2 + rnd.IntN(4)}
			if r.Verdict == homework.StatusRejected && rnd.IntN(4) == 0 {
				verdict := homework.StatusReworkRequested
				in.Overturn, in.VerdictCorrect, in.Comment = &verdict, 1, "Работу стоило вернуть на доработку, а не отклонять."
			}
			checker := checkers[0]
			if checker == r.ReviewerID || homework.HashSampler("checker:"+r.ID, 50) {
				checker = checkers[1]
			}
			if _, err := hw.CheckReview(ctx, orgID, r.ID, checker, in); err != nil {
				return fmt.Errorf("quality check of review %s: %w", r.ID, err)
			}
		}
	}
}
