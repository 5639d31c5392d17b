package pay

import (
	"context"
	"time"
)

// Facts reads what a month's statements are calculated from. Every fact,
// or group of facts, carries the ids of the rows it comes from, so each
// statement line can link to the rows that add up to it. The other modules answer through
// adapters in app/server; pay never reads their tables.
type Facts interface {
	// ReviewGroups passes the review verdicts (not a quality reviewer's
	// overturns) given in [from, to) to fn, in groups a piece rate pays
	// alike: one reviewer's verdicts on assignments of one kind, of first
	// submissions or of resubmissions, overturned or not, given in the same
	// part of [from, to). cuts, ascending and strictly inside the interval,
	// divide it: part 0 is [from, cuts[0]), part i is [cuts[i-1], cuts[i]),
	// the last ends at to. A group may be split in several; a month of a
	// million verdicts arrives as a few thousand groups.
	ReviewGroups(ctx context.Context, orgID string, from, to time.Time, cuts []time.Time, fn func(ReviewGroup)) error
	// ClockGroups passes the response clocks that started in [from, to)
	// and count for SLA compliance (answered, or open past its due time)
	// to fn, grouped by curator and compliance.
	ClockGroups(ctx context.Context, orgID string, from, to time.Time, fn func(ClockGroup)) error
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

// ReviewGroup is review verdicts a piece rate counts alike.
type ReviewGroup struct {
	ReviewerID     string
	AssignmentKind string // the assignments' kind: regular, final_project
	Resubmission   bool   // verdicts on a second or later submission
	Overturned     bool   // a quality reviewer overturned the verdicts
	Part           int    // the part of the interval they were given in
	Count          int
	IDs            string // the verdicts' ids, separated by spaces
}

// ClockGroup is one curator's response clocks of one compliance.
type ClockGroup struct {
	CuratorID string
	Compliant bool
	Count     int
	IDs       string // the clocks' ids, separated by spaces
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
