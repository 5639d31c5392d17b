package cases

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Student is what case collection needs to know of a student.
type Student struct {
	ID         string
	ExternalID *string
	// BirthDate is YYYY-MM-DD when the school knows it: a minor's consent
	// must come from a guardian.
	BirthDate *string
}

// Enrollment is a student's place in a cohort with their curator now.
type Enrollment struct {
	ID        string
	StudentID string
	CohortID  string
	CourseID  string
	CuratorID *string
	Status    string
}

// Cohort is a run of a course with its display names.
type Cohort struct {
	ID         string
	Name       string
	CourseID   string
	CourseName string
	StartsOn   string
}

// School answers questions about students, enrollments and cohorts; the
// school module implements it through an adapter. Lookups answer
// errs.ErrNotFound for records the school does not have.
type School interface {
	Student(ctx context.Context, orgID, id string) (*Student, error)
	StudentByExternalID(ctx context.Context, orgID, source, externalID string) (*Student, error)
	Enrollment(ctx context.Context, orgID, id string) (*Enrollment, error)
	// Enrollments lists the student's enrollments, newest first.
	Enrollments(ctx context.Context, orgID, studentID string) ([]Enrollment, error)
	// Cohorts lists the school's cohorts, oldest start first.
	Cohorts(ctx context.Context, orgID string) ([]Cohort, error)
}

// People names the school's staff.
type People interface {
	// IsActiveCurator reports whether the user is an active curator of the school.
	IsActiveCurator(ctx context.Context, orgID, userID string) (bool, error)
	// Names gives display names of those of userIDs who are or were members.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// Service collects cases and testimonials.
type Service struct {
	service.Core
	school  School
	people  People
	publish events.Publisher
	store   Store
}

// Option changes one of the service's defaults.
type Option func(*Service)

// NewService builds the cases service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, school School, people People, publisher events.Publisher, opts ...Option) *Service {
	if publisher == nil {
		publisher = events.Discard{}
	}
	s := &Service{Core: service.NewCore(db, c, audit), school: school, people: people, publish: publisher}
	for _, o := range opts {
		o(s)
	}
	return s
}
