package school

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/privacy"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Curator is what the school module knows of a staff member who can take
// students: it comes from the identity module through People.
type Curator struct {
	UserID string
	Name   string
}

// People answers which curators a school has; identity implements it
// through an adapter in the server wiring.
type People interface {
	// ActiveCurators lists the school's active members with the curator role.
	ActiveCurators(ctx context.Context, orgID string) ([]Curator, error)
	// IsActiveCurator reports whether userID is an active curator of the school.
	IsActiveCurator(ctx context.Context, orgID, userID string) (bool, error)
	// CuratorIDByEmail returns the user id of the school's active curator
	// with the email, or errs.ErrNotFound.
	CuratorIDByEmail(ctx context.Context, orgID, email string) (string, error)
}

// Service holds the school-data rules.
type Service struct {
	service.Core
	people  People
	store   Store
	erasers []privacy.Eraser
	// calendars holds compiled business calendars by id and version.
	calendars calendarCache
}

// NewService returns the school service. An audit recorder that keeps
// personal data (privacy.Eraser) is the first module Erase scrubs.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, people People) *Service {
	svc := &Service{Core: service.NewCore(db, c, audit), people: people}
	if e, ok := audit.(privacy.Eraser); ok {
		svc.AddEraser(e)
	}
	return svc
}
