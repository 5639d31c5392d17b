package pay

import (
	"context"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/progress"
)

const entityPeriod = "pay_period"

// Action is one step of a period's life: the statuses it leaves from,
// the status it reaches, and whether it needs a reason.
type Action struct {
	Name       string
	From       []string
	To         string
	NeedReason bool
}

// Actions are the period's steps other than calculation. Approval by the
// head waits for every dispute to be resolved; unlocking, the only way
// back from a locked month, needs a reason and returns it to review.
var Actions = []Action{
	{Name: "submit", From: []string{StatusCalculated}, To: StatusInReview},
	{Name: "approve", From: []string{StatusInReview}, To: StatusHeadApproved},
	{Name: "approve-finance", From: []string{StatusHeadApproved}, To: StatusFinanceApproved},
	{Name: "lock", From: []string{StatusFinanceApproved}, To: StatusLocked},
	{Name: "mark-paid", From: []string{StatusExported}, To: StatusPaid},
	{Name: "unlock", From: []string{StatusLocked, StatusExported}, To: StatusInReview, NeedReason: true},
}

// correctionMonths is how far back a calculation looks for locked months
// whose facts changed after they were locked.
const correctionMonths = 3

// OpenPeriod opens a calendar month of the school for pay.
func (s *Service) OpenPeriod(ctx context.Context, orgID, month string) (*Period, error) {
	loc, err := s.people.Location(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if _, _, ok := monthBounds(month, loc); !ok {
		return nil, errs.Invalid("body.month", "must be a month YYYY-MM from 2000 to 2100")
	}
	now := s.Now()
	p := &Period{ID: ids.New(), OrgID: orgID, Month: month, Status: StatusOpen, CreatedAt: now, UpdatedAt: now, Version: 1}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("the period %s is already open", month)
			}
			return err
		}
		return s.Record(ctx, tx, orgID, entityPeriod, p.ID, auditlog.Diff(nil, p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Periods lists the school's periods, latest month first.
func (s *Service) Periods(ctx context.Context, orgID string) ([]Period, error) {
	return s.store.Periods(ctx, s.DB, orgID)
}

// PeriodDetail is a period with its history, its latest calculation's
// totals and its disputes.
type PeriodDetail struct {
	Period       *Period
	Transitions  []Transition
	Statements   int
	Total        int64
	OpenDisputes int
	Exports      []Export
}

// PeriodOf reads one period with its history.
func (s *Service) PeriodOf(ctx context.Context, orgID, id string) (*PeriodDetail, error) {
	p, err := s.store.Period(ctx, s.DB, orgID, id, false)
	if err != nil {
		return nil, err
	}
	d := &PeriodDetail{Period: p}
	if d.Transitions, err = s.store.Transitions(ctx, s.DB, orgID, id); err != nil {
		return nil, err
	}
	if d.Statements, d.Total, err = s.store.Totals(ctx, s.DB, p.ID, p.Calculation); err != nil {
		return nil, err
	}
	if d.OpenDisputes, err = s.store.OpenDisputes(ctx, s.DB, p.ID); err != nil {
		return nil, err
	}
	d.Exports, err = s.store.Exports(ctx, s.DB, p.ID)
	return d, err
}

// Calculate (re)calculates a period that is not locked: every assigned
// person's statement from the month's facts, plus corrections of the
// locked months before it whose facts changed. The previous calculation
// stays beside the new one, so the difference can be shown, and the
// period returns to "calculated" (a recalculation in review needs a new
// review). A locked period answers 409: its late facts become
// corrections of the next open period.
func (s *Service) Calculate(ctx context.Context, orgID, id string, version int64) (*Period, error) {
	p, err := s.store.Period(ctx, s.DB, orgID, id, false)
	if err != nil {
		return nil, err
	}
	if err := calculable(p); err != nil {
		return nil, err
	}
	drafts, used, err := s.draftPeriod(ctx, orgID, p)
	if err != nil {
		return nil, err
	}
	var after *Period
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var before *Period
		before, after, err = database.Optimistic[Period, *Period]{
			What: "the pay period",
			Load: func() (*Period, error) { return s.store.Period(ctx, tx, orgID, id, true) },
			Change: func(a *Period) error {
				if err := calculable(a); err != nil {
					return err
				}
				now := s.Now()
				a.Calculation++
				a.Status, a.CalculatedAt = StatusCalculated, &now
				return nil
			},
			Write: func(a *Period, was int64) (bool, error) {
				return database.UpdateVersion(ctx, tx, a, was, "status", "calculation", "calculated_at", "updated_at", "version")
			},
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		if err := s.store.SaveCalculation(ctx, tx, after, drafts, s.Now()); err != nil {
			return err
		}
		if err := s.store.MarkVersionsUsed(ctx, tx, orgID, used, s.Now()); err != nil {
			return err
		}
		if err := s.recordTransition(ctx, tx, before, after, "calculate", ""); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, entityPeriod, id, auditlog.Diff(before, after))
	})
	if err == nil {
		progress.Report(ctx, calculationSteps, calculationSteps)
	}
	return after, err
}

