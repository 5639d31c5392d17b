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
// students: it comes from the identity module through Identity.
type Curator struct {
	UserID string
	Name   string
}

// Identity answers what the school module asks the identity module: which
// curators a school has and which currency it keeps its money in. The
// server wiring implements it through an adapter.
type Identity interface {
	// ActiveCurators lists the school's active members with the curator role.
	ActiveCurators(ctx context.Context, orgID string) ([]Curator, error)
	// IsActiveCurator reports whether userID is an active curator of the school.
	IsActiveCurator(ctx context.Context, orgID, userID string) (bool, error)
	// CuratorIDByEmail returns the user id of the school's active curator
	// with the email, or errs.ErrNotFound.
	CuratorIDByEmail(ctx context.Context, orgID, email string) (string, error)
	// SchoolCurrency is the school's ISO 4217 currency: every order,
	// refund and price of the school is in it.
	SchoolCurrency(ctx context.Context, orgID string) (string, error)
}

// Service holds the school-data rules.
type Service struct {
	service.Core
	identity Identity
	store    Store
	erasers  []privacy.Eraser
	// exporters add other modules' parts to a student's data export.
	exporters []PartExporter
	// gate keeps students from curators still in onboarding.
	gate CuratorGate
	// refunds hears of refunds that arrive as order.refunded events.
	refunds RefundObserver
	// calendars holds compiled business calendars by id and version.
	calendars calendarCache
}

// NewService returns the school service. An audit recorder that keeps
// personal data (privacy.Eraser) is the first module Erase scrubs.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, identity Identity) *Service {
	svc := &Service{Core: service.NewCore(db, c, audit), identity: identity}
	if e, ok := audit.(privacy.Eraser); ok {
		svc.AddEraser(e)
	}
	return svc
}
