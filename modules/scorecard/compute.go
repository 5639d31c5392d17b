package scorecard

import (
	"slices"
	"sort"
	"time"
)

// dims is what a fact is about: its cohort and course (empty when
// unknown), the curator it counts for (nil: none) and when it happened.
type dims struct {
	cohort, course string
	curator        *string
	at             time.Time
}

// grouper files facts into the rows of a breakdown, keeping only those
// that pass the filters.
type grouper struct {
	by                            string
	loc                           *time.Location
	cohortID, courseID, curatorID string
}

// key is the row a fact belongs to, and false when a filter drops it.
func (g grouper) key(d dims) (string, bool) {
	if (g.cohortID != "" && d.cohort != g.cohortID) || (g.courseID != "" && d.course != g.courseID) ||
		(g.curatorID != "" && (d.curator == nil || *d.curator != g.curatorID)) {
		return "", false
	}
	switch g.by {
	case ByCohort:
		return orNone(d.cohort), true
	case ByCourse:
		return orNone(d.course), true
	case ByCurator:
		if d.curator == nil || *d.curator == "" {
			return NoneKey, true
		}
		return *d.curator, true
	case ByMonth:
		return d.at.In(g.loc).Format("2006-01"), true
	}
	return "", true
}

func orNone(id string) string {
	if id == "" {
		return NoneKey
	}
	return id
}

// acc adds up one row's facts for one period.
type acc struct {
	csiSatisfied, csiAnswers            int
	promoters, passives, detractors     int
	enrolled, enrolledDone              int
	active, activeDone                  int
	paidEnrollments, refundedEnrollment int
	items, compliant                    int
	responseSeconds                     []int64
	reviewed, reviewedInTime            int
	reviewSeconds                       []int64
	checks                              int
	checkSum                            float64
	casesText, casesVideo               int
	qualityReviews                      int
	qualityPoints, qualityMax           float64
	revenue                             int64
	payers                              map[string]struct{}
}

// tally is one period's rows by key, and the total over every fact that
// passed the filters.
type tally struct {
	g     grouper
	rows  map[string]*acc
	total *acc
}

func newTally(g grouper) *tally {
	return &tally{g: g, rows: map[string]*acc{}, total: &acc{payers: map[string]struct{}{}}}
}

// add counts a fact in its row and in the total.
func (t *tally) add(d dims, count func(*acc)) {
	key, ok := t.g.key(d)
	if !ok {
		return
	}
	count(t.total)
	if t.g.by == ByNone {
		return
	}
	a := t.rows[key]
	if a == nil {
		a = &acc{payers: map[string]struct{}{}}
		t.rows[key] = a
	}
	count(a)
}

// merge adds another tally of the same grouping into this one: the reads
// of a period each fill a tally of their own, and the period's is their
// sum.
func (t *tally) merge(o *tally) {
	t.total.merge(o.total)
	for key, a := range o.rows {
		if mine := t.rows[key]; mine != nil {
			mine.merge(a)
		} else {
			t.rows[key] = a
		}
	}
}

// merge adds b's sums to a's; every field of acc is a sum, a list or a set,
// and each must be added here.
func (a *acc) merge(b *acc) {
	a.csiSatisfied += b.csiSatisfied
	a.csiAnswers += b.csiAnswers
	a.promoters += b.promoters
	a.passives += b.passives
	a.detractors += b.detractors
	a.enrolled += b.enrolled
	a.enrolledDone += b.enrolledDone
	a.active += b.active
	a.activeDone += b.activeDone
	a.paidEnrollments += b.paidEnrollments
	a.refundedEnrollment += b.refundedEnrollment
	a.items += b.items
	a.compliant += b.compliant
	a.responseSeconds = append(a.responseSeconds, b.responseSeconds...)
	a.reviewed += b.reviewed
	a.reviewedInTime += b.reviewedInTime
	a.reviewSeconds = append(a.reviewSeconds, b.reviewSeconds...)
	a.checks += b.checks
	a.checkSum += b.checkSum
	a.casesText += b.casesText
	a.casesVideo += b.casesVideo
	a.qualityReviews += b.qualityReviews
	a.qualityPoints += b.qualityPoints
	a.qualityMax += b.qualityMax
	a.revenue += b.revenue
	for id := range b.payers {
		a.payers[id] = struct{}{}
	}
}

