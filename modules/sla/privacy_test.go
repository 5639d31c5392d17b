package sla

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/privacy"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

func TestEraseSubject(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
		orgID := ids.New()
		testkit.SeedOrg(t, db, orgID, "x")
		var st Store
		convs := map[string]string{}
		for _, student := range []string{"erased", "kept"} {
			c := &Conversation{ID: ids.New(), OrgID: orgID, Channel: ChannelTelegram, StudentID: student, CreatedAt: now}
			if err := st.InsertConversation(ctx, db, c); err != nil {
				t.Fatal(err)
			}
			convs[student] = c.ID
			for _, text := range []string{"Меня зовут Анна, мой телефон +7 900 000-00-00", ""} {
				if err := st.InsertMessage(ctx, db, &Message{ID: ids.New(), OrgID: orgID, ConversationID: c.ID, Direction: DirectionStudent,
					AuthorKind: AuthorStudent, Kind: KindText, Text: text, SentAt: now, Effect: EffectStarted, CreatedAt: now}); err != nil {
					t.Fatal(err)
				}
			}
		}
		svc := NewService(db, clock.NewFixed(now), nil, nil, nil, events.Discard{})
		if err := svc.EraseSubject(ctx, db, privacy.Subject{OrgID: orgID, EntityType: "student", EntityID: "erased"}); err != nil {
			t.Fatal(err)
		}
		for student, want := range map[string]string{"erased": privacy.Replacement, "kept": "Меня зовут Анна, мой телефон +7 900 000-00-00"} {
			ms, err := st.ListMessages(ctx, db, orgID, convs[student], 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			texts := map[string]bool{}
			for _, m := range ms {
				texts[m.Text] = true
			}
			if len(ms) != 2 || !texts[want] || !texts[""] {
				t.Errorf("%s: texts %v, want %q and an empty one", student, texts, want)
			}
		}
	})
}
