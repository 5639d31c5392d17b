package onboarding

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Reader is who asks for plans: their user id, whether the policy lets
// them see every plan (HR, the head) and whether they may confirm any
// person's item.
type Reader struct {
	UserID  string
	SeesAll bool
	Manages bool
}

// ReaderFrom returns the reader of the request in ctx, as the policy has it.
func ReaderFrom(ctx context.Context) Reader {
	m := reqctx.From(ctx)
	return Reader{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed("onboarding_plans", "read_all"),
		Manages: m.Org.Allowed("onboarding_plans", "manage")}
}

// sees reports whether the reader may see the plan: every plan with
// read_all, otherwise their own and their mentees'.
func (r Reader) sees(p *Plan) bool {
	return r.SeesAll || p.UserID == r.UserID || (p.MentorID != nil && *p.MentorID == r.UserID)
}

// PlanInput starts a plan.
type PlanInput struct {
	UserID    string
	Role      string
	StartDate time.Time
	MentorID  *string
}

// dayLength is one calendar day of a plan; due dates fall at the end of
// the start date plus the item's day offset, in UTC.
const dayLength = 24 * time.Hour

// StartPlan creates the newcomer's plan from the role's template inside
// the caller's transaction (hiring's offer acceptance), with audit. The
// caller vouches that userID is a member of the school.
func (s *Service) StartPlan(ctx context.Context, tx bun.IDB, orgID, userID, role string, startDate time.Time, mentorID *string) (string, error) {
	p, err := s.startPlan(ctx, tx, orgID, PlanInput{UserID: userID, Role: role, StartDate: startDate, MentorID: mentorID})
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// Newcomers lists the user ids of the school's newcomers: plans whose
// required items are not all done and that were not activated early.
func (s *Service) Newcomers(ctx context.Context, orgID string) ([]string, error) {
	return s.newcomers(ctx, orgID)
}

// CreatePlan starts a plan for an active member of the school (a curator
// hired before the hiring module, or moved into a role).
func (s *Service) CreatePlan(ctx context.Context, orgID string, in PlanInput) (*PlanView, error) {
	if _, err := s.member(ctx, orgID, in.UserID, "body.user_id"); err != nil {
		return nil, err
	}
	var out *PlanView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := s.startPlan(ctx, tx, orgID, in)
		if err != nil {
			return err
		}
		out, err = s.loadView(ctx, tx, p)
		return err
	})
	return out, err
}

// startPlan copies the role's template into a new plan in tx. A role
// without a template gets the default one first (see defaultTemplate).
func (s *Service) startPlan(ctx context.Context, tx bun.IDB, orgID string, in PlanInput) (*Plan, error) {
	in.StartDate = startOfDay(in.StartDate)
	if !clock.IsPlan(in.StartDate) {
		return nil, errs.Invalid("body.start_date", "must be a date from 2000 to 2099")
	}
	if !slices.Contains(Roles, in.Role) {
		return nil, errs.Invalid("body.role", "must be a staff role that takes onboarding: "+strings.Join(Roles, ", "))
	}
	if in.MentorID != nil {
		if *in.MentorID == in.UserID {
			return nil, errs.Invalid("body.mentor_id", "a newcomer does not mentor themselves")
		}
		if _, err := s.member(ctx, orgID, *in.MentorID, "body.mentor_id"); err != nil {
			return nil, err
		}
	}
	if _, err := s.store.PlanOf(ctx, tx, orgID, in.UserID); err == nil {
		return nil, errs.Conflict("this person already has an onboarding plan")
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	tpl, err := s.templateFor(ctx, tx, orgID, in.Role)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	p := &Plan{ID: ids.New(), OrgID: orgID, UserID: in.UserID, Role: in.Role, TemplateID: tpl.ID, MentorID: in.MentorID,
		StartDate: in.StartDate, CreatedBy: actor(ctx), CreatedAt: now, UpdatedAt: now, Version: 1}
	items := planItems(p, tpl.Items)
	if !anyRequired(items) {
		// Nothing stands between this newcomer and students.
		completed := ActivationCompleted
		p.ActivatedAt, p.Activation = &now, &completed
	}
	if err := s.store.InsertPlan(ctx, tx, p, items); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, errs.Conflict("this person already has an onboarding plan")
		}
		return nil, err
	}
	return p, s.Record(ctx, tx, orgID, entityPlan, p.ID, auditlog.Diff(nil, p))
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// planItems copies template items into plan items due day_offset days
// after the start date, at the end of that day.
func planItems(p *Plan, tpl []TemplateItem) []PlanItem {
	out := make([]PlanItem, len(tpl))
	for i, t := range tpl {
		out[i] = PlanItem{ID: ids.New(), OrgID: p.OrgID, PlanID: p.ID, Position: i + 1, Key: t.Key, Title: t.Title,
			Description: t.Description, Kind: t.Kind, Assignee: t.Assignee, DayOffset: t.DayOffset,
			DueAt: p.StartDate.Add(time.Duration(t.DayOffset+1) * dayLength), Weight: t.Weight, Required: t.Required,
			ArticleID: t.ArticleID, ReviewCount: t.ReviewCount, MinQualityPercent: t.MinQualityPercent}
	}
	return out
}

