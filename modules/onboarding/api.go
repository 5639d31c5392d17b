package onboarding

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the onboarding operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Onboarding", "Onboarding templates per role, newcomers' plans, the gate before the first students, and recognition.")
	registerTemplates(api, svc)
	registerPlans(api, svc)
	registerRecognitions(api, svc)
	registerMetrics(api, svc)
}

// namer finds display names for the people a response names.
type namer func(ctx context.Context, orgID string, userIDs []string) (map[string]string, error)

// nameOf returns the name of id from names, or nil.
func nameOf(names map[string]string, id *string) *string {
	if id == nil {
		return nil
	}
	if n, ok := names[*id]; ok {
		return &n
	}
	return nil
}

func dateOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }
