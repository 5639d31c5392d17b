package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// The signed-in person's invitations to schools, which they accept or decline.

// InvitationDTO is an invitation as the invited person sees it.
type InvitationDTO struct {
	ID        string    `json:"id" format:"uuid"`
	Org       OrgRefDTO `json:"org"`
	Roles     []string  `json:"roles" doc:"The roles the person gets on accepting."`
	CreatedAt time.Time `json:"created_at"`
}

// OrgRefDTO names a school.
type OrgRefDTO struct {
	ID   string `json:"id" format:"uuid"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func invitationDTO(p PendingInvitation) InvitationDTO {
	return InvitationDTO{ID: p.ID, Org: OrgRefDTO{ID: p.Org.ID, Slug: p.Org.Slug, Name: p.Org.Name},
		Roles: sortedRoles(p.RoleList()), CreatedAt: p.CreatedAt.UTC()}
}

type invitationsOutput struct {
	Body struct {
		Items []InvitationDTO `json:"items"`
	}
}

type invitationPath struct {
	ID string `path:"id" format:"uuid" doc:"Invitation id."`
}

func registerInvitations(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.SignedIn(), huma.Operation{
		OperationID: "list-my-invitations", Method: http.MethodGet, Path: "/v1/me/invitations", Tags: []string{"Auth"},
		Summary:     "Your pending invitations to schools",
		Description: "A school that adds the email of an existing account invites that person; they join only when they accept.",
	}, func(ctx context.Context, _ *struct{}) (*invitationsOutput, error) {
		p, _ := httpapi.Actor(ctx)
		invs, err := svc.Invitations(ctx, p)
		if err != nil {
			return nil, err
		}
		out := &invitationsOutput{}
		out.Body.Items = make([]InvitationDTO, len(invs))
		for i, inv := range invs {
			out.Body.Items[i] = invitationDTO(inv)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.SignedIn(), huma.Operation{
		OperationID: "accept-my-invitation", Method: http.MethodPost, Path: "/v1/me/invitations/{id}/accept", Tags: []string{"Auth"},
		Summary:       "Accept an invitation to a school",
		Description:   "Makes you a member of the school with the roles offered. An invitation addressed to someone else is not found.",
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *invitationPath) (*struct{}, error) {
		p, _ := httpapi.Actor(ctx)
		return nil, svc.AcceptInvitation(ctx, p, in.ID)
	})

	httpapi.Register(api, httpapi.SignedIn(), huma.Operation{
		OperationID: "decline-my-invitation", Method: http.MethodPost, Path: "/v1/me/invitations/{id}/decline", Tags: []string{"Auth"},
		Summary:       "Decline an invitation to a school",
		Description:   "Removes the invitation; you get no access to the school.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *invitationPath) (*struct{}, error) {
		p, _ := httpapi.Actor(ctx)
		return nil, svc.DeclineInvitation(ctx, p, in.ID)
	})
}
