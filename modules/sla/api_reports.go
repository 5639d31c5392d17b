package sla

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/csvexport"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// SLAReportRowDTO is one group of a report: what it is about, with names
// beside the ids, and its numbers.
type SLAReportRowDTO struct {
	Key          string  `json:"key" doc:"The curator, cohort or policy id, the channel or the local day; empty: none (no curator, no cohort, the default policy)."`
	CuratorID    *string `json:"curator_id,omitempty" doc:"group_by=curator."`
	CuratorName  *string `json:"curator_name,omitempty" doc:"group_by=curator: the curator's display name (also of a member since disabled); absent when unknown."`
	CohortID     *string `json:"cohort_id,omitempty" doc:"group_by=cohort."`
	CohortName   *string `json:"cohort_name,omitempty" doc:"group_by=cohort."`
	CourseID     *string `json:"course_id,omitempty" doc:"group_by=cohort: the cohort's course."`
	CourseName   *string `json:"course_name,omitempty" doc:"group_by=cohort."`
	Channel      *string `json:"channel,omitempty" enum:"telegram,lms_comment,email,other" doc:"group_by=channel."`
	ChannelLabel *string `json:"channel_label,omitempty" doc:"group_by=channel: Telegram, LMS comments, Email or Other."`
	PolicyID     *string `json:"policy_id,omitempty" doc:"group_by=policy; empty: the built-in default."`
	PolicyName   *string `json:"policy_name,omitempty" doc:"group_by=policy."`
	Day          *string `json:"day,omitempty" doc:"group_by=day: the date in the school's time zone the clocks started on."`

	Items             int      `json:"items" doc:"Answered clocks and open clocks already past due: the denominator of compliance."`
	Compliant         int      `json:"compliant" doc:"Answered by the due time: the numerator of compliance."`
	Breached          int      `json:"breached"`
	CompliancePercent *float64 `json:"compliance_percent" doc:"compliant / items in %, rounded to 0.01; null without items."`
	Answered          int      `json:"answered" doc:"The sample of the response times."`
	Open              int      `json:"open"`
	Dismissed         int      `json:"dismissed" doc:"Closed as needing no reply; not in items."`
	MedianMinutes     *float64 `json:"median_minutes" doc:"Business minutes, nearest-rank, of the answered clocks; null without any."`
	P90Minutes        *float64 `json:"p90_minutes"`
	P95Minutes        *float64 `json:"p95_minutes"`
}

// reportRowDTO is a row with the group fields of groupBy; the total row
// (groupBy empty) has none.
func reportRowDTO(r ReportRow, groupBy string) SLAReportRowDTO {
	out := SLAReportRowDTO{Key: r.Group.Key, Items: r.Items, Compliant: r.Compliant, Breached: r.Breached,
		CompliancePercent: r.CompliancePercent, Answered: r.Answered, Open: r.Open, Dismissed: r.Dismissed,
		MedianMinutes: r.MedianMinutes, P90Minutes: r.P90Minutes, P95Minutes: r.P95Minutes}
	g := r.Group
	switch groupBy {
	case "curator":
		out.CuratorID, out.CuratorName = &g.Key, named(g.Name)
	case "cohort":
		out.CohortID, out.CohortName, out.CourseID, out.CourseName = &g.Key, named(g.Name), &g.CourseID, named(g.CourseName)
	case "channel":
		out.Channel, out.ChannelLabel = &g.Key, named(g.Name)
	case "policy":
		out.PolicyID, out.PolicyName = &g.Key, named(g.Name)
	case "day":
		out.Day = &g.Key
	}
	return out
}

// named is a name for JSON: absent when unknown.
func named(name string) *string {
	if name == "" {
		return nil
	}
	return &name
}

// SLAReportDTO is a compliance report.
type SLAReportDTO struct {
	From          time.Time         `json:"from"`
	To            time.Time         `json:"to"`
	GroupBy       string            `json:"group_by"`
	OnlyCuratorID *string           `json:"only_curator_id,omitempty" doc:"Set when the report covers only the clocks charged to this curator: the caller's own (a curator without sla_reports:read_all)."`
	Rows          []SLAReportRowDTO `json:"rows"`
	Total         SLAReportRowDTO   `json:"total"`
}

