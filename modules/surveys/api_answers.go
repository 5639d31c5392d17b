package surveys

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// AnswerPath addresses one answer.
type AnswerPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Answer id."`
}

// AnswerValueBody is the answer to one question.
type AnswerValueBody struct {
	QuestionKey string  `json:"question_key" minLength:"1" maxLength:"64" example:"csi"`
	Value       *int    `json:"value,omitempty" minimum:"0" maximum:"10" doc:"1–5 for csi, 0–10 for nps; absent for text."`
	Comment     *string `json:"comment,omitempty" maxLength:"5000" doc:"Required for a text question; optional beside a score."`
}

// ResponseBody is one student's answers to a survey at one moment.
type ResponseBody struct {
	StudentID       string            `json:"student_id" format:"uuid"`
	CohortID        string            `json:"cohort_id" format:"uuid" doc:"The cohort the student answers in; they must be enrolled in it."`
	ModuleID        *string           `json:"module_id,omitempty" format:"uuid" doc:"Required for a module_end survey: the module just finished."`
	ConversationRef *string           `json:"conversation_ref,omitempty" maxLength:"200" doc:"Required for an after_conversation survey: the conversation it follows."`
	AnsweredAt      time.Time         `json:"answered_at" doc:"When the student answered; not in the future."`
	Answers         []AnswerValueBody `json:"answers" minItems:"1" maxItems:"20"`
}

// AnswerDTO is one answer with the names people read beside its ids.
type AnswerDTO struct {
	ID           string    `json:"id" format:"uuid"`
	SurveyID     string    `json:"survey_id" format:"uuid"`
	SurveyTitle  string    `json:"survey_title"`
	QuestionKey  string    `json:"question_key"`
	QuestionText string    `json:"question_text"`
	Scale        string    `json:"scale" enum:"csi,nps,text"`
	Value        *int      `json:"value" doc:"Null for a text question."`
	Comment      *string   `json:"comment" doc:"The student's words; null when none or erased."`
	StudentID    string    `json:"student_id" format:"uuid"`
	StudentName  string    `json:"student_name"`
	EnrollmentID string    `json:"enrollment_id" format:"uuid"`
	CohortID     string    `json:"cohort_id" format:"uuid"`
	CohortName   string    `json:"cohort_name"`
	CourseID     string    `json:"course_id" format:"uuid"`
	ModuleID     *string   `json:"module_id" format:"uuid"`
	CuratorID    *string   `json:"curator_id" format:"uuid" doc:"The student's curator when they answered (from the curator history), not today's."`
	CuratorName  *string   `json:"curator_name"`
	Source       string    `json:"source" doc:"lms for survey.answered events, api for answers entered here."`
	Tags         []string  `json:"tags"`
	TagsVersion  int64     `json:"tags_version" doc:"The ETag of the tags (1 until first tagged)."`
	AnsweredAt   time.Time `json:"answered_at"`
}

func answerDTO(a Answer, n *AnswerNames) AnswerDTO {
	d := AnswerDTO{ID: a.ID, SurveyID: a.SurveyID, QuestionKey: a.QuestionKey, Scale: a.Scale, Value: a.Value, Comment: a.Comment,
		StudentID: a.StudentID, StudentName: n.Students[a.StudentID], EnrollmentID: a.EnrollmentID, CohortID: a.CohortID,
		CohortName: n.Cohorts[a.CohortID], CourseID: a.CourseID, ModuleID: a.ModuleID, CuratorID: a.CuratorID, Source: a.Source,
		Tags: a.Tags, TagsVersion: a.TagsETagVersion(), AnsweredAt: a.AnsweredAt.UTC()}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	if sv := n.Surveys[a.SurveyID]; sv != nil {
		d.SurveyTitle = sv.Title
		if q := sv.Question(a.QuestionKey); q != nil {
			d.QuestionText = q.Text
		}
	}
	if a.CuratorID != nil {
		if name, ok := n.Curators[*a.CuratorID]; ok {
			d.CuratorName = &name
		}
	}
	return d
}

// ResponseCreated is the answers just stored.
type ResponseCreated struct {
	Items []AnswerDTO `json:"items"`
}

// TagsBody replaces an answer's tags.
type TagsBody struct {
	Tags []string `json:"tags" maxItems:"20" doc:"The whole new list; each tag 1–40 characters, kept once." example:"[\"куратор\",\"сроки\"]"`
}

type recordResponseInput struct {
	SurveyPath
	Body ResponseBody
}

type listAnswersInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	SurveyID  string    `query:"survey_id" format:"uuid"`
	CohortID  string    `query:"cohort_id" format:"uuid"`
	CuratorID string    `query:"curator_id" format:"uuid" doc:"The curator of the moment of the answer."`
	StudentID string    `query:"student_id" format:"uuid"`
	Scale     string    `query:"scale" enum:"csi,nps,text"`
	Tag       string    `query:"tag" maxLength:"40"`
	From      time.Time `query:"from" doc:"Answered at or after."`
	To        time.Time `query:"to" doc:"Answered before."`
}

type setTagsInput struct {
	AnswerPath
	httpapi.IfMatch
	Body TagsBody
}

