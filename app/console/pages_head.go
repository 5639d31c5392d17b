package console

import (
	"cmp"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/refunds"
	"github.com/curatorops/curatorops/modules/scorecard"
	"github.com/curatorops/curatorops/modules/sla"
)

// pageSize is the length of every paged list of the console.
const pageSize = 25

// --- scorecard ---------------------------------------------------------------

// figureRow is one line of the scorecard table: the figure in the period
// and the comparison period, the change, and what each was counted over.
type figureRow struct {
	Key                 string
	Period, Compare     string
	PeriodOf, CompareOf string
	Change              string
}

// scorecardPage shows the school's scorecard for a period beside another
// (this month and the last unless chosen) and the monthly trend.
func (c *Console) scorecardPage(r *request) error {
	now := c.d.Identity.Now().In(r.L.zone)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, r.L.zone)
	// By default the last complete month against the one before it: the
	// current month has barely begun on its first days.
	from, to := monthStart.AddDate(0, -1, 0), monthStart
	cfrom, cto := monthStart.AddDate(0, -2, 0), monthStart.AddDate(0, -1, 0)
	for _, f := range []struct {
		name string
		into *time.Time
	}{{"from", &from}, {"to", &to}, {"compare_from", &cfrom}, {"compare_to", &cto}} {
		if v := r.QueryParam(f.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, r.L.zone)
			if err != nil {
				return badInput(f.name)
			}
			*f.into = t
		}
	}
	sc, err := c.d.Scorecard.School(r.ctx, r.org.ID, scorecard.Query{From: from, To: to, CompareFrom: &cfrom, CompareTo: &cto})
	if err != nil {
		return err
	}
	// The trend: the six complete months before this one.
	trend, err := c.d.Scorecard.School(r.ctx, r.org.ID, scorecard.Query{From: monthStart.AddDate(0, -6, 0), To: monthStart, Breakdown: scorecard.ByMonth})
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "scorecard", map[string]any{
		"From": from.Format("2006-01-02"), "To": to.Format("2006-01-02"),
		"CompareFrom": cfrom.Format("2006-01-02"), "CompareTo": cto.Format("2006-01-02"),
		"Rows": figureRows(r.L, sc.Total), "Hidden": sc.Hidden, "Notes": sc.Notes,
		"Chart": trendChart(r.L, trend.Rows),
	})
}

// figureRows lays out the reference school's table.
func figureRows(l *locale, row scorecard.Row) []figureRow {
	p, cmp, ch := row.Period, row.Compare, row.Change
	if cmp == nil {
		cmp = &scorecard.Figures{}
	}
	if ch == nil {
		ch = &scorecard.Change{}
	}
	rate := func(r *scorecard.Rate) (string, string) {
		if r == nil {
			return "—", ""
		}
		return l.Pct(r.Percent), l.Int(r.Numerator) + " / " + l.Int(r.Denominator)
	}
	nps := func(n *scorecard.NPS) (string, string) {
		if n == nil {
			return "—", ""
		}
		return l.Opt(n.Score, 1), l.T("sc.answers", l.Int(n.Answers))
	}
	hours := func(d *scorecard.Durations) (string, string) {
		if d == nil {
			return "—", ""
		}
		return l.Opt(d.MedianHours, 2), l.T("sc.sample", l.Int(d.Sample))
	}
	avg := func(a *scorecard.Average) (string, string) {
		if a == nil {
			return "—", ""
		}
		return l.Opt(a.Score, 1), l.T("sc.sample", l.Int(a.Sample))
	}
	completion := func(c *scorecard.Completion) *scorecard.Rate {
		if c == nil {
			return nil
		}
		return &c.Enrolled
	}
	revenue := func(k *int64) (string, string) { return l.MoneyPtr(k), "" }
	money := func(m *scorecard.Money) (string, string) {
		if m == nil || m.Average == nil {
			return "—", ""
		}
		return l.Money(int64(*m.Average)), l.Money(m.Kopecks) + " / " + l.Int(m.Students)
	}
	var rows []figureRow
	add := func(key string, pv, pof, cv, cof string, change *float64) {
		rows = append(rows, figureRow{Key: key, Period: pv, PeriodOf: pof, Compare: cv, CompareOf: cof, Change: l.Delta(change)})
	}
	two := func(key string, f func() (string, string, string, string), change *float64) {
		a, b, c2, d := f()
		add(key, a, b, c2, d, change)
	}
	pair := func(f1, f2 func() (string, string)) func() (string, string, string, string) {
		return func() (string, string, string, string) {
			a, b := f1()
			c2, d := f2()
			return a, b, c2, d
		}
	}
	two("sc.csi", pair(func() (string, string) { return rate(p.CSI) }, func() (string, string) { return rate(cmp.CSI) }), ch.CSI)
	two("sc.nps", pair(func() (string, string) { return nps(p.NPS) }, func() (string, string) { return nps(cmp.NPS) }), ch.NPS)
	two("sc.completion", pair(func() (string, string) { return rate(completion(p.Completion)) },
		func() (string, string) { return rate(completion(cmp.Completion)) }), ch.Completion)
	two("sc.refund_rate", pair(func() (string, string) { return rate(p.RefundRate) }, func() (string, string) { return rate(cmp.RefundRate) }), ch.RefundRate)
	two("sc.response_time", pair(func() (string, string) { return hours(p.ResponseTime) }, func() (string, string) { return hours(cmp.ResponseTime) }), nil)
	two("sc.sla", pair(func() (string, string) { return rate(p.SLA) }, func() (string, string) { return rate(cmp.SLA) }), nil)
	two("sc.review_time", pair(func() (string, string) { return hours(p.ReviewTime) }, func() (string, string) { return hours(cmp.ReviewTime) }), nil)
	two("sc.review_in_time", pair(func() (string, string) { return rate(p.ReviewInTime) }, func() (string, string) { return rate(cmp.ReviewInTime) }), nil)
	two("sc.review_quality", pair(func() (string, string) { return avg(p.ReviewQuality) }, func() (string, string) { return avg(cmp.ReviewQuality) }), nil)
	two("sc.revenue", pair(func() (string, string) { return revenue(p.Revenue) }, func() (string, string) { return revenue(cmp.Revenue) }), nil)
	two("sc.arppu", pair(func() (string, string) { return money(p.ARPPU) }, func() (string, string) { return money(cmp.ARPPU) }), nil)
	two("sc.ltv", pair(func() (string, string) { return money(p.LTV) }, func() (string, string) { return money(cmp.LTV) }), nil)
	return rows
}

