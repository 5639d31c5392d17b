package scorecard

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Score is one CSI or NPS answer: its cohort and course, the curator the
// student had when answering, and when.
type Score struct {
	CohortID, CourseID string
	CuratorID          *string
	Scale              string // "csi" or "nps"
	Value              int
	At                 time.Time
}

// Surveys reads the survey answers (the surveys module).
type Surveys interface {
	// Scores passes every CSI and NPS answer answered in [from, to) to fn.
	Scores(ctx context.Context, orgID string, from, to time.Time, fn func(Score)) error
}

// Refund is money returned of an order.
type Refund struct {
	Amount int64
	At     time.Time
}

// Order is a paid order with all its refunds; CourseID is its cohort's
// course, else its product's.
type Order struct {
	ID, StudentID      string
	CohortID, CourseID *string
	Amount             int64
	PaidAt             time.Time
	Refunds            []Refund
}

// Enrollment is a student in a cohort, with their curator and status now.
type Enrollment struct {
	ID, StudentID, CohortID string
	CuratorID               *string
	Status                  string
}

// CuratorChange is one entry of an enrollment's curator history: from At
// on, its curator was CuratorID; before, Previous.
type CuratorChange struct {
	CuratorID, Previous *string
	At                  time.Time
}

// Cohort is a run of a course; StartsOn is a date (2026-03-02).
type Cohort struct {
	ID, CourseID, Name, StartsOn string
}

// Module is one module of a course.
type Module struct {
	ID       string
	Position int
	Title    string
}

// School reads the school's reference data and order ledger (the school
// module).
type School interface {
	// Ledger returns every order, of all time, of the students who paid in
	// [from, to), and every order refunded in it, each with all its refunds.
	Ledger(ctx context.Context, orgID string, from, to time.Time) ([]Order, error)
	// Enrollments lists every enrollment of the cohorts.
	Enrollments(ctx context.Context, orgID string, cohortIDs []string) ([]Enrollment, error)
	// CuratorHistories returns the enrollments' curator changes, oldest first.
	CuratorHistories(ctx context.Context, orgID string, enrollmentIDs []string) (map[string][]CuratorChange, error)
	// Cohorts lists every cohort of the school.
	Cohorts(ctx context.Context, orgID string) ([]Cohort, error)
	// CourseNames names the school's courses by id.
	CourseNames(ctx context.Context, orgID string) (map[string]string, error)
	// CourseModules lists a course's modules in order.
	CourseModules(ctx context.Context, orgID, courseID string) ([]Module, error)
}

// Response is one response clock of the SLA module: an item of the
// compliance (answered, or open past due), whether it met its target, and
// the business seconds of an answered one. Empty ids are unknown.
type Response struct {
	CuratorID, CohortID, CourseID string
	At                            time.Time
	Item, Compliant               bool
	Seconds                       *int64
}

// SLA reads the response clocks (the sla module).
type SLA interface {
	// Responses passes every clock started in [from, to) and not dismissed to fn.
	Responses(ctx context.Context, orgID string, from, to time.Time, fn func(Response)) error
}

// Review is one homework review completed in a period.
type Review struct {
	ReviewerID         *string
	CohortID, CourseID string
	At                 time.Time
	Seconds            *int64
	InTime             bool
}

// Check is a senior's quality check of a homework review, 0–100.
type Check struct {
	CuratorID, CohortID, CourseID string
	At                            time.Time
	Percent                       float64
}

// Homework reads the review queue (the homework module).
type Homework interface {
	// Reviews passes every review completed in [from, to) to fn.
	Reviews(ctx context.Context, orgID string, from, to time.Time, fn func(Review)) error
	// Submitters returns, for each of the modules, the students who
	// submitted its homework at least once.
	Submitters(ctx context.Context, orgID string, moduleIDs []string) (map[string]map[string]struct{}, error)
	// Checks lists the quality checks of the reviews made in [from, to).
	Checks(ctx context.Context, orgID string, from, to time.Time) ([]Check, error)
}

// People names the school's staff and tells its time zone.
type People interface {
	// Names gives the display names of those of userIDs who are or were
	// members of the school.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
	// Location is the school's time zone, in which months are counted.
	Location(ctx context.Context, orgID string) (*time.Location, error)
}

// CollectedCase is a student's case (a text or video review of the school)
// collected and approved, credited to a curator.
type CollectedCase struct {
	ID, StudentID, CohortID, CourseID string
	CuratorID                         *string
	Video                             bool
	SubmittedAt                       time.Time
}

// Cases reads the collected cases (the cases module).
type Cases interface {
	// CollectedCases lists the cases submitted in [from, to) whose
	// moderation approved them.
	CollectedCases(ctx context.Context, orgID string, from, to time.Time) ([]CollectedCase, error)
}

// CuratorQuality is a curator's conversation quality score over the
// conversations reviewed in a period: Score (0–100) = Points ÷ MaxPoints
// over Reviews reviewed conversations.
type CuratorQuality struct {
	CuratorID         string
	Reviews           int
	Score             *float64
	Points, MaxPoints float64
}

// ConversationQuality reads the conversation quality scores (the quality
// module).
type ConversationQuality interface {
	CuratorScores(ctx context.Context, orgID string, from, to time.Time) ([]CuratorQuality, error)
}

// Service computes the scorecard. It keeps no data of its own: every
// figure is read from the modules that own it, through the ports above.
type Service struct {
	service.Core
	surveys  Surveys
	school   School
	sla      SLA
	homework Homework
	people   People
	cases    Cases
	quality  ConversationQuality
}

// NewService builds the scorecard service on the ports to the modules it reads.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, surveys Surveys, school School, sla SLA, homework Homework, people People) *Service {
	return &Service{Core: service.NewCore(db, c, audit), surveys: surveys, school: school, sla: sla, homework: homework, people: people}
}

// UseCases connects the collected cases; until then the cases figures are
// null with a note.
func (s *Service) UseCases(c Cases) { s.cases = c }

// UseConversationQuality connects the conversation quality scores; until
// then that figure is null with a note.
func (s *Service) UseConversationQuality(q ConversationQuality) { s.quality = q }
