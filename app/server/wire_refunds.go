package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/refunds"
)

// buildRefunds builds the refunds service on the services built before it.
func buildRefunds(db *bun.DB, c clock.Clock, svc *Services) *refunds.Service {
	return refunds.NewService(db, c, svc.Audit, &refundsSchool{school: svc.School, identity: svc.Identity}, refundsPeople{svc.Identity},
		refundsHomework{homework: svc.Homework, school: svc.School}, refundsConversations{sla: svc.SLA}, svc.Integration)
}

// connectRefunds joins the refunds service to the other modules once all
// exist: the LMS's refund.requested events, refunds that arrive as
// order.refunded events, and the erasure of a student's comments.
func connectRefunds(svc *Services) {
	for eventType, h := range svc.Refunds.EventHandlers() {
		svc.Integration.Handle(eventType, h)
	}
	svc.School.ObserveRefunds(refundsObserver{svc.Refunds})
	svc.School.AddEraser(svc.Refunds)
}
