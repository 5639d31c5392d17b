package identity

import (
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Register adds the identity operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Auth", "Signing in and out, and the signed-in user's own account.")
	httpapi.DefineTag(api, "Organisations", "Schools and their settings.")
	httpapi.DefineTag(api, "Users", "The people who work for a school and their roles in it.")
	httpapi.DefineTag(api, "API keys", "Keys of integration accounts (LMS, CRM), each bound to one school and one role.")
	registerAuth(api, svc)
	registerInvitations(api, svc)
	registerOrgs(api, svc)
	registerMembers(api, svc)
	registerAPIKeys(api, svc)
}

// --- DTOs the endpoint groups share: what the API shows, kept apart from
// the rows.

// UserDTO is a user as others see them.
type UserDTO struct {
	ID            string `json:"id" format:"uuid"`
	Email         string `json:"email" format:"idn-email" doc:"An address in any script (RFC 6531), stored normalised."`
	Name          string `json:"name"`
	Status        string `json:"status" enum:"active,disabled"`
	PlatformAdmin bool   `json:"platform_admin"`
}

func userDTO(u *User) UserDTO {
	return UserDTO{ID: u.ID, Email: u.Email, Name: u.Name, Status: u.Status, PlatformAdmin: u.PlatformAdmin}
}

// OrgDTO is a school.
type OrgDTO struct {
	ID        string    `json:"id" format:"uuid"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	TimeZone  string    `json:"time_zone"`
	Currency  string    `json:"currency"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

func orgDTO(o Org) OrgDTO {
	return OrgDTO{ID: o.ID, Slug: o.Slug, Name: o.Name, TimeZone: o.TimeZone, Currency: o.Currency,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(), Version: o.Version}
}
