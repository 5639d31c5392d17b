package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/curatorops/curatorops/modules/pay"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// payViewer is who reads statements, asked of the policy exactly as the
// API's pay operations ask it: everyone's with pay_statements:read_all,
// else only one's own.
func payViewer(r *request) pay.Viewer {
	return pay.Viewer{UserID: r.principal.UserID, SeesAll: r.allowed("pay_statements", "read_all")}
}

// payPageGranted reports whether the caller's roles open the console page
// named name: a step's button is shown only to those whose permission
// allows the form it sends, read from the same declaration that guards
// the form.
func (r *request) payPageGranted(name string) bool {
	for _, p := range r.c.pages {
		if p.name == name {
			return r.grants(p)
		}
	}
	return false
}

// payPeriodID is the period of the address, an id or a page that does not
// exist.
func payPeriodID(r *request) (string, error) { return idParam(r) }

// --- the periods list ------------------------------------------------------------

type payPeriodRow struct {
	ID, Month, Status, Calculated, Total string
	Calculation, Statements, Disputes    int
}

// payPeriods lists the school's pay periods, latest month first, each with
// its latest calculation's totals and open disputes, as list-pay-periods
// and get-pay-period answer; the head gets the form to open a month.
func (c *Console) payPeriods(r *request) error {
	periods, err := c.d.Pay.Periods(r.ctx, r.org.ID)
	if err != nil {
		return err
	}
	rows := make([]payPeriodRow, 0, len(periods))
	for _, p := range periods {
		d, err := c.d.Pay.PeriodOf(r.ctx, r.org.ID, p.ID)
		if err != nil {
			return err
		}
		row := payPeriodRow{ID: p.ID, Month: payMonth(r.L, p.Month), Status: r.L.Enum("pay_status", p.Status), Calculation: p.Calculation,
			Calculated: r.L.TimePtr(p.CalculatedAt), Total: "—", Statements: d.Statements, Disputes: d.OpenDisputes}
		if p.Calculation > 0 {
			row.Total = r.L.Money(d.Total)
		}
		rows = append(rows, row)
	}
	return r.render(http.StatusOK, "pay_periods", map[string]any{"Periods": rows, "CanOpen": r.payPageGranted("open-pay-period"),
		"Suggest": c.d.Pay.Now().In(r.L.zone).Format("2006-01")})
}

// openPayPeriod opens a month, as create-pay-period does.
func (c *Console) openPayPeriod(r *request) error {
	month := strings.TrimSpace(r.FormValue("month"))
	if len(month) != 7 {
		return badInput("month")
	}
	p, err := c.d.Pay.OpenPeriod(r.ctx, r.org.ID, month)
	if err != nil {
		return err
	}
	return r.back("/pay/periods/" + p.ID)
}

// --- one period ------------------------------------------------------------------

type payStep struct {
	Name, Label string
	NeedReason  bool
}

type payTransitionRow struct {
	At, Action, From, To, Actor, Reason string
	Calculation                         int
}

type payStatementRow struct {
	UserID, Name, Total, Href string
	Lines                     int
}

type payDisputeRow struct {
	ID, Person, Line, Comment, Status, Raised, Resolution string
	Version                                               int64
	Open                                                  bool
}

type payExportRow struct {
	Format, Checksum, Total, Created, By, Href string
	Lines                                      int
	Bytes                                      int64
}

type payChangeRow struct {
	Name, Before, After, Difference string
	Lines                           []payLineChangeRow
}

type payLineChangeRow struct{ Title, Before, After, Difference string }

