package hiring

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Offer links stay valid this many days unless HR says otherwise.
const (
	DefaultOfferDays = 14
	MaxOfferDays     = 60
)

// HiredRole is the role a hire joins the school with.
const HiredRole = "curator"

// OfferInput is what HR offers.
type OfferInput struct {
	StartDate          string
	PayScheme          string
	MonthlyBaseKopecks *int64
	MentorID           *string
	ValidDays          int
}

// IssuedOffer is a new offer with the token of the candidate's link, shown once.
type IssuedOffer struct {
	Offer *Offer
	Token string
}

// CreateOffer makes an application an offer and moves it to the offer
// stage (a history entry) when it is not there yet. An application has one
// open offer at a time; the terms of an offer never change.
func (s *Service) CreateOffer(ctx context.Context, orgID, applicationID string, in OfferInput) (*IssuedOffer, error) {
	if in.ValidDays == 0 {
		in.ValidDays = DefaultOfferDays
	}
	if err := checkStartDate(in.StartDate, s.Now()); err != nil {
		return nil, err
	}
	if in.MentorID != nil {
		ok, err := s.accounts.IsMember(ctx, orgID, *in.MentorID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errs.Invalid("body.mentor_id", "not an active member of this school")
		}
	}
	var out *IssuedOffer
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		stages, err := s.ensureCatalogs(ctx, tx, orgID)
		if err != nil {
			return err
		}
		a, err := s.store.LockApplication(ctx, tx, orgID, applicationID)
		if err != nil {
			return err
		}
		at := stageByID(stages, a.StageID)
		if at != nil && isEnd(at.Kind) {
			return errs.Conflict("the application is closed at stage %q", at.Title)
		}
		c, err := s.store.Candidate(ctx, tx, orgID, a.CandidateID)
		if err != nil {
			return err
		}
		if c.Email == nil || c.ErasedAt != nil {
			return errs.Conflict("the candidate has no email: their account is created from it on acceptance")
		}
		token, hash := newToken()
		now := s.Now()
		o := &Offer{ID: ids.New(), OrgID: orgID, ApplicationID: a.ID, CandidateID: a.CandidateID, VacancyID: a.VacancyID,
			StartDate: in.StartDate, PayScheme: in.PayScheme, MonthlyBaseKopecks: in.MonthlyBaseKopecks, MentorID: in.MentorID,
			Status: OfferSent, TokenHash: hash, ExpiresAt: now.AddDate(0, 0, in.ValidDays), CreatedBy: actorID(ctx), CreatedAt: now, Version: 1}
		if err := s.store.InsertOffer(ctx, tx, o); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("the application has an open offer; withdraw it first")
			}
			return err
		}
		if offer := stageOfKind(stages, KindOffer); at == nil || at.Kind != KindOffer {
			if _, err := s.moveTo(ctx, tx, a, offer, nil, "offer sent", actorID(ctx)); err != nil {
				return err
			}
		}
		out = &IssuedOffer{Offer: o, Token: token}
		return s.Record(ctx, tx, orgID, "hiring_offer", o.ID, auditlog.Diff(nil, o))
	})
	return out, err
}

// OfferView is what the candidate sees through their offer link.
type OfferView struct {
	Offer        *Offer
	Status       string
	VacancyTitle string
	FullName     string
}

// OpenOffer returns the offer behind a link's token.
func (s *Service) OpenOffer(ctx context.Context, token string) (*OfferView, error) {
	o, err := s.store.OfferByToken(ctx, s.DB, hashToken(token), false)
	if err != nil {
		return nil, err
	}
	return s.offerView(ctx, s.DB, o)
}

func (s *Service) offerView(ctx context.Context, db bun.IDB, o *Offer) (*OfferView, error) {
	v, err := s.store.Vacancy(ctx, db, o.OrgID, o.VacancyID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Candidate(ctx, db, o.OrgID, o.CandidateID)
	if err != nil {
		return nil, err
	}
	return &OfferView{Offer: o, Status: o.State(s.Now()), VacancyTitle: v.Title, FullName: c.FullName}, nil
}

// AcceptByLink is the candidate accepting through their link, choosing the
// password of their new account.
func (s *Service) AcceptByLink(ctx context.Context, token, password string) (*OfferView, error) {
	var out *OfferView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		o, err := s.store.OfferByToken(ctx, tx, hashToken(token), true)
		if err != nil {
			return err
		}
		if o, err = s.accept(ctx, tx, o, password); err != nil {
			return err
		}
		out, err = s.offerView(ctx, tx, o)
		return err
	})
	return out, err
}

// AcceptOnBehalf is HR recording the candidate's acceptance (given by
// phone or in person) with the initial password the candidate asked for;
// no administrator is needed.
func (s *Service) AcceptOnBehalf(ctx context.Context, orgID, id, password string) (*Offer, error) {
	var out *Offer
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		o, err := s.store.Offer(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		out, err = s.accept(ctx, tx, o, password)
		return err
	})
	return out, err
}

