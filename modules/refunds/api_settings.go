package refunds

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// RefundReasonBody is one entry of the reason catalog.
type RefundReasonBody struct {
	Code   string `json:"code" maxLength:"40" example:"no_time" doc:"Lower-case latin letters, digits and _; unspecified is reserved."`
	Title  string `json:"title" maxLength:"200" example:"Нет времени на обучение"`
	Active bool   `json:"active" doc:"Offered for new requests; a retired reason stays on the requests that have it."`
}

// RefundCostBody is a documented non-refundable cost.
type RefundCostBody struct {
	Title  string `json:"title" maxLength:"200" example:"Комиссия платёжной системы"`
	Amount int64  `json:"amount" minimum:"0" maximum:"1000000000000" doc:"Minor units (kopecks)."`
}

// RefundTermsBody are refund terms of an offer.
type RefundTermsBody struct {
	FullRefundDays int              `json:"full_refund_days" minimum:"0" maximum:"365" doc:"Days after payment within which the whole payment is refundable."`
	ProRata        string           `json:"prorata" enum:"days,modules,none" doc:"After the window: by days of the cohort elapsed, by modules opened, or nothing."`
	Costs          []RefundCostBody `json:"costs" maxItems:"20" nullable:"false" doc:"Deducted from every refund."`
}

func termsBody(t OfferTerms) RefundTermsBody {
	out := RefundTermsBody{FullRefundDays: t.FullRefundDays, ProRata: t.ProRata, Costs: make([]RefundCostBody, len(t.Costs))}
	for i, c := range t.Costs {
		out.Costs[i] = RefundCostBody(c)
	}
	return out
}

func (b RefundTermsBody) terms() OfferTerms {
	t := OfferTerms{FullRefundDays: b.FullRefundDays, ProRata: b.ProRata, Costs: make([]NonRefundableCost, len(b.Costs))}
	for i, c := range b.Costs {
		t.Costs[i] = NonRefundableCost{Title: strings.TrimSpace(c.Title), Amount: c.Amount}
	}
	return t
}

// RefundSettingsBody are a school's refund settings.
type RefundSettingsBody struct {
	DecisionHours  int                `json:"decision_hours" minimum:"1" maximum:"720" doc:"Business hours of the school's default calendar a request may wait for its decision before it is escalated."`
	Reasons        []RefundReasonBody `json:"reasons" minItems:"1" maxItems:"50" doc:"The reason catalog."`
	ApprovalLimits map[string]int64   `json:"approval_limits" doc:"By role: the largest amount (minor units) one approver with that role may approve alone; above it a second approver must agree."`
	DefaultTerms   RefundTermsBody    `json:"default_terms" doc:"The terms of every product that has none of its own."`
}

type refundSettingsOutput struct {
	ETag string `header:"ETag"`
	Body RefundSettingsBody
}

func newRefundSettingsOutput(st *Settings) *refundSettingsOutput {
	body := RefundSettingsBody{DecisionHours: st.DecisionHours, Reasons: make([]RefundReasonBody, len(st.Reasons)), ApprovalLimits: st.ApprovalLimits,
		DefaultTerms: termsBody(st.OfferTerms())}
	for i, r := range st.Reasons {
		body.Reasons[i] = RefundReasonBody(r)
	}
	if body.ApprovalLimits == nil {
		body.ApprovalLimits = map[string]int64{}
	}
	return &refundSettingsOutput{ETag: httpapi.ETag(st.Version), Body: body}
}

// ProductTermsPath addresses a product's refund terms.
type ProductTermsPath struct {
	httpapi.OrgPath
	ProductID string `path:"product_id" format:"uuid" doc:"Product id."`
}

// ProductRefundTermsDTO are a product's refund terms.
type ProductRefundTermsDTO struct {
	ProductID string          `json:"product_id" format:"uuid"`
	Own       bool            `json:"own" doc:"false: the product has no terms of its own and these are the school's default terms."`
	Terms     RefundTermsBody `json:"terms"`
	Version   int64           `json:"version" doc:"1 while the product has no terms of its own."`
}

type productTermsOutput struct {
	ETag string `header:"ETag"`
	Body ProductRefundTermsDTO
}

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("refund_settings", "read"), huma.Operation{
		OperationID: "get-refund-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/refund-settings", Tags: []string{"Refunds"},
		Summary:     "Get the refund settings",
		Description: "The reason catalog, approval limits by role, the decision deadline and the default offer terms; the defaults until the school saves its own.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*refundSettingsOutput, error) {
		st, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return newRefundSettingsOutput(st), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_settings", "update"), huma.Operation{
		OperationID: "put-refund-settings", Method: http.MethodPut, Path: "/v1/orgs/{org}/refund-settings", Tags: []string{"Refunds"},
		Summary: "Replace the refund settings", Description: "With If-Match from the last read. Audited.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.IfMatch
		Body RefundSettingsBody
	}) (*refundSettingsOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		b := in.Body
		reasons := make([]Reason, len(b.Reasons))
		for i, r := range b.Reasons {
			reasons[i] = Reason{Code: r.Code, Title: strings.TrimSpace(r.Title), Active: r.Active}
		}
		st, err := svc.SaveSettings(ctx, httpapi.OrgID(ctx), v, SettingsInput{DecisionHours: b.DecisionHours, Reasons: reasons,
			ApprovalLimits: b.ApprovalLimits, OfferTerms: b.DefaultTerms.terms()})
		if err != nil {
			return nil, err
		}
		return newRefundSettingsOutput(st), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_settings", "read"), huma.Operation{
		OperationID: "get-refund-terms", Method: http.MethodGet, Path: "/v1/orgs/{org}/refund-terms/{product_id}", Tags: []string{"Refunds"},
		Summary: "Get a product's refund terms", Description: "The product's own terms, else the school's default terms (own false, version 1).",
	}, func(ctx context.Context, in *ProductTermsPath) (*productTermsOutput, error) {
		t, own, err := svc.ProductTermsOf(ctx, httpapi.OrgID(ctx), in.ProductID)
		if err != nil {
			return nil, err
		}
		return newProductTermsOutput(t, own), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("refund_settings", "update"), huma.Operation{
		OperationID: "put-refund-terms", Method: http.MethodPut, Path: "/v1/orgs/{org}/refund-terms/{product_id}", Tags: []string{"Refunds"},
		Summary:     "Set a product's refund terms",
		Description: "With If-Match from the last read (\"1\" while the product has no terms of its own). Audited.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		ProductTermsPath
		httpapi.IfMatch
		Body RefundTermsBody
	}) (*productTermsOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		t, err := svc.SaveProductTerms(ctx, httpapi.OrgID(ctx), in.ProductID, v, in.Body.terms())
		if err != nil {
			return nil, err
		}
		return newProductTermsOutput(t, true), nil
	})
}

func newProductTermsOutput(t *ProductTerms, own bool) *productTermsOutput {
	return &productTermsOutput{ETag: httpapi.ETag(t.Version), Body: ProductRefundTermsDTO{ProductID: t.ProductID, Own: own,
		Terms: termsBody(t.OfferTerms()), Version: t.Version}}
}
