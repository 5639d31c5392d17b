package pay

import (
	"context"
	"time"
)

// Facts reads what a month's statements are calculated from. Every fact
// carries the id of the row it comes from, so each statement line can
// link to the rows that add up to it. The other modules answer through
// adapters in app/server; pay never reads their tables.
type Facts interface {
	// Reviews passes every review verdict (not a quality reviewer's
	// overturn) given in [from, to) to fn.
	Reviews(ctx context.Context, orgID string, from, to time.Time, fn func(ReviewFact)) error
	// Clocks passes every response clock that started in [from, to) and
	// counts for SLA compliance (answered, or open past its due time) to fn.
	Clocks(ctx context.Context, orgID string, from, to time.Time, fn func(ClockFact)) error
	// Answers passes every CSI answer given in [from, to) to fn.
	Answers(ctx context.Context, orgID string, from, to time.Time, fn func(AnswerFact)) error
	// Checks lists the quality checks of the reviews made in [from, to).
	Checks(ctx context.Context, orgID string, from, to time.Time) ([]CheckFact, error)
	// Cases lists the cases submitted in [from, to) that moderation
	// approved and that credit a curator.
	Cases(ctx context.Context, orgID string, from, to time.Time) ([]CaseFact, error)
	// Curations lists who curated which enrollment during [from, to): one
	// row per enrollment and curator, with the part of the interval she
	// held it (From inclusive, To exclusive, both clipped to the interval).
	Curations(ctx context.Context, orgID string, from, to time.Time) ([]CurationFact, error)
	// ModuleSubmissions maps, for the module at position of each course,
	// each student who submitted its homework before `before` to the id of
	// the first such submission.
	ModuleSubmissions(ctx context.Context, orgID string, position int, before time.Time) (map[ModuleKey]string, error)
	// Orders lists every order of the school paid before `to`, oldest
	// first, each with all its refunds: the paid enrollments, the refunds
	// and the upsells are read from them.
	Orders(ctx context.Context, orgID string, to time.Time) ([]OrderFact, error)
}

// ReviewFact is one review verdict.
type ReviewFact struct {
	ID             string
	SubmissionID   string
	ReviewerID     string
	AssignmentKind string // the assignment's kind: regular, final_project
	Attempt        int    // 1 for a first submission, more for a resubmission
	At             time.Time
	Overturned     bool // a quality reviewer overturned the verdict
}

// ClockFact is one response clock as SLA compliance counts it.
type ClockFact struct {
	ID        string
	CuratorID string
	StartedAt time.Time
	Compliant bool
}

// AnswerFact is one CSI answer and the curator of the student at the moment.
type AnswerFact struct {
	ID        string
	CuratorID *string
	Value     int
	At        time.Time
}

// CheckFact is one quality check of a review: Points of its four
// criteria (0–5 each) out of 20.
type CheckFact struct {
	ID        string
	ReviewID  string
	CuratorID string
	Points    int
}

// CaseFact is one approved case credited to a curator.
type CaseFact struct {
	ID        string
	CuratorID string
	Kind      string // text or video
	At        time.Time
}

// CurationFact is a stretch of time one curator held one enrollment.
type CurationFact struct {
	EnrollmentID string
	StudentID    string
	CohortID     string
	CourseID     string
	CuratorID    string
	From, To     time.Time
}

// ModuleKey names a student's work on one course's module.
type ModuleKey struct{ CourseID, StudentID string }

// OrderFact is a paid order with its refunds.
type OrderFact struct {
	ID        string
	StudentID string
	CohortID  *string
	Amount    int64
	PaidAt    time.Time
	Refunds   []RefundFact
}

// RefundFact is money returned of an order.
type RefundFact struct {
	ID     string
	Amount int64
	At     time.Time
}
