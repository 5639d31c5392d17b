package homework

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// QueueStats are the numbers of one curator, cohort or assignment, with the
// names of what they are grouped by beside its ids. Times are business
// seconds from submission to the first verdict.
type QueueStats struct {
	Key             string  `json:"key" doc:"The group: a curator's user id (pool for the open items of the shared pools), a cohort id or an assignment id."`
	CuratorID       *string `json:"curator_id,omitempty" doc:"With group_by=curator; absent on the pool's row."`
	CuratorName     *string `json:"curator_name,omitempty" doc:"The curator's display name, former members included."`
	CohortID        *string `json:"cohort_id,omitempty" doc:"With group_by=cohort."`
	CohortName      *string `json:"cohort_name,omitempty"`
	AssignmentID    *string `json:"assignment_id,omitempty" doc:"With group_by=assignment."`
	AssignmentTitle *string `json:"assignment_title,omitempty"`
	ModuleID        *string `json:"module_id,omitempty" doc:"With group_by=assignment: the assignment's module."`
	ModuleTitle     *string `json:"module_title,omitempty"`
	CourseID        *string `json:"course_id,omitempty" doc:"With group_by=cohort or assignment."`
	CourseName      *string `json:"course_name,omitempty"`

	Queued          int      `json:"queued" doc:"Open items nobody holds now."`
	InReview        int      `json:"in_review" doc:"Open items under a live claim now."`
	OpenOverdue     int      `json:"open_overdue" doc:"Open items past their due time now: misses of the SLA as of now."`
	Reviewed        int      `json:"reviewed" doc:"Reviews completed in [from, to): the sample of the review times and the denominator of the rework rate."`
	ReviewedInTime  int      `json:"reviewed_in_time" doc:"Of reviewed, those completed by their due time."`
	ReviewedLate    int      `json:"reviewed_late" doc:"Of reviewed, those completed after their due time."`
	MedianSeconds   *int64   `json:"median_review_seconds" doc:"Over the reviewed items; null with none."`
	P90Seconds      *int64   `json:"p90_review_seconds" doc:"Over the reviewed items; null with none."`
	SLAItems        int      `json:"sla_items" doc:"reviewed_in_time + reviewed_late + open_overdue: the denominator of the SLA compliance."`
	SLAPercent      *float64 `json:"sla_compliance_percent" doc:"reviewed_in_time ÷ sla_items, in percent; null when sla_items is 0."`
	ReworkRequested int      `json:"rework_requested" doc:"Of reviewed, those sent back for rework."`
	ReworkPercent   *float64 `json:"rework_rate_percent" doc:"rework_requested ÷ reviewed, in percent; null with no reviews."`
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
// databases answer the same. Every item is accountable to one person
// (accountable): a reader without SeesAll sees only the items accountable
// to her, still grouped as asked.
func (s *Service) QueueStats(ctx context.Context, orgID string, reader StatsReader, groupBy string, from, to time.Time) ([]QueueStats, error) {
	if !to.After(from) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	now := s.Now()
	rows, err := s.store.StatsRows(ctx, s.DB, orgID, reader.onlyUser(), from, to)
	if err != nil {
		return nil, err
	}
	groups := map[string]*statsAcc{}
	for i := range rows {
		r := &rows[i]
		who := accountable(r, now)
		if !reader.owns(who) {
			continue
		}
		key := groupKey(groupBy, r, who)
		if groups[key] == nil {
			groups[key] = &statsAcc{QueueStats: QueueStats{Key: key}, first: r}
		}
		groups[key].add(r, now)
	}
	out := make([]QueueStats, 0, len(groups))
	for _, a := range groups {
		out = append(out, a.result(groupBy))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, s.nameStats(ctx, orgID, groupBy, out)
}

// accountable is the person an item's numbers are charged to: while it is
// open, whoever holds a live claim on it, else the curator whose queue it
// is in (nil for a pool); once reviewed, its reviewer.
func accountable(r *Submission, now time.Time) *string {
	switch {
	case !r.Open():
		return r.ReviewedBy
	case r.Held(now):
		return r.ClaimedBy
	}
	return r.QueueCuratorID
}

// groupKey is the group a submission counts in: its cohort, its
// assignment, or the person accountable for it ("pool" for none).
func groupKey(groupBy string, r *Submission, who *string) string {
	switch groupBy {
	case ByCohort:
		return r.CohortID
	case ByAssignment:
		return r.AssignmentID
	}
	if who == nil {
		return poolQueueLabel
	}
	return *who
}

// statsAcc gathers the numbers of one group of QueueStats.
type statsAcc struct {
	QueueStats
	first   *Submission // a submission of the group, for the ids it is named by
	seconds []int64
}

// add counts one submission: an open one by its state at now, a reviewed
// one by its review.
func (a *statsAcc) add(r *Submission, now time.Time) {
	if r.Open() {
		if r.Held(now) {
			a.InReview++
		} else {
			a.Queued++
		}
		if r.DueAt.Before(now) {
			a.OpenOverdue++
		}
		return
	}
	a.Reviewed++
	if r.ReviewSeconds != nil {
		a.seconds = append(a.seconds, *r.ReviewSeconds)
	}
	if r.ReviewedAt != nil && !r.ReviewedAt.After(r.DueAt) {
		a.ReviewedInTime++
	} else {
		a.ReviewedLate++
	}
	if r.Verdict != nil && *r.Verdict == StatusReworkRequested {
		a.ReworkRequested++
	}
}

// result is the group's numbers with the ids of what it is grouped by, the
// review times' percentiles and the rates whose denominators are not 0.
func (a *statsAcc) result(groupBy string) QueueStats {
	a.identify(groupBy)
	if len(a.seconds) > 0 {
		sort.Slice(a.seconds, func(i, j int) bool { return a.seconds[i] < a.seconds[j] })
		a.MedianSeconds, a.P90Seconds = ptr(percentile(a.seconds, 50)), ptr(percentile(a.seconds, 90))
	}
	a.SLAItems = a.ReviewedInTime + a.ReviewedLate + a.OpenOverdue
	a.SLAPercent = percentOf(a.ReviewedInTime, a.SLAItems)
	a.ReworkPercent = percentOf(a.ReworkRequested, a.Reviewed)
	return a.QueueStats
}

// identify sets the ids of what the group is: a curator (none for the
// pool), a cohort of a course, or an assignment of a module of a course.
func (a *statsAcc) identify(groupBy string) {
	r := a.first
	switch groupBy {
	case ByCohort:
		a.CohortID, a.CourseID = ptr(r.CohortID), ptr(r.CourseID)
	case ByAssignment:
		a.AssignmentID, a.ModuleID, a.CourseID = ptr(r.AssignmentID), ptr(r.ModuleID), ptr(r.CourseID)
	default:
		if a.Key != poolQueueLabel {
			a.CuratorID = ptr(a.Key)
		}
	}
}

// nameStats puts the display names beside the ids of the groups.
func (s *Service) nameStats(ctx context.Context, orgID, groupBy string, rows []QueueStats) error {
	if len(rows) == 0 {
		return nil
	}
	if groupBy != ByCohort && groupBy != ByAssignment {
		return s.nameCurators(ctx, orgID, rows)
	}
	n, err := s.catalogNames(ctx, orgID)
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		r.CourseName = n.course(*r.CourseID)
		if groupBy == ByCohort {
			r.CohortName = n.cohort(*r.CohortID)
			continue
		}
		if r.ModuleTitle, r.AssignmentTitle, err = n.assignment(ctx, *r.CourseID, *r.ModuleID, *r.AssignmentID); err != nil {
			return err
		}
	}
	return nil
}

// nameCurators sets curator_name on the rows of curators.
func (s *Service) nameCurators(ctx context.Context, orgID string, rows []QueueStats) error {
	var ids []string
	for _, r := range rows {
		if r.CuratorID != nil {
			ids = append(ids, *r.CuratorID)
		}
	}
	names, err := s.personNames(ctx, orgID, ids)
	if err != nil {
		return err
	}
	for i := range rows {
		if rows[i].CuratorID != nil {
			rows[i].CuratorName = label(names, *rows[i].CuratorID)
		}
	}
	return nil
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []int64, p int) int64 {
	rank := int(math.Ceil(float64(p) / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// percentOf is part ÷ whole in percent to one decimal, or nil when whole
// is 0: a rate without data is empty, never 0.
func percentOf(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	return ptr(round1(float64(part) * 100 / float64(whole)))
}

func ptr[T any](v T) *T { return &v }

func round1(v float64) float64 { return math.Round(v*10) / 10 }
