package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Signing in and out, and the signed-in user's own account.

type loginInput struct {
	Body struct {
		Email    string `json:"email" format:"idn-email" maxLength:"254"`
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
		NewPassword     string `json:"new_password" minLength:"10" maxLength:"128" doc:"At least 10 characters and hard to guess."`
	}
}

func registerAuth(api huma.API, svc *Service) {
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
