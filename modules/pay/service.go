package pay

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// People names the school's staff; a person who is not and never was a
// member of the school has no name there.
type People interface {
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
	// Location is the school's time zone, in which months are counted.
	Location(ctx context.Context, orgID string) (*time.Location, error)
}

// Service holds the pay rules.
type Service struct {
	service.Core
	people People
	facts  Facts
	store  Store
}

// NewService returns the pay service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, people People, facts Facts) *Service {
	return &Service{Core: service.NewCore(db, c, audit), people: people, facts: facts}
}
