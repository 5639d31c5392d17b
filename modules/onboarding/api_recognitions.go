package onboarding

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// RecognitionBody awards a thanks or a certificate.
type RecognitionBody struct {
	UserID string `json:"user_id" format:"uuid" doc:"An active member of the school."`
	Kind   string `json:"kind" enum:"thanks,certificate" doc:"«Благодарность» or «сертификат»."`
	Title  string `json:"title" minLength:"1" maxLength:"200" example:"Благодарность за лучший CSI потока"`
	Text   string `json:"text,omitempty" maxLength:"4000"`
}

// RecognitionDTO is a thanks or a certificate on a curator's profile.
type RecognitionDTO struct {
	ID            string    `json:"id" format:"uuid"`
	UserID        string    `json:"user_id" format:"uuid"`
	UserName      *string   `json:"user_name"`
	Kind          string    `json:"kind" enum:"thanks,certificate"`
	Title         string    `json:"title"`
	Text          string    `json:"text"`
	AwardedBy     string    `json:"awarded_by"`
	AwardedByName *string   `json:"awarded_by_name"`
	AwardedAt     time.Time `json:"awarded_at"`
}

type recognitionOutput struct {
	Body RecognitionDTO
}

type recognitionListOutput struct {
	Body httpapi.Page[RecognitionDTO]
}

// RecognitionPath addresses one recognition.
type RecognitionPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Recognition id."`
}

func recognitionDTO(r *Recognition, names map[string]string) RecognitionDTO {
	return RecognitionDTO{ID: r.ID, UserID: r.UserID, UserName: nameOf(names, &r.UserID), Kind: r.Kind, Title: r.Title, Text: r.Text,
		AwardedBy: r.AwardedBy, AwardedByName: nameOf(names, &r.AwardedBy), AwardedAt: r.AwardedAt.UTC()}
}

func registerRecognitions(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("onboarding_recognitions", "read"), huma.Operation{
		OperationID: "list-recognitions", Method: http.MethodGet, Path: "/v1/orgs/{org}/recognitions", Tags: []string{"Onboarding"},
		Summary:     "List thanks and certificates",
		Description: "The school's non-material recognition, oldest first; user_id gives one curator's profile.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
		UserID string `query:"user_id" format:"uuid"`
		Kind   string `query:"kind" enum:"thanks,certificate"`
	}) (*recognitionListOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		orgID := httpapi.OrgID(ctx)
		rows, err := svc.Recognitions(ctx, orgID, RecognitionFilter{UserID: in.UserID, Kind: in.Kind, AfterID: after, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.UserID, r.AwardedBy)
		}
		names, err := svc.PeopleNames(ctx, orgID, ids)
		if err != nil {
			return nil, err
		}
		return &recognitionListOutput{Body: httpapi.NewPage(rows, in.Limit, func(r Recognition) RecognitionDTO { return recognitionDTO(&r, names) },
			func(r Recognition) []string { return []string{r.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_recognitions", "create"), huma.Operation{
		OperationID: "create-recognition", Method: http.MethodPost, Path: "/v1/orgs/{org}/recognitions", Tags: []string{"Onboarding"},
		Summary: "Thank a curator or award a certificate", Description: "Shown on the curator's profile. Audited.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body RecognitionBody
	}) (*recognitionOutput, error) {
		orgID := httpapi.OrgID(ctx)
		r, err := svc.Recognize(ctx, orgID, RecognitionInput{UserID: in.Body.UserID, Kind: in.Body.Kind, Title: in.Body.Title, Text: in.Body.Text})
		if err != nil {
			return nil, err
		}
		names, err := svc.PeopleNames(ctx, orgID, []string{r.UserID, r.AwardedBy})
		if err != nil {
			return nil, err
		}
		return &recognitionOutput{Body: recognitionDTO(r, names)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_recognitions", "delete"), huma.Operation{
		OperationID: "withdraw-recognition", Method: http.MethodDelete, Path: "/v1/orgs/{org}/recognitions/{id}", Tags: []string{"Onboarding"},
		Summary: "Withdraw a recognition", Description: "For one given by mistake; the audit log keeps what it was.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *RecognitionPath) (*struct{}, error) {
		return nil, svc.WithdrawRecognition(ctx, httpapi.OrgID(ctx), in.ID)
	})
}