func anyRequired(items []PlanItem) bool {
	return slices.ContainsFunc(items, func(it PlanItem) bool { return it.Required })
}

// member returns an active member of the school; anyone else is a 422 on
// the field that named them.
func (s *Service) member(ctx context.Context, orgID, userID, location string) (*Member, error) {
	if !ids.Valid(userID) {
		return nil, errs.Invalid(location, "must be an active member of this school")
	}
	m, err := s.people.ActiveMember(ctx, orgID, userID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid(location, "must be an active member of this school")
	}
	return m, err
}

// Plan returns one plan the reader may see, worked out now.
func (s *Service) Plan(ctx context.Context, orgID, id string, r Reader) (*PlanView, error) {
	p, err := s.store.Plan(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	if !r.sees(p) {
		return nil, errs.NotFound("onboarding plan")
	}
	return s.loadView(ctx, s.DB, p)
}

// Plans returns a page of the plans the reader may see, worked out now.
func (s *Service) Plans(ctx context.Context, orgID string, r Reader, f PlanFilter) ([]PlanView, error) {
	if !r.SeesAll {
		f.Involving = r.UserID
	}
	plans, err := s.store.Plans(ctx, s.DB, orgID, f)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, s.DB, orgID, plans)
}

// views works out several plans with two queries for all their items and
// completions.
func (s *Service) views(ctx context.Context, db bun.IDB, orgID string, plans []Plan) ([]PlanView, error) {
	planIDs := make([]string, len(plans))
	for i := range plans {
		planIDs[i] = plans[i].ID
	}
	items, err := s.store.Items(ctx, db, orgID, planIDs)
	if err != nil {
		return nil, err
	}
	done, err := s.store.Completions(ctx, db, orgID, planIDs)
	if err != nil {
		return nil, err
	}
	itemsOf, doneOf := map[string][]PlanItem{}, map[string][]Completion{}
	for _, it := range items {
		itemsOf[it.PlanID] = append(itemsOf[it.PlanID], it)
	}
	for _, c := range done {
		doneOf[c.PlanID] = append(doneOf[c.PlanID], c)
	}
	now := s.Now()
	out := make([]PlanView, 0, len(plans))
	for i := range plans {
		v, err := s.view(ctx, &plans[i], itemsOf[plans[i].ID], doneOf[plans[i].ID], now)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// ChangeMentor gives the plan another mentor, or none. Audited.
func (s *Service) ChangeMentor(ctx context.Context, orgID, id string, version int64, mentorID *string) (*PlanView, error) {
	if mentorID != nil {
		if _, err := s.member(ctx, orgID, *mentorID, "body.mentor_id"); err != nil {
			return nil, err
		}
	}
	return s.changePlan(ctx, orgID, id, version, func(p *Plan) error {
		if mentorID != nil && *mentorID == p.UserID {
			return errs.Invalid("body.mentor_id", "a newcomer does not mentor themselves")
		}
		p.MentorID = mentorID
		return nil
	})
}

// Activate lets the newcomer take students before every required item is
// done: HR or the head decide, with a reason, and the audit log keeps it.
func (s *Service) Activate(ctx context.Context, orgID, id string, version int64, reason string) (*PlanView, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, errs.Invalid("body.reason", "say why the newcomer may start before finishing onboarding")
	}
	return s.changePlan(ctx, orgID, id, version, func(p *Plan) error {
		if p.ActivatedAt != nil {
			return errs.Conflict("the newcomer may already take students")
		}
		now, early := s.Now(), ActivationEarly
		p.ActivatedAt, p.Activation, p.ActivationReason, p.ActivatedBy = &now, &early, reason, actor(ctx)
		return nil
	})
}

// changePlan applies change to the plan at version in one audited
// transaction, after recording what other modules' facts completed.
func (s *Service) changePlan(ctx context.Context, orgID, id string, version int64, change func(p *Plan) error) (*PlanView, error) {
	var out *PlanView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Plan, *Plan]{
			What:   "the onboarding plan",
			Load:   func() (*Plan, error) { return s.store.LockPlan(ctx, tx, orgID, id) },
			Change: change,
			Write:  func(p *Plan, was int64) (bool, error) { return s.store.SavePlan(ctx, tx, p, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		if err := s.Record(ctx, tx, orgID, entityPlan, after.ID, auditlog.Diff(before, after)); err != nil {
			return err
		}
		out, err = s.settle(ctx, tx, after)
		return err
	})
	return out, err
}

// CompleteItem confirms a plan item that a person does: the newcomer their
// own items, the mentor theirs and the shadowing, HR (and whoever may
// manage plans) any but the shadowing, which only the mentor confirms.
// Items that complete themselves are refused. A completion is final.
func (s *Service) CompleteItem(ctx context.Context, orgID, planID, itemID string, r Reader, note string) (*PlanView, error) {
	var out *PlanView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := s.store.LockPlan(ctx, tx, orgID, planID)
		if err != nil {
			return err
		}
		if !r.sees(p) {
			return errs.NotFound("onboarding plan")
		}
		items, err := s.store.Items(ctx, tx, orgID, []string{p.ID})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(items, func(it PlanItem) bool { return it.ID == itemID })
		if i < 0 {
			return errs.NotFound("plan item")
		}
		it := &items[i]
		if err := mayConfirm(p, it, r); err != nil {
			return err
		}
		c := &Completion{ID: ids.New(), OrgID: orgID, PlanID: p.ID, ItemID: it.ID, DoneAt: s.Now(), DoneBy: r.UserID,
			Source: SourceManual, Note: strings.TrimSpace(note), CreatedAt: s.Now()}
		fresh, err := s.store.InsertCompletion(ctx, tx, c)
		if err != nil {
			return err
		}
		if !fresh {
			return errs.Conflict("this item is already done")
		}
		if err := s.Record(ctx, tx, orgID, entityCompletion, c.ID, completionChanges(it, c)); err != nil {
			return err
		}
		out, err = s.settle(ctx, tx, p)
		return err
	})
	return out, err
}

