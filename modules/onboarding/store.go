package onboarding

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Store holds the onboarding queries; they take bun.IDB so they run inside
// the caller's transaction.
type Store struct{}

// --- templates

func (Store) InsertTemplate(ctx context.Context, db bun.IDB, t *Template) error {
	_, err := db.NewInsert().Model(t).Exec(ctx)
	return err
}

func (Store) Template(ctx context.Context, db bun.IDB, orgID, id string) (*Template, error) {
	t := new(Template)
	return t, database.ScanOne(ctx, db.NewSelect().Model(t).Where("org_id = ? AND id = ?", orgID, id), "onboarding template")
}

// LockTemplate reads a template for a change; on PostgreSQL the row stays
// locked until the transaction ends.
func (Store) LockTemplate(ctx context.Context, db bun.IDB, orgID, id string) (*Template, error) {
	t := new(Template)
	return t, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(t).Where("org_id = ? AND id = ?", orgID, id)), "onboarding template")
}

func (Store) TemplateByRole(ctx context.Context, db bun.IDB, orgID, role string) (*Template, error) {
	t := new(Template)
	return t, database.ScanOne(ctx, db.NewSelect().Model(t).Where("org_id = ? AND role = ?", orgID, role), "onboarding template")
}

// Templates lists the school's templates by role (a school has one per role).
func (Store) Templates(ctx context.Context, db bun.IDB, orgID string) ([]Template, error) {
	var rows []Template
	return rows, db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("role ASC").Scan(ctx)
}

func (Store) SaveTemplate(ctx context.Context, db bun.IDB, t *Template, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, t, wasVersion, "title", "items", "updated_at", "version")
}

// --- plans

func (Store) InsertPlan(ctx context.Context, db bun.IDB, p *Plan, items []PlanItem) error {
	if _, err := db.NewInsert().Model(p).Exec(ctx); err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&items).Exec(ctx)
	return err
}

func (Store) Plan(ctx context.Context, db bun.IDB, orgID, id string) (*Plan, error) {
	p := new(Plan)
	return p, database.ScanOne(ctx, db.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id), "onboarding plan")
}

// LockPlan reads a plan for a change; on PostgreSQL the row stays locked
// until the transaction ends.
func (Store) LockPlan(ctx context.Context, db bun.IDB, orgID, id string) (*Plan, error) {
	p := new(Plan)
	return p, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id)), "onboarding plan")
}

// PlanOf returns the user's plan in the school, or errs.ErrNotFound.
func (Store) PlanOf(ctx context.Context, db bun.IDB, orgID, userID string) (*Plan, error) {
	p := new(Plan)
	return p, database.ScanOne(ctx, db.NewSelect().Model(p).Where("org_id = ? AND user_id = ?", orgID, userID), "onboarding plan")
}

// PlanFilter narrows a listing of plans.
type PlanFilter struct {
	// Involving keeps the plans of this user and of their mentees: what a
	// reader without read_all sees.
	Involving string
	UserID    string
	MentorID  string
	// Activated, when set, keeps plans whose newcomer may (true) or may
	// not yet (false) take students, as last recorded.
	Activated *bool
	AfterID   string
	Limit     int
}

// Plans returns up to f.Limit+1 plans in id order.
func (Store) Plans(ctx context.Context, db bun.IDB, orgID string, f PlanFilter) ([]Plan, error) {
	var rows []Plan
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("user_id", f.UserID), database.Eq("mentor_id", f.MentorID))
	if f.Involving != "" {
		q = q.Where("(user_id = ? OR mentor_id = ?)", f.Involving, f.Involving)
	}
	if f.Activated != nil {
		if *f.Activated {
			q = q.Where("activated_at IS NOT NULL")
		} else {
			q = q.Where("activated_at IS NULL")
		}
	}
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// OpenPlans lists the school's plans whose newcomer may not take students
// yet, as last recorded.
func (Store) OpenPlans(ctx context.Context, db bun.IDB, orgID string) ([]Plan, error) {
	var rows []Plan
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND activated_at IS NULL", orgID).OrderExpr("id ASC").Scan(ctx)
}

// PlansActivatedBetween lists the plans activated in [from, to).
func (Store) PlansActivatedBetween(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]Plan, error) {
	var rows []Plan
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND activated_at >= ? AND activated_at < ?", orgID, from.UTC(), to.UTC()).
		OrderExpr("activated_at ASC, id ASC").Scan(ctx)
}

