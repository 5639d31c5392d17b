package hiring

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// MaxConsentYears bounds how long a consent may last from the day it is
// given.
const MaxConsentYears = 5

// CandidateInput is a candidate as HR records them.
type CandidateInput struct {
	FullName string  `json:"full_name" validate:"required,min=1,max=200,singleline"`
	Email    *string `json:"email" validate:"omitempty,email,max=254"`
	Phone    *string `json:"phone" validate:"omitempty,phone"`
	Telegram *string `json:"telegram" validate:"omitempty,telegram"`
	Source   string  `json:"source" validate:"required,oneof=job_site referral former_student reserve other"`
	CVURL    *string `json:"cv_url" validate:"omitempty,httpurl,max=2000"`
	Notes    string  `json:"notes" validate:"max=5000,text"`
}

// CreateCandidate records a candidate with their consent, valid until
// consentExpiresAt; the consent is the first line of its history.
func (s *Service) CreateCandidate(ctx context.Context, orgID string, in CandidateInput, consentExpiresAt time.Time) (*Candidate, error) {
	now := s.Now()
	if err := validate.Struct(now, "body.", &in); err != nil {
		return nil, err
	}
	if err := checkConsentEnd(consentExpiresAt, now, "body.consent_expires_at"); err != nil {
		return nil, err
	}
	c := &Candidate{ID: ids.New(), OrgID: orgID, FullName: in.FullName, Email: in.Email, Phone: in.Phone, Telegram: in.Telegram,
		Source: in.Source, CVURL: in.CVURL, ConsentExpiresAt: consentExpiresAt.UTC(), Notes: in.Notes, CreatedBy: actorID(ctx),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertCandidate(ctx, tx, c); err != nil {
			return err
		}
		if err := s.addConsent(ctx, tx, c, ConsentGiven, &c.ConsentExpiresAt); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "hiring_candidate", c.ID, auditlog.Diff(nil, c))
	})
	return c, err
}

func checkConsentEnd(t, now time.Time, location string) error {
	if !t.After(now) {
		return errs.Invalid(location, "must lie in the future")
	}
	if t.After(now.AddDate(MaxConsentYears, 0, 0)) {
		return errs.Invalid(location, "must lie within "+strconv.Itoa(MaxConsentYears)+" years")
	}
	return nil
}

// UpdateCandidate replaces a candidate's name, contacts, source, CV and
// notes at version.
func (s *Service) UpdateCandidate(ctx context.Context, orgID, id string, version int64, in CandidateInput) (*Candidate, error) {
	if err := validate.Struct(s.Now(), "body.", &in); err != nil {
		return nil, err
	}
	return s.changeCandidate(ctx, orgID, id, version, func(ctx context.Context, tx bun.IDB, c *Candidate) error {
		c.FullName, c.Email, c.Phone, c.Telegram, c.Source, c.CVURL, c.Notes = in.FullName, in.Email, in.Phone, in.Telegram, in.Source, in.CVURL, in.Notes
		return nil
	})
}

// RenewConsent records a new consent of the candidate, valid until
// expiresAt.
func (s *Service) RenewConsent(ctx context.Context, orgID, id string, version int64, expiresAt time.Time) (*Candidate, error) {
	if err := checkConsentEnd(expiresAt, s.Now(), "body.expires_at"); err != nil {
		return nil, err
	}
	return s.changeCandidate(ctx, orgID, id, version, func(ctx context.Context, tx bun.IDB, c *Candidate) error {
		c.ConsentExpiresAt = expiresAt.UTC()
		return s.addConsent(ctx, tx, c, ConsentGiven, &c.ConsentExpiresAt)
	})
}

// ReserveInput is what keeps a candidate in the talent reserve.
type ReserveInput struct {
	InReserve   bool     `json:"in_reserve"`
	Tags        []string `json:"tags" validate:"max=20,dive,min=1,max=40,singleline,excludesall=0x2C"`
	RecontactOn *string  `json:"recontact_on" validate:"omitempty,plandate"`
}

// SetReserve puts a candidate in the talent reserve (or takes them out),
// with skills tags and a date to recontact them. Tags are kept lowercase,
// each once.
func (s *Service) SetReserve(ctx context.Context, orgID, id string, version int64, in ReserveInput) (*Candidate, error) {
	if err := validate.Struct(s.Now(), "body.", &in); err != nil {
		return nil, err
	}
	return s.changeCandidate(ctx, orgID, id, version, func(ctx context.Context, tx bun.IDB, c *Candidate) error {
		c.InReserve, c.ReserveTags, c.RecontactOn = in.InReserve, joinTags(normalTags(in.Tags)), in.RecontactOn
		return nil
	})
}

