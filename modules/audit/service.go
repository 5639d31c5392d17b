package audit

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/service"
)

// Service appends to and reads the audit log. It is the auditlog.Recorder
// that every other module's service writes through; its own Record (in
// entries.go) takes the place of the one of service.Core.
type Service struct {
	service.Core
	store Store
}

var _ auditlog.Recorder = (*Service)(nil)

// NewService returns the audit service. Its Core records through the
// service itself: the audit log has no other recorder to write to.
func NewService(db *bun.DB, c clock.Clock) *Service {
	s := &Service{}
	s.Core = service.NewCore(db, c, s)
	return s
}