func (Store) SavePlan(ctx context.Context, db bun.IDB, p *Plan, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, p, wasVersion,
		"mentor_id", "activated_at", "activation", "activation_reason", "activated_by", "updated_at", "version")
}

// Items lists the items of the given plans in plan order.
func (Store) Items(ctx context.Context, db bun.IDB, orgID string, planIDs []string) ([]PlanItem, error) {
	var rows []PlanItem
	if len(planIDs) == 0 {
		return rows, nil
	}
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND plan_id IN (?)", orgID, bun.In(planIDs)).
		OrderExpr("plan_id ASC, position ASC").Scan(ctx)
}

// Completions lists the completions of the given plans' items.
func (Store) Completions(ctx context.Context, db bun.IDB, orgID string, planIDs []string) ([]Completion, error) {
	var rows []Completion
	if len(planIDs) == 0 {
		return rows, nil
	}
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND plan_id IN (?)", orgID, bun.In(planIDs)).Scan(ctx)
}

// InsertCompletion appends a completion unless the item has one; it
// reports whether it did.
func (Store) InsertCompletion(ctx context.Context, db bun.IDB, c *Completion) (bool, error) {
	return database.AffectedOne(db.NewInsert().Model(c).On("CONFLICT (item_id) DO NOTHING").Exec(ctx))
}

// ClaimReminder marks an item reminded unless it was already; it reports
// whether this call did, so that one replica sends each reminder.
func (Store) ClaimReminder(ctx context.Context, db bun.IDB, orgID, itemID string, at time.Time) (bool, error) {
	return database.AffectedOne(db.NewUpdate().Model((*PlanItem)(nil)).Set("reminded_at = ?", at.UTC()).
		Where("org_id = ? AND id = ? AND reminded_at IS NULL", orgID, itemID).Exec(ctx))
}

// openWork keeps plans whose newcomer is not activated yet or that have an
// item neither done nor reminded of: what the background pass visits.
const openWork = `(plan.activated_at IS NULL OR EXISTS (SELECT 1 FROM onboarding_plan_items AS i
	WHERE i.plan_id = plan.id AND i.reminded_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM onboarding_completions AS c WHERE c.item_id = i.id)))`

// OrgsWithPlans lists the schools that have a plan with an item not yet
// reminded of, or a newcomer not yet activated: what the background pass
// visits.
func (Store) OrgsWithPlans(ctx context.Context, db bun.IDB) ([]string, error) {
	var ids []string
	err := db.NewSelect().Model((*Plan)(nil)).ColumnExpr("DISTINCT org_id").
		Where(openWork).
		Scan(ctx, &ids)
	return ids, err
}

// PlansWithOpenItems lists the school's plans with an item not yet
// reminded of, or whose newcomer is not activated.
func (Store) PlansWithOpenItems(ctx context.Context, db bun.IDB, orgID string) ([]Plan, error) {
	var rows []Plan
	return rows, db.NewSelect().Model(&rows).Where("plan.org_id = ?", orgID).
		Where(openWork).
		OrderExpr("id ASC").Scan(ctx)
}

// --- recognitions

func (Store) InsertRecognition(ctx context.Context, db bun.IDB, r *Recognition) error {
	_, err := db.NewInsert().Model(r).Exec(ctx)
	return err
}

func (Store) Recognition(ctx context.Context, db bun.IDB, orgID, id string) (*Recognition, error) {
	r := new(Recognition)
	return r, database.ScanOne(ctx, db.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id), "recognition")
}

// RecognitionFilter narrows a listing of recognitions.
type RecognitionFilter struct {
	UserID  string
	Kind    string
	AfterID string
	Limit   int
}

// Recognitions returns up to f.Limit+1 recognitions in id order.
func (Store) Recognitions(ctx context.Context, db bun.IDB, orgID string, f RecognitionFilter) ([]Recognition, error) {
	var rows []Recognition
	q := database.WhereSet(db.NewSelect().Model(&rows).Where("org_id = ?", orgID), database.Eq("user_id", f.UserID), database.Eq("kind", f.Kind))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

func (Store) DeleteRecognition(ctx context.Context, db bun.IDB, orgID, id string) (bool, error) {
	return database.AffectedOne(db.NewDelete().Model((*Recognition)(nil)).Where("org_id = ? AND id = ?", orgID, id).Exec(ctx))
}
