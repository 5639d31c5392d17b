package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// NewOfferBody is what HR offers.
type NewOfferBody struct {
	StartDate          string  `json:"start_date" format:"date" maxLength:"10" example:"2026-03-16" doc:"The first working day; not in the past."`
	PayScheme          string  `json:"pay_scheme" minLength:"1" maxLength:"2000" example:"Оклад 20 000 ₽ + 150 ₽ за проверенную работу + KPI по CSI"`
	MonthlyBaseKopecks *int64  `json:"monthly_base_kopecks,omitempty" minimum:"0" maximum:"1000000000000" doc:"The fixed monthly part, in kopecks."`
	MentorID           *string `json:"mentor_id,omitempty" format:"uuid" maxLength:"36" doc:"The mentor of the onboarding plan: an active member of the school."`
	ValidDays          int     `json:"valid_days,omitempty" minimum:"0" maximum:"60" doc:"How long the candidate's link works; 14 days when omitted."`
}

// HiringOfferDTO is an offer as HR sees it.
type HiringOfferDTO struct {
	ID                 string     `json:"id" format:"uuid"`
	ApplicationID      string     `json:"application_id" format:"uuid"`
	CandidateID        string     `json:"candidate_id" format:"uuid"`
	VacancyID          string     `json:"vacancy_id" format:"uuid"`
	StartDate          string     `json:"start_date" format:"date"`
	PayScheme          string     `json:"pay_scheme"`
	MonthlyBaseKopecks *int64     `json:"monthly_base_kopecks"`
	MentorID           *string    `json:"mentor_id"`
	Status             string     `json:"status" enum:"sent,accepted,declined,withdrawn,expired"`
	ExpiresAt          time.Time  `json:"expires_at"`
	CreatedBy          string     `json:"created_by"`
	CreatedAt          time.Time  `json:"created_at"`
	DecidedAt          *time.Time `json:"decided_at"`
	UserID             *string    `json:"user_id" doc:"The hire's account, once accepted."`
	PlanID             *string    `json:"plan_id" doc:"The hire's onboarding plan, once accepted."`
}

func offerDTO(o *Offer, now time.Time) HiringOfferDTO {
	return HiringOfferDTO{ID: o.ID, ApplicationID: o.ApplicationID, CandidateID: o.CandidateID, VacancyID: o.VacancyID, StartDate: o.StartDate,
		PayScheme: o.PayScheme, MonthlyBaseKopecks: o.MonthlyBaseKopecks, MentorID: o.MentorID, Status: o.State(now),
		ExpiresAt: utc(o.ExpiresAt), CreatedBy: o.CreatedBy, CreatedAt: utc(o.CreatedAt), DecidedAt: httpapi.UTC(o.DecidedAt),
		UserID: o.UserID, PlanID: o.PlanID}
}

// IssuedOfferDTO is a new offer with the candidate's link, shown once.
type IssuedOfferDTO struct {
	Offer    HiringOfferDTO `json:"offer"`
	Token    string         `json:"token" doc:"The secret of the candidate's link; shown only now."`
	LinkPath string         `json:"link_path"`
}

// OfferList is an application's offers.
type OfferList struct {
	Items []HiringOfferDTO `json:"items" nullable:"false"`
}

// OfferCloseBody closes an open offer on HR's side.
type OfferCloseBody struct {
	Status string `json:"status" enum:"declined,withdrawn" doc:"declined: the candidate said no; withdrawn: the school takes the offer back."`
}

func registerOffers(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("hiring_offer", "create"), huma.Operation{
		OperationID: "create-hiring-offer", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-applications/{id}/offers", Tags: []string{"Hiring"},
		Summary:       "Make an offer",
		Description:   "A start date and a pay scheme, which never change afterwards; the application moves to the offer stage. One open offer per application: a second is refused (409), so a repeated request cannot make two. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body NewOfferBody
	}) (*struct{ Body IssuedOfferDTO }, error) {
		b := in.Body
		issued, err := svc.CreateOffer(ctx, httpapi.OrgID(ctx), in.ID, OfferInput{StartDate: b.StartDate, PayScheme: b.PayScheme,
			MonthlyBaseKopecks: b.MonthlyBaseKopecks, MentorID: b.MentorID, ValidDays: b.ValidDays})
		if err != nil {
			return nil, err
		}
		return &struct{ Body IssuedOfferDTO }{Body: IssuedOfferDTO{Offer: offerDTO(issued.Offer, svc.Now()), Token: issued.Token,
			LinkPath: "/v1/hiring/offers/" + issued.Token}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_offer", "read"), huma.Operation{
		OperationID: "list-hiring-offers", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-applications/{id}/offers", Tags: []string{"Hiring"},
		Summary: "List an application's offers", Description: "Oldest first.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body OfferList }, error) {
		offers, err := svc.Offers(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := OfferList{Items: make([]HiringOfferDTO, len(offers))}
		for i := range offers {
			out.Items[i] = offerDTO(&offers[i], svc.Now())
		}
		return &struct{ Body OfferList }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_offer", "accept"), huma.Operation{
		OperationID: "accept-hiring-offer-on-behalf", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-offers/{id}/acceptance", Tags: []string{"Hiring"},
		Summary:     "Record a candidate's acceptance",
		Description: "HR records an acceptance given by phone or in person, with the initial password the candidate asked for; no administrator is needed. In one transaction: the account and curator membership, the onboarding plan and the hired stage. Audited.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body AcceptanceBody
	}) (*struct{ Body HiringOfferDTO }, error) {
		o, err := svc.AcceptOnBehalf(ctx, httpapi.OrgID(ctx), in.ID, in.Body.Password)
		if err != nil {
			return nil, err
		}
		return &struct{ Body HiringOfferDTO }{Body: offerDTO(o, svc.Now())}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_offer", "create"), huma.Operation{
		OperationID: "close-hiring-offer", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-offers/{id}/close", Tags: []string{"Hiring"},
		Summary: "Record a decline or withdraw an offer", Description: "Closes an open offer. Audited.", Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body OfferCloseBody
	}) (*struct{ Body HiringOfferDTO }, error) {
		o, err := svc.CloseOffer(ctx, httpapi.OrgID(ctx), in.ID, in.Body.Status)
		if err != nil {
			return nil, err
		}
		return &struct{ Body HiringOfferDTO }{Body: offerDTO(o, svc.Now())}, nil
	})
}
