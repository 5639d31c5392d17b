package surveys

import (
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the surveys operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Surveys", "Survey definitions (CSI 1–5, NPS 0–10, free text), students' answers and their tags.")
	registerSurveys(api, svc)
	registerAnswers(api, svc)
}

// QuestionDTO is one question of a survey.
type QuestionDTO struct {
	Key   string `json:"key" minLength:"1" maxLength:"64" pattern:"^[a-z0-9_]+$" example:"csi" doc:"Names the question in answers; kept while it has answers."`
	Scale string `json:"scale" enum:"csi,nps,text" doc:"csi: 1–5, 4–5 satisfied; nps: 0–10, 9–10 promoters, 0–6 detractors; text: free text."`
	Text  string `json:"text" minLength:"1" maxLength:"500" example:"Насколько вы довольны работой куратора?"`
}

// SurveyDTO is a survey.
type SurveyDTO struct {
	ID        string        `json:"id" format:"uuid"`
	Title     string        `json:"title"`
	Moment    string        `json:"moment" enum:"module_end,course_end,after_conversation,ad_hoc"`
	CourseID  *string       `json:"course_id" format:"uuid" doc:"Set when the survey is asked in one course only."`
	Questions []QuestionDTO `json:"questions"`
	Status    string        `json:"status" enum:"active,archived"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Version   int64         `json:"version"`
}

func surveyDTO(sv Survey) SurveyDTO {
	qs := make([]QuestionDTO, len(sv.Questions))
	for i, q := range sv.Questions {
		qs[i] = QuestionDTO(q)
	}
	return SurveyDTO{ID: sv.ID, Title: sv.Title, Moment: sv.Moment, CourseID: sv.CourseID, Questions: qs, Status: sv.Status,
		CreatedAt: sv.CreatedAt.UTC(), UpdatedAt: sv.UpdatedAt.UTC(), Version: sv.Version}
}

func questions(in []QuestionDTO) []Question {
	if in == nil {
		return nil
	}
	out := make([]Question, len(in))
	for i, q := range in {
		out[i] = Question(q)
	}
	return out
}