func normalTags(tags []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// NormalTag is a tag as the reserve search compares it.
func NormalTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

// changeCandidate runs one optimistic change of a candidate, audited. An
// erased candidate is not changed any more.
func (s *Service) changeCandidate(ctx context.Context, orgID, id string, version int64,
	change func(ctx context.Context, tx bun.IDB, c *Candidate) error) (*Candidate, error) {
	var out *Candidate
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Candidate, *Candidate]{
			What: "the candidate",
			Load: func() (*Candidate, error) { return s.store.LockCandidate(ctx, tx, orgID, id) },
			Change: func(c *Candidate) error {
				if c.ErasedAt != nil {
					return errs.Conflict("the candidate's data was erased")
				}
				return change(ctx, tx, c)
			},
			Write: func(c *Candidate, was int64) (bool, error) { return s.store.UpdateCandidate(ctx, tx, c, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "hiring_candidate", id, auditlog.Diff(before, after))
	})
	return out, err
}

// enterReserve puts a candidate in the reserve when an application moves
// to the reserve stage.
func (s *Service) enterReserve(ctx context.Context, tx bun.IDB, orgID, candidateID string) error {
	c, err := s.store.LockCandidate(ctx, tx, orgID, candidateID)
	if err != nil || c.InReserve {
		return err
	}
	after := *c
	after.InReserve = true
	after.Bump(s.Now())
	if _, err := s.store.UpdateCandidate(ctx, tx, &after, c.Version); err != nil {
		return err
	}
	return s.Record(ctx, tx, orgID, "hiring_candidate", c.ID, map[string]auditlog.Change{"in_reserve": {Before: false, After: true}})
}

// leaveReserve takes a (locked) candidate out of the reserve when they
// apply to a vacancy again.
func (s *Service) leaveReserve(ctx context.Context, tx bun.IDB, c *Candidate) error {
	after := *c
	after.InReserve = false
	after.Bump(s.Now())
	if _, err := s.store.UpdateCandidate(ctx, tx, &after, c.Version); err != nil {
		return err
	}
	return s.Record(ctx, tx, c.OrgID, "hiring_candidate", c.ID, map[string]auditlog.Change{"in_reserve": {Before: true, After: false}})
}

func (s *Service) addConsent(ctx context.Context, tx bun.IDB, c *Candidate, kind string, expiresAt *time.Time) error {
	return s.store.InsertConsent(ctx, tx, &Consent{ID: ids.New(), OrgID: c.OrgID, CandidateID: c.ID, Kind: kind, ExpiresAt: expiresAt,
		RecordedBy: actorID(ctx), RecordedAt: s.Now()})
}

// Candidate returns one candidate.
func (s *Service) Candidate(ctx context.Context, orgID, id string) (*Candidate, error) {
	return s.store.Candidate(ctx, s.DB, orgID, id)
}

// Candidates lists candidates (erased ones are left out), filtered by
// source and the reserve fields.
func (s *Service) Candidates(ctx context.Context, orgID string, f CandidateFilter) ([]Candidate, error) {
	f.Tag = NormalTag(f.Tag)
	return s.store.ListCandidates(ctx, s.DB, orgID, f)
}

// CandidateHistory is everything that happened to a candidate in the
// pipeline: every application and every move of each, oldest first.
type CandidateHistory struct {
	Applications []Application
	Moves        []StageMove
	Consents     []Consent
}

// CandidateHistory returns a candidate's whole history across vacancies.
func (s *Service) CandidateHistory(ctx context.Context, orgID, id string) (*CandidateHistory, error) {
	if _, err := s.store.Candidate(ctx, s.DB, orgID, id); err != nil {
		return nil, err
	}
	out := &CandidateHistory{}
	var err error
	if out.Applications, err = s.store.AllCandidateApplications(ctx, s.DB, orgID, id); err != nil {
		return nil, err
	}
	if out.Moves, err = s.store.Moves(ctx, s.DB, orgID, id, ""); err != nil {
		return nil, err
	}
	out.Consents, err = s.store.Consents(ctx, s.DB, orgID, id)
	return out, err
}
