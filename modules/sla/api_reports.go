package sla

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// SLAReportRowDTO is one group of a report.
type SLAReportRowDTO struct {
	Key               string  `json:"key" doc:"The curator, cohort, policy id, channel or local day; empty: none."`
	Items             int     `json:"items" doc:"Answered clocks and open clocks already past due."`
	Compliant         int     `json:"compliant"`
	Breached          int     `json:"breached"`
	CompliancePercent float64 `json:"compliance_percent"`
	Answered          int     `json:"answered"`
	Open              int     `json:"open"`
	Dismissed         int     `json:"dismissed" doc:"Closed as needing no reply; not in items."`
	MedianMinutes     float64 `json:"median_minutes" doc:"Business minutes, nearest-rank, of answered clocks."`
	P90Minutes        float64 `json:"p90_minutes"`
	P95Minutes        float64 `json:"p95_minutes"`
}

func reportRowDTO(r ReportRow) SLAReportRowDTO {
	return SLAReportRowDTO(r)
}

// SLAReportDTO is a compliance report.
type SLAReportDTO struct {
	From    time.Time         `json:"from"`
	To      time.Time         `json:"to"`
	GroupBy string            `json:"group_by"`
	Rows    []SLAReportRowDTO `json:"rows"`
	Total   SLAReportRowDTO   `json:"total"`
}

type reportQuery struct {
	httpapi.OrgPath
	From    time.Time `query:"from" required:"true" doc:"Clocks started at or after this instant."`
	To      time.Time `query:"to" required:"true" doc:"Clocks started before this instant."`
	GroupBy string    `query:"group_by" enum:"curator,cohort,channel,policy,day" default:"curator"`
}

func (q *reportQuery) input() ReportInput {
	return ReportInput{From: q.From, To: q.To, GroupBy: q.GroupBy}
}

func registerReports(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_reports", "read"), huma.Operation{
		OperationID: "get-sla-report", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/report", Tags: []string{tag},
		Summary: "SLA compliance report", Description: "Compliance, counts and median / p90 / p95 response time in business minutes " +
			"of the clocks started in [from, to), by curator, cohort, channel, policy or day. Percentiles are nearest-rank.",
	}, func(ctx context.Context, in *reportQuery) (*struct{ Body SLAReportDTO }, error) {
		r, err := svc.Report(ctx, httpapi.OrgID(ctx), in.input())
		if err != nil {
			return nil, err
		}
		out := &struct{ Body SLAReportDTO }{Body: SLAReportDTO{From: r.From, To: r.To, GroupBy: r.GroupBy, Total: reportRowDTO(r.Total),
			Rows: make([]SLAReportRowDTO, len(r.Rows))}}
		for i, row := range r.Rows {
			out.Body.Rows[i] = reportRowDTO(row)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_reports", "read"), huma.Operation{
		OperationID: "export-sla-report", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/report/export", Tags: []string{tag},
		Summary: "Export the SLA report as CSV", Description: "The same rows as the report, with a last row for the total, as text/csv.",
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}},
	}, func(ctx context.Context, in *reportQuery) (*struct {
		ContentType        string `header:"Content-Type"`
		ContentDisposition string `header:"Content-Disposition"`
		Body               []byte
	}, error) {
		r, err := svc.Report(ctx, httpapi.OrgID(ctx), in.input())
		if err != nil {
			return nil, err
		}
		return &struct {
			ContentType        string `header:"Content-Type"`
			ContentDisposition string `header:"Content-Disposition"`
			Body               []byte
		}{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="sla-report.csv"`, Body: reportCSV(r)}, nil
	})
}

// reportCSV writes the report with a header line and a closing total.
func reportCSV(r *Report) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{r.GroupBy, "items", "compliant", "breached", "compliance_percent", "answered", "open", "dismissed",
		"median_minutes", "p90_minutes", "p95_minutes"})
	line := func(key string, x ReportRow) {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		_ = w.Write([]string{key, strconv.Itoa(x.Items), strconv.Itoa(x.Compliant), strconv.Itoa(x.Breached), f(x.CompliancePercent),
			strconv.Itoa(x.Answered), strconv.Itoa(x.Open), strconv.Itoa(x.Dismissed), f(x.MedianMinutes), f(x.P90Minutes), f(x.P95Minutes)})
	}
	for _, row := range r.Rows {
		line(row.Key, row)
	}
	line("total", r.Total)
	w.Flush()
	return buf.Bytes()
}