func reportDTO(r *Report) SLAReportDTO {
	out := SLAReportDTO{From: r.From, To: r.To, GroupBy: r.GroupBy, OnlyCuratorID: named(r.OnlyCuratorID),
		Total: reportRowDTO(r.Total, ""), Rows: make([]SLAReportRowDTO, len(r.Rows))}
	for i, row := range r.Rows {
		out.Rows[i] = reportRowDTO(row, r.GroupBy)
	}
	return out
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

const reportScopeDoc = " A caller without sla_reports:read_all (a curator) gets only the clocks charged to her — " +
	"those whose responsible curator she was when they started — whatever the grouping."

func registerReports(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_reports", "read"), huma.Operation{
		OperationID: "get-sla-report", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/report", Tags: []string{tag},
		Summary: "SLA compliance report", Description: "Compliance, counts and median / p90 / p95 response time in business minutes " +
			"of the clocks started in [from, to), by curator, cohort, channel, policy or day (in the school's time zone), " +
			"with names beside the ids. Percentiles are nearest-rank." + reportScopeDoc,
	}, func(ctx context.Context, in *reportQuery) (*struct{ Body SLAReportDTO }, error) {
		r, err := svc.Report(ctx, httpapi.OrgID(ctx), in.input())
		if err != nil {
			return nil, err
		}
		return &struct{ Body SLAReportDTO }{Body: reportDTO(r)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_reports", "read"), huma.Operation{
		OperationID: "export-sla-report", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/report/export", Tags: []string{tag},
		Summary: "Export the SLA report as CSV", Description: "The same rows as the report, ids with their names, " +
			"and a last row for the total, as text/csv. An empty cell is a figure without data." + reportScopeDoc,
		Responses: httpapi.CSVResponses("curator_id,curator_name,items,compliant,breached,compliance_percent,answered,open,dismissed,median_minutes,p90_minutes,p95_minutes\n" +
			"0190a0a0-0000-7000-8000-000000000001,Анна Смирнова,40,38,2,95,39,1,0,42,95,110\n"),
	}, func(ctx context.Context, in *reportQuery) (*httpapi.CSVFile, error) {
		r, err := svc.Report(ctx, httpapi.OrgID(ctx), in.input())
		if err != nil {
			return nil, err
		}
		return httpapi.NewCSVFile("sla-report.csv", reportCSV(r)), nil
	})
}

// groupHeaders are the CSV columns that say what a row is about.
var groupHeaders = map[string][]string{
	"curator": {"curator_id", "curator_name"},
	"cohort":  {"cohort_id", "cohort_name", "course_id", "course_name"},
	"channel": {"channel", "channel_label"},
	"policy":  {"policy_id", "policy_name"},
	"day":     {"day"},
}

// groupCells are a row's values for groupHeaders.
func groupCells(groupBy string, g Group) []string {
	if groupBy == "cohort" {
		return []string{g.Key, g.Name, g.CourseID, g.CourseName}
	}
	if groupBy == "day" {
		return []string{g.Key}
	}
	return []string{g.Key, g.Name}
}

// reportCSV writes the report with a header line and a closing total.
func reportCSV(r *Report) []byte {
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf, ',')
	header := append(append([]string{}, groupHeaders[r.GroupBy]...), "items", "compliant", "breached", "compliance_percent",
		"answered", "open", "dismissed", "median_minutes", "p90_minutes", "p95_minutes")
	_ = w.Write(header...)
	line := func(group []string, x ReportRow) {
		f := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		_ = w.Write(append(group, strconv.Itoa(x.Items), strconv.Itoa(x.Compliant), strconv.Itoa(x.Breached), f(x.CompliancePercent),
			strconv.Itoa(x.Answered), strconv.Itoa(x.Open), strconv.Itoa(x.Dismissed), f(x.MedianMinutes), f(x.P90Minutes), f(x.P95Minutes))...)
	}
	for _, row := range r.Rows {
		line(groupCells(r.GroupBy, row.Group), row)
	}
	total := make([]string, len(groupHeaders[r.GroupBy]))
	total[0] = "total"
	line(total, r.Total)
	_ = w.Flush() // a bytes.Buffer does not fail
	return buf.Bytes()
}
