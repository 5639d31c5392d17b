package cases

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Tags of the module's operations.
const (
	tagCases = "Cases"
	tagLinks = "Case links"
)

// Register adds the cases operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, tagCases, "Case and testimonial collection: requests at success moments, the students' own words, "+
		"append-only consent, moderation, per-cohort targets and counts, the marketing export.")
	httpapi.DefineTag(api, tagLinks, "The one-time link a student answers a case request through: no account, the token only.")
	registerRequests(api, svc)
	registerLinks(api, svc)
	registerSubmissions(api, svc)
	registerModeration(api, svc)
	registerStats(api, svc)
	registerSettings(api, svc)
	registerExport(api, svc)
	registerPrivacy(api, svc)
}

// viewer is the caller, seeing every curator's rows when the policy grants
// object:read_all and only her own otherwise.
func viewer(ctx context.Context, object string) Viewer {
	m := reqctx.From(ctx)
	return Viewer{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed(object, "read_all")}
}

// IDPath addresses one record of the school.
type IDPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Id of the record."`
}

func utc(t time.Time) time.Time { return t.UTC() }
