package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// HiringStageDTO is one stage of the pipeline.
type HiringStageDTO struct {
	ID       string `json:"id" format:"uuid"`
	Key      string `json:"key" example:"screening"`
	Title    string `json:"title" example:"Скрининг"`
	Kind     string `json:"kind" enum:"applied,step,test_task,interview,offer,hired,rejected,reserve" doc:"What the stage means to the rules; custom stages are steps."`
	Position int    `json:"position" doc:"Board order, ascending."`
	Active   bool   `json:"active" doc:"A retired step takes no new moves; applications already in it stay."`
	Version  int64  `json:"version"`
}

func stageDTO(s *Stage) HiringStageDTO {
	return HiringStageDTO{ID: s.ID, Key: s.Key, Title: s.Title, Kind: s.Kind, Position: s.Position, Active: s.Active, Version: s.Version}
}

// StageList is the school's pipeline.
type StageList struct {
	Items []HiringStageDTO `json:"items" nullable:"false"`
}

// NewStageBody adds a step.
type NewStageBody struct {
	Key      string `json:"key" minLength:"2" maxLength:"40" pattern:"^[a-z0-9_]+$" example:"trial_day"`
	Title    string `json:"title" minLength:"1" maxLength:"120" example:"Пробный день"`
	Position int    `json:"position" minimum:"0" maximum:"10000" doc:"Board order; the defaults are 10, 20, … 80."`
}

// StagePatchBody changes a stage.
type StagePatchBody struct {
	Title    *string `json:"title,omitempty" minLength:"1" maxLength:"120"`
	Position *int    `json:"position,omitempty" minimum:"0" maximum:"10000"`
	Active   *bool   `json:"active,omitempty" doc:"Only steps may be retired."`
}

// RejectionReasonDTO is one rejection reason.
type RejectionReasonDTO struct {
	ID      string `json:"id" format:"uuid"`
	Code    string `json:"code" example:"no_show"`
	Title   string `json:"title" example:"Не пришёл на собеседование"`
	Active  bool   `json:"active"`
	Version int64  `json:"version"`
}

func reasonDTO(r *RejectionReason) RejectionReasonDTO {
	return RejectionReasonDTO{ID: r.ID, Code: r.Code, Title: r.Title, Active: r.Active, Version: r.Version}
}

// ReasonList is the rejection catalog.
type ReasonList struct {
	Items []RejectionReasonDTO `json:"items" nullable:"false"`
}

// NewReasonBody adds a rejection reason.
type NewReasonBody struct {
	Code  string `json:"code" minLength:"2" maxLength:"40" pattern:"^[a-z0-9_]+$" example:"relocation"`
	Title string `json:"title" minLength:"1" maxLength:"200" example:"Переезд"`
}

// ReasonPatchBody changes a rejection reason.
type ReasonPatchBody struct {
	Title  *string `json:"title,omitempty" minLength:"1" maxLength:"200"`
	Active *bool   `json:"active,omitempty" doc:"A retired reason stays on past moves and is refused for new ones."`
}

type stageOutput struct {
	ETag string `header:"ETag"`
	Body HiringStageDTO
}

type reasonOutput struct {
	ETag string `header:"ETag"`
	Body RejectionReasonDTO
}

