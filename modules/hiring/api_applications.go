package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// NewApplicationBody puts a candidate into a vacancy's pipeline.
type NewApplicationBody struct {
	CandidateID string `json:"candidate_id" format:"uuid" maxLength:"36"`
	VacancyID   string `json:"vacancy_id" format:"uuid" maxLength:"36"`
	Note        string `json:"note,omitempty" maxLength:"2000" doc:"Kept on the first history entry."`
}

// MoveBody moves an application to another stage.
type MoveBody struct {
	StageID  string  `json:"stage_id" format:"uuid" maxLength:"36"`
	ReasonID *string `json:"reason_id,omitempty" format:"uuid" maxLength:"36" doc:"Required for a rejection: a reason of the catalog."`
	Note     string  `json:"note,omitempty" maxLength:"2000"`
}

// ApplicationDTO is a candidate's run through one vacancy.
type ApplicationDTO struct {
	ID             string    `json:"id" format:"uuid"`
	CandidateID    string    `json:"candidate_id" format:"uuid"`
	CandidateName  string    `json:"candidate_name"`
	VacancyID      string    `json:"vacancy_id" format:"uuid"`
	VacancyTitle   string    `json:"vacancy_title"`
	Source         string    `json:"source" enum:"job_site,referral,former_student,reserve,other" doc:"reserve when the candidate came from the talent reserve."`
	StageID        string    `json:"stage_id" format:"uuid"`
	StageTitle     string    `json:"stage_title"`
	StageKind      string    `json:"stage_kind" enum:"applied,step,test_task,interview,offer,hired,rejected,reserve"`
	StageEnteredAt time.Time `json:"stage_entered_at"`
	CreatedAt      time.Time `json:"created_at"`
	Version        int64     `json:"version"`
}

// StageMoveDTO is one entry of the stage history.
type StageMoveDTO struct {
	ID             string    `json:"id" format:"uuid"`
	ApplicationID  string    `json:"application_id" format:"uuid"`
	VacancyID      string    `json:"vacancy_id" format:"uuid"`
	VacancyTitle   string    `json:"vacancy_title"`
	FromStageID    *string   `json:"from_stage_id" format:"uuid"`
	FromStageTitle *string   `json:"from_stage_title"`
	ToStageID      string    `json:"to_stage_id" format:"uuid"`
	ToStageTitle   string    `json:"to_stage_title"`
	ReasonID       *string   `json:"reason_id" format:"uuid"`
	ReasonTitle    *string   `json:"reason_title"`
	Note           string    `json:"note"`
	ActorID        string    `json:"actor_id" doc:"Empty when the candidate acted through their link."`
	ActorName      string    `json:"actor_name"`
	MovedAt        time.Time `json:"moved_at"`
}

// MoveList is a stage history.
type MoveList struct {
	Items []StageMoveDTO `json:"items" nullable:"false"`
}

func applicationDTOs(ctx context.Context, svc *Service, apps []Application) ([]ApplicationDTO, error) {
	var vacancies, candidates []string
	for _, a := range apps {
		vacancies, candidates = append(vacancies, a.VacancyID), append(candidates, a.CandidateID)
	}
	l, err := svc.LabelsFor(ctx, httpapi.OrgID(ctx), vacancies, candidates)
	if err != nil {
		return nil, err
	}
	out := make([]ApplicationDTO, len(apps))
	for i, a := range apps {
		st := l.Stages[a.StageID]
		out[i] = ApplicationDTO{ID: a.ID, CandidateID: a.CandidateID, CandidateName: l.Candidates[a.CandidateID], VacancyID: a.VacancyID,
			VacancyTitle: l.Vacancies[a.VacancyID], Source: a.Source, StageID: a.StageID, StageTitle: st.Title, StageKind: st.Kind,
			StageEnteredAt: utc(a.StageEnteredAt), CreatedAt: utc(a.CreatedAt), Version: a.Version}
	}
	return out, nil
}

func moveDTOs(ctx context.Context, svc *Service, moves []StageMove) ([]StageMoveDTO, error) {
	var vacancies, actors []string
	for _, m := range moves {
		vacancies, actors = append(vacancies, m.VacancyID), append(actors, m.ActorID)
	}
	l, err := svc.LabelsFor(ctx, httpapi.OrgID(ctx), vacancies, nil)
	if err != nil {
		return nil, err
	}
	who, err := names(ctx, svc, httpapi.OrgID(ctx), actors)
	if err != nil {
		return nil, err
	}
	out := make([]StageMoveDTO, len(moves))
	for i, m := range moves {
		d := StageMoveDTO{ID: m.ID, ApplicationID: m.ApplicationID, VacancyID: m.VacancyID, VacancyTitle: l.Vacancies[m.VacancyID],
			FromStageID: m.FromStageID, ToStageID: m.ToStageID, ToStageTitle: l.Stages[m.ToStageID].Title, ReasonID: m.ReasonID,
			Note: m.Note, ActorID: m.ActorID, ActorName: who[m.ActorID], MovedAt: utc(m.MovedAt)}
		if m.FromStageID != nil {
			t := l.Stages[*m.FromStageID].Title
			d.FromStageTitle = &t
		}
		if m.ReasonID != nil {
			t := l.Reasons[*m.ReasonID]
			d.ReasonTitle = &t
		}
		if m.ActorID == "" {
			d.ActorName = "кандидат"
		}
		out[i] = d
	}
	return out, nil
}