// mayConfirm applies the rule of who confirms which item.
func mayConfirm(p *Plan, it *PlanItem, r Reader) error {
	mentor := p.MentorID != nil && *p.MentorID == r.UserID
	switch {
	case it.Automatic():
		return errs.Conflict("%q completes itself from the %s; it cannot be confirmed by hand", it.Title, factOf(it.Kind))
	case it.Kind == KindShadow:
		if p.MentorID == nil {
			return errs.Conflict("the plan has no mentor to confirm the shadowing; assign one first")
		}
		if !mentor {
			return errs.Forbidden("only the newcomer's mentor confirms the shadowing")
		}
	case r.Manages:
	case it.Assignee == AssigneeNewcomer && p.UserID == r.UserID:
	case it.Assignee == AssigneeMentor && mentor:
	default:
		return errs.Forbidden("this item is confirmed by its assignee (%s)", it.Assignee)
	}
	return nil
}

func factOf(kind string) string {
	switch kind {
	case KindRegulation:
		return "knowledge base acknowledgment of the regulation's current revision"
	case KindQuiz:
		return "regulation's quiz, on a pass"
	}
	return "quality checks of the newcomer's reviews"
}

func completionChanges(it *PlanItem, c *Completion) map[string]auditlog.Change {
	return map[string]auditlog.Change{"plan_id": {After: c.PlanID}, "item_id": {After: it.ID}, "item": {After: it.Title},
		"done_at": {After: c.DoneAt}, "done_by": {After: c.DoneBy}, "source": {After: c.Source}, "note": {After: c.Note}}
}

