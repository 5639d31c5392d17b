package identity

import (
	"context"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// OrgByID returns a school by id, or errs.ErrNotFound. The server's
// adapters read a school's time zone and currency through it: only identity
// reads the orgs table.
func (s *Service) OrgByID(ctx context.Context, id string) (*Org, error) {
	return s.store.OrgByID(ctx, s.DB, id)
}

// Person is what other modules may know about a member of a school: enough
// to assign work, show a name and count days since joining.
type Person struct {
	UserID   string
	Email    string
	Name     string
	Roles    []string
	JoinedAt time.Time
}

// ActivePeople lists the active members of a school holding role (any role
// when role is empty), ordered by joining. Other modules reach identity
// through this method, behind an interface of their own.
func (s *Service) ActivePeople(ctx context.Context, orgID, role string) ([]Person, error) {
	var out []Person
	after := ""
	for {
		page, err := s.store.ListMembers(ctx, s.DB, orgID, MemberFilter{Role: role, Status: StatusActive, Limit: 500, AfterID: after})
		if err != nil {
			return nil, err
		}
		more := len(page) > 500
		if more {
			page = page[:500]
		}
		for _, m := range page {
			if m.UserStatus == StatusActive {
				out = append(out, Person{UserID: m.UserID, Email: m.Email, Name: m.Name, Roles: m.Roles, JoinedAt: m.CreatedAt})
			}
		}
		if !more {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// ActivePerson returns one active member of a school, or errs.ErrNotFound
// when the user is not an active member there.
func (s *Service) ActivePerson(ctx context.Context, orgID, userID string) (*Person, error) {
	m, err := s.store.Member(ctx, s.DB, orgID, userID)
	if err != nil {
		return nil, err
	}
	if m.Status != StatusActive || m.UserStatus != StatusActive {
		return nil, errNotActive
	}
	return &Person{UserID: m.UserID, Email: m.Email, Name: m.Name, Roles: m.Roles, JoinedAt: m.CreatedAt}, nil
}

// ActivePersonByEmail returns the active member of a school with the email
// (case-insensitive), or errs.ErrNotFound.
func (s *Service) ActivePersonByEmail(ctx context.Context, orgID, email string) (*Person, error) {
	u, err := s.store.UserByEmail(ctx, s.DB, email)
	if err != nil {
		return nil, err
	}
	return s.ActivePerson(ctx, orgID, u.ID)
}

var errNotActive = errs.NotFound("active member")

// MemberNames returns the display names of those of userIDs who are or were
// members of the school, by user id: reports name the people they count,
// including those who have since left. Ids of anyone else are left out.
func (s *Service) MemberNames(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	if len(userIDs) == 0 {
		return map[string]string{}, nil
	}
	return s.store.MemberNames(ctx, s.DB, orgID, userIDs)
}
