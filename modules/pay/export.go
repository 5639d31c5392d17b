package pay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/text/encoding/charmap"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/csvexport"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/progress"
	"github.com/curatorops/curatorops/modules/platform/xlsxstream"
)

// Export formats.
const (
	FormatCSV     = "csv"       // every line, UTF-8, comma, amounts in kopecks and roubles
	FormatXLSX    = "xlsx"      // a summary sheet, a lines sheet and a control totals sheet
	Format1C      = "1c"        // one row per person for 1C import: semicolon, decimal comma, UTF-8
	Format1C1251  = "1c-cp1251" // the same in Windows-1251
	entityExport  = "pay_export"
	exportBatch   = 20 // statements whose lines are held in memory at once (2,000 lines at 100 a statement)
	exportSheetID = "Lines"
)

// Formats lists the export formats.
var Formats = []string{FormatCSV, FormatXLSX, Format1C, Format1C1251}

// ExportFile describes a file of a locked period's latest calculation.
type ExportFile struct {
	Name, ContentType string
}

// FileOf names a format's file.
func FileOf(month, format string) ExportFile {
	switch format {
	case FormatXLSX:
		return ExportFile{Name: "pay-" + month + ".xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	case Format1C:
		return ExportFile{Name: "pay-" + month + "-1c.csv", ContentType: "text/csv; charset=utf-8"}
	case Format1C1251:
		return ExportFile{Name: "pay-" + month + "-1c.csv", ContentType: "text/csv; charset=windows-1251"}
	}
	return ExportFile{Name: "pay-" + month + ".csv", ContentType: "text/csv; charset=utf-8"}
}

func checkFormat(format string) error {
	if !contains(Formats, format) {
		return errs.Invalid("body.format", "must be one of "+strings.Join(Formats, ", "))
	}
	return nil
}

// RecordExport exports a locked period's latest calculation in a format
// and records the export with its checksum; the first export of a locked
// period marks it exported. The file depends only on the stored lines, so
// exporting again gives the same file: the existing record is returned
// (created false) and nothing else changes.
func (s *Service) RecordExport(ctx context.Context, orgID, periodID, format string) (*Export, bool, error) {
	if err := checkFormat(format); err != nil {
		return nil, false, err
	}
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return nil, false, err
	}
	if !p.Locked() {
		return nil, false, errs.Conflict("the period is %s; only a locked period is exported", p.Status)
	}
	h := sha256.New()
	counter := &countingWriter{w: h}
	sum, err := s.writeExport(ctx, p, format, counter)
	if err != nil {
		return nil, false, err
	}
	e := &Export{ID: ids.New(), OrgID: orgID, PeriodID: p.ID, Calculation: p.Calculation, Format: format,
		Checksum: hex.EncodeToString(h.Sum(nil)), Bytes: counter.n, Lines: sum.lines, Total: sum.total, CreatedBy: actor(ctx), CreatedAt: s.Now()}
	created := true
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		locked, err := s.store.Period(ctx, tx, orgID, periodID, true)
		if err != nil {
			return err
		}
		if locked.Calculation != p.Calculation || !locked.Locked() {
			return errs.Conflict("the period changed while it was exported; export again")
		}
		if had, err := s.store.ExportOf(ctx, tx, p.ID, p.Calculation, format); err == nil {
			e, created = had, false
			return nil
		} else if !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, orgID, entityExport, e.ID, auditlog.Diff(nil, e)); err != nil {
			return err
		}
		return s.markExported(ctx, tx, locked)
	})
	return e, created, err
}

func (s *Service) markExported(ctx context.Context, tx bun.IDB, p *Period) error {
	if p.Status != StatusLocked {
		return nil
	}
	before := *p
	after := *p
	after.Status = StatusExported
	after.Bump(s.Now())
	if ok, err := database.UpdateVersion(ctx, tx, &after, before.Version, "status", "updated_at", "version"); err != nil {
		return err
	} else if !ok {
		return errs.Conflict("the period changed while it was exported; export again")
	}
	if err := s.recordTransition(ctx, tx, &before, &after, "export", ""); err != nil {
		return err
	}
	return s.Record(ctx, tx, p.OrgID, entityPeriod, p.ID, auditlog.Diff(&before, &after))
}