// accept hires the candidate in one transaction: the account and the
// curator membership, the onboarding plan from the role's template, the
// offer accepted and the application at the hired stage. Any refusal (a
// weak password, no template) leaves nothing behind.
func (s *Service) accept(ctx context.Context, tx bun.IDB, o *Offer, password string) (*Offer, error) {
	if st := o.State(s.Now()); st != OfferSent {
		return nil, errs.Conflict("the offer is %s", st)
	}
	if s.onboarding == nil {
		return nil, errs.Conflict("onboarding is not connected: a hire would get no plan")
	}
	stages, err := s.ensureCatalogs(ctx, tx, o.OrgID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.LockCandidate(ctx, tx, o.OrgID, o.CandidateID)
	if err != nil {
		return nil, err
	}
	if c.ErasedAt != nil || c.Email == nil {
		return nil, errs.Conflict("the candidate's data was erased")
	}
	a, err := s.store.LockApplication(ctx, tx, o.OrgID, o.ApplicationID)
	if err != nil {
		return nil, err
	}
	userID, _, err := s.accounts.AddCurator(ctx, tx, o.OrgID, *c.Email, c.FullName, password)
	if err != nil {
		return nil, err
	}
	start, err := time.ParseInLocation(time.DateOnly, o.StartDate, time.UTC)
	if err != nil {
		return nil, err
	}
	planID, err := s.onboarding.StartPlan(ctx, tx, o.OrgID, userID, HiredRole, start, o.MentorID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	after := *o
	after.Status, after.DecidedAt, after.UserID, after.PlanID = OfferAccepted, &now, &userID, &planID
	after.Bump(now)
	ok, err := s.store.UpdateOffer(ctx, tx, &after, o.Version)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.Conflict("the offer was answered meanwhile")
	}
	if _, err := s.moveTo(ctx, tx, a, stageOfKind(stages, KindHired), nil, "offer accepted", actorID(ctx)); err != nil {
		return nil, err
	}
	return &after, s.Record(ctx, tx, o.OrgID, "hiring_offer", o.ID, map[string]auditlog.Change{
		"status": {Before: o.Status, After: OfferAccepted}, "user_id": {After: userID}, "plan_id": {After: planID}})
}

// DeclineByLink is the candidate declining through their link.
func (s *Service) DeclineByLink(ctx context.Context, token string) (*OfferView, error) {
	var out *OfferView
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		o, err := s.store.OfferByToken(ctx, tx, hashToken(token), true)
		if err != nil {
			return err
		}
		if o, err = s.closeOffer(ctx, tx, o, OfferDeclined); err != nil {
			return err
		}
		out, err = s.offerView(ctx, tx, o)
		return err
	})
	return out, err
}

// CloseOffer is HR recording a decline, or withdrawing the offer.
func (s *Service) CloseOffer(ctx context.Context, orgID, id, status string) (*Offer, error) {
	var out *Offer
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		o, err := s.store.Offer(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		out, err = s.closeOffer(ctx, tx, o, status)
		return err
	})
	return out, err
}

func (s *Service) closeOffer(ctx context.Context, tx bun.IDB, o *Offer, status string) (*Offer, error) {
	if o.Status != OfferSent {
		return nil, errs.Conflict("the offer is %s", o.Status)
	}
	if status == OfferDeclined && o.State(s.Now()) != OfferSent {
		return nil, errs.Conflict("the offer expired")
	}
	now := s.Now()
	after := *o
	after.Status, after.DecidedAt = status, &now
	after.Bump(now)
	ok, err := s.store.UpdateOffer(ctx, tx, &after, o.Version)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.Conflict("the offer was answered meanwhile")
	}
	return &after, s.Record(ctx, tx, o.OrgID, "hiring_offer", o.ID, map[string]auditlog.Change{"status": {Before: o.Status, After: status}})
}

// Offers lists an application's offers.
func (s *Service) Offers(ctx context.Context, orgID, applicationID string) ([]Offer, error) {
	if _, err := s.store.Application(ctx, s.DB, orgID, applicationID); err != nil {
		return nil, err
	}
	return s.store.Offers(ctx, s.DB, orgID, applicationID)
}

// checkStartDate accepts a start date from today (in UTC) to the end of
// the planning range.
func checkStartDate(date string, now time.Time) error {
	d, err := time.ParseInLocation(time.DateOnly, date, time.UTC)
	if err != nil || !clock.IsPlan(d) {
		return errs.Invalid("body.start_date", "must be a date (YYYY-MM-DD) between 2000 and 2100")
	}
	if d.Before(now.UTC().Truncate(24 * time.Hour)) {
		return errs.Invalid("body.start_date", "must not lie in the past")
	}
	return nil
}
