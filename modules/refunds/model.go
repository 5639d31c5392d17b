// Package refunds handles refund requests: a reason from the school's
// catalog, the evidence frozen when the request was raised, a retention
// attempt, the refundable amount from the offer terms, approval by the head
// (with limits by amount) and execution by finance into the order ledger,
// which stays the one record of money.
package refunds

import (
	"time"

	"github.com/uptrace/bun"
)

// Request statuses: requested → in_review → approved | rejected | retained
// → processing → refunded | failed.
const (
	StatusRequested  = "requested"
	StatusInReview   = "in_review"
	StatusApproved   = "approved"
	StatusRejected   = "rejected"
	StatusRetained   = "retained"
	StatusProcessing = "processing"
	StatusRefunded   = "refunded"
	StatusFailed     = "failed"
)

// Who raised a request. A ledger request is one recorded because a refund
// arrived from the LMS or a payment provider with no request open.
const (
	RaisedByStudent = "student"
	RaisedByCurator = "curator"
	RaisedByHead    = "head"
	RaisedByLedger  = "ledger"
)

// ReasonUnspecified is the reason of a refund that arrived without a
// request; such requests are flagged for the head to look at.
const ReasonUnspecified = "unspecified"

// Pro-rata rules of the offer terms after the full-refund window.
const (
	ProRataDays    = "days"
	ProRataModules = "modules"
	ProRataNone    = "none"
)

// Retention offers and outcomes.
const (
	OutcomeKept            = "kept"
	OutcomeRefundContinues = "refund_continues"
)

// Offers lists the retention offers, in the order forms show them.
var Offers = []string{"pause", "transfer", "consultation", "partial_refund", "nothing"}

// Channels lists how a request may reach the school.
var Channels = []string{"lms", "chat", "email", "phone", "in_person", "other"}

// Request is one refund request on an order. Its status, decision and
// execution change; what it was raised with does not.
type Request struct {
	bun.BaseModel `bun:"table:refund_requests"`

	ID              string     `bun:"id,pk" json:"id"`
	OrgID           string     `bun:"org_id" json:"-"`
	OrderID         string     `bun:"order_id" json:"order_id"`
	StudentID       string     `bun:"student_id" json:"student_id"`
	EnrollmentID    *string    `bun:"enrollment_id" json:"enrollment_id"`
	CohortID        *string    `bun:"cohort_id" json:"cohort_id"`
	CourseID        *string    `bun:"course_id" json:"course_id"`
	ProductID       *string    `bun:"product_id" json:"product_id"`
	CuratorID       *string    `bun:"curator_id" json:"curator_id"`
	Reason          string     `bun:"reason" json:"reason"`
	Comment         string     `bun:"comment" json:"comment"`
	Channel         string     `bun:"channel" json:"channel"`
	RaisedByKind    string     `bun:"raised_by_kind" json:"raised_by_kind"`
	RaisedBy        *string    `bun:"raised_by" json:"raised_by"`
	RequestedAmount int64      `bun:"requested_amount" json:"requested_amount"`
	ApprovedAmount  *int64     `bun:"approved_amount" json:"approved_amount"`
	RefundedAmount  *int64     `bun:"refunded_amount" json:"refunded_amount"`
	Currency        string     `bun:"currency" json:"currency"`
	Status          string     `bun:"status" json:"status"`
	ApprovalsNeeded int        `bun:"approvals_needed" json:"approvals_needed"`
	Flagged         bool       `bun:"flagged" json:"flagged"`
	StopInstalments bool       `bun:"stop_instalments" json:"stop_instalments"`
	DueAt           time.Time  `bun:"due_at" json:"due_at"`
	EscalatedAt     *time.Time `bun:"escalated_at" json:"escalated_at"`
	DecidedAt       *time.Time `bun:"decided_at" json:"decided_at"`
	DecidedBy       *string    `bun:"decided_by" json:"decided_by"`
	DecisionNote    string     `bun:"decision_note" json:"decision_note"`
	ExecutedBy      *string    `bun:"executed_by" json:"executed_by"`
	OrderRefundID   *string    `bun:"order_refund_id" json:"order_refund_id"`
	RefundedAt      *time.Time `bun:"refunded_at" json:"refunded_at"`
	FailureReason   string     `bun:"failure_reason" json:"failure_reason"`
	Source          *string    `bun:"source" json:"source"`
	ExternalID      *string    `bun:"external_id" json:"external_id"`
	IdempotencyKey  *string    `bun:"idempotency_key" json:"-"`
	RequestHash     *string    `bun:"request_hash" json:"-"`
	ExecutionKey    *string    `bun:"execution_key" json:"-"`
	ExecutionHash   *string    `bun:"execution_hash" json:"-"`
	RequestedAt     time.Time  `bun:"requested_at" json:"requested_at"`
	CreatedAt       time.Time  `bun:"created_at" json:"-"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"-"`
	Version         int64      `bun:"version" json:"version"`
}

