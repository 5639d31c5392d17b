package surveys

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// ResponseInput is one student's answers to one survey at one moment.
// Which moment: the module (ModuleID, or ModulePosition from the LMS) of a
// module_end survey, the cohort of a course_end one, the conversation
// (ConversationRef) of an after_conversation one; an ad_hoc survey is
// answered once.
type ResponseInput struct {
	SurveyID        string        `json:"survey_id"`
	StudentID       string        `json:"student_id"`
	CohortID        string        `json:"cohort_id"`
	ModuleID        *string       `json:"module_id" validate:"omitnil,uuid"`
	ModulePosition  *int          `json:"module_position" validate:"omitnil,min=1,max=1000"`
	ConversationRef *string       `json:"conversation_ref" validate:"omitnil,required,singleline,max=200"`
	AnsweredAt      time.Time     `json:"answered_at" validate:"fact"`
	Answers         []AnswerInput `json:"answers" validate:"required,min=1,max=20,dive"`
	Source          string        `json:"-"`
	EventID         *string       `json:"-"`
}

// AnswerInput is the answer to one question.
type AnswerInput struct {
	QuestionKey string  `json:"question_key" validate:"required,max=64,singleline"`
	Value       *int    `json:"value" validate:"omitnil,min=0,max=10"`
	Comment     *string `json:"comment" validate:"omitnil,max=5000,text"`
}

// RecordResponse stores a response entered through the API. A response the
// student already gave at that moment is a conflict: one answer per
// student, survey and moment.
func (s *Service) RecordResponse(ctx context.Context, orgID string, in ResponseInput) ([]Answer, error) {
	in.Source = SourceAPI
	var out []Answer
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		var fresh bool
		out, fresh, err = s.record(ctx, tx, orgID, in, "body.")
		if err == nil && !fresh {
			return errs.Conflict("the student already answered this survey at this moment")
		}
		return err
	})
	return out, err
}

// record checks and stores a response inside tx; fresh is false when
// every answer was already stored (the LMS sending it again), and then
// nothing is written.
func (s *Service) record(ctx context.Context, tx bun.IDB, orgID string, in ResponseInput, prefix string) ([]Answer, bool, error) {
	if err := validate.Struct(s.Now(), prefix, in); err != nil {
		return nil, false, err
	}
	sv, err := s.store.Survey(ctx, tx, orgID, in.SurveyID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, false, errs.Invalid(prefix+"survey_id", "no such survey in this school")
	} else if err != nil {
		return nil, false, err
	}
	if sv.Status != StatusActive {
		return nil, false, errs.Invalid(prefix+"survey_id", "the survey is archived and takes no answers")
	}
	if err := checkAnswers(sv, in.Answers, prefix); err != nil {
		return nil, false, err
	}
	place, err := s.place(ctx, orgID, sv, in, prefix)
	if err != nil {
		return nil, false, err
	}
	now := s.Now()
	var stored []Answer
	for _, ai := range in.Answers {
		q := sv.Question(ai.QuestionKey)
		a := Answer{ID: ids.New(), OrgID: orgID, SurveyID: sv.ID, QuestionKey: q.Key, Scale: q.Scale, Value: ai.Value, Comment: ai.Comment,
			StudentID: in.StudentID, EnrollmentID: place.enrollmentID, CohortID: place.cohort.ID, CourseID: place.cohort.CourseID,
			ModuleID: place.moduleID, CuratorID: place.curatorID, MomentKey: place.momentKey, Source: in.Source, EventID: in.EventID,
			AnsweredAt: in.AnsweredAt.UTC(), CreatedAt: now, CreatedBy: actor(ctx)}
		fresh, err := s.store.InsertAnswer(ctx, tx, &a)
		if err != nil {
			return nil, false, err
		}
		if !fresh {
			continue
		}
		if err := s.Record(ctx, tx, orgID, "survey_answer", a.ID, auditlog.Diff(nil, &a)); err != nil {
			return nil, false, err
		}
		if err := s.tell(ctx, tx, &a); err != nil {
			return nil, false, err
		}
		stored = append(stored, a)
	}
	return stored, len(stored) > 0, nil
}