// WriteExport writes the file of a recorded export. It refuses a format
// that was not exported (record it first), so every file handed out is
// one the log knows.
func (s *Service) WriteExport(ctx context.Context, orgID, periodID, format string, w io.Writer) (*Period, error) {
	if !contains(Formats, format) {
		return nil, errs.NotFound("pay export")
	}
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.ExportOf(ctx, s.DB, p.ID, p.Calculation, format); err != nil {
		return nil, err
	}
	_, err = s.writeExport(ctx, p, format, w)
	return p, err
}

// ExportHead is what a recorded export's file answers with before its body.
func (s *Service) ExportHead(ctx context.Context, orgID, periodID, format string) (*Period, *Export, error) {
	if !contains(Formats, format) {
		return nil, nil, errs.NotFound("pay export")
	}
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.store.ExportOf(ctx, s.DB, p.ID, p.Calculation, format)
	return p, e, err
}

type exportSum struct {
	lines int
	total int64
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// writeExport streams the file: lines are read a batch at a time and
// written as they come, so memory does not grow with the period's size.
func (s *Service) writeExport(ctx context.Context, p *Period, format string, w io.Writer) (exportSum, error) {
	sts, err := s.store.Statements(ctx, s.DB, p.OrgID, p.ID, p.Calculation, "")
	if err != nil {
		return exportSum{}, err
	}
	users := make([]string, len(sts))
	for i, st := range sts {
		users[i] = st.UserID
	}
	names, err := s.people.Names(ctx, p.OrgID, users)
	if err != nil {
		return exportSum{}, err
	}
	x := exporter{s: s, p: p, statements: sts, names: names}
	switch format {
	case FormatXLSX:
		return x.xlsx(ctx, w)
	case Format1C:
		return x.oneC(w)
	case Format1C1251:
		enc := charmap.Windows1251.NewEncoder()
		return x.oneC(enc.Writer(w))
	}
	return x.csv(ctx, w)
}

type exporter struct {
	s          *Service
	p          *Period
	statements []Statement
	names      map[string]string
}

var lineHeader = []string{"month", "user_id", "name", "position", "line_key", "kind", "component", "title", "stretch_from", "stretch_to",
	"quantity", "rate", "base_kopecks", "metric", "value", "numerator", "denominator", "sample", "tier", "share", "exact_kopecks",
	"amount_kopecks", "amount_rub", "rounding_kopecks", "correction_of"}

func (x exporter) lineCells(st Statement, l StatementLine) []string {
	corr := ""
	if l.CorrectionOf != nil {
		corr = *l.CorrectionOf
	}
	return []string{x.p.Month, st.UserID, x.names[st.UserID], fmt.Sprint(l.Position), l.Key, l.Kind, l.Component, l.Title, l.StretchFrom,
		l.StretchTo, fmt.Sprint(l.Quantity), l.Rate, fmt.Sprint(l.Base), l.Metric, l.Value, l.Numerator, l.Denominator, fmt.Sprint(l.Sample),
		fmt.Sprint(l.Tier), l.Share, l.Exact, fmt.Sprint(l.Amount), rubles(l.Amount, "."), l.Rounding, corr}
}

// eachLine passes every line of the calculation, statement by statement,
// reading a batch of statements at a time.
func (x exporter) eachLine(ctx context.Context, fn func(Statement, StatementLine) error) (exportSum, error) {
	var sum exportSum
	for i := 0; i < len(x.statements); i += exportBatch {
		batch := x.statements[i:min(i+exportBatch, len(x.statements))]
		ids := make([]string, len(batch))
		byID := map[string]Statement{}
		for j, st := range batch {
			ids[j] = st.ID
			byID[st.ID] = st
		}
		lines, err := x.s.store.Lines(ctx, x.s.DB, x.p.OrgID, ids)
		if err != nil {
			return sum, err
		}
		for _, l := range lines {
			if err := fn(byID[l.StatementID], l); err != nil {
				return sum, err
			}
			sum.lines++
			sum.total += l.Amount
		}
		progress.Report(ctx, i+len(batch), len(x.statements))
	}
	return sum, nil
}

func (x exporter) csv(ctx context.Context, w io.Writer) (exportSum, error) {
	cw := csvexport.NewWriter(w, ',')
	if err := cw.Write(lineHeader...); err != nil {
		return exportSum{}, err
	}
	sum, err := x.eachLine(ctx, func(st Statement, l StatementLine) error { return cw.Write(x.lineCells(st, l)...) })
	if err != nil {
		return sum, err
	}
	return sum, cw.Flush()
}

// oneC is one row per person for 1C's import of accruals: the month's
// last day, the person's id and name and the total in roubles with a
// decimal comma, separated by semicolons.
func (x exporter) oneC(w io.Writer) (exportSum, error) {
	cw := csvexport.NewWriter(w, ';')
	if err := cw.Write("Период", "ИдСотрудника", "Сотрудник", "Начислено"); err != nil {
		return exportSum{}, err
	}
	first, _ := time.Parse("2006-01", x.p.Month)
	last := first.AddDate(0, 1, -1).Format("02.01.2006")
	var sum exportSum
	for _, st := range x.statements {
		if err := cw.Write(last, st.UserID, x.names[st.UserID], rubles(st.Total, ",")); err != nil {
			return sum, err
		}
		sum.lines++
		sum.total += st.Total
	}
	return sum, cw.Flush()
}

// rubles writes kopecks as roubles with two decimals.
func rubles(kopecks int64, point string) string {
	sign := ""
	if kopecks < 0 {
		sign, kopecks = "-", -kopecks
	}
	return fmt.Sprintf("%s%d%s%02d", sign, kopecks/100, point, kopecks%100)
}

// xlsx writes a summary sheet (a row per person), a lines sheet and a
// control totals sheet that lets finance check the file adds up, straight
// to w (see xlsxstream for why not excelize). The document's properties
// carry the period's calculation time, not the time of export, so the
// same calculation always gives the same file.
func (x exporter) xlsx(ctx context.Context, w io.Writer) (exportSum, error) {
	stamp := x.p.UpdatedAt
	if x.p.CalculatedAt != nil {
		stamp = *x.p.CalculatedAt
	}
	book, err := xlsxstream.New(w, xlsxstream.Props{Created: stamp, Creator: "curatorops", Title: "Pay " + x.p.Month},
		"Summary", exportSheetID, "Control")
	if err != nil {
		return exportSum{}, err
	}
	if err := x.summarySheet(book); err != nil {
		return exportSum{}, err
	}
	sheet, err := book.Sheet()
	if err != nil {
		return exportSum{}, err
	}
	if err := sheet.Row(anyCells(lineHeader)...); err != nil {
		return exportSum{}, err
	}
	byKind := map[string]int64{}
	sum, err := x.eachLine(ctx, func(st Statement, l StatementLine) error {
		byKind[l.Kind] += l.Amount
		cells := anyCells(x.lineCells(st, l))
		cells[21] = l.Amount // amount_kopecks as a number, so the sheet can add it
		return sheet.Row(cells...)
	})
	if err != nil {
		return sum, err
	}
	if err := x.controlSheet(book, sum, byKind); err != nil {
		return sum, err
	}
	return sum, book.Close()
}

func anyCells(cells []string) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = csvexport.Neutralise(c)
	}
	return out
}

