package integration

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/events"
)

// LMSEventTypes are the inbound event types a school's LMS sends. Events of
// these types are stored even before the module that handles them exists,
// and applied by replay once it registers.
var LMSEventTypes = []string{
	"student.upserted", "enrollment.upserted", "order.paid", "order.refunded",
	"submission.created", "message.created", "lesson.viewed", "survey.answered",
}

// Service is the integration module: the inbox of inbound events with the
// registry of their handlers, the outbox with its delivery worker, and the
// admin operations on webhooks and the signing secret.
type Service struct {
	db     *bun.DB
	clock  clock.Clock
	audit  auditlog.Recorder
	store  Store
	logger atomic.Pointer[slog.Logger]
	client *http.Client

	// writeMu serialises event writes on SQLite (see lockWrites).
	writeMu      sync.Mutex
	serialWrites bool

	mu       sync.RWMutex
	handlers map[string]events.Handler
	accepted map[string]bool // types stored without a handler
}

var (
	_ events.Publisher = (*Service)(nil)
	_ events.Registry  = (*Service)(nil)
)

// NewService returns the integration service. logger may be nil; the
// service then logs to slog.Default until SetLogger is called.
func NewService(db *bun.DB, c clock.Clock, audit auditlog.Recorder, logger *slog.Logger) *Service {
	s := &Service{db: db, clock: c, audit: audit, handlers: map[string]events.Handler{}, accepted: map[string]bool{}}
	s.serialWrites = db != nil && !database.IsPostgres(db)
	for _, t := range LMSEventTypes {
		s.accepted[t] = true
	}
	s.client = &http.Client{
		Timeout: sendTimeout,
		// A redirect is the receiver's answer, not a delivery: following it
		// would send the signed body somewhere the school did not register.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	s.SetLogger(logger)
	return s
}

// SetLogger replaces the logger that failed handlers and deliveries are
// reported to.
func (s *Service) SetLogger(l *slog.Logger) {
	if l == nil {
		l = slog.Default()
	}
	s.logger.Store(l)
}

func (s *Service) log() *slog.Logger { return s.logger.Load() }

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

func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return database.InTx(ctx, s.db, fn)
}

func (s *Service) now() time.Time { return s.clock.Now() }

// record writes one audit entry about entity in the school.
func (s *Service) record(ctx context.Context, db bun.IDB, orgID, entityType, entityID string, changes map[string]auditlog.Change) error {
	return s.audit.Record(ctx, db, auditlog.Entry{OrgID: orgID, EntityType: entityType, EntityID: entityID, Changes: changes})
}

// counts turns named numbers into audit changes (after-values only).
func counts(kv map[string]int) map[string]auditlog.Change {
	out := make(map[string]auditlog.Change, len(kv))
	for k, v := range kv {
		out[k] = auditlog.Change{After: v}
	}
	return out
}
