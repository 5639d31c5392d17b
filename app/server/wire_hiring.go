package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/hiring"
	"github.com/curatorops/curatorops/modules/platform/clock"
)

// buildHiring builds the hiring service on the services built before it:
// identity creates hires' accounts, the school names courses and cohorts,
// homework lends submissions to the calibration set, and the audit log
// forgets an erased candidate.
func buildHiring(db *bun.DB, c clock.Clock, svc *Services) *hiring.Service {
	return hiring.NewService(db, c, svc.Audit, hiringAccounts{svc.Identity}, hiringCatalog{svc.School},
		hiringSubmissions{homework: svc.Homework, school: svc.School}, hiring.WithErasers(svc.Audit))
}

// connectHiring joins the hiring service to the modules built after it: an
// accepted offer starts the hire's onboarding plan.
func connectHiring(svc *Services) {
	svc.Hiring.UseOnboarding(svc.Onboarding)
}
