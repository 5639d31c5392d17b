package homework

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// HashSampler picks a review when the first bytes of the SHA-256 of its
// id, read as a number in 0..9999, fall below percent×100: the choice is
// uniform over ids, fixed for each review and reproducible in tests.
func HashSampler(reviewID string, percent int) bool {
	sum := sha256.Sum256([]byte(reviewID))
	return int(binary.BigEndian.Uint32(sum[:4])%10000) < percent*100
}

// SaveDraft stores the holder's unfinished review. Autosaves do not change
// the submission's version, so the ETag the reviewer holds stays valid for
// the final save.
func (s *Service) SaveDraft(ctx context.Context, orgID, id string, who Reviewer, d ReviewDraft) (*Submission, error) {
	if err := validate.Struct(s.Now(), "body.", d); err != nil {
		return nil, err
	}
	var out *Submission
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		sub, err := s.holding(ctx, tx, orgID, id, who, now, "save a draft")
		if err != nil {
			return err
		}
		if err := checkScores(sub.Rubric, d.Scores, false); err != nil {
			return err
		}
		sub.Draft, sub.DraftSavedAt = &d, &now
		out = sub
		return s.write(ctx, tx, sub, sub.Version, "draft", "draft_saved_at")
	})
	return out, err
}

// maxRubricKeyBytes bounds a rubric key named back in an error.
const maxRubricKeyBytes = 64

// checkScores validates rubric scores: known criteria only, each within
// 0..max points, and (for a final save) every required criterion scored.
func checkScores(rubric []RubricCriterion, scores map[string]int, final bool) error {
	var v errs.ValidationError
	byKey := map[string]RubricCriterion{}
	for _, c := range rubric {
		byKey[c.Key] = c
	}
	keys := make([]string, 0, len(scores))
	for k := range scores {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c, ok := byKey[k]
		switch {
		case !validate.IsSingleLine(k) || len(k) > maxRubricKeyBytes:
			// The key itself is not repeated: it is not a key at all.
			v.Fields = append(v.Fields, errs.FieldError{Location: "body.scores", Message: "has a key that is not a rubric criterion key"})
		case !ok:
			v.Fields = append(v.Fields, errs.FieldError{Location: "body.scores." + k, Message: "is not a criterion of this assignment's rubric"})
		case scores[k] < 0 || scores[k] > c.MaxPoints:
			v.Fields = append(v.Fields, errs.FieldError{Location: "body.scores." + k, Message: fmt.Sprintf("must be between 0 and %d", c.MaxPoints)})
		}
	}
	if final {
		for _, c := range rubric {
			if _, ok := scores[c.Key]; c.Required && !ok {
				v.Fields = append(v.Fields, errs.FieldError{Location: "body.scores." + c.Key, Message: "is required"})
			}
		}
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

// ReviewInput is a final review.
type ReviewInput struct {
	Verdict  string         `json:"verdict"`
	Scores   map[string]int `json:"scores" validate:"max=50"`
	Feedback string         `json:"feedback" validate:"text,max=20000"`
}

// Review completes the holder's review if the submission is still at
// version: the verdict row is appended, the submission leaves the queue,
// the review may be sampled for quality control, and review.completed is
// published for the LMS.
func (s *Service) Review(ctx context.Context, orgID, id string, version int64, who Reviewer, in ReviewInput) (*Submission, *Review, error) {
	if !slices.Contains(Verdicts, in.Verdict) {
		return nil, nil, errs.Invalid("body.verdict", "must be accepted, rework_requested or rejected")
	}
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return nil, nil, err
	}
	if in.Scores == nil {
		in.Scores = map[string]int{}
	}
	cal, err := s.school.Calendar(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	settings, err := s.cachedSettings(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	newcomer, err := s.unfinishedOnboarding(ctx, s.DB, orgID, who.UserID)
	if err != nil {
		return nil, nil, err
	}
	var (
		out *Submission
		rev *Review
	)
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		before, after, err := database.Optimistic[Submission, *Submission]{
			What: "the submission",
			Load: func() (*Submission, error) { return s.holding(ctx, tx, orgID, id, who, now, "review it") },
			Change: func(sub *Submission) error {
				if err := checkScores(sub.Rubric, in.Scores, true); err != nil {
					return err
				}
				rev = s.newReview(sub, who, in, settings, len(newcomer) > 0, cal, now)
				sub.Status, sub.Verdict, sub.Score = in.Verdict, &rev.Verdict, &rev.Score
				sub.ReviewedBy, sub.ReviewedAt, sub.ReviewSeconds = &rev.ReviewerID, &now, &rev.BusinessSeconds
				sub.dropClaim()
				return nil
			},
			Write: s.versioned(ctx, tx, slices.Concat(verdictColumns, claimColumns)...),
		}.Run(version, now)
		if err != nil {
			return err
		}
		out = after
		if err := s.store.InsertReview(ctx, tx, rev); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, orgID, entitySubmission, after.ID, auditlog.Diff(before, after)); err != nil {
			return err
		}
		if err := s.tellAccepted(ctx, tx, after, rev); err != nil {
			return err
		}
		return s.publish.Publish(ctx, tx, orgID, eventReviewCompleted, completedPayload(after, rev, false))
	})
	if err != nil {
		return nil, nil, err
	}
	return out, rev, nil
}

