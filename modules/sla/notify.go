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

const (
	// noticeBatch bounds the clocks one round looks at per kind of notice.
	noticeBatch = 200
	// noticeRounds bounds the rounds per kind of notice in one pass. A round
	// that meets schools in their quiet hours is followed by one without
	// them, since such a school may hold a whole batch of deferred notices
	// and keep the other schools' from being sent; whatever is left after
	// the last round waits for the next pass.
	noticeRounds = 5
)

// RunOnce sends the warnings and breach notices due at now. Each is
// claimed with a conditional update in its own transaction and published
// in that same transaction, so with several replicas every notice leaves
// exactly once: the update that finds warned_at (or breach_notified_at)
// still empty wins, the others change nothing and send nothing. Warnings
// that fall into a school's quiet hours wait until they end; breaches are
// marked on the clock at once and announced when quiet hours end.
func (s *Service) RunOnce(ctx context.Context, now time.Time) (RunResult, error) {
	var res RunResult
	quiet := s.quietHours(ctx, now)
	warnings := notice{
		due:  s.store.DueWarnings,
		hold: func(*ResponseClock) error { res.Deferred++; return nil },
		send: func(c *ResponseClock) (bool, error) {
			if !c.DueAt.After(now) {
				// Too late to warn: the breach notice says it all.
				_, err := s.store.ClaimWarning(ctx, s.DB, c.ID, now)
				return false, err
			}
			return s.notify(ctx, c, now, EventWarning)
		},
		sent: &res.Warnings,
	}
	breaches := notice{
		due: s.store.DueBreaches,
		// Recorded now, announced when the quiet hours end.
		hold: func(c *ResponseClock) error { return s.store.MarkBreached(ctx, s.DB, c.ID, now) },
		send: func(c *ResponseClock) (bool, error) { return s.notify(ctx, c, now, EventBreached) },
		sent: &res.Breaches,
	}
	for _, n := range []notice{warnings, breaches} {
		if err := s.drain(ctx, now, quiet, n); err != nil {
			return res, err
		}
	}
	return res, nil
}

// notice is one kind of notice RunOnce sends.
type notice struct {
	// due lists open clocks the notice is due for, outside the schools in skip.
	due func(ctx context.Context, db bun.IDB, now time.Time, skip []string, limit int) ([]ResponseClock, error)
	// hold deals with a clock of a school in its quiet hours.
	hold func(c *ResponseClock) error
	// send deals with a clock of a school outside them and says whether
	// it published the notice.
	send func(c *ResponseClock) (bool, error)
	// sent counts the notices published.
	sent *int
}

// drain deals with every clock the notice is due for, in rounds of
// noticeBatch clocks: each round skips the schools that earlier rounds
// found in their quiet hours, and another round follows only when this one
// was full and met a school in quiet hours for the first time.
func (s *Service) drain(ctx context.Context, now time.Time, quietAt func(orgID string) (time.Time, error), n notice) error {
	var skip []string
	for round := 0; round < noticeRounds; round++ {
		clocks, err := n.due(ctx, s.DB, now, skip, noticeBatch)
		if err != nil {
			return err
		}
		quietSeen := false
		for i := range clocks {
			c := &clocks[i]
			until, err := quietAt(c.OrgID)
			if err != nil {
				return err
			}
			if !until.IsZero() {
				if err := n.hold(c); err != nil {
					return err
				}
				if !slices.Contains(skip, c.OrgID) {
					skip = append(skip, c.OrgID)
					quietSeen = true
				}
				continue
			}
			sent, err := n.send(c)
			if err != nil {
				return err
			}
			if sent {
				*n.sent++
			}
		}
		if len(clocks) < noticeBatch || !quietSeen {
			return nil
		}
	}
	return nil
}

// quietHours returns, for one pass at now, until when a school is in its
// quiet hours (zero: it is not); each school is looked up once.
func (s *Service) quietHours(ctx context.Context, now time.Time) func(orgID string) (time.Time, error) {
	quiet := map[string]time.Time{}
	return func(orgID string) (time.Time, error) {
		if until, ok := quiet[orgID]; ok {
			return until, nil
		}
		st, err := s.store.Settings(ctx, s.DB, orgID)
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
}

// location is the school's time zone.
func (s *Service) location(ctx context.Context, orgID string) (*time.Location, error) {
	tz, err := s.school.TimeZone(ctx, orgID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("school %s has an unknown time zone %q: %w", orgID, tz, err)
	}
	return loc, nil
}

// notify claims one notice and publishes it in the same transaction.
func (s *Service) notify(ctx context.Context, c *ResponseClock, now time.Time, eventType string) (bool, error) {
	to, err := s.recipients(ctx, c, eventType)
	if err != nil {
		return false, err
	}
	loc, err := s.location(ctx, c.OrgID)
	if err != nil {
		return false, err
	}
	sent := false
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
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
func (s *Service) recipients(ctx context.Context, c *ResponseClock, eventType string) ([]Recipient, error) {
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
func messageText(c *ResponseClock, eventType string, loc *time.Location, now time.Time) string {
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
		_, err := s.RunOnce(ctx, s.Now())
		return err
	})
}
