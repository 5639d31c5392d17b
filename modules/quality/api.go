package quality

import (
	"context"
	"net/http"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

const tag = "Conversation quality"

// IDPath addresses one record of a school.
type IDPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"The record's id."`
}

// Register adds the conversation quality operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, tag, "Conversation quality control: scorecards, daily samples, reviews, disputes, calibration, "+
		"quality scores and coaching.")
	registerScorecards(api, svc)
	registerSettings(api, svc)
	registerSampling(api, svc)
	registerReviews(api, svc)
	registerCalibrations(api, svc)
	registerScores(api, svc)
}

// staleErrors are the answers of an update that names the version it read.
func staleErrors() []int {
	return []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}
}

// nameBook resolves the display names a response shows beside ids, in one
// lookup per response.
type nameBook map[string]string

func lookupNames(ctx context.Context, svc *Service, ids ...string) (nameBook, error) {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" })
	slices.Sort(ids)
	return svc.Names(ctx, httpapi.OrgID(ctx), slices.Compact(ids))
}

func (b nameBook) of(id string) *string {
	if n, ok := b[id]; ok {
		return &n
	}
	return nil
}
