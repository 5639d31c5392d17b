package quality

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// Reader is who reads quality records: with SeesAll everyone's, otherwise
// only those of her own conversations and those she reviews.
type Reader struct {
	UserID  string
	SeesAll bool
}

// ReaderFrom reads the caller of a request: SeesAll when the policy grants
// object:read_all.
func ReaderFrom(ctx context.Context, object string) Reader {
	m := reqctx.From(ctx)
	return Reader{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed(object, "read_all")}
}

// sees reports whether the reader may see a record of curator's
// conversation reviewed by reviewer.
func (r Reader) sees(curatorID, reviewerID string) bool {
	return r.SeesAll || (r.UserID != "" && (r.UserID == curatorID || r.UserID == reviewerID))
}

// reviewerRoles may be handed conversations to review.
var reviewerRoles = []string{roleSeniorCurator, roleHead}

// answeredBy finds the curator's answers in the conversation: on date when
// given, else her latest day; curatorID empty means whoever answered last.
func (s *Service) answeredBy(ctx context.Context, orgID, conversationID, curatorID, date string) (*Answered, error) {
	rows, err := s.conversations.ConversationAnswers(ctx, orgID, conversationID)
	if err != nil {
		return nil, err
	}
	var found *Answered
	for i := range rows {
		a := &rows[i]
		if (curatorID == "" || a.CuratorID == curatorID) && (date == "" || a.Day == date) &&
			(found == nil || a.LastAnsweredAt.After(found.LastAnsweredAt)) {
			found = a
		}
	}
	if found == nil {
		return nil, errs.Invalid("body.conversation_id", "nobody answered this conversation on that day as that curator")
	}
	return found, nil
}

// PickInput names a conversation a reviewer picks by hand.
type PickInput struct {
	ConversationID string
	CuratorID      string // empty: whoever answered last
	Day            string // empty: the curator's latest day in it
}

// PickConversation hands the caller a conversation of her choice. Nobody
// reviews her own answers.
func (s *Service) PickConversation(ctx context.Context, orgID string, in PickInput) (*Assignment, error) {
	if in.Day != "" {
		if _, err := s.conversations.LocalDay(ctx, orgID, in.Day, "body.day"); err != nil {
			return nil, err
		}
	}
	a, err := s.answeredBy(ctx, orgID, in.ConversationID, in.CuratorID, in.Day)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid("body.conversation_id", "the school has no such conversation")
	} else if err != nil {
		return nil, err
	}
	me := actor(ctx)
	if a.CuratorID == me {
		return nil, errs.Conflict("nobody reviews their own conversation")
	}
	as := newAssignment(orgID, a, me, SourceManual, me, s.Now())
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertAssignments(ctx, tx, []Assignment{*as}); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("you already have this conversation to review")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "quality_assignment", as.ID, auditlog.Diff(nil, as))
	})
	return as, err
}

func newAssignment(orgID string, a *Answered, reviewerID, source, by string, now time.Time) *Assignment {
	return &Assignment{ID: ids.New(), OrgID: orgID, ConversationID: a.ConversationID, CuratorID: a.CuratorID, Day: a.Day,
		AnsweredAt: a.LastAnsweredAt, ReviewerID: reviewerID, Source: source, Breached: a.Breached, CreatedBy: &by, CreatedAt: now}
}

// AssignmentView is an assignment with the conversation to read and the
// scorecard version to score it with.
type AssignmentView struct {
	Assignment   Assignment
	Conversation *ConversationDay
	Scorecard    *ScorecardVersion // nil when the school has no scorecard to use
	ReviewID     *string
}

