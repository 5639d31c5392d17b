package onboarding

import (
	"context"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/background"
)

// OverdueItem is the payload of onboarding.item_overdue: who should do
// what by when, for the notice bots.
type OverdueItem struct {
	PlanID    string    `json:"plan_id"`
	ItemID    string    `json:"item_id"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	Assignee  string    `json:"assignee"`
	Required  bool      `json:"required"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	MentorID  *string   `json:"mentor_id"`
	DueAt     time.Time `json:"due_at"`
	StartDate string    `json:"start_date"`
}

// PassResult counts what one pass did.
type PassResult struct {
	Recorded  int // plans whose facts were recorded (completions, activation)
	Reminders int // onboarding.item_overdue events published
	Failed    int // plans skipped because they could not be read; each is logged
}

// RunOnce visits every plan with work left: it records the completions
// other modules' facts made (with the facts' times) and the activation
// they led to, and publishes one onboarding.item_overdue per item past its
// due date and not done. Each plan is settled in its own transaction and
// each reminder claimed with a conditional update there, so several
// replicas send each reminder once.
func (s *Service) RunOnce(ctx context.Context, logger *slog.Logger) (PassResult, error) {
	var res PassResult
	orgs, err := s.store.OrgsWithPlans(ctx, s.DB)
	if err != nil {
		return res, err
	}
	for _, orgID := range orgs {
		plans, err := s.store.PlansWithOpenItems(ctx, s.DB, orgID)
		if err != nil {
			logger.Error("onboarding pass: plans unreadable", "org", orgID, "error", err)
			res.Failed++
			continue
		}
		names, err := s.names(ctx, orgID, plans)
		if err != nil {
			return res, err
		}
		for i := range plans {
			sent, err := s.passPlan(ctx, &plans[i], names[plans[i].UserID])
			if err != nil {
				logger.Error("onboarding pass: plan skipped", "org", orgID, "plan", plans[i].ID, "error", err)
				res.Failed++
				continue
			}
			res.Recorded++
			res.Reminders += sent
		}
	}
	return res, nil
}

func (s *Service) names(ctx context.Context, orgID string, plans []Plan) (map[string]string, error) {
	userIDs := make([]string, len(plans))
	for i := range plans {
		userIDs[i] = plans[i].UserID
	}
	return s.people.Names(ctx, orgID, userIDs)
}

// passPlan settles one plan and sends its due reminders in one transaction.
func (s *Service) passPlan(ctx context.Context, plan *Plan, name string) (int, error) {
	sent := 0
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		sent = 0
		p, err := s.store.LockPlan(ctx, tx, plan.OrgID, plan.ID)
		if err != nil {
			return err
		}
		v, err := s.settle(ctx, tx, p)
		if err != nil {
			return err
		}
		for _, st := range v.Items {
			if st.Status != ItemOverdue || st.Item.RemindedAt != nil {
				continue
			}
			claimed, err := s.store.ClaimReminder(ctx, tx, p.OrgID, st.Item.ID, v.At)
			if err != nil {
				return err
			}
			if !claimed {
				continue
			}
			if err := s.publish.Publish(ctx, tx, p.OrgID, EventItemOverdue, OverdueItem{PlanID: p.ID, ItemID: st.Item.ID,
				Title: st.Item.Title, Kind: st.Item.Kind, Assignee: st.Item.Assignee, Required: st.Item.Required, UserID: p.UserID,
				UserName: name, MentorID: v.Plan.MentorID, DueAt: st.Item.DueAt.UTC(), StartDate: p.StartDate.Format(time.DateOnly)}); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

// passInterval is how often the background pass runs.
const passInterval = 5 * time.Minute

// Start runs RunOnce every few minutes until ctx ends; the returned stop
// waits for a pass in progress.
func (s *Service) Start(ctx context.Context, logger *slog.Logger) (stop func()) {
	return background.Every(ctx, passInterval, logger, "onboarding", func(ctx context.Context) error {
		_, err := s.RunOnce(ctx, logger)
		return err
	})
}
