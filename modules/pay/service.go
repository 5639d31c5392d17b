package pay

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// People names the school's staff; a person who is not and never was a
// member of the school has no name there.
type People interface {
	Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)
}

// Service holds the pay rules.
type Service struct {
	service.Core
	people People
	store  Store
}

// NewService returns the pay service.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, people People) *Service {
	return &Service{Core: service.NewCore(db, c, audit), people: people}
}