// summarySheet has a row per person.
func (x exporter) summarySheet(book *xlsxstream.Workbook) error {
	sheet, err := book.Sheet()
	if err != nil {
		return err
	}
	if err := sheet.Row("month", "user_id", "name", "total_kopecks", "total_rub"); err != nil {
		return err
	}
	for _, st := range x.statements {
		if err := sheet.Row(x.p.Month, st.UserID, csvexport.Neutralise(x.names[st.UserID]), st.Total, rubles(st.Total, ".")); err != nil {
			return err
		}
	}
	return nil
}

// controlSheet holds the totals to check the file against: statements,
// lines, the sum of the lines, the sum of the statements (equal to it) and
// the sum per kind of line.
func (x exporter) controlSheet(book *xlsxstream.Workbook, sum exportSum, byKind map[string]int64) error {
	sheet, err := book.Sheet()
	if err != nil {
		return err
	}
	var statements int64
	for _, st := range x.statements {
		statements += st.Total
	}
	rows := [][]any{{"check", "value"}, {"month", x.p.Month}, {"calculation", x.p.Calculation}, {"statements", len(x.statements)},
		{"lines", sum.lines}, {"sum_of_lines_kopecks", sum.total}, {"sum_of_statements_kopecks", statements}}
	for _, k := range sortedKeys(byKind) {
		rows = append(rows, []any{"sum_of_" + k + "_kopecks", byKind[k]})
	}
	for _, r := range rows {
		if err := sheet.Row(r...); err != nil {
			return err
		}
	}
	return nil
}
