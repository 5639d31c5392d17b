package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// --- DTOs: what the API shows, kept apart from the rows.

// UserDTO is a user as others see them.
type UserDTO struct {
	ID            string `json:"id" format:"uuid"`
	Email         string `json:"email" format:"email"`
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

// MemberDTO is a person in a school's user list.
type MemberDTO struct {
	UserID     string    `json:"user_id" format:"uuid"`
	Email      string    `json:"email" format:"email"`
	Name       string    `json:"name"`
	Status     string    `json:"status" enum:"active,disabled" doc:"Access to this school."`
	UserStatus string    `json:"user_status" enum:"active,disabled" doc:"The account itself, across schools."`
	Roles      []string  `json:"roles"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int64     `json:"version"`
}

func memberDTO(m Member) MemberDTO {
	return MemberDTO{UserID: m.UserID, Email: m.Email, Name: m.Name, Status: m.Status, UserStatus: m.UserStatus,
		Roles: sortedRoles(m.Roles), CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(), Version: m.Version}
}

// APIKeyDTO is an integration key without its secret.
type APIKeyDTO struct {
	ID         string     `json:"id" format:"uuid"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	KeyPrefix  string     `json:"key_prefix" doc:"First characters of the key, to tell keys apart."`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

func apiKeyDTO(k APIKey) APIKeyDTO {
	return APIKeyDTO{ID: k.ID, Name: k.Name, Role: k.Role, KeyPrefix: k.KeyPrefix, CreatedBy: k.CreatedBy,
		CreatedAt: k.CreatedAt.UTC(), ExpiresAt: utcPtr(k.ExpiresAt), RevokedAt: utcPtr(k.RevokedAt), LastUsedAt: utcPtr(k.LastUsedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// OrgPath addresses one school.
type OrgPath struct {
	Org string `path:"org" maxLength:"64" doc:"School slug."`
}

// MemberPath addresses one member of a school.
type MemberPath struct {
	OrgPath
	UserID string `path:"user_id" format:"uuid" doc:"User id."`
}

// Register adds the identity operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Auth", "Signing in and out, and the signed-in user's own account.")
	httpapi.DefineTag(api, "Organisations", "Schools and their settings.")
	httpapi.DefineTag(api, "Users", "The people who work for a school and their roles in it.")
	httpapi.DefineTag(api, "API keys", "Keys of integration accounts (LMS, CRM), each bound to one school and one role.")
	registerSession(api, svc)
	registerOrgs(api, svc)
	registerMembers(api, svc)
	registerAPIKeys(api, svc)
}

// --- sessions

type loginInput struct {
	Body struct {
		Email    string `json:"email" format:"email" maxLength:"254"`
		Password string `json:"password" minLength:"1" maxLength:"128"`
	}
}

// LoginBody is a new session.
type LoginBody struct {
	Token     string    `json:"token" doc:"Send as Authorization: Bearer <token>. Shown once."`
	ExpiresAt time.Time `json:"expires_at"`
	User      UserDTO   `json:"user"`
}

type loginOutput struct{ Body LoginBody }

type meOutput struct {
	Body struct {
		User        UserDTO      `json:"user"`
		Memberships []MeOrgEntry `json:"memberships"`
	}
}

// MeOrgEntry is one school of the signed-in user.
type MeOrgEntry struct {
	Org    OrgDTO   `json:"org"`
	Status string   `json:"status" enum:"active,disabled"`
	Roles  []string `json:"roles"`
}

type changePasswordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" minLength:"1" maxLength:"128"`
		NewPassword     string `json:"new_password" minLength:"12" maxLength:"128"`
	}
}

func registerSession(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/v1/auth/login", Tags: []string{"Auth"},
		Summary:     "Sign in with email and password",
		Description: "Returns a bearer token. A wrong email and a wrong password get the same 401; repeated failures get 429 with Retry-After.",
		Errors:      []int{http.StatusUnauthorized, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *loginInput) (*loginOutput, error) {
		s, err := svc.Login(ctx, in.Body.Email, in.Body.Password)
		if err != nil {
			return nil, err
		}
		return &loginOutput{Body: LoginBody{Token: s.Token, ExpiresAt: s.ExpiresAt.UTC(), User: userDTO(s.User)}}, nil
	})

	httpapi.Register(api, httpapi.SignedIn(), huma.Operation{
		OperationID: "logout", Method: http.MethodPost, Path: "/v1/auth/logout", Tags: []string{"Auth"},
		Summary: "End the current session", Description: "Revokes the bearer token the request was made with; other sessions stay open.", DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		p, _ := httpapi.Actor(ctx)
		return nil, svc.Logout(ctx, p)
	})

	httpapi.Register(api, httpapi.SignedIn(), huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/v1/me", Tags: []string{"Auth"},
		Summary:     "The signed-in user and their schools with roles",
		Description: "Every school the user belongs to, with the membership status and the roles held there.",
	}, func(ctx context.Context, _ *struct{}) (*meOutput, error) {
		p, _ := httpapi.Actor(ctx)
		me, err := svc.Me(ctx, p)
		if err != nil {
			return nil, err
		}
		out := &meOutput{}
		out.Body.User = userDTO(me.User)
		out.Body.Memberships = make([]MeOrgEntry, len(me.Memberships))
		for i, m := range me.Memberships {
			out.Body.Memberships[i] = MeOrgEntry{Org: orgDTO(m.Org), Status: m.Status, Roles: sortedRoles(m.Roles)}
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.SignedIn(), huma.Operation{
		OperationID: "change-my-password", Method: http.MethodPut, Path: "/v1/me/password", Tags: []string{"Auth"},
		Summary:       "Change your own password",
		Description:   "Needs the current password. Ends every other session of the user.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *changePasswordInput) (*struct{}, error) {
		p, _ := httpapi.Actor(ctx)
		return nil, svc.ChangePassword(ctx, p, in.Body.CurrentPassword, in.Body.NewPassword)
	})
}

// --- schools

type createOrgInput struct {
	Body struct {
		Slug     string `json:"slug" pattern:"^[a-z0-9][a-z0-9-]{1,62}$" doc:"Short name used in paths, e.g. demo."`
		Name     string `json:"name" minLength:"1" maxLength:"200"`
		TimeZone string `json:"time_zone" minLength:"1" maxLength:"64" doc:"IANA time zone, e.g. Europe/Moscow."`
		Currency string `json:"currency" pattern:"^[A-Z]{3}$" doc:"ISO 4217 code, e.g. RUB."`
	}
}

type orgOutput struct {
	ETag string `header:"ETag"`
	Body OrgDTO
}

func newOrgOutput(o *Org) *orgOutput {
	return &orgOutput{ETag: httpapi.ETag(o.Version), Body: orgDTO(*o)}
}

type listOrgsInput struct {
	httpapi.PageQuery
}

type listOrgsOutput struct{ Body httpapi.Page[OrgDTO] }

type updateOrgInput struct {
	OrgPath
	httpapi.IfMatch
	Body struct {
		Name     *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		TimeZone *string `json:"time_zone,omitempty" minLength:"1" maxLength:"64"`
		Currency *string `json:"currency,omitempty" pattern:"^[A-Z]{3}$"`
	}
}

func registerOrgs(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.PlatformPermission("orgs", "create"), huma.Operation{
		OperationID: "create-org", Method: http.MethodPost, Path: "/v1/orgs", Tags: []string{"Organisations"},
		Summary: "Create a school", Description: "Platform administrators only. The slug becomes the {org} of every path of the school.", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createOrgInput) (*orgOutput, error) {
		o, err := svc.CreateOrg(ctx, NewOrg{Slug: in.Body.Slug, Name: in.Body.Name, TimeZone: in.Body.TimeZone, Currency: in.Body.Currency})
		if err != nil {
			return nil, err
		}
		return newOrgOutput(o), nil
	})

	httpapi.Register(api, httpapi.PlatformPermission("orgs", "list"), huma.Operation{
		OperationID: "list-orgs", Method: http.MethodGet, Path: "/v1/orgs", Tags: []string{"Organisations"},
		Summary:     "List every school of the deployment",
		Description: "Platform administrators only; ordered by slug.",
	}, func(ctx context.Context, in *listOrgsInput) (*listOrgsOutput, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListOrgs(ctx, in.Limit, first(after))
		if err != nil {
			return nil, err
		}
		return &listOrgsOutput{Body: httpapi.NewPage(rows, in.Limit, orgDTO, func(o Org) []string { return []string{o.Slug} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("org", "read"), huma.Operation{
		OperationID: "get-org", Method: http.MethodGet, Path: "/v1/orgs/{org}", Tags: []string{"Organisations"},
		Summary:     "Get the school's settings",
		Description: "Name, time zone and currency; the ETag is needed to change them.",
	}, func(ctx context.Context, in *OrgPath) (*orgOutput, error) {
		o, err := svc.Org(ctx, in.Org)
		if err != nil {
			return nil, err
		}
		return newOrgOutput(o), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("org", "update"), huma.Operation{
		OperationID: "update-org", Method: http.MethodPatch, Path: "/v1/orgs/{org}", Tags: []string{"Organisations"},
		Summary:     "Change the school's settings",
		Description: "Fields left out stay as they are. Needs If-Match with the ETag of the last read.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *updateOrgInput) (*orgOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		o, err := svc.UpdateOrg(ctx, in.Org, version, OrgChanges{Name: in.Body.Name, TimeZone: in.Body.TimeZone, Currency: in.Body.Currency})
		if err != nil {
			return nil, err
		}
		return newOrgOutput(o), nil
	})
}

func first(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// --- members

type listMembersInput struct {
	OrgPath
	httpapi.PageQuery
	Role   string `query:"role" enum:"admin,head_of_service,senior_curator,curator,hr,finance,integration" doc:"Only members holding this role."`
	Status string `query:"status" enum:"active,disabled"`
	Email  string `query:"email" maxLength:"254" doc:"Email prefix, case-insensitive."`
}

type listMembersOutput struct{ Body httpapi.Page[MemberDTO] }

type createMemberInput struct {
	OrgPath
	Body struct {
		Email    string   `json:"email" format:"email" maxLength:"254"`
		Name     string   `json:"name" minLength:"1" maxLength:"200"`
		Password string   `json:"password" minLength:"12" maxLength:"128" doc:"Initial password, for a person new to the deployment."`
		Roles    []string `json:"roles" minItems:"1" maxItems:"7" uniqueItems:"true"`
	}
}

type memberOutput struct {
	ETag string `header:"ETag"`
	Body MemberDTO
}

func newMemberOutput(m *Member) *memberOutput {
	return &memberOutput{ETag: httpapi.ETag(m.Version), Body: memberDTO(*m)}
}

type updateMemberInput struct {
	MemberPath
	httpapi.IfMatch
	Body struct {
		Status string `json:"status" enum:"active,disabled" doc:"disabled removes the person's access to this school."`
	}
}

type roleInput struct {
	MemberPath
	httpapi.IfMatch
	Role string `path:"role" enum:"admin,head_of_service,senior_curator,curator,hr,finance,integration"`
}

func registerMembers(api huma.API, svc *Service) {
	conflicts := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("users", "read"), huma.Operation{
		OperationID: "list-users", Method: http.MethodGet, Path: "/v1/orgs/{org}/users", Tags: []string{"Users"},
		Summary:     "List the people who work for the school",
		Description: "Filter by role, status or email prefix; ordered by when they joined.",
	}, func(ctx context.Context, in *listMembersInput) (*listMembersOutput, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListMembers(ctx, httpapi.OrgID(ctx), MemberFilter{Role: in.Role, Status: in.Status, Email: in.Email, Limit: in.Limit, AfterID: first(after)})
		if err != nil {
			return nil, err
		}
		return &listMembersOutput{Body: httpapi.NewPage(rows, in.Limit, memberDTO, func(m Member) []string { return []string{m.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("users", "create"), huma.Operation{
		OperationID: "create-user", Method: http.MethodPost, Path: "/v1/orgs/{org}/users", Tags: []string{"Users"},
		Summary:       "Add a person to the school with roles",
		Description:   "Creates the account when the email is new to the deployment; otherwise adds the existing account to the school and leaves its name and password alone.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createMemberInput) (*memberOutput, error) {
		m, err := svc.AddMember(ctx, httpapi.OrgID(ctx), NewMember{Email: in.Body.Email, Name: in.Body.Name, Password: in.Body.Password, Roles: in.Body.Roles})
		if err != nil {
			return nil, err
		}
		return newMemberOutput(m), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("users", "read"), huma.Operation{
		OperationID: "get-user", Method: http.MethodGet, Path: "/v1/orgs/{org}/users/{user_id}", Tags: []string{"Users"},
		Summary:     "Get one person of the school",
		Description: "The membership with its roles; the ETag is needed to change it.",
	}, func(ctx context.Context, in *MemberPath) (*memberOutput, error) {
		m, err := svc.Member(ctx, httpapi.OrgID(ctx), in.UserID)
		if err != nil {
			return nil, err
		}
		return newMemberOutput(m), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("users", "update"), huma.Operation{
		OperationID: "update-user", Method: http.MethodPatch, Path: "/v1/orgs/{org}/users/{user_id}", Tags: []string{"Users"},
		Summary: "Enable or disable a person's access to the school", Errors: conflicts,
		Description: "Disabling keeps the account and its history; the person loses access to this school only. The last active admin cannot be disabled.",
	}, func(ctx context.Context, in *updateMemberInput) (*memberOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		m, err := svc.SetMemberStatus(ctx, httpapi.OrgID(ctx), in.UserID, version, in.Body.Status)
		if err != nil {
			return nil, err
		}
		return newMemberOutput(m), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("roles", "grant"), huma.Operation{
		OperationID: "grant-role", Method: http.MethodPut, Path: "/v1/orgs/{org}/users/{user_id}/roles/{role}", Tags: []string{"Users"},
		Summary: "Grant a role to a person", Description: "Granting a role the person already holds changes nothing.", Errors: conflicts,
	}, func(ctx context.Context, in *roleInput) (*memberOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		m, err := svc.GrantRole(ctx, httpapi.OrgID(ctx), in.UserID, version, in.Role)
		if err != nil {
			return nil, err
		}
		return newMemberOutput(m), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("roles", "revoke"), huma.Operation{
		OperationID: "revoke-role", Method: http.MethodDelete, Path: "/v1/orgs/{org}/users/{user_id}/roles/{role}", Tags: []string{"Users"},
		Summary: "Revoke a role from a person", Description: "A person keeps at least one role, and the school keeps at least one active admin.", Errors: conflicts,
	}, func(ctx context.Context, in *roleInput) (*memberOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		m, err := svc.RevokeRole(ctx, httpapi.OrgID(ctx), in.UserID, version, in.Role)
		if err != nil {
			return nil, err
		}
		return newMemberOutput(m), nil
	})
}

// --- API keys

type createAPIKeyInput struct {
	OrgPath
	Body struct {
		Name      string     `json:"name" minLength:"1" maxLength:"200" doc:"What the key is for, e.g. LMS GetCourse."`
		Role      string     `json:"role,omitempty" enum:"head_of_service,senior_curator,curator,hr,finance,integration" default:"integration"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
	}
}

// CreatedAPIKeyBody shows the secret key once.
type CreatedAPIKeyBody struct {
	APIKeyDTO
	Key string `json:"key" doc:"Send as X-API-Key. Shown only in this response."`
}

type createdAPIKeyOutput struct{ Body CreatedAPIKeyBody }

type listAPIKeysInput struct {
	OrgPath
	httpapi.PageQuery
}

type listAPIKeysOutput struct{ Body httpapi.Page[APIKeyDTO] }

type apiKeyPath struct {
	OrgPath
	ID string `path:"id" format:"uuid"`
}

type apiKeyOutput struct{ Body APIKeyDTO }

func registerAPIKeys(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("api_keys", "read"), huma.Operation{
		OperationID: "list-api-keys", Method: http.MethodGet, Path: "/v1/orgs/{org}/api-keys", Tags: []string{"API keys"},
		Summary:     "List the school's integration keys",
		Description: "Never shows the keys themselves, only their prefixes.",
	}, func(ctx context.Context, in *listAPIKeysInput) (*listAPIKeysOutput, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListAPIKeys(ctx, httpapi.OrgID(ctx), in.Limit, first(after))
		if err != nil {
			return nil, err
		}
		return &listAPIKeysOutput{Body: httpapi.NewPage(rows, in.Limit, apiKeyDTO, func(k APIKey) []string { return []string{k.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("api_keys", "create"), huma.Operation{
		OperationID: "create-api-key", Method: http.MethodPost, Path: "/v1/orgs/{org}/api-keys", Tags: []string{"API keys"},
		Summary: "Create an integration key", Description: "The key is bound to this school and one role, and is shown only in this response.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createAPIKeyInput) (*createdAPIKeyOutput, error) {
		k, err := svc.CreateAPIKey(ctx, httpapi.OrgID(ctx), in.Body.Name, in.Body.Role, in.Body.ExpiresAt)
		if err != nil {
			return nil, err
		}
		return &createdAPIKeyOutput{Body: CreatedAPIKeyBody{APIKeyDTO: apiKeyDTO(*k.APIKey), Key: k.Key}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("api_keys", "revoke"), huma.Operation{
		OperationID: "revoke-api-key", Method: http.MethodPost, Path: "/v1/orgs/{org}/api-keys/{id}/revoke", Tags: []string{"API keys"},
		Summary: "Revoke an integration key", Description: "The key stops working at once; its record stays.", Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *apiKeyPath) (*apiKeyOutput, error) {
		k, err := svc.RevokeAPIKey(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &apiKeyOutput{Body: apiKeyDTO(*k)}, nil
	})
}
