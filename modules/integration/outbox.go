package integration

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Publish records an outbound event in the caller's transaction db, with one
// delivery per active webhook of the school subscribed to its type. Nothing
// is sent here: the delivery worker sends after the caller commits, and a
// failing receiver never reaches the caller.
func (s *Service) Publish(ctx context.Context, db bun.IDB, orgID, eventType string, payload any) error {
	if orgID == "" || !eventTypePattern.MatchString(eventType) {
		return fmt.Errorf("integration: publish needs a school and an event type such as review.completed, got %q", eventType)
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("integration: payload of %s is not JSON: %w", eventType, err)
	}
	now := s.Now()
	ev := &OutboxEvent{ID: ids.New(), OrgID: orgID, Type: eventType, OccurredAt: now, Payload: raw}
	if err := s.store.InsertOutbox(ctx, db, ev); err != nil {
		return err
	}
	endpoints, err := s.store.ActiveEndpoints(ctx, db, orgID)
	if err != nil {
		return err
	}
	var ds []Delivery
	for i := range endpoints {
		if endpoints[i].Subscribes(eventType) {
			ds = append(ds, Delivery{ID: ids.New(), OrgID: orgID, EndpointID: endpoints[i].ID, EventID: ev.ID, EventType: eventType,
				Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
		}
	}
	return s.store.InsertDeliveries(ctx, db, ds)
}
