package sla

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/background"
)

// Outbound event types.
const (
	EventWarning  = "sla.warning"
	EventBreached = "sla.breached"
)

// SetLogger sets where Run reports failures.
func (s *Service) SetLogger(l *slog.Logger) { s.logger = l }

// telegramLimit is the longest text one Telegram message may carry.
const telegramLimit = 4096

// Notification is the payload of sla.warning and sla.breached. Text is
// plain text (no parse mode), at most 4096 characters, so a bot can relay
// it to Telegram as it is.
type Notification struct {
	ClockID        string      `json:"clock_id"`
	ConversationID string      `json:"conversation_id"`
	StudentID      string      `json:"student_id"`
	Channel        string      `json:"channel"`
	Kind           string      `json:"kind"`
	StartedAt      time.Time   `json:"started_at"`
	DueAt          time.Time   `json:"due_at"`
	CuratorID      string      `json:"curator_id,omitempty"`
	Recipients     []Recipient `json:"recipients"`
	Text           string      `json:"text"`
	ParseMode      string      `json:"parse_mode"`
}

// RunResult counts what one pass sent.
type RunResult struct {
	Warnings int
	Breaches int
	Deferred int // warnings held back by quiet hours
}

// batch bounds the clocks one pass looks at per kind.
const batch = 200

// RunOnce sends the warnings and breach notices due at now. Each is
// claimed with a conditional update in its own transaction and published
// in that same transaction, so with several replicas every notice leaves
// exactly once: the update that finds warned_at (or breach_notified_at)
// still empty wins, the others change nothing and send nothing. Warnings
// that fall into a school's quiet hours wait until they end; breaches are
// marked on the clock at once and announced when quiet hours end.
func (s *Service) RunOnce(ctx context.Context, now time.Time) (RunResult, error) {
	var res RunResult
	quiet := map[string]time.Time{}
	quietAt := func(orgID string) (time.Time, error) {
		if until, ok := quiet[orgID]; ok {
			return until, nil
		}
		st, err := s.store.Settings(ctx, s.db, orgID)
		if err != nil {
			return time.Time{}, err
		}
		loc, err := s.location(ctx, orgID)
		if err != nil {
			return time.Time{}, err
		}
		quiet[orgID] = quietUntil(st, loc, now)
		return quiet[orgID], nil
	}
	// A school in its quiet hours may hold a whole batch of deferred
	// warnings; look again without it so that other schools still get theirs.
	var skip []string
	for round := 0; round < 5; round++ {
		warnings, err := s.store.DueWarnings(ctx, s.db, now, skip, batch)
		if err != nil {
			return res, err
		}
		quietSeen := false
		for i := range warnings {
			c := &warnings[i]
			until, err := quietAt(c.OrgID)
			if err != nil {
				return res, err
			}
			if !until.IsZero() {
				res.Deferred++
				if !slices.Contains(skip, c.OrgID) {
					skip = append(skip, c.OrgID)
					quietSeen = true
				}
				continue
			}
			if !c.DueAt.After(now) {
				// Too late to warn: the breach notice says it all.
				if _, err := s.store.ClaimWarning(ctx, s.db, c.ID, now); err != nil {
					return res, err
				}
				continue
			}
			sent, err := s.notify(ctx, c, now, EventWarning)
			if err != nil {
				return res, err
			}
			if sent {
				res.Warnings++
			}
		}
		if len(warnings) < batch || !quietSeen {
			break
		}
	}
	skip = skip[:0]
	for round := 0; round < 5; round++ {
		breaches, err := s.store.DueBreaches(ctx, s.db, now, skip, batch)
		if err != nil {
			return res, err
		}
		quietSeen := false
		for i := range breaches {
			c := &breaches[i]
			until, err := quietAt(c.OrgID)
			if err != nil {
				return res, err
			}
			if !until.IsZero() {
				// Recorded now, announced when the quiet hours end.
				if err := s.store.MarkBreached(ctx, s.db, c.ID, now); err != nil {
					return res, err
				}
				if !slices.Contains(skip, c.OrgID) {
					skip = append(skip, c.OrgID)
					quietSeen = true
				}
				continue
			}
			sent, err := s.notify(ctx, c, now, EventBreached)
			if err != nil {
				return res, err
			}
			if sent {
				res.Breaches++
			}
		}
		if len(breaches) < batch || !quietSeen {
			break
		}
	}
	return res, nil
}

