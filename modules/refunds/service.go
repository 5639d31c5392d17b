package refunds

import (
	"context"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Order is what refund handling knows of a paid order: the money, the
// instalment plan, and the cohort, course and enrollment it paid for.
type Order struct {
	ID               string
	StudentID        string
	ProductID        *string
	CohortID         *string
	CourseID         *string
	EnrollmentID     *string
	CuratorID        *string // the enrollment's curator now
	Amount           int64
	Refunded         int64
	Currency         string
	PaymentMethod    string
	InstalmentMonths int
	PaidAt           time.Time
	CohortStartsOn   string // YYYY-MM-DD; empty for an order of no cohort
	CohortEndsOn     string
	ModuleCount      int
}

// LedgerRefund is one refund in the order ledger.
type LedgerRefund struct {
	ID         string
	OrderID    string
	Amount     int64
	RefundedAt time.Time
	Reason     string
}

// PaidEnrollment is one order placed on a cohort, for the refund rate: the
// enrollment it paid for is the student's in that cohort.
type PaidEnrollment struct {
	OrderID   string
	StudentID string
	CohortID  string
	CuratorID *string // the enrollment's curator now
	Amount    int64
	Refunded  int64
	PaidAt    time.Time
}

// Catalog names a school's cohorts and courses and tells each cohort's
// course.
type Catalog struct {
	CohortNames  map[string]string
	CohortCourse map[string]string
	CourseNames  map[string]string
}

// School answers what refund handling asks of the school module, which
// keeps the order ledger. Lookups answer errs.ErrNotFound for records the
// school does not have.
type School interface {
	Order(ctx context.Context, orgID, orderID string) (*Order, error)
	// OrderIn is Order read in db, the caller's transaction.
	OrderIn(ctx context.Context, db bun.IDB, orgID, orderID string) (*Order, error)
	OrderByExternalID(ctx context.Context, orgID, source, externalID string) (*Order, error)
	// StudentRefunds lists the ledger refunds of every order of the student.
	StudentRefunds(ctx context.Context, orgID, studentID string) ([]LedgerRefund, error)
	// RecordRefund writes a ledger refund in tx, never letting the order's
	// refunds exceed ceiling (what was actually paid); externalID makes
	// the write idempotent. It answers errs.ErrConflict when too little
	// is left.
	RecordRefund(ctx context.Context, tx bun.IDB, orgID, orderID, externalID string, amount int64, at time.Time, reason string, ceiling int64) (*LedgerRefund, error)
	// PaidEnrollments lists every order of the school placed on a cohort.
	PaidEnrollments(ctx context.Context, orgID string) ([]PaidEnrollment, error)
	Catalog(ctx context.Context, orgID string) (*Catalog, error)
	// CheckProduct answers errs.ErrNotFound unless the school sells the
	// product.
	CheckProduct(ctx context.Context, orgID, productID string) error
	// Calendar is the school's default business calendar.
	Calendar(ctx context.Context, orgID string) (*bizcal.Calendar, error)
}

// People names the school's staff.
type People interface {
	// Names gives the display names of those of userIDs who are or were
	// members of the school.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// Homework tells what a student handed in and how fast it was reviewed.
type Homework interface {
	StudentHomework(ctx context.Context, orgID, studentID, cohortID string) ([]HomeworkFact, error)
}

// Conversations tells the student's conversations with the school and how
// fast they were answered.
type Conversations interface {
	StudentConversations(ctx context.Context, orgID, studentID string) ([]ConversationFact, error)
}

// Surveys tells the student's survey answers, oldest first.
type Surveys interface {
	StudentAnswers(ctx context.Context, db bun.IDB, orgID, studentID string) ([]SurveyAnswerFact, error)
}

// Service holds the refund-handling rules.
type Service struct {
	service.Core
	school        School
	people        People
	homework      Homework
	conversations Conversations
	surveys       Surveys
	publish       events.Publisher
	store         Store
	logger        *slog.Logger
}

// NewService returns the refunds service. The surveys port is set later
// with UseSurveys; until then evidence packs go without survey answers and
// say so.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, school School, people People, homework Homework,
	conversations Conversations, publisher events.Publisher) *Service {
	if publisher == nil {
		publisher = events.Discard{}
	}
	return &Service{Core: service.NewCore(db, c, audit), school: school, people: people, homework: homework,
		conversations: conversations, publish: publisher, logger: slog.Default()}
}

// UseSurveys connects the survey answers the evidence pack includes.
func (s *Service) UseSurveys(p Surveys) { s.surveys = p }

// SetLogger sets where the background pass reports failures.
func (s *Service) SetLogger(l *slog.Logger) {
	if l != nil {
		s.logger = l
	}
}
