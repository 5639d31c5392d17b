package homework

import (
	"context"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Views of the queue.
const (
	ViewMine    = "mine"
	ViewPool    = "pool"
	ViewOverdue = "overdue"
)

// ListFilter narrows a list of submissions. View is mine (the caller's
// queue and claims), pool (unassigned items of the caller's cohorts, all
// pools for those who see everything) or overdue (escalated: open and past
// due); empty lists everything the caller may see.
type ListFilter struct {
	View         string
	Status       string
	CohortID     string
	AssignmentID string
	CuratorID    string
	StudentID    string
	Limit        int
	After        []string // due_at (RFC 3339), id of the last item seen
}

// List returns submissions the caller may see, most urgent first.
func (s *Service) List(ctx context.Context, orgID string, who Reviewer, f ListFilter) ([]Submission, error) {
	l := ListQuery{ListFilter: f, OrgID: orgID, Who: who, Now: s.Now()}
	if !who.SeesAll {
		var err error
		if l.Cohorts, err = s.school.CuratorCohorts(ctx, orgID, who.UserID); err != nil {
			return nil, err
		}
	}
	if f.After != nil {
		due, err := time.Parse(time.RFC3339Nano, f.After[0])
		if err != nil {
			return nil, errs.Invalid("query.cursor", "malformed cursor; pass next_cursor from a previous page unchanged")
		}
		l.AfterDue = due
	}
	return s.store.ListSubmissions(ctx, s.DB, l)
}
