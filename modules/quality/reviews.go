package quality

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// ScoreInput is the score of one criterion: Value 0/1 for yes_no (no/yes),
// 1–5 for scale, nil for "not applicable".
type ScoreInput struct {
	Key            string
	Value          *int
	Comment        string
	QuoteMessageID *string
}

// ReviewInput is a reviewer's scoring of a conversation.
type ReviewInput struct {
	ScorecardID *string
	Scores      []ScoreInput
	Comment     string
}

// maxComment bounds every free-text field of a review.
const maxComment = 5000

func checkComment(field, text string) error {
	if len(text) > maxComment || !validate.IsText(text) {
		return errs.Invalid(field, fmt.Sprintf("must be text of at most %d characters", maxComment))
	}
	return nil
}

// scoreAll checks the scores against the version's criteria (each scored
// once, values in range, "not applicable" only where allowed, quotes from
// the conversation) and returns the rows with the points earned.
func (s *Service) scoreAll(ctx context.Context, orgID, conversationID string, v *ScorecardVersion, in []ScoreInput) ([]Score, int64, int64, error) {
	byKey := map[string]int{}
	for i, sc := range in {
		if _, dup := byKey[sc.Key]; dup {
			return nil, 0, 0, errs.Invalid(fmt.Sprintf("body.scores[%d].key", i), "scores a criterion twice")
		}
		if v.Criteria.Find(sc.Key) == nil {
			return nil, 0, 0, errs.Invalid(fmt.Sprintf("body.scores[%d].key", i), fmt.Sprintf("scorecard version %d has no such criterion", v.Number))
		}
		byKey[sc.Key] = i
	}
	var earned, possible int64
	out := make([]Score, 0, len(v.Criteria))
	for pos, c := range v.Criteria {
		i, ok := byKey[c.Key]
		if !ok {
			return nil, 0, 0, errs.Invalid("body.scores", fmt.Sprintf("criterion %q is not scored", c.Key))
		}
		sc := in[i]
		at := func(f string) string { return fmt.Sprintf("body.scores[%d].%s", i, f) }
		if err := checkValue(&c, sc.Value, at("value")); err != nil {
			return nil, 0, 0, err
		}
		if err := checkComment(at("comment"), sc.Comment); err != nil {
			return nil, 0, 0, err
		}
		if sc.QuoteMessageID != nil {
			ok, err := ids.Valid(*sc.QuoteMessageID), error(nil)
			if ok {
				ok, err = s.conversations.MessageInConversation(ctx, orgID, conversationID, *sc.QuoteMessageID)
			}
			if err != nil {
				return nil, 0, 0, err
			}
			if !ok {
				return nil, 0, 0, errs.Invalid(at("quote_message_id"), "must be a message of the reviewed conversation")
			}
		}
		e, p, _ := points(&c, sc.Value)
		earned, possible = earned+e, possible+p
		out = append(out, Score{ID: ids.New(), OrgID: orgID, Position: pos, CriterionKey: c.Key, Value: sc.Value,
			Comment: strings.TrimSpace(sc.Comment), QuoteMessageID: sc.QuoteMessageID})
	}
	return out, earned, possible, nil
}

func checkValue(c *Criterion, v *int, field string) error {
	switch {
	case v == nil && !c.AllowNA:
		return errs.Invalid(field, "is required: this criterion cannot be marked not applicable")
	case v == nil:
		return nil
	case c.Kind == KindYesNo && *v != 0 && *v != 1:
		return errs.Invalid(field, "must be 1 (yes) or 0 (no)")
	case c.Kind == KindScale && (*v < 1 || *v > 5):
		return errs.Invalid(field, "must be 1 to 5")
	}
	return nil
}

// SubmitReview records the reviewer's scoring of her assignment. An
// assignment is reviewed once, by the reviewer it was handed to, with the
// scorecard version active then (or the calibration's).
func (s *Service) SubmitReview(ctx context.Context, orgID, assignmentID string, in ReviewInput) (*ReviewView, error) {
	if err := checkComment("body.comment", in.Comment); err != nil {
		return nil, err
	}
	var out *Review
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.store.Assignment(ctx, tx, orgID, assignmentID)
		if err != nil {
			return err
		}
		if a.ReviewerID != actor(ctx) {
			return errs.Forbidden("this conversation was handed to another reviewer")
		}
		if a.Reviewed {
			return errs.Conflict("this assignment has been reviewed already")
		}
		v, err := s.scorecardFor(ctx, tx, orgID, a, in.ScorecardID)
		if errors.Is(err, errNoScorecard) {
			return errs.Invalid("body.scorecard_id", "is required: the school has no default scorecard")
		} else if err != nil {
			return err
		}
		scores, earned, possible, err := s.scoreAll(ctx, orgID, a.ConversationID, v, in.Scores)
		if err != nil {
			return err
		}
		out = &Review{ID: ids.New(), OrgID: orgID, AssignmentID: a.ID, ConversationID: a.ConversationID, CuratorID: a.CuratorID, Day: a.Day,
			AnsweredAt: a.AnsweredAt, ReviewerID: a.ReviewerID, CalibrationID: a.CalibrationID, ScorecardID: v.ScorecardID,
			ScorecardVersionID: v.ID, ScorecardNumber: v.Number, Kind: ReviewOriginal, Earned: earned, Possible: possible,
			Comment: strings.TrimSpace(in.Comment), CreatedAt: s.Now()}
		return s.insertReview(ctx, tx, out, scores)
	})
	if err != nil {
		return nil, err
	}
	return s.Review(ctx, orgID, out.ID, Reader{SeesAll: true})
}

