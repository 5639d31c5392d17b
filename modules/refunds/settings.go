package refunds

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

const (
	entitySettings = "refund_settings"
	entityTerms    = "refund_terms"
	maxMoney       = 1_000_000_000_000
)

var reasonCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Settings returns the school's refund settings (the defaults until saved).
func (s *Service) Settings(ctx context.Context, orgID string) (*Settings, error) {
	return s.store.Settings(ctx, s.DB, orgID)
}

// SettingsInput is what saving the settings takes.
type SettingsInput struct {
	DecisionHours  int
	Reasons        []Reason
	ApprovalLimits map[string]int64
	OfferTerms     OfferTerms
}

func (in SettingsInput) check() error {
	var v errs.ValidationError
	add := func(loc, msg string) { v.Fields = append(v.Fields, errs.FieldError{Location: loc, Message: msg}) }
	if in.DecisionHours < 1 || in.DecisionHours > 720 {
		add("body.decision_hours", "must be from 1 to 720 business hours")
	}
	seen, active := map[string]bool{}, 0
	for i, r := range in.Reasons {
		loc := fmt.Sprintf("body.reasons[%d]", i)
		switch {
		case !reasonCode.MatchString(r.Code):
			add(loc+".code", "must be lower-case latin letters, digits and _, starting with a letter, at most 40")
		case r.Code == ReasonUnspecified:
			add(loc+".code", "unspecified is kept for refunds that arrive without a request")
		case seen[r.Code]:
			add(loc+".code", "appears twice")
		}
		seen[r.Code] = true
		if t := strings.TrimSpace(r.Title); t == "" || len([]rune(t)) > 200 {
			add(loc+".title", "must be 1 to 200 characters")
		}
		if r.Active {
			active++
		}
	}
	if active == 0 {
		add("body.reasons", "must hold at least one active reason")
	}
	for role, limit := range in.ApprovalLimits {
		if limit < 0 || limit > maxMoney {
			add("body.approval_limits."+role, "must be from 0 to 10^12 minor units")
		}
	}
	checkTerms(in.OfferTerms, "body.", add)
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

func checkTerms(t OfferTerms, prefix string, add func(loc, msg string)) {
	if t.FullRefundDays < 0 || t.FullRefundDays > 365 {
		add(prefix+"full_refund_days", "must be from 0 to 365")
	}
	if !slices.Contains([]string{ProRataDays, ProRataModules, ProRataNone}, t.ProRata) {
		add(prefix+"prorata", "must be days, modules or none")
	}
	for i, c := range t.Costs {
		loc := fmt.Sprintf("%scosts[%d]", prefix, i)
		if title := strings.TrimSpace(c.Title); title == "" || len([]rune(title)) > 200 {
			add(loc+".title", "must be 1 to 200 characters")
		}
		if c.Amount < 0 || c.Amount > maxMoney {
			add(loc+".amount", "must be from 0 to 10^12 minor units")
		}
	}
}

// SaveSettings replaces the school's settings if they are still at version.
func (s *Service) SaveSettings(ctx context.Context, orgID string, version int64, in SettingsInput) (*Settings, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *Settings
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Settings, *Settings]{
			What: "the refund settings",
			Load: func() (*Settings, error) { return s.store.Settings(ctx, tx, orgID) },
			Change: func(st *Settings) error {
				st.DecisionHours, st.Reasons, st.ApprovalLimits = in.DecisionHours, in.Reasons, in.ApprovalLimits
				st.FullRefundDays, st.ProRata, st.Costs = in.OfferTerms.FullRefundDays, in.OfferTerms.ProRata, nonNil(in.OfferTerms.Costs)
				return nil
			},
			Write: func(st *Settings, was int64) (bool, error) { return s.store.SaveSettings(ctx, tx, st, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entitySettings, orgID, auditlog.Diff(before, after))
	})
	return out, err
}

func nonNil(c []NonRefundableCost) []NonRefundableCost {
	if c == nil {
		return []NonRefundableCost{}
	}
	return c
}

// ProductTermsOf returns the product's terms: its own, or until it has
// some, the school's default terms at version 1 (own false).
func (s *Service) ProductTermsOf(ctx context.Context, orgID, productID string) (*ProductTerms, bool, error) {
	if err := s.school.CheckProduct(ctx, orgID, productID); err != nil {
		return nil, false, err
	}
	return s.productTerms(ctx, s.DB, orgID, productID)
}

func (s *Service) productTerms(ctx context.Context, db bun.IDB, orgID, productID string) (*ProductTerms, bool, error) {
	t, err := s.store.ProductTerms(ctx, db, orgID, productID)
	if err != nil || t != nil {
		return t, t != nil, err
	}
	st, err := s.store.Settings(ctx, db, orgID)
	if err != nil {
		return nil, false, err
	}
	return &ProductTerms{ID: ids.New(), OrgID: orgID, ProductID: productID, FullRefundDays: st.FullRefundDays, ProRata: st.ProRata,
		Costs: st.Costs, CreatedAt: s.Now(), Version: 1}, false, nil
}

// SaveProductTerms sets a product's own terms if they are still at
// version (1 for a product that has none of its own yet).
func (s *Service) SaveProductTerms(ctx context.Context, orgID, productID string, version int64, in OfferTerms) (*ProductTerms, error) {
	var v errs.ValidationError
	checkTerms(in, "body.", func(loc, msg string) { v.Fields = append(v.Fields, errs.FieldError{Location: loc, Message: msg}) })
	if len(v.Fields) > 0 {
		return nil, &v
	}
	if err := s.school.CheckProduct(ctx, orgID, productID); err != nil {
		return nil, err
	}
	in.Costs = nonNil(in.Costs)
	var out *ProductTerms
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[ProductTerms, *ProductTerms]{
			What: "the product's refund terms",
			Load: func() (*ProductTerms, error) {
				t, _, err := s.productTerms(ctx, tx, orgID, productID)
				return t, err
			},
			Change: func(t *ProductTerms) error {
				t.FullRefundDays, t.ProRata, t.Costs = in.FullRefundDays, in.ProRata, in.Costs
				return nil
			},
			Write: func(t *ProductTerms, was int64) (bool, error) { return s.store.SaveProductTerms(ctx, tx, t, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entityTerms, after.ID, auditlog.Diff(before, after))
	})
	return out, err
}