// trendChart draws CSI, SLA and reviews in time by month as an SVG: lines
// over a 0–100 % scale, readable without JavaScript.
func trendChart(l *locale, rows []scorecard.Row) template.HTML {
	type series struct {
		key, colour string
		value       func(scorecard.Figures) *float64
	}
	all := []series{
		{"sc.csi", "#1d4ed8", func(f scorecard.Figures) *float64 { return ratePct(f.CSI) }},
		{"sc.sla", "#b45309", func(f scorecard.Figures) *float64 { return ratePct(f.SLA) }},
		{"sc.review_in_time", "#047857", func(f scorecard.Figures) *float64 { return ratePct(f.ReviewInTime) }},
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	const w, h, left, top, bottom, right = 640, 240, 44, 12, 36, 150
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	x := func(i int) float64 {
		if len(rows) < 2 {
			return float64(left) + plotW/2
		}
		return float64(left) + plotW*float64(i)/float64(len(rows)-1)
	}
	y := func(v float64) float64 { return float64(top) + plotH*(1-v/100) }
	var b svgBuilder
	b.printf(`<svg class="chart" role="img" aria-labelledby="trend-title" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`, w, h)
	b.printf(`<title id="trend-title">%s</title>`, esc(l.T("sc.trend")))
	for _, g := range []float64{0, 25, 50, 75, 100} {
		b.printf(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d1d5db" stroke-width="1"/>`, left, w-right, y(g), y(g))
		b.printf(`<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#374151">%s</text>`, left-6, y(g)+4, esc(l.Dec(g, 0)+" %"))
	}
	for i, row := range rows {
		b.printf(`<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#374151">%s</text>`, x(i), h-bottom+18, esc(l.Month(row.Key)))
	}
	for si, s := range all {
		path := ""
		for i, row := range rows {
			v := s.value(row.Period)
			if v == nil {
				continue
			}
			cmd := "L"
			if path == "" {
				cmd = "M"
			}
			path += cmd + strconv.FormatFloat(x(i), 'f', 1, 64) + " " + strconv.FormatFloat(y(*v), 'f', 1, 64) + " "
			b.printf(`<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`, x(i), y(*v), s.colour,
				esc(l.T(s.key)+" "+l.Month(row.Key)+": "+l.Pct(v)))
		}
		if path != "" {
			b.printf(`<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, path, s.colour)
		}
		ly := top + 14 + si*20
		b.printf(`<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="3"/>`, w-right+12, w-right+32, ly, ly, s.colour)
		b.printf(`<text x="%d" y="%d" font-size="12" fill="#111827">%s</text>`, w-right+38, ly+4, esc(l.T(s.key)))
	}
	b.printf(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text in it is escaped by esc
}

func ratePct(r *scorecard.Rate) *float64 {
	if r == nil {
		return nil
	}
	return r.Percent
}

// --- SLA board ---------------------------------------------------------------

// atRiskWindow is how close to its due time an open clock counts as at risk.
const atRiskWindow = time.Hour

// boardLine counts a curator's or a channel's clocks.
type boardLine struct {
	Name             string
	Breached, AtRisk int
}

// slaBoard shows the open clocks breached and at risk by curator and by
// channel, and the open clocks next to breach, paged.
func (c *Console) slaBoard(r *request) error {
	now := c.d.SLA.Now()
	soon := now.Add(atRiskWindow)
	breached, err := c.d.SLA.OpenClocks(r.ctx, r.org.ID, sla.ClockFilter{DueBefore: &now, Limit: 1000})
	if err != nil {
		return err
	}
	atRisk, err := c.d.SLA.OpenClocks(r.ctx, r.org.ID, sla.ClockFilter{DueAfter: &now, DueBefore: &soon, Limit: 1000})
	if err != nil {
		return err
	}
	after, err := httpapi.AfterTimeID(r.QueryParam("cursor"))
	if err != nil {
		return badInput("cursor")
	}
	open, err := c.d.SLA.OpenClocks(r.ctx, r.org.ID, sla.ClockFilter{Limit: pageSize, After: after})
	if err != nil {
		return err
	}
	open, next := onePage(open, func(last sla.ResponseClock) string {
		return httpapi.EncodeCursor(last.DueAt.UTC().Format(time.RFC3339Nano), last.ID)
	})
	var ids []string
	for _, list := range [][]sla.ResponseClock{breached, atRisk, open} {
		for _, cl := range list {
			ids = append(ids, cl.CuratorID)
		}
	}
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, ids)
	if err != nil {
		return err
	}
	byCurator, byChannel := map[string]*boardLine{}, map[string]*boardLine{}
	count := func(cl sla.ResponseClock, breach bool) {
		for _, m := range []struct {
			into map[string]*boardLine
			name string
		}{{byCurator, nameOr(names, cl.CuratorID, r.L)}, {byChannel, r.L.Enum("channel", cl.Channel)}} {
			line := m.into[m.name]
			if line == nil {
				line = &boardLine{Name: m.name}
				m.into[m.name] = line
			}
			if breach {
				line.Breached++
			} else {
				line.AtRisk++
			}
		}
	}
	for _, cl := range breached {
		count(cl, true)
	}
	for _, cl := range atRisk {
		count(cl, false)
	}
	type clockLine struct {
		ID, Curator, Channel, Due, Left string
		Breached                        bool
	}
	var lines []clockLine
	for _, cl := range open {
		lines = append(lines, clockLine{ID: cl.ID, Curator: nameOr(names, cl.CuratorID, r.L), Channel: r.L.Enum("channel", cl.Channel),
			Due: r.L.Time(cl.DueAt), Left: r.L.Duration(cl.DueAt.Sub(now)), Breached: !cl.DueAt.After(now)})
	}
	curators, curatorSort, err := sortedLines(r, "curator", byCurator)
	if err != nil {
		return err
	}
	channels, channelSort, err := sortedLines(r, "channel", byChannel)
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "sla", map[string]any{
		"Breached": len(breached), "AtRisk": len(atRisk), "ByCurator": curators, "ByChannel": channels,
		"CuratorSort": curatorSort, "ChannelSort": channelSort,
		"Clocks": lines, "Next": next, "UpdatedAt": r.L.Time(now), "Window": int(atRiskWindow.Minutes()),
	})
}

// sortedLines orders a table of the board as its parameters (<param>_sort,
// <param>_dir) ask: by default the most breached first, then the most at
// risk.
func sortedLines(r *request, param string, m map[string]*boardLine) ([]boardLine, *sortView, error) {
	out := make([]boardLine, 0, len(m))
	for _, l := range m {
		out = append(out, *l)
	}
	byName := byText(r.L)
	v, err := sortRows(r, out, sortTable[boardLine]{
		param: param,
		cols: []sortColumn[boardLine]{
			{key: "name", compare: func(a, b boardLine) int { return byName(a.Name, b.Name) }},
			{key: "breached", compare: func(a, b boardLine) int {
				return cmp.Or(byNumber(a.Breached, b.Breached), byNumber(a.AtRisk, b.AtRisk))
			}, firstDesc: true},
			{key: "at_risk", compare: func(a, b boardLine) int {
				return cmp.Or(byNumber(a.AtRisk, b.AtRisk), byNumber(a.Breached, b.Breached))
			}, firstDesc: true},
		},
		def: "breached", defDesc: true,
		// Names are the map's keys: unique in the table.
		id: func(l boardLine) string { return l.Name },
	})
	return out, v, err
}

func nameOr(names map[string]string, id string, l *locale) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	if id == "" {
		return l.T("common.unassigned")
	}
	return id
}

// slaExplain shows why a clock is due when it is: the open stretches of
// the school's calendar between its start and its due time.
func (c *Console) slaExplain(r *request) error {
	ex, err := c.d.SLA.Explain(r.ctx, r.org.ID, r.Param("id"))
	if err != nil {
		return err
	}
	type segment struct{ Start, End, Length string }
	var segs []segment
	var total time.Duration
	for _, s := range ex.Segments {
		total += s.End.Sub(s.Start)
		segs = append(segs, segment{Start: r.L.Time(s.Start), End: r.L.Time(s.End), Length: r.L.Duration(s.End.Sub(s.Start))})
	}
	cl := ex.Clock
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, []string{cl.CuratorID})
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "explain", map[string]any{
		"Curator": nameOr(names, cl.CuratorID, r.L), "Channel": r.L.Enum("channel", cl.Channel), "Started": r.L.Time(cl.StartedAt),
		"Due": r.L.Time(cl.DueAt), "Target": r.L.Duration(time.Duration(cl.TargetSeconds) * time.Second),
		"Policy": cl.PolicyVersionNumber, "Segments": segs, "Total": r.L.Duration(total), "AlwaysOpen": cl.AlwaysOpen,
	})
}

// --- refunds -------------------------------------------------------------------

// refundLine is one refund request of a list.
type refundLine struct {
	ID, Curator, Reason, Status, Requested, Approved, Raised string
	RequestedKopecks                                         int64
	Version                                                  int64
	CanApprove, CanExecute                                   bool
}

// refundList is a page of requests in status, newest first.
func (c *Console) refundList(r *request, statuses ...string) ([]refundLine, string, error) {
	var out []refundLine
	next := ""
	before, err := idQuery(r, "before")
	if err != nil {
		return nil, "", err
	}
	for _, status := range statuses {
		rows, names, err := c.d.Refunds.Requests(r.ctx, r.org.ID, refunds.ViewerFrom(r.ctx),
			refunds.RequestFilter{Status: status, Limit: pageSize, BeforeID: before})
		if err != nil {
			return nil, "", err
		}
		if len(rows) > pageSize {
			rows = rows[:pageSize]
			next = rows[len(rows)-1].ID
		}
		for _, q := range rows {
			curator := ""
			if q.CuratorID != nil {
				curator = nameOr(names, *q.CuratorID, r.L)
			}
			out = append(out, refundLine{ID: q.ID, Curator: curator, Reason: r.L.Enum("reason", q.Reason), Status: r.L.Enum("refund_status", q.Status),
				Requested: r.L.Money(q.RequestedAmount), RequestedKopecks: q.RequestedAmount, Approved: r.L.MoneyPtr(q.ApprovedAmount),
				Raised: r.L.Time(q.CreatedAt), Version: q.Version, CanApprove: q.Undecided(), CanExecute: q.Executable()})
		}
	}
	return out, next, nil
}

// refundsToApprove lists the undecided requests with the approve and
// reject forms.
func (c *Console) refundsToApprove(r *request) error {
	rows, next, err := c.refundList(r, refunds.StatusRequested, refunds.StatusInReview)
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "refunds_approve", map[string]any{"Requests": rows, "Next": next})
}

func (c *Console) approveRefund(r *request) error {
	v, err := r.version()
	if err != nil {
		return err
	}
	amount, err := parseRoubles(r.FormValue("amount"))
	if err != nil {
		return err
	}
	if _, err := c.d.Refunds.Approve(r.ctx, r.org.ID, r.Param("id"), v, refunds.ApproveInput{Amount: amount, Note: r.FormValue("note")}); err != nil {
		return err
	}
	return r.back("/refunds/approve")
}

func (c *Console) rejectRefund(r *request) error {
	v, err := r.version()
	if err != nil {
		return err
	}
	if _, err := c.d.Refunds.Reject(r.ctx, r.org.ID, r.Param("id"), v, r.FormValue("note")); err != nil {
		return err
	}
	return r.back("/refunds/approve")
}
