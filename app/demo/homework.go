package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"time"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// demoAttempt is one planned submission and what became of it.
type demoAttempt struct {
	ext        string
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
// clock set to when it happened; a fixed random seed decides what happens,
// and existing external ids are skipped, so seeding again changes nothing.
func seedHomework(ctx context.Context, svc *server.Services, orgID string) error {
	now := time.Now().UTC().Truncate(time.Hour)
	senior, err := svc.Identity.ActivePersonByEmail(ctx, orgID, "senior@demo.test")
	if err != nil {
		return err
	}
	head, err := svc.Identity.ActivePersonByEmail(ctx, orgID, "head@demo.test")
	if err != nil {
		return err
	}
	clk := clock.NewFixed(now)
	hw := svc.Homework.WithClock(clk)
	for _, a := range planHomework(now) {
		if err := seedAttempt(ctx, hw, clk, orgID, a, senior.UserID); err != nil {
			return fmt.Errorf("submission %s: %w", a.ext, err)
		}
	}
	clk.Set(now)
	return seedQualityChecks(ctx, hw, orgID, []string{senior.UserID, head.UserID})
}

// planHomework decides every demo submission from a fixed seed: a module's
// homework is due two weeks after the previous one, most students hand it
// in, and work older than two days is mostly reviewed.
func planHomework(now time.Time) []demoAttempt {
	rnd := rand.New(rand.NewSource(4711))
	var plan []demoAttempt
	n := 0
	for _, c := range demoCohorts {
		starts, _ := time.Parse(time.DateOnly, c.starts)
		for i := 0; i < c.students; i++ {
			n++
			sid := fmt.Sprintf("s-%03d", n)
			for m := 1; m <= 6; m++ {
				skip := rnd.Intn(100) < 12
				at := starts.AddDate(0, 0, (m-1)*14+3+rnd.Intn(10)).Add(time.Duration(6+rnd.Intn(14))*time.Hour + time.Duration(rnd.Intn(60))*time.Minute)
				if skip || at.After(now) {
					continue
				}
				plan = append(plan, planAttempts(rnd, now, sid, fmt.Sprintf("%s-hw-%d", c.course, m), at)...)
			}
		}
	}
	return plan
}

// planAttempts plans a student's attempts at one assignment: rework
// requested leads to another attempt a few days later, up to three.
func planAttempts(rnd *rand.Rand, now time.Time, sid, assignment string, at time.Time) []demoAttempt {
	var out []demoAttempt
	for k := 1; k <= 3 && !at.After(now); k++ {
		a := demoAttempt{ext: fmt.Sprintf("hw-%s-%s-a%d", sid, assignment, k), student: sid, assignment: assignment, at: at}
		roll := rnd.Intn(100)
		a.reviewAt = at.Add(time.Duration(1+rnd.Intn(40)) * time.Hour)
		switch {
		case now.Sub(at) < 48*time.Hour:
			a.outcome = map[bool]string{true: "claimed", false: "queued"}[roll < 30]
		case roll < 4:
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
		at = a.reviewAt.Add(time.Duration(24+rnd.Intn(72)) * time.Hour)
	}
	return out
}

func demoScores(rnd *rand.Rand, outcome string) map[string]int {
	switch outcome {
	case homework.StatusAccepted:
		return map[string]int{"task": 4 + rnd.Intn(2), "depth": 3 + rnd.Intn(3), "theory": 1 + rnd.Intn(3)}
	case homework.StatusRejected:
		return map[string]int{"task": rnd.Intn(2), "depth": rnd.Intn(2)}
	default:
		return map[string]int{"task": 2 + rnd.Intn(2), "depth": 1 + rnd.Intn(2), "theory": rnd.Intn(2)}
	}
}

var demoFeedback = map[string]string{
	homework.StatusAccepted:        "Отличная работа! Видно, что вы опирались на материал модуля. **Зачтено.**",
	homework.StatusReworkRequested: "Хорошее начало. Раскройте, пожалуйста, подробнее второй вопрос и приведите пример из своей жизни.",
	homework.StatusRejected:        "Работа не относится к заданию этого модуля. Перечитайте задание и отправьте новую работу.",
}

func seedAttempt(ctx context.Context, hw *homework.Service, clk *clock.Fixed, orgID string, a demoAttempt, seniorID string) error {
	_, err := hw.SubmissionByExternalID(ctx, orgID, demoSource, a.ext)
	if err == nil || !errors.Is(err, errs.ErrNotFound) {
		return err
	}
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
			rnd := rand.New(rand.NewSource(r.CreatedAt.UnixMicro()))
			in := homework.QualityInput{VerdictCorrect: 3 + rnd.Intn(3), FeedbackHelpful: 2 + rnd.Intn(4), Tone: 3 + rnd.Intn(3), OnTime: 2 + rnd.Intn(4)}
			if r.Verdict == homework.StatusRejected && rnd.Intn(4) == 0 {
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
