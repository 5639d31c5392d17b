package refunds

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// RefundRateDTO is the refund rate of one group with its numerator and
// denominator.
type RefundRateDTO struct {
	Key                 string   `json:"key" doc:"Cohort, course or curator id, reason code or month (YYYY-MM); empty for students without a curator."`
	Name                string   `json:"name"`
	RefundedEnrollments int      `json:"refunded_enrollments" doc:"Numerator: paid enrollments with a refund in the order ledger."`
	PaidEnrollments     int      `json:"paid_enrollments" doc:"Denominator: orders on a cohort paid in the period."`
	Rate                *float64 `json:"rate" doc:"Percent, rounded to 0.01; null with no paid enrollment."`
	RefundedAmount      int64    `json:"refunded_amount" doc:"Money returned on those enrollments, minor units."`
}

// RefundRetentionDTO is the retention rate of attempts.
type RefundRetentionDTO struct {
	Key      string   `json:"key" doc:"The person who made the attempts; all for the total."`
	Name     string   `json:"name"`
	Kept     int      `json:"kept" doc:"Numerator: attempts that kept the student."`
	Attempts int      `json:"attempts" doc:"Denominator: attempts made in the period."`
	Rate     *float64 `json:"rate" doc:"Percent, rounded to 0.01; null with no attempt."`
}

// RefundDecisionTimeDTO is how long requests waited for their decision.
type RefundDecisionTimeDTO struct {
	Decided     int      `json:"decided" doc:"Sample: requests approved, rejected or retained in the period."`
	MedianHours *float64 `json:"median_hours" doc:"Calendar hours from request to decision; null with no decision."`
	MeanHours   *float64 `json:"mean_hours"`
}

// RefundAnalyticsDTO are the refund figures of a period.
type RefundAnalyticsDTO struct {
	From               time.Time             `json:"from"`
	To                 time.Time             `json:"to"`
	GroupBy            string                `json:"group_by" enum:"cohort,course,curator,reason,month"`
	Total              RefundRateDTO         `json:"total"`
	Groups             []RefundRateDTO       `json:"groups" nullable:"false"`
	Retention          RefundRetentionDTO    `json:"retention"`
	RetentionByCurator []RefundRetentionDTO  `json:"retention_by_person" nullable:"false"`
	DecisionTime       RefundDecisionTimeDTO `json:"decision_time"`
}

func rateDTO(f RateFigure) RefundRateDTO {
	return RefundRateDTO{Key: f.Key, Name: f.Name, RefundedEnrollments: f.RefundedEnrollments, PaidEnrollments: f.PaidEnrollments, Rate: f.Rate, RefundedAmount: f.RefundedAmount}
}

func retentionDTO(f RetentionFigure) RefundRetentionDTO {
	return RefundRetentionDTO{Key: f.Key, Name: f.Name, Kept: f.Kept, Attempts: f.Attempts, Rate: f.Rate}
}

func registerAnalytics(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("refund_analytics", "read"), huma.Operation{
		OperationID: "get-refund-analytics", Method: http.MethodGet, Path: "/v1/orgs/{org}/refund-analytics", Tags: []string{"Refund analytics"},
		Summary: "Refund rate, retention and time to decision",
		Description: "Refund rate = refunded enrollments / paid enrollments (orders on a cohort paid in [from, to)), grouped by cohort, course, " +
			"curator (now), reason (of the last refunded request; every reason over all paid enrollments) or month of payment, with the money " +
			"returned; the retention rate of the attempts made in the period; the time from request to the decisions taken in it.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		GroupBy string    `query:"group_by" enum:"cohort,course,curator,reason,month" default:"cohort"`
		From    time.Time `query:"from" doc:"Start of the period (inclusive); 2000-01-01 when omitted."`
		To      time.Time `query:"to" doc:"End of the period (exclusive); now when omitted."`
	}) (*struct{ Body RefundAnalyticsDTO }, error) {
		from, to := in.From, in.To
		if from.IsZero() {
			from = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		if to.IsZero() {
			to = svc.Now()
		}
		if err := clock.CheckPeriod(from, to); err != nil {
			return nil, err
		}
		a, err := svc.Analytics(ctx, httpapi.OrgID(ctx), AnalyticsInput{GroupBy: in.GroupBy, From: from, To: to})
		if err != nil {
			return nil, err
		}
		out := RefundAnalyticsDTO{From: from.UTC(), To: to.UTC(), GroupBy: in.GroupBy, Total: rateDTO(a.Total), Groups: make([]RefundRateDTO, len(a.Groups)),
			Retention: retentionDTO(a.Retention), RetentionByCurator: make([]RefundRetentionDTO, len(a.RetentionByCurator)),
			DecisionTime: RefundDecisionTimeDTO{Decided: a.DecisionTime.Decided, MedianHours: a.DecisionTime.MedianHours, MeanHours: a.DecisionTime.MeanHours}}
		for i, g := range a.Groups {
			out.Groups[i] = rateDTO(g)
		}
		for i, g := range a.RetentionByCurator {
			out.RetentionByCurator[i] = retentionDTO(g)
		}
		return &struct{ Body RefundAnalyticsDTO }{Body: out}, nil
	})
}
