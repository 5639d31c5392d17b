package sla

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// BenchmarkLargeSchool loads SLA_BENCH_MESSAGES messages (1,000,000) of one
// school — 120 days of conversations of 3,000 students with 28 curators —
// then times the 90-day compliance report by curator and by day and the
// at-risk view.
//
// The load bypasses the per-message event path: messages are generated in
// memory, classified and clocked by the same rules (needsReply, schedule,
// BusinessBetween on the demo calendar) and written with multi-row INSERTs
// of 1,000 rows, conversations, messages and clocks alike.
//
//	go test -run '^$' -bench LargeSchool -benchtime 5x -timeout 60m ./modules/sla/
//	CI_PG_PORT=56800 .ci/with-postgres go test -run '^$' -bench 'LargeSchool/postgres' -benchtime 5x -timeout 60m ./modules/sla/
func BenchmarkLargeSchool(b *testing.B) {
	total := 1000000
	if v, err := strconv.Atoi(os.Getenv("SLA_BENCH_MESSAGES")); err == nil && v > 0 {
		total = v
	}
	for _, dialect := range testkit.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := testkit.Open(b, dialect)
			ctx := context.Background()
			cal := demoCalendar(b)
			end := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
			orgID := ids.New()
			testkit.SeedOrg(b, db, orgID, "bench")
			started := time.Now()
			stats, err := loadHistory(ctx, db, cal, orgID, total, end)
			if err != nil {
				b.Fatal(err)
			}
			load := time.Since(started)
			b.Logf("%s: loaded %d messages, %d clocks (%d open) in %v (%.0f messages/s)", dialect, stats.messages, stats.clocks,
				stats.open, load.Round(time.Millisecond), float64(stats.messages)/load.Seconds())
			if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			svc := NewService(db, clock.NewFixed(end), nil, benchSchool{}, benchPeople{}, events.Discard{})
			b.Run("report-90d-by-curator", func(b *testing.B) {
				var r *Report
				for i := 0; i < b.N; i++ {
					if r, err = svc.Report(ctx, orgID, ReportInput{From: end.AddDate(0, 0, -90), To: end, GroupBy: "curator"}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(r.Total.Items+r.Total.Open+r.Total.Dismissed), "clocks")
				if r.Total.CompliancePercent != nil {
					b.ReportMetric(*r.Total.CompliancePercent, "compliance%")
				}
			})
			b.Run("report-90d-by-day", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err = svc.Report(ctx, orgID, ReportInput{From: end.AddDate(0, 0, -90), To: end, GroupBy: "day"}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("at-risk-30min", func(b *testing.B) {
				soon := end.Add(30 * time.Minute)
				for i := 0; i < b.N; i++ {
					if _, err := svc.OpenClocks(ctx, orgID, ClockFilter{DueAfter: &end, DueBefore: &soon, Limit: 50}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// benchSchool is in Moscow.
type benchSchool struct{ School }

func (benchSchool) TimeZone(context.Context, string) (string, error) { return "Europe/Moscow", nil }

// benchPeople knows nobody's name: the benchmark times the report itself.
type benchPeople struct{ People }

func (benchPeople) Names(context.Context, string, []string) (map[string]string, error) {
	return map[string]string{}, nil
}

type loadStats struct{ messages, clocks, open int }

// loadHistory generates and writes the history, batch by batch.
func loadHistory(ctx context.Context, db *bun.DB, cal *bizcal.Calendar, orgID string, total int, end time.Time) (loadStats, error) {
	const students, curators, batchRows = 3000, 28, 1000
	rnd := rand.New(rand.NewSource(1))
	phrases := newPhraseSet(DefaultNoReplyPhrases)
	begin := end.AddDate(0, 0, -120)
	cohorts := []string{ids.New(), ids.New(), ids.New()}
	curatorIDs := make([]string, curators)
	for i := range curatorIDs {
		curatorIDs[i] = ids.New()
	}
	var (
		st     loadStats
		convs  []Conversation
		msgs   []Message
		clocks []ResponseClock
	)
	flush := func(force bool) error {
		if !force && len(msgs) < batchRows*10 {
			return nil
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := 0; i < len(convs); i += batchRows {
				if _, err := tx.NewInsert().Model(ptr(convs[i:min(i+batchRows, len(convs))])).Exec(ctx); err != nil {
					return err
				}
			}
			for i := 0; i < len(msgs); i += batchRows {
				if err := (Store{}).InsertMessages(ctx, tx, msgs[i:min(i+batchRows, len(msgs))]); err != nil {
					return err
				}
			}
			for i := 0; i < len(clocks); i += batchRows {
				if err := (Store{}).InsertClocks(ctx, tx, clocks[i:min(i+batchRows, len(clocks))]); err != nil {
					return err
				}
			}
			convs, msgs, clocks = convs[:0], msgs[:0], clocks[:0]
			return nil
		})
	}
	texts := []string{"Здравствуйте, вопрос по заданию", "Не открывается урок", "Спасибо!", "ок", "Когда вебинар?", "👍", "И ещё вопрос"}
	for c := 0; st.messages < total; c++ {
		student := c % students
		conv := Conversation{ID: ids.New(), OrgID: orgID, Channel: []string{ChannelTelegram, ChannelTelegram, ChannelLMSComment, ChannelEmail}[c%4],
			StudentID: fmt.Sprintf("student-%04d", student), CreatedAt: begin}
		t := begin.Add(time.Duration(rnd.Int63n(int64(120 * 24 * time.Hour))))
		for t.Before(end) && st.messages < total {
			add := func(dir, author, text string, at time.Time, effect string, clockID *string) {
				msgs = append(msgs, Message{ID: ids.New(), OrgID: orgID, ConversationID: conv.ID, Direction: dir, AuthorKind: author,
					Kind: KindText, Text: text, SentAt: at, Effect: effect, ClockID: clockID, CreatedAt: at})
				st.messages++
			}
			text := texts[rnd.Intn(len(texts))]
			if !phrases.needsReply(KindText, text) {
				add(DirectionStudent, AuthorStudent, text, t, EffectNoReplyNeeded, nil)
				t = t.Add(time.Duration(1+rnd.Intn(72)) * time.Hour)
				continue
			}
			kind := ClockNext
			if conv.ClockCount == 0 {
				kind = ClockFirst
			}
			conv.ClockCount++
			due, warn := schedule(cal, t, 2*time.Hour, DefaultWarningPercent)
			k := ResponseClock{ID: ids.New(), OrgID: orgID, ConversationID: conv.ID, StudentID: conv.StudentID, CohortID: cohorts[student%3],
				Channel: conv.Channel, Kind: kind, Status: ClockOpen, StartedAt: t, LocalDay: t.In(cal.Location()).Format(time.DateOnly),
				MessageCount: 1, LastStudentMessageAt: t, DueAt: due, WarnAt: warn, TargetSeconds: 7200,
				CuratorID: curatorIDs[student%curators], CreatedAt: t, UpdatedAt: t, Version: 1}
			add(DirectionStudent, AuthorStudent, text, t, EffectStarted, &k.ID)
			for burst := rnd.Intn(3); burst > 0; burst-- {
				k.MessageCount++
				k.LastStudentMessageAt = k.LastStudentMessageAt.Add(time.Duration(1+rnd.Intn(5)) * time.Minute)
				add(DirectionStudent, AuthorStudent, "И ещё", k.LastStudentMessageAt, EffectJoined, &k.ID)
			}
			if rnd.Intn(5) == 0 {
				add(DirectionStaff, AuthorBot, "Куратор скоро ответит", t.Add(time.Second), EffectNone, nil)
			}
			delay := time.Duration(2+rnd.Intn(110)) * time.Minute
			if rnd.Intn(6) == 0 {
				delay = time.Duration(120+rnd.Intn(600)) * time.Minute
			}
			reply := cal.AddBusiness(t, delay).UTC()
			if reply.After(end) {
				clocks = append(clocks, k)
				st.clocks++
				st.open++
				break
			}
			secs := int64(cal.BusinessBetween(t, reply) / time.Second)
			k.Status, k.StoppedAt, k.BusinessSeconds, k.Breached = ClockAnswered, &reply, &secs, reply.After(due)
			add(DirectionStaff, AuthorStaff, "Ответ", reply, EffectStopped, &k.ID)
			clocks = append(clocks, k)
			st.clocks++
			if rnd.Intn(3) == 0 {
				add(DirectionStudent, AuthorStudent, "спасибо", reply.Add(2*time.Minute), EffectNoReplyNeeded, nil)
			}
			t = reply.Add(time.Duration(1+rnd.Intn(96)) * time.Hour)
		}
		last := t
		conv.LastMessageAt = &last
		convs = append(convs, conv)
		if err := flush(false); err != nil {
			return st, err
		}
	}
	return st, flush(true)
}

func ptr[T any](v []T) *[]T { return &v }
