package pay

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// PayAssignmentDTO applies a scheme version to a person from a date.
type PayAssignmentDTO struct {
	ID              string    `json:"id" format:"uuid"`
	UserID          string    `json:"user_id" format:"uuid"`
	Name            string    `json:"name" doc:"The person's name."`
	SchemeVersionID string    `json:"scheme_version_id" format:"uuid"`
	EffectiveFrom   string    `json:"effective_from" format:"date" doc:"From this day, in the school's time zone, until the person's next assignment."`
	CreatedAt       time.Time `json:"created_at"`
}

func assignmentDTO(a *Assignment, name string) PayAssignmentDTO {
	return PayAssignmentDTO{ID: a.ID, UserID: a.UserID, Name: name, SchemeVersionID: a.SchemeVersionID, EffectiveFrom: a.EffectiveFrom, CreatedAt: a.CreatedAt.UTC()}
}

func registerAssignments(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "manage"), huma.Operation{
		OperationID: "create-pay-assignment", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-assignments", Tags: []string{"Pay"},
		Summary:       "Assign a pay scheme version to a person",
		Description:   "From a date until the person's next assignment; a change in the middle of a month splits the month by days. Assignments are never edited: a correction is a new assignment. A date in or before a locked pay month answers 409. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body struct {
			UserID          string `json:"user_id" format:"uuid"`
			SchemeVersionID string `json:"scheme_version_id" format:"uuid"`
			EffectiveFrom   string `json:"effective_from" maxLength:"10" example:"2026-11-01" doc:"YYYY-MM-DD."`
		}
	}) (*struct {
		Status int
		Body   PayAssignmentDTO
	}, error) {
		a, name, err := svc.Assign(ctx, httpapi.OrgID(ctx), in.Body.UserID, in.Body.SchemeVersionID, in.Body.EffectiveFrom)
		if err != nil {
			return nil, err
		}
		return &struct {
			Status int
			Body   PayAssignmentDTO
		}{http.StatusCreated, assignmentDTO(a, name)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "read"), huma.Operation{
		OperationID: "list-pay-assignments", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-assignments", Tags: []string{"Pay"},
		Summary: "List pay assignments", Description: "By person and date; of one person with user_id.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		UserID string `query:"user_id" format:"uuid" doc:"Only this person's assignments."`
	}) (*struct{ Body []PayAssignmentDTO }, error) {
		rows, err := svc.Assignments(ctx, httpapi.OrgID(ctx), in.UserID)
		if err != nil {
			return nil, err
		}
		out := make([]PayAssignmentDTO, len(rows))
		for i := range rows {
			out[i] = assignmentDTO(&rows[i].Assignment, rows[i].Name)
		}
		return &struct{ Body []PayAssignmentDTO }{out}, nil
	})
}
