package cases

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/csvexport"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// MarketingCaseDTO is a case as marketing may use it.
type MarketingCaseDTO struct {
	ID            string    `json:"id" format:"uuid"`
	CohortID      string    `json:"cohort_id" format:"uuid"`
	CohortName    *string   `json:"cohort_name"`
	CourseName    *string   `json:"course_name"`
	CuratorID     *string   `json:"curator_id" format:"uuid"`
	CuratorName   *string   `json:"curator_name"`
	Quote         *string   `json:"quote" doc:"The chosen excerpt, or the whole text, exactly as the student wrote it."`
	Before        *string   `json:"before"`
	After         *string   `json:"after"`
	VideoURL      *string   `json:"video_url"`
	Rating        *int      `json:"rating"`
	Tags          []string  `json:"tags"`
	Status        string    `json:"status" enum:"approved,published"`
	ConsentScopes []string  `json:"consent_scopes" doc:"Everything the consent in force covers."`
	SubmittedAt   time.Time `json:"submitted_at"`
}

func marketingDTO(it ExportItem) MarketingCaseDTO {
	s := it.Submission
	return MarketingCaseDTO{ID: s.ID, CohortID: s.CohortID, CohortName: it.CohortName, CourseName: it.CourseName, CuratorID: s.CuratorID,
		CuratorName: it.CuratorName, Quote: it.Quote(), Before: s.BeforeText, After: s.AfterText, VideoURL: s.VideoURL, Rating: s.Rating,
		Tags: s.TagList(), Status: s.Status, ConsentScopes: s.Scopes(), SubmittedAt: utc(s.SubmittedAt)}
}

// CaseExportQuery narrows the marketing export.
type CaseExportQuery struct {
	httpapi.OrgPath
	Scope    string `query:"scope" required:"true" enum:"internal,website,social,advertising" doc:"The use intended: only cases whose consent covers it are listed."`
	CohortID string `query:"cohort_id" format:"uuid" doc:"Only this cohort."`
}

const exportDoc = "Approved or published cases whose consent in force covers the scope, and nothing else: a withdrawn consent " +
	"or an erased student takes a case out at once."

func registerExport(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("cases_export", "read"), huma.Operation{
		OperationID: "export-cases", Method: http.MethodGet, Path: "/v1/orgs/{org}/case-export", Tags: []string{tagCases},
		Summary: "Export cases for marketing", Description: exportDoc + " By id, paged.",
	}, func(ctx context.Context, in *struct {
		CaseExportQuery
		httpapi.PageQuery
	}) (*struct {
		Body httpapi.Page[MarketingCaseDTO]
	}, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.MarketingExport(ctx, httpapi.OrgID(ctx), in.Scope, in.CohortID, after, in.Limit)
		if err != nil {
			return nil, err
		}
		return &struct {
			Body httpapi.Page[MarketingCaseDTO]
		}{Body: httpapi.NewPage(rows, in.Limit, marketingDTO,
			func(it ExportItem) []string { return []string{it.Submission.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_export", "read"), huma.Operation{
		OperationID: "export-cases-csv", Method: http.MethodGet, Path: "/v1/orgs/{org}/case-export/csv", Tags: []string{tagCases},
		Summary: "Export cases for marketing as CSV", Description: exportDoc + " Every row at once, as text/csv; cells a spreadsheet would run are neutralised.",
		Responses: httpapi.CSVResponses(strings.Join(exportColumns, ",") + "\n"),
	}, func(ctx context.Context, in *CaseExportQuery) (*httpapi.CSVFile, error) {
		rows, err := svc.MarketingExportAll(ctx, httpapi.OrgID(ctx), in.Scope, in.CohortID)
		if err != nil {
			return nil, err
		}
		return httpapi.NewCSVFile("cases-"+in.Scope+".csv", exportCSV(rows)), nil
	})
}

// exportColumns are the marketing CSV's header row.
var exportColumns = []string{"id", "cohort_id", "cohort_name", "course_name", "curator_id", "curator_name", "quote", "before", "after", "video_url",
	"rating", "tags", "status", "consent_scopes", "submitted_at"}

// exportCSV writes the export with a header line.
func exportCSV(rows []ExportItem) []byte {
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf, ',')
	_ = w.Write(exportColumns...)
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, it := range rows {
		d := marketingDTO(it)
		rating := ""
		if d.Rating != nil {
			rating = strconv.Itoa(*d.Rating)
		}
		_ = w.Write(d.ID, d.CohortID, str(d.CohortName), str(d.CourseName), str(d.CuratorID), str(d.CuratorName), str(d.Quote), str(d.Before),
			str(d.After), str(d.VideoURL), rating, strings.Join(d.Tags, ";"), d.Status, strings.Join(d.ConsentScopes, ";"),
			d.SubmittedAt.Format(time.RFC3339))
	}
	_ = w.Flush()
	return buf.Bytes()
}
