package sla

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// SLASettingsDTO is the school's SLA settings.
type SLASettingsDTO struct {
	QuietStart     string   `json:"quiet_start" doc:"Local start of quiet hours (HH:MM), or empty."`
	QuietEnd       string   `json:"quiet_end" doc:"Local end of quiet hours (HH:MM), or empty."`
	NoReplyPhrases []string `json:"no_reply_phrases" doc:"Acknowledgements and thanks that need no answer. A student's text made only of these phrases (each one or more words) and emoji, in any order and with any punctuation but no question mark, starts no clock; case and ё/е do not matter."`
	Version        int64    `json:"version" doc:"0 until first saved."`
}

type settingsOutput struct {
	ETag string `header:"ETag"`
	Body SLASettingsDTO
}

func newSettingsOutput(s *Settings) *settingsOutput {
	return &settingsOutput{ETag: httpapi.ETag(s.Version), Body: SLASettingsDTO{QuietStart: s.QuietStart, QuietEnd: s.QuietEnd,
		NoReplyPhrases: splitPhrases(s.NoReplyPhrases), Version: s.Version}}
}

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_settings", "read"), huma.Operation{
		OperationID: "get-sla-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/settings", Tags: []string{tag},
		Summary: "Get the SLA settings", Description: "Quiet hours of warnings and the phrases that need no reply.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*settingsOutput, error) {
		s, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(s), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_settings", "write"), huma.Operation{
		OperationID: "update-sla-settings", Method: http.MethodPut, Path: "/v1/orgs/{org}/sla/settings", Tags: []string{tag},
		Summary: "Replace the SLA settings", Description: "Send If-Match with the ETag read (\"0\" before the first save). " +
			"An empty phrase list restores the default list.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		IfMatch string `header:"If-Match" maxLength:"64" doc:"The ETag from the last read."`
		Body    struct {
			QuietStart     string   `json:"quiet_start,omitempty" maxLength:"5"`
			QuietEnd       string   `json:"quiet_end,omitempty" maxLength:"5"`
			NoReplyPhrases []string `json:"no_reply_phrases,omitempty" maxItems:"200" doc:"Each at most 100 characters."`
		}
	}) (*settingsOutput, error) {
		version, err := settingsVersion(in.IfMatch)
		if err != nil {
			return nil, err
		}
		s, err := svc.SaveSettings(ctx, httpapi.OrgID(ctx), version, SettingsInput{QuietStart: in.Body.QuietStart,
			QuietEnd: in.Body.QuietEnd, NoReplyPhrases: in.Body.NoReplyPhrases})
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(s), nil
	})
}

// settingsVersion reads If-Match, where "0" means never saved.
func settingsVersion(tag string) (int64, error) {
	if tag == `"0"` || tag == "0" {
		return 0, nil
	}
	return httpapi.IfMatch{IfMatch: tag}.Version()
}
