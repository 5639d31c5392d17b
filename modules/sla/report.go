package sla

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Report groupings and the clock column each reads.
var groupColumns = map[string]string{
	"curator": "curator_id",
	"cohort":  "cohort_id",
	"channel": "channel",
	"policy":  "policy_id",
	"day":     "local_day",
}

// ReportInput asks for a report of the clocks that started in [From, To).
type ReportInput struct {
	From, To time.Time
	GroupBy  string
}

// ReportRow is the numbers of one group.
//
// Items are the clocks that have an outcome: answered ones, and open ones
// already past their due time (breached whatever happens next). Open
// clocks still within their target are counted in Open only; clocks closed
// as "no reply needed" in Dismissed only. Compliance is the share of items
// answered within their target. Response times are business minutes of the
// answered clocks, and percentiles use the nearest-rank definition: the
// p-th percentile of n sorted values is the value at rank ⌈p/100 × n⌉.
type ReportRow struct {
	Key               string
	Items             int
	Compliant         int
	Breached          int
	CompliancePercent float64 // 0 when there are no items
	Answered          int
	Open              int
	Dismissed         int
	MedianMinutes     float64
	P90Minutes        float64
	P95Minutes        float64
}

// Report is the grouped rows, by key, and the total.
type Report struct {
	From, To time.Time
	GroupBy  string
	Rows     []ReportRow
	Total    ReportRow
}

// maxReportRange bounds a report to about a year and a bit.
const maxReportRange = 400 * 24 * time.Hour

// Report computes compliance and response-time percentiles by group. The
// database counts per group (integers, the same on both dialects) and
// streams the answered durations; they are sorted and percentiles read
// off here with one definition, so that SQLite and PostgreSQL
// give the same numbers.
func (s *Service) Report(ctx context.Context, orgID string, in ReportInput) (*Report, error) {
	column, ok := groupColumns[in.GroupBy]
	if !ok {
		return nil, errs.Invalid("query.group_by", "must be curator, cohort, channel, policy or day")
	}
	if !in.To.After(in.From) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	if in.To.Sub(in.From) > maxReportRange {
		return nil, errs.Invalid("query.to", "a report covers at most 400 days")
	}
	from, to, now := in.From.UTC(), in.To.UTC(), s.Now()
	counts, err := s.store.ReportCounts(ctx, s.DB, orgID, column, from, to, now)
	if err != nil {
		return nil, err
	}
	durations := map[string][]int64{}
	var all []int64
	err = s.store.ReportDurations(ctx, s.DB, orgID, column, from, to, func(key string, seconds int64) {
		durations[key] = append(durations[key], seconds)
		all = append(all, seconds)
	})
	if err != nil {
		return nil, err
	}
	out := &Report{From: from, To: to, GroupBy: in.GroupBy, Rows: make([]ReportRow, 0, len(counts))}
	var total groupCounts
	for _, g := range counts {
		sorted := durations[g.Key]
		slices.Sort(sorted)
		out.Rows = append(out.Rows, reportRow(g, sorted))
		total.Answered += g.Answered
		total.Compliant += g.Compliant
		total.Open += g.Open
		total.OpenPastDue += g.OpenPastDue
		total.Dismissed += g.Dismissed
	}
	slices.Sort(all)
	out.Total = reportRow(total, all)
	sort.Slice(out.Rows, func(i, j int) bool { return out.Rows[i].Key < out.Rows[j].Key })
	return out, nil
}

// reportRow turns a group's counts and sorted durations into its numbers.
func reportRow(g groupCounts, sorted []int64) ReportRow {
	items := g.Answered + g.OpenPastDue
	return ReportRow{Key: g.Key, Items: items, Compliant: g.Compliant, Breached: items - g.Compliant,
		CompliancePercent: percent(g.Compliant, items), Answered: g.Answered, Open: g.Open, Dismissed: g.Dismissed,
		MedianMinutes: nearestRank(sorted, 50), P90Minutes: nearestRank(sorted, 90), P95Minutes: nearestRank(sorted, 95)}
}

// percent is part of whole in percent, rounded to two decimals.
func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(float64(part)*10000/float64(whole)) / 100
}