func registerPipeline(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "read"), huma.Operation{
		OperationID: "list-hiring-stages", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-stages", Tags: []string{"Hiring"},
		Summary:     "List the pipeline's stages",
		Description: "In board order. A school starts with applied → screening → test task → interview → offer → hired | rejected | reserve.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*struct{ Body StageList }, error) {
		stages, err := svc.Stages(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := StageList{Items: make([]HiringStageDTO, len(stages))}
		for i := range stages {
			out.Items[i] = stageDTO(&stages[i])
		}
		return &struct{ Body StageList }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "configure"), huma.Operation{
		OperationID: "create-hiring-stage", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-stages", Tags: []string{"Hiring"},
		Summary: "Add a step to the pipeline", Description: "A custom stage of kind step, e.g. a trial day. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewStageBody
	}) (*stageOutput, error) {
		st, err := svc.AddStage(ctx, httpapi.OrgID(ctx), StageInput{Key: in.Body.Key, Title: in.Body.Title, Position: in.Body.Position})
		if err != nil {
			return nil, err
		}
		return &stageOutput{ETag: httpapi.ETag(st.Version), Body: stageDTO(st)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "configure"), huma.Operation{
		OperationID: "update-hiring-stage", Method: http.MethodPatch, Path: "/v1/orgs/{org}/hiring-stages/{id}", Tags: []string{"Hiring"},
		Summary: "Rename, reorder or retire a stage", Description: "With If-Match. Built-in stages stay active. Audited.",
		Errors: versioned,
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body StagePatchBody
	}) (*stageOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		st, err := svc.ChangeStage(ctx, httpapi.OrgID(ctx), in.ID, v, StagePatch{Title: in.Body.Title, Position: in.Body.Position, Active: in.Body.Active})
		if err != nil {
			return nil, err
		}
		return &stageOutput{ETag: httpapi.ETag(st.Version), Body: stageDTO(st)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "read"), huma.Operation{
		OperationID: "list-hiring-rejection-reasons", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-rejection-reasons", Tags: []string{"Hiring"},
		Summary: "List the rejection reasons", Description: "The catalog a rejection cites, by code.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*struct{ Body ReasonList }, error) {
		reasons, err := svc.Reasons(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := ReasonList{Items: make([]RejectionReasonDTO, len(reasons))}
		for i := range reasons {
			out.Items[i] = reasonDTO(&reasons[i])
		}
		return &struct{ Body ReasonList }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "configure"), huma.Operation{
		OperationID: "create-hiring-rejection-reason", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-rejection-reasons", Tags: []string{"Hiring"},
		Summary: "Add a rejection reason", Description: "Audited.", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewReasonBody
	}) (*reasonOutput, error) {
		r, err := svc.AddReason(ctx, httpapi.OrgID(ctx), in.Body.Code, in.Body.Title)
		if err != nil {
			return nil, err
		}
		return &reasonOutput{ETag: httpapi.ETag(r.Version), Body: reasonDTO(r)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "configure"), huma.Operation{
		OperationID: "update-hiring-rejection-reason", Method: http.MethodPatch, Path: "/v1/orgs/{org}/hiring-rejection-reasons/{id}", Tags: []string{"Hiring"},
		Summary: "Rename or retire a rejection reason", Description: "With If-Match. Audited.", Errors: versioned,
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body ReasonPatchBody
	}) (*reasonOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		r, err := svc.ChangeReason(ctx, httpapi.OrgID(ctx), in.ID, v, in.Body.Title, in.Body.Active)
		if err != nil {
			return nil, err
		}
		return &reasonOutput{ETag: httpapi.ETag(r.Version), Body: reasonDTO(r)}, nil
	})
}

// VacancyBody is a vacancy as HR writes it.
type VacancyBody struct {
	Title     string          `json:"title" minLength:"1" maxLength:"200" example:"Куратор курса «Веб-дизайн»"`
	CourseID  *string         `json:"course_id,omitempty" format:"uuid" maxLength:"36" doc:"The course the curator will work on."`
	CohortID  *string         `json:"cohort_id,omitempty" format:"uuid" maxLength:"36" doc:"The cohort the curator will work on."`
	Focus     string          `json:"focus,omitempty" maxLength:"2000" doc:"What the work is about, in words."`
	Headcount int             `json:"headcount" minimum:"1" maximum:"1000" example:"3"`
	PayScheme string          `json:"pay_scheme" minLength:"1" maxLength:"2000" example:"Оклад 20 000 ₽ + 150 ₽ за проверенную работу + KPI по CSI"`
	Status    string          `json:"status,omitempty" enum:"draft,open,paused,closed" doc:"draft when omitted; only an open vacancy takes candidates."`
	Criteria  []CriterionBody `json:"criteria,omitempty" maxItems:"20" doc:"Interview scorecard criteria with weights; communication, tone, accuracy and speed, equally weighted, when omitted."`
}

// CriterionBody is one scorecard criterion.
type CriterionBody struct {
	Key    string `json:"key" minLength:"1" maxLength:"40" pattern:"^[a-z0-9_]+$" example:"tone"`
	Title  string `json:"title" minLength:"1" maxLength:"200" example:"Тон общения"`
	Weight int    `json:"weight" minimum:"1" maximum:"100" example:"2"`
}