// RowVersion is the version an update of the request must name.
func (r *Request) RowVersion() int64 { return r.Version }

// Bump gives the request its next version, changed at at.
func (r *Request) Bump(at time.Time) { r.Version++; r.UpdatedAt = at }

// Open reports whether the request still awaits its money or its decision.
func (r *Request) Open() bool {
	switch r.Status {
	case StatusRequested, StatusInReview, StatusApproved, StatusProcessing:
		return true
	}
	return false
}

// Undecided reports whether the request still awaits a decision: what the
// decision deadline runs on.
func (r *Request) Undecided() bool {
	return r.Status == StatusRequested || r.Status == StatusInReview
}

// Executable reports whether finance may pay the request out.
func (r *Request) Executable() bool {
	return r.Status == StatusApproved || r.Status == StatusProcessing
}

// Evidence is what was known of the student when the request was raised,
// frozen: it is never changed afterwards.
type Evidence struct {
	bun.BaseModel `bun:"table:refund_evidence"`

	RequestID   string       `bun:"request_id,pk"`
	OrgID       string       `bun:"org_id"`
	Body        EvidencePack `bun:"body,type:jsonb"`
	AssembledAt time.Time    `bun:"assembled_at"`
}

// HistoryEntry is one status change of a request. Append-only.
type HistoryEntry struct {
	bun.BaseModel `bun:"table:refund_history"`

	ID         string    `bun:"id,pk" json:"id"`
	OrgID      string    `bun:"org_id" json:"-"`
	RequestID  string    `bun:"request_id" json:"request_id"`
	FromStatus *string   `bun:"from_status" json:"from_status"`
	ToStatus   string    `bun:"to_status" json:"to_status"`
	ActorID    *string   `bun:"actor_id" json:"actor_id"`
	Amount     *int64    `bun:"amount" json:"amount"`
	Note       string    `bun:"note" json:"note"`
	At         time.Time `bun:"at" json:"at"`
}

// Approval is one approver's yes to a request, with the limit they had.
// Append-only.
type Approval struct {
	bun.BaseModel `bun:"table:refund_approvals"`

	ID          string    `bun:"id,pk" json:"id"`
	OrgID       string    `bun:"org_id" json:"-"`
	RequestID   string    `bun:"request_id" json:"request_id"`
	ApproverID  string    `bun:"approver_id" json:"approver_id"`
	Amount      int64     `bun:"amount" json:"amount"`
	LimitAmount int64     `bun:"limit_amount" json:"limit_amount"`
	Note        string    `bun:"note" json:"note"`
	At          time.Time `bun:"at" json:"at"`
}

// Attempt is one retention attempt: what was offered and how it ended.
// Append-only.
type Attempt struct {
	bun.BaseModel `bun:"table:refund_retention_attempts"`

	ID        string    `bun:"id,pk" json:"id"`
	OrgID     string    `bun:"org_id" json:"-"`
	RequestID string    `bun:"request_id" json:"request_id"`
	ByID      string    `bun:"by_id" json:"by_id"`
	Offer     string    `bun:"offer" json:"offer"`
	Outcome   string    `bun:"outcome" json:"outcome"`
	Note      string    `bun:"note" json:"note"`
	At        time.Time `bun:"at" json:"at"`
}

// Reason is one entry of the school's reason catalog. A retired reason
// stays on the requests that have it but is not offered for new ones.
type Reason struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Active bool   `json:"active"`
}

// NonRefundableCost is a documented non-refundable cost deducted from every refund of
// a product.
type NonRefundableCost struct {
	Title  string `json:"title"`
	Amount int64  `json:"amount"`
}

