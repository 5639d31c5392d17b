package sla

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Report groupings and the clock column each reads; day is worked out
// from started_at in the school's time zone, see dayGroups.
var groupColumns = map[string]string{
	"curator": "curator_id",
	"cohort":  "cohort_id",
	"channel": "channel",
	"policy":  "policy_id",
	"day":     "",
}

// ReportInput asks for a report of the clocks that started in [From, To).
type ReportInput struct {
	From, To time.Time
	GroupBy  string
}

// Group is what a report row is about: its key (a curator, cohort or
// policy id, a channel or a local day) and the names people read beside
// it.
type Group struct {
	Key string
	// Name is the curator's display name, the cohort's name, the channel's
	// label or the policy's name; empty when unknown, and for days.
	Name string
	// CourseID and CourseName are a cohort row's course.
	CourseID, CourseName string
}

// ReportRow is the numbers of one group.
//
// Items are the clocks that have an outcome: answered ones, and open ones
// already past their due time (breached whatever happens next). Open
// clocks still within their target are counted in Open only; clocks closed
// as "no reply needed" in Dismissed only. Compliance is the share of items
// answered within their target, nil without items. Response times are
// business minutes of the answered clocks (nil without any), and
// percentiles use the nearest-rank definition: the p-th percentile of n
// sorted values is the value at rank ⌈p/100 × n⌉.
type ReportRow struct {
	Group             Group
	Items             int
	Compliant         int
	Breached          int
	CompliancePercent *float64
	Answered          int
	Open              int
	Dismissed         int
	MedianMinutes     *float64
	P90Minutes        *float64
	P95Minutes        *float64
}

// Report is the grouped rows, by key, and the total.
type Report struct {
	From, To time.Time
	GroupBy  string
	// OnlyCuratorID is set when the report covers only the clocks charged
	// to this curator: the caller may not read everyone's.
	OnlyCuratorID string
	Rows          []ReportRow
	Total         ReportRow
}

// maxReportRange bounds a report to about a year and a bit.
const maxReportRange = 400 * 24 * time.Hour

// DefaultPolicyName names the built-in policy in reports.
const DefaultPolicyName = "Default: 2 business hours"

// Report computes compliance and response-time percentiles by group. The
// counts are integers and the percentiles are read off sorted durations
// here with one definition, so that SQLite and PostgreSQL give the same
// numbers. A caller without sla_reports:read_all gets the rows of the
// clocks charged to them only, whatever the grouping.
func (s *Service) Report(ctx context.Context, orgID string, in ReportInput) (*Report, error) {
	column, ok := groupColumns[in.GroupBy]
	if !ok {
		return nil, errs.Invalid("query.group_by", "must be curator, cohort, channel, policy or day")
	}
	for _, q := range []struct {
		field string
		at    time.Time
	}{{"query.from", in.From}, {"query.to", in.To}} {
		if err := clock.CheckPlan(q.field, q.at); err != nil {
			return nil, err
		}
	}
	if !in.To.After(in.From) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	if in.To.Sub(in.From) > maxReportRange {
		return nil, errs.Invalid("query.to", "a report covers at most 400 days")
	}
	f := reportFilter{From: in.From.UTC(), To: in.To.UTC(), Now: s.Now()}
	only, err := reportScope(ctx)
	if err != nil {
		return nil, err
	}
	if only != "" {
		f.CuratorID = &only
	}
	var counts []groupCounts
	var durations map[string][]int64
	if in.GroupBy == "day" {
		counts, durations, err = s.dayGroups(ctx, orgID, f)
	} else {
		counts, durations, err = s.columnGroups(ctx, orgID, column, f)
	}
	if err != nil {
		return nil, err
	}
	out := &Report{From: f.From, To: f.To, GroupBy: in.GroupBy, OnlyCuratorID: only, Rows: make([]ReportRow, 0, len(counts))}
	var total groupCounts
	var all []int64
	for _, g := range counts {
		sorted := durations[g.Key]
		slices.Sort(sorted)
		out.Rows = append(out.Rows, reportRow(g, sorted))
		total.add(g)
		all = append(all, sorted...)
	}
	slices.Sort(all)
	out.Total = reportRow(total, all)
	sort.Slice(out.Rows, func(i, j int) bool { return out.Rows[i].Group.Key < out.Rows[j].Group.Key })
	return out, s.nameGroups(ctx, orgID, in.GroupBy, out.Rows)
}

// reportScope returns the curator whose clocks alone the caller may see in
// reports, or "" for all. The policy decides (sla_reports:read_all); the
// application itself — a context without a school's access, such as
// background work or the command line — sees all.
func reportScope(ctx context.Context) (string, error) {
	m := reqctx.From(ctx)
	if m.Org == nil || m.Org.Allowed("sla_reports", "read_all") {
		return "", nil
	}
	if id := m.Principal.ActorID(); id != "" {
		return id, nil
	}
	return "", errs.Forbidden("the report shows a curator her own clocks; sign in")
}

