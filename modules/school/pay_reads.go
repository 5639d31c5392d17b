package school

import (
	"context"
	"sort"
	"time"
)

// Curation is a stretch of time one curator held one enrollment, From
// inclusive, To exclusive.
type Curation struct {
	EnrollmentID string
	StudentID    string
	CohortID     string
	CourseID     string
	CuratorID    string
	From, To     time.Time
}

// reasonEnrolled is the reason of the history row written when an
// enrollment is made with a curator: that curator holds it from the
// enrollment's date, which may precede the row (imports, LMS events).
const reasonEnrolled = "enrolled"

// Curations lists who curated which enrollment during [from, to): one
// stretch per enrollment and unbroken run of one curator, clipped to the
// interval and to the enrollment's date, ordered by enrollment and time.
// The curator history is complete from an enrollment's making: before its
// first row the curator was the one that row replaced (nobody when none),
// except the first curator of the enrollment itself, who holds it from the
// enrollment's date. An enrollment with no history keeps its curator now
// throughout. A stretch without a curator is not listed.
func (s *Service) Curations(ctx context.Context, orgID string, from, to time.Time) ([]Curation, error) {
	enrollments, err := s.store.CuratedEnrollments(ctx, s.DB, orgID, to)
	if err != nil {
		return nil, err
	}
	history, err := s.store.CuratorHistoryBefore(ctx, s.DB, orgID, to)
	if err != nil {
		return nil, err
	}
	byEnrollment := map[string][]CuratorAssignment{}
	for _, h := range history {
		byEnrollment[h.EnrollmentID] = append(byEnrollment[h.EnrollmentID], h)
	}
	var out []Curation
	for _, e := range enrollments {
		start := from
		if e.EnrolledAt.After(start) {
			start = e.EnrolledAt
		}
		for _, c := range curatorStretches(byEnrollment[e.ID], e.CuratorID, start, to) {
			out = append(out, Curation{EnrollmentID: e.ID, StudentID: e.StudentID, CohortID: e.CohortID, CourseID: e.CourseID,
				CuratorID: c.curatorID, From: c.from.UTC(), To: c.to.UTC()})
		}
	}
	return out, nil
}

type stretch struct {
	curatorID string
	from, to  time.Time
}

// curatorStretches cuts [from, to) by the history (oldest first, only rows
// made before to) into runs of one curator; now is the enrollment's
// curator, used when there is no history.
func curatorStretches(history []CuratorAssignment, now *string, from, to time.Time) []stretch {
	if !from.Before(to) {
		return nil
	}
	type change struct {
		at      time.Time
		curator *string
	}
	var changes []change
	switch {
	case len(history) == 0:
		changes = []change{{from, now}}
	case history[0].Reason == reasonEnrolled:
		changes = append(changes, change{from, history[0].CuratorID})
		history = history[1:]
	default:
		changes = append(changes, change{from, history[0].PreviousCuratorID})
	}
	for _, h := range history {
		at := h.AssignedAt
		if at.Before(from) {
			at = from
		}
		changes = append(changes, change{at, h.CuratorID})
	}
	// The last change at or before a moment decides it: of changes clipped
	// to the same moment, the latest row wins.
	var out []stretch
	for i, c := range changes {
		end := to
		if i+1 < len(changes) {
			end = changes[i+1].at
		}
		if !c.at.Before(end) || c.curator == nil {
			continue
		}
		if n := len(out); n > 0 && out[n-1].curatorID == *c.curator && out[n-1].to.Equal(c.at) {
			out[n-1].to = end
			continue
		}
		out = append(out, stretch{curatorID: *c.curator, from: c.at, to: end})
	}
	return out
}

// PaidRefund is one refund of a paid order.
type PaidRefund struct {
	ID         string
	Amount     int64
	RefundedAt time.Time
	CreatedAt  time.Time
}

// PaidOrder is an order with all its refunds, oldest refund first.
type PaidOrder struct {
	ID        string
	StudentID string
	CohortID  *string
	Amount    int64
	PaidAt    time.Time
	Refunds   []PaidRefund
}

// PaidOrders lists every order of the school paid before `before`, oldest
// first, each with all its refunds whenever they were made: whoever reads
// a month decides which refunds belong to it.
func (s *Service) PaidOrders(ctx context.Context, orgID string, before time.Time) ([]PaidOrder, error) {
	orders, err := s.store.OrdersPaidBefore(ctx, s.DB, orgID, before)
	if err != nil {
		return nil, err
	}
	refunds, err := s.store.RefundsOfOrdersPaidBefore(ctx, s.DB, orgID, before)
	if err != nil {
		return nil, err
	}
	byOrder := map[string][]PaidRefund{}
	for _, r := range refunds {
		byOrder[r.OrderID] = append(byOrder[r.OrderID], PaidRefund{ID: r.ID, Amount: r.Amount, RefundedAt: r.RefundedAt.UTC(), CreatedAt: r.CreatedAt.UTC()})
	}
	out := make([]PaidOrder, len(orders))
	for i, o := range orders {
		out[i] = PaidOrder{ID: o.ID, StudentID: o.StudentID, CohortID: o.CohortID, Amount: o.Amount, PaidAt: o.PaidAt.UTC(), Refunds: byOrder[o.ID]}
	}
	return out, nil
}

// AssignmentKinds gives the kind of every assignment of the school
// (regular, final_project), by assignment id.
func (s *Service) AssignmentKinds(ctx context.Context, orgID string) (map[string]string, error) {
	rows, err := s.store.AssignmentKinds(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, a := range rows {
		out[a.ID] = a.Kind
	}
	return out, nil
}

// ModulesAtPosition lists the ids of the modules at position (1 is the
// first) of every course of the school that has one, sorted.
func (s *Service) ModulesAtPosition(ctx context.Context, orgID string, position int) ([]string, error) {
	ids, err := s.store.ModulesAtPosition(ctx, s.DB, orgID, position)
	sort.Strings(ids)
	return ids, err
}
