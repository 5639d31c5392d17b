package cases

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"
)

// Share is Part of Whole with its percentage; Percent is nil when Whole is 0.
type Share struct {
	Part    int
	Whole   int
	Percent *float64
}

func shareOf(part, whole int) Share {
	sh := Share{Part: part, Whole: whole}
	if whole > 0 {
		p := math.Round(float64(part)*10000/float64(whole)) / 100
		sh.Percent = &p
	}
	return sh
}

// Counts are the collection figures of one cohort or one curator.
type Counts struct {
	// Requests made, and those answered with a case (the conversion).
	Requests   int
	Conversion Share
	// Submissions received in any status, and those still pending or rejected.
	Submissions int
	Pending     int
	Rejected    int
	// Reviews are the collected cases (approved, published or archived);
	// Videos those of them with a video link.
	Reviews int
	Videos  int
	// Targets and progress: for a cohort its own target or the school's
	// default; nil for a curator.
	ReviewTarget   *int
	VideoTarget    *int
	ReviewProgress *Share
	VideoProgress  *Share
	// MedianHoursToCollect is the nearest-rank median of the hours from a
	// request to the case answering it, over CollectSample answered
	// requests; nil without any.
	MedianHoursToCollect *float64
	CollectSample        int
}

// CohortCounts are one cohort's figures.
type CohortCounts struct {
	Cohort Cohort
	Counts
}

// CuratorCounts are the figures of the cases credited to one curator.
type CuratorCounts struct {
	CuratorID   *string
	CuratorName *string
	Counts
}

// tally accumulates requests and submissions into Counts.
type tally struct {
	Counts
	answered map[string]bool
	hours    []float64
}

func newTally() *tally { return &tally{answered: map[string]bool{}} }

func (t *tally) addRequest(r Request) {
	t.Requests++
	if r.Status == RequestSubmitted {
		t.answered[r.ID] = true
	}
}

func (t *tally) addSubmission(sub Submission, requested map[string]time.Time) {
	t.Submissions++
	switch {
	case sub.Status == StatusPending:
		t.Pending++
	case sub.Status == StatusRejected:
		t.Rejected++
	case slices.Contains(collected, sub.Status):
		t.Reviews++
		if sub.HasVideo() {
			t.Videos++
		}
	}
	if sub.RequestID != nil {
		if at, ok := requested[*sub.RequestID]; ok {
			t.hours = append(t.hours, sub.SubmittedAt.Sub(at).Hours())
		}
	}
}

func (t *tally) finish() Counts {
	c := t.Counts
	c.Conversion = shareOf(len(t.answered), t.Requests)
	c.CollectSample = len(t.hours)
	if len(t.hours) > 0 {
		sort.Float64s(t.hours)
		m := math.Round(t.hours[(len(t.hours)+1)/2-1]*10) / 10
		c.MedianHoursToCollect = &m
	}
	return c
}

// Period bounds the counts to [From, To): requests made and cases
// submitted in it. A zero end is left open; the zero Period is all time.
type Period struct {
	From, To time.Time
}

func (p Period) holds(t time.Time) bool {
	return (p.From.IsZero() || !t.Before(p.From)) && (p.To.IsZero() || t.Before(p.To))
}

// rows reads what counts are made of: the requests made and the
// submissions received in the period, in the school (or cohort), that the
// viewer may count, and the times of every request — a case submitted in
// the period answers a request made before it as well, and its time to
// collect counts.
func (s *Service) rows(ctx context.Context, orgID, cohortID string, p Period, v Viewer) ([]Request, []Submission, map[string]time.Time, error) {
	reqs, err := s.store.AllRequests(ctx, s.DB, orgID, cohortID)
	if err != nil {
		return nil, nil, nil, err
	}
	subs, err := s.store.CountedSubmissions(ctx, s.DB, orgID, cohortID, p.From, p.To)
	if err != nil {
		return nil, nil, nil, err
	}
	requested := make(map[string]time.Time, len(reqs))
	for _, r := range reqs {
		requested[r.ID] = r.CreatedAt
	}
	reqs = slices.DeleteFunc(reqs, func(r Request) bool { return !v.owns(r.CuratorID) || !p.holds(r.CreatedAt) })
	subs = slices.DeleteFunc(subs, func(sub Submission) bool { return !v.owns(sub.CuratorID) })
	return reqs, subs, requested, nil
}

// CohortCounts gives every cohort's figures (or one cohort's) of all time.
func (s *Service) CohortCounts(ctx context.Context, orgID, cohortID string, v Viewer) ([]CohortCounts, error) {
	return s.CohortCountsIn(ctx, orgID, cohortID, Period{}, v)
}

