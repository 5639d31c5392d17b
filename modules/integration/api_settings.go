package integration

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// SettingsDTO shows whether the school signs its batches, never the secret.
type SettingsDTO struct {
	SigningSecretSet    bool       `json:"signing_secret_set" doc:"Batches must then carry X-Signature."`
	SigningSecretPrefix string     `json:"signing_secret_prefix,omitempty" doc:"First characters of the secret, to tell secrets apart."`
	SigningSecretSetAt  *time.Time `json:"signing_secret_set_at,omitempty"`
}

func settingsDTO(s *Settings) SettingsDTO {
	return SettingsDTO{SigningSecretSet: s.SigningSecret != "", SigningSecretPrefix: s.SecretPrefix, SigningSecretSetAt: httpapi.UTC(s.SecretSetAt)}
}

type settingsOutput struct{ Body SettingsDTO }

// CreatedSecretBody shows a new signing secret once.
type CreatedSecretBody struct {
	SettingsDTO
	SigningSecret string `json:"signing_secret" doc:"The HMAC key of X-Signature. Shown only in this response."`
}

type createdSecretOutput struct{ Body CreatedSecretBody }

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("integration_settings", "read"), huma.Operation{
		OperationID: "get-integration-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/integration-settings", Tags: []string{"Integration settings"},
		Summary:     "Whether the school's event batches must be signed",
		Description: "Shows whether a signing secret is set, its first characters and when it was set; never the secret itself.",
	}, func(ctx context.Context, _ *httpapi.OrgPath) (*settingsOutput, error) {
		st, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return &settingsOutput{Body: settingsDTO(st)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("integration_settings", "update"), huma.Operation{
		OperationID: "rotate-signing-secret", Method: http.MethodPost, Path: "/v1/orgs/{org}/integration-settings/signing-secret", Tags: []string{"Integration settings"},
		Summary: "Set or rotate the signing secret of event batches",
		Description: "Generates a new secret, replacing any previous one at once, and shows it only in this response. " +
			"From then on every batch needs X-Signature: sha256=<hex HMAC-SHA256 of the raw body>.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, _ *httpapi.OrgPath) (*createdSecretOutput, error) {
		st, secret, err := svc.RotateSigningSecret(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return &createdSecretOutput{Body: CreatedSecretBody{SettingsDTO: settingsDTO(st), SigningSecret: secret}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("integration_settings", "update"), huma.Operation{
		OperationID: "clear-signing-secret", Method: http.MethodDelete, Path: "/v1/orgs/{org}/integration-settings/signing-secret", Tags: []string{"Integration settings"},
		Summary:       "Stop requiring signed event batches",
		Description:   "Removes the signing secret; batches are then taken without X-Signature. 404 when none is set.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *httpapi.OrgPath) (*struct{}, error) {
		return nil, svc.ClearSigningSecret(ctx, httpapi.OrgID(ctx))
	})
}
