package sla

import (
	"context"
	"time"
)

// PayClockGroup is response clocks as curators' pay counts SLA
// compliance: one curator's clocks (empty: nobody's) of one compliance,
// their number and their ids, separated by spaces.
type PayClockGroup struct {
	CuratorID string
	Compliant bool
	Count     int
	IDs       string
}

// PayClockGroups passes to fn, grouped, every clock that started in
// [from, to) and counts for compliance as the SLA report counts it: an
// answered clock (compliant when not breached) or an open one already
// past its due time (not compliant). Dismissed clocks and open ones still
// in time are left out.
func (s *Service) PayClockGroups(ctx context.Context, orgID string, from, to time.Time, fn func(PayClockGroup)) error {
	return s.store.PayClockGroups(ctx, s.DB, orgID, from, to, s.Now(), fn)
}