// payPeriod shows a period as get-pay-period does — status, history, the
// steps the status allows to whoever may take them — with its statements
// (list-pay-statements), the difference from the previous calculation
// (get-pay-period-difference), its disputes (list-pay-disputes) and its
// exports.
func (c *Console) payPeriod(r *request) error {
	id, err := payPeriodID(r)
	if err != nil {
		return err
	}
	d, err := c.d.Pay.PeriodOf(r.ctx, r.org.ID, id)
	if err != nil {
		return err
	}
	p := d.Period
	_, views, err := c.d.Pay.Statements(r.ctx, r.org.ID, id, payViewer(r))
	if err != nil {
		return err
	}
	_, changes, err := c.d.Pay.Difference(r.ctx, r.org.ID, id)
	if err != nil {
		return err
	}
	disputes, err := c.d.Pay.Disputes(r.ctx, r.org.ID, id, payViewer(r))
	if err != nil {
		return err
	}
	people := []string{}
	for _, t := range d.Transitions {
		if t.ActorID != nil {
			people = append(people, *t.ActorID)
		}
	}
	for _, e := range d.Exports {
		if e.CreatedBy != nil {
			people = append(people, *e.CreatedBy)
		}
	}
	for _, dp := range disputes {
		people = append(people, dp.UserID)
	}
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, people)
	if err != nil {
		return err
	}

	var steps []payStep
	if p.Calculable() && r.payPageGranted("calculate-pay-period") {
		steps = append(steps, payStep{Name: "calculate", Label: r.L.T("pay_action.calculate")})
	}
	for _, a := range pay.Actions {
		if slices.Contains(a.From, p.Status) && r.payPageGranted(a.Name+"-pay-period") {
			steps = append(steps, payStep{Name: a.Name, Label: r.L.T("pay_action." + a.Name), NeedReason: a.NeedReason})
		}
	}
	history := make([]payTransitionRow, len(d.Transitions))
	for i, t := range d.Transitions {
		actor := "—"
		if t.ActorID != nil {
			actor = nameOr(names, *t.ActorID, r.L)
		}
		history[i] = payTransitionRow{At: r.L.Time(t.CreatedAt), Action: r.L.Enum("pay_action", t.Action), From: r.L.Enum("pay_status", t.FromStatus),
			To: r.L.Enum("pay_status", t.ToStatus), Actor: actor, Reason: t.Reason, Calculation: t.Calculation}
	}
	lineTitles := map[string]string{}
	for _, v := range views {
		for _, l := range v.Lines {
			lineTitles[l.ID] = l.Title
		}
	}
	// The statements are sorted over the whole calculation, then paged.
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	byName := byText(r.L)
	sorted, err := sortRows(r, views, sortTable[pay.StatementView]{
		cols: []sortColumn[pay.StatementView]{
			{key: "person", compare: func(a, b pay.StatementView) int {
				return byName(nameOr(map[string]string{a.Statement.UserID: a.Name}, a.Statement.UserID, r.L),
					nameOr(map[string]string{b.Statement.UserID: b.Name}, b.Statement.UserID, r.L))
			}},
			{key: "lines", compare: func(a, b pay.StatementView) int { return byNumber(len(a.Lines), len(b.Lines)) }, firstDesc: true},
			{key: "total", compare: func(a, b pay.StatementView) int { return byNumber(a.Statement.Total, b.Statement.Total) }, firstDesc: true},
		},
		id: func(v pay.StatementView) string { return v.Statement.UserID },
	})
	if err != nil {
		return err
	}
	views, next := pageAfter(views, after, func(v pay.StatementView) string { return v.Statement.UserID })
	if next != "" {
		next = sorted.Next(httpapi.EncodeCursor(next))
	}
	statements := make([]payStatementRow, len(views))
	for i, v := range views {
		statements[i] = payStatementRow{UserID: v.Statement.UserID, Name: nameOr(map[string]string{v.Statement.UserID: v.Name}, v.Statement.UserID, r.L),
			Total: r.L.Money(v.Statement.Total), Lines: len(v.Lines), Href: r.orgPath("/pay/periods/" + id + "/statements/" + v.Statement.UserID)}
	}
	disputeRows := make([]payDisputeRow, len(disputes))
	for i, dp := range disputes {
		line, ok := lineTitles[dp.LineID]
		if !ok {
			// A line of an earlier calculation: the period was
			// recalculated after the dispute was raised.
			line = r.L.T("pay.earlier_line", dp.LineID)
		}
		disputeRows[i] = payDisputeRow{ID: dp.ID, Person: nameOr(names, dp.UserID, r.L), Line: line, Comment: dp.Comment,
			Status: r.L.Enum("pay_dispute", dp.Status), Raised: r.L.Time(dp.CreatedAt), Resolution: dp.Resolution, Version: dp.Version,
			Open: dp.Status == pay.DisputeOpen}
	}
	canDownload := r.payPageGranted("download-pay-export")
	exports := make([]payExportRow, len(d.Exports))
	for i, e := range d.Exports {
		by := "—"
		if e.CreatedBy != nil {
			by = nameOr(names, *e.CreatedBy, r.L)
		}
		exports[i] = payExportRow{Format: r.L.Enum("pay_format", e.Format), Checksum: e.Checksum, Total: r.L.Money(e.Total),
			Created: r.L.Time(e.CreatedAt), By: by, Lines: e.Lines, Bytes: e.Bytes}
		// Only the latest calculation's file can be written again: an
		// export of an earlier one is listed for the record.
		if canDownload && e.Calculation == p.Calculation {
			exports[i].Href = r.orgPath("/pay/periods/" + id + "/exports/" + url.PathEscape(e.Format))
		}
	}
	changeRows := make([]payChangeRow, len(changes))
	for i, ch := range changes {
		row := payChangeRow{Name: nameOr(map[string]string{ch.UserID: ch.Name}, ch.UserID, r.L), Before: r.L.Money(ch.Before),
			After: r.L.Money(ch.After), Difference: payDelta(r.L, ch.After-ch.Before)}
		for _, l := range ch.Lines {
			row.Lines = append(row.Lines, payLineChangeRow{Title: l.Title, Before: r.L.MoneyPtr(l.Before), After: r.L.MoneyPtr(l.After),
				Difference: payDelta(r.L, l.Difference)})
		}
		changeRows[i] = row
	}
	formats := []string{}
	if p.Locked() && r.payPageGranted("export-pay-period") {
		formats = pay.Formats
	}
	total := "—"
	if p.Calculation > 0 {
		total = r.L.Money(d.Total)
	}
	return r.render(http.StatusOK, "pay_period", map[string]any{
		"ID": id, "Month": payMonth(r.L, p.Month), "MonthKey": p.Month, "Status": r.L.Enum("pay_status", p.Status), "StatusKey": p.Status,
		"Version": p.Version, "Calculation": p.Calculation, "Calculated": r.L.TimePtr(p.CalculatedAt), "Total": total,
		"StatementCount": d.Statements, "OpenDisputes": d.OpenDisputes, "Steps": steps, "History": history, "Statements": statements,
		"Sort": sorted, "NextStatements": next,
		"Changes": changeRows, "Disputes": disputeRows, "CanResolve": r.payPageGranted("resolve-pay-dispute"), "Exports": exports,
		"Formats": formats, "Done": r.QueryParam("done"),
	})
}

