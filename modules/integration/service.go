package integration

import (
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Service is the integration module: the inbox of inbound events with the
// registry of their handlers, the outbox with its delivery worker, and the
// admin operations on webhooks and the signing secret.
type Service struct {
	service.Core
	store  Store
	logger atomic.Pointer[slog.Logger]
	client *http.Client

	// Where deliveries may connect (see destinations.go); both may change
	// while the delivery worker runs.
	allowed  atomic.Pointer[[]netip.Prefix]
	resolver atomic.Pointer[Resolver]

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
	s := &Service{Core: service.NewCore(db, c, audit), handlers: map[string]events.Handler{}, accepted: map[string]bool{}}
	s.serialWrites = db != nil && !database.IsPostgres(db)
	for _, t := range LMSEventTypes {
		s.accepted[t] = true
	}
	s.UseResolver(nil)
	s.client = s.newDeliveryClient()
	s.SetLogger(logger)
	return s
}

// SetLogger replaces the logger that failed handlers and deliveries are
// reported to. The server sets it once its logger exists, after the
// services are built; it is atomic because the delivery worker may be
// logging already.
func (s *Service) SetLogger(l *slog.Logger) {
	if l == nil {
		l = slog.Default()
	}
	s.logger.Store(l)
}

func (s *Service) log() *slog.Logger { return s.logger.Load() }