// CohortCountsIn gives every cohort's figures (or one cohort's) of a
// period, oldest cohort first, with its target. A viewer who sees only her
// own counts the requests and cases credited to her.
func (s *Service) CohortCountsIn(ctx context.Context, orgID, cohortID string, p Period, v Viewer) ([]CohortCounts, error) {
	cohorts, err := s.school.Cohorts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	targets, err := s.store.CohortTargets(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	reqs, subs, requested, err := s.rows(ctx, orgID, cohortID, p, v)
	if err != nil {
		return nil, err
	}
	tallies := map[string]*tally{}
	get := func(id string) *tally {
		if tallies[id] == nil {
			tallies[id] = newTally()
		}
		return tallies[id]
	}
	for _, r := range reqs {
		get(r.CohortID).addRequest(r)
	}
	for _, sub := range subs {
		get(sub.CohortID).addSubmission(sub, requested)
	}
	out := []CohortCounts{}
	for _, c := range cohorts {
		if cohortID != "" && c.ID != cohortID {
			continue
		}
		counts := get(c.ID).finish()
		video, reviews := st.VideoTarget, st.ReviewTarget
		if t, ok := targets[c.ID]; ok {
			video, reviews = t.VideoTarget, t.ReviewTarget
		}
		vp, rp := shareOf(counts.Videos, video), shareOf(counts.Reviews, reviews)
		counts.VideoTarget, counts.ReviewTarget, counts.VideoProgress, counts.ReviewProgress = &video, &reviews, &vp, &rp
		out = append(out, CohortCounts{Cohort: c, Counts: counts})
	}
	return out, nil
}

// CuratorCounts gives the figures per credited curator of all time.
func (s *Service) CuratorCounts(ctx context.Context, orgID, cohortID string, v Viewer) ([]CuratorCounts, error) {
	return s.CuratorCountsIn(ctx, orgID, cohortID, Period{}, v)
}

// CuratorCountsIn gives the figures of a period per credited curator, in
// the school or one cohort, by name; cases credited to nobody form one row
// without a curator, last.
func (s *Service) CuratorCountsIn(ctx context.Context, orgID, cohortID string, p Period, v Viewer) ([]CuratorCounts, error) {
	reqs, subs, requested, err := s.rows(ctx, orgID, cohortID, p, v)
	if err != nil {
		return nil, err
	}
	tallies := map[string]*tally{}
	get := func(id *string) *tally {
		key := ""
		if id != nil {
			key = *id
		}
		if tallies[key] == nil {
			tallies[key] = newTally()
		}
		return tallies[key]
	}
	for _, r := range reqs {
		get(r.CuratorID).addRequest(r)
	}
	for _, sub := range subs {
		get(sub.CuratorID).addSubmission(sub, requested)
	}
	var idList []string
	for id := range tallies {
		if id != "" {
			idList = append(idList, id)
		}
	}
	names, err := s.people.Names(ctx, orgID, idList)
	if err != nil {
		return nil, err
	}
	out := []CuratorCounts{}
	for id, t := range tallies {
		row := CuratorCounts{Counts: t.finish()}
		if id != "" {
			row.CuratorID = &id
			if n, ok := names[id]; ok {
				row.CuratorName = &n
			}
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return curatorLess(out[i], out[j]) })
	return out, nil
}

// curatorLess orders curators by name then id, the uncredited row last.
func curatorLess(a, b CuratorCounts) bool {
	if (a.CuratorID == nil) != (b.CuratorID == nil) {
		return b.CuratorID == nil
	}
	if a.CuratorID == nil {
		return false
	}
	an, bn := "", ""
	if a.CuratorName != nil {
		an = *a.CuratorName
	}
	if b.CuratorName != nil {
		bn = *b.CuratorName
	}
	if an != bn {
		return an < bn
	}
	return *a.CuratorID < *b.CuratorID
}

// CollectedCase is a collected case as the scorecard counts it.
type CollectedCase struct {
	ID          string
	StudentID   string
	CohortID    string
	CourseID    string
	CuratorID   *string
	Video       bool
	SubmittedAt time.Time
}

// CollectedCases lists the cases submitted in [from, to) that moderators
// accepted (approved, published or archived), oldest first, with the
// credited curator.
func (s *Service) CollectedCases(ctx context.Context, orgID string, from, to time.Time) ([]CollectedCase, error) {
	rows, err := s.store.CollectedBetween(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]CollectedCase, len(rows))
	for i, r := range rows {
		out[i] = CollectedCase{ID: r.ID, StudentID: r.StudentID, CohortID: r.CohortID, CourseID: r.CourseID, CuratorID: r.CuratorID,
			Video: r.HasVideo(), SubmittedAt: r.SubmittedAt.UTC()}
	}
	return out, nil
}