// payDelta is a change of money with its sign.
func payDelta(l *locale, kopecks int64) string {
	switch {
	case kopecks > 0:
		return "+" + l.Money(kopecks)
	case kopecks < 0:
		return "−" + l.Money(-kopecks)
	}
	return l.Money(0)
}

// payStep takes one step of a period's life with the form's version as
// If-Match: calculate-pay-period, or the action's operation.
func (c *Console) payStep(action string) func(*request) error {
	return func(r *request) error {
		id, err := payPeriodID(r)
		if err != nil {
			return err
		}
		v, err := r.version()
		if err != nil {
			return err
		}
		done := "/pay/periods/" + id + "?done=" + url.QueryEscape(action)
		if action == "calculate" {
			// A calculation reads the month's facts of every person: a
			// background job, its page showing the people calculated.
			orgID := r.org.ID
			return c.startJob(r, "calculate", "/pay/periods/"+id, func(ctx context.Context) (string, error) {
				_, err := c.d.Pay.Calculate(ctx, orgID, id, v)
				return done, err
			})
		}
		if _, err = c.d.Pay.Transition(r.ctx, r.org.ID, id, action, r.FormValue("reason"), v); err != nil {
			return err
		}
		return r.back(done)
	}
}

// exportPayPeriod records an export of a locked period, as
// create-pay-export does; the period page then links its file.
func (c *Console) exportPayPeriod(r *request) error {
	id, err := payPeriodID(r)
	if err != nil {
		return err
	}
	format := r.FormValue("format")
	if !slices.Contains(pay.Formats, format) {
		return badInput("format")
	}
	// Writing the file to hash it reads every line: a background job, its
	// page showing the statements written.
	orgID := r.org.ID
	return c.startJob(r, "export", "/pay/periods/"+id, func(ctx context.Context) (string, error) {
		_, _, err := c.d.Pay.RecordExport(ctx, orgID, id, format)
		return "/pay/periods/" + id + "?done=export", err
	})
}

