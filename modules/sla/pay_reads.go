package sla

import (
	"context"
	"time"
)

// PayClock is one response clock as curators' pay counts SLA compliance:
// the row it comes from, the curator it is charged to (empty: nobody),
// when the student wrote and whether it was answered within target.
type PayClock struct {
	ID        string
	CuratorID string
	StartedAt time.Time
	Compliant bool
}

// PayClocks passes to fn every clock that started in [from, to) and counts
// for compliance as the SLA report counts it, oldest first: an answered
// clock (compliant when not breached) or an open one already past its due
// time (not compliant). Dismissed clocks and open ones still in time are
// left out.
func (s *Service) PayClocks(ctx context.Context, orgID string, from, to time.Time, fn func(PayClock)) error {
	return s.store.PayClocks(ctx, s.DB, orgID, from, to, s.Now(), fn)
}
