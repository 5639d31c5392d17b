package homework

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
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
	now := s.now()
	var rows []Submission
	q := s.db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("due_at ASC, id ASC").Limit(int64(f.Limit + 1))
	var cohorts []string
	if !who.SeesAll {
		var err error
		if cohorts, err = s.school.CuratorCohorts(ctx, orgID, who.UserID); err != nil {
			return nil, err
		}
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("queue_curator_id = ?", who.UserID).WhereOr("claimed_by = ?", who.UserID).WhereOr("reviewed_by = ?", who.UserID)
			if len(cohorts) > 0 {
				q = q.WhereOr("queue_curator_id IS NULL AND cohort_id IN (?)", bun.In(cohorts))
			}
			return q
		})
	}
	switch f.View {
	case ViewMine:
		q = q.Where(openWhere).Where("(queue_curator_id = ? OR claimed_by = ?)", who.UserID, who.UserID)
	case ViewPool:
		q = q.Where(openWhere).Where("queue_curator_id IS NULL")
	case ViewOverdue:
		q = q.Where(openWhere).Where("due_at < ?", now)
	}
	switch f.Status {
	case "":
	case StatusQueued:
		q = q.Where("(status = ? OR (status = ? AND lease_expires_at < ?))", StatusQueued, StatusInReview, now)
	case StatusInReview:
		q = q.Where("status = ? AND lease_expires_at >= ?", StatusInReview, now)
	default:
		q = q.Where("status = ?", f.Status)
	}
	q = database.WhereSet(q,
		database.Eq("cohort_id", f.CohortID),
		database.Eq("assignment_id", f.AssignmentID),
		database.Eq("queue_curator_id", f.CuratorID),
		database.Eq("student_id", f.StudentID),
	)
	if f.After != nil {
		due, err := time.Parse(time.RFC3339Nano, f.After[0])
		if err != nil {
			return nil, errs.Invalid("query.cursor", "malformed cursor; pass next_cursor from a previous page unchanged")
		}
		q = q.Where("(due_at > ? OR (due_at = ? AND id > ?))", due, due, f.After[1])
	}
	return rows, q.Scan(ctx)
}

// QueueStats are the numbers of one curator, cohort or assignment. Times are
// business seconds from submission to the first verdict.
type QueueStats struct {
	Key           string   `json:"key"`
	Queued        int      `json:"queued"`
	InReview      int      `json:"in_review"`
	Overdue       int      `json:"overdue"`
	Reviewed      int      `json:"reviewed"`
	MedianSeconds *int64   `json:"median_review_seconds"`
	P90Seconds    *int64   `json:"p90_review_seconds"`
	SLAPercent    *float64 `json:"sla_compliance_percent"`
	ReworkPercent *float64 `json:"rework_rate_percent"`
}

// QueueStats groupings.
const (
	ByCurator    = "curator"
	ByCohort     = "cohort"
	ByAssignment = "assignment"
)

type statRow struct {
	Status         string     `bun:"status"`
	QueueCuratorID *string    `bun:"queue_curator_id"`
	ClaimedBy      *string    `bun:"claimed_by"`
	LeaseExpiresAt *time.Time `bun:"lease_expires_at"`
	CohortID       string     `bun:"cohort_id"`
	AssignmentID   string     `bun:"assignment_id"`
	DueAt          time.Time  `bun:"due_at"`
	ReviewedBy     *string    `bun:"reviewed_by"`
	ReviewedAt     *time.Time `bun:"reviewed_at"`
	ReviewSeconds  *int64     `bun:"review_seconds"`
	Verdict        *string    `bun:"verdict"`
}

