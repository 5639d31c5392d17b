package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// The people who work for a school and their roles in it.

// MemberDTO is a person in a school's user list.
type MemberDTO struct {
	UserID     string    `json:"user_id" format:"uuid"`
	Email      string    `json:"email" format:"idn-email" doc:"An address in any script (RFC 6531), stored normalised."`
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

// MemberPath addresses one member of a school.
type MemberPath struct {
	httpapi.OrgPath
	UserID string `path:"user_id" format:"uuid" doc:"User id."`
}

type listMembersInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Role   string `query:"role" enum:"admin,head_of_service,senior_curator,curator,hr,finance,integration" doc:"Only members holding this role."`
	Status string `query:"status" enum:"active,disabled"`
	Email  string `query:"email" maxLength:"254" doc:"Email prefix, case-insensitive."`
}

type listMembersOutput struct{ Body httpapi.Page[MemberDTO] }

type createMemberInput struct {
	httpapi.OrgPath
	Body struct {
		Email    string   `json:"email" format:"idn-email" doc:"An address in any script (RFC 6531), stored normalised." maxLength:"254"`
		Name     string   `json:"name" minLength:"1" maxLength:"200"`
		Password string   `json:"password" minLength:"10" maxLength:"128" doc:"Initial password, for a person new to the deployment: at least 10 characters and hard to guess."`
		Roles    []string `json:"roles" minItems:"1" maxItems:"7" uniqueItems:"true" nullable:"false" enum:"admin,head_of_service,senior_curator,curator,hr,finance,integration"`
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
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListMembers(ctx, httpapi.OrgID(ctx), MemberFilter{Role: in.Role, Status: in.Status, Email: in.Email, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listMembersOutput{Body: httpapi.NewPage(rows, in.Limit, memberDTO, func(m Member) []string { return []string{m.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("users", "create"), huma.Operation{
		OperationID: "create-user", Method: http.MethodPost, Path: "/v1/orgs/{org}/users", Tags: []string{"Users"},
		Summary:       "Add a person to the school with roles",
		Description:   "Creates the account when the email is new to the deployment. An email that already has an account gets an invitation instead, which the person accepts or declines (see /v1/me/invitations); the answer is the same either way and shows only what was sent.",
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
