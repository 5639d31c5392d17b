package kb

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// The service is tested here against its own fakes of the other modules:
// a recording publisher, a fixed staff list and an audit log that keeps
// nothing.

type published struct {
	orgID, eventType string
	payload          OverdueReading
}

type recordingPublisher struct{ events []published }

func (p *recordingPublisher) Publish(_ context.Context, _ bun.IDB, orgID, eventType string, payload any) error {
	raw, _ := json.Marshal(payload)
	var ev OverdueReading
	_ = json.Unmarshal(raw, &ev)
	p.events = append(p.events, published{orgID, eventType, ev})
	return nil
}

type staff []Person

func (s staff) ActivePeople(_ context.Context, _, role string) ([]Person, error) {
	var out []Person
	for _, p := range s {
		if role == "" || List(p.Roles).has(role) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s staff) ActivePerson(_ context.Context, _, userID string) (*Person, error) {
	for i := range s {
		if s[i].UserID == userID {
			return &s[i], nil
		}
	}
	return nil, errs.NotFound("active member")
}

type noAudit struct{}

func (noAudit) Record(context.Context, bun.IDB, auditlog.Entry) error { return nil }

// insertRows adds the school and user rows the knowledge base refers to.
func insertRows(t *testing.T, db *bun.DB, orgID string, people staff) {
	t.Helper()
	testkit.SeedOrg(t, db, orgID, "s"+orgID[:8])
	for _, p := range people {
		testkit.SeedUser(t, db, p.UserID, p.Email, p.Name)
	}
}

func TestEmitOverdueRemindersPublishesOncePerPersonAndRevision(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		orgID := ids.New()
		people := staff{
			{UserID: ids.New(), Email: "a@s.test", Name: "Анна", Roles: []string{"curator"}, JoinedAt: start},
			{UserID: ids.New(), Email: "b@s.test", Name: "Борис", Roles: []string{"curator"}, JoinedAt: start},
			{UserID: ids.New(), Email: "h@s.test", Name: "Ирина", Roles: []string{"hr"}, JoinedAt: start},
		}
		insertRows(t, db, orgID, people)
		c := clock.NewFixed(start)
		pub := &recordingPublisher{}
		svc := NewService(db, c, noAudit{}, people, pub)
		ctx := reqctx.System(context.Background(), "test")
		editor := Viewer{UserID: people[2].UserID, Roles: []string{"head_of_service"}, SeesAll: true}

		view, err := svc.CreateArticle(ctx, editor, orgID, NewArticle{Category: "refunds", Title: "Возвраты", Body: "Текст",
			Audience: Audience{RequiredRoles: []string{"curator"}, DueDays: 2, DueFrom: DueFromPublication}})
		if err != nil {
			t.Fatal(err)
		}
		view, err = svc.Publish(ctx, editor, orgID, view.Article.ID, view.Article.Version, ChangeMajor)
		if err != nil {
			t.Fatal(err)
		}
		anna := Viewer{UserID: people[0].UserID, Roles: []string{"curator"}}
		if _, err := svc.Acknowledge(ctx, anna, orgID, view.Article.ID, view.Article.CurrentRevisionID, ""); err != nil {
			t.Fatal(err)
		}

		if n, err := svc.EmitOverdueReminders(ctx, start.Add(47*time.Hour)); err != nil || n != 0 || len(pub.events) != 0 {
			t.Fatalf("before the due date: %d %v %+v", n, err, pub.events)
		}
		due := start.Add(48 * time.Hour)
		if n, err := svc.EmitOverdueReminders(ctx, due.Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("emitted %d (%v), want Борис only", n, err)
		}
		if len(pub.events) != 1 {
			t.Fatalf("published %+v", pub.events)
		}
		ev := pub.events[0]
		if ev.orgID != orgID || ev.eventType != "kb.reading_overdue" || ev.payload.UserID != people[1].UserID ||
			ev.payload.UserEmail != "b@s.test" || ev.payload.ArticleID != view.Article.ID || ev.payload.RevisionID != view.Article.AckRevisionID ||
			!ev.payload.DueAt.Equal(due) || ev.payload.ArticleTitle != "Возвраты" || ev.payload.ReminderID == "" {
			t.Fatalf("event %+v", ev)
		}
		for i := 0; i < 3; i++ {
			if n, err := svc.EmitOverdueReminders(ctx, due.Add(time.Duration(i+2)*time.Hour)); err != nil || n != 0 {
				t.Fatalf("run %d emitted %d (%v): a reminder goes out once", i, n, err)
			}
		}
		if len(pub.events) != 1 {
			t.Fatalf("published twice: %+v", pub.events)
		}
		rs, err := svc.Reminders(ctx, orgID, ReminderFilter{Limit: 10})
		if err != nil || len(rs) != 1 || rs[0].ID != ev.payload.ReminderID {
			t.Fatalf("kept reminders %+v %v", rs, err)
		}
	})
}

func TestReadingFollowsMembership(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		orgID := ids.New()
		people := staff{{UserID: ids.New(), Email: "a@s.test", Name: "Анна", Roles: []string{"curator"}, JoinedAt: start}}
		insertRows(t, db, orgID, people)
		svc := NewService(db, clock.NewFixed(start), noAudit{}, people, &recordingPublisher{})
		ctx := reqctx.System(context.Background(), "test")
		stranger := Viewer{UserID: ids.New(), Roles: []string{"curator"}}
		if _, err := svc.MyReading(ctx, stranger, orgID, ReadingFilter{Limit: 10}); err == nil {
			t.Fatal("someone who is not an active member has no reading")
		}
		items, err := svc.MyReading(ctx, Viewer{UserID: people[0].UserID, Roles: people[0].Roles}, orgID, ReadingFilter{Limit: 10})
		if err != nil || len(items) != 0 {
			t.Fatalf("no required articles yet: %+v %v", items, err)
		}
	})
}
