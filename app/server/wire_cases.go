package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/platform/clock"
)

// buildCases builds the cases service on the services built before it.
func buildCases(db *bun.DB, c clock.Clock, svc *Services) *cases.Service {
	return cases.NewService(db, c, svc.Audit, casesSchool{school: svc.School},
		casesPeople{homeworkPeople{schoolPeople{svc.Identity}}}, svc.Integration)
}

// connectCases joins the cases service to the other modules once all exist:
// the LMS's case events, success moments from accepted homework, and the
// school's export and erasure of a student. Survey answers (CSI 5, NPS 9–10) reach SuccessMoment
// through the surveys module's AnswerObserver, connected with surveys.
func connectCases(svc *Services) {
	for eventType, h := range svc.Cases.EventHandlers() {
		svc.Integration.Handle(eventType, h)
	}
	svc.Homework.ObserveReviews(casesReviewObserver{cases: svc.Cases})
	svc.School.AddEraser(svc.Cases)
	svc.School.AddExporter(svc.Cases)
}
