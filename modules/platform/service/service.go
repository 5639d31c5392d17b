// Package service holds what every domain service is built on: its database,
// its clock and its audit recorder, with the three things every use case does
// with them (run a transaction, read the time, write the audit entry).
// A domain Service embeds Core, so that these exist once in the tree.
package service

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
)

// Core is embedded by every domain Service.
type Core struct {
	DB    *bun.DB
	Clock clock.Clock
	Audit auditlog.Recorder
}

// NewCore returns a Core; a nil clock means the system clock.
func NewCore(db *bun.DB, c clock.Clock, audit auditlog.Recorder) Core {
	if c == nil {
		c = clock.System{}
	}
	return Core{DB: db, Clock: c, Audit: audit}
}

// InTx runs fn in one transaction of the service's database.
func (c Core) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return database.InTx(ctx, c.DB, fn)
}

// Now is the service's current time.
func (c Core) Now() time.Time { return c.Clock.Now() }

// Record writes one audit entry for a change of one entity, on tx, the
// transaction that makes the change, so that both commit or neither does.
func (c Core) Record(ctx context.Context, tx bun.IDB, orgID, entityType, entityID string, changes map[string]auditlog.Change) error {
	return c.Audit.Record(ctx, tx, auditlog.Entry{OrgID: orgID, EntityType: entityType, EntityID: entityID, Changes: changes})
}