// settle records, in tx, what other modules' facts completed (with the
// facts' times) and activates the plan once every required item is done,
// at the time the last of them was. It returns the plan as it stands.
func (s *Service) settle(ctx context.Context, tx bun.IDB, p *Plan) (*PlanView, error) {
	v, err := s.loadView(ctx, tx, p)
	if err != nil {
		return nil, err
	}
	for i := range v.Items {
		st := &v.Items[i]
		if st.DoneAt == nil || st.Recorded {
			continue
		}
		c := &Completion{ID: ids.New(), OrgID: p.OrgID, PlanID: p.ID, ItemID: st.Item.ID, DoneAt: *st.DoneAt, DoneBy: st.DoneBy,
			Source: st.Source, CreatedAt: s.Now()}
		fresh, err := s.store.InsertCompletion(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		st.Recorded = true
		if fresh {
			if err := s.Record(ctx, tx, p.OrgID, entityCompletion, c.ID, completionChanges(&st.Item, c)); err != nil {
				return nil, err
			}
		}
	}
	if p.ActivatedAt != nil || len(v.Unfinished()) > 0 {
		return v, nil
	}
	at := v.requiredDoneAt()
	completed := ActivationCompleted
	after := *p
	after.ActivatedAt, after.Activation, after.ActivatedBy = at, &completed, systemActor
	after.Bump(s.Now())
	ok, err := s.store.SavePlan(ctx, tx, &after, p.Version)
	if err != nil || !ok {
		// A plan changed meanwhile is settled by whoever changed it.
		return v, err
	}
	v.Plan = after
	return v, s.Record(ctx, tx, p.OrgID, entityPlan, p.ID, auditlog.Diff(p, &after))
}

// Unfinished names the user's required onboarding items not done yet; none
// when they have no plan or may take students. It only reads, so that
// the school and the review queue may ask inside their own transactions.
func (s *Service) Unfinished(ctx context.Context, db bun.IDB, orgID, userID string) ([]string, error) {
	p, err := s.store.PlanOf(ctx, db, orgID, userID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	if err != nil || p.ActivatedAt != nil {
		return nil, err
	}
	v, err := s.loadView(ctx, db, p)
	if err != nil {
		return nil, err
	}
	return v.Unfinished(), nil
}

func (s *Service) newcomers(ctx context.Context, orgID string) ([]string, error) {
	plans, err := s.store.OpenPlans(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	views, err := s.views(ctx, s.DB, orgID, plans)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range views {
		if len(views[i].Unfinished()) > 0 {
			out = append(out, views[i].Plan.UserID)
		}
	}
	return out, nil
}

// PeopleNames gives the display names of the school's present and former
// members among userIDs.
func (s *Service) PeopleNames(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	if len(userIDs) == 0 {
		return map[string]string{}, nil
	}
	return s.people.Names(ctx, orgID, userIDs)
}

// actor is who makes the request: a user id, or the name of a system
// principal (the demo seed).
func actor(ctx context.Context) string {
	p := reqctx.From(ctx).Principal
	if p == nil {
		return systemActor
	}
	if id := p.ActorID(); id != "" {
		return id
	}
	return p.Name
}
