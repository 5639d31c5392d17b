package pay

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the pay operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Pay", "KPI-based pay: versioned schemes of fixed parts, piece rates, KPI tiers and commissions, and who is paid by which version from when.")
	registerSchemes(api, svc)
	registerAssignments(api, svc)
}
