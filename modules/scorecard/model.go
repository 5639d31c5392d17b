// Package scorecard is the head of service's table: CSI, NPS, completion,
// refund rate, response and review times, SLA compliance, cases, quality,
// LTV and ARPPU for a period and a comparison period, broken down by
// cohort, course, curator or month. It stores nothing; every figure is
// computed from the modules that own the data.
package scorecard

import "math"

// Breakdowns of the scorecard.
const (
	ByNone    = "none"
	ByCohort  = "cohort"
	ByCourse  = "course"
	ByCurator = "curator"
	ByMonth   = "month"
)

// NoneKey is the row of what has no cohort, course or curator.
const NoneKey = "none"

// Figure groups the caller may be refused: service figures and money.
const (
	GroupService = "service"
	GroupMoney   = "money"
)

// Rate is a share: Numerator of Denominator, in percent; Percent is null
// when the denominator is 0.
type Rate struct {
	Numerator   int      `json:"numerator" doc:"The counted items."`
	Denominator int      `json:"denominator" doc:"The items counted over: the sample."`
	Percent     *float64 `json:"percent" doc:"numerator ÷ denominator × 100, one decimal; null without data."`
}

func rate(part, whole int) Rate {
	r := Rate{Numerator: part, Denominator: whole}
	if whole > 0 {
		r.Percent = ptr(round(float64(part)*100/float64(whole), 1))
	}
	return r
}

// NPS is the net promoter score: % promoters (9–10) − % detractors (0–6).
type NPS struct {
	Promoters  int      `json:"promoters"`
	Passives   int      `json:"passives"`
	Detractors int      `json:"detractors"`
	Answers    int      `json:"answers" doc:"The sample."`
	Score      *float64 `json:"score" doc:"From -100 to 100, one decimal; null without answers."`
}

// Durations are the median and 90th percentile (nearest rank) of business
// times, in hours.
type Durations struct {
	Sample      int      `json:"sample" doc:"How many times were measured."`
	MedianHours *float64 `json:"median_hours" doc:"Business hours, two decimals; null without a sample."`
	P90Hours    *float64 `json:"p90_hours" doc:"Business hours, two decimals; null without a sample."`
}

// Completion is the completion (доходимость) of module N of the cohorts
// that started in the period, over all their enrollments and over the
// active or completed ones.
type Completion struct {
	Module   int  `json:"module" doc:"The module's position in its course."`
	Enrolled Rate `json:"enrolled" doc:"Students who submitted the module's homework ÷ every enrollment of the cohorts."`
	Active   Rate `json:"active" doc:"The same over the active or completed enrollments."`
}

// Average is a mean score over a sample.
type Average struct {
	Sample int      `json:"sample"`
	Score  *float64 `json:"score" doc:"0–100, one decimal; null without a sample."`
}

// CaseCounts counts the collected cases, text and video.
type CaseCounts struct {
	Available bool    `json:"available" doc:"False until the cases module is connected; the counts are then null."`
	Text      *int    `json:"text"`
	Video     *int    `json:"video"`
	Total     *int    `json:"total"`
	Note      *string `json:"note,omitempty"`
}

// QualityScore is the conversation quality score of the curators' reviewed
// conversations, weighted by points.
type QualityScore struct {
	Available bool     `json:"available" doc:"False until the quality module is connected, and on rows other than curators' and the total."`
	Reviews   int      `json:"reviews" doc:"The sample: reviewed conversations."`
	Points    float64  `json:"points" doc:"The numerator: points scored."`
	MaxPoints float64  `json:"max_points" doc:"The denominator: points possible."`
	Score     *float64 `json:"score" doc:"points ÷ max_points × 100, one decimal; null without reviews."`
	Note      *string  `json:"note,omitempty"`
}

