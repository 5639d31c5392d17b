package pay

import (
	"context"
	"time"
)

// Phases is how long each step of a calculation took: reading the month's
// facts from the other modules, calculating the statements in memory and
// writing them with their lines and sources.
type Phases struct {
	Read, Calculate, Write  time.Duration
	Statements, Lines, Rows int
}

// MeasurePhases runs a calculation of the period step by step, as
// Calculate does, and times each step. The writes are made in a
// transaction that is rolled back, so the period is left as it was. It
// exists for BenchmarkCalculateMonth, which cannot reach the steps from
// outside the package.
func MeasurePhases(ctx context.Context, s *Service, orgID, periodID string) (Phases, error) {
	var ph Phases
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return ph, err
	}
	loc, err := s.people.Location(ctx, orgID)
	if err != nil {
		return ph, err
	}
	assignments, err := s.store.Assignments(ctx, s.DB, orgID, "")
	if err != nil {
		return ph, err
	}
	versions, err := s.assignedVersions(ctx, orgID, assignments)
	if err != nil {
		return ph, err
	}
	started := time.Now()
	m, err := readMonth(ctx, s.facts, orgID, p.Month, loc, assignments, versions)
	if err != nil {
		return ph, err
	}
	ph.Read = time.Since(started)
	started = time.Now()
	drafts, err := calculate(ctx, m)
	if err != nil {
		return ph, err
	}
	ph.Calculate = time.Since(started)
	ph.Statements = len(drafts)
	for _, d := range drafts {
		ph.Lines += len(d.Lines)
		for _, l := range d.Lines {
			for _, r := range l.Sources {
				ph.Rows += r.N
			}
		}
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return ph, err
	}
	defer func() { _ = tx.Rollback() }()
	next := *p
	next.Calculation++
	started = time.Now()
	if err := s.store.SaveCalculation(ctx, tx, &next, drafts, s.Now()); err != nil {
		return ph, err
	}
	ph.Write = time.Since(started)
	return ph, nil
}
