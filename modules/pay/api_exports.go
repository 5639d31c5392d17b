package pay

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

func registerExports(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("pay_periods", "export"), huma.Operation{
		OperationID: "create-pay-export", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-periods/{id}/exports", Tags: []string{"Pay"},
		Summary:       "Export a locked pay period",
		Description:   "Records the export of the latest calculation in a format with the file's SHA-256 and control totals; the first export marks the period exported. Idempotent: the same calculation exported again answers 200 with the same record, file and checksum. `csv`: every line; `xlsx`: summary, lines and control totals sheets; `1c` and `1c-cp1251`: one row per person for 1C, semicolon-separated with a decimal comma, in UTF-8 or Windows-1251. A period that is not locked answers 409. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		PeriodPath
		Body struct {
			Format string `json:"format" enum:"csv,xlsx,1c,1c-cp1251"`
		}
	}) (*struct {
		Status int
		Body   PayExportDTO
	}, error) {
		e, created, err := svc.RecordExport(ctx, httpapi.OrgID(ctx), in.ID, in.Body.Format)
		if err != nil {
			return nil, err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return &struct {
			Status int
			Body   PayExportDTO
		}{status, exportDTO(httpapi.OrgID(ctx), e)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_periods", "export"), huma.Operation{
		OperationID: "download-pay-export", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-periods/{id}/exports/{format}", Tags: []string{"Pay"},
		Summary:     "Download a recorded pay export",
		Description: "The file of an export recorded by create-pay-export (404 before), streamed: memory does not grow with the number of lines. The checksum header equals the record's.",
		Responses: map[string]*huma.Response{"200": {
			Description: "The file.",
			Headers: map[string]*huma.Param{
				"Content-Disposition": {Schema: &huma.Schema{Type: huma.TypeString}},
				"X-Checksum-Sha256":   {Schema: &huma.Schema{Type: huma.TypeString}, Description: "SHA-256 of the file, hex."},
			},
			Content: map[string]*huma.MediaType{
				"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}, Example: "month,user_id,name,position,line_key,kind,component,title\n"},
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}},
			},
		}},
	}, func(ctx context.Context, in *struct {
		PeriodPath
		Format string `path:"format" enum:"csv,xlsx,1c,1c-cp1251"`
	}) (*huma.StreamResponse, error) {
		p, e, err := svc.ExportHead(ctx, httpapi.OrgID(ctx), in.ID, in.Format)
		if err != nil {
			return nil, err
		}
		file := FileOf(p.Month, in.Format)
		orgID := httpapi.OrgID(ctx)
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			hctx.SetHeader("Content-Type", file.ContentType)
			hctx.SetHeader("Content-Disposition", fmt.Sprintf("attachment; filename=%q", file.Name))
			hctx.SetHeader("X-Checksum-Sha256", e.Checksum)
			hctx.SetStatus(http.StatusOK)
			// The file was written once already to record its checksum,
			// and the calculation it reads cannot change: an error now
			// can only cut the body short, which the checksum shows.
			_, _ = svc.WriteExport(ctx, orgID, in.ID, in.Format, hctx.BodyWriter())
		}}, nil
	})
}
