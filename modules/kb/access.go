package kb

import (
	"context"

	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Viewer is who is asking: their user id and roles in the school, and
// whether they see every article (SeesAll).
type Viewer struct {
	UserID string
	Roles  []string
	// SeesAll: the viewer sees and edits every article in every status
	// whatever its audience, drafts included.
	SeesAll bool
}

// ViewerFrom returns the viewer of the request in ctx: SeesAll when the
// policy grants the caller kb_articles:read_all in the school.
func ViewerFrom(ctx context.Context) Viewer {
	m := reqctx.From(ctx)
	v := Viewer{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed("kb_articles", "read_all")}
	if m.Org != nil {
		v.Roles = m.Org.Roles
	}
	return v
}

// canRead: editors read everything; everyone else reads published
// articles meant for one of their roles.
func (v Viewer) canRead(a *Article) bool {
	return v.SeesAll || (a.Status == StatusPublished && a.meantFor(v.Roles))
}

// readerRoles is the roles a listing or search keeps articles for: nil
// (no narrowing) for a viewer who sees every article.
func (v Viewer) readerRoles() []string {
	if v.SeesAll {
		return nil
	}
	return append([]string{}, v.Roles...)
}
