package sla

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// IDPath addresses one record of a school.
type IDPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid"`
}

const tag = "SLA"

// Register adds the SLA operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, tag, "Response-time SLA: student conversations, response clocks, policies, live views, reports.")
	registerConversations(api, svc)
	registerClocks(api, svc)
	registerPolicies(api, svc)
	registerReports(api, svc)
	registerSettings(api, svc)
}

// staleErrors are the answers of an update that names the version it read
// (If-Match).
func staleErrors() []int {
	return []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}
}
