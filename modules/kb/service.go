package kb

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Service holds the knowledge base rules.
type Service struct {
	service.Core
	people People
	events events.Publisher
	store  Store
}

// NewService returns the knowledge base service. Overdue-reading reminders
// leave through publisher, in the transaction that records them.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, people People, publisher events.Publisher) *Service {
	return &Service{Core: service.NewCore(db, c, audit), people: people, events: publisher}
}

// Person is what the knowledge base needs to know about a member of a
// school: who they are, their roles, and when they joined.
type Person struct {
	UserID   string
	Email    string
	Name     string
	Roles    []string
	JoinedAt time.Time
}

// People finds the active members of a school. The identity module
// provides it through an adapter; kb never reads its tables.
type People interface {
	// ActivePeople lists active members holding role (any role when empty).
	ActivePeople(ctx context.Context, orgID, role string) ([]Person, error)
	// ActivePerson returns one active member, or errs.ErrNotFound.
	ActivePerson(ctx context.Context, orgID, userID string) (*Person, error)
}
