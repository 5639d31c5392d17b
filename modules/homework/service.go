package homework

import (
	"context"
	"log/slog"
	"sync"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Assignment is what the review queue needs to know of an assignment.
type Assignment struct {
	ID                  string
	ExternalID          *string
	CourseID            string
	ModuleID            string
	Kind                string
	ReviewTargetMinutes int
	Rubric              []RubricCriterion
}

// Student is what the review queue needs to know of a student.
type Student struct {
	ID         string
	ExternalID *string
}

// Enrollment is a student's place in a cohort, with their curator.
type Enrollment struct {
	ID        string
	CohortID  string
	CuratorID *string
}

// Cohort is a run of a course.
type Cohort struct {
	ID       string
	CourseID string
	Name     string
}

// EnrollmentStatus is one enrollment of a cohort as completion counts it:
// the student, their curator now and the enrollment's status now.
type EnrollmentStatus struct {
	StudentID string
	CohortID  string
	CuratorID *string
	Status    string
}

// Enrollment statuses completion tells apart: the active denominator
// counts these two, the enrolled one every status.
const (
	EnrollmentActive    = "active"
	EnrollmentCompleted = "completed"
)

// Labels are the display names of a school's cohorts and courses, by id.
type Labels struct {
	Cohorts map[string]string
	Courses map[string]string
}

// Module is one module of a course with its assignments.
type Module struct {
	ID          string
	Position    int
	Title       string
	Assignments []ModuleAssignment
}

// ModuleAssignment is an assignment of a module with its title.
type ModuleAssignment struct {
	ID    string
	Title string
}

// School answers the review queue's questions about school data; the
// school module implements it through an adapter in the server wiring.
// Lookups answer errs.ErrNotFound for records the school does not have.
type School interface {
	StudentByExternalID(ctx context.Context, orgID, source, externalID string) (*Student, error)
	Student(ctx context.Context, orgID, id string) (*Student, error)
	AssignmentByExternalID(ctx context.Context, orgID, source, externalID string) (*Assignment, error)
	Assignment(ctx context.Context, orgID, id string) (*Assignment, error)
	// EnrollmentInCourse is the student's enrollment in a cohort of the
	// course, active ones first.
	EnrollmentInCourse(ctx context.Context, orgID, studentID, courseID string) (*Enrollment, error)
	// CuratorCohorts lists the cohorts in which the user curates students.
	CuratorCohorts(ctx context.Context, orgID, curatorID string) ([]string, error)
	// Calendar is the school's default business calendar.
	Calendar(ctx context.Context, orgID string) (*bizcal.Calendar, error)
	// Cohorts lists the school's cohorts.
	Cohorts(ctx context.Context, orgID string) ([]Cohort, error)
	// CohortEnrollments lists every enrollment of the school, or of one
	// cohort when cohortID is set, whatever its status.
	CohortEnrollments(ctx context.Context, orgID, cohortID string) ([]EnrollmentStatus, error)
	// Labels names the school's cohorts and courses.
	Labels(ctx context.Context, orgID string) (*Labels, error)
	// CourseModules lists a course's modules in order.
	CourseModules(ctx context.Context, orgID, courseID string) ([]Module, error)
}

// People answers who may take review work and what people are called.
type People interface {
	// IsActiveCurator reports whether the user is an active member of the
	// school with the curator role.
	IsActiveCurator(ctx context.Context, orgID, userID string) (bool, error)
	// Names gives the display names of those of userIDs who are or were
	// members of the school, by user id; others are left out.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// Onboarding says which curators are still newcomers: their onboarding
// plan has required items left. Their reviews are sampled at the probation
// rate, routing passes them by and nobody hands them a submission. The
// onboarding module implements it; until it is set, nobody is a newcomer.
type Onboarding interface {
	// Unfinished names the curator's required onboarding items not done
	// yet; none when the curator may take students.
	Unfinished(ctx context.Context, db bun.IDB, orgID, userID string) ([]string, error)
}

// Service holds the review-queue rules.
type Service struct {
	service.Core
	school        School
	people        People
	onboarding    Onboarding
	publish       events.Publisher
	sample        Sampler
	store         Store
	reviewed      ReviewObserver // told of accepted reviews (case collection); nil when none
	logger        *slog.Logger
	settingsCache sync.Map // org id → cachedSettings, for claims and reviews
	cohorts       sync.Map // org/user → cachedCohorts, for claim-next
}

// Option changes one of the service's defaults.
type Option func(*Service)

// Sampler decides whether a review gets a second look, given the sampling
// rate in percent. The default, HashSampler, hashes the review id, so the
// choice is fixed for a review and testable.
type Sampler func(reviewID string, percent int) bool

// WithSampler replaces the sampling rule, for tests and simulations.
func WithSampler(f Sampler) Option { return func(s *Service) { s.sample = f } }

// NewService returns the homework service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, school School, people People, publisher events.Publisher, opts ...Option) *Service {
	if publisher == nil {
		publisher = events.Discard{}
	}
	s := &Service{Core: service.NewCore(db, c, audit), school: school, people: people, publish: publisher, sample: HashSampler, logger: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// UseOnboarding connects the onboarding module, once it exists.
func (s *Service) UseOnboarding(o Onboarding) { s.onboarding = o }

// SetLogger sets where the background pass reports failures.
func (s *Service) SetLogger(l *slog.Logger) {
	if l != nil {
		s.logger = l
	}
}
