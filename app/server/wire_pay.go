package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/pay"
	"github.com/curatorops/curatorops/modules/platform/clock"
)

// buildPay builds the pay service on the services built before it: the
// month's facts come from homework, SLA, surveys, cases and the school.
func buildPay(db *bun.DB, c clock.Clock, svc *Services) *pay.Service {
	return pay.NewService(db, c, svc.Audit, payPeople{svc.Identity}, newPayFacts(svc))
}
