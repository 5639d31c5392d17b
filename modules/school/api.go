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
type Money struct {
	Amount   int64  `json:"amount" minimum:"0" doc:"In minor units: kopecks for RUB."`
	Currency string `json:"currency" pattern:"^[A-Z]{3}$" doc:"ISO 4217 code, e.g. RUB."`
}

// ExternalRef is the optional LMS identity of a record created through the API.
type ExternalRef struct {
	Source     *string `json:"source,omitempty" minLength:"1" maxLength:"50" doc:"System the record comes from, e.g. getcourse."`
	ExternalID *string `json:"external_id,omitempty" minLength:"1" maxLength:"200" doc:"The record's id in that system; unique per source."`
}

func (r ExternalRef) external() External { return External{Source: r.Source, ExternalID: r.ExternalID} }
