package sla

import (
	"context"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Placement is where a student studies, as far as the SLA cares: the
// enrollment that decides the policy and the responsible curator. Empty
// fields are unknown.
type Placement struct {
	CohortID  string
	CourseID  string
	Tariff    string
	CuratorID string
}

// School answers the SLA's questions about students and calendars.
type School interface {
	// StudentIDByExternalID returns the id of the student the LMS knows as
	// externalID, or errs.ErrNotFound.
	StudentIDByExternalID(ctx context.Context, orgID, externalID string) (string, error)
	// CheckStudent returns errs.ErrNotFound unless the school has the student.
	CheckStudent(ctx context.Context, orgID, studentID string) error
	// CohortIDByExternalID returns the id of the cohort the LMS knows as
	// externalID, or errs.ErrNotFound.
	CohortIDByExternalID(ctx context.Context, orgID, externalID string) (string, error)
	// Placement picks the student's enrollment: the one in cohortID when
	// given and present, else the most recent active one.
	Placement(ctx context.Context, orgID, studentID, cohortID string) (Placement, error)
	// Calendar returns the school's calendar (the default when id is
	// empty) or, when alwaysOpen, a 24/7 calendar in the school's zone.
	Calendar(ctx context.Context, orgID, id string, alwaysOpen bool) (*bizcal.Calendar, error)
	// TimeZone returns the school's IANA time zone.
	TimeZone(ctx context.Context, orgID string) (string, error)
	// Labels returns the names of the school's cohorts and courses.
	Labels(ctx context.Context, orgID string) (Labels, error)
}

// Labels are the names of a school's cohorts and courses, by id.
type Labels struct {
	Cohorts map[string]string
	Courses map[string]string
}

// Recipient is a staff member a notification goes to.
type Recipient struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
}

// People answers the SLA's questions about staff.
type People interface {
	// UserIDByEmail returns the active member with the email, or
	// errs.ErrNotFound.
	UserIDByEmail(ctx context.Context, orgID, email string) (string, error)
	// Person returns an active member, or errs.ErrNotFound.
	Person(ctx context.Context, orgID, userID string) (Recipient, error)
	// WithRole lists the active members holding role.
	WithRole(ctx context.Context, orgID, role string) ([]Recipient, error)
	// Names returns the display names of the school's members among
	// userIDs, disabled ones included (reports outlive employment); an id
	// that is no member is absent.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// Service holds the SLA rules.
type Service struct {
	service.Core
	school School
	people People
	events events.Publisher
	store  Store
	logger *slog.Logger
}

// NewService returns the SLA service. Warnings and breaches leave through
// publisher, in the transaction that claims them.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, school School, people People, publisher events.Publisher) *Service {
	return &Service{Core: service.NewCore(db, c, audit), school: school, people: people, events: publisher}
}

// SetLogger sets where Start reports failures. The server learns its logger
// after the services are built, hence a setter rather than an option.
func (s *Service) SetLogger(l *slog.Logger) { s.logger = l }
