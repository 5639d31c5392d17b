package integration

import (
	"sort"

	"github.com/curatorops/curatorops/modules/platform/events"
)

// LMSEventTypes are the inbound event types a school's LMS sends. Events of
// these types are stored even before the module that handles them exists,
// and applied by replay once it registers.
var LMSEventTypes = []string{
	"student.upserted", "enrollment.upserted", "order.paid", "order.refunded",
	"submission.created", "message.created", "lesson.viewed", "survey.answered",
}

// Handle registers the handler of an inbound event type. Modules call it at
// start-up; calling it later is safe too, and events of the type stored
// before then are applied by replay. A type has one handler: registering a
// second is a programming error and panics.
func (s *Service) Handle(eventType string, h events.Handler) {
	if eventType == "" || h == nil {
		panic("integration: Handle needs an event type and a handler")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.handlers[eventType]; dup {
		panic("integration: a handler for " + eventType + " is already registered")
	}
	s.handlers[eventType] = h
}

// AcceptTypes lets the inbox store events of types that no module handles
// yet, beyond LMSEventTypes, so that they can be replayed later.
func (s *Service) AcceptTypes(types ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range types {
		s.accepted[t] = true
	}
}

// handler returns the handler of t and whether events of t are accepted at
// all (handled, or stored for later).
func (s *Service) handler(t string) (events.Handler, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.handlers[t]
	return h, ok || s.accepted[t]
}

// EventTypes lists the inbound types the inbox takes, sorted.
func (s *Service) EventTypes() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	for t := range s.accepted {
		seen[t] = true
	}
	for t := range s.handlers {
		seen[t] = true
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
