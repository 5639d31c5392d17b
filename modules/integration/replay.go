package integration

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// applied is what became of a stored event that was applied again.
type applied struct {
	status string // its new status; "" when it was no longer waiting
	cause  error  // the handler's error when it refused or failed the event
}

// applyStored runs the handler of a stored event if its status is still one
// of from, in one transaction that also records the outcome. With replace,
// the event's content becomes what was just sent.
func (s *Service) applyStored(ctx context.Context, orgID, id string, from []string, replace *events.Inbound, now time.Time) (applied, error) {
	var row *InboxEvent
	var ev events.Inbound
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if row, err = s.store.LockInbox(ctx, tx, orgID, id); err != nil {
			return err
		}
		if !slices.Contains(from, row.Status) {
			row = nil
			return nil
		}
		if replace != nil {
			row.Type, row.OccurredAt, row.ReceivedAt, row.Data = replace.Type, replace.OccurredAt, now, replace.Data
		}
		ev = events.Inbound{OrgID: row.OrgID, EventID: row.EventID, Type: row.Type, OccurredAt: row.OccurredAt, Data: row.Data}
		row.Attempts++
		h, _ := s.handler(row.Type)
		if h == nil {
			row.Status, row.LastError = InboxPendingHandler, ""
			return s.store.UpdateInbox(ctx, tx, row)
		}
		if err := runHandler(ctx, tx, h, ev); err != nil {
			return err
		}
		at := s.Now()
		row.Status, row.LastError, row.AppliedAt = InboxApplied, "", &at
		return s.store.UpdateInbox(ctx, tx, row)
	})
	var he *handlerError
	switch {
	case errors.As(err, &he):
		// The handler's writes are rolled back; keep the event, and the
		// content just sent, with the reason.
		row.Status, row.LastError, row.AppliedAt = s.failure(ev, he.err)
		row.Data = keptData(row.Status, row.Data)
		if err := s.store.UpdateInbox(ctx, s.DB, row); err != nil {
			return applied{}, err
		}
		return applied{status: row.Status, cause: he.err}, nil
	case err != nil:
		return applied{}, err
	case row == nil:
		return applied{}, nil
	}
	return applied{status: row.Status}, nil
}

// ReplayResult counts what a replay did.
type ReplayResult struct {
	Applied, Rejected, Failed, Skipped, Remaining int
}

// MaxReplay is the most events one replay request applies.
const MaxReplay = 10000

// Replay applies, in the order they were received, up to limit stored events
// of types that wait for a handler or whose handler failed. Each event is
// applied in its own transaction and only if it is still waiting, so that
// two replays at once apply nothing twice. Every type must have a handler.
func (s *Service) Replay(ctx context.Context, orgID string, types []string, limit int) (*ReplayResult, error) {
	for i, t := range types {
		if h, _ := s.handler(t); h == nil {
			return nil, errs.Invalid("body.types["+strconv.Itoa(i)+"]", "no handler is registered for "+t+"; its events stay stored until one is")
		}
	}
	pending, err := s.store.Replayable(ctx, s.DB, orgID, types, limit)
	if err != nil {
		return nil, err
	}
	res := &ReplayResult{}
	for _, id := range pending {
		unlock := s.lockWrites()
		done, err := s.applyStored(ctx, orgID, id, []string{InboxPendingHandler, InboxFailed}, nil, s.Now())
		unlock()
		if err != nil {
			return nil, err
		}
		switch done.status {
		case InboxApplied:
			res.Applied++
		case InboxRejected:
			res.Rejected++
		case InboxFailed:
			res.Failed++
		default:
			res.Skipped++
		}
	}
	if res.Remaining, err = s.store.CountReplayable(ctx, s.DB, orgID, types); err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		changes := counts(map[string]int{"applied": res.Applied, "rejected": res.Rejected, "failed": res.Failed, "skipped": res.Skipped, "remaining": res.Remaining})
		changes["types"] = auditlog.Change{After: types}
		return s.Record(ctx, tx, orgID, "event_replay", ids.New(), changes)
	})
	return res, err
}
