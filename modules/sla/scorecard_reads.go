package sla

import (
	"context"
	"time"
)

// ResponseFact is one response clock as the scorecard counts it: who it is
// charged to (empty: nobody), its cohort and course (empty when unknown),
// when the student wrote, and its outcome. An item of the compliance is
// an answered clock or an open one already past its due time; Compliant
// is an answered one within target; BusinessSeconds is set on answered
// ones.
type ResponseFact struct {
	CuratorID       string
	CohortID        string
	CourseID        string
	StartedAt       time.Time
	Item            bool
	Compliant       bool
	BusinessSeconds *int64
}

// ResponseFacts passes every clock that started in [from, to) and is not
// dismissed to fn, counted as the SLA report counts it.
func (s *Service) ResponseFacts(ctx context.Context, orgID string, from, to time.Time, fn func(ResponseFact)) error {
	return s.store.ScorecardClocks(ctx, s.DB, orgID, from, to, s.Now(), func(c scorecardClock) {
		f := ResponseFact{CuratorID: c.CuratorID, CohortID: c.CohortID, CourseID: c.CourseID, StartedAt: c.StartedAt}
		switch c.Status {
		case ClockAnswered:
			f.Item, f.Compliant, f.BusinessSeconds = true, !c.Breached, c.BusinessSeconds
		case ClockOpen:
			f.Item = c.PastDue
		default:
			return
		}
		fn(f)
	})
}