// downloadPayExport streams the file of a recorded export, as
// download-pay-export does: written straight to the answer, so memory does
// not grow with the period, with the record's checksum.
func (c *Console) downloadPayExport(r *request) error {
	id, err := payPeriodID(r)
	if err != nil {
		return err
	}
	format := r.Param("format")
	if !slices.Contains(pay.Formats, format) {
		return errPageNotFound
	}
	p, e, err := c.d.Pay.ExportHead(r.ctx, r.org.ID, id, format)
	if err != nil {
		return err
	}
	file := pay.FileOf(p.Month, format)
	h := r.Response().Header()
	h.Set("Content-Type", file.ContentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", file.Name))
	h.Set("X-Checksum-Sha256", e.Checksum)
	r.Response().WriteHeader(http.StatusOK)
	if _, err := c.d.Pay.WriteExport(r.ctx, r.org.ID, id, format, r.Response()); err != nil {
		// The answer has begun: the error cannot become a page. A cut
		// file no longer matches the checksum header, which shows it.
		c.d.Logger.Error("pay export cut short", "period", id, "format", format, "error", err)
	}
	return nil
}

// --- disputes --------------------------------------------------------------------

// resolvePayDispute answers a dispute, as resolve-pay-dispute does with
// the form's version as If-Match.
func (c *Console) resolvePayDispute(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	period := r.FormValue("period")
	if !ids.Valid(period) {
		return badInput("period")
	}
	v, err := r.version()
	if err != nil {
		return err
	}
	if _, err := c.d.Pay.ResolveDispute(r.ctx, r.org.ID, id, r.FormValue("resolution"), v); err != nil {
		return err
	}
	return r.back("/pay/periods/" + period + "?done=resolve")
}

// disputePayLine lets a person dispute a line of her own statement while
// the period is in review, as create-pay-dispute does.
func (c *Console) disputePayLine(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if _, err := c.d.Pay.Dispute(r.ctx, r.org.ID, id, r.principal.UserID, r.FormValue("comment")); err != nil {
		return err
	}
	return r.back("/pay/mine?done=dispute")
}

// --- statements ------------------------------------------------------------------

type payLineRow struct {
	ID, Title, Kind, Stretch, Quantity, Rate, Value, Of, Sample, Tier, Next, Amount, Exact, Detail, Sources string
	BelowMin, Disputed                                                                                      bool
}

// payStatement shows one person's statement of a period, as
// get-pay-statement does: another person's is not found for a reader of
// her own only.
func (c *Console) payStatement(r *request) error {
	id, err := payPeriodID(r)
	if err != nil {
		return err
	}
	user := r.Param("user")
	if !ids.Valid(user) {
		return errPageNotFound
	}
	return c.renderStatement(r, id, user)
}

// myPay is a person's own statement in the latest calculated period, with
// the dispute form on her lines while the period is in review.
func (c *Console) myPay(r *request) error {
	periods, err := c.d.Pay.Periods(r.ctx, r.org.ID)
	if err != nil {
		return err
	}
	for _, p := range periods {
		if p.Calculation > 0 {
			err := c.renderStatement(r, p.ID, r.principal.UserID)
			if !errors.Is(err, errs.ErrNotFound) {
				return err
			}
			break
		}
	}
	// No calculated period pays her yet: an empty page, not an error.
	return r.render(http.StatusOK, "pay_statement", map[string]any{"None": true})
}

func (c *Console) renderStatement(r *request, periodID, userID string) error {
	v, err := c.d.Pay.StatementOf(r.ctx, r.org.ID, periodID, userID, payViewer(r))
	if err != nil {
		return err
	}
	p := v.Period
	disputed := map[string]bool{}
	mine := userID == r.principal.UserID
	canDispute := mine && p.Status == pay.StatusInReview && v.Statement.Calculation == p.Calculation && r.allowed("pay_statements", "dispute")
	if mine {
		ds, err := c.d.Pay.Disputes(r.ctx, r.org.ID, periodID, pay.Viewer{UserID: userID})
		if err != nil {
			return err
		}
		for _, dp := range ds {
			if dp.Status == pay.DisputeOpen {
				disputed[dp.LineID] = true
			}
		}
	}
	back := "?period=" + periodID + "&user=" + userID
	lines := make([]payLineRow, len(v.Lines))
	for i, l := range v.Lines {
		lines[i] = payLine(r.L, l)
		lines[i].Sources = r.orgPath("/pay/lines/"+l.ID+"/sources") + back
		lines[i].Disputed = disputed[l.ID]
	}
	return r.render(http.StatusOK, "pay_statement", map[string]any{
		"Name": nameOr(map[string]string{userID: v.Name}, userID, r.L), "UserID": userID, "Month": payMonth(r.L, p.Month),
		"Status": r.L.Enum("pay_status", p.Status), "Calculation": v.Statement.Calculation, "Total": r.L.Money(v.Statement.Total),
		"Lines": lines, "CanDispute": canDispute, "Done": r.QueryParam("done"), "PeriodHref": periodHref(r, periodID),
	})
}

// periodHref links the period page for those whose roles open it.
func periodHref(r *request, periodID string) string {
	if r.payPageGranted("pay-period") {
		return r.orgPath("/pay/periods/" + periodID)
	}
	return ""
}

// payLine lays out a statement line with what it was computed from: the
// quantity and rate of a piece line, the base and percent of a
// commission, the value of a KPI with its numerator, denominator and
// sample, the tier reached and the next.
func payLine(l *locale, line pay.StatementLine) payLineRow {
	row := payLineRow{ID: line.ID, Title: line.Title, Kind: l.Enum("pay_kind", line.Kind), Quantity: "—", Rate: "—", Value: "—",
		Sample: "—", Tier: "—", Next: "—", Amount: l.Money(line.Amount), Detail: line.Detail, BelowMin: line.BelowMin}
	// The exact amount is shown when rounding moved it: otherwise the
	// amount is exact.
	if r, err := strconv.ParseFloat(line.Rounding, 64); err == nil && r != 0 {
		row.Exact = payDecimal(l, line.Exact, 6)
	}
	if line.StretchFrom != "" {
		row.Stretch = line.StretchFrom + " — " + line.StretchTo
	}
	if line.CorrectionOf != nil {
		row.Stretch = l.T("pay.correction_of", payMonth(l, *line.CorrectionOf))
	}
	switch line.Kind {
	case pay.KindPiece:
		row.Quantity = l.Int(int(line.Quantity))
		if k, err := strconv.ParseFloat(line.Rate, 64); err == nil && line.Rate != "" {
			row.Rate = l.Money(int64(k))
		}
	case pay.KindCommission:
		row.Quantity = l.Money(line.Base)
		if line.Rate != "" {
			row.Rate = payDecimal(l, line.Rate, 2) + "\u00a0%"
		}
	case pay.KindKPI:
		if line.Value != "" {
			row.Value = payDecimal(l, line.Value, 2)
			row.Of = payDecimal(l, line.Numerator, 2) + " / " + payDecimal(l, line.Denominator, 2)
		}
		row.Sample = l.Int(line.Sample)
		if line.Tier > 0 {
			row.Tier = strconv.Itoa(line.Tier)
		}
		if line.NextTier > 0 {
			row.Next = l.T("pay.next_tier", line.NextTier, line.NextNeeds)
		}
	}
	return row
}

// payMonth names a pay period's month ("2026-11") in full: "ноябрь 2026",
// "November 2026".
func payMonth(l *locale, key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return key
	}
	if l.Lang == "ru" {
		return ruFullMonths[t.Month()-1] + " " + t.Format("2006")
	}
	return t.Format("January 2006")
}