// newReview is the reviewer's verdict on sub at now: its score, its
// business time on the school's calendar and whether it is sampled, at the
// probation rate when the reviewer is a newcomer.
func (s *Service) newReview(sub *Submission, who Reviewer, in ReviewInput, settings *Settings, newcomer bool, cal *bizcal.Calendar, now time.Time) *Review {
	total := 0
	for _, v := range in.Scores {
		total += v
	}
	rev := &Review{ID: ids.New(), OrgID: sub.OrgID, SubmissionID: sub.ID, AssignmentID: sub.AssignmentID, Attempt: sub.Attempt, Kind: KindReview, ReviewerID: who.UserID, Verdict: in.Verdict,
		Scores: in.Scores, Score: total, MaxScore: sub.MaxScore(), Feedback: in.Feedback,
		BusinessSeconds: int64(cal.BusinessBetween(sub.SubmittedAt, now) / time.Second), WithinSLA: !now.After(sub.DueAt), CreatedAt: now}
	rev.Sampled = sampled(settings, rev, newcomer, s.sample)
	return rev
}

// verdictColumns are the columns a verdict sets.
var verdictColumns = []string{"status", "verdict", "score", "reviewed_by", "reviewed_at", "review_seconds"}

// sampled applies the school's sampling rule to a new review: every
// rejection and every low score when the school says so, otherwise the
// curator's rate (the probation rate for a newcomer) through the sampler.
func sampled(st *Settings, r *Review, newcomer bool, sample Sampler) bool {
	if st.SampleRejected && r.Verdict == StatusRejected {
		return true
	}
	if r.MaxScore > 0 && st.LowScorePercent > 0 && r.Score*100 < st.LowScorePercent*r.MaxScore {
		return true
	}
	rate := st.SamplePercent
	if newcomer {
		rate = st.ProbationSamplePercent
	}
	return sample(r.ID, rate)
}

// CompletedEvent is the payload of review.completed.
type CompletedEvent struct {
	SubmissionID         string         `json:"submission_id"`
	SubmissionExternalID string         `json:"submission_external_id"`
	Source               string         `json:"source"`
	StudentExternalID    *string        `json:"student_external_id"`
	AssignmentExternalID *string        `json:"assignment_external_id"`
	Attempt              int            `json:"attempt"`
	ReviewID             string         `json:"review_id"`
	Verdict              string         `json:"verdict"`
	Score                int            `json:"score"`
	MaxScore             int            `json:"max_score"`
	Scores               map[string]int `json:"scores"`
	Feedback             string         `json:"feedback"`
	ReviewedAt           time.Time      `json:"reviewed_at"`
	Overturned           bool           `json:"overturned"`
}

func completedPayload(sub *Submission, r *Review, overturned bool) CompletedEvent {
	return CompletedEvent{SubmissionID: sub.ID, SubmissionExternalID: sub.ExternalID, Source: sub.Source,
		StudentExternalID: sub.StudentExternalID, AssignmentExternalID: sub.AssignmentExternalID, Attempt: sub.Attempt,
		ReviewID: r.ID, Verdict: r.Verdict, Score: r.Score, MaxScore: r.MaxScore, Scores: r.Scores, Feedback: r.Feedback,
		ReviewedAt: r.CreatedAt.UTC(), Overturned: overturned}
}

// Reassign moves an open item to a curator's queue, or to its cohort's
// pool when curatorID is nil, and drops any claim on it. Audited.
func (s *Service) Reassign(ctx context.Context, orgID, id string, version int64, curatorID *string) (*Submission, error) {
	if curatorID != nil {
		active, err := s.people.IsActiveCurator(ctx, orgID, *curatorID)
		if err != nil {
			return nil, err
		}
		if !active {
			return nil, errs.Invalid("body.curator_id", "is not an active curator of this school")
		}
		unfinished, err := s.unfinishedOnboarding(ctx, s.DB, orgID, *curatorID)
		if err != nil {
			return nil, err
		}
		if len(unfinished) > 0 {
			return nil, errs.Conflict("the curator has not finished onboarding: %s", strings.Join(unfinished, "; "))
		}
	}
	var out *Submission
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		before, after, err := database.Optimistic[Submission, *Submission]{
			What: "the submission",
			Load: func() (*Submission, error) {
				sub, err := s.store.LockSubmission(ctx, tx, orgID, id)
				if err == nil && !sub.Open() {
					err = stateConflict(sub, now, "only open items can be reassigned")
				}
				return sub, err
			},
			Change: func(sub *Submission) error {
				sub.QueueCuratorID, sub.Status = curatorID, StatusQueued
				sub.dropClaim()
				return nil
			},
			Write: s.versioned(ctx, tx, slices.Concat([]string{"queue_curator_id", "status"}, claimColumns)...),
		}.Run(version, now)
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entitySubmission, after.ID, auditlog.Diff(before, after))
	})
	return out, err
}
