package server

import (
	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/quality"
)

// buildQuality builds the quality service on the services built before it:
// conversations from the SLA module, people from identity, regulation
// clauses from the knowledge base, the homework quality score beside the
// conversation one.
func buildQuality(db *bun.DB, c clock.Clock, svc *Services) *quality.Service {
	return quality.NewService(db, c, svc.Audit, qualityConversations{svc.SLA}, qualityPeople{svc.Identity}, qualityArticles{svc.KB},
		quality.WithHomework(qualityHomework{svc.Homework}))
}
