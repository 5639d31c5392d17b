package school

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/privacy"
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
	db      *bun.DB
	clock   clock.Clock
	audit   auditlog.Recorder
	people  People
	store   Store
	erasers []privacy.Eraser
	// calendars holds compiled business calendars by id and version.
	calendars calendarCache
}

// NewService returns the school service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, people People) *Service {
	svc := &Service{db: db, clock: c, audit: audit, people: people}
	if e, ok := audit.(privacy.Eraser); ok {
		svc.AddEraser(e)
	}
	return svc
}

// Store holds the school queries; its functions take bun.IDB so they run
// inside the caller's transaction. Queries of each area live in the file of
// that area.
type Store struct{}

func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return database.InTx(ctx, s.db, fn)
}

func (s *Service) now() time.Time { return s.clock.Now() }

// record writes one audit entry for a change to entity in the school.
func (s *Service) record(ctx context.Context, tx bun.IDB, orgID, entityType, entityID string, before, after any) error {
	return s.audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: entityType, EntityID: entityID, Changes: auditlog.Diff(before, after)})
}
