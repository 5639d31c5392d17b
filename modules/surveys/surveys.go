package surveys

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// SurveyInput is a survey as staff define it.
type SurveyInput struct {
	Title     string     `json:"title" validate:"required,singleline,max=200"`
	Moment    string     `json:"moment" validate:"required,oneof=module_end course_end after_conversation ad_hoc"`
	CourseID  *string    `json:"course_id" validate:"omitnil,uuid"`
	Questions []Question `json:"questions" validate:"required,min=1,max=20,dive"`
}

// SurveyChanges are the changes of a survey; nil fields stay as they are.
type SurveyChanges struct {
	Title     *string    `json:"title" validate:"omitnil,required,singleline,max=200"`
	Status    *string    `json:"status" validate:"omitnil,oneof=active archived"`
	Questions []Question `json:"questions" validate:"omitempty,min=1,max=20,dive"`
}

// checkQuestions refuses a question list with a repeated key.
func checkQuestions(qs []Question, prefix string) error {
	seen := map[string]bool{}
	for i, q := range qs {
		if seen[q.Key] {
			return errs.Invalid(prefix+"questions["+strconv.Itoa(i)+"].key", "repeats another question's key")
		}
		seen[q.Key] = true
	}
	return nil
}

// CreateSurvey defines a new survey of the school.
func (s *Service) CreateSurvey(ctx context.Context, orgID string, in SurveyInput) (*Survey, error) {
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return nil, err
	}
	if err := checkQuestions(in.Questions, "body."); err != nil {
		return nil, err
	}
	if in.CourseID != nil {
		if err := s.school.CourseExists(ctx, orgID, *in.CourseID); errors.Is(err, errs.ErrNotFound) {
			return nil, errs.Invalid("body.course_id", "no such course in this school")
		} else if err != nil {
			return nil, err
		}
	}
	now := s.Now()
	sv := &Survey{ID: ids.New(), OrgID: orgID, Title: in.Title, Moment: in.Moment, CourseID: in.CourseID, Questions: in.Questions,
		Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertSurvey(ctx, tx, sv); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "survey", sv.ID, auditlog.Diff(nil, sv))
	})
	return sv, err
}

// UpdateSurvey changes a survey's title, status or questions. A question
// that has answers keeps its key and scale: its answers would otherwise
// change meaning.
func (s *Service) UpdateSurvey(ctx context.Context, orgID, id string, version int64, ch SurveyChanges) (*Survey, error) {
	if err := validate.Struct(s.Now(), "body.", ch); err != nil {
		return nil, err
	}
	if ch.Questions != nil {
		if err := checkQuestions(ch.Questions, "body."); err != nil {
			return nil, err
		}
	}
	var out *Survey
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Survey, *Survey]{
			What:   "the survey",
			Load:   func() (*Survey, error) { return s.store.LockSurvey(ctx, tx, orgID, id) },
			Change: func(sv *Survey) error { return s.changeSurvey(ctx, tx, sv, ch) },
			Write:  func(sv *Survey, was int64) (bool, error) { return s.store.UpdateSurvey(ctx, tx, sv, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		if after == nil {
			out = before
			return nil
		}
		out = after
		return s.Record(ctx, tx, orgID, "survey", id, auditlog.Diff(before, after))
	})
	return out, err
}

func (s *Service) changeSurvey(ctx context.Context, tx bun.IDB, sv *Survey, ch SurveyChanges) error {
	title, status := sv.Title, sv.Status
	database.SetIf(&sv.Title, ch.Title)
	database.SetIf(&sv.Status, ch.Status)
	changed := sv.Title != title || sv.Status != status
	if ch.Questions != nil {
		answered, err := s.store.AnsweredKeys(ctx, tx, sv.OrgID, sv.ID)
		if err != nil {
			return err
		}
		for _, key := range answered {
			was, now := sv.Question(key), findQuestion(ch.Questions, key)
			if was == nil {
				continue
			}
			if now == nil {
				return errs.Invalid("body.questions", "question "+key+" has answers and cannot be removed")
			}
			if now.Scale != was.Scale {
				return errs.Invalid("body.questions", "question "+key+" has answers; its scale cannot change")
			}
		}
		if !slices.Equal(sv.Questions, ch.Questions) {
			sv.Questions, changed = ch.Questions, true
		}
	}
	if !changed {
		return database.ErrUnchanged
	}
	return nil
}

func findQuestion(qs []Question, key string) *Question {
	for i := range qs {
		if qs[i].Key == key {
			return &qs[i]
		}
	}
	return nil
}

// Survey returns one survey of the school.
func (s *Service) Survey(ctx context.Context, orgID, id string) (*Survey, error) {
	return s.store.Survey(ctx, s.DB, orgID, id)
}

// ListSurveys lists the school's surveys.
func (s *Service) ListSurveys(ctx context.Context, orgID string, f SurveyFilter) ([]Survey, error) {
	return s.store.ListSurveys(ctx, s.DB, orgID, f)
}
