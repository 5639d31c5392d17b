package kb

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/ids"
)

// OverdueReading is the payload of a kb.reading_overdue event.
type OverdueReading struct {
	ReminderID   string    `json:"reminder_id"`
	ArticleID    string    `json:"article_id"`
	ArticleTitle string    `json:"article_title"`
	RevisionID   string    `json:"revision_id"`
	UserID       string    `json:"user_id"`
	UserEmail    string    `json:"user_email"`
	DueAt        time.Time `json:"due_at"`
}

// EmitOverdueReminders publishes one kb.reading_overdue event for every
// person and required revision overdue at now, in every school. It is
// idempotent: a person is reminded of a revision once, however often it
// runs. It returns how many reminders it emitted.
func (s *Service) EmitOverdueReminders(ctx context.Context, now time.Time) (int, error) {
	orgs, err := s.store.OrgsWithRequiredReading(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, orgID := range orgs {
		n, err := s.EmitOrgReminders(ctx, orgID, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// EmitOrgReminders is EmitOverdueReminders for one school.
func (s *Service) EmitOrgReminders(ctx context.Context, orgID string, now time.Time) (int, error) {
	people, err := s.people.ActivePeople(ctx, orgID, "")
	if err != nil {
		return 0, err
	}
	emitted := 0
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		emitted = 0
		b, err := s.loadBook(ctx, tx, orgID, "")
		if err != nil {
			return err
		}
		for i := range people {
			p := &people[i]
			for _, it := range b.items(p, now) {
				if it.Status != ReadingOverdue {
					continue
				}
				r := &Reminder{ID: ids.New(), OrgID: orgID, ArticleID: it.Article.ID, RevisionID: it.AckRevision.ID,
					UserID: p.UserID, DueAt: it.DueAt, RemindedAt: now}
				fresh, err := s.store.InsertReminder(ctx, tx, r)
				if err != nil {
					return err
				}
				if !fresh {
					continue
				}
				if err := s.events.Publish(ctx, tx, orgID, EventReadingOverdue, OverdueReading{
					ReminderID: r.ID, ArticleID: r.ArticleID, ArticleTitle: it.Article.Title, RevisionID: r.RevisionID,
					UserID: p.UserID, UserEmail: p.Email, DueAt: r.DueAt.UTC()}); err != nil {
					return err
				}
				emitted++
			}
		}
		return nil
	})
	return emitted, err
}

// Reminders returns a page of the reminders a school has emitted.
func (s *Service) Reminders(ctx context.Context, orgID string, f ReminderFilter) ([]Reminder, error) {
	return s.store.Reminders(ctx, s.DB, orgID, f)
}
