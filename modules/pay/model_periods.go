package pay

import (
	"time"

	"github.com/uptrace/bun"
)

// Period statuses, in the order a month goes through them.
const (
	StatusOpen            = "open"
	StatusCalculated      = "calculated"
	StatusInReview        = "in_review"
	StatusHeadApproved    = "head_approved"
	StatusFinanceApproved = "finance_approved"
	StatusLocked          = "locked"
	StatusExported        = "exported"
	StatusPaid            = "paid"
)

// Period is a calendar month of the school's pay. Calculation counts the
// calculations made; the statements of the latest one are the period's.
type Period struct {
	bun.BaseModel `bun:"table:pay_periods"`

	ID           string     `bun:"id,pk"`
	OrgID        string     `bun:"org_id"`
	Month        string     `bun:"month"` // YYYY-MM
	Status       string     `bun:"status"`
	Calculation  int        `bun:"calculation"`
	CalculatedAt *time.Time `bun:"calculated_at"`
	CreatedAt    time.Time  `bun:"created_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
	Version      int64      `bun:"version"`
}

// RowVersion is the version an update must name.
func (p *Period) RowVersion() int64 { return p.Version }

// Bump gives the period its next version.
func (p *Period) Bump(at time.Time) { p.Version++; p.UpdatedAt = at }

// Calculable tells whether the period may be (re)calculated: not once
// it is approved by the head.
func (p *Period) Calculable() bool {
	return p.Status == StatusOpen || p.Status == StatusCalculated || p.Status == StatusInReview
}

// Locked tells whether the period's figures are final.
func (p *Period) Locked() bool {
	return p.Status == StatusLocked || p.Status == StatusExported || p.Status == StatusPaid
}

// Transition is one change of a period's status, with who and why.
type Transition struct {
	bun.BaseModel `bun:"table:pay_period_transitions"`

	ID          string    `bun:"id,pk"`
	OrgID       string    `bun:"org_id"`
	PeriodID    string    `bun:"period_id"`
	Action      string    `bun:"action"`
	FromStatus  string    `bun:"from_status"`
	ToStatus    string    `bun:"to_status"`
	Calculation int       `bun:"calculation"`
	Reason      string    `bun:"reason"`
	ActorID     *string   `bun:"actor_id"`
	CreatedAt   time.Time `bun:"created_at"`
}

// Statement is one person's pay of one calculation of a period.
type Statement struct {
	bun.BaseModel `bun:"table:pay_statements"`

	ID          string    `bun:"id,pk"`
	OrgID       string    `bun:"org_id"`
	PeriodID    string    `bun:"period_id"`
	Calculation int       `bun:"calculation"`
	UserID      string    `bun:"user_id"`
	Total       int64     `bun:"total"`
	CreatedAt   time.Time `bun:"created_at"`
}

// StatementLine is a stored statement line: a calculated Line with where it
// sits and what it corrects.
type StatementLine struct {
	bun.BaseModel `bun:"table:pay_lines"`

	ID              string  `bun:"id,pk"`
	OrgID           string  `bun:"org_id"`
	StatementID     string  `bun:"statement_id"`
	Position        int     `bun:"position"`
	Key             string  `bun:"line_key"`
	Component       string  `bun:"component"`
	Kind            string  `bun:"kind"`
	Title           string  `bun:"title"`
	SchemeVersionID *string `bun:"scheme_version_id"`
	StretchFrom     string  `bun:"stretch_from"`
	StretchTo       string  `bun:"stretch_to"`
	Quantity        int64   `bun:"quantity"`
	Rate            string  `bun:"rate"`
	Base            int64   `bun:"base"`
	Metric          string  `bun:"metric"`
	Value           string  `bun:"value"`
	Numerator       string  `bun:"numerator"`
	Denominator     string  `bun:"denominator"`
	Sample          int     `bun:"sample"`
	BelowMin        bool    `bun:"below_min"`
	Tier            int     `bun:"tier"`
	NextTier        int     `bun:"next_tier"`
	NextNeeds       string  `bun:"next_needs"`
	Share           string  `bun:"share"`
	Exact           string  `bun:"exact"`
	Amount          int64   `bun:"amount"`
	Rounding        string  `bun:"rounding"`
	Limited         string  `bun:"limited"`
	Detail          string  `bun:"detail"`
	CorrectionOf    *string `bun:"correction_of"` // the locked month a correction line corrects
}

// Source is one row a line is calculated from. Counted is the row's part
// of the line's quantity, numerator or base; Weight its part of the
// denominator (for a KPI) or the rate it was paid at.
type Source struct {
	Kind, SourceID  string
	Counted, Weight string
}

// sourceGroup is how sources are stored: the rows of a line that count
// the same, their ids space-separated.
type sourceGroup struct {
	bun.BaseModel `bun:"table:pay_line_sources"`

	OrgID     string `bun:"org_id"`
	LineID    string `bun:"line_id"`
	Kind      string `bun:"kind"`
	Counted   string `bun:"counted"`
	Weight    string `bun:"weight"`
	RowCount  int    `bun:"row_count"`
	SourceIDs string `bun:"source_ids"`
}

// Source kinds.
const (
	SourceReview     = "review"
	SourceClock      = "clock"
	SourceAnswer     = "answer"
	SourceCheck      = "check"
	SourceCase       = "case"
	SourceEnrollment = "enrollment"
	SourceOrder      = "order"
)

// Dispute is a person's objection to a line of her statement.
type Dispute struct {
	bun.BaseModel `bun:"table:pay_disputes"`

	ID         string     `bun:"id,pk"`
	OrgID      string     `bun:"org_id"`
	PeriodID   string     `bun:"period_id"`
	LineID     string     `bun:"line_id"`
	UserID     string     `bun:"user_id"`
	Comment    string     `bun:"comment"`
	Status     string     `bun:"status"`
	Resolution string     `bun:"resolution"`
	ResolvedBy *string    `bun:"resolved_by"`
	ResolvedAt *time.Time `bun:"resolved_at"`
	CreatedAt  time.Time  `bun:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at"`
	Version    int64      `bun:"version"`
}

// RowVersion is the version an update must name.
func (d *Dispute) RowVersion() int64 { return d.Version }

// Bump gives the dispute its next version.
func (d *Dispute) Bump(at time.Time) { d.Version++; d.UpdatedAt = at }

// Dispute statuses.
const (
	DisputeOpen     = "open"
	DisputeResolved = "resolved"
)

// Export is a recorded export of a period's calculation in one format.
type Export struct {
	bun.BaseModel `bun:"table:pay_exports"`

	ID          string    `bun:"id,pk"`
	OrgID       string    `bun:"org_id"`
	PeriodID    string    `bun:"period_id"`
	Calculation int       `bun:"calculation"`
	Format      string    `bun:"format"`
	Checksum    string    `bun:"checksum"`
	Bytes       int64     `bun:"bytes"`
	Lines       int       `bun:"lines"`
	Total       int64     `bun:"total"`
	CreatedBy   *string   `bun:"created_by"`
	CreatedAt   time.Time `bun:"created_at"`
}