// lifetime is what the ledger says of one student over all time.
type lifetime struct {
	net        int64 // orders minus refunds
	liveOrders int   // orders not refunded in full
}

// figures turns a row's sums into the figures the caller may see.
func (a *acc) figures(module int, show visibility, casesOn bool, quality *QualityScore, lives map[string]lifetime) Figures {
	var f Figures
	if show.service {
		f.CSI = ptr(rate(a.csiSatisfied, a.csiAnswers))
		f.NPS = ptr(nps(a.promoters, a.passives, a.detractors))
		f.Completion = &Completion{Module: module, Enrolled: rate(a.enrolledDone, a.enrolled), Active: rate(a.activeDone, a.active)}
		f.ResponseTime = ptr(durations(a.responseSeconds))
		f.SLA = ptr(rate(a.compliant, a.items))
		f.ReviewTime = ptr(durations(a.reviewSeconds))
		f.ReviewInTime = ptr(rate(a.reviewedInTime, a.reviewed))
		f.ReviewQuality = &Average{Sample: a.checks}
		if a.checks > 0 {
			f.ReviewQuality.Score = ptr(round(a.checkSum/float64(a.checks), 1))
		}
		f.Cases = a.cases(casesOn)
		f.ConversationQuality = quality
	}
	if show.service || show.money {
		f.RefundRate = ptr(rate(a.refundedEnrollment, a.paidEnrollments))
	}
	if show.money {
		var ltv int64
		live, repeat := 0, 0
		for id := range a.payers {
			l := lives[id]
			ltv += l.net
			if l.liveOrders > 0 {
				live++
			}
			if l.liveOrders > 1 {
				repeat++
			}
		}
		f.Revenue = ptr(a.revenue)
		f.ARPPU = ptr(money(a.revenue, len(a.payers)))
		f.LTV = ptr(money(ltv, len(a.payers)))
		f.RepeatPurchase = ptr(rate(repeat, live))
	}
	return f
}

func (a *acc) cases(on bool) *CaseCounts {
	if !on {
		return &CaseCounts{Note: ptr("not available: the cases module is not connected")}
	}
	return &CaseCounts{Available: true, Text: ptr(a.casesText), Video: ptr(a.casesVideo), Total: ptr(a.casesText + a.casesVideo)}
}

// quality is the row's conversation quality figure.
func (a *acc) quality() *QualityScore {
	q := &QualityScore{Available: true, Reviews: a.qualityReviews, Points: a.qualityPoints, MaxPoints: a.qualityMax}
	if a.qualityReviews > 0 && a.qualityMax > 0 {
		q.Score = ptr(round(a.qualityPoints*100/a.qualityMax, 1))
	}
	return q
}

func nps(promoters, passives, detractors int) NPS {
	n := NPS{Promoters: promoters, Passives: passives, Detractors: detractors, Answers: promoters + passives + detractors}
	if n.Answers > 0 {
		n.Score = ptr(round(float64(promoters-detractors)*100/float64(n.Answers), 1))
	}
	return n
}

// durations sorts the seconds and reads the median and p90 off them by
// nearest rank: the p-th percentile of n sorted values is the value at
// rank ⌈p/100 × n⌉, as the SLA report reads them.
func durations(seconds []int64) Durations {
	d := Durations{Sample: len(seconds)}
	if len(seconds) == 0 {
		return d
	}
	slices.Sort(seconds)
	d.MedianHours = ptr(hours(nearestRank(seconds, 50)))
	d.P90Hours = ptr(hours(nearestRank(seconds, 90)))
	return d
}

