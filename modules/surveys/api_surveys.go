package surveys

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// SurveyPath addresses one survey.
type SurveyPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Survey id."`
}

// NewSurveyBody defines a survey.
type NewSurveyBody struct {
	Title     string        `json:"title" minLength:"1" maxLength:"200" example:"Оценка модуля"`
	Moment    string        `json:"moment" enum:"module_end,course_end,after_conversation,ad_hoc" doc:"When it is asked: an answer is kept once per student and module, cohort, conversation, or (ad hoc) survey."`
	CourseID  *string       `json:"course_id,omitempty" format:"uuid" doc:"Ask it in this course only."`
	Questions []QuestionDTO `json:"questions" minItems:"1" maxItems:"20"`
}

// SurveyChangesBody changes a survey; fields left out stay as they are.
type SurveyChangesBody struct {
	Title     *string       `json:"title,omitempty" minLength:"1" maxLength:"200"`
	Status    *string       `json:"status,omitempty" enum:"active,archived" doc:"An archived survey takes no new answers."`
	Questions []QuestionDTO `json:"questions,omitempty" minItems:"1" maxItems:"20" doc:"The whole new list. A question with answers keeps its key and scale."`
}

type createSurveyInput struct {
	httpapi.OrgPath
	Body NewSurveyBody
}

type updateSurveyInput struct {
	SurveyPath
	httpapi.IfMatch
	Body SurveyChangesBody
}

type listSurveysInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Status   string `query:"status" enum:"active,archived"`
	CourseID string `query:"course_id" format:"uuid"`
	Moment   string `query:"moment" enum:"module_end,course_end,after_conversation,ad_hoc"`
}

type surveyOutput struct {
	ETag string `header:"ETag"`
	Body SurveyDTO
}

type listSurveysOutput struct{ Body httpapi.Page[SurveyDTO] }

func newSurveyOutput(sv *Survey) *surveyOutput {
	return &surveyOutput{ETag: httpapi.ETag(sv.Version), Body: surveyDTO(*sv)}
}

func registerSurveys(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("surveys", "read"), huma.Operation{
		OperationID: "list-surveys", Method: http.MethodGet, Path: "/v1/orgs/{org}/surveys", Tags: []string{"Surveys"},
		Summary: "List the school's surveys", Description: "Filter by status, course and moment. Ordered by creation.",
	}, func(ctx context.Context, in *listSurveysInput) (*listSurveysOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListSurveys(ctx, httpapi.OrgID(ctx), SurveyFilter{Status: in.Status, CourseID: in.CourseID, Moment: in.Moment,
			AfterID: after, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		return &listSurveysOutput{Body: httpapi.NewPage(rows, in.Limit, surveyDTO, func(s Survey) []string { return []string{s.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("surveys", "create"), huma.Operation{
		OperationID: "create-survey", Method: http.MethodPost, Path: "/v1/orgs/{org}/surveys", Tags: []string{"Surveys"},
		Summary: "Define a survey",
		Description: "Questions on the CSI (1–5), NPS (0–10) or free-text scale, each with a key unique in the survey, attached to a moment " +
			"of the course. The LMS sends the answers as survey.answered events naming the survey's id.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createSurveyInput) (*surveyOutput, error) {
		b := in.Body
		sv, err := svc.CreateSurvey(ctx, httpapi.OrgID(ctx), SurveyInput{Title: b.Title, Moment: b.Moment, CourseID: b.CourseID, Questions: questions(b.Questions)})
		if err != nil {
			return nil, err
		}
		return newSurveyOutput(sv), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("surveys", "read"), huma.Operation{
		OperationID: "get-survey", Method: http.MethodGet, Path: "/v1/orgs/{org}/surveys/{id}", Tags: []string{"Surveys"},
		Summary: "Get a survey", Description: "The ETag is needed to change it.",
	}, func(ctx context.Context, in *SurveyPath) (*surveyOutput, error) {
		sv, err := svc.Survey(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newSurveyOutput(sv), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("surveys", "update"), huma.Operation{
		OperationID: "update-survey", Method: http.MethodPatch, Path: "/v1/orgs/{org}/surveys/{id}", Tags: []string{"Surveys"},
		Summary: "Rename, archive or change the questions of a survey",
		Description: "Fields left out stay as they are. A question that has answers cannot be removed or change its scale (422). " +
			"Needs If-Match with the ETag of the last read.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *updateSurveyInput) (*surveyOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		b := in.Body
		sv, err := svc.UpdateSurvey(ctx, httpapi.OrgID(ctx), in.ID, version, SurveyChanges{Title: b.Title, Status: b.Status, Questions: questions(b.Questions)})
		if err != nil {
			return nil, err
		}
		return newSurveyOutput(sv), nil
	})
}
