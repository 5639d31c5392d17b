package server

import (
	"context"

	"github.com/curatorops/curatorops/modules/identity"
)

// payPeople names the school's staff from the identity module.
type payPeople struct{ identity *identity.Service }

func (p payPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}