func nearestRank(sorted []int64, p int) int64 {
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func hours(seconds int64) float64 { return round(float64(seconds)/3600, 2) }

// visibility is which figure groups the caller may see.
type visibility struct{ service, money bool }

// hidden names the groups the caller may not see.
func (v visibility) hidden() []string {
	out := []string{}
	if !v.service {
		out = append(out, GroupService)
	}
	if !v.money {
		out = append(out, GroupMoney)
	}
	return out
}

// change subtracts the comparison's figures from the period's.
func change(now, was Figures) *Change {
	c := &Change{}
	if now.CSI != nil && was.CSI != nil {
		c.CSI = diff(now.CSI.Percent, was.CSI.Percent)
	}
	if now.NPS != nil && was.NPS != nil {
		c.NPS = diff(now.NPS.Score, was.NPS.Score)
	}
	if now.Completion != nil && was.Completion != nil {
		c.Completion = diff(now.Completion.Enrolled.Percent, was.Completion.Enrolled.Percent)
	}
	if now.RefundRate != nil && was.RefundRate != nil {
		c.RefundRate = diff(now.RefundRate.Percent, was.RefundRate.Percent)
	}
	if now.ResponseTime != nil && was.ResponseTime != nil {
		c.ResponseMedian = diff(now.ResponseTime.MedianHours, was.ResponseTime.MedianHours)
		c.ResponseP90 = diff(now.ResponseTime.P90Hours, was.ResponseTime.P90Hours)
	}
	if now.SLA != nil && was.SLA != nil {
		c.SLA = diff(now.SLA.Percent, was.SLA.Percent)
	}
	if now.ReviewTime != nil && was.ReviewTime != nil {
		c.ReviewMedian = diff(now.ReviewTime.MedianHours, was.ReviewTime.MedianHours)
	}
	if now.ReviewInTime != nil && was.ReviewInTime != nil {
		c.ReviewInTime = diff(now.ReviewInTime.Percent, was.ReviewInTime.Percent)
	}
	if now.ReviewQuality != nil && was.ReviewQuality != nil {
		c.ReviewQuality = diff(now.ReviewQuality.Score, was.ReviewQuality.Score)
	}
	if now.Cases != nil && was.Cases != nil {
		c.CasesTotal = diffInt(now.Cases.Total, was.Cases.Total)
		c.CasesVideo = diffInt(now.Cases.Video, was.Cases.Video)
	}
	if now.ConversationQuality != nil && was.ConversationQuality != nil {
		c.ConversationQuality = diff(now.ConversationQuality.Score, was.ConversationQuality.Score)
	}
	if now.Revenue != nil && was.Revenue != nil {
		c.Revenue = ptr(float64(*now.Revenue - *was.Revenue))
	}
	if now.ARPPU != nil && was.ARPPU != nil {
		c.ARPPU = diff(now.ARPPU.Average, was.ARPPU.Average)
	}
	if now.LTV != nil && was.LTV != nil {
		c.LTV = diff(now.LTV.Average, was.LTV.Average)
	}
	if now.RepeatPurchase != nil && was.RepeatPurchase != nil {
		c.RepeatPurchase = diff(now.RepeatPurchase.Percent, was.RepeatPurchase.Percent)
	}
	return c
}

func diff(now, was *float64) *float64 {
	if now == nil || was == nil {
		return nil
	}
	return ptr(round(*now-*was, 2))
}

func diffInt(now, was *int) *float64 {
	if now == nil || was == nil {
		return nil
	}
	return ptr(float64(*now - *was))
}

// sortedKeys lists the keys of the rows of one or two periods, months in
// order and other keys by the label people read, "none" last.
func sortedKeys(label func(string) string, tallies ...*tally) []string {
	var keys []string
	seen := map[string]bool{}
	for _, t := range tallies {
		if t == nil {
			continue
		}
		for k := range t.rows {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == NoneKey) != (keys[j] == NoneKey) {
			return keys[j] == NoneKey
		}
		li, lj := label(keys[i]), label(keys[j])
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}