// OfferTerms are the refund terms of an offer: a full refund within
// FullRefundDays of payment, then pro rata by days or by modules (or
// nothing), minus the costs.
type OfferTerms struct {
	FullRefundDays int                 `json:"full_refund_days"`
	ProRata        string              `json:"prorata"`
	Costs          []NonRefundableCost `json:"costs"`
}

// Settings are a school's refund settings: the decision deadline, the
// reason catalog, the approval limits per role and the default terms.
type Settings struct {
	bun.BaseModel `bun:"table:refund_settings"`

	OrgID          string              `bun:"org_id,pk"`
	DecisionHours  int                 `bun:"decision_hours"`
	Reasons        []Reason            `bun:"reasons,type:jsonb"`
	ApprovalLimits map[string]int64    `bun:"approval_limits,type:jsonb"`
	FullRefundDays int                 `bun:"full_refund_days"`
	ProRata        string              `bun:"prorata"`
	Costs          []NonRefundableCost `bun:"costs,type:jsonb"`
	UpdatedAt      time.Time           `bun:"updated_at"`
	Version        int64               `bun:"version"`
}

// RowVersion is the version an update of the settings must name.
func (s *Settings) RowVersion() int64 { return s.Version }

// Bump gives the settings their next version, changed at at.
func (s *Settings) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// OfferTerms are the school's default terms.
func (s *Settings) OfferTerms() OfferTerms {
	return OfferTerms{FullRefundDays: s.FullRefundDays, ProRata: s.ProRata, Costs: s.Costs}
}

// Reason returns the catalog entry with the code, if any.
func (s *Settings) Reason(code string) (Reason, bool) {
	for _, r := range s.Reasons {
		if r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}

// Limit is the largest amount the holder of roles may approve alone: the
// highest limit among their roles, 0 when none has one.
func (s *Settings) Limit(roles []string) int64 {
	var out int64
	for _, r := range roles {
		out = max(out, s.ApprovalLimits[r])
	}
	return out
}

// Defaults of a school that has not saved its own settings.
const (
	DefaultDecisionHours  = 16
	DefaultFullRefundDays = 14
	DefaultHeadLimit      = 10_000_000 // 100 000 ₽ in kopecks
)

// DefaultReasons is the catalog a school starts with.
func DefaultReasons() []Reason {
	return []Reason{
		{"content", "Не устроило содержание курса", true},
		{"no_time", "Нет времени на обучение", true},
		{"financial", "Финансовые трудности", true},
		{"health_personal", "Здоровье или личные обстоятельства", true},
		{"technical", "Технические проблемы", true},
		{"curator_service", "Работа куратора или сервиса", true},
		{"duplicate_payment", "Двойная оплата", true},
		{"other", "Другое", true},
	}
}

// DefaultSettings are the settings of a school until it saves its own.
func DefaultSettings(orgID string) *Settings {
	return &Settings{OrgID: orgID, DecisionHours: DefaultDecisionHours, Reasons: DefaultReasons(),
		ApprovalLimits: map[string]int64{"head_of_service": DefaultHeadLimit, "admin": DefaultHeadLimit},
		FullRefundDays: DefaultFullRefundDays, ProRata: ProRataModules, Costs: []NonRefundableCost{}, Version: 1}
}

// ProductTerms are the refund terms of one product, overriding the
// school's default terms.
type ProductTerms struct {
	bun.BaseModel `bun:"table:refund_terms"`

	ID             string              `bun:"id,pk"`
	OrgID          string              `bun:"org_id"`
	ProductID      string              `bun:"product_id"`
	FullRefundDays int                 `bun:"full_refund_days"`
	ProRata        string              `bun:"prorata"`
	Costs          []NonRefundableCost `bun:"costs,type:jsonb"`
	CreatedAt      time.Time           `bun:"created_at"`
	UpdatedAt      time.Time           `bun:"updated_at"`
	Version        int64               `bun:"version"`
}

// RowVersion is the version an update of the terms must name.
func (t *ProductTerms) RowVersion() int64 { return t.Version }

// Bump gives the terms their next version, changed at at.
func (t *ProductTerms) Bump(at time.Time) { t.Version++; t.UpdatedAt = at }

// OfferTerms are the product's terms.
func (t *ProductTerms) OfferTerms() OfferTerms {
	return OfferTerms{FullRefundDays: t.FullRefundDays, ProRata: t.ProRata, Costs: t.Costs}
}
