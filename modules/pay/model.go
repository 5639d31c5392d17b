// Package pay calculates curators' pay from versioned schemes: a fixed
// part, piece rates per reviewed homework, KPI bonuses with tiers and a
// commission on upsells, each line explained in kopecks.
package pay

import (
	"time"

	"github.com/uptrace/bun"
)

// Component kinds.
const (
	KindFixed      = "fixed"
	KindPiece      = "piece"
	KindKPI        = "kpi"
	KindCommission = "commission"
)

// KPI metrics of the catalog.
const (
	MetricCompletion    = "completion"     // share of the curator's students who submitted module N, %
	MetricCSI           = "csi"            // share of satisfied answers (4–5) of her students, %
	MetricSLA           = "sla_compliance" // share of clocks answered within target, %
	MetricReviewQuality = "review_quality" // mean quality-control score of her reviews, 0–100
	MetricCasesText     = "cases_text"     // approved text cases credited to her, count
	MetricCasesVideo    = "cases_video"    // approved video cases credited to her, count
	MetricRefundRate    = "refund_rate"    // refunded / paid enrollments of her students, %
	MetricUpsellRevenue = "upsell_revenue" // upsell orders attributed to her, kopecks
)

// Metrics lists the catalog, in the order forms show it.
var Metrics = []string{MetricCompletion, MetricCSI, MetricSLA, MetricReviewQuality, MetricCasesText, MetricCasesVideo,
	MetricRefundRate, MetricUpsellRevenue}

// Tier modes.
const (
	TiersStep         = "step"         // the amount of the tier reached
	TiersProgressive  = "progressive"  // amount per unit of the metric inside each tier, summed up to the value
	TiersInterpolated = "interpolated" // linear from the tier's amount to the next tier's across the tier
)

// Directions of a KPI.
const (
	HigherIsBetter = "higher"
	LowerIsBetter  = "lower"
)

// Resubmission rules of a piece rate.
const (
	ResubmissionsEach      = "each"       // every review of a resubmission is paid
	ResubmissionsFirstOnly = "first_only" // one paid review per submission chain
)

// Scheme is a named pay scheme; its components live in its versions.
type Scheme struct {
	bun.BaseModel `bun:"table:pay_schemes"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
	Version   int64     `bun:"version"`
}

// RowVersion is the version an update must name.
func (s *Scheme) RowVersion() int64 { return s.Version }

// Bump gives the scheme its next version.
func (s *Scheme) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// SchemeVersion is one numbered version of a scheme. Once a calculated
// period used it (UsedAt set) it never changes again: an edit makes a new
// version, so a statement can always be explained by the rules it was
// calculated with.
type SchemeVersion struct {
	bun.BaseModel `bun:"table:pay_scheme_versions"`

	ID        string     `bun:"id,pk"`
	OrgID     string     `bun:"org_id"`
	SchemeID  string     `bun:"scheme_id"`
	Number    int        `bun:"number"`
	Spec      Spec       `bun:"spec,type:jsonb"`
	Note      string     `bun:"note"`
	UsedAt    *time.Time `bun:"used_at"`
	CreatedBy *string    `bun:"created_by"`
	CreatedAt time.Time  `bun:"created_at"`
	UpdatedAt time.Time  `bun:"updated_at"`
	Version   int64      `bun:"version"`
}

// RowVersion is the version an update must name.
func (v *SchemeVersion) RowVersion() int64 { return v.Version }

// Bump gives the version row its next version.
func (v *SchemeVersion) Bump(at time.Time) { v.Version++; v.UpdatedAt = at }

// Assignment applies a scheme version to a person from a date (in the
// school's time zone) until the person's next assignment. Rows are never
// edited: a change is a new row.
type Assignment struct {
	bun.BaseModel `bun:"table:pay_assignments"`

	ID              string    `bun:"id,pk"`
	OrgID           string    `bun:"org_id"`
	UserID          string    `bun:"user_id"`
	SchemeVersionID string    `bun:"scheme_version_id"`
	EffectiveFrom   string    `bun:"effective_from"` // YYYY-MM-DD
	CreatedBy       *string   `bun:"created_by"`
	CreatedAt       time.Time `bun:"created_at"`
}

// Spec is what a scheme version pays: its components and the floor and
// cap of the total. Rates and percentages are decimal strings, read
// exactly (see Dec); amounts are kopecks.
type Spec struct {
	Components []Component `json:"components"`
	TotalFloor *int64      `json:"total_floor,omitempty"`
	TotalCap   *int64      `json:"total_cap,omitempty"`
}

// Component is one part of a scheme. Which fields matter depends on Kind.
type Component struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
	Floor *int64 `json:"floor,omitempty"`
	Cap   *int64 `json:"cap,omitempty"`

	// fixed: kopecks for a whole month, prorated by the days assigned.
	Amount int64 `json:"amount,omitempty"`

	// piece: kopecks per review by assignment type ("*" for any other).
	Rates         []PieceRate `json:"rates,omitempty"`
	Resubmissions string      `json:"resubmissions,omitempty"`

	// kpi
	Metric        string `json:"metric,omitempty"`
	Module        int    `json:"module,omitempty"` // completion: the module's position
	Direction     string `json:"direction,omitempty"`
	MinSample     int    `json:"min_sample,omitempty"`
	DefaultAmount int64  `json:"default_amount,omitempty"` // paid below the minimum sample
	Weight        string `json:"weight,omitempty"`         // decimal multiplier of the tiers' amounts
	TierMode      string `json:"tier_mode,omitempty"`
	Tiers         []Tier `json:"tiers,omitempty"`

	// commission: percent of the upsell orders attributed to the curator.
	Percent string `json:"percent,omitempty"`
}

// PieceRate is the pay for one counted review of an assignment type.
type PieceRate struct {
	AssignmentType string `json:"assignment_type"`
	Rate           int64  `json:"rate"`
}

// Tier is a half-open range [From, To) of the metric and its amount; the
// last tier may be open-ended (To empty). A value on a boundary belongs to
// the tier that starts there.
type Tier struct {
	From   string `json:"from"`
	To     string `json:"to,omitempty"`
	Amount int64  `json:"amount"`
}
