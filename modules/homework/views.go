package homework

import (
	"context"
	"math"
	"sort"
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

// QueueStats computes the queue's numbers grouped by curator, cohort or
// assignment: open items now, and reviews completed in [from, to).
// Percentiles are computed here from the stored seconds, so that both
// databases answer the same. Open items of the pool are keyed "pool" when
// grouping by curator; reviewed ones by their reviewer.
func (s *Service) QueueStats(ctx context.Context, orgID, groupBy string, from, to time.Time) ([]QueueStats, error) {
	if !to.After(from) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	now := s.Now()
	rows, err := s.store.StatsRows(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	groups := map[string]*statsAcc{}
	for i := range rows {
		r := &rows[i]
		key := groupKey(groupBy, r)
		if groups[key] == nil {
			groups[key] = &statsAcc{QueueStats: QueueStats{Key: key}}
		}
		groups[key].add(r, now)
	}
	out := make([]QueueStats, 0, len(groups))
	for _, a := range groups {
		out = append(out, a.result())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// statsAcc gathers the numbers of one group of QueueStats.
type statsAcc struct {
	QueueStats
	seconds []int64
	inSLA   int
	rework  int
}

// add counts one submission: an open one by its state at now, a reviewed
// one by its review.
func (a *statsAcc) add(r *Submission, now time.Time) {
	if r.Open() {
		held := r.Status == StatusInReview && r.LeaseExpiresAt != nil && r.LeaseExpiresAt.After(now)
		if held {
			a.InReview++
		} else {
			a.Queued++
		}
		if r.DueAt.Before(now) {
			a.Overdue++
		}
		return
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

// result is the group's numbers, with the review times' percentiles and
// the rates when it has reviews.
func (a *statsAcc) result() QueueStats {
	if a.Reviewed > 0 {
		sort.Slice(a.seconds, func(i, j int) bool { return a.seconds[i] < a.seconds[j] })
		if len(a.seconds) > 0 {
			a.MedianSeconds, a.P90Seconds = ptr(percentile(a.seconds, 50)), ptr(percentile(a.seconds, 90))
		}
		a.SLAPercent = ptr(round1(float64(a.inSLA) * 100 / float64(a.Reviewed)))
		a.ReworkPercent = ptr(round1(float64(a.rework) * 100 / float64(a.Reviewed)))
	}
	return a.QueueStats
}

// groupKey is the group a submission counts in: its cohort, its
// assignment, or its curator: the queue's owner ("pool" for none) while it
// is open, its reviewer once reviewed.
func groupKey(groupBy string, r *Submission) string {
	switch groupBy {
	case ByCohort:
		return r.CohortID
	case ByAssignment:
		return r.AssignmentID
	}
	who := r.QueueCuratorID
	if !r.Open() {
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
	submitted, err := s.store.StudentsSubmitted(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
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
