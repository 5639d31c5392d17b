package quality

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Day is a local day of the school with its bounds in UTC.
type Day struct {
	Date     string
	From, To time.Time
}

// Answered is one curator's answers in one conversation on one local day:
// the unit that is sampled and reviewed.
type Answered struct {
	ConversationID string
	StudentID      string
	Channel        string
	CuratorID      string
	Day            string
	Answers        int
	Breached       bool // a response clock she stopped that day had breached
	LastAnsweredAt time.Time
}

// Message is one message of a conversation as a reviewer reads it.
type Message struct {
	ID           string
	Direction    string
	AuthorKind   string
	AuthorUserID *string
	Kind         string
	Text         string
	SentAt       time.Time
	Effect       string
}

// ResponseClock is one response-time clock of a conversation as a reviewer
// reads it.
type ResponseClock struct {
	ID              string
	Kind            string
	Status          string
	StartedAt       time.Time
	DueAt           time.Time
	StoppedAt       *time.Time
	ResponderID     *string
	BusinessSeconds *int64
	TargetSeconds   int64
	Breached        bool
}

// ConversationDay is a conversation as it went on one local day.
type ConversationDay struct {
	ConversationID string
	StudentID      string
	Channel        string
	Messages       []Message
	Clocks         []ResponseClock
	Truncated      bool
}

// Conversations reads students' conversations; the SLA module implements
// it. Lookups answer errs.ErrNotFound for conversations the school does
// not have.
type Conversations interface {
	// LocalDay returns the bounds of date in the school's time zone; a
	// malformed date is refused naming field.
	LocalDay(ctx context.Context, orgID, date, field string) (Day, error)
	// AnsweredOn lists the conversations answered on day, one row per
	// conversation and responder, in a stable order.
	AnsweredOn(ctx context.Context, orgID string, day Day) ([]Answered, error)
	// ConversationAnswers lists who answered a conversation on which day.
	ConversationAnswers(ctx context.Context, orgID, conversationID string) ([]Answered, error)
	// ConversationOn returns the messages and clocks of a conversation on
	// day.
	ConversationOn(ctx context.Context, orgID, conversationID string, day Day) (*ConversationDay, error)
	// MessageInConversation reports whether the message belongs to the
	// conversation.
	MessageInConversation(ctx context.Context, orgID, conversationID, messageID string) (bool, error)
}

// People answers who works in the school; the identity module implements it.
type People interface {
	// WithRole lists the user ids of the active members holding role.
	WithRole(ctx context.Context, orgID, role string) ([]string, error)
	// Roles lists an active member's roles; errs.ErrNotFound for anyone
	// else.
	Roles(ctx context.Context, orgID, userID string) ([]string, error)
	// Names gives display names of present and former members by user id.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// Articles names knowledge-base articles (the regulation clauses criteria
// point to); the kb module implements it. Unknown ids are left out.
type Articles interface {
	ArticleTitles(ctx context.Context, orgID string, ids []string) (map[string]string, error)
}

// HomeworkScore is a curator's homework-review quality score in a month.
type HomeworkScore struct {
	Score          float64
	CheckedReviews int
}

// HomeworkQuality gives the homework quality score by curator for month
// ("2026-11"); the homework module implements it.
type HomeworkQuality interface {
	HomeworkScores(ctx context.Context, orgID, month string) (map[string]HomeworkScore, error)
}

// Newcomers lists the curators still in onboarding, who are sampled more;
// the onboarding module implements it.
type Newcomers interface {
	Newcomers(ctx context.Context, orgID string) ([]string, error)
}

// LowCSI lists the students who gave a CSI answer of 1–3 in [from, to);
// the surveys module implements it.
type LowCSI interface {
	LowCSIStudents(ctx context.Context, orgID string, from, to time.Time) ([]string, error)
}

// RefundRequests lists the students who asked for a refund in [from, to);
// the refunds module implements it.
type RefundRequests interface {
	RefundStudents(ctx context.Context, orgID string, from, to time.Time) ([]string, error)
}

// Service holds the conversation quality rules.
type Service struct {
	service.Core
	conversations Conversations
	people        People
	articles      Articles
	homework      HomeworkQuality
	newcomers     Newcomers
	lowCSI        LowCSI
	refunds       RefundRequests
	store         Store
}

// Option changes one of the service's defaults.
type Option func(*Service)

// WithHomework sets where the homework quality score comes from.
func WithHomework(h HomeworkQuality) Option { return func(s *Service) { s.homework = h } }

// NewService returns the quality service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, conversations Conversations, people People, articles Articles,
	opts ...Option) *Service {
	s := &Service{Core: service.NewCore(db, c, audit), conversations: conversations, people: people, articles: articles}
	for _, o := range opts {
		o(s)
	}
	return s
}

// UseNewcomers connects onboarding. Until it is set, every curator gets the
// regular sample size.
func (s *Service) UseNewcomers(n Newcomers) { s.newcomers = n }

// UseLowCSI connects surveys. Until it is set, low CSI answers do not force
// a conversation into the sample.
func (s *Service) UseLowCSI(l LowCSI) { s.lowCSI = l }

// UseRefundRequests connects refunds. Until it is set, refund requests do
// not force a conversation into the sample.
func (s *Service) UseRefundRequests(r RefundRequests) { s.refunds = r }
