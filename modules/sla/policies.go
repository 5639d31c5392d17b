package sla

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// terms are the rules a clock runs under: the matched policy version, or
// the built-in default when no policy matches.
type terms struct {
	PolicyID       string
	VersionID      string
	Number         int
	FirstMinutes   int
	NextMinutes    int
	WarningPercent int
	CalendarID     string
	AlwaysOpen     bool
}

// defaultTerms apply to a school without a matching policy: two business
// hours on the default calendar, a warning at 75 % (90 minutes).
func defaultTerms() terms {
	return terms{FirstMinutes: DefaultTargetMinutes, NextMinutes: DefaultTargetMinutes, WarningPercent: DefaultWarningPercent}
}

func termsOf(v *PolicyVersion) terms {
	return terms{PolicyID: v.PolicyID, VersionID: v.ID, Number: v.Number, FirstMinutes: v.FirstResponseMinutes,
		NextMinutes: v.NextResponseMinutes, WarningPercent: v.WarningPercent, CalendarID: v.CalendarID, AlwaysOpen: v.AlwaysOpen}
}

func (t terms) target(kind string) time.Duration {
	if kind == ClockFirst {
		return time.Duration(t.FirstMinutes) * time.Minute
	}
	return time.Duration(t.NextMinutes) * time.Minute
}

// schedule computes a clock's due and warning times: target business time
// after start, and the warning share of it.
func schedule(cal *bizcal.Calendar, start time.Time, target time.Duration, warningPercent int) (due, warn time.Time) {
	due = cal.AddBusiness(start, target)
	warn = cal.AddBusiness(start, target*time.Duration(warningPercent)/100)
	return due.UTC(), warn.UTC()
}

// matches reports whether the version's conditions all hold; an absent
// condition holds for everyone.
func matches(v *PolicyVersion, p Placement, channel string) bool {
	eq := func(cond *string, have string) bool { return cond == nil || *cond == have }
	return eq(v.CourseID, p.CourseID) && eq(v.CohortID, p.CohortID) && eq(v.Tariff, p.Tariff) && eq(v.Channel, channel)
}

// pick returns the terms of the first matching version; versions come
// sorted by priority, highest first.
func pick(versions []PolicyVersion, p Placement, channel string) terms {
	for i := range versions {
		if matches(&versions[i], p, channel) {
			return termsOf(&versions[i])
		}
	}
	return defaultTerms()
}

func sortByPriority(vs []PolicyVersion) {
	sort.SliceStable(vs, func(i, j int) bool {
		if vs[i].Priority != vs[j].Priority {
			return vs[i].Priority > vs[j].Priority
		}
		return vs[i].PolicyID < vs[j].PolicyID
	})
}

// VersionInput is the terms of a new policy version.
type VersionInput struct {
	Priority             int
	CourseID             *string
	CohortID             *string
	Tariff               *string `json:"tariff" validate:"omitempty,singleline,max=100"`
	Channel              *string
	FirstResponseMinutes int
	NextResponseMinutes  int
	CalendarID           string
	AlwaysOpen           bool
	WarningPercent       int
}

func (s *Service) checkVersion(ctx context.Context, orgID string, in VersionInput) error {
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return err
	}
	var fields []errs.FieldError
	if in.AlwaysOpen && in.CalendarID != "" {
		fields = append(fields, errs.FieldError{Location: "body.calendar_id", Message: "leave empty when always_open is true"})
	}
	if in.Channel != nil && !validChannel(*in.Channel) {
		fields = append(fields, errs.FieldError{Location: "body.channel", Message: "must be telegram, lms_comment, email or other"})
	}
	if len(fields) > 0 {
		return &errs.ValidationError{Fields: fields}
	}
	if in.CalendarID != "" {
		if !ids.Valid(in.CalendarID) {
			return errs.Invalid("body.calendar_id", "must be a calendar id")
		}
		if _, err := s.school.Calendar(ctx, orgID, in.CalendarID, false); errors.Is(err, errs.ErrNotFound) {
			return errs.Invalid("body.calendar_id", "the school has no calendar with this id")
		} else if err != nil {
			return err
		}
	}
	return nil
}

func newVersion(orgID, policyID string, number int, status string, in VersionInput, by string, now time.Time) *PolicyVersion {
	v := &PolicyVersion{ID: ids.New(), OrgID: orgID, PolicyID: policyID, Number: number, Status: status, Priority: in.Priority,
		CourseID: in.CourseID, CohortID: in.CohortID, Tariff: in.Tariff, Channel: in.Channel,
		FirstResponseMinutes: in.FirstResponseMinutes, NextResponseMinutes: in.NextResponseMinutes,
		CalendarID: in.CalendarID, AlwaysOpen: in.AlwaysOpen, WarningPercent: in.WarningPercent, CreatedBy: by, CreatedAt: now}
	if v.WarningPercent == 0 {
		v.WarningPercent = DefaultWarningPercent
	}
	if status == VersionActive {
		v.ActivatedAt = &now
	}
	return v
}

// PolicyDetail is a policy with its versions, oldest first.
type PolicyDetail struct {
	Policy   Policy
	Versions []PolicyVersion
}

