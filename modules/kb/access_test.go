package kb

import (
	"context"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// ViewerFrom asks the policy, never the role names: a role the policy
// grants kb_articles:read_all sees every article, whatever it is called.
func TestViewerFromAsksThePolicy(t *testing.T) {
	readAll := func(object, action string) bool { return object == "kb_articles" && action == "read_all" }
	nothing := func(string, string) bool { return false }
	cases := []struct {
		name    string
		roles   []string
		can     func(object, action string) bool
		seesAll bool
	}{
		{"granted read_all", []string{"curator"}, readAll, true},
		{"not granted read_all", []string{"head_of_service"}, nothing, false},
		{"no policy known", []string{"admin"}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := reqctx.With(context.Background(), &reqctx.Meta{
				Principal: &reqctx.Principal{Kind: reqctx.ActorUser, UserID: "u1"},
				Org:       &reqctx.OrgAccess{ID: "o1", Roles: c.roles, Can: c.can},
			})
			v := ViewerFrom(ctx)
			if v.SeesAll != c.seesAll || v.UserID != "u1" || len(v.Roles) != 1 || v.Roles[0] != c.roles[0] {
				t.Fatalf("viewer %+v, want SeesAll=%v", v, c.seesAll)
			}
			draft := &Article{Status: StatusDraft}
			if v.canRead(draft) != c.seesAll {
				t.Fatalf("reads a draft: %v, want %v", v.canRead(draft), c.seesAll)
			}
		})
	}
	if v := ViewerFrom(context.Background()); v.SeesAll || v.UserID != "" {
		t.Fatalf("a background job's viewer %+v sees nothing of its own", v)
	}
}
