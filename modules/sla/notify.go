package sla

import (
	"context"
	"fmt"
	"log/slog"
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
	Failed   int // schools and clocks skipped because they could not be read or notified; each is logged
}

// noticeBatch bounds the clocks of one school one pass looks at per kind of
// notice; the rest wait for the next pass.
const noticeBatch = 200

// notice is one kind of notice RunOnce sends.
type notice struct {
	event string
	// due lists the ids of one school's open clocks the notice is due for.
	due func(ctx context.Context, db bun.IDB, orgID string, now time.Time, limit int) ([]string, error)
	// sent counts the notices published.
	sent *int
}

// RunOnce sends the warnings and breach notices due at now, school by
// school and clock by clock, so that a school or a clock that cannot be
// read or notified is logged and skipped while every other school still
// gets its notices; only a failure to find the schools at all is returned.
//
// Each notice is claimed with a conditional update in its own transaction
// and published in that same transaction, so with several replicas every
// notice leaves exactly once: the update that finds warned_at (or
// breach_notified_at) still empty wins, the others change nothing and send
// nothing. Warnings that fall into a school's quiet hours wait until they
// end; breaches are marked on the clocks at once and announced when quiet
// hours end.
func (s *Service) RunOnce(ctx context.Context, now time.Time) (RunResult, error) {
	var res RunResult
	schools, err := s.store.SchoolsWithDueNotices(ctx, s.DB, now)
	if err != nil {
		return res, err
	}
	kinds := []notice{
		{event: EventWarning, due: s.store.DueWarnings, sent: &res.Warnings},
		{event: EventBreached, due: s.store.DueBreaches, sent: &res.Breaches},
	}
	for _, orgID := range schools {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := s.schoolNotices(ctx, orgID, now, kinds, &res); err != nil {
			res.Failed++
			s.log().ErrorContext(ctx, "sla notices: school skipped", "org_id", orgID, "error", err)
		}
	}
	return res, nil
}

// schoolNotices deals with one school's due notices.
func (s *Service) schoolNotices(ctx context.Context, orgID string, now time.Time, kinds []notice, res *RunResult) error {
	quiet, err := s.inQuietHours(ctx, orgID, now)
	if err != nil {
		return err
	}
	if quiet {
		waiting, err := s.store.CountDueWarnings(ctx, s.DB, orgID, now)
		if err != nil {
			return err
		}
		res.Deferred += waiting
		return s.store.MarkBreaches(ctx, s.DB, orgID, now)
	}
	for _, n := range kinds {
		clockIDs, err := n.due(ctx, s.DB, orgID, now, noticeBatch)
		if err != nil {
			return err
		}
		for _, id := range clockIDs {
			sent, err := s.clockNotice(ctx, orgID, id, now, n.event)
			if err != nil {
				res.Failed++
				s.log().ErrorContext(ctx, "sla notices: clock skipped", "org_id", orgID, "clock_id", id, "event", n.event, "error", err)
				continue
			}
			if sent {
				*n.sent++
			}
		}
	}
	return nil
}

// clockNotice reads one clock and sends it the notice, saying whether it
// published one.
func (s *Service) clockNotice(ctx context.Context, orgID, id string, now time.Time, event string) (bool, error) {
	c, err := s.store.ResponseClock(ctx, s.DB, orgID, id)
	if err != nil {
		return false, err
	}
	if event == EventWarning && !c.DueAt.After(now) {
		// Too late to warn: the breach notice says it all.
		_, err := s.store.ClaimWarning(ctx, s.DB, c.ID, now)
		return false, err
	}
	return s.notify(ctx, c, now, event)
}

// inQuietHours reports whether the school is in its quiet hours at now.
func (s *Service) inQuietHours(ctx context.Context, orgID string, now time.Time) (bool, error) {
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if err != nil {
		return false, err
	}
	loc, err := s.location(ctx, orgID)
	if err != nil {
		return false, err
	}
	return !quietUntil(st, loc, now).IsZero(), nil
}

// log is where background failures go.
func (s *Service) log() *slog.Logger {
	if s.logger != nil {
		return s.logger
	}
	return slog.Default()
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
	return background.Every(ctx, RunInterval, s.log(), "sla-notices", func(ctx context.Context) error {
		_, err := s.RunOnce(ctx, s.Now())
		return err
	})
}