// CreatePolicy creates a policy whose first version is active at once.
func (s *Service) CreatePolicy(ctx context.Context, orgID, name string, in VersionInput) (*PolicyDetail, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, errs.Invalid("body.name", "is required")
	}
	if !validate.IsSingleLine(name) {
		return nil, errs.Invalid("body.name", "must be one line of valid UTF-8 without control characters")
	}
	if err := s.checkVersion(ctx, orgID, in); err != nil {
		return nil, err
	}
	now := s.Now()
	p := &Policy{ID: ids.New(), OrgID: orgID, Name: name, ActiveNumber: 1, CreatedAt: now, UpdatedAt: now, Version: 1}
	v := newVersion(orgID, p.ID, 1, VersionActive, in, reqctx.From(ctx).Principal.ActorID(), now)
	p.ActiveVersionID = &v.ID
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertPolicy(ctx, tx, p); err != nil {
			return err
		}
		if err := s.store.InsertPolicyVersion(ctx, tx, v); err != nil {
			return err
		}
		fields := v.auditFields()
		fields["name"] = name
		return s.Record(ctx, tx, orgID, "sla_policy", p.ID, auditlog.Diff(nil, fields))
	})
	if err != nil {
		return nil, err
	}
	return &PolicyDetail{Policy: *p, Versions: []PolicyVersion{*v}}, nil
}

// Policy returns one policy with its versions.
func (s *Service) Policy(ctx context.Context, orgID, id string) (*PolicyDetail, error) {
	return s.policyDetail(ctx, s.DB, orgID, id)
}

func (s *Service) policyDetail(ctx context.Context, db bun.IDB, orgID, id string) (*PolicyDetail, error) {
	p, err := s.store.Policy(ctx, db, orgID, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.PolicyVersions(ctx, db, orgID, id)
	if err != nil {
		return nil, err
	}
	return &PolicyDetail{Policy: *p, Versions: vs}, nil
}

// Policies lists the school's policies by name.
func (s *Service) Policies(ctx context.Context, orgID string) ([]PolicyDetail, error) {
	ps, err := s.store.ListPolicies(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]PolicyDetail, 0, len(ps))
	for _, p := range ps {
		vs, err := s.store.PolicyVersions(ctx, s.DB, orgID, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, PolicyDetail{Policy: p, Versions: vs})
	}
	return out, nil
}

// DraftVersion adds a draft version to a policy; it applies to nothing
// until activated, and the what-if report can evaluate it first.
func (s *Service) DraftVersion(ctx context.Context, orgID, policyID string, in VersionInput) (*PolicyVersion, error) {
	if err := s.checkVersion(ctx, orgID, in); err != nil {
		return nil, err
	}
	var v *PolicyVersion
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.policyDetail(ctx, tx, orgID, policyID)
		if err != nil {
			return err
		}
		v = newVersion(orgID, policyID, d.Versions[len(d.Versions)-1].Number+1, VersionDraft, in, reqctx.From(ctx).Principal.ActorID(), s.Now())
		if err := s.store.InsertPolicyVersion(ctx, tx, v); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("another version was drafted at the same time; try again")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "sla_policy_version", v.ID, auditlog.Diff(nil, v.auditFields()))
	})
	return v, err
}

// ActivateVersion makes a draft the policy's active version. Clocks that
// already started keep the version they started under; only new clocks
// use this one.
func (s *Service) ActivateVersion(ctx context.Context, orgID, policyID, versionID string, policyVersion int64) (*PolicyDetail, error) {
	var out *PolicyDetail
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var versions []PolicyVersion
		var target *PolicyVersion
		now := s.Now()
		before, after, err := database.Optimistic[Policy, *Policy]{What: "policy",
			Load: func() (*Policy, error) { return s.store.Policy(ctx, tx, orgID, policyID) },
			Change: func(p *Policy) error {
				var err error
				if versions, err = s.store.PolicyVersions(ctx, tx, orgID, policyID); err != nil {
					return err
				}
				if target, err = draftOf(versions, versionID); err != nil {
					return err
				}
				p.ActiveVersionID, p.ActiveNumber = &target.ID, target.Number
				return nil
			},
			Write: func(p *Policy, was int64) (bool, error) { return s.store.UpdatePolicy(ctx, tx, p, was) },
		}.Run(policyVersion, now)
		if err != nil {
			return err
		}
		if err := s.activate(ctx, tx, versions, target, now); err != nil {
			return err
		}
		out = &PolicyDetail{Policy: *after, Versions: versions}
		return s.Record(ctx, tx, orgID, "sla_policy", policyID, auditlog.Diff(
			map[string]any{"active_number": before.ActiveNumber}, map[string]any{"active_number": after.ActiveNumber}))
	})
	return out, err
}

// draftOf finds the version to activate among the policy's versions: it
// must be there, and a draft.
func draftOf(versions []PolicyVersion, versionID string) (*PolicyVersion, error) {
	for i := range versions {
		if versions[i].ID != versionID {
			continue
		}
		if versions[i].Status != VersionDraft {
			return nil, errs.Conflict("version %d is %s; only a draft can be activated", versions[i].Number, versions[i].Status)
		}
		return &versions[i], nil
	}
	return nil, errs.NotFound("policy version")
}

// activate supersedes the active version among versions and activates
// target, one of them, at now.
func (s *Service) activate(ctx context.Context, tx bun.IDB, versions []PolicyVersion, target *PolicyVersion, now time.Time) error {
	for i := range versions {
		if versions[i].Status == VersionActive {
			versions[i].Status = VersionSuperseded
			if err := s.store.SetVersionStatus(ctx, tx, &versions[i]); err != nil {
				return err
			}
		}
	}
	target.Status, target.ActivatedAt = VersionActive, &now
	return s.store.SetVersionStatus(ctx, tx, target)
}

// termsFor picks the policy for a new clock.
func (s *Service) termsFor(ctx context.Context, db bun.IDB, orgID string, p Placement, channel string) (terms, error) {
	vs, err := s.store.ActiveVersions(ctx, db, orgID)
	if err != nil {
		return terms{}, err
	}
	sortByPriority(vs)
	return pick(vs, p, channel), nil
}