// Assignment returns an assignment the reader may see, with the
// conversation as it went that day.
func (s *Service) Assignment(ctx context.Context, orgID, id string, r Reader) (*AssignmentView, error) {
	a, err := s.store.Assignment(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	if !r.sees("", a.ReviewerID) {
		return nil, errs.NotFound("assignment")
	}
	day, err := s.conversations.LocalDay(ctx, orgID, a.Day, "path.id")
	if err != nil {
		return nil, err
	}
	conv, err := s.conversations.ConversationOn(ctx, orgID, a.ConversationID, day)
	if err != nil {
		return nil, err
	}
	out := &AssignmentView{Assignment: *a, Conversation: conv}
	if out.Scorecard, err = s.scorecardFor(ctx, s.DB, orgID, a, nil); err != nil && !errors.Is(err, errNoScorecard) {
		return nil, err
	}
	reviews, err := s.store.Reviews(ctx, s.DB, orgID, ReviewFilter{AssignmentID: a.ID})
	if err != nil {
		return nil, err
	}
	for i := range reviews {
		if reviews[i].Kind == ReviewOriginal {
			out.ReviewID = &reviews[i].ID
		}
	}
	return out, nil
}

// Assignments lists assignments; a reader who does not see all gets only
// those handed to her.
func (s *Service) Assignments(ctx context.Context, orgID string, r Reader, f AssignmentFilter) ([]Assignment, error) {
	if !r.SeesAll {
		f.ReviewerID = r.UserID
	}
	if f.Day != "" {
		// The filter matches the stored local date as written, so the
		// day is only checked, in no particular zone.
		if _, err := clock.ParseDay("query.day", f.Day, time.UTC); err != nil {
			return nil, err
		}
	}
	return s.store.Assignments(ctx, s.DB, orgID, f)
}

var errNoScorecard = errors.New("no scorecard")

// scorecardFor picks the version an assignment is scored with: the
// calibration's pinned one, else the active version of the scorecard
// asked for or of the school's default scorecard.
func (s *Service) scorecardFor(ctx context.Context, db bun.IDB, orgID string, a *Assignment, scorecardID *string) (*ScorecardVersion, error) {
	if a.CalibrationID != nil {
		c, err := s.store.Calibration(ctx, db, orgID, *a.CalibrationID)
		if err != nil {
			return nil, err
		}
		return s.store.ScorecardVersion(ctx, db, orgID, c.ScorecardVersionID)
	}
	return s.activeVersion(ctx, db, orgID, scorecardID, "body.scorecard_id")
}

// activeVersion is the active version of scorecardID or, when nil, of the
// school's default scorecard (or its only one).
func (s *Service) activeVersion(ctx context.Context, db bun.IDB, orgID string, scorecardID *string, field string) (*ScorecardVersion, error) {
	if scorecardID == nil {
		st, err := s.store.Settings(ctx, db, orgID)
		if err != nil {
			return nil, err
		}
		scorecardID = st.DefaultScorecardID
	}
	if scorecardID == nil {
		cards, err := s.store.Scorecards(ctx, db, orgID)
		if err != nil {
			return nil, err
		}
		if len(cards) != 1 {
			return nil, errNoScorecard
		}
		scorecardID = &cards[0].ID
	}
	c, err := s.store.Scorecard(ctx, db, orgID, *scorecardID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid(field, "the school has no scorecard with this id")
	} else if err != nil {
		return nil, err
	}
	if c.ActiveVersionID == nil {
		return nil, errs.Conflict("scorecard %q has no active version", c.Name)
	}
	return s.store.ScorecardVersion(ctx, db, orgID, *c.ActiveVersionID)
}

// CalibrationInput sends one conversation to several reviewers.
type CalibrationInput struct {
	ConversationID string
	CuratorID      string
	Day            string
	ReviewerIDs    []string
	ScorecardID    *string
	Note           string
}

// Limits of a calibration round.
const (
	MinCalibrationReviewers = 2
	MaxCalibrationReviewers = 10
)

// Calibrate starts a calibration round: the same conversation, scored by
// each reviewer on the same scorecard version. Its reviews do not count
// towards the curator's score.
func (s *Service) Calibrate(ctx context.Context, orgID string, in CalibrationInput) (*Calibration, []Assignment, error) {
	reviewers := slices.Clone(in.ReviewerIDs)
	slices.Sort(reviewers)
	reviewers = slices.Compact(reviewers)
	if len(reviewers) < MinCalibrationReviewers || len(reviewers) > MaxCalibrationReviewers || len(reviewers) != len(in.ReviewerIDs) {
		return nil, nil, errs.Invalid("body.reviewer_ids", "must name 2 to 10 different reviewers")
	}
	if len(in.Note) > 2000 || !validate.IsText(in.Note) {
		return nil, nil, errs.Invalid("body.note", "must be text of at most 2000 characters")
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Day != "" {
		if _, err := s.conversations.LocalDay(ctx, orgID, in.Day, "body.day"); err != nil {
			return nil, nil, err
		}
	}
	a, err := s.answeredBy(ctx, orgID, in.ConversationID, in.CuratorID, in.Day)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil, errs.Invalid("body.conversation_id", "the school has no such conversation")
	} else if err != nil {
		return nil, nil, err
	}
	for i, id := range in.ReviewerIDs {
		ok, err := s.hasAnyRole(ctx, orgID, id, reviewerRoles...)
		if err != nil {
			return nil, nil, err
		}
		if !ok || id == a.CuratorID {
			return nil, nil, errs.Invalid("body.reviewer_ids["+strconv.Itoa(i)+"]",
				"must be an active senior curator or head of service other than the conversation's curator")
		}
	}
	now, by := s.Now(), actor(ctx)
	var cal *Calibration
	var out []Assignment
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		v, err := s.activeVersion(ctx, tx, orgID, in.ScorecardID, "body.scorecard_id")
		if errors.Is(err, errNoScorecard) {
			return errs.Invalid("body.scorecard_id", "is required: the school has no default scorecard")
		} else if err != nil {
			return err
		}
		cal = &Calibration{ID: ids.New(), OrgID: orgID, ConversationID: a.ConversationID, CuratorID: a.CuratorID, Day: a.Day,
			AnsweredAt: a.LastAnsweredAt, ScorecardID: v.ScorecardID, ScorecardVersionID: v.ID, Note: in.Note, CreatedBy: by, CreatedAt: now}
		if err := s.store.InsertCalibration(ctx, tx, cal); err != nil {
			return err
		}
		for _, r := range in.ReviewerIDs {
			as := newAssignment(orgID, a, r, SourceCalibration, by, now)
			as.CalibrationID = &cal.ID
			out = append(out, *as)
		}
		if err := s.store.InsertAssignments(ctx, tx, out); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("a reviewer already has this conversation to review")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "quality_calibration", cal.ID, auditlog.Diff(nil, map[string]any{"conversation_id": cal.ConversationID,
			"curator_id": cal.CuratorID, "day": cal.Day, "scorecard_version_id": cal.ScorecardVersionID, "reviewer_ids": in.ReviewerIDs}))
	})
	if err != nil {
		return nil, nil, err
	}
	return cal, out, nil
}
