package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Keys of integration accounts, each bound to one school and one role.

// APIKeyDTO is an integration key without its secret.
type APIKeyDTO struct {
	ID         string     `json:"id" format:"uuid"`
	Name       string     `json:"name"`
	Role       string     `json:"role" enum:"head_of_service,senior_curator,curator,hr,finance,integration"`
	KeyPrefix  string     `json:"key_prefix" doc:"First characters of the key, to tell keys apart."`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

func apiKeyDTO(k APIKey) APIKeyDTO {
	return APIKeyDTO{ID: k.ID, Name: k.Name, Role: k.Role, KeyPrefix: k.KeyPrefix, CreatedBy: k.CreatedBy,
		CreatedAt: k.CreatedAt.UTC(), ExpiresAt: httpapi.UTC(k.ExpiresAt), RevokedAt: httpapi.UTC(k.RevokedAt), LastUsedAt: httpapi.UTC(k.LastUsedAt)}
}

type createAPIKeyInput struct {
	httpapi.OrgPath
	Body struct {
		Name      string     `json:"name" minLength:"1" maxLength:"200" doc:"What the key is for, e.g. LMS GetCourse."`
		Role      string     `json:"role,omitempty" enum:"head_of_service,senior_curator,curator,hr,finance,integration" default:"integration"`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the key stops working: in the future and before 2100. Never, when absent."`
	}
}

// CreatedAPIKeyBody shows the secret key once.
type CreatedAPIKeyBody struct {
	APIKeyDTO
	Key string `json:"key" doc:"Send as X-API-Key. Shown only in this response."`
}

type createdAPIKeyOutput struct{ Body CreatedAPIKeyBody }

type listAPIKeysInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
}

type listAPIKeysOutput struct{ Body httpapi.Page[APIKeyDTO] }

type apiKeyPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid"`
}

type apiKeyOutput struct{ Body APIKeyDTO }

func registerAPIKeys(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("api_keys", "read"), huma.Operation{
		OperationID: "list-api-keys", Method: http.MethodGet, Path: "/v1/orgs/{org}/api-keys", Tags: []string{"API keys"},
		Summary:     "List the school's integration keys",
		Description: "Never shows the keys themselves, only their prefixes.",
	}, func(ctx context.Context, in *listAPIKeysInput) (*listAPIKeysOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListAPIKeys(ctx, httpapi.OrgID(ctx), in.Limit, after)
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