// A calculation reports its progress in four steps of very different
// lengths: reading the month's facts (most of the time in a large school),
// calculating the statements, recalculating the locked months before it
// for corrections, and saving.
const (
	stepRead = iota + 1
	stepCalculated
	stepCorrected
	calculationSteps
)

func calculable(p *Period) error {
	if p.Calculable() {
		return nil
	}
	return errs.Conflict("the period %s is %s and cannot be recalculated; late facts become corrections in the next open period", p.Month, p.Status)
}

// draftPeriod calculates the month and the corrections of earlier locked
// months, and names the scheme versions it used.
func (s *Service) draftPeriod(ctx context.Context, orgID string, p *Period) ([]draft, []string, error) {
	loc, err := s.people.Location(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	assignments, err := s.store.Assignments(ctx, s.DB, orgID, "")
	if err != nil {
		return nil, nil, err
	}
	versions, err := s.assignedVersions(ctx, orgID, assignments)
	if err != nil {
		return nil, nil, err
	}
	m, err := readMonth(ctx, s.facts, orgID, p.Month, loc, assignments, versions)
	if err != nil {
		return nil, nil, err
	}
	progress.Report(ctx, stepRead, calculationSteps)
	drafts, err := calculate(ctx, m)
	if err != nil {
		return nil, nil, err
	}
	progress.Report(ctx, stepCalculated, calculationSteps)
	fixes, err := s.corrections(ctx, orgID, p, loc, assignments, versions)
	if err != nil {
		return nil, nil, err
	}
	progress.Report(ctx, stepCorrected, calculationSteps)
	drafts = mergeCorrections(drafts, fixes)
	return drafts, usedVersions(drafts), nil
}

func (s *Service) assignedVersions(ctx context.Context, orgID string, as []Assignment) (map[string]*SchemeVersion, error) {
	seen := map[string]bool{}
	var want []string
	for _, a := range as {
		if !seen[a.SchemeVersionID] {
			seen[a.SchemeVersionID] = true
			want = append(want, a.SchemeVersionID)
		}
	}
	return s.store.VersionsByID(ctx, s.DB, orgID, want)
}

func usedVersions(drafts []draft) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range drafts {
		for _, l := range d.Lines {
			if l.VersionID != "" && !seen[l.VersionID] {
				seen[l.VersionID] = true
				out = append(out, l.VersionID)
			}
		}
	}
	return out
}

// Transition moves a period one step (see Actions), audited with its
// reason.
func (s *Service) Transition(ctx context.Context, orgID, id, action, reason string, version int64) (*Period, error) {
	var act *Action
	for i := range Actions {
		if Actions[i].Name == action {
			act = &Actions[i]
		}
	}
	if act == nil {
		return nil, errs.NotFound("pay period action")
	}
	reason, err := cleanText("body.reason", reason, act.NeedReason)
	if err != nil {
		return nil, err
	}
	var after *Period
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var before *Period
		var err error
		before, after, err = database.Optimistic[Period, *Period]{
			What: "the pay period",
			Load: func() (*Period, error) { return s.store.Period(ctx, tx, orgID, id, true) },
			Change: func(a *Period) error {
				if !contains(act.From, a.Status) {
					return errs.Conflict("the period is %s; %s needs it %s", a.Status, action, strings.Join(act.From, " or "))
				}
				if action == "approve" {
					if n, err := s.store.OpenDisputes(ctx, tx, a.ID); err != nil {
						return err
					} else if n > 0 {
						return errs.Conflict("%d disputed lines are not resolved yet", n)
					}
				}
				a.Status = act.To
				return nil
			},
			Write: func(a *Period, was int64) (bool, error) {
				return database.UpdateVersion(ctx, tx, a, was, "status", "updated_at", "version")
			},
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		if err := s.recordTransition(ctx, tx, before, after, action, reason); err != nil {
			return err
		}
		changes := auditlog.Diff(before, after)
		if reason != "" {
			changes["reason"] = auditlog.Change{After: reason}
		}
		return s.Record(ctx, tx, orgID, entityPeriod, id, changes)
	})
	return after, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Service) recordTransition(ctx context.Context, tx bun.IDB, before, after *Period, action, reason string) error {
	t := &Transition{ID: ids.New(), OrgID: after.OrgID, PeriodID: after.ID, Action: action, FromStatus: before.Status, ToStatus: after.Status,
		Calculation: after.Calculation, Reason: reason, ActorID: actor(ctx), CreatedAt: s.Now()}
	_, err := tx.NewInsert().Model(t).Exec(ctx)
	return err
}

// periodByMonth finds a period, nil when the month has none.
func (s *Service) periodByMonth(ctx context.Context, orgID, month string) (*Period, error) {
	p, err := s.store.PeriodByMonth(ctx, s.DB, orgID, month)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	return p, err
}