func (s *Service) insertReview(ctx context.Context, tx bun.IDB, r *Review, scores []Score) error {
	for i := range scores {
		scores[i].ReviewID = r.ID
	}
	if err := s.store.InsertReview(ctx, tx, r, scores); err != nil {
		if database.IsUniqueViolation(err) {
			return errs.Conflict("this review was written at the same time by someone else")
		}
		return err
	}
	return s.Record(ctx, tx, r.OrgID, "quality_review", r.ID, auditlog.Diff(nil, map[string]any{"assignment_id": r.AssignmentID,
		"kind": r.Kind, "revises_review_id": r.RevisesReviewID, "scorecard_version_id": r.ScorecardVersionID,
		"earned": r.Earned, "possible": r.Possible, "scores": scores, "comment": r.Comment}))
}

// Respond records the curator's one answer to a review of her
// conversation: she acknowledges it or disputes it with her reason.
func (s *Service) Respond(ctx context.Context, orgID, reviewID, kind, comment string) (*ReviewView, error) {
	if kind != ResponseAcknowledged && kind != ResponseDisputed {
		return nil, errs.Invalid("body.kind", "must be acknowledged or disputed")
	}
	comment = strings.TrimSpace(comment)
	if err := checkComment("body.comment", comment); err != nil {
		return nil, err
	}
	if kind == ResponseDisputed && comment == "" {
		return nil, errs.Invalid("body.comment", "is required: say what the dispute is about")
	}
	me := actor(ctx)
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.store.LockReview(ctx, tx, orgID, reviewID)
		if err != nil {
			return err
		}
		if r.CuratorID != me {
			return errs.Forbidden("only the curator whose conversation was reviewed answers the review")
		}
		if r.Kind != ReviewOriginal || r.CalibrationID != nil {
			return errs.Conflict("only a review of a sampled or picked conversation is answered; settlements and calibration rounds are final")
		}
		resp := &Response{ID: ids.New(), OrgID: orgID, ReviewID: r.ID, CuratorID: me, Kind: kind, Comment: comment, CreatedAt: s.Now()}
		if err := s.store.InsertResponse(ctx, tx, resp); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("this review has been answered already")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "quality_response", resp.ID, auditlog.Diff(nil, resp))
	})
	if err != nil {
		return nil, err
	}
	return s.Review(ctx, orgID, reviewID, Reader{SeesAll: true})
}

// SettleInput is the head's decision on a dispute: upheld keeps the
// review, revised adds a new review with Scores on the same scorecard
// version.
type SettleInput struct {
	Outcome string
	Comment string
	Scores  []ScoreInput
}

// Settle decides a disputed review. The review stays as it was; a revised
// outcome adds a revision that replaces it in the curator's score.
func (s *Service) Settle(ctx context.Context, orgID, reviewID string, in SettleInput) (*ReviewView, error) {
	if in.Outcome != OutcomeUpheld && in.Outcome != OutcomeRevised {
		return nil, errs.Invalid("body.outcome", "must be upheld or revised")
	}
	if err := checkComment("body.comment", in.Comment); err != nil {
		return nil, err
	}
	if in.Outcome == OutcomeUpheld && len(in.Scores) > 0 {
		return nil, errs.Invalid("body.scores", "must be empty when the review is upheld")
	}
	me := actor(ctx)
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.store.LockReview(ctx, tx, orgID, reviewID)
		if err != nil {
			return err
		}
		if r.CuratorID == me {
			return errs.Forbidden("nobody settles a dispute about her own conversation")
		}
		responses, err := s.store.ResponsesOf(ctx, tx, orgID, []string{r.ID})
		if err != nil {
			return err
		}
		resp := responses[r.ID]
		if resp == nil || resp.Kind != ResponseDisputed {
			return errs.Conflict("the review is not disputed")
		}
		now := s.Now()
		st := &Settlement{ID: ids.New(), OrgID: orgID, ReviewID: r.ID, ResponseID: resp.ID, Outcome: in.Outcome,
			Comment: strings.TrimSpace(in.Comment), SettledBy: me, CreatedAt: now}
		if in.Outcome == OutcomeRevised {
			rev, err := s.revise(ctx, tx, r, in, now)
			if err != nil {
				return err
			}
			st.RevisedReviewID = &rev.ID
		}
		if err := s.store.InsertSettlement(ctx, tx, st); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("this dispute has been settled already")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "quality_settlement", st.ID, auditlog.Diff(nil, st))
	})
	if err != nil {
		return nil, err
	}
	return s.Review(ctx, orgID, reviewID, Reader{SeesAll: true})
}

