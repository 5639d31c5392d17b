package school

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the school-data operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Courses", "Courses with their ordered modules and assignments, and their cohorts.")
	httpapi.DefineTag(api, "Products", "What the school sells, with list prices.")
	httpapi.DefineTag(api, "Students", "Students and their personal data.")
	httpapi.DefineTag(api, "Enrollments", "Students in cohorts, with their curator and its history.")
	httpapi.DefineTag(api, "Orders", "Paid orders and their refunds.")
	// The order of the groups is the order of the operations and tags in
	// the OpenAPI document.
	registerCatalog(api, svc)
	registerPeople(api, svc)
	registerPrivacy(api, svc)
	registerImports(api, svc)
	registerCalendars(api, svc)
}

// IDPath addresses one record of a school by its id.
type IDPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid"`
}

// Money is an amount in minor units (kopecks for RUB) with its currency;
// never a float.
// The range and the currency are checked by the service, the same way for
// the API and the LMS's events.
type Money struct {
	Amount   int64  `json:"amount" minimum:"0" maximum:"1000000000000" doc:"In minor units (kopecks for RUB), from 0 to 10^12."`
	Currency string `json:"currency" doc:"ISO 4217 code: the school's currency, e.g. RUB."`
}

// ExternalRef is the optional LMS identity of a record created through the API.
type ExternalRef struct {
	Source     *string `json:"source,omitempty" doc:"System the record comes from, e.g. getcourse: one line, 1–50 characters. Required with external_id."`
	ExternalID *string `json:"external_id,omitempty" doc:"The record's id in that system, unique per source: one line, 1–200 characters. Required with source."`
}

func (r ExternalRef) external() External { return External{Source: r.Source, ExternalID: r.ExternalID} }
