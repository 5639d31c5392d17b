package pay

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

const entityDispute = "pay_dispute"

// Viewer is who reads statements: everyone's (the head, finance) or only
// her own (a curator).
type Viewer struct {
	UserID  string
	SeesAll bool
}

// StatementView is a statement with its lines and the person's name.
type StatementView struct {
	Period    *Period // the period the statement belongs to
	Statement Statement
	Name      string
	Lines     []StatementLine
}

// Statements lists the latest calculation's statements of a period that
// the viewer may read, with their lines.
func (s *Service) Statements(ctx context.Context, orgID, periodID string, v Viewer) (*Period, []StatementView, error) {
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return nil, nil, err
	}
	views, err := s.statementViews(ctx, s.DB, orgID, p, p.Calculation, v.only())
	return p, views, err
}

func (v Viewer) only() string {
	if v.SeesAll {
		return ""
	}
	return v.UserID
}

// StatementOf reads one person's statement of a period; another person's
// is not found unless the viewer sees all.
func (s *Service) StatementOf(ctx context.Context, orgID, periodID, userID string, v Viewer) (*StatementView, error) {
	if !v.SeesAll && userID != v.UserID {
		return nil, errs.NotFound("pay statement")
	}
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return nil, err
	}
	views, err := s.statementViews(ctx, s.DB, orgID, p, p.Calculation, userID)
	if err != nil {
		return nil, err
	}
	if len(views) == 0 {
		return nil, errs.NotFound("pay statement")
	}
	return &views[0], nil
}

func (s *Service) statementViews(ctx context.Context, db bun.IDB, orgID string, p *Period, calculation int, userID string) ([]StatementView, error) {
	sts, err := s.store.Statements(ctx, db, orgID, p.ID, calculation, userID)
	if err != nil {
		return nil, err
	}
	idList := make([]string, len(sts))
	users := make([]string, len(sts))
	for i, st := range sts {
		idList[i], users[i] = st.ID, st.UserID
	}
	lines, err := s.store.Lines(ctx, db, orgID, idList)
	if err != nil {
		return nil, err
	}
	names, err := s.people.Names(ctx, orgID, users)
	if err != nil {
		return nil, err
	}
	by := map[string][]StatementLine{}
	for _, l := range lines {
		by[l.StatementID] = append(by[l.StatementID], l)
	}
	out := make([]StatementView, len(sts))
	for i, st := range sts {
		out[i] = StatementView{Period: p, Statement: st, Name: names[st.UserID], Lines: by[st.ID]}
	}
	return out, nil
}

// LineSources pages the rows a line was calculated from; a line of
// another person's statement is not found unless the viewer sees all.
func (s *Service) LineSources(ctx context.Context, orgID, lineID string, v Viewer, after string, limit int) (*StatementLine, []Source, error) {
	l, st, err := s.store.Line(ctx, s.DB, orgID, lineID)
	if err != nil {
		return nil, nil, err
	}
	if !v.SeesAll && st.UserID != v.UserID {
		return nil, nil, errs.NotFound("pay statement line")
	}
	rows, err := s.store.Sources(ctx, s.DB, lineID, after, limit)
	return l, rows, err
}

// LineChange is how one line moved between two calculations.
type LineChange struct {
	Key, Title    string
	Before, After *int64
	Difference    int64
}

// StatementChange is how one person's statement moved.
type StatementChange struct {
	UserID, Name  string
	Before, After int64
	Lines         []LineChange
}

// Difference compares the latest calculation of a period with the one
// before it, per person and line; people and lines that did not move are
// left out.
func (s *Service) Difference(ctx context.Context, orgID, periodID string) (*Period, []StatementChange, error) {
	p, err := s.store.Period(ctx, s.DB, orgID, periodID, false)
	if err != nil {
		return nil, nil, err
	}
	if p.Calculation < 2 {
		return p, []StatementChange{}, nil
	}
	before, err := s.statementViews(ctx, s.DB, orgID, p, p.Calculation-1, "")
	if err != nil {
		return nil, nil, err
	}
	after, err := s.statementViews(ctx, s.DB, orgID, p, p.Calculation, "")
	if err != nil {
		return nil, nil, err
	}
	return p, diffStatements(before, after), nil
}

