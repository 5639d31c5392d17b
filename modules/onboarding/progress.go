package onboarding

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// ItemState is one plan item at a moment: done (and when, by whom, from
// which source) or pending or overdue.
type ItemState struct {
	Item   PlanItem
	Status string
	DoneAt *time.Time
	DoneBy string
	Source string
	Note   string
	// Recorded: a completion row holds it; an item completed by another
	// module's fact may not be recorded yet (the background pass records
	// it, with the fact's time).
	Recorded bool
	// Passed counts the supervised reviews that passed quality control.
	Passed int
}

// PlanView is a plan with its items as they stand at a moment.
type PlanView struct {
	Plan  Plan
	Items []ItemState
	// WeightDone and WeightTotal are the progress's numerator and
	// denominator: the weights of the done items and of all items.
	WeightDone  int
	WeightTotal int
	At          time.Time
}

// Progress is the done share of the plan's weight in percent, or nil for
// a plan whose items weigh nothing.
func (v *PlanView) Progress() *float64 {
	if v.WeightTotal == 0 {
		return nil
	}
	p := float64(v.WeightDone*1000/v.WeightTotal) / 10
	return &p
}

// Unfinished names the required items not done, in plan order.
func (v *PlanView) Unfinished() []string {
	var out []string
	for _, it := range v.Items {
		if it.Item.Required && it.DoneAt == nil {
			out = append(out, it.Item.Title)
		}
	}
	return out
}

// Overdue counts the items past their due date and not done.
func (v *PlanView) Overdue() int {
	n := 0
	for _, it := range v.Items {
		if it.Status == ItemOverdue {
			n++
		}
	}
	return n
}

// ActivatedAt is when the newcomer could take students: as recorded, or,
// while not recorded yet, when the last required item was done.
func (v *PlanView) ActivatedAt() *time.Time {
	if v.Plan.ActivatedAt != nil {
		return v.Plan.ActivatedAt
	}
	if len(v.Unfinished()) > 0 {
		return nil
	}
	return v.requiredDoneAt()
}

// requiredDoneAt is when the last required item was done; the plan's
// creation when it has none.
func (v *PlanView) requiredDoneAt() *time.Time {
	last := v.Plan.CreatedAt
	for _, it := range v.Items {
		if it.Item.Required && it.DoneAt != nil && it.DoneAt.After(last) {
			last = *it.DoneAt
		}
	}
	return &last
}

// Status is onboarding, active or completed.
func (v *PlanView) Status() string {
	switch {
	case v.allDone():
		return PlanCompleted
	case v.ActivatedAt() != nil:
		return PlanActive
	}
	return PlanOnboarding
}

func (v *PlanView) allDone() bool {
	for _, it := range v.Items {
		if it.DoneAt == nil {
			return false
		}
	}
	return true
}

// facts holds what one evaluation learnt of a newcomer from other
// modules, so that each is asked once per plan.
type facts struct {
	checks []QualityCheck
	asked  bool
}

// view works out the plan's items at now: recorded completions first,
// then, for automatic items not recorded, the facts of the knowledge base
// and the review queue.
func (s *Service) view(ctx context.Context, p *Plan, items []PlanItem, done []Completion, now time.Time) (*PlanView, error) {
	byItem := make(map[string]*Completion, len(done))
	for i := range done {
		byItem[done[i].ItemID] = &done[i]
	}
	v := &PlanView{Plan: *p, Items: make([]ItemState, 0, len(items)), At: now}
	var f facts
	for _, it := range items {
		st := ItemState{Item: it}
		if c := byItem[it.ID]; c != nil {
			at := c.DoneAt
			st.DoneAt, st.DoneBy, st.Source, st.Note, st.Recorded = &at, c.DoneBy, c.Source, c.Note, true
		} else if it.Automatic() {
			if err := s.evaluate(ctx, p, &st, &f); err != nil {
				return nil, err
			}
		}
		switch {
		case st.DoneAt != nil:
			st.Status = ItemDone
			v.WeightDone += it.Weight
		case now.After(it.DueAt):
			st.Status = ItemOverdue
		default:
			st.Status = ItemPending
		}
		v.WeightTotal += it.Weight
		v.Items = append(v.Items, st)
	}
	return v, nil
}

// evaluate asks the module that holds an automatic item's fact whether it
// is done, and when.
func (s *Service) evaluate(ctx context.Context, p *Plan, st *ItemState, f *facts) error {
	it := &st.Item
	var (
		at     *time.Time
		err    error
		source string
	)
	switch it.Kind {
	case KindRegulation, KindQuiz:
		if s.regulations == nil || it.ArticleID == nil {
			return nil
		}
		source = SourceKB
		if it.Kind == KindRegulation {
			at, err = s.regulations.AcknowledgedAt(ctx, p.OrgID, *it.ArticleID, p.UserID)
		} else {
			at, err = s.regulations.QuizPassedAt(ctx, p.OrgID, *it.ArticleID, p.UserID)
		}
	case KindSupervised:
		if s.reviews == nil {
			return nil
		}
		source = SourceHomework
		if !f.asked {
			f.checks, err = s.reviews.QualityChecks(ctx, p.OrgID, p.UserID, p.StartDate)
			f.asked = true
		}
		at, st.Passed = nthPassed(f.checks, it.MinQualityPercent, it.ReviewCount)
	}
	if err != nil || at == nil {
		return err
	}
	utc := at.UTC()
	st.DoneAt, st.DoneBy, st.Source = &utc, systemActor, source
	return nil
}

// nthPassed counts the checks that passed (verdict upheld, score at least
// minPercent) and says when the n-th of them was made; nil until n passed.
func nthPassed(checks []QualityCheck, minPercent, n int) (*time.Time, int) {
	passed := 0
	var at *time.Time
	for i := range checks {
		c := &checks[i]
		if c.Overturned || c.ScorePercent < float64(minPercent) {
			continue
		}
		passed++
		if passed == n {
			t := c.CheckedAt
			at = &t
		}
	}
	return at, passed
}

// loadView reads one plan's items and completions and works them out at now.
func (s *Service) loadView(ctx context.Context, db bun.IDB, p *Plan) (*PlanView, error) {
	items, err := s.store.Items(ctx, db, p.OrgID, []string{p.ID})
	if err != nil {
		return nil, err
	}
	done, err := s.store.Completions(ctx, db, p.OrgID, []string{p.ID})
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, items, done, s.Now())
}
