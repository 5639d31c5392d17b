package scorecard

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the scorecard operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Scorecard", "The head of service's table: CSI, NPS, completion, refunds, response and review times, "+
		"SLA, cases, quality, LTV and ARPPU for two periods side by side, by cohort, course, curator or month.")
	registerScorecard(api, svc)
}
