package homework

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// PendingSamples lists sampled reviews that have not had their second look.
func (s *Service) PendingSamples(ctx context.Context, orgID, afterID string, limit int) ([]Review, error) {
	return s.store.PendingSamples(ctx, s.DB, orgID, afterID, limit)
}

// QualityInput is a quality reviewer's assessment of a review, each
// criterion 0–5; Overturn, when set, replaces the review's verdict.
type QualityInput struct {
	VerdictCorrect  int
	FeedbackHelpful int
	Tone            int
	OnTime          int
	Comment         string
	Overturn        *string
}

// CheckReview records the second look at a sampled review. Overturning
// appends a new verdict, moves the submission to it and publishes
// review.completed again with overturned set. A review is checked once.
func (s *Service) CheckReview(ctx context.Context, orgID, reviewID string, checkerID string, in QualityInput) (*QualityCheck, error) {
	if in.Overturn != nil && !slices.Contains(Verdicts, *in.Overturn) {
		return nil, errs.Invalid("body.overturn_verdict", "must be accepted, rework_requested or rejected")
	}
	var out *QualityCheck
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		rev, err := s.store.Review(ctx, tx, orgID, reviewID)
		if err != nil {
			return err
		}
		if rev.Kind != KindReview {
			return errs.Conflict("an overturn is not itself quality-checked")
		}
		if rev.ReviewerID == checkerID {
			return errs.Conflict("a reviewer does not check their own review")
		}
		q := &QualityCheck{ID: ids.New(), OrgID: orgID, ReviewID: rev.ID, SubmissionID: rev.SubmissionID, CuratorID: rev.ReviewerID,
			CheckerID: checkerID, VerdictCorrect: in.VerdictCorrect, FeedbackHelpful: in.FeedbackHelpful, Tone: in.Tone, OnTime: in.OnTime,
			Comment: in.Comment, Month: rev.CreatedAt.UTC().Format(monthLayout), CreatedAt: now}
		if in.Overturn != nil && *in.Overturn != rev.Verdict {
			if err := s.overturn(ctx, tx, orgID, rev, checkerID, *in.Overturn, now); err != nil {
				return err
			}
			q.OverturnedTo = in.Overturn
		}
		if err := s.store.InsertQualityCheck(ctx, tx, q); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("this review has already been checked")
			}
			return err
		}
		out = q
		return s.Record(ctx, tx, orgID, entityQualityCheck, q.ID, auditlog.Diff(nil, q))
	})
	return out, err
}

// overturn appends the quality reviewer's verdict to a submission whose
// current verdict is rev's.
func (s *Service) overturn(ctx context.Context, tx bun.IDB, orgID string, rev *Review, checkerID, verdict string, now time.Time) error {
	sub, err := s.store.LockSubmission(ctx, tx, orgID, rev.SubmissionID)
	if err != nil {
		return err
	}
	history, err := s.store.Reviews(ctx, tx, orgID, sub.ID)
	if err != nil {
		return err
	}
	if len(history) == 0 || history[len(history)-1].ID != rev.ID {
		return errs.Conflict("the submission's verdict has changed since this review; it cannot be overturned")
	}
	next := *rev
	next.ID, next.Kind, next.ReviewerID, next.Verdict, next.Sampled, next.OverturnsReviewID, next.CreatedAt =
		ids.New(), KindOverturn, checkerID, verdict, false, &rev.ID, now
	if err := s.store.InsertReview(ctx, tx, &next); err != nil {
		return err
	}
	before := *sub
	sub.Status, sub.Verdict = verdict, &next.Verdict
	if err := s.bump(ctx, tx, sub, now, "status", "verdict"); err != nil {
		return err
	}
	if err := s.Record(ctx, tx, orgID, entitySubmission, sub.ID, auditlog.Diff(&before, sub)); err != nil {
		return err
	}
	return s.publish.Publish(ctx, tx, orgID, eventReviewCompleted, completedPayload(sub, &next, true))
}

// QualityScores is each curator's quality score in month ("2026-11"): the
// average of their checked reviews' scores on a 0–100 scale. Curators
// without a checked review that month are absent. The pay module reads it.
func (s *Service) QualityScores(ctx context.Context, orgID, month string) (map[string]float64, error) {
	if _, err := time.Parse(monthLayout, month); err != nil {
		return nil, errs.Invalid("query.month", "must be a month such as 2026-11")
	}
	rows, err := s.store.QualityChecks(ctx, s.DB, orgID, month)
	if err != nil {
		return nil, err
	}
	sums, counts := map[string]float64{}, map[string]int{}
	for _, q := range rows {
		sums[q.CuratorID] += q.Percent()
		counts[q.CuratorID]++
	}
	out := make(map[string]float64, len(sums))
	for id, sum := range sums {
		out[id] = round1(sum / float64(counts[id]))
	}
	return out, nil
}
