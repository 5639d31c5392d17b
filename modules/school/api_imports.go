package school

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// ImportErrorDTO is one problem of one line of an import file.
type ImportErrorDTO struct {
	Location string `json:"location" doc:"rows[N].column, N being the line of the file (the header is line 1)."`
	Message  string `json:"message"`
}

// ImportReportDTO says what an import did or, on a dry run, would do.
type ImportReportDTO struct {
	DryRun             bool             `json:"dry_run"`
	Applied            bool             `json:"applied" doc:"Whether anything was written: false on a dry run and whenever a line is wrong."`
	Rows               int              `json:"rows"`
	StudentsCreated    int              `json:"students_created"`
	StudentsUpdated    int              `json:"students_updated"`
	EnrollmentsCreated int              `json:"enrollments_created"`
	Errors             []ImportErrorDTO `json:"errors"`
}

type importInput struct {
	httpapi.OrgPath
	DryRun  bool   `query:"dry_run" doc:"Check every line and report what would happen, writing nothing."`
	RawBody []byte `contentType:"text/csv"`
}

type importOutput struct {
	Status int
	Body   ImportReportDTO
}

func registerImports(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("students", "import"), huma.Operation{
		OperationID: "import-students", Method: http.MethodPost, Path: "/v1/orgs/{org}/students/import", Tags: []string{"Students"},
		Summary: "Import students and enrollments from CSV",
		Description: "The first line names the columns: full_name (required), email, telegram, phone, birth_date, source, external_id, " +
			"cohort_id or cohort_external_id, tariff, curator_email. Rows with an external id already known update that student; rows with a cohort " +
			"also enroll the student. All lines are written, or none: with any wrong line the answer is 422 with every error by line. " +
			"With dry_run=true nothing is written and the answer is 200 with the same report.",
	}, func(ctx context.Context, in *importInput) (*importOutput, error) {
		r, err := svc.ImportStudents(ctx, httpapi.OrgID(ctx), in.RawBody, in.DryRun)
		if err != nil {
			return nil, err
		}
		out := &importOutput{Status: http.StatusOK, Body: ImportReportDTO{DryRun: r.DryRun, Applied: !r.DryRun && len(r.Errors) == 0,
			Rows: r.Rows, StudentsCreated: r.StudentsCreated, StudentsUpdated: r.StudentsUpdated, EnrollmentsCreated: r.EnrollmentsCreated,
			Errors: make([]ImportErrorDTO, len(r.Errors))}}
		for i, e := range r.Errors {
			out.Body.Errors[i] = ImportErrorDTO{Location: e.Location, Message: e.Message}
		}
		if !r.DryRun && len(r.Errors) > 0 {
			out.Status = http.StatusUnprocessableEntity
		}
		return out, nil
	})
	declareRefusedImport(api)
}

// declareRefusedImport states what a refused file answers: a 422 with the
// report (every wrong line) as application/json, beside the problem+json
// 422 of a request that is wrong as a whole.
func declareRefusedImport(api huma.API) {
	item := api.OpenAPI().Paths["/v1/orgs/{org}/students/import"]
	if item == nil || item.Post == nil {
		return
	}
	report, refused := item.Post.Responses["200"], item.Post.Responses["422"]
	if report == nil || refused == nil || refused.Content == nil {
		return
	}
	refused.Content["application/json"] = report.Content["application/json"]
	refused.Description = "A line of the file is wrong (the report as application/json, nothing written), or the request is (problem+json)."
}
