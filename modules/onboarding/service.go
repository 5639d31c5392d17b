package onboarding

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Member is what onboarding knows of a member of the school.
type Member struct {
	UserID string
	Name   string
	Email  string
	Roles  []string
}

// People answers who works for the school; the identity module implements
// it. Lookups answer errs.ErrNotFound for people who are not active
// members of the school.
type People interface {
	ActiveMember(ctx context.Context, orgID, userID string) (*Member, error)
	// Names gives the display names of those of userIDs who are or were
	// members of the school; others are left out.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// Article is a regulation of the knowledge base as a template names it.
type Article struct {
	ID      string
	Title   string
	HasQuiz bool
}

// Regulations answers from the knowledge base. "Current" is the revision
// acknowledgments are due for now: a new major revision makes an earlier
// acknowledgment or pass count no more.
type Regulations interface {
	// Article returns a published article of the school, or errs.ErrNotFound.
	Article(ctx context.Context, orgID, articleID string) (*Article, error)
	// AcknowledgedAt is when the user acknowledged the article's current
	// revision; nil when they have not.
	AcknowledgedAt(ctx context.Context, orgID, articleID, userID string) (*time.Time, error)
	// QuizPassedAt is when the user first passed the quiz of the
	// article's current revision; nil when they have not.
	QuizPassedAt(ctx context.Context, orgID, articleID, userID string) (*time.Time, error)
	// RequiredArticles lists the published articles the role must
	// acknowledge, by title: the default template's reading.
	RequiredArticles(ctx context.Context, orgID, role string) ([]Article, error)
}

// QualityCheck is a second look at one of a curator's reviews.
type QualityCheck struct {
	CheckedAt    time.Time
	ScorePercent float64
	// Overturned: the checker replaced the review's verdict.
	Overturned bool
}

// Reviews answers from the homework review queue.
type Reviews interface {
	// QualityChecks lists the checks of the curator's reviews made at or
	// after since, oldest first.
	QualityChecks(ctx context.Context, orgID, curatorID string, since time.Time) ([]QualityCheck, error)
}

// Service holds the onboarding rules.
type Service struct {
	service.Core
	people      People
	regulations Regulations
	reviews     Reviews
	publish     events.Publisher
	store       Store
}

// NewService builds the service. Regulations and Reviews are connected
// with UseRegulations and UseReviews; until then, items of those kinds
// stay pending (they never complete by hand).
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, people People, publisher events.Publisher) *Service {
	if publisher == nil {
		publisher = events.Discard{}
	}
	return &Service{Core: service.NewCore(db, c, audit), people: people, publish: publisher}
}

// UseRegulations connects the knowledge base.
func (s *Service) UseRegulations(r Regulations) { s.regulations = r }

// UseReviews connects the review queue.
func (s *Service) UseReviews(r Reviews) { s.reviews = r }
