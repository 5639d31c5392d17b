package server

import (
	"context"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/kb"
)

// kbPeople answers the knowledge base's questions about who works for a
// school, and since when, from the identity module.
type kbPeople struct{ identity *identity.Service }

func (p kbPeople) ActivePeople(ctx context.Context, orgID, role string) ([]kb.Person, error) {
	people, err := p.identity.ActivePeople(ctx, orgID, role)
	if err != nil {
		return nil, err
	}
	out := make([]kb.Person, len(people))
	for i, person := range people {
		out[i] = kbPerson(person)
	}
	return out, nil
}

func (p kbPeople) ActivePerson(ctx context.Context, orgID, userID string) (*kb.Person, error) {
	person, err := p.identity.ActivePerson(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	out := kbPerson(*person)
	return &out, nil
}

func kbPerson(p identity.Person) kb.Person {
	return kb.Person{UserID: p.UserID, Email: p.Email, Name: p.Name, Roles: p.Roles, JoinedAt: p.JoinedAt}
}
