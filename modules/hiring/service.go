package hiring

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/privacy"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Accounts creates the hired person's account and school membership inside
// the caller's transaction (the identity module).
type Accounts interface {
	// AddCurator adds the person as a curator of orgID in tx, with the
	// password they chose (checked by the password rules; a bad one is a
	// 422 on body.password). It returns the user id; invited is true when
	// the email already had an account, which joins once its owner accepts
	// the invitation.
	AddCurator(ctx context.Context, tx bun.IDB, orgID, email, name, password string) (userID string, invited bool, err error)
	// Names returns the display names of a school's members by user id.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
	// IsMember reports whether userID is an active member of orgID.
	IsMember(ctx context.Context, orgID, userID string) (bool, error)
	// Tenures returns, for each of the school's curators (past and
	// present), when they joined and, if they left, when.
	Tenures(ctx context.Context, orgID string) ([]Tenure, error)
}

// Tenure is a curator's time with the school.
type Tenure struct {
	UserID   string
	JoinedAt time.Time
	LeftAt   *time.Time
}

// Onboarding starts the newcomer's onboarding plan inside the caller's
// transaction (the onboarding module).
type Onboarding interface {
	StartPlan(ctx context.Context, tx bun.IDB, orgID, userID, role string, startDate time.Time, mentorID *string) (string, error)
}

// Catalog names a school's courses and cohorts (the school module).
type Catalog interface {
	Labels(ctx context.Context, orgID string) (courses, cohorts map[string]string, err error)
}

// Submissions reads homework submissions for calibration (the homework
// module): the work and its rubric, without the student.
type Submissions interface {
	CalibrationSource(ctx context.Context, orgID, submissionID string) (*SourceWork, error)
}

// SourceWork is a homework submission as calibration copies it.
type SourceWork struct {
	Text   string
	Links  []string
	Rubric []RubricLine
	// StudentValues are the student's personal strings (name, contacts),
	// replaced in the text before anyone outside the school sees it.
	StudentValues []string
}

// Service is the hiring module.
type Service struct {
	service.Core
	store       Store
	accounts    Accounts
	catalog     Catalog
	submissions Submissions
	onboarding  Onboarding
	erasers     []privacy.Eraser
}

// Option configures the service.
type Option func(*Service)

// WithErasers adds modules that keep copies of candidates' personal data
// (the audit log's before/after values) to a candidate's erasure.
func WithErasers(e ...privacy.Eraser) Option {
	return func(s *Service) { s.erasers = append(s.erasers, e...) }
}

// NewService builds the service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, accounts Accounts, catalog Catalog, submissions Submissions, opts ...Option) *Service {
	s := &Service{Core: service.NewCore(db, c, audit), accounts: accounts, catalog: catalog, submissions: submissions}
	for _, o := range opts {
		o(s)
	}
	return s
}

// UseOnboarding sets the module that starts a hire's onboarding plan. Until
// it is set, accepting an offer is refused (409): a hire without a plan
// would get students without the gating.
func (s *Service) UseOnboarding(o Onboarding) { s.onboarding = o }
