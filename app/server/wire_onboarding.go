package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/onboarding"
	"github.com/curatorops/curatorops/modules/platform/clock"
)

// buildOnboarding builds the onboarding service on the services built before it.
func buildOnboarding(db *bun.DB, c clock.Clock, svc *Services) *onboarding.Service {
	return onboarding.NewService(db, c, svc.Audit, onboardingPeople{svc.Identity}, svc.Integration)
}

// connectOnboarding joins the onboarding service to the other modules once
// all exist: its items complete themselves from the knowledge base and the
// review queue, and the school and the review queue ask it who may not
// take students yet (in place of homework's hand-kept probation list).
func connectOnboarding(svc *Services) {
	svc.Onboarding.UseRegulations(onboardingKB{svc.KB})
	svc.Onboarding.UseReviews(onboardingReviews{svc.Homework})
	svc.School.UseCuratorGate(svc.Onboarding)
	svc.Homework.UseOnboarding(svc.Onboarding)
}
