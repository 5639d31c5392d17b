package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CandidateItemDTO is one piece of work as the candidate sees it: no
// reference, no submission or student.
type CandidateItemDTO struct {
	ID       string                     `json:"id" format:"uuid" doc:"Answer with this id."`
	Title    string                     `json:"title"`
	Content  CalibrationMaterialDTO     `json:"content"`
	Rubric   []CalibrationRubricLineDTO `json:"rubric" nullable:"false"`
	MaxScore int                        `json:"max_score"`
}

// CandidateAnswerDTO is one of the candidate's own answers.
type CandidateAnswerDTO struct {
	ItemID  string `json:"item_id" format:"uuid"`
	Verdict string `json:"verdict" enum:"accepted,rework_requested,rejected"`
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// CandidateTaskDTO is the candidate's test task.
type CandidateTaskDTO struct {
	Status      string               `json:"status" enum:"issued,submitted,expired" doc:"Once submitted the task is read-only."`
	ExpiresAt   time.Time            `json:"expires_at"`
	SubmittedAt *time.Time           `json:"submitted_at"`
	Items       []CandidateItemDTO   `json:"items" nullable:"false"`
	Answers     []CandidateAnswerDTO `json:"answers" nullable:"false" doc:"The candidate's own answers, once submitted."`
}

func candidateTaskDTO(v *CandidateView) CandidateTaskDTO {
	d := CandidateTaskDTO{Status: v.Status, ExpiresAt: utc(v.ExpiresAt), SubmittedAt: httpapi.UTC(v.SubmittedAt), Items: []CandidateItemDTO{},
		Answers: []CandidateAnswerDTO{}}
	for _, it := range v.Items {
		d.Items = append(d.Items, CandidateItemDTO{ID: it.ID, Title: it.Title, Content: materialDTO(it.Content), Rubric: rubricDTO(it.Rubric),
			MaxScore: it.MaxScore})
	}
	for _, a := range v.Answers {
		d.Answers = append(d.Answers, CandidateAnswerDTO{ItemID: a.ItemID, Verdict: a.Verdict, Score: a.Score, Comment: a.Comment})
	}
	return d
}

// TaskSubmissionBody is the candidate's review of every item.
type TaskSubmissionBody struct {
	Answers []TaskAnswerBody `json:"answers" minItems:"1" maxItems:"20"`
}

// TaskAnswerBody is the candidate's review of one item.
type TaskAnswerBody struct {
	ItemID  string `json:"item_id" format:"uuid" maxLength:"36"`
	Verdict string `json:"verdict" enum:"accepted,rework_requested,rejected"`
	Score   int    `json:"score" minimum:"0" maximum:"10000" doc:"Rubric points, at most the item's max_score."`
	Comment string `json:"comment,omitempty" maxLength:"20000" doc:"The feedback the candidate would give the student."`
}

// CandidateOfferDTO is the offer as the candidate sees it.
type CandidateOfferDTO struct {
	Status             string    `json:"status" enum:"sent,accepted,declined,withdrawn,expired"`
	FullName           string    `json:"full_name"`
	VacancyTitle       string    `json:"vacancy_title"`
	StartDate          string    `json:"start_date" format:"date"`
	PayScheme          string    `json:"pay_scheme"`
	MonthlyBaseKopecks *int64    `json:"monthly_base_kopecks" doc:"The fixed monthly part, in kopecks, if any."`
	ExpiresAt          time.Time `json:"expires_at"`
}

func candidateOfferDTO(v *OfferView) CandidateOfferDTO {
	return CandidateOfferDTO{Status: v.Status, FullName: v.FullName, VacancyTitle: v.VacancyTitle, StartDate: v.Offer.StartDate,
		PayScheme: v.Offer.PayScheme, MonthlyBaseKopecks: v.Offer.MonthlyBaseKopecks, ExpiresAt: utc(v.Offer.ExpiresAt)}
}

// AcceptanceBody accepts an offer.
type AcceptanceBody struct {
	Password string `json:"password" minLength:"10" maxLength:"200" doc:"The password of the new account: at least 10 characters, not easy to guess. Ignored when the email already has an account: the candidate then signs in with it and accepts the school's invitation."`
}

func registerCandidateLinks(api huma.API, svc *Service) {
	tags := []string{"Hiring candidate links"}
	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "open-hiring-test-task", Method: http.MethodGet, Path: "/v1/hiring/test-tasks/{token}", Tags: tags,
		Summary:     "Open a test task by its link",
		Description: "No account: the link's secret token is the access. Shows the anonymised work to review and, once submitted, the candidate's own answers — never the references or anything of other candidates. A revoked link answers 404.",
	}, func(ctx context.Context, in *TokenPath) (*struct{ Body CandidateTaskDTO }, error) {
		v, err := svc.OpenTask(ctx, in.Token)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CandidateTaskDTO }{Body: candidateTaskDTO(v)}, nil
	})

	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "submit-hiring-test-task", Method: http.MethodPost, Path: "/v1/hiring/test-tasks/{token}/submission", Tags: tags,
		Summary:     "Submit a test task",
		Description: "One answer per item. Once submitted the task is read-only (409 on a second submission); an expired link answers 409.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		TokenPath
		Body TaskSubmissionBody
	}) (*struct{ Body CandidateTaskDTO }, error) {
		answers := make([]Answer, len(in.Body.Answers))
		for i, a := range in.Body.Answers {
			answers[i] = Answer{ItemID: a.ItemID, Verdict: a.Verdict, Score: a.Score, Comment: a.Comment}
		}
		v, err := svc.SubmitTask(ctx, in.Token, answers)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CandidateTaskDTO }{Body: candidateTaskDTO(v)}, nil
	})

	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "open-hiring-offer", Method: http.MethodGet, Path: "/v1/hiring/offers/{token}", Tags: tags,
		Summary: "Open an offer by its link", Description: "No account: the link's secret token is the access.",
	}, func(ctx context.Context, in *TokenPath) (*struct{ Body CandidateOfferDTO }, error) {
		v, err := svc.OpenOffer(ctx, in.Token)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CandidateOfferDTO }{Body: candidateOfferDTO(v)}, nil
	})

	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "accept-hiring-offer", Method: http.MethodPost, Path: "/v1/hiring/offers/{token}/acceptance", Tags: tags,
		Summary:     "Accept an offer",
		Description: "In one transaction: the account (with the password chosen here) and the curator membership of the school, the onboarding plan from the curator template, and the application at the hired stage. A weak password is a 422 and changes nothing.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		TokenPath
		Body AcceptanceBody
	}) (*struct{ Body CandidateOfferDTO }, error) {
		v, err := svc.AcceptByLink(ctx, in.Token, in.Body.Password)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CandidateOfferDTO }{Body: candidateOfferDTO(v)}, nil
	})

	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "decline-hiring-offer", Method: http.MethodPost, Path: "/v1/hiring/offers/{token}/decline", Tags: tags,
		Summary: "Decline an offer", Description: "The offer is closed; HR sees it declined.", Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *TokenPath) (*struct{ Body CandidateOfferDTO }, error) {
		v, err := svc.DeclineByLink(ctx, in.Token)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CandidateOfferDTO }{Body: candidateOfferDTO(v)}, nil
	})
}
