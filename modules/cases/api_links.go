package cases

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// TokenPath addresses a request by its one-time link token.
type TokenPath struct {
	Token string `path:"token" maxLength:"64" doc:"The link token from case.requested (ccr_…)."`
}

// CaseLinkDTO is the form a student sees on opening the link.
type CaseLinkDTO struct {
	ExpiresAt               time.Time `json:"expires_at" doc:"The link works until then, once."`
	ConsentTextVersion      string    `json:"consent_text_version" doc:"Send it back with a consent: it records which text the student saw."`
	ConsentText             string    `json:"consent_text" doc:"The consent text to show."`
	Scopes                  []string  `json:"scopes" doc:"The uses a consent may cover." enum:"internal,website,social,advertising"`
	Incentive               string    `json:"incentive" doc:"What every student who answers gets, whatever the rating; empty for none."`
	GuardianConsentRequired bool      `json:"guardian_consent_required" doc:"The student is under 18: a consent must come from a guardian, named."`
}

// CaseConsentBody is a consent as given.
type CaseConsentBody struct {
	Scopes       []string   `json:"scopes" minItems:"1" maxItems:"4" enum:"internal,website,social,advertising" doc:"The uses the consent covers."`
	TextVersion  string     `json:"text_version" minLength:"1" maxLength:"64" doc:"The version of the consent text shown."`
	GivenBy      string     `json:"given_by,omitempty" enum:"student,guardian" doc:"Who consents; a guardian for a student under 18. Student by default."`
	GuardianName *string    `json:"guardian_name,omitempty" maxLength:"200" doc:"The guardian's full name, required when given_by is guardian."`
	Channel      string     `json:"channel,omitempty" enum:"curator,email,paper,messenger,lms,link" doc:"How the consent reached the school (staff entry only; curator by default)."`
	GivenAt      *time.Time `json:"given_at,omitempty" doc:"When it was given, if not now (staff entry only)."`
}

func (b *CaseConsentBody) input() *ConsentInput {
	if b == nil {
		return nil
	}
	return &ConsentInput{Scopes: b.Scopes, TextVersion: b.TextVersion, GivenBy: b.GivenBy, GuardianName: b.GuardianName, Channel: b.Channel, GivenAt: b.GivenAt}
}

// CaseLinkAnswerBody is what a student sends through the link.
type CaseLinkAnswerBody struct {
	Text     *string          `json:"text,omitempty" maxLength:"20000" doc:"The student's own words, kept byte for byte."`
	VideoURL *string          `json:"video_url,omitempty" maxLength:"2000" format:"uri" doc:"A link to the student's video (http or https)."`
	Rating   *int             `json:"rating,omitempty" minimum:"1" maximum:"5" doc:"The student's rating of the course, 1–5."`
	Before   *string          `json:"before,omitempty" maxLength:"5000" doc:"Where the student was before the course."`
	After    *string          `json:"after,omitempty" maxLength:"5000" doc:"Where the student is after it."`
	Tags     []string         `json:"tags,omitempty" maxItems:"20" doc:"Topics, such as a new job or a first client."`
	Consent  *CaseConsentBody `json:"consent,omitempty" doc:"The student's consent to use the case; without it the case stays internal and unpublished."`
}

// CaseLinkReceiptDTO confirms an answer without saying anything else.
type CaseLinkReceiptDTO struct {
	Received bool `json:"received" doc:"The answer was stored; the link no longer works."`
}

// CaseLinkDeclineBody declines the request.
type CaseLinkDeclineBody struct {
	OptOut bool `json:"opt_out,omitempty" doc:"Never ask again."`
}

const linkDoc = " Public: the token is the only credential. Calls are limited per client address (429 with Retry-After). " +
	"An unknown, used or expired link answers the same 404, and nothing about the student, other students or the school is shown."

func registerLinks(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "open-case-link", Method: http.MethodGet, Path: "/v1/case-requests/{token}", Tags: []string{tagLinks},
		Summary: "Open a case request link", Description: "Records that the student opened the link and returns the form." + linkDoc,
		Errors: []int{http.StatusNotFound, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *TokenPath) (*struct{ Body CaseLinkDTO }, error) {
		v, err := svc.OpenLink(ctx, in.Token, reqctx.From(ctx).IP)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CaseLinkDTO }{Body: CaseLinkDTO{ExpiresAt: v.ExpiresAt, ConsentTextVersion: v.ConsentTextVersion, ConsentText: v.ConsentText,
			Scopes: Scopes, Incentive: v.Incentive, GuardianConsentRequired: v.GuardianConsentRequired}}, nil
	})

	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "answer-case-link", Method: http.MethodPost, Path: "/v1/case-requests/{token}", Tags: []string{tagLinks},
		Summary: "Answer a case request", Description: "Stores the student's case (text, video link or both) with their consent if given; " +
			"the link then stops working. A consent names the consent text version the form showed." + linkDoc,
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *struct {
		TokenPath
		Body CaseLinkAnswerBody
	}) (*struct{ Body CaseLinkReceiptDTO }, error) {
		b := in.Body
		if b.Consent != nil {
			b.Consent.Channel, b.Consent.GivenAt = "", nil
		}
		_, err := svc.SubmitByLink(ctx, in.Token, reqctx.From(ctx).IP, SubmissionInput{Body: b.Text, VideoURL: b.VideoURL, Rating: b.Rating,
			BeforeText: b.Before, AfterText: b.After, Tags: b.Tags, Consent: b.Consent.input()})
		if err != nil {
			return nil, err
		}
		return &struct{ Body CaseLinkReceiptDTO }{Body: CaseLinkReceiptDTO{Received: true}}, nil
	})

	httpapi.Register(api, httpapi.Public(), huma.Operation{
		OperationID: "decline-case-link", Method: http.MethodPost, Path: "/v1/case-requests/{token}/decline", Tags: []string{tagLinks},
		Summary: "Decline a case request", Description: "Closes the link; with opt_out the student is never asked again." + linkDoc,
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *struct {
		TokenPath
		Body CaseLinkDeclineBody
	}) (*struct{}, error) {
		return nil, svc.DeclineByLink(ctx, in.Token, reqctx.From(ctx).IP, in.Body.OptOut)
	})
}
