package school

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// OrgPath addresses one school.
type OrgPath struct {
	Org string `path:"org" maxLength:"64" doc:"School slug."`
}

// Register adds the school-data operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Courses", "Courses with their ordered modules and assignments, and their cohorts.")
	httpapi.DefineTag(api, "Products", "What the school sells, with list prices.")
	httpapi.DefineTag(api, "Students", "Students and their personal data.")
	httpapi.DefineTag(api, "Enrollments", "Students in cohorts, with their curator and its history.")
	httpapi.DefineTag(api, "Orders", "Paid orders and their refunds.")
	registerCatalog(api, svc)
	registerPeople(api, svc)
}
