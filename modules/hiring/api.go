package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the hiring operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Hiring", "Curator hiring: vacancies, candidates, the pipeline with its stage history, the talent reserve, interview scorecards and offers.")
	httpapi.DefineTag(api, "Hiring calibration", "Test tasks as calibration: reference reviews of real anonymised homework, and candidates' reviews scored against them.")
	httpapi.DefineTag(api, "Hiring candidate links", "What a candidate opens without an account: their test task and their offer.")
	registerPipeline(api, svc)
	registerVacancies(api, svc)
	registerCandidates(api, svc)
	registerApplications(api, svc)
	registerCalibration(api, svc)
	registerCandidateLinks(api, svc)
	registerScorecards(api, svc)
	registerOffers(api, svc)
	registerMetrics(api, svc)
}

// Statuses of versioned edits.
var versioned = []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired}

// IDPath addresses one row of the school.
type IDPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" maxLength:"36" doc:"The id."`
}

// TokenPath addresses what a candidate's link opens.
type TokenPath struct {
	Token string `path:"token" minLength:"20" maxLength:"100" doc:"The secret token of the candidate's link."`
}

// names looks up display names of the school's members.
func names(ctx context.Context, svc *Service, orgID string, userIDs []string) (map[string]string, error) {
	return svc.MemberNames(ctx, orgID, userIDs)
}

// HiringRatioDTO is a figure with its numerator and denominator.
type HiringRatioDTO struct {
	Numerator   int      `json:"numerator" minimum:"0"`
	Denominator int      `json:"denominator" minimum:"0"`
	Percent     *float64 `json:"percent" doc:"numerator / denominator in %; null when the denominator is 0."`
}

func ratioDTO(r Ratio) HiringRatioDTO {
	return HiringRatioDTO{Numerator: r.Numerator, Denominator: r.Denominator, Percent: r.Percent}
}

func utc(t time.Time) time.Time { return t.UTC() }
