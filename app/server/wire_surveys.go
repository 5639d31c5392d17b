package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/surveys"
)

// buildSurveys builds the surveys service on the services built before it.
func buildSurveys(db *bun.DB, c clock.Clock, svc *Services) *surveys.Service {
	return surveys.NewService(db, c, svc.Audit, surveysSchool{svc.School}, surveysPeople{svc.Identity})
}

// connectSurveys joins the surveys service to the other modules once all
// exist: the LMS's survey.answered events (registering the handler lets
// the inbox replay the events it kept waiting for one) and the erasure of
// a student's comments.
func connectSurveys(svc *Services) {
	for eventType, h := range svc.Surveys.EventHandlers() {
		svc.Integration.Handle(eventType, h)
	}
	svc.School.AddEraser(svc.Surveys)
}
