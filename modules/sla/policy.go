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
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
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
	Tariff               *string
	Channel              *string
	FirstResponseMinutes int
	NextResponseMinutes  int
	CalendarID           string
	AlwaysOpen           bool
	WarningPercent       int
}

func (s *Service) checkVersion(ctx context.Context, orgID string, in VersionInput) error {
	var fields []errs.FieldError
	if in.AlwaysOpen && in.CalendarID != "" {
		fields = append(fields, errs.FieldError{Location: "body.calendar_id", Message: "leave empty when always_open is true"})
	}
	if in.Channel != nil && !oneOf(*in.Channel, ChannelTelegram, ChannelLMSComment, ChannelEmail, ChannelOther) {
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

func (v *PolicyVersion) auditFields() map[string]any {
	return map[string]any{"number": v.Number, "status": v.Status, "priority": v.Priority, "course_id": v.CourseID,
		"cohort_id": v.CohortID, "tariff": v.Tariff, "channel": v.Channel, "first_response_minutes": v.FirstResponseMinutes,
		"next_response_minutes": v.NextResponseMinutes, "calendar_id": v.CalendarID, "always_open": v.AlwaysOpen,
		"warning_percent": v.WarningPercent}
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
	if err := s.checkVersion(ctx, orgID, in); err != nil {
		return nil, err
	}
	now := s.now()
	p := &Policy{ID: ids.New(), OrgID: orgID, Name: name, ActiveNumber: 1, CreatedAt: now, UpdatedAt: now, Version: 1}
	v := newVersion(orgID, p.ID, 1, VersionActive, in, actorID(ctx), now)
	p.ActiveVersionID = &v.ID
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertPolicy(ctx, tx, p); err != nil {
			return err
		}
		if err := s.store.InsertPolicyVersion(ctx, tx, v); err != nil {
			return err
		}
		fields := v.auditFields()
		fields["name"] = name
		return s.record(ctx, tx, orgID, "sla_policy", p.ID, created(fields))
	})
	if err != nil {
		return nil, err
	}
	return &PolicyDetail{Policy: *p, Versions: []PolicyVersion{*v}}, nil
}

// Policy returns one policy with its versions.
func (s *Service) Policy(ctx context.Context, orgID, id string) (*PolicyDetail, error) {
	return s.policyDetail(ctx, s.db, orgID, id)
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
	ps, err := s.store.ListPolicies(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]PolicyDetail, 0, len(ps))
	for _, p := range ps {
		vs, err := s.store.PolicyVersions(ctx, s.db, orgID, p.ID)
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
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.policyDetail(ctx, tx, orgID, policyID)
		if err != nil {
			return err
		}
		v = newVersion(orgID, policyID, d.Versions[len(d.Versions)-1].Number+1, VersionDraft, in, actorID(ctx), s.now())
		if err := s.store.InsertPolicyVersion(ctx, tx, v); err != nil {
			if isUnique(err) {
				return errs.Conflict("another version was drafted at the same time; try again")
			}
			return err
		}
		return s.record(ctx, tx, orgID, "sla_policy_version", v.ID, created(v.auditFields()))
	})
	return v, err
}

// ActivateVersion makes a draft the policy's active version. Clocks that
// already started keep the version they started under; only new clocks
// use this one.
func (s *Service) ActivateVersion(ctx context.Context, orgID, policyID, versionID string, policyVersion int64) (*PolicyDetail, error) {
	var out *PolicyDetail
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.policyDetail(ctx, tx, orgID, policyID)
		if err != nil {
			return err
		}
		if d.Policy.Version != policyVersion {
			return errs.Stale("policy", d.Policy.Version)
		}
		var target *PolicyVersion
		for i := range d.Versions {
			if d.Versions[i].ID == versionID {
				target = &d.Versions[i]
			}
		}
		if target == nil {
			return errs.NotFound("policy version")
		}
		if target.Status != VersionDraft {
			return errs.Conflict("version %d is %s; only a draft can be activated", target.Number, target.Status)
		}
		now := s.now()
		for i := range d.Versions {
			if d.Versions[i].Status == VersionActive {
				d.Versions[i].Status = VersionSuperseded
				if err := s.store.SetVersionStatus(ctx, tx, &d.Versions[i]); err != nil {
					return err
				}
			}
		}
		target.Status, target.ActivatedAt = VersionActive, &now
		if err := s.store.SetVersionStatus(ctx, tx, target); err != nil {
			return err
		}
		before := d.Policy
		d.Policy.ActiveVersionID, d.Policy.ActiveNumber = &target.ID, target.Number
		d.Policy.UpdatedAt, d.Policy.Version = now, before.Version+1
		ok, err := s.store.UpdatePolicy(ctx, tx, &d.Policy, before.Version)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("policy", before.Version+1)
		}
		out = d
		return s.record(ctx, tx, orgID, "sla_policy", policyID, auditlog.Diff(
			map[string]any{"active_number": before.ActiveNumber}, map[string]any{"active_number": d.Policy.ActiveNumber}))
	})
	return out, err
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

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