func (b *VacancyBody) input() VacancyInput {
	in := VacancyInput{Title: b.Title, CourseID: b.CourseID, CohortID: b.CohortID, Focus: b.Focus, Headcount: b.Headcount,
		PayScheme: b.PayScheme, Status: b.Status}
	for _, c := range b.Criteria {
		in.Criteria = append(in.Criteria, Criterion(c))
	}
	return in
}

// VacancyDTO is a vacancy.
type VacancyDTO struct {
	ID         string          `json:"id" format:"uuid"`
	Title      string          `json:"title"`
	CourseID   *string         `json:"course_id" format:"uuid"`
	CourseName *string         `json:"course_name"`
	CohortID   *string         `json:"cohort_id" format:"uuid"`
	CohortName *string         `json:"cohort_name"`
	Focus      string          `json:"focus"`
	Headcount  int             `json:"headcount"`
	PayScheme  string          `json:"pay_scheme"`
	Status     string          `json:"status" enum:"draft,open,paused,closed"`
	Criteria   []CriterionBody `json:"criteria" nullable:"false"`
	CreatedAt  time.Time       `json:"created_at"`
	Version    int64           `json:"version"`
}

func vacancyDTO(v *Vacancy, courses, cohorts map[string]string) VacancyDTO {
	d := VacancyDTO{ID: v.ID, Title: v.Title, CourseID: v.CourseID, CohortID: v.CohortID, Focus: v.Focus, Headcount: v.Headcount,
		PayScheme: v.PayScheme, Status: v.Status, Criteria: []CriterionBody{}, CreatedAt: utc(v.CreatedAt), Version: v.Version}
	for _, c := range v.Criteria {
		d.Criteria = append(d.Criteria, CriterionBody(c))
	}
	if v.CourseID != nil {
		n := courses[*v.CourseID]
		d.CourseName = &n
	}
	if v.CohortID != nil {
		n := cohorts[*v.CohortID]
		d.CohortName = &n
	}
	return d
}

type vacancyOutput struct {
	ETag string `header:"ETag"`
	Body VacancyDTO
}

func vacancyOut(ctx context.Context, svc *Service, v *Vacancy) (*vacancyOutput, error) {
	courses, cohorts, err := focusLabels(ctx, svc, v.CourseID, v.CohortID)
	if err != nil {
		return nil, err
	}
	return &vacancyOutput{ETag: httpapi.ETag(v.Version), Body: vacancyDTO(v, courses, cohorts)}, nil
}

// focusLabels names courses and cohorts only when some vacancy has one.
func focusLabels(ctx context.Context, svc *Service, course, cohort *string) (map[string]string, map[string]string, error) {
	if course == nil && cohort == nil {
		return nil, nil, nil
	}
	return svc.FocusLabels(ctx, httpapi.OrgID(ctx))
}

