package homework

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// ListQuery is a listing as the store reads it: the caller's filter with
// what the service worked out for it.
type ListQuery struct {
	ListFilter
	OrgID    string
	Who      Reviewer
	Cohorts  []string  // the cohorts whose pools the caller sees, unless Who.SeesAll
	AfterDue time.Time // the due time of the last item seen, when After is set
	Now      time.Time // when an expired lease counts as queued, and open items as overdue
}

// ListSubmissions reads a page of a listing, most urgent first: Limit+1
// rows, so that the caller knows whether another page follows.
func (Store) ListSubmissions(ctx context.Context, db bun.IDB, l ListQuery) ([]Submission, error) {
	var rows []Submission
	q := db.NewSelect().Model(&rows).Where("org_id = ?", l.OrgID).OrderExpr("due_at ASC, id ASC").Limit(int64(l.Limit + 1))
	if !l.Who.SeesAll {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("queue_curator_id = ?", l.Who.UserID).WhereOr("claimed_by = ?", l.Who.UserID).WhereOr("reviewed_by = ?", l.Who.UserID)
			if len(l.Cohorts) > 0 {
				q = q.WhereOr("queue_curator_id IS NULL AND cohort_id IN (?)", bun.In(l.Cohorts))
			}
			return q
		})
	}
	q = whereView(q, l.View, l.Who.UserID, l.Now)
	q = whereStatus(q, l.Status, l.Now)
	q = database.WhereSet(q,
		database.Eq("cohort_id", l.CohortID),
		database.Eq("assignment_id", l.AssignmentID),
		database.Eq("queue_curator_id", l.CuratorID),
		database.Eq("student_id", l.StudentID),
	)
	if l.After != nil {
		q = q.Where("(due_at > ? OR (due_at = ? AND id > ?))", l.AfterDue, l.AfterDue, l.After[1])
	}
	return rows, q.Scan(ctx)
}

// whereView narrows a listing to one view of the queue (ListFilter.View).
func whereView(q *bun.SelectQuery, view, userID string, now time.Time) *bun.SelectQuery {
	switch view {
	case ViewMine:
		return q.Where(openWhere).Where("(queue_curator_id = ? OR claimed_by = ?)", userID, userID)
	case ViewPool:
		return q.Where(openWhere).Where("queue_curator_id IS NULL")
	case ViewOverdue:
		return q.Where(openWhere).Where("due_at < ?", now)
	}
	return q
}

// whereStatus narrows a listing to the status people see: an item whose
// lease expired at now is queued, not in review.
func whereStatus(q *bun.SelectQuery, status string, now time.Time) *bun.SelectQuery {
	switch status {
	case "":
		return q
	case StatusQueued:
		return q.Where("(status = ? OR (status = ? AND lease_expires_at < ?))", StatusQueued, StatusInReview, now)
	case StatusInReview:
		return q.Where("status = ? AND lease_expires_at >= ?", StatusInReview, now)
	default:
		return q.Where("status = ?", status)
	}
}

// statsColumns are the columns of a submission the queue numbers read.
var statsColumns = []string{"status", "queue_curator_id", "claimed_by", "lease_expires_at", "course_id", "module_id", "cohort_id",
	"assignment_id", "due_at", "reviewed_by", "reviewed_at", "review_seconds", "verdict"}

// StatsRows reads what QueueStats counts: the school's open submissions,
// and those reviewed in [from, to), with statsColumns only. A userID
// narrows them to the items that person queues, holds or reviewed.
func (Store) StatsRows(ctx context.Context, db bun.IDB, orgID, userID string, from, to time.Time) ([]Submission, error) {
	var rows []Submission
	q := db.NewSelect().Model((*Submission)(nil)).Column(statsColumns...).
		Where("org_id = ?", orgID).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(openWhere).WhereOr("reviewed_at >= ? AND reviewed_at < ?", from, to)
		})
	if userID != "" {
		q = q.Where("(queue_curator_id = ? OR claimed_by = ? OR reviewed_by = ?)", userID, userID, userID)
	}
	return rows, q.Scan(ctx, &rows)
}

// StudentsByModule lists, per module id, the students who handed in that
// module's homework at least once, in the given courses of the school.
func (Store) StudentsByModule(ctx context.Context, db bun.IDB, orgID string, courseIDs []string) (map[string]map[string]struct{}, error) {
	return studentsPerModule(ctx, db, orgID, "course_id", courseIDs)
}

// studentsPerModule lists, per module id, the students with a submission
// whose column (course_id or module_id) is one of values.
func studentsPerModule(ctx context.Context, db bun.IDB, orgID, column string, values []string) (map[string]map[string]struct{}, error) {
	out := map[string]map[string]struct{}{}
	if len(values) == 0 {
		return out, nil
	}
	var pairs []struct {
		ModuleID  string `bun:"module_id"`
		StudentID string `bun:"student_id"`
	}
	err := db.NewSelect().Model((*Submission)(nil)).Distinct().Column("module_id", "student_id").
		Where("org_id = ?", orgID).Where("? IN (?)", bun.Ident(column), bun.In(values)).Scan(ctx, &pairs)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if out[p.ModuleID] == nil {
			out[p.ModuleID] = map[string]struct{}{}
		}
		out[p.ModuleID][p.StudentID] = struct{}{}
	}
	return out, nil
}
