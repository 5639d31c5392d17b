// Package sla measures how fast a school answers its students: every
// student message that needs an answer starts (or joins) a response clock,
// the first human staff reply in the same conversation stops it, and the
// clock's due time is business time on the school's calendar under the
// policy version it started with.
package sla

import (
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// Channels, directions, author kinds, message kinds.
const (
	ChannelTelegram   = "telegram"
	ChannelLMSComment = "lms_comment"
	ChannelEmail      = "email"
	ChannelOther      = "other"

	DirectionStudent = "student"
	DirectionStaff   = "staff"

	AuthorStudent = "student"
	AuthorStaff   = "staff"
	AuthorBot     = "bot"

	KindText     = "text"
	KindSticker  = "sticker"
	KindReaction = "reaction"
	KindSystem   = "system"
)

// channels are the channel values; the API's enums list the same.
var channels = []string{ChannelTelegram, ChannelLMSComment, ChannelEmail, ChannelOther}

func validChannel(ch string) bool { return slices.Contains(channels, ch) }

// channelLabels are the channels as reports name them.
var channelLabels = map[string]string{ChannelTelegram: "Telegram", ChannelLMSComment: "LMS comments", ChannelEmail: "Email",
	ChannelOther: "Other"}

// ChannelLabel is the channel's name for people; the value itself when it
// has none.
func ChannelLabel(ch string) string {
	if label, ok := channelLabels[ch]; ok {
		return label
	}
	return ch
}

// What a message did to the conversation's clock.
const (
	EffectStarted       = "started"         // started a new clock
	EffectJoined        = "joined"          // joined the open clock (a burst)
	EffectStopped       = "stopped"         // a human reply stopped the open clock
	EffectNoReplyNeeded = "no_reply_needed" // thanks, stickers, emoji: no answer expected
	EffectNone          = "none"            // bot replies, reactions, replies with nothing waiting
)

// Response clock kinds and statuses.
const (
	ClockFirst = "first"
	ClockNext  = "next"

	ClockOpen      = "open"
	ClockAnswered  = "answered"
	ClockDismissed = "dismissed"
)

// Policy version statuses.
const (
	VersionDraft      = "draft"
	VersionActive     = "active"
	VersionSuperseded = "superseded"
)

// Defaults for a school without any active policy.
const (
	DefaultTargetMinutes  = 120
	DefaultWarningPercent = 75 // 90 minutes of 120
)

// Conversation is one thread with a student in one channel.
type Conversation struct {
	bun.BaseModel `bun:"table:sla_conversations"`

	ID            string     `bun:"id,pk"`
	OrgID         string     `bun:"org_id"`
	ExternalID    *string    `bun:"external_id"`
	Channel       string     `bun:"channel"`
	StudentID     string     `bun:"student_id"`
	CohortID      *string    `bun:"cohort_id"`
	CreatedAt     time.Time  `bun:"created_at"`
	LastMessageAt *time.Time `bun:"last_message_at"`
	ClockCount    int        `bun:"clock_count"`
}

// Message is one message of a conversation, in either direction.
type Message struct {
	bun.BaseModel `bun:"table:sla_messages"`

	ID             string    `bun:"id,pk"`
	OrgID          string    `bun:"org_id"`
	ConversationID string    `bun:"conversation_id"`
	ExternalID     *string   `bun:"external_id"`
	Direction      string    `bun:"direction"`
	AuthorKind     string    `bun:"author_kind"`
	AuthorUserID   *string   `bun:"author_user_id"`
	AuthorEmail    string    `bun:"author_email"`
	Kind           string    `bun:"kind"`
	Text           string    `bun:"text"`
	SentAt         time.Time `bun:"sent_at"`
	Effect         string    `bun:"effect"`
	ClockID        *string   `bun:"clock_id"`
	CreatedAt      time.Time `bun:"created_at"`
}

// Policy is a named, prioritised rule whose terms live in its versions.
type Policy struct {
	bun.BaseModel `bun:"table:sla_policies"`

	ID              string    `bun:"id,pk"`
	OrgID           string    `bun:"org_id"`
	Name            string    `bun:"name"`
	ActiveVersionID *string   `bun:"active_version_id"`
	ActiveNumber    int       `bun:"active_number"`
	Archived        bool      `bun:"archived"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
	Version         int64     `bun:"version"`
}

// PolicyVersion is one immutable set of terms of a policy. Clocks pin the
// version they started under, so activating a new one changes no running
// clock.
type PolicyVersion struct {
	bun.BaseModel `bun:"table:sla_policy_versions"`

	ID                   string     `bun:"id,pk"`
	OrgID                string     `bun:"org_id"`
	PolicyID             string     `bun:"policy_id"`
	Number               int        `bun:"number"`
	Status               string     `bun:"status"`
	Priority             int        `bun:"priority"`
	CourseID             *string    `bun:"course_id"`
	CohortID             *string    `bun:"cohort_id"`
	Tariff               *string    `bun:"tariff"`
	Channel              *string    `bun:"channel"`
	FirstResponseMinutes int        `bun:"first_response_minutes"`
	NextResponseMinutes  int        `bun:"next_response_minutes"`
	CalendarID           string     `bun:"calendar_id"`
	AlwaysOpen           bool       `bun:"always_open"`
	WarningPercent       int        `bun:"warning_percent"`
	CreatedBy            string     `bun:"created_by"`
	CreatedAt            time.Time  `bun:"created_at"`
	ActivatedAt          *time.Time `bun:"activated_at"`
}

// ResponseClock is one wait of a student for an answer (not to be confused
// with clock.Clock, the time source).
type ResponseClock struct {
	bun.BaseModel `bun:"table:sla_clocks"`

	ID                   string     `bun:"id,pk"`
	OrgID                string     `bun:"org_id"`
	ConversationID       string     `bun:"conversation_id"`
	StudentID            string     `bun:"student_id"`
	CohortID             string     `bun:"cohort_id"`
	CourseID             string     `bun:"course_id"`
	Tariff               string     `bun:"tariff"`
	Channel              string     `bun:"channel"`
	Kind                 string     `bun:"kind"`
	Status               string     `bun:"status"`
	StartedAt            time.Time  `bun:"started_at"`
	LocalDay             string     `bun:"local_day"`
	MessageCount         int        `bun:"message_count"`
	LastStudentMessageAt time.Time  `bun:"last_student_message_at"`
	DueAt                time.Time  `bun:"due_at"`
	WarnAt               time.Time  `bun:"warn_at"`
	WarnedAt             *time.Time `bun:"warned_at"`
	BreachNotifiedAt     *time.Time `bun:"breach_notified_at"`
	StoppedAt            *time.Time `bun:"stopped_at"`
	StoppedByMessageID   *string    `bun:"stopped_by_message_id"`
	ResponderID          *string    `bun:"responder_id"`
	DismissReason        string     `bun:"dismiss_reason"`
	BusinessSeconds      *int64     `bun:"business_seconds"`
	Breached             bool       `bun:"breached"`
	TargetSeconds        int64      `bun:"target_seconds"`
	PolicyID             string     `bun:"policy_id"`
	PolicyVersionID      string     `bun:"policy_version_id"`
	PolicyVersionNumber  int        `bun:"policy_version_number"`
	CalendarID           string     `bun:"calendar_id"`
	AlwaysOpen           bool       `bun:"always_open"`
	CuratorID            string     `bun:"curator_id"`
	CreatedAt            time.Time  `bun:"created_at"`
	UpdatedAt            time.Time  `bun:"updated_at"`
	Version              int64      `bun:"version"`
}

// Settings are a school's SLA settings.
type Settings struct {
	bun.BaseModel `bun:"table:sla_settings"`

	OrgID          string    `bun:"org_id,pk"`
	QuietStart     string    `bun:"quiet_start"` // "23:00", local; empty: no quiet hours
	QuietEnd       string    `bun:"quiet_end"`
	NoReplyPhrases string    `bun:"no_reply_phrases"` // one per line; empty: DefaultNoReplyPhrases
	UpdatedAt      time.Time `bun:"updated_at"`
	Version        int64     `bun:"version"`
}

// RowVersion and Bump make a policy a database.Versioned row.
func (p *Policy) RowVersion() int64 { return p.Version }

// Bump gives the policy its next version, changed at at.
func (p *Policy) Bump(at time.Time) { p.Version++; p.UpdatedAt = at }

// RowVersion and Bump make a response clock a database.Versioned row.
func (c *ResponseClock) RowVersion() int64 { return c.Version }

// Bump gives the clock its next version, changed at at.
func (c *ResponseClock) Bump(at time.Time) { c.Version++; c.UpdatedAt = at }

// RowVersion and Bump make the settings a database.Versioned row; version 0
// is settings never saved.
func (s *Settings) RowVersion() int64 { return s.Version }

// Bump gives the settings their next version, changed at at.
func (s *Settings) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// auditFields are the terms of a version as the audit log records them.
func (v *PolicyVersion) auditFields() map[string]any {
	return map[string]any{"number": v.Number, "status": v.Status, "priority": v.Priority, "course_id": v.CourseID,
		"cohort_id": v.CohortID, "tariff": v.Tariff, "channel": v.Channel, "first_response_minutes": v.FirstResponseMinutes,
		"next_response_minutes": v.NextResponseMinutes, "calendar_id": v.CalendarID, "always_open": v.AlwaysOpen,
		"warning_percent": v.WarningPercent}
}