// notify claims one notice and publishes it in the same transaction.
func (s *Service) notify(ctx context.Context, c *Clock, now time.Time, eventType string) (bool, error) {
	to, err := s.recipients(ctx, c, eventType)
	if err != nil {
		return false, err
	}
	loc, err := s.location(ctx, c.OrgID)
	if err != nil {
		return false, err
	}
	sent := false
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		claim := s.store.ClaimWarning
		if eventType == EventBreached {
			claim = s.store.ClaimBreach
		}
		ok, err := claim(ctx, tx, c.ID, now)
		if err != nil || !ok {
			return err
		}
		sent = true
		return s.events.Publish(ctx, tx, c.OrgID, eventType, Notification{
			ClockID: c.ID, ConversationID: c.ConversationID, StudentID: c.StudentID, Channel: c.Channel, Kind: c.Kind,
			StartedAt: c.StartedAt, DueAt: c.DueAt, CuratorID: c.CuratorID, Recipients: to,
			Text: messageText(c, eventType, loc, now), ParseMode: "",
		})
	})
	return sent, err
}

// recipients: a warning goes to the responsible curator (to the senior
// curators when the clock has none); a breach goes to the senior curators
// and the head of service.
func (s *Service) recipients(ctx context.Context, c *Clock, eventType string) ([]Recipient, error) {
	var roles []string
	if eventType == EventWarning && c.CuratorID != "" {
		p, err := s.people.Person(ctx, c.OrgID, c.CuratorID)
		if err == nil {
			return []Recipient{p}, nil
		}
	}
	roles = []string{"senior_curator"}
	if eventType == EventBreached {
		roles = append(roles, "head_of_service")
	}
	out := []Recipient{}
	seen := map[string]bool{}
	for _, role := range roles {
		people, err := s.people.WithRole(ctx, c.OrgID, role)
		if err != nil {
			return nil, err
		}
		for _, p := range people {
			if !seen[p.UserID] {
				seen[p.UserID] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// messageText is the plain-text notice, in Russian like the schools that
// read it, cut to Telegram's limit.
func messageText(c *Clock, eventType string, loc *time.Location, now time.Time) string {
	due := c.DueAt.In(loc).Format("02.01 15:04")
	var text string
	if eventType == EventWarning {
		left := int(c.DueAt.Sub(now).Round(time.Minute) / time.Minute)
		text = fmt.Sprintf("⏰ SLA: студент ждёт ответа (%s, %s). Срок ответа — %s, через %d мин.\nКлок: %s",
			channelName(c.Channel), kindName(c.Kind), due, left, c.ID)
	} else {
		text = fmt.Sprintf("🔴 SLA нарушен: студент не получил ответ к сроку %s (%s, %s). Сообщений без ответа: %d.\nКлок: %s",
			due, channelName(c.Channel), kindName(c.Kind), c.MessageCount, c.ID)
	}
	return truncate(text, telegramLimit)
}

func channelName(ch string) string {
	switch ch {
	case ChannelTelegram:
		return "Telegram"
	case ChannelLMSComment:
		return "комментарий в LMS"
	case ChannelEmail:
		return "почта"
	}
	return "другой канал"
}

func kindName(kind string) string {
	if kind == ClockFirst {
		return "первый ответ"
	}
	return "следующий ответ"
}

func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit-1]) + "…"
}

// RunInterval is how often Run looks for due notices.
const RunInterval = 30 * time.Second

// Start sends due notices every RunInterval in the background until ctx
// ends; the returned stop ends it and waits, so that the database is not
// closed under a pass in flight. Safe on every replica at once (see RunOnce).
func (s *Service) Start(ctx context.Context) (stop func()) {
	logger := s.logger
	if logger == nil {
		logger = slog.Default()
	}
	return background.Every(ctx, RunInterval, logger, "sla-notices", func(ctx context.Context) error {
		_, err := s.RunOnce(ctx, s.now())
		return err
	})
}
