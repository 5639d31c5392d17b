package surveys

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Student is what surveys need to know of a student.
type Student struct {
	ID       string
	FullName string
}

// Cohort is a run of a course.
type Cohort struct {
	ID       string
	CourseID string
	Name     string
}

// Enrollment is a student's place in a cohort with the curator they have now.
type Enrollment struct {
	ID        string
	CuratorID *string
}

// CuratorChange is one entry of an enrollment's curator history: from At
// on, the enrollment's curator was CuratorID (nil: none); Previous is who
// it was before.
type CuratorChange struct {
	CuratorID *string
	Previous  *string
	At        time.Time
}

// Module is one module of a course.
type Module struct {
	ID       string
	Position int
	Title    string
}

// School answers the surveys' questions about school data; the school
// module implements it through an adapter in the server wiring. Lookups
// answer errs.ErrNotFound for records the school does not have.
type School interface {
	StudentByExternalID(ctx context.Context, orgID, source, externalID string) (*Student, error)
	Student(ctx context.Context, orgID, id string) (*Student, error)
	CohortByExternalID(ctx context.Context, orgID, source, externalID string) (*Cohort, error)
	Cohort(ctx context.Context, orgID, id string) (*Cohort, error)
	// CourseExists answers errs.ErrNotFound for a course the school does not have.
	CourseExists(ctx context.Context, orgID, id string) error
	// StudentInCohort is the student's enrollment in the cohort.
	StudentInCohort(ctx context.Context, orgID, studentID, cohortID string) (*Enrollment, error)
	// CuratorHistory is the enrollment's curator changes, oldest first.
	CuratorHistory(ctx context.Context, orgID, enrollmentID string) ([]CuratorChange, error)
	// CourseModules lists a course's modules in order.
	CourseModules(ctx context.Context, orgID, courseID string) ([]Module, error)
	// Names gives the display names of students, cohorts and courses by id.
	StudentNames(ctx context.Context, orgID string, ids []string) (map[string]string, error)
	CohortNames(ctx context.Context, orgID string) (map[string]string, error)
}

// People names the school's staff.
type People interface {
	// Names gives the display names of those of userIDs who are or were
	// members of the school, by user id; others are left out.
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// AnswerFact is a newly stored numeric answer, as observers see it.
type AnswerFact struct {
	OrgID        string
	AnswerID     string
	StudentID    string
	EnrollmentID string
	CohortID     string
	ModuleID     *string
	CuratorID    *string
	Scale        string
	Value        int
	AnsweredAt   time.Time
}

// AnswerObserver hears of every newly stored numeric answer, inside the
// transaction that stores it (the cases module asks a satisfied student for
// a case). An error rolls the answer back.
type AnswerObserver interface {
	SurveyAnswered(ctx context.Context, tx bun.IDB, a AnswerFact) error
}

// Service holds the surveys' rules.
type Service struct {
	service.Core
	school    School
	people    People
	store     Store
	observers []AnswerObserver
}

// NewService builds the surveys service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, school School, people People) *Service {
	return &Service{Core: service.NewCore(db, c, audit), school: school, people: people}
}

// ObserveAnswers adds an observer of new numeric answers. Call it while
// the server is assembled, before any request.
func (s *Service) ObserveAnswers(o AnswerObserver) {
	if o != nil {
		s.observers = append(s.observers, o)
	}
}