func diffStatements(before, after []StatementView) []StatementChange {
	type side struct{ b, a *StatementView }
	people := map[string]*side{}
	for i := range before {
		people[before[i].Statement.UserID] = &side{b: &before[i]}
	}
	for i := range after {
		if people[after[i].Statement.UserID] == nil {
			people[after[i].Statement.UserID] = &side{}
		}
		people[after[i].Statement.UserID].a = &after[i]
	}
	out := []StatementChange{}
	for _, u := range sortedKeys(people) {
		sd := people[u]
		c := StatementChange{UserID: u}
		lines := map[string]*LineChange{}
		for _, pair := range []struct {
			v     *StatementView
			after bool
		}{{sd.b, false}, {sd.a, true}} {
			if pair.v == nil {
				continue
			}
			c.Name = pair.v.Name
			if pair.after {
				c.After = pair.v.Statement.Total
			} else {
				c.Before = pair.v.Statement.Total
			}
			for _, l := range pair.v.Lines {
				lc := lines[l.Key]
				if lc == nil {
					lc = &LineChange{Key: l.Key, Title: l.Title}
					lines[l.Key] = lc
				}
				amount := l.Amount
				if pair.after {
					lc.After = &amount
				} else {
					lc.Before = &amount
				}
			}
		}
		for _, k := range sortedKeys(lines) {
			lc := lines[k]
			lc.Difference = deref(lc.After) - deref(lc.Before)
			if lc.Difference != 0 || (lc.Before == nil) != (lc.After == nil) {
				c.Lines = append(c.Lines, *lc)
			}
		}
		if len(c.Lines) > 0 || c.Before != c.After {
			out = append(out, c)
		}
	}
	return out
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Dispute lets a person object to a line of her own statement while the
// period is in review.
func (s *Service) Dispute(ctx context.Context, orgID, lineID, userID, comment string) (*Dispute, error) {
	comment, err := cleanText("body.comment", comment, true)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var d *Dispute
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		l, st, err := s.store.Line(ctx, tx, orgID, lineID)
		if err != nil {
			return err
		}
		if st.UserID != userID {
			return errs.NotFound("pay statement line")
		}
		p, err := s.store.Period(ctx, tx, orgID, st.PeriodID, true)
		if err != nil {
			return err
		}
		if p.Status != StatusInReview || st.Calculation != p.Calculation {
			return errs.Conflict("lines can be disputed while the period's latest calculation is in review; the period is %s", p.Status)
		}
		d = &Dispute{ID: ids.New(), OrgID: orgID, PeriodID: p.ID, LineID: l.ID, UserID: userID, Comment: comment, Status: DisputeOpen,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, entityDispute, d.ID, auditlog.Diff(nil, d))
	})
	return d, err
}

// Disputes lists a period's disputes the viewer may read.
func (s *Service) Disputes(ctx context.Context, orgID, periodID string, v Viewer) ([]Dispute, error) {
	if _, err := s.store.Period(ctx, s.DB, orgID, periodID, false); err != nil {
		return nil, err
	}
	return s.store.Disputes(ctx, s.DB, orgID, periodID, v.only())
}

// ResolveDispute answers a dispute; a line that must change changes by
// recalculation (or a correction), never by editing it.
func (s *Service) ResolveDispute(ctx context.Context, orgID, id, resolution string, version int64) (*Dispute, error) {
	resolution, err := cleanText("body.resolution", resolution, true)
	if err != nil {
		return nil, err
	}
	var after *Dispute
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var before *Dispute
		var err error
		before, after, err = database.Optimistic[Dispute, *Dispute]{
			What: "the dispute",
			Load: func() (*Dispute, error) { return s.store.Dispute(ctx, tx, orgID, id, true) },
			Change: func(d *Dispute) error {
				if d.Status != DisputeOpen {
					return errs.Conflict("the dispute is already resolved")
				}
				now := s.Now()
				d.Status, d.Resolution, d.ResolvedBy, d.ResolvedAt = DisputeResolved, resolution, actor(ctx), &now
				return nil
			},
			Write: func(d *Dispute, was int64) (bool, error) {
				return database.UpdateVersion(ctx, tx, d, was, "status", "resolution", "resolved_by", "resolved_at", "updated_at", "version")
			},
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, entityDispute, id, auditlog.Diff(before, after))
	})
	return after, err
}
