package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/scorecard"
)

// buildScorecard builds the scorecard on the modules it reads.
func buildScorecard(db *bun.DB, c clock.Clock, svc *Services) *scorecard.Service {
	return scorecard.NewService(db, c, svc.Audit, scorecardSurveys{svc.Surveys}, scorecardSchool{svc.School}, scorecardSLA{svc.SLA},
		scorecardHomework{svc.Homework}, scorecardPeople{svc.Identity})
}
