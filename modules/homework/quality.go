package homework

import (
	"context"
	"slices"
	"sort"
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

// CuratorQualityChecks lists the quality checks of a curator's reviews made
// at or after since, oldest first: the onboarding module counts a
// newcomer's supervised reviews that passed.
func (s *Service) CuratorQualityChecks(ctx context.Context, orgID, curatorID string, since time.Time) ([]QualityCheck, error) {
	return s.store.CuratorQualityChecks(ctx, s.DB, orgID, curatorID, since)
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

// QualityScore is a curator's quality score in a month with its sample.
type QualityScore struct {
	CuratorID      string  `json:"curator_id"`
	CuratorName    *string `json:"curator_name" doc:"The curator's display name, former members included."`
	Score          float64 `json:"score" doc:"The average of the checked reviews' scores, 0–100."`
	CheckedReviews int     `json:"checked_reviews" doc:"The sample: the curator's reviews of the month that were checked."`
}

// QualityScores is each curator's quality score in month ("2026-11"): the
// average of their checked reviews' scores on a 0–100 scale, ordered by
// name. A curator without a checked review that month has no score and no
// row. A reader without SeesAll gets her own row only. The pay module
// reads it.
func (s *Service) QualityScores(ctx context.Context, orgID string, reader StatsReader, month string) ([]QualityScore, error) {
	if _, err := time.Parse(monthLayout, month); err != nil {
		return nil, errs.Invalid("query.month", "must be a month such as 2026-11")
	}
	rows, err := s.store.QualityChecks(ctx, s.DB, orgID, month)
	if err != nil {
		return nil, err
	}
	sums, counts := map[string]float64{}, map[string]int{}
	var curators []string
	for _, q := range rows {
		if !reader.owns(&q.CuratorID) {
			continue
		}
		if counts[q.CuratorID] == 0 {
			curators = append(curators, q.CuratorID)
		}
		sums[q.CuratorID] += q.Percent()
		counts[q.CuratorID]++
	}
	names, err := s.personNames(ctx, orgID, curators)
	if err != nil {
		return nil, err
	}
	out := make([]QualityScore, len(curators))
	for i, id := range curators {
		out[i] = QualityScore{CuratorID: id, CuratorName: label(names, id), Score: round1(sums[id] / float64(counts[id])), CheckedReviews: counts[id]}
	}
	sort.Slice(out, func(i, j int) bool {
		return byName(out[i].CuratorName, out[i].CuratorID, out[j].CuratorName, out[j].CuratorID)
	})
	return out, nil
}

// byName orders people by display name, those without one last, then by id.
func byName(aName *string, aID string, bName *string, bID string) bool {
	switch {
	case aName != nil && bName != nil && *aName != *bName:
		return *aName < *bName
	case (aName == nil) != (bName == nil):
		return aName != nil
	}
	return aID < bID
}
