package pay

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

type disputeOutput struct {
	ETag string `header:"ETag"`
	Body PayDisputeDTO
}

func registerDisputes(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("pay_statements", "dispute"), huma.Operation{
		OperationID: "create-pay-dispute", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-lines/{id}/disputes", Tags: []string{"Pay"},
		Summary:       "Dispute a line of one's own statement",
		Description:   "While the period's latest calculation is in review (409 otherwise); another person's line is not found. The head approves the period only after every dispute is resolved. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		LinePath
		Body struct {
			Comment string `json:"comment" maxLength:"2000" example:"Три проверки 14 ноября не учтены" doc:"What is wrong with the line."`
		}
	}) (*struct {
		Status int
		ETag   string `header:"ETag"`
		Body   PayDisputeDTO
	}, error) {
		d, err := svc.Dispute(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx).UserID, in.Body.Comment)
		if err != nil {
			return nil, err
		}
		return &struct {
			Status int
			ETag   string `header:"ETag"`
			Body   PayDisputeDTO
		}{http.StatusCreated, httpapi.ETag(d.Version), disputeDTO(d)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_statements", "read_own"), huma.Operation{
		OperationID: "list-pay-disputes", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-periods/{id}/disputes", Tags: []string{"Pay"},
		Summary: "List a pay period's disputes", Description: "Oldest first: everyone's for the head and finance, only her own for a curator.",
	}, func(ctx context.Context, in *PeriodPath) (*struct{ Body []PayDisputeDTO }, error) {
		rows, err := svc.Disputes(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx))
		if err != nil {
			return nil, err
		}
		out := make([]PayDisputeDTO, len(rows))
		for i := range rows {
			out[i] = disputeDTO(&rows[i])
		}
		return &struct{ Body []PayDisputeDTO }{out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_statements", "resolve"), huma.Operation{
		OperationID: "resolve-pay-dispute", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-disputes/{id}/resolve", Tags: []string{"Pay"},
		Summary:     "Resolve a pay dispute",
		Description: "With an answer. A line that must change changes by recalculating the period, never by editing the line. With If-Match. Audited.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		ID string `path:"id" format:"uuid" doc:"Id of the dispute."`
		httpapi.IfMatch
		Body struct {
			Resolution string `json:"resolution" maxLength:"2000" example:"Проверки учтены при пересчёте"`
		}
	}) (*disputeOutput, error) {
		ver, err := in.Version()
		if err != nil {
			return nil, err
		}
		d, err := svc.ResolveDispute(ctx, httpapi.OrgID(ctx), in.ID, in.Body.Resolution, ver)
		if err != nil {
			return nil, err
		}
		return &disputeOutput{ETag: httpapi.ETag(d.Version), Body: disputeDTO(d)}, nil
	})
}
