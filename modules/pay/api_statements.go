package pay

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// viewer is the caller: everyone's statements with pay_statements:read_all,
// her own otherwise.
func viewer(ctx context.Context) Viewer {
	m := reqctx.From(ctx)
	return Viewer{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed("pay_statements", "read_all")}
}

// PayLineDTO is one statement line and how it was reached.
type PayLineDTO struct {
	ID              string  `json:"id" format:"uuid"`
	Position        int     `json:"position"`
	Key             string  `json:"key" doc:"The component's key and the first day of its stretch, or correction:<month>:<line> for a correction."`
	Kind            string  `json:"kind" enum:"fixed,piece,kpi,commission,total_floor,total_cap,correction"`
	Component       string  `json:"component"`
	Title           string  `json:"title"`
	SchemeVersionID *string `json:"scheme_version_id" format:"uuid"`
	StretchFrom     string  `json:"stretch_from" doc:"First day of the stretch of the month the line pays for (empty for totals and corrections)."`
	StretchTo       string  `json:"stretch_to"`
	Share           string  `json:"share" doc:"The stretch's days over the month's days, exact to 6 places."`
	Quantity        int64   `json:"quantity" doc:"piece: the reviews paid."`
	Rate            string  `json:"rate" doc:"piece: kopecks per review (one assignment kind); commission: percent."`
	Base            int64   `json:"base" doc:"commission: the base, kopecks."`
	Metric          string  `json:"metric" doc:"kpi: the metric of the catalog."`
	Value           string  `json:"value" doc:"kpi: the metric's value (empty with no data)."`
	Numerator       string  `json:"numerator" doc:"kpi: the value's numerator (weighted for completion and refunds)."`
	Denominator     string  `json:"denominator"`
	Sample          int     `json:"sample" doc:"kpi: the rows the value was computed from."`
	BelowMinimum    bool    `json:"below_minimum" doc:"kpi: the sample was below the minimum and the declared default was paid."`
	Tier            int     `json:"tier" doc:"kpi: the 1-based tier reached, 0 for none."`
	NextTier        int     `json:"next_tier" doc:"kpi: the next better tier, 0 for none."`
	NextNeeds       string  `json:"next_needs" doc:"kpi: the value that reaches the next tier, e.g. ≥ 70."`
	Exact           string  `json:"exact" doc:"The exact amount before rounding, kopecks."`
	Amount          int64   `json:"amount" doc:"Kopecks, rounded once, half to even."`
	Rounding        string  `json:"rounding" doc:"amount − exact."`
	Limited         string  `json:"limited" doc:"floor or cap when one applied."`
	Detail          string  `json:"detail"`
	CorrectionOf    *string `json:"correction_of" doc:"The locked month a correction line corrects."`
	SourcesURL      string  `json:"sources_url"`
}

// PayStatementDTO is one person's statement.
type PayStatementDTO struct {
	ID          string       `json:"id" format:"uuid"`
	PeriodID    string       `json:"period_id" format:"uuid"`
	Month       string       `json:"month"`
	Calculation int          `json:"calculation"`
	UserID      string       `json:"user_id" format:"uuid"`
	Name        string       `json:"name"`
	Total       int64        `json:"total" doc:"Kopecks: the sum of the lines."`
	Lines       []PayLineDTO `json:"lines"`
}

func statementDTO(orgID string, p *Period, v *StatementView) PayStatementDTO {
	out := PayStatementDTO{ID: v.Statement.ID, PeriodID: p.ID, Month: p.Month, Calculation: v.Statement.Calculation, UserID: v.Statement.UserID,
		Name: v.Name, Total: v.Statement.Total, Lines: make([]PayLineDTO, len(v.Lines))}
	for i, l := range v.Lines {
		out.Lines[i] = PayLineDTO{ID: l.ID, Position: l.Position, Key: l.Key, Kind: l.Kind, Component: l.Component, Title: l.Title,
			SchemeVersionID: l.SchemeVersionID, StretchFrom: l.StretchFrom, StretchTo: l.StretchTo, Share: l.Share, Quantity: l.Quantity,
			Rate: l.Rate, Base: l.Base, Metric: l.Metric, Value: l.Value, Numerator: l.Numerator, Denominator: l.Denominator, Sample: l.Sample,
			BelowMinimum: l.BelowMin, Tier: l.Tier, NextTier: l.NextTier, NextNeeds: l.NextNeeds, Exact: l.Exact, Amount: l.Amount,
			Rounding: l.Rounding, Limited: l.Limited, Detail: l.Detail, CorrectionOf: l.CorrectionOf,
			SourcesURL: fmt.Sprintf("/v1/orgs/%s/pay-lines/%s/sources", orgID, l.ID)}
	}
	return out
}

// PaySourceDTO is one row a line was calculated from.
type PaySourceDTO struct {
	Kind     string `json:"kind" enum:"review,clock,answer,check,case,enrollment,order"`
	SourceID string `json:"source_id" format:"uuid" doc:"The row's id in its module: a homework review, an SLA clock, a survey answer, a quality check, a case, an enrollment, an order."`
	Counted  string `json:"counted" doc:"The row's part of the quantity, numerator or base."`
	Weight   string `json:"weight" doc:"The row's part of the denominator (kpi), or the rate it was paid at (piece, commission)."`
}

