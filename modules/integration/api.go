package integration

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/validate"
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

// afterKey decodes a one-key cursor whose key is a row id. The cursor's
// text passes the input check, but what it decodes to is refused here: a
// NUL inside it would reach the query.
func afterKey(cursor string) (string, error) {
	after, err := httpapi.AfterID(cursor)
	if err == nil && !validate.IsSingleLine(after) {
		err = errs.Invalid("query.cursor", "malformed cursor; pass next_cursor from a previous page unchanged")
	}
	return after, err
}
