package audit

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Record appends e on db (the caller's transaction), stamped with the actor,
// request id, address and time of the request in ctx.
func (s *Service) Record(ctx context.Context, db bun.IDB, e auditlog.Entry) error {
	m := reqctx.From(ctx)
	row := &Entry{
		ID:         ids.New(),
		OrgID:      e.OrgID,
		OccurredAt: s.Now(),
		ActorType:  string(reqctx.ActorSystem),
		Action:     e.Action,
		EntityType: e.EntityType,
		EntityID:   e.EntityID,
		Changes:    e.Changes,
		RequestID:  m.RequestID,
		IP:         m.IP,
		UserAgent:  m.UserAgent,
	}
	if row.Action == "" {
		row.Action = m.OperationID
	}
	if row.Changes == nil {
		row.Changes = map[string]auditlog.Change{}
	}
	if p := m.Principal; p != nil {
		row.ActorType, row.ActorID, row.ActorName = string(p.Kind), p.ActorID(), p.Name
	}
	return s.store.Insert(ctx, db, row)
}

// List returns one page of a school's audit log, newest first.
func (s *Service) List(ctx context.Context, orgID string, f Filter) ([]Entry, error) {
	return s.store.List(ctx, s.DB, orgID, f)
}
