package scorecard

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

// PeriodQuery is the period, the comparison period and the module whose
// completion is shown.
type PeriodQuery struct {
	From        time.Time `query:"from" required:"true" doc:"Start of the period (inclusive)."`
	To          time.Time `query:"to" required:"true" doc:"End of the period (exclusive); at most 400 days after from."`
	CompareFrom time.Time `query:"compare_from" doc:"Start of the comparison period; with compare_to."`
	CompareTo   time.Time `query:"compare_to" doc:"End of the comparison period; with compare_from."`
	Module      int       `query:"module" minimum:"1" maximum:"100" default:"3" doc:"The position of the module whose completion is shown."`
}

func (p PeriodQuery) query() Query {
	q := Query{From: p.From, To: p.To, Module: p.Module}
	if !p.CompareFrom.IsZero() {
		q.CompareFrom = &p.CompareFrom
	}
	if !p.CompareTo.IsZero() {
		q.CompareTo = &p.CompareTo
	}
	return q
}

type schoolInput struct {
	httpapi.OrgPath
	PeriodQuery
	Breakdown string `query:"breakdown" enum:"none,cohort,course,curator,month" default:"none" doc:"Rows by cohort, course, curator (of the moment of each fact) or month (school's time zone)."`
	CohortID  string `query:"cohort_id" format:"uuid" doc:"Only this cohort's figures."`
	CourseID  string `query:"course_id" format:"uuid" doc:"Only this course's figures."`
	CuratorID string `query:"curator_id" format:"uuid" doc:"Only the figures that count for this curator."`
}

func (in *schoolInput) query() Query {
	q := in.PeriodQuery.query()
	q.Breakdown, q.CohortID, q.CourseID, q.CuratorID = in.Breakdown, in.CohortID, in.CourseID, in.CuratorID
	return q
}

type curatorInput struct {
	httpapi.OrgPath
	PeriodQuery
	CuratorID string `path:"curator_id" format:"uuid" doc:"The curator's user id."`
	Breakdown string `query:"breakdown" enum:"none,cohort,course,month" default:"cohort" doc:"Her rows by cohort, course or month."`
}

func (in *curatorInput) query() Query {
	q := in.PeriodQuery.query()
	q.Breakdown = in.Breakdown
	return q
}

// ScorecardBody is the scorecard.
type ScorecardBody struct {
	Scorecard
}

type scorecardOutput struct{ Body ScorecardBody }

// csvExample is the header row of the CSV exports without a comparison
// period (with one, each figure column repeats with a compare_ prefix).
var csvExample = strings.Join(append(append([]string{}, rowColumns...), figureColumns...), ",") + "\n"

// definitions is what the operations say about the figures.
const definitions = " CSI: answers of 4–5 ÷ CSI answers. NPS: % promoters (9–10) − % detractors (0–6). Completion: students of the " +
	"cohorts started in the period who submitted module N's homework ÷ their enrollments (all, and active or completed). Refund rate: refunded " +
	"enrollments ÷ enrollments paid in the period. Response time and SLA: the SLA module's clocks started in the period (business hours, " +
	"nearest-rank median and p90). Review time: homework reviews completed in the period. LTV: lifetime orders minus refunds of the " +
	"students who paid in the period ÷ those students; ARPPU: the period's orders minus its refunds ÷ students who paid in it; repeat " +
	"purchases: of those students, with more than one order not refunded in full. Each figure carries its numerator and denominator or " +
	"sample; a figure without data is null, never 0. A fact counts for the curator of its moment: the student's curator when answering " +
	"(from the curator history), the clock's, the reviewer; a refunded enrollment for the curator at its refund."

const access = " Who sees what is the policy's: the school's rows need scorecard_school:read_all (head, admin, finance); " +
	"without it, scorecard_curators:read_all (senior curators) reads breakdown=curator or one curator_id. Service figures need " +
	"scorecard_service:read_all, money figures (revenue, ARPPU, LTV, repeat purchases) scorecard_money:read_all; the groups " +
	"the caller may not see are null and named in hidden."

