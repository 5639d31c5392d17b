package integration

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the integration operations: the events intake with its
// inbox and replay, the signing secret, webhooks and their delivery log.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Events", "Events from the school's LMS or CRM: the batch intake, the inbox and replay.")
	httpapi.DefineTag(api, "Webhooks", "The school's webhook endpoints and the delivery log of outbound events.")
	httpapi.DefineTag(api, "Integration settings", "The secret the LMS signs its event batches with.")
	registerEvents(api, svc)
	registerSettings(api, svc)
	registerWebhooks(api, svc)
	registerDeliveries(api, svc)
}
