package kb

import (
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Tags of the knowledge base operations.
const (
	tagArticles  = "Knowledge base"
	tagReading   = "Required reading"
	tagTemplates = "Answer templates"
)

// Register adds the knowledge base operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, tagArticles, "Regulations: categories, articles and their revisions, diffs, quizzes and Russian full-text search.")
	httpapi.DefineTag(api, tagReading, "Required reading: acknowledgments of published revisions, quiz attempts, who has read what, overdue reminders.")
	httpapi.DefineTag(api, tagTemplates, "Answer templates (шаблоны ответов) with {{variables}}, rendered for curators.")
	registerCategories(api, svc)
	registerArticles(api, svc)
	registerRevisions(api, svc)
	registerQuiz(api, svc)
	registerSearch(api, svc)
	registerReading(api, svc)
	registerTemplates(api, svc)
}

// ArticlePath addresses one article.
type ArticlePath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Article id."`
}

// RevisionPath addresses one revision of an article.
type RevisionPath struct {
	ArticlePath
	Rev string `path:"rev" format:"uuid" doc:"Revision id."`
}

// versionOf returns the version in If-Match, or 0 when none was sent; the
// service answers 428 for 0 only after refusing what can never succeed
// (changing a published revision).
func versionOf(h httpapi.IfMatch) (int64, error) {
	if strings.TrimSpace(h.IfMatch) == "" {
		return 0, nil
	}
	return h.Version()
}

// strs answers an empty list for nil: lists in bodies are never null.
func strs(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
