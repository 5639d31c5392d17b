package server

import (
	"context"
	"errors"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/school"
)

// Adapters let one module ask another for what it needs through an
// interface of its own, so that modules never import each other.

// schoolPeople answers the school module's questions about curators and
// the school's currency from the identity module.
type schoolPeople struct{ identity *identity.Service }

func (p schoolPeople) ActiveCurators(ctx context.Context, orgID string) ([]school.Curator, error) {
	people, err := p.identity.ActivePeople(ctx, orgID, "curator")
	if err != nil {
		return nil, err
	}
	out := make([]school.Curator, len(people))
	for i, person := range people {
		out[i] = school.Curator{UserID: person.UserID, Name: person.Name}
	}
	return out, nil
}

func (p schoolPeople) IsActiveCurator(ctx context.Context, orgID, userID string) (bool, error) {
	person, err := p.identity.ActivePerson(ctx, orgID, userID)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return hasRole(person.Roles, "curator"), nil
}

func (p schoolPeople) CuratorIDByEmail(ctx context.Context, orgID, email string) (string, error) {
	person, err := p.identity.ActivePersonByEmail(ctx, orgID, email)
	if err != nil {
		return "", err
	}
	if !hasRole(person.Roles, "curator") {
		return "", errs.NotFound("curator")
	}
	return person.UserID, nil
}

func (p schoolPeople) SchoolCurrency(ctx context.Context, orgID string) (string, error) {
	org, err := p.identity.OrgByID(ctx, orgID)
	if err != nil {
		return "", err
	}
	return org.Currency, nil
}

func hasRole(roles []string, role string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}
