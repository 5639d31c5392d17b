package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// TimeToHireDTO is the days from application to hire.
type TimeToHireDTO struct {
	Hires      int      `json:"hires" doc:"Sample size: moves to hired in the period."`
	TotalDays  float64  `json:"total_days"`
	MeanDays   *float64 `json:"mean_days" doc:"total_days / hires; null without hires."`
	MedianDays *float64 `json:"median_days"`
}

// StageConversionDTO is one forward stage of the funnel.
type StageConversionDTO struct {
	StageID      string          `json:"stage_id" format:"uuid"`
	StageTitle   string          `json:"stage_title"`
	StageKind    string          `json:"stage_kind" enum:"applied,step,test_task,interview,offer,hired,rejected,reserve"`
	Reached      int             `json:"reached" doc:"The period's applications that ever entered the stage."`
	FromApplied  HiringRatioDTO  `json:"from_applied" doc:"reached / the period's applications."`
	FromPrevious *HiringRatioDTO `json:"from_previous,omitempty" doc:"Applications that reached this and the previous stage / those that reached the previous stage; absent for the first."`
}

// HiringSourceDTO is one source's applications and hires.
type HiringSourceDTO struct {
	Source       string         `json:"source" enum:"job_site,referral,former_student,reserve,other"`
	Applications int            `json:"applications"`
	Hired        int            `json:"hired"`
	HireRate     HiringRatioDTO `json:"hire_rate" doc:"hired / applications."`
}

// QuarterTurnoverDTO is one quarter's curator turnover.
type QuarterTurnoverDTO struct {
	Quarter  string         `json:"quarter" example:"2026-Q1"`
	Turnover HiringRatioDTO `json:"turnover" doc:"Curators at the quarter's start who left during it / curators at its start."`
}

// HiringMetricsDTO are the hiring figures of a period.
type HiringMetricsDTO struct {
	From            time.Time            `json:"from"`
	To              time.Time            `json:"to"`
	Applications    int                  `json:"applications" doc:"Applications created in the period."`
	TimeToHire      TimeToHireDTO        `json:"time_to_hire"`
	Conversion      []StageConversionDTO `json:"stage_conversion" nullable:"false"`
	Sources         []HiringSourceDTO    `json:"sources" nullable:"false"`
	OfferAcceptance HiringRatioDTO       `json:"offer_acceptance" doc:"Accepted / (accepted + declined + expired) of the offers made in the period."`
	Retention90     HiringRatioDTO       `json:"retention_90d" doc:"Hires starting in the period whose 90th day has passed and who were still curators on it / those hires."`
	Turnover        []QuarterTurnoverDTO `json:"turnover" nullable:"false"`
}

func registerMetrics(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("hiring_metrics", "read"), huma.Operation{
		OperationID: "get-hiring-metrics", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-metrics", Tags: []string{"Hiring"},
		Summary:     "Get the hiring metrics",
		Description: "Time to hire, stage conversion, sources, offer acceptance, 90-day retention of hires and turnover per quarter for [from, to), each with its numerator and denominator (docs/hiring.md defines them).",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		From time.Time `query:"from" doc:"Start of the period (inclusive)."`
		To   time.Time `query:"to" doc:"End of the period (exclusive)."`
	}) (*struct{ Body HiringMetricsDTO }, error) {
		for _, end := range []struct {
			location string
			at       time.Time
		}{{"query.from", in.From}, {"query.to", in.To}} {
			if err := clock.CheckPlan(end.location, end.at); err != nil {
				return nil, err
			}
		}
		m, err := svc.Metrics(ctx, httpapi.OrgID(ctx), in.From, in.To)
		if err != nil {
			return nil, err
		}
		out := HiringMetricsDTO{From: utc(m.From), To: utc(m.To), Applications: m.Applications,
			TimeToHire: TimeToHireDTO{Hires: m.TimeToHire.Hires, TotalDays: m.TimeToHire.TotalDays, MeanDays: m.TimeToHire.MeanDays,
				MedianDays: m.TimeToHire.MedianDays},
			Conversion: []StageConversionDTO{}, Sources: []HiringSourceDTO{}, OfferAcceptance: ratioDTO(m.OfferAcceptance),
			Retention90: ratioDTO(m.Retention90), Turnover: []QuarterTurnoverDTO{}}
		for _, c := range m.Conversion {
			d := StageConversionDTO{StageID: c.Stage.ID, StageTitle: c.Stage.Title, StageKind: c.Stage.Kind, Reached: c.Reached,
				FromApplied: ratioDTO(c.FromApplied)}
			if c.FromPrevious != nil {
				r := ratioDTO(*c.FromPrevious)
				d.FromPrevious = &r
			}
			out.Conversion = append(out.Conversion, d)
		}
		for _, s := range m.Sources {
			out.Sources = append(out.Sources, HiringSourceDTO{Source: s.Source, Applications: s.Applications, Hired: s.Hired, HireRate: ratioDTO(s.HireRate)})
		}
		for _, q := range m.Turnover {
			out.Turnover = append(out.Turnover, QuarterTurnoverDTO{Quarter: q.Quarter, Turnover: ratioDTO(q.Turnover)})
		}
		return &struct{ Body HiringMetricsDTO }{Body: out}, nil
	})
}