// checkAnswers holds each answer to its question's scale.
func checkAnswers(sv *Survey, answers []AnswerInput, prefix string) error {
	seen := map[string]bool{}
	for i, a := range answers {
		at := prefix + "answers[" + strconv.Itoa(i) + "]."
		q := sv.Question(a.QuestionKey)
		switch {
		case q == nil:
			return errs.Invalid(at+"question_key", "the survey has no such question")
		case seen[a.QuestionKey]:
			return errs.Invalid(at+"question_key", "answers the same question twice")
		}
		seen[a.QuestionKey] = true
		lo, hi, numeric := ValueRange(q.Scale)
		switch {
		case numeric && a.Value == nil:
			return errs.Invalid(at+"value", "is required for a "+q.Scale+" question")
		case numeric && (*a.Value < lo || *a.Value > hi):
			return errs.Invalid(at+"value", "must be from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+" on the "+q.Scale+" scale")
		case !numeric && a.Value != nil:
			return errs.Invalid(at+"value", "a free-text question takes a comment, not a value")
		case !numeric && (a.Comment == nil || *a.Comment == ""):
			return errs.Invalid(at+"comment", "is required for a free-text question")
		}
	}
	return nil
}

// placement is where a response belongs: the enrollment, the moment and
// the curator the student had then.
type placement struct {
	cohort       *Cohort
	enrollmentID string
	moduleID     *string
	curatorID    *string
	momentKey    string
}

// place ties a response to the student's enrollment in the cohort, the
// survey's moment and the curator of that moment.
func (s *Service) place(ctx context.Context, orgID string, sv *Survey, in ResponseInput, prefix string) (*placement, error) {
	cohort, err := s.school.Cohort(ctx, orgID, in.CohortID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid(prefix+"cohort_id", "no such cohort in this school")
	} else if err != nil {
		return nil, err
	}
	if sv.CourseID != nil && *sv.CourseID != cohort.CourseID {
		return nil, errs.Invalid(prefix+"cohort_id", "the survey belongs to another course")
	}
	e, err := s.school.StudentInCohort(ctx, orgID, in.StudentID, cohort.ID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid(prefix+"student_id", "the student is not enrolled in the cohort")
	} else if err != nil {
		return nil, err
	}
	p := &placement{cohort: cohort, enrollmentID: e.ID}
	if p.curatorID, err = s.curatorAt(ctx, orgID, e, in.AnsweredAt); err != nil {
		return nil, err
	}
	switch sv.Moment {
	case MomentModuleEnd:
		if p.moduleID, err = s.module(ctx, orgID, cohort.CourseID, in, prefix); err != nil {
			return nil, err
		}
		p.momentKey = *p.moduleID
	case MomentCourseEnd:
		p.momentKey = cohort.ID
	case MomentAfterConversation:
		if in.ConversationRef == nil {
			return nil, errs.Invalid(prefix+"conversation_ref", "is required: the survey follows a conversation")
		}
		p.momentKey = "conversation:" + *in.ConversationRef
	}
	return p, nil
}

// module resolves the module a module_end response is about.
func (s *Service) module(ctx context.Context, orgID, courseID string, in ResponseInput, prefix string) (*string, error) {
	if in.ModuleID == nil && in.ModulePosition == nil {
		return nil, errs.Invalid(prefix+"module_id", "is required: the survey is asked at the end of a module")
	}
	modules, err := s.school.CourseModules(ctx, orgID, courseID)
	if err != nil {
		return nil, err
	}
	for _, m := range modules {
		if (in.ModuleID != nil && m.ID == *in.ModuleID) || (in.ModuleID == nil && m.Position == *in.ModulePosition) {
			return &m.ID, nil
		}
	}
	if in.ModuleID != nil {
		return nil, errs.Invalid(prefix+"module_id", "no such module in the cohort's course")
	}
	return nil, errs.Invalid(prefix+"module_position", "no such module in the cohort's course")
}

// curatorAt is the enrollment's curator at the moment, by CuratorAt.
func (s *Service) curatorAt(ctx context.Context, orgID string, e *Enrollment, at time.Time) (*string, error) {
	history, err := s.school.CuratorHistory(ctx, orgID, e.ID)
	if err != nil {
		return nil, err
	}
	return CuratorAt(history, e.CuratorID, at), nil
}

// CuratorAt picks the curator of a moment from an enrollment's history:
// the last change made at or before it. Before the first change, the
// curator that change replaced; when it replaced nobody (the enrollment's
// first curator, recorded when the enrollment was — often later than the
// student really started, as with imports), that first curator. With no
// history at all, now: the curator today.
func CuratorAt(history []CuratorChange, now *string, at time.Time) *string {
	if len(history) == 0 {
		return now
	}
	sorted := slices.Clone(history)
	slices.SortStableFunc(sorted, func(a, b CuratorChange) int { return a.At.Compare(b.At) })
	cur := sorted[0].Previous
	if cur == nil {
		cur = sorted[0].CuratorID
	}
	for _, h := range sorted {
		if h.At.After(at) {
			break
		}
		cur = h.CuratorID
	}
	return cur
}

// tell passes a new numeric answer to the observers.
func (s *Service) tell(ctx context.Context, tx bun.IDB, a *Answer) error {
	if a.Value == nil {
		return nil
	}
	fact := AnswerFact{OrgID: a.OrgID, AnswerID: a.ID, StudentID: a.StudentID, EnrollmentID: a.EnrollmentID, CohortID: a.CohortID,
		ModuleID: a.ModuleID, CuratorID: a.CuratorID, Scale: a.Scale, Value: *a.Value, AnsweredAt: a.AnsweredAt}
	for _, o := range s.observers {
		if err := o.SurveyAnswered(ctx, tx, fact); err != nil {
			return err
		}
	}
	return nil
}

// actor is the person or key recording, nil for the LMS's events.
func actor(ctx context.Context) *string {
	if id := reqctx.From(ctx).Principal.ActorID(); id != "" {
		return &id
	}
	return nil
}
