package pay

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the pay operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Pay", "KPI-based pay: versioned schemes of fixed parts, piece rates, KPI tiers and commissions; who is paid by which version from when; monthly periods with statements that link every line to its sources, disputes, approvals, lock, corrections and exports for finance.")
	registerSchemes(api, svc)
	registerAssignments(api, svc)
	registerPeriods(api, svc)
	registerStatements(api, svc)
	registerDisputes(api, svc)
	registerExports(api, svc)
	registerSimulation(api, svc)
}