// Money is an average amount per student: Kopecks of Students.
type Money struct {
	Kopecks  int64    `json:"kopecks" doc:"The numerator: revenue in kopecks (orders minus refunds)."`
	Students int      `json:"students" doc:"The denominator: students."`
	Average  *float64 `json:"average_kopecks" doc:"kopecks ÷ students, rounded to a kopeck; null without students."`
}

func money(kopecks int64, students int) Money {
	m := Money{Kopecks: kopecks, Students: students}
	if students > 0 {
		m.Average = ptr(math.Round(float64(kopecks) / float64(students)))
	}
	return m
}

// Figures are one row of the scorecard for one period. A group of figures
// the caller may not see is null (see Hidden of the scorecard).
type Figures struct {
	CSI                 *Rate         `json:"csi,omitempty" doc:"Satisfied answers (4–5) ÷ CSI answers (1–5) answered in the period."`
	NPS                 *NPS          `json:"nps,omitempty" doc:"Of the NPS answers (0–10) answered in the period."`
	Completion          *Completion   `json:"completion,omitempty"`
	RefundRate          *Rate         `json:"refund_rate,omitempty" doc:"Refunded enrollments ÷ paid enrollments: enrollments paid in the period; refunded when an order of the enrollment has a refund, whenever made."`
	ResponseTime        *Durations    `json:"response_time,omitempty" doc:"First reply after a student's message, business hours, of the clocks started in the period."`
	SLA                 *Rate         `json:"sla,omitempty" doc:"Clocks answered within target ÷ clocks answered or open past due."`
	ReviewTime          *Durations    `json:"review_time,omitempty" doc:"Homework review time, business hours, of the reviews completed in the period."`
	ReviewInTime        *Rate         `json:"review_in_time,omitempty" doc:"Reviews completed by their due time ÷ reviews completed in the period."`
	ReviewQuality       *Average      `json:"review_quality,omitempty" doc:"Seniors' quality checks of the homework reviews made in the period."`
	Cases               *CaseCounts   `json:"cases,omitempty" doc:"Cases submitted in the period and approved."`
	ConversationQuality *QualityScore `json:"conversation_quality,omitempty"`
	Revenue             *int64        `json:"revenue_kopecks,omitempty" doc:"Orders paid in the period minus refunds made in it."`
	ARPPU               *Money        `json:"arppu,omitempty" doc:"Revenue of the period ÷ students who paid in it."`
	LTV                 *Money        `json:"ltv,omitempty" doc:"Lifetime revenue (all orders minus all refunds) of the students who paid in the period ÷ those students."`
	RepeatPurchase      *Rate         `json:"repeat_purchase,omitempty" doc:"Of the students who paid in the period: those with more than one order not refunded in full ÷ those with at least one."`
}

// Change is the comparison period's figures subtracted from the period's:
// percentage points for rates, points for NPS, hours, kopecks, counts;
// null when either side is.
type Change struct {
	CSI                 *float64 `json:"csi_pp"`
	NPS                 *float64 `json:"nps"`
	Completion          *float64 `json:"completion_pp" doc:"Over every enrollment."`
	RefundRate          *float64 `json:"refund_rate_pp"`
	ResponseMedian      *float64 `json:"response_median_hours"`
	ResponseP90         *float64 `json:"response_p90_hours"`
	SLA                 *float64 `json:"sla_pp"`
	ReviewMedian        *float64 `json:"review_median_hours"`
	ReviewInTime        *float64 `json:"review_in_time_pp"`
	ReviewQuality       *float64 `json:"review_quality"`
	CasesTotal          *float64 `json:"cases_total"`
	CasesVideo          *float64 `json:"cases_video"`
	ConversationQuality *float64 `json:"conversation_quality"`
	Revenue             *float64 `json:"revenue_kopecks"`
	ARPPU               *float64 `json:"arppu_kopecks"`
	LTV                 *float64 `json:"ltv_kopecks"`
	RepeatPurchase      *float64 `json:"repeat_purchase_pp"`
}

func ptr[T any](v T) *T { return &v }

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