type responseOutput struct{ Body ResponseCreated }

type answerOutput struct {
	ETag string `header:"ETag"`
	Body AnswerDTO
}

type listAnswersOutput struct{ Body httpapi.Page[AnswerDTO] }

// visibility says who reads which answers.
const visibility = " Those who hold survey_answers:read_all (head, senior curators) see every answer; a curator sees the answers " +
	"that count for her (she was the student's curator when they answered); HR and finance see none."

func registerAnswers(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("survey_answers", "create"), huma.Operation{
		OperationID: "record-survey-response", Method: http.MethodPost, Path: "/v1/orgs/{org}/surveys/{id}/responses", Tags: []string{"Surveys"},
		Summary: "Record a student's answers to a survey",
		Description: "For answers collected outside the LMS. Each answer is tied to the student's enrollment in the cohort and to the curator " +
			"the student had at answered_at. A student answers a survey once per moment: a second response answers 409 and stores nothing.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *recordResponseInput) (*responseOutput, error) {
		b := in.Body
		answers := make([]AnswerInput, len(b.Answers))
		for i, a := range b.Answers {
			answers[i] = AnswerInput(a)
		}
		orgID := httpapi.OrgID(ctx)
		rows, err := svc.RecordResponse(ctx, orgID, ResponseInput{SurveyID: in.ID, StudentID: b.StudentID, CohortID: b.CohortID,
			ModuleID: b.ModuleID, ConversationRef: b.ConversationRef, AnsweredAt: b.AnsweredAt, Answers: answers})
		if err != nil {
			return nil, err
		}
		names, err := svc.Names(ctx, orgID, rows)
		if err != nil {
			return nil, err
		}
		out := &responseOutput{Body: ResponseCreated{Items: make([]AnswerDTO, len(rows))}}
		for i, a := range rows {
			out.Body.Items[i] = answerDTO(a, names)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("survey_answers", "read"), huma.Operation{
		OperationID: "list-survey-answers", Method: http.MethodGet, Path: "/v1/orgs/{org}/survey-answers", Tags: []string{"Surveys"},
		Summary: "List survey answers",
		Description: "Filter by survey, cohort, curator of the moment, student, scale, tag and answer time [from, to). Ordered by when they " +
			"were stored." + visibility,
	}, func(ctx context.Context, in *listAnswersInput) (*listAnswersOutput, error) {
		if err := clock.CheckPeriod(in.From, in.To); err != nil {
			return nil, err
		}
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		f := AnswerFilter{SurveyID: in.SurveyID, CohortID: in.CohortID, CuratorID: in.CuratorID, StudentID: in.StudentID, Scale: in.Scale,
			Tag: in.Tag, AfterID: after, Limit: in.Limit}
		if !in.From.IsZero() {
			f.From = &in.From
		}
		if !in.To.IsZero() {
			f.To = &in.To
		}
		orgID := httpapi.OrgID(ctx)
		rows, err := svc.ListAnswers(ctx, orgID, f)
		if err != nil {
			return nil, err
		}
		names, err := svc.Names(ctx, orgID, rows)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(rows, in.Limit, func(a Answer) AnswerDTO { return answerDTO(a, names) }, func(a Answer) []string { return []string{a.ID} })
		return &listAnswersOutput{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("survey_answers", "read"), huma.Operation{
		OperationID: "get-survey-answer", Method: http.MethodGet, Path: "/v1/orgs/{org}/survey-answers/{id}", Tags: []string{"Surveys"},
		Summary: "Get a survey answer", Description: "The ETag is the version of its tags, needed to change them." + visibility,
	}, func(ctx context.Context, in *AnswerPath) (*answerOutput, error) {
		return answerResponse(ctx, svc, in.ID, nil)
	})

	httpapi.Register(api, httpapi.OrgPermission("survey_answer_tags", "update"), huma.Operation{
		OperationID: "set-survey-answer-tags", Method: http.MethodPut, Path: "/v1/orgs/{org}/survey-answers/{id}/tags", Tags: []string{"Surveys"},
		Summary: "Tag a survey answer",
		Description: "Replaces the answer's tags (the head's and senior curators' labels of what a comment is about). The answer itself " +
			"never changes. Needs If-Match with the ETag of the last read.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *setTagsInput) (*answerOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		tags := in.Body.Tags
		if tags == nil {
			tags = []string{}
		}
		a, err := svc.SetTags(ctx, httpapi.OrgID(ctx), in.ID, version, tags)
		if err != nil {
			return nil, err
		}
		return answerResponse(ctx, svc, in.ID, a)
	})
}

// answerResponse names an answer (loading it unless given) for the answer
// operations.
func answerResponse(ctx context.Context, svc *Service, id string, a *Answer) (*answerOutput, error) {
	orgID := httpapi.OrgID(ctx)
	if a == nil {
		var err error
		if a, err = svc.Answer(ctx, orgID, id); err != nil {
			return nil, err
		}
	}
	names, err := svc.Names(ctx, orgID, []Answer{*a})
	if err != nil {
		return nil, err
	}
	return &answerOutput{ETag: httpapi.ETag(a.TagsETagVersion()), Body: answerDTO(*a, names)}, nil
}
