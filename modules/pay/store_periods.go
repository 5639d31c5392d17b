package pay

import (
	"context"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Periods lists the school's periods, latest month first.
func (Store) Periods(ctx context.Context, db bun.IDB, orgID string) ([]Period, error) {
	var out []Period
	err := db.NewSelect().Model(&out).Where("org_id = ?", orgID).Order("month DESC").Limit(1000).Scan(ctx)
	return out, err
}

// Period reads one period, locked on PostgreSQL when forUpdate.
func (Store) Period(ctx context.Context, db bun.IDB, orgID, id string, forUpdate bool) (*Period, error) {
	return rowOf[Period](ctx, db, orgID, id, forUpdate, "pay period")
}

// PeriodByMonth reads the school's period of a month.
func (Store) PeriodByMonth(ctx context.Context, db bun.IDB, orgID, month string) (*Period, error) {
	p := new(Period)
	err := db.NewSelect().Model(p).Where("org_id = ? AND month = ?", orgID, month).Scan(ctx)
	return p, notFound(err, "pay period")
}

// Transitions lists a period's history, oldest first.
func (Store) Transitions(ctx context.Context, db bun.IDB, orgID, periodID string) ([]Transition, error) {
	var out []Transition
	err := db.NewSelect().Model(&out).Where("org_id = ? AND period_id = ?", orgID, periodID).Order("created_at", "id").Scan(ctx)
	return out, err
}

// Totals counts a calculation's statements and adds them up.
func (Store) Totals(ctx context.Context, db bun.IDB, periodID string, calculation int) (n int, total int64, err error) {
	err = db.NewSelect().Model((*Statement)(nil)).ColumnExpr("COUNT(*), COALESCE(SUM(total), 0)").
		Where("period_id = ? AND calculation = ?", periodID, calculation).Scan(ctx, &n, &total)
	return n, total, err
}

// OpenDisputes counts a period's unresolved disputes.
func (Store) OpenDisputes(ctx context.Context, db bun.IDB, periodID string) (int, error) {
	n, err := db.NewSelect().Model((*Dispute)(nil)).Where("period_id = ? AND status = ?", periodID, DisputeOpen).Count(ctx)
	return int(n), err
}

// Exports lists a period's recorded exports, oldest first.
func (Store) Exports(ctx context.Context, db bun.IDB, periodID string) ([]Export, error) {
	var out []Export
	err := db.NewSelect().Model(&out).Where("period_id = ?", periodID).Order("created_at", "id").Scan(ctx)
	return out, err
}

// SaveCalculation writes a calculation's statements, lines and sources.
func (Store) SaveCalculation(ctx context.Context, db bun.IDB, p *Period, drafts []draft, now time.Time) error {
	var statements []Statement
	var lines []StatementLine
	var groups []sourceGroup
	for _, d := range drafts {
		st := Statement{ID: ids.New(), OrgID: p.OrgID, PeriodID: p.ID, Calculation: p.Calculation, UserID: d.UserID, Total: d.Total, CreatedAt: now}
		statements = append(statements, st)
		for i, l := range d.Lines {
			row := storedLine(p.OrgID, st.ID, i+1, l)
			lines = append(lines, row)
			groups = append(groups, groupSources(p.OrgID, row.ID, l.Sources)...)
		}
	}
	if len(statements) > 0 {
		if _, err := db.NewInsert().Model(&statements).Exec(ctx); err != nil {
			return err
		}
	}
	if err := insertBatches(ctx, db, lines, 500); err != nil {
		return err
	}
	return insertSources(ctx, db, groups)
}

// insertSources writes the source groups with their ids bound as
// parameters: a large school's month has some 70 MB of them.
func insertSources(ctx context.Context, db bun.IDB, groups []sourceGroup) error {
	rows := make([][]any, len(groups))
	for i, g := range groups {
		rows[i] = []any{g.OrgID, g.LineID, g.Kind, g.Counted, g.Weight, g.RowCount, g.SourceIDs}
	}
	columns := []string{"org_id", "line_id", "kind", "counted", "weight", "row_count", "source_ids"}
	return database.InsertBound(ctx, db, "pay_line_sources", columns, rows, 100)
}

func insertBatches[T any](ctx context.Context, db bun.IDB, rows []T, size int) error {
	for i := 0; i < len(rows); i += size {
		batch := rows[i:min(i+size, len(rows))]
		if _, err := db.NewInsert().Model(&batch).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// groupSources keeps together the sources of a line that count the same.
func groupSources(orgID, lineID string, rows []sourceRow) []sourceGroup {
	at := map[[3]string]int{}
	var out []sourceGroup
	var ids []*strings.Builder
	// Rows share their values (one, zero, a rate): each is written once.
	written := map[*big.Rat]string{}
	text := func(r *big.Rat) string {
		s, ok := written[r]
		if !ok {
			s = FormatDec(r, 6)
			written[r] = s
		}
		return s
	}
	for _, r := range rows {
		key := [3]string{r.Kind, text(r.Counted), text(r.Weight)}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, sourceGroup{OrgID: orgID, LineID: lineID, Kind: key[0], Counted: key[1], Weight: key[2]})
			ids = append(ids, &strings.Builder{})
		}
		if out[i].RowCount > 0 {
			ids[i].WriteByte(' ')
		}
		ids[i].WriteString(r.IDs)
		out[i].RowCount += r.N
	}
	for i := range out {
		out[i].SourceIDs = ids[i].String()
	}
	return out
}

func storedLine(orgID, statementID string, position int, l draftLine) StatementLine {
	row := StatementLine{ID: ids.New(), OrgID: orgID, StatementID: statementID, Position: position, Key: l.Key, Component: l.Component,
		Kind: l.Kind, Title: l.Title, StretchFrom: l.From, StretchTo: l.To, Quantity: l.Quantity, Rate: l.Rate, Base: l.Base,
		Metric: l.Metric, Value: l.Value, Numerator: l.Numerator, Denominator: l.Denominator, Sample: l.Sample, BelowMin: l.BelowMin,
		Tier: l.Tier, NextTier: l.NextTier, NextNeeds: l.NextNeeds, Share: l.Share, Exact: FormatDec(l.Exact, 6), Amount: l.Amount,
		Rounding: l.Rounding, Limited: l.Limited, Detail: l.Detail, CorrectionOf: l.CorrectionOf}
	if l.VersionID != "" {
		v := l.VersionID
		row.SchemeVersionID = &v
	}
	return row
}

// MarkVersionsUsed stamps the scheme versions a calculation used: from
// then on they never change.
func (Store) MarkVersionsUsed(ctx context.Context, db bun.IDB, orgID string, versionIDs []string, now time.Time) error {
	if len(versionIDs) == 0 {
		return nil
	}
	_, err := db.NewUpdate().Model((*SchemeVersion)(nil)).Set("used_at = ?", now).
		Where("org_id = ? AND id IN (?) AND used_at IS NULL", orgID, bun.In(versionIDs)).Exec(ctx)
	return err
}

// Booked is what was booked for each person and line of a locked period:
// its latest calculation's own lines, plus the corrections of it in the
// latest calculations of other locked periods (never those of except, the
// period being calculated).
func (Store) Booked(ctx context.Context, db bun.IDB, orgID string, locked *Period, except string) (map[string]map[string]bookedLine, error) {
	type row struct {
		UserID       string  `bun:"user_id"`
		Key          string  `bun:"line_key"`
		Title        string  `bun:"title"`
		Amount       int64   `bun:"amount"`
		CorrectionOf *string `bun:"correction_of"`
	}
	var own, later []row
	err := db.NewSelect().TableExpr("pay_lines AS l").Join("JOIN pay_statements AS s ON s.id = l.statement_id").
		ColumnExpr("s.user_id, l.line_key, l.title, l.amount, l.correction_of").
		Where("s.org_id = ? AND s.period_id = ? AND s.calculation = ? AND l.correction_of IS NULL", orgID, locked.ID, locked.Calculation).
		Scan(ctx, &own)
	if err != nil {
		return nil, err
	}
	err = db.NewSelect().TableExpr("pay_lines AS l").Join("JOIN pay_statements AS s ON s.id = l.statement_id").
		Join("JOIN pay_periods AS p ON p.id = s.period_id AND p.calculation = s.calculation").
		ColumnExpr("s.user_id, l.line_key, l.title, l.amount, l.correction_of").
		Where("s.org_id = ? AND l.correction_of = ? AND p.id <> ? AND p.status IN (?)", orgID, locked.Month, except,
			bun.In([]string{StatusLocked, StatusExported, StatusPaid})).
		Scan(ctx, &later)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bookedLine{}
	add := func(u, key, title string, amount int64) {
		if out[u] == nil {
			out[u] = map[string]bookedLine{}
		}
		b := out[u][key]
		if b.Title == "" {
			b.Title = title
		}
		b.Amount += amount
		out[u][key] = b
	}
	for _, r := range own {
		add(r.UserID, r.Key, r.Title, r.Amount)
	}
	prefix := "correction:" + locked.Month + ":"
	for _, r := range later {
		add(r.UserID, strings.TrimPrefix(r.Key, prefix), "", r.Amount)
	}
	return out, nil
}

// Statements lists a calculation's statements, of one person when userID
// is given, by person.
func (Store) Statements(ctx context.Context, db bun.IDB, orgID, periodID string, calculation int, userID string) ([]Statement, error) {
	var out []Statement
	q := db.NewSelect().Model(&out).Where("org_id = ? AND period_id = ? AND calculation = ?", orgID, periodID, calculation)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	err := q.Order("user_id").Limit(10_000).Scan(ctx)
	return out, err
}

// Lines lists statements' lines, by statement and position.
func (Store) Lines(ctx context.Context, db bun.IDB, orgID string, statementIDs []string) ([]StatementLine, error) {
	var out []StatementLine
	if len(statementIDs) == 0 {
		return out, nil
	}
	err := db.NewSelect().Model(&out).Where("org_id = ? AND statement_id IN (?)", orgID, bun.In(statementIDs)).
		Order("statement_id", "position").Scan(ctx)
	return out, err
}

// Line reads one line with its statement.
func (Store) Line(ctx context.Context, db bun.IDB, orgID, lineID string) (*StatementLine, *Statement, error) {
	l := new(StatementLine)
	if err := db.NewSelect().Model(l).Where("org_id = ? AND id = ?", orgID, lineID).Scan(ctx); err != nil {
		return nil, nil, notFound(err, "pay statement line")
	}
	st := new(Statement)
	if err := db.NewSelect().Model(st).Where("id = ?", l.StatementID).Scan(ctx); err != nil {
		return nil, nil, err
	}
	return l, st, nil
}

// Sources pages a line's sources by kind and id, after the one named
// "kind:id".
func (Store) Sources(ctx context.Context, db bun.IDB, lineID, after string, limit int) ([]Source, error) {
	var groups []sourceGroup
	if err := db.NewSelect().Model(&groups).Where("line_id = ?", lineID).Scan(ctx); err != nil {
		return nil, err
	}
	var all []Source
	for _, g := range groups {
		for _, id := range strings.Fields(g.SourceIDs) {
			if g.Kind+":"+id > after {
				all = append(all, Source{Kind: g.Kind, SourceID: id, Counted: g.Counted, Weight: g.Weight})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Kind+":"+all[i].SourceID < all[j].Kind+":"+all[j].SourceID })
	return all[:min(limit, len(all))], nil
}

// Disputes lists a period's disputes, oldest first.
func (Store) Disputes(ctx context.Context, db bun.IDB, orgID, periodID, userID string) ([]Dispute, error) {
	var out []Dispute
	q := db.NewSelect().Model(&out).Where("org_id = ? AND period_id = ?", orgID, periodID)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	err := q.Order("created_at", "id").Limit(10_000).Scan(ctx)
	return out, err
}

// Dispute reads one dispute, locked on PostgreSQL when forUpdate.
func (Store) Dispute(ctx context.Context, db bun.IDB, orgID, id string, forUpdate bool) (*Dispute, error) {
	return rowOf[Dispute](ctx, db, orgID, id, forUpdate, "pay dispute")
}

// ExportOf reads the recorded export of a calculation in a format.
func (Store) ExportOf(ctx context.Context, db bun.IDB, periodID string, calculation int, format string) (*Export, error) {
	e := new(Export)
	err := db.NewSelect().Model(e).Where("period_id = ? AND calculation = ? AND format = ?", periodID, calculation, format).Scan(ctx)
	return e, notFound(err, "pay export")
}

// LockedSince names the latest locked month from month on, "" when none:
// what a locked month was calculated from must not change under it.
func (Store) LockedSince(ctx context.Context, db bun.IDB, orgID, month string) (string, error) {
	var months []string
	err := db.NewSelect().Model((*Period)(nil)).Column("month").
		Where("org_id = ? AND month >= ? AND status IN (?)", orgID, month, bun.In([]string{StatusLocked, StatusExported, StatusPaid})).
		Order("month DESC").Limit(1).Scan(ctx, &months)
	if err != nil || len(months) == 0 {
		return "", err
	}
	return months[0], nil
}
