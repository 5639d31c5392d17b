package pay

import (
	"context"
	"errors"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// SimulatedPay is one person's pay of a month as it was calculated and as
// a draft version would have paid it.
type SimulatedPay struct {
	UserID, Name string
	Paid         int64 // the latest calculation's total without correction lines
	Simulated    int64
}

// Simulation answers "the same month, another scheme": every person of a
// calculated period paid by the given version on the days they were paid,
// against what the period's latest calculation gives them. Nothing is
// stored, and the version is not marked used.
type Simulation struct {
	Period          *Period
	VersionID       string
	People          []SimulatedPay
	Paid, Simulated int64
}

// Simulate runs a scheme version over a calculated period's month.
func (s *Service) Simulate(ctx context.Context, orgID, periodID, versionID string) (*Simulation, error) {
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return nil, err
	}
	if p.Calculation == 0 {
		return nil, errs.Conflict("the period has not been calculated yet")
	}
	v, err := s.store.Version(ctx, s.DB, orgID, versionID, false)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid("body.scheme_version_id", "is not a scheme version of the school")
	} else if err != nil {
		return nil, err
	}
	views, err := s.statementViews(ctx, s.DB, orgID, p, p.Calculation, "")
	if err != nil {
		return nil, err
	}
	simulated, err := s.simulatedTotals(ctx, orgID, p, v)
	if err != nil {
		return nil, err
	}
	out := &Simulation{Period: p, VersionID: v.ID}
	for _, view := range views {
		paid := view.Statement.Total
		for _, l := range view.Lines {
			if l.CorrectionOf != nil {
				paid -= l.Amount
			}
		}
		sp := SimulatedPay{UserID: view.Statement.UserID, Name: view.Name, Paid: paid, Simulated: simulated[view.Statement.UserID]}
		out.People = append(out.People, sp)
		out.Paid += sp.Paid
		out.Simulated += sp.Simulated
	}
	return out, nil
}

// simulatedTotals calculates the month with every assignment pointing at v.
func (s *Service) simulatedTotals(ctx context.Context, orgID string, p *Period, v *SchemeVersion) (map[string]int64, error) {
	loc, err := s.people.Location(ctx, orgID)
	if err != nil {
		return nil, err
	}
	assignments, err := s.store.Assignments(ctx, s.DB, orgID, "")
	if err != nil {
		return nil, err
	}
	for i := range assignments {
		assignments[i].SchemeVersionID = v.ID
	}
	versions := map[string]*SchemeVersion{v.ID: v}
	m, err := readMonth(ctx, s.facts, orgID, p.Month, loc, assignments, versions)
	if err != nil {
		return nil, err
	}
	drafts, err := calculate(ctx, m)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, d := range drafts {
		out[d.UserID] = d.Total
	}
	return out, nil
}