// columnGroups lets the database count per group (one row per group
// travels) and streams the answered durations.
func (s *Service) columnGroups(ctx context.Context, orgID, column string, f reportFilter) ([]groupCounts, map[string][]int64, error) {
	counts, err := s.store.ReportCounts(ctx, s.DB, orgID, column, f)
	if err != nil {
		return nil, nil, err
	}
	durations := map[string][]int64{}
	err = s.store.ReportDurations(ctx, s.DB, orgID, column, f, func(key string, seconds int64) {
		durations[key] = append(durations[key], seconds)
	})
	return counts, durations, err
}

// dayGroups groups by the date in the school's time zone on which each
// clock started. The zone is the school's as it is now, not the
// calendar's of each clock (a school may run a Yekaterinburg calendar for
// some cohorts and still count its days in Moscow), and the dates are
// worked out here so that both databases group alike.
func (s *Service) dayGroups(ctx context.Context, orgID string, f reportFilter) ([]groupCounts, map[string][]int64, error) {
	loc, err := s.location(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	byDay := map[string]*groupCounts{}
	var days []string
	durations := map[string][]int64{}
	err = s.store.ReportClocks(ctx, s.DB, orgID, f, func(c reportClock) {
		day := c.StartedAt.In(loc).Format(time.DateOnly)
		g := byDay[day]
		if g == nil {
			g = &groupCounts{Key: day}
			byDay[day] = g
			days = append(days, day)
		}
		g.count(c)
		if c.Status == ClockAnswered && c.BusinessSeconds != nil {
			durations[day] = append(durations[day], *c.BusinessSeconds)
		}
	})
	out := make([]groupCounts, len(days))
	for i, day := range days {
		out[i] = *byDay[day]
	}
	return out, durations, err
}

// count adds one clock to the group, as the report query's sums do.
func (g *groupCounts) count(c reportClock) {
	switch c.Status {
	case ClockAnswered:
		g.Answered++
		if !c.Breached {
			g.Compliant++
		}
	case ClockOpen:
		g.Open++
		if c.PastDue {
			g.OpenPastDue++
		}
	case ClockDismissed:
		g.Dismissed++
	}
}

// add sums another group's counts into g.
func (g *groupCounts) add(o groupCounts) {
	g.Answered += o.Answered
	g.Compliant += o.Compliant
	g.Open += o.Open
	g.OpenPastDue += o.OpenPastDue
	g.Dismissed += o.Dismissed
}

// nameGroups puts the names people read beside the rows' ids: curators'
// display names, cohort and course names, channel labels, policy names.
func (s *Service) nameGroups(ctx context.Context, orgID, groupBy string, rows []ReportRow) error {
	switch groupBy {
	case "curator":
		var curators []string
		for _, r := range rows {
			if r.Group.Key != "" {
				curators = append(curators, r.Group.Key)
			}
		}
		names, err := s.people.Names(ctx, orgID, curators)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].Group.Name = names[rows[i].Group.Key]
		}
	case "cohort":
		labels, err := s.school.Labels(ctx, orgID)
		if err != nil {
			return err
		}
		for i := range rows {
			g := &rows[i].Group
			g.Name, g.CourseName = labels.Cohorts[g.Key], labels.Courses[g.CourseID]
		}
	case "channel":
		for i := range rows {
			rows[i].Group.Name = ChannelLabel(rows[i].Group.Key)
		}
	case "policy":
		policies, err := s.store.ListPolicies(ctx, s.DB, orgID)
		if err != nil {
			return err
		}
		names := map[string]string{"": DefaultPolicyName}
		for _, p := range policies {
			names[p.ID] = p.Name
		}
		for i := range rows {
			rows[i].Group.Name = names[rows[i].Group.Key]
		}
	}
	return nil
}

// reportRow turns a group's counts and sorted durations into its numbers.
func reportRow(g groupCounts, sorted []int64) ReportRow {
	items := g.Answered + g.OpenPastDue
	return ReportRow{Group: Group{Key: g.Key, CourseID: g.CourseID}, Items: items, Compliant: g.Compliant,
		Breached: items - g.Compliant, CompliancePercent: percent(g.Compliant, items), Answered: g.Answered, Open: g.Open,
		Dismissed: g.Dismissed, MedianMinutes: percentile(sorted, 50), P90Minutes: percentile(sorted, 90),
		P95Minutes: percentile(sorted, 95)}
}

// percent is part of whole in percent, rounded to two decimals; nil when
// there is no whole to take a share of.
func percent(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	v := math.Round(float64(part)*10000/float64(whole)) / 100
	return &v
}

// percentile is the p-th nearest-rank percentile of sorted seconds in
// minutes, nil without values.
func percentile(sorted []int64, p int) *float64 {
	if len(sorted) == 0 {
		return nil
	}
	v := nearestRank(sorted, p)
	return &v
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

// Outcome is compliance under one set of policies; the percentage is nil
// without items.
type Outcome struct {
	Items             int
	Compliant         int
	CompliancePercent *float64
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