func registerScorecard(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("scorecard", "read"), huma.Operation{
		OperationID: "get-scorecard", Method: http.MethodGet, Path: "/v1/orgs/{org}/metrics/scorecard", Tags: []string{"Scorecard"},
		Summary: "The service scorecard of a period, compared with another",
		Description: "The reference table's rows for [from, to) and, with compare_from and compare_to, the comparison period and the " +
			"change, in total and by cohort, course, curator or month, with names beside ids." + definitions + access,
	}, func(ctx context.Context, in *schoolInput) (*scorecardOutput, error) {
		sc, err := svc.School(ctx, httpapi.OrgID(ctx), in.query())
		if err != nil {
			return nil, err
		}
		return &scorecardOutput{Body: ScorecardBody{*sc}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("scorecard", "read"), huma.Operation{
		OperationID: "export-scorecard", Method: http.MethodGet, Path: "/v1/orgs/{org}/metrics/scorecard/export", Tags: []string{"Scorecard"},
		Summary:     "Export the service scorecard as CSV",
		Description: "The same rows as the scorecard, ids with their names, and a last row for the total, as text/csv; every figure with its numerator and denominator. An empty cell is a figure without data or one the caller may not see." + access,
		Responses:   httpapi.CSVResponses(csvExample),
	}, func(ctx context.Context, in *schoolInput) (*httpapi.CSVFile, error) {
		sc, err := svc.School(ctx, httpapi.OrgID(ctx), in.query())
		if err != nil {
			return nil, err
		}
		return httpapi.NewCSVFile("scorecard.csv", scorecardCSV(sc)), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("scorecard_curator", "read_own"), huma.Operation{
		OperationID: "get-curator-scorecard", Method: http.MethodGet, Path: "/v1/orgs/{org}/metrics/scorecard/curators/{curator_id}", Tags: []string{"Scorecard"},
		Summary: "One curator's scorecard",
		Description: "Everything about one curator: her students' CSI, NPS and completion, her response and review figures and SLA, " +
			"quality, cases credited to her and refunds among her students, by cohort, course or month, for the period and the " +
			"comparison period." + definitions + " A curator reads her own; scorecard_curators:read_all (senior curators, the head) " +
			"reads anyone's. Money figures need scorecard_money:read_all.",
	}, func(ctx context.Context, in *curatorInput) (*scorecardOutput, error) {
		sc, err := svc.Curator(ctx, httpapi.OrgID(ctx), in.CuratorID, in.query())
		if err != nil {
			return nil, err
		}
		return &scorecardOutput{Body: ScorecardBody{*sc}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("scorecard_curator", "read_own"), huma.Operation{
		OperationID: "export-curator-scorecard", Method: http.MethodGet, Path: "/v1/orgs/{org}/metrics/scorecard/curators/{curator_id}/export", Tags: []string{"Scorecard"},
		Summary:     "Export one curator's scorecard as CSV",
		Description: "The same rows as the curator's scorecard as text/csv, with a last row for her total.",
		Responses:   httpapi.CSVResponses(csvExample),
	}, func(ctx context.Context, in *curatorInput) (*httpapi.CSVFile, error) {
		sc, err := svc.Curator(ctx, httpapi.OrgID(ctx), in.CuratorID, in.query())
		if err != nil {
			return nil, err
		}
		return httpapi.NewCSVFile("curator-scorecard.csv", scorecardCSV(sc)), nil
	})
}

// rowColumns are the CSV columns that say which row a line is.
var rowColumns = []string{"key", "cohort_id", "cohort_name", "course_id", "course_name", "curator_id", "curator_name", "month"}

// figureColumns are the CSV columns of one period's figures.
var figureColumns = []string{
	"csi_satisfied", "csi_answers", "csi_percent",
	"nps_promoters", "nps_passives", "nps_detractors", "nps_answers", "nps_score",
	"completion_module", "completion_submitted", "completion_enrolled", "completion_percent",
	"completion_active_submitted", "completion_active", "completion_active_percent",
	"refunded_enrollments", "paid_enrollments", "refund_rate_percent",
	"response_sample", "response_median_hours", "response_p90_hours",
	"sla_compliant", "sla_items", "sla_percent",
	"review_sample", "review_median_hours", "review_p90_hours",
	"reviews_in_time", "reviews", "review_in_time_percent",
	"review_quality_sample", "review_quality_score",
	"cases_text", "cases_video", "cases_total",
	"conversation_reviews", "conversation_quality_score",
	"revenue_kopecks", "arppu_kopecks", "arppu_students",
	"ltv_kopecks", "ltv_students", "repeat_buyers", "repeat_payers", "repeat_purchase_percent",
}

// figureCells are one period's figures as CSV cells; empty for a figure
// without data or hidden.
func figureCells(f *Figures) []string {
	cells := make([]string, 0, len(figureColumns))
	add := func(v ...string) { cells = append(cells, v...) }
	rateCells := func(r *Rate) {
		if r == nil {
			add("", "", "")
			return
		}
		add(itoa(r.Numerator), itoa(r.Denominator), float(r.Percent))
	}
	durationCells := func(d *Durations) {
		if d == nil {
			add("", "", "")
			return
		}
		add(itoa(d.Sample), float(d.MedianHours), float(d.P90Hours))
	}
	if f == nil {
		f = &Figures{}
	}
	rateCells(f.CSI)
	if n := f.NPS; n != nil {
		add(itoa(n.Promoters), itoa(n.Passives), itoa(n.Detractors), itoa(n.Answers), float(n.Score))
	} else {
		add("", "", "", "", "")
	}
	if c := f.Completion; c != nil {
		add(itoa(c.Module))
		rateCells(&c.Enrolled)
		rateCells(&c.Active)
	} else {
		add("", "", "", "", "", "", "")
	}
	rateCells(f.RefundRate)
	durationCells(f.ResponseTime)
	rateCells(f.SLA)
	durationCells(f.ReviewTime)
	rateCells(f.ReviewInTime)
	if q := f.ReviewQuality; q != nil {
		add(itoa(q.Sample), float(q.Score))
	} else {
		add("", "")
	}
	if c := f.Cases; c != nil {
		add(intp(c.Text), intp(c.Video), intp(c.Total))
	} else {
		add("", "", "")
	}
	if q := f.ConversationQuality; q != nil && q.Available {
		add(itoa(q.Reviews), float(q.Score))
	} else {
		add("", "")
	}
	if f.Revenue != nil {
		add(strconv.FormatInt(*f.Revenue, 10))
	} else {
		add("")
	}
	for _, m := range []*Money{f.ARPPU, f.LTV} {
		if m != nil {
			add(float(m.Average), itoa(m.Students))
		} else {
			add("", "")
		}
	}
	rateCells(f.RepeatPurchase)
	return cells
}

// scorecardCSV writes the rows and a closing total.
func scorecardCSV(sc *Scorecard) []byte {
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf, ',')
	header := append(append([]string{}, rowColumns...), figureColumns...)
	compare := sc.CompareFrom != nil
	if compare {
		for _, c := range figureColumns {
			header = append(header, "compare_"+c)
		}
	}
	_ = w.Write(header...)
	for _, r := range append(append([]Row{}, sc.Rows...), sc.Total) {
		cells := []string{r.Key, str(r.CohortID), str(r.CohortName), str(r.CourseID), str(r.CourseName), str(r.CuratorID), str(r.CuratorName), str(r.Month)}
		cells = append(cells, figureCells(&r.Period)...)
		if compare {
			cells = append(cells, figureCells(r.Compare)...)
		}
		_ = w.Write(cells...)
	}
	_ = w.Flush()
	return buf.Bytes()
}

func itoa(n int) string { return strconv.Itoa(n) }

func intp(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func float(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