var ruFullMonths = []string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"}

// payDecimal shows an exact decimal of the pay module (a string such as
// "66.666667") in the locale, with at most digits decimals; an empty one
// is a dash.
func payDecimal(l *locale, s string, digits int) string {
	if s == "" {
		return "—"
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	frac := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		frac = min(len(s)-i-1, digits)
	}
	return l.Dec(v, frac)
}

// --- a line's sources --------------------------------------------------------------

type paySourceRow struct{ Kind, ID, Counted, Weight string }

// paySourceKinds are the kinds a source row may have: a cursor naming any
// other is refused before it reaches a query.
var paySourceKinds = []string{pay.SourceReview, pay.SourceClock, pay.SourceAnswer, pay.SourceCheck, pay.SourceCase, pay.SourceEnrollment,
	pay.SourceOrder}

// payLineSources pages the rows a line was calculated from, as
// list-pay-line-sources does: another person's line is not found for a
// reader of her own only.
func (c *Console) payLineSources(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	after, err := httpapi.AfterKey(r.QueryParam("cursor"))
	if err != nil {
		return badInput("cursor")
	}
	if after != "" {
		kind, sid, ok := strings.Cut(after, ":")
		if !ok || !slices.Contains(paySourceKinds, kind) || !ids.Valid(sid) {
			return badInput("cursor")
		}
	}
	line, rows, err := c.d.Pay.LineSources(r.ctx, r.org.ID, id, payViewer(r), after, pageSize+1)
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last pay.Source) string { return httpapi.EncodeCursor(last.Kind + ":" + last.SourceID) })
	out := make([]paySourceRow, len(rows))
	for i, s := range rows {
		out[i] = paySourceRow{Kind: r.L.Enum("pay_source", s.Kind), ID: s.SourceID, Counted: payDecimal(r.L, s.Counted, 6),
			Weight: payDecimal(r.L, s.Weight, 6)}
	}
	// The statement the line belongs to, when the link named it.
	back, period, user := "", r.QueryParam("period"), r.QueryParam("user")
	if ids.Valid(period) && ids.Valid(user) {
		back = r.orgPath("/pay/periods/" + period + "/statements/" + user)
	} else {
		period, user = "", ""
	}
	return r.render(http.StatusOK, "pay_sources", map[string]any{"Line": payLine(r.L, *line), "Sources": out, "Next": next, "Back": back,
		"Period": period, "User": user})
}