type applicationOutput struct {
	ETag string `header:"ETag"`
	Body ApplicationDTO
}

func applicationOut(ctx context.Context, svc *Service, a *Application) (*applicationOutput, error) {
	dtos, err := applicationDTOs(ctx, svc, []Application{*a})
	if err != nil {
		return nil, err
	}
	return &applicationOutput{ETag: httpapi.ETag(a.Version), Body: dtos[0]}, nil
}

func registerApplications(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "move"), huma.Operation{
		OperationID: "create-hiring-application", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-applications", Tags: []string{"Hiring"},
		Summary:       "Put a candidate into a vacancy's pipeline",
		Description:   "At the first stage, with the first history entry. A candidate from the talent reserve leaves it and keeps every earlier application and move. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewApplicationBody
	}) (*applicationOutput, error) {
		a, err := svc.Apply(ctx, httpapi.OrgID(ctx), in.Body.CandidateID, in.Body.VacancyID, in.Body.Note)
		if err != nil {
			return nil, err
		}
		return applicationOut(ctx, svc, a)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "read"), huma.Operation{
		OperationID: "list-hiring-applications", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-applications", Tags: []string{"Hiring"},
		Summary: "List applications", Description: "Oldest first; filter by vacancy, candidate, stage and source.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
		VacancyID   string `query:"vacancy_id" format:"uuid" maxLength:"36"`
		CandidateID string `query:"candidate_id" format:"uuid" maxLength:"36"`
		StageID     string `query:"stage_id" format:"uuid" maxLength:"36"`
		Source      string `query:"source" enum:"job_site,referral,former_student,reserve,other"`
	}) (*struct{ Body httpapi.Page[ApplicationDTO] }, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Applications(ctx, httpapi.OrgID(ctx), ApplicationFilter{VacancyID: in.VacancyID, CandidateID: in.CandidateID,
			StageID: in.StageID, Source: in.Source, AfterID: after, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		kept := rows
		if len(kept) > in.Limit {
			kept = kept[:in.Limit]
		}
		dtos, err := applicationDTOs(ctx, svc, kept)
		if err != nil {
			return nil, err
		}
		byID := map[string]ApplicationDTO{}
		for _, d := range dtos {
			byID[d.ID] = d
		}
		page := httpapi.NewPage(rows, in.Limit, func(a Application) ApplicationDTO { return byID[a.ID] },
			func(a Application) []string { return []string{a.ID} })
		return &struct{ Body httpapi.Page[ApplicationDTO] }{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "read"), huma.Operation{
		OperationID: "get-hiring-application", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-applications/{id}", Tags: []string{"Hiring"},
		Summary: "Get an application", Description: "The ETag is the version a move's If-Match needs.",
	}, func(ctx context.Context, in *IDPath) (*applicationOutput, error) {
		a, err := svc.Application(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return applicationOut(ctx, svc, a)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "move"), huma.Operation{
		OperationID: "move-hiring-application", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-applications/{id}/moves", Tags: []string{"Hiring"},
		Summary:     "Move an application to another stage",
		Description: "With If-Match. Writes a new history entry with the actor, time and reason; moving back is a new entry too. A rejection needs a reason of the catalog; a candidate is hired only by accepting an offer; a move to the reserve stage puts the candidate in the talent reserve. Audited.",
		Errors:      append([]int{http.StatusConflict}, versioned...),
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body MoveBody
	}) (*applicationOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		a, err := svc.Move(ctx, httpapi.OrgID(ctx), in.ID, v, MoveInput{StageID: in.Body.StageID, ReasonID: in.Body.ReasonID, Note: in.Body.Note})
		if err != nil {
			return nil, err
		}
		return applicationOut(ctx, svc, a)
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_pipeline", "read"), huma.Operation{
		OperationID: "list-hiring-application-moves", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-applications/{id}/moves", Tags: []string{"Hiring"},
		Summary: "Get an application's stage history", Description: "Every move, oldest first. The history is append-only: nothing edits or deletes an entry.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body MoveList }, error) {
		moves, err := svc.History(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		dtos, err := moveDTOs(ctx, svc, moves)
		if err != nil {
			return nil, err
		}
		return &struct{ Body MoveList }{Body: MoveList{Items: dtos}}, nil
	})
}