// QueueStats computes the queue's numbers grouped by curator, cohort or
// assignment: open items now, and reviews completed in [from, to).
// Percentiles are computed here from the stored seconds, so that both
// databases answer the same. Open items of the pool are keyed "pool" when
// grouping by curator; reviewed ones by their reviewer.
func (s *Service) QueueStats(ctx context.Context, orgID, groupBy string, from, to time.Time) ([]QueueStats, error) {
	if !to.After(from) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	now := s.now()
	var rows []statRow
	err := s.db.NewSelect().Model((*Submission)(nil)).
		Column("status", "queue_curator_id", "claimed_by", "lease_expires_at", "cohort_id", "assignment_id", "due_at", "reviewed_by", "reviewed_at", "review_seconds", "verdict").
		Where("org_id = ?", orgID).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(openWhere).WhereOr("reviewed_at >= ? AND reviewed_at < ?", from, to)
		}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	type acc struct {
		QueueStats
		seconds []int64
		inSLA   int
		rework  int
	}
	groups := map[string]*acc{}
	get := func(k string) *acc {
		if groups[k] == nil {
			groups[k] = &acc{QueueStats: QueueStats{Key: k}}
		}
		return groups[k]
	}
	for _, r := range rows {
		open := r.Status == StatusQueued || r.Status == StatusInReview
		key := groupKey(groupBy, r, open)
		a := get(key)
		if open {
			held := r.Status == StatusInReview && r.LeaseExpiresAt != nil && r.LeaseExpiresAt.After(now)
			if held {
				a.InReview++
			} else {
				a.Queued++
			}
			if r.DueAt.Before(now) {
				a.Overdue++
			}
			continue
		}
		a.Reviewed++
		if r.ReviewSeconds != nil {
			a.seconds = append(a.seconds, *r.ReviewSeconds)
		}
		if r.ReviewedAt != nil && !r.ReviewedAt.After(r.DueAt) {
			a.inSLA++
		}
		if r.Verdict != nil && *r.Verdict == StatusReworkRequested {
			a.rework++
		}
	}
	out := make([]QueueStats, 0, len(groups))
	for _, a := range groups {
		if a.Reviewed > 0 {
			sort.Slice(a.seconds, func(i, j int) bool { return a.seconds[i] < a.seconds[j] })
			if len(a.seconds) > 0 {
				a.MedianSeconds, a.P90Seconds = ptr(percentile(a.seconds, 50)), ptr(percentile(a.seconds, 90))
			}
			a.SLAPercent = ptr(round1(float64(a.inSLA) * 100 / float64(a.Reviewed)))
			a.ReworkPercent = ptr(round1(float64(a.rework) * 100 / float64(a.Reviewed)))
		}
		out = append(out, a.QueueStats)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func groupKey(groupBy string, r statRow, open bool) string {
	switch groupBy {
	case ByCohort:
		return r.CohortID
	case ByAssignment:
		return r.AssignmentID
	}
	who := r.QueueCuratorID
	if !open {
		who = r.ReviewedBy
	}
	if who == nil {
		return poolQueueLabel
	}
	return *who
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []int64, p int) int64 {
	rank := int(math.Ceil(float64(p) / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func ptr[T any](v T) *T { return &v }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// CompletionRate is the share of a cohort's students who submitted a module's
// homework at least once.
type CompletionRate struct {
	CohortID   string  `json:"cohort_id"`
	CohortName string  `json:"cohort_name"`
	ModuleID   string  `json:"module_id"`
	Position   int     `json:"module_position"`
	Module     string  `json:"module_title"`
	Submitted  int     `json:"students_submitted"`
	Enrolled   int     `json:"students_enrolled"`
	Percent    float64 `json:"completion_percent"`
}

// CompletionRate computes, for each cohort and each module of its course, the
// students who submitted that module's homework ÷ the cohort's enrolled
// students, in percent. cohortID narrows it to one cohort.
func (s *Service) CompletionRate(ctx context.Context, orgID, cohortID string) ([]CompletionRate, error) {
	cohorts, err := s.school.Cohorts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var counts []struct {
		CohortID string `bun:"cohort_id"`
		ModuleID string `bun:"module_id"`
		Students int    `bun:"students"`
	}
	err = s.db.NewSelect().Model((*Submission)(nil)).ColumnExpr("cohort_id, module_id, COUNT(DISTINCT student_id) AS students").
		Where("org_id = ?", orgID).GroupExpr("cohort_id, module_id").Scan(ctx, &counts)
	if err != nil {
		return nil, err
	}
	submitted := map[[2]string]int{}
	for _, c := range counts {
		submitted[[2]string{c.CohortID, c.ModuleID}] = c.Students
	}
	var out []CompletionRate
	modules := map[string][]Module{}
	for _, c := range cohorts {
		if cohortID != "" && c.ID != cohortID {
			continue
		}
		if _, ok := modules[c.CourseID]; !ok {
			if modules[c.CourseID], err = s.school.CourseModules(ctx, orgID, c.CourseID); err != nil {
				return nil, err
			}
		}
		for _, m := range modules[c.CourseID] {
			n := submitted[[2]string{c.ID, m.ID}]
			row := CompletionRate{CohortID: c.ID, CohortName: c.Name, ModuleID: m.ID, Position: m.Position, Module: m.Title, Submitted: n, Enrolled: c.Enrolled}
			if c.Enrolled > 0 {
				row.Percent = round1(float64(n) * 100 / float64(c.Enrolled))
			}
			out = append(out, row)
		}
	}
	return out, nil
}