func registerVacancies(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("hiring_vacancy", "write"), huma.Operation{
		OperationID: "create-hiring-vacancy", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-vacancies", Tags: []string{"Hiring"},
		Summary: "Create a vacancy", Description: "Audited.", DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body VacancyBody
	}) (*vacancyOutput, error) {
		v, err := svc.CreateVacancy(ctx, httpapi.OrgID(ctx), in.Body.input())
		if err != nil {
			return nil, err
		}
		return vacancyOut(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_vacancy", "read"), huma.Operation{
		OperationID: "list-hiring-vacancies", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-vacancies", Tags: []string{"Hiring"},
		Summary: "List vacancies", Description: "Oldest first.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
		Status string `query:"status" enum:"draft,open,paused,closed"`
	}) (*struct{ Body httpapi.Page[VacancyDTO] }, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Vacancies(ctx, httpapi.OrgID(ctx), VacancyFilter{Status: in.Status, AfterID: after, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		var courses, cohorts map[string]string
		for i := range rows {
			if courses == nil && (rows[i].CourseID != nil || rows[i].CohortID != nil) {
				if courses, cohorts, err = svc.FocusLabels(ctx, httpapi.OrgID(ctx)); err != nil {
					return nil, err
				}
			}
		}
		page := httpapi.NewPage(rows, in.Limit, func(v Vacancy) VacancyDTO { return vacancyDTO(&v, courses, cohorts) },
			func(v Vacancy) []string { return []string{v.ID} })
		return &struct{ Body httpapi.Page[VacancyDTO] }{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_vacancy", "read"), huma.Operation{
		OperationID: "get-hiring-vacancy", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-vacancies/{id}", Tags: []string{"Hiring"},
		Summary: "Get a vacancy", Description: "The ETag is the version an update's If-Match needs.",
	}, func(ctx context.Context, in *IDPath) (*vacancyOutput, error) {
		v, err := svc.Vacancy(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return vacancyOut(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_vacancy", "write"), huma.Operation{
		OperationID: "update-hiring-vacancy", Method: http.MethodPut, Path: "/v1/orgs/{org}/hiring-vacancies/{id}", Tags: []string{"Hiring"},
		Summary:     "Replace a vacancy",
		Description: "With If-Match. Opening, pausing and closing is a change of status. Scorecards already filled keep the criteria they were filled against. Audited.",
		Errors:      versioned,
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body VacancyBody
	}) (*vacancyOutput, error) {
		ver, err := in.Version()
		if err != nil {
			return nil, err
		}
		v, err := svc.UpdateVacancy(ctx, httpapi.OrgID(ctx), in.ID, ver, in.Body.input())
		if err != nil {
			return nil, err
		}
		return vacancyOut(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "read"), huma.Operation{
		OperationID: "get-hiring-board", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-vacancies/{id}/board", Tags: []string{"Hiring"},
		Summary:     "Get a vacancy's board",
		Description: "Every stage with its count and cards, the longest waiting first, each with its time in stage. Filter by source and stage.",
	}, func(ctx context.Context, in *struct {
		IDPath
		Source  string `query:"source" enum:"job_site,referral,former_student,reserve,other"`
		StageID string `query:"stage_id" format:"uuid" maxLength:"36"`
	}) (*struct{ Body BoardDTO }, error) {
		cols, err := svc.Board(ctx, httpapi.OrgID(ctx), in.ID, in.Source, in.StageID)
		if err != nil {
			return nil, err
		}
		out := BoardDTO{VacancyID: in.ID, Columns: make([]BoardColumnDTO, len(cols))}
		for i, c := range cols {
			col := BoardColumnDTO{Stage: stageDTO(&c.Stage), Count: c.Count, Cards: make([]BoardCardDTO, len(c.Cards))}
			for j, card := range c.Cards {
				col.Cards[j] = BoardCardDTO{ApplicationID: card.Application.ID, CandidateID: card.Candidate.ID,
					CandidateName: card.Candidate.FullName, Source: card.Application.Source, BestTestPercent: card.Candidate.BestTestPercent,
					StageEnteredAt: utc(card.Application.StageEnteredAt), SecondsInStage: int64(card.InStage / time.Second),
					Version: card.Application.Version}
			}
			out.Columns[i] = col
		}
		return &struct{ Body BoardDTO }{Body: out}, nil
	})
}

// BoardDTO is a vacancy's board.
type BoardDTO struct {
	VacancyID string           `json:"vacancy_id" format:"uuid"`
	Columns   []BoardColumnDTO `json:"columns" nullable:"false"`
}

// BoardColumnDTO is one stage of the board.
type BoardColumnDTO struct {
	Stage HiringStageDTO `json:"stage"`
	Count int            `json:"count" doc:"Applications at this stage (after the filters)."`
	Cards []BoardCardDTO `json:"cards" nullable:"false"`
}

// BoardCardDTO is one application on the board.
type BoardCardDTO struct {
	ApplicationID   string    `json:"application_id" format:"uuid"`
	CandidateID     string    `json:"candidate_id" format:"uuid"`
	CandidateName   string    `json:"candidate_name"`
	Source          string    `json:"source" enum:"job_site,referral,former_student,reserve,other"`
	BestTestPercent *int      `json:"best_test_percent" doc:"The candidate's best test-task agreement with the reference verdicts, in % rounded down; null before a submitted task."`
	StageEnteredAt  time.Time `json:"stage_entered_at"`
	SecondsInStage  int64     `json:"seconds_in_stage" doc:"Time at the current stage."`
	Version         int64     `json:"version" doc:"The application's version, for the move's If-Match."`
}