// revise appends the settling review, scored on the disputed review's
// scorecard version.
func (s *Service) revise(ctx context.Context, tx bun.IDB, r *Review, in SettleInput, now time.Time) (*Review, error) {
	v, err := s.store.ScorecardVersion(ctx, tx, r.OrgID, r.ScorecardVersionID)
	if err != nil {
		return nil, err
	}
	scores, earned, possible, err := s.scoreAll(ctx, r.OrgID, r.ConversationID, v, in.Scores)
	if err != nil {
		return nil, err
	}
	rev := *r
	rev.ID, rev.ReviewerID, rev.Kind, rev.RevisesReviewID, rev.Earned, rev.Possible, rev.Comment, rev.CreatedAt =
		ids.New(), actor(ctx), ReviewRevision, &r.ID, earned, possible, strings.TrimSpace(in.Comment), now
	return &rev, s.insertReview(ctx, tx, &rev, scores)
}

// ReviewView is a review with its scores, the criteria they were scored
// against, the curator's answer, the settlement and the conversation.
type ReviewView struct {
	Review       Review
	Criteria     CriteriaSet
	Scores       []Score
	Response     *Response
	Settlement   *Settlement
	RevisedBy    *string // the revision that replaced this review
	Conversation *ConversationDay
}

// Review returns a review the reader may see: her own conversation's or one
// she wrote, everything with SeesAll. Others are not found.
func (s *Service) Review(ctx context.Context, orgID, id string, r Reader) (*ReviewView, error) {
	rev, err := s.store.Review(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	if !r.sees(rev.CuratorID, rev.ReviewerID) {
		return nil, errs.NotFound("review")
	}
	views, err := s.reviewViews(ctx, orgID, []Review{*rev})
	if err != nil {
		return nil, err
	}
	out := &views[0]
	day, err := s.conversations.LocalDay(ctx, orgID, rev.Day, "path.id")
	if err != nil {
		return nil, err
	}
	if out.Conversation, err = s.conversations.ConversationOn(ctx, orgID, rev.ConversationID, day); err != nil {
		return nil, err
	}
	return out, nil
}

// Reviews lists reviews, the newest first; a reader who does not see all
// gets those of her own conversations only.
func (s *Service) Reviews(ctx context.Context, orgID string, r Reader, f ReviewFilter) ([]ReviewView, error) {
	if !r.SeesAll {
		f.CuratorID = r.UserID
	}
	var from, to time.Time
	if f.From != nil {
		from = *f.From
	}
	if f.To != nil {
		to = *f.To
	}
	if err := clock.CheckPeriod(from, to); err != nil {
		return nil, err
	}
	rows, err := s.store.Reviews(ctx, s.DB, orgID, f)
	if err != nil {
		return nil, err
	}
	return s.reviewViews(ctx, orgID, rows)
}

// reviewViews joins the reviews' scores, criteria, answers, settlements and
// revisions in a fixed number of queries.
func (s *Service) reviewViews(ctx context.Context, orgID string, rows []Review) ([]ReviewView, error) {
	ids := make([]string, len(rows))
	versionIDs := make([]string, 0, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		versionIDs = append(versionIDs, r.ScorecardVersionID)
	}
	scores, err := s.store.ScoresOf(ctx, s.DB, orgID, ids)
	if err != nil {
		return nil, err
	}
	versions, err := s.store.VersionsByID(ctx, s.DB, orgID, versionIDs)
	if err != nil {
		return nil, err
	}
	responses, err := s.store.ResponsesOf(ctx, s.DB, orgID, ids)
	if err != nil {
		return nil, err
	}
	settlements, err := s.store.SettlementsOf(ctx, s.DB, orgID, ids)
	if err != nil {
		return nil, err
	}
	revisions, err := s.store.RevisionsOf(ctx, s.DB, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewView, len(rows))
	for i, r := range rows {
		out[i] = ReviewView{Review: r, Scores: scores[r.ID], Response: responses[r.ID], Settlement: settlements[r.ID]}
		if v := versions[r.ScorecardVersionID]; v != nil {
			out[i].Criteria = v.Criteria
		}
		if rev, ok := revisions[r.ID]; ok {
			out[i].RevisedBy = &rev
		}
	}
	return out, nil
}