// PayDisputeDTO is a person's objection to a line.
type PayDisputeDTO struct {
	ID         string     `json:"id" format:"uuid"`
	PeriodID   string     `json:"period_id" format:"uuid"`
	LineID     string     `json:"line_id" format:"uuid"`
	UserID     string     `json:"user_id" format:"uuid"`
	Comment    string     `json:"comment"`
	Status     string     `json:"status" enum:"open,resolved"`
	Resolution string     `json:"resolution"`
	ResolvedBy *string    `json:"resolved_by" format:"uuid"`
	ResolvedAt *time.Time `json:"resolved_at"`
	Version    int64      `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
}

func disputeDTO(d *Dispute) PayDisputeDTO {
	return PayDisputeDTO{ID: d.ID, PeriodID: d.PeriodID, LineID: d.LineID, UserID: d.UserID, Comment: d.Comment, Status: d.Status,
		Resolution: d.Resolution, ResolvedBy: d.ResolvedBy, ResolvedAt: httpapi.UTC(d.ResolvedAt), Version: d.Version, CreatedAt: d.CreatedAt.UTC()}
}

// PayLineChangeDTO is how one line moved between calculations.
type PayLineChangeDTO struct {
	Key        string `json:"key"`
	Title      string `json:"title"`
	Before     *int64 `json:"before" doc:"Kopecks in the previous calculation; null when the line is new."`
	After      *int64 `json:"after" doc:"Kopecks now; null when the line is gone."`
	Difference int64  `json:"difference"`
}

// PayStatementChangeDTO is how one person's statement moved.
type PayStatementChangeDTO struct {
	UserID string             `json:"user_id" format:"uuid"`
	Name   string             `json:"name"`
	Before int64              `json:"before"`
	After  int64              `json:"after"`
	Lines  []PayLineChangeDTO `json:"lines"`
}

// LinePath addresses one statement line.
type LinePath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Id of the statement line."`
}

func registerStatements(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("pay_statements", "read_own"), huma.Operation{
		OperationID: "list-pay-statements", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-periods/{id}/statements", Tags: []string{"Pay"},
		Summary:     "List a pay period's statements",
		Description: "The latest calculation's statements with their lines: everyone's for the head and finance, only her own for a curator.",
	}, func(ctx context.Context, in *PeriodPath) (*struct{ Body []PayStatementDTO }, error) {
		p, views, err := svc.Statements(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx))
		if err != nil {
			return nil, err
		}
		out := make([]PayStatementDTO, len(views))
		for i := range views {
			out[i] = statementDTO(httpapi.OrgID(ctx), p, &views[i])
		}
		return &struct{ Body []PayStatementDTO }{out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_statements", "read_own"), huma.Operation{
		OperationID: "get-pay-statement", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-periods/{id}/statements/{user}", Tags: []string{"Pay"},
		Summary:     "Read one person's pay statement",
		Description: "Every line with its quantity, rate, value, sample, tier and the next tier, and a link to its sources. A curator reading another's statement gets 404.",
	}, func(ctx context.Context, in *struct {
		PeriodPath
		User string `path:"user" format:"uuid" doc:"Id of the person."`
	}) (*struct{ Body PayStatementDTO }, error) {
		v, err := svc.StatementOf(ctx, httpapi.OrgID(ctx), in.ID, in.User, viewer(ctx))
		if err != nil {
			return nil, err
		}
		return &struct{ Body PayStatementDTO }{statementDTO(httpapi.OrgID(ctx), v.Period, v)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_statements", "read_own"), huma.Operation{
		OperationID: "list-pay-line-sources", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-lines/{id}/sources", Tags: []string{"Pay"},
		Summary:     "List the rows a statement line was calculated from",
		Description: "Reviews, clocks, survey answers, quality checks, cases, enrollments or orders, each with its part of the line: the counted values add up to the line's quantity, numerator or base, as they were when the line was calculated. Paged with cursor.",
	}, func(ctx context.Context, in *struct {
		LinePath
		httpapi.PageQuery
	}) (*struct{ Body httpapi.Page[PaySourceDTO] }, error) {
		after, err := httpapi.AfterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		_, rows, err := svc.LineSources(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx), after, in.Limit)
		if err != nil {
			return nil, err
		}
		page := httpapi.Page[PaySourceDTO]{Items: make([]PaySourceDTO, len(rows))}
		for i, r := range rows {
			page.Items[i] = PaySourceDTO{Kind: r.Kind, SourceID: r.SourceID, Counted: r.Counted, Weight: r.Weight}
		}
		if len(rows) == in.Limit {
			last := rows[len(rows)-1]
			page.NextCursor = httpapi.EncodeCursor(last.Kind + ":" + last.SourceID)
		}
		return &struct{ Body httpapi.Page[PaySourceDTO] }{page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_periods", "read"), huma.Operation{
		OperationID: "get-pay-period-difference", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-periods/{id}/difference", Tags: []string{"Pay"},
		Summary:     "Compare a pay period's last two calculations",
		Description: "Per person and line, what moved between the previous calculation and the latest; people and lines that did not move are left out (empty after the first calculation).",
	}, func(ctx context.Context, in *PeriodPath) (*struct{ Body []PayStatementChangeDTO }, error) {
		_, changes, err := svc.Difference(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := make([]PayStatementChangeDTO, len(changes))
		for i, c := range changes {
			out[i] = PayStatementChangeDTO{UserID: c.UserID, Name: c.Name, Before: c.Before, After: c.After, Lines: make([]PayLineChangeDTO, len(c.Lines))}
			for j, l := range c.Lines {
				out[i].Lines[j] = PayLineChangeDTO{Key: l.Key, Title: l.Title, Before: l.Before, After: l.After, Difference: l.Difference}
			}
		}
		return &struct{ Body []PayStatementChangeDTO }{out}, nil
	})
}
