package surveys

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// EventSurveyAnswered is the LMS event of a student's answers to a survey.
const EventSurveyAnswered = "survey.answered"

// EventHandlers returns the handlers of the survey events the LMS sends;
// the server registers them with the integration inbox, which then also
// replays the events it kept waiting for a handler.
func (s *Service) EventHandlers() map[string]events.Handler {
	return map[string]events.Handler{EventSurveyAnswered: s.handleSurveyAnswered}
}

// answeredEvent is the data of survey.answered: the survey by its id here,
// the student and cohort by their ids in the LMS, the moment, and one
// answer per question.
type answeredEvent struct {
	SurveyID          string        `json:"survey_id" validate:"uuid"`
	Source            string        `json:"source" validate:"max=50,singleline"`
	StudentExternalID string        `json:"student_external_id" validate:"max=200,singleline"`
	CohortExternalID  string        `json:"cohort_external_id" validate:"max=200,singleline"`
	ModulePosition    *int          `json:"module_position" validate:"omitnil,min=1,max=1000"`
	ConversationRef   *string       `json:"conversation_ref" validate:"omitnil,required,singleline,max=200"`
	AnsweredAt        *time.Time    `json:"answered_at" validate:"omitnil,fact"`
	Answers           []AnswerInput `json:"answers" validate:"required,min=1,max=20,dive"`
}

// handleSurveyAnswered stores the answers of the event. Sent again, under
// the same or a new event id, it stores nothing: one answer per student,
// survey, moment and question.
func (s *Service) handleSurveyAnswered(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d answeredEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("survey_id", d.SurveyID, "student_external_id", d.StudentExternalID, "cohort_external_id", d.CohortExternalID); err != nil {
		return err
	}
	if d.AnsweredAt == nil {
		return errs.Invalid("data.answered_at", "is required")
	}
	source := strings.TrimSpace(d.Source)
	if source == "" {
		source = SourceLMS
	}
	// The rules run before the look-ups, so that no unchecked string
	// reaches a query.
	if err := validate.Struct(s.Now(), "data.", d); err != nil {
		return err
	}
	in := ResponseInput{SurveyID: d.SurveyID, ModulePosition: d.ModulePosition, ConversationRef: d.ConversationRef,
		AnsweredAt: *d.AnsweredAt, Answers: d.Answers, Source: SourceLMS, EventID: &ev.EventID}
	st, err := s.school.StudentByExternalID(ctx, ev.OrgID, source, d.StudentExternalID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("data.student_external_id", "no student with this id in the LMS")
	} else if err != nil {
		return err
	}
	co, err := s.school.CohortByExternalID(ctx, ev.OrgID, source, d.CohortExternalID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("data.cohort_external_id", "no cohort with this id in the LMS")
	} else if err != nil {
		return err
	}
	in.StudentID, in.CohortID = st.ID, co.ID
	_, _, err = s.record(ctx, tx, ev.OrgID, in, "data.")
	return err
}