// nearestRank returns the p-th percentile of sorted seconds in minutes,
// rounded to a tenth: the value at rank ⌈p/100 × n⌉ (1-based).
func nearestRank(sorted []int64, p int) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return math.Round(float64(sorted[rank-1])/6) / 10
}

// WhatIf is how compliance over the last days would have looked had the
// draft version been active.
type WhatIf struct {
	From, To        time.Time
	Evaluated       int // clocks with an outcome under either version
	Governed        int // clocks the draft would have governed
	Current, Draft  Outcome
	NewlyBreached   int
	NewlyCompliant  int
	ChangedDueTimes int
}

// Outcome is compliance under one set of policies.
type Outcome struct {
	Items             int
	Compliant         int
	CompliancePercent float64
}

// WhatIf replays the clocks of the last days under the school's active
// policies with the draft in place of its policy's active version. Clocks
// themselves do not depend on the policy (a burst is a burst whatever the
// target), so recomputing each clock's due time with the terms that would
// have matched is the same as replaying the messages.
func (s *Service) WhatIf(ctx context.Context, orgID, policyID, versionID string, days int) (*WhatIf, error) {
	if days < 1 || days > 365 {
		return nil, errs.Invalid("query.days", "must be between 1 and 365")
	}
	draft, err := s.store.PolicyVersion(ctx, s.DB, orgID, versionID)
	if err != nil {
		return nil, err
	}
	if draft.PolicyID != policyID {
		return nil, errs.NotFound("policy version")
	}
	active, err := s.store.ActiveVersions(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	versions := []PolicyVersion{*draft}
	for _, v := range active {
		if v.PolicyID != policyID {
			versions = append(versions, v)
		}
	}
	sortByPriority(versions)
	now := s.Now()
	from := now.Add(-time.Duration(days) * 24 * time.Hour)
	clocks, err := s.store.ClocksStartedBetween(ctx, s.DB, orgID, from, now)
	if err != nil {
		return nil, err
	}
	cals := map[terms]*bizcal.Calendar{}
	out := &WhatIf{From: from, To: now}
	for i := range clocks {
		c := &clocks[i]
		if c.Status == ClockDismissed {
			continue
		}
		t := pick(versions, Placement{CohortID: c.CohortID, CourseID: c.CourseID, Tariff: c.Tariff}, c.Channel)
		if t.VersionID == draft.ID {
			out.Governed++
		}
		key := terms{CalendarID: t.CalendarID, AlwaysOpen: t.AlwaysOpen}
		cal := cals[key]
		if cal == nil {
			if cal, err = s.school.Calendar(ctx, orgID, t.CalendarID, t.AlwaysOpen); err != nil {
				return nil, err
			}
			cals[key] = cal
		}
		due := cal.AddBusiness(c.StartedAt, t.target(c.Kind)).UTC()
		if !due.Equal(c.DueAt) {
			out.ChangedDueTimes++
		}
		hasNow, okNow := outcome(c, c.DueAt, now)
		hasDraft, okDraft := outcome(c, due, now)
		if hasNow || hasDraft {
			out.Evaluated++
		}
		count(&out.Current, hasNow, okNow)
		count(&out.Draft, hasDraft, okDraft)
		switch {
		case hasNow && hasDraft && okNow && !okDraft:
			out.NewlyBreached++
		case hasDraft && okDraft && !(hasNow && okNow):
			out.NewlyCompliant++
		}
	}
	out.Current.CompliancePercent = percent(out.Current.Compliant, out.Current.Items)
	out.Draft.CompliancePercent = percent(out.Draft.Compliant, out.Draft.Items)
	return out, nil
}

// outcome says whether a clock with the due time counts as an item and
// whether it met the target.
func outcome(c *ResponseClock, due, now time.Time) (counted, met bool) {
	if c.Status == ClockAnswered && c.StoppedAt != nil {
		return true, !c.StoppedAt.After(due)
	}
	return !due.After(now), false
}

func count(o *Outcome, counted, met bool) {
	if counted {
		o.Items++
		if met {
			o.Compliant++
		}
	}
}
