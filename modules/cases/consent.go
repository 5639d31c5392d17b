package cases

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// ConsentInput is a consent as given: what it covers, the exact version of
// the consent text shown, how it came and who gave it.
type ConsentInput struct {
	Scopes       []string   `json:"scopes" validate:"required,min=1,max=4"`
	TextVersion  string     `json:"text_version" validate:"required,singleline,max=64"`
	Channel      string     `json:"channel"`
	GivenBy      string     `json:"given_by"`
	GuardianName *string    `json:"guardian_name" validate:"omitempty,singleline,max=200"`
	GivenAt      *time.Time `json:"given_at" validate:"omitempty,fact"`
}

// checkConsent applies the consent rules that need no stored data.
func checkConsent(now time.Time, prefix string, in ConsentInput) error {
	if err := validate.Struct(now, prefix, in); err != nil {
		return err
	}
	for i, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			return errs.Invalid(fmt.Sprintf("%sscopes[%d]", prefix, i), "must be internal, website, social or advertising")
		}
	}
	if in.Channel != "" && !slices.Contains(ConsentChannels, in.Channel) {
		return errs.Invalid(prefix+"channel", "must be link, lms, curator, email, paper or messenger")
	}
	switch in.GivenBy {
	case "", GivenByStudent:
	case GivenByGuardian:
		if blank(in.GuardianName) {
			return errs.Invalid(prefix+"guardian_name", "a guardian's consent names the guardian")
		}
	default:
		return errs.Invalid(prefix+"given_by", "must be student or guardian")
	}
	return nil
}

// grant appends a consent row for the submission and makes it the one in
// force. A student under 18 (by the birth date the school holds) needs a
// guardian's consent.
func (s *Service) grant(ctx context.Context, tx bun.IDB, sub *Submission, actor *string, in ConsentInput, prefix string, now time.Time) error {
	if sub.ErasedAt != nil {
		return errs.Conflict("the case was erased")
	}
	givenAt := now
	if in.GivenAt != nil {
		givenAt = in.GivenAt.UTC()
	}
	if in.GivenBy == "" {
		in.GivenBy = GivenByStudent
	}
	if in.Channel == "" {
		in.Channel = SourceCurator
	}
	minor, err := s.isMinor(ctx, sub.OrgID, sub.StudentID, givenAt)
	if err != nil {
		return err
	}
	if minor && in.GivenBy != GivenByGuardian {
		return errs.Invalid(prefix+"given_by", "the student is under 18: a guardian's consent, with the guardian's name, is required")
	}
	if in.GivenBy == GivenByStudent {
		in.GuardianName = nil
	}
	scopes := ordered(in.Scopes)
	c := &Consent{ID: ids.New(), OrgID: sub.OrgID, SubmissionID: sub.ID, StudentID: sub.StudentID, Action: ConsentGranted, Scopes: joinList(scopes),
		TextVersion: in.TextVersion, Channel: in.Channel, GivenBy: in.GivenBy, GuardianName: in.GuardianName, RecordedBy: actor,
		GivenAt: givenAt, CreatedAt: now}
	if err := s.store.InsertConsent(ctx, tx, c); err != nil {
		return err
	}
	return s.setScopes(ctx, tx, sub, c.Scopes, now, map[string]auditlog.Change{"consent": {After: ConsentGranted},
		"consent_text_version": {After: c.TextVersion}, "consent_given_by": {After: c.GivenBy}})
}

// ordered is the scopes in their canonical order, without repeats.
func ordered(scopes []string) []string {
	var out []string
	for _, sc := range Scopes {
		if slices.Contains(scopes, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// setScopes writes the consent in force onto the submission, which every
// export reads, and audits the change.
func (s *Service) setScopes(ctx context.Context, tx bun.IDB, sub *Submission, scopes string, now time.Time, extra map[string]auditlog.Change) error {
	was, before := sub.Version, sub.Scopes()
	sub.ConsentScopes = scopes
	sub.Bump(now)
	ok, err := s.store.UpdateSubmission(ctx, tx, sub, was, "consent_scopes", "updated_at", "version")
	if err != nil {
		return err
	}
	if !ok {
		return errs.Stale("the case", was+1)
	}
	extra["consent_scopes"] = auditlog.Change{Before: before, After: sub.Scopes()}
	return s.Record(ctx, tx, sub.OrgID, entitySubmission, sub.ID, extra)
}

// GrantConsent records a consent a curator received for a case (on paper,
// by email, in a messenger); a new consent replaces the one in force.
func (s *Service) GrantConsent(ctx context.Context, orgID, id string, v Viewer, in ConsentInput) (*SubmissionDetail, error) {
	if err := checkConsent(s.Now(), "body.", in); err != nil {
		return nil, err
	}
	var out *SubmissionDetail
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		sub, err := s.visibleLocked(ctx, tx, orgID, id, v)
		if err != nil {
			return err
		}
		actor := v.UserID
		if err := s.grant(ctx, tx, sub, &actor, in, "body.", s.Now()); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, sub)
		return err
	})
	return out, err
}

// Withdrawal is a student's (or guardian's) withdrawal of consent.
type Withdrawal struct {
	Channel string `json:"channel"`
	Reason  string `json:"reason" validate:"text,max=2000"`
}

// WithdrawConsent appends a withdrawal and, in the same transaction,
// clears the consent in force (so the case leaves every export at once)
// and archives a published case.
func (s *Service) WithdrawConsent(ctx context.Context, orgID, id string, v Viewer, in Withdrawal) (*SubmissionDetail, error) {
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return nil, err
	}
	if in.Channel == "" {
		in.Channel = SourceCurator
	}
	if !slices.Contains(ConsentChannels, in.Channel) {
		return nil, errs.Invalid("body.channel", "must be link, lms, curator, email, paper or messenger")
	}
	var out *SubmissionDetail
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		sub, err := s.visibleLocked(ctx, tx, orgID, id, v)
		if err != nil {
			return err
		}
		if sub.ConsentScopes == "" {
			return errs.Conflict("the case has no consent in force")
		}
		actor := v.UserID
		c := &Consent{ID: ids.New(), OrgID: orgID, SubmissionID: sub.ID, StudentID: sub.StudentID, Action: ConsentWithdrawn,
			Channel: in.Channel, GivenBy: GivenByStudent, Reason: in.Reason, RecordedBy: &actor, GivenAt: now, CreatedAt: now}
		if err := s.store.InsertConsent(ctx, tx, c); err != nil {
			return err
		}
		if err := s.setScopes(ctx, tx, sub, "", now, map[string]auditlog.Change{"consent": {Before: ConsentGranted, After: ConsentWithdrawn}}); err != nil {
			return err
		}
		if sub.Status == StatusPublished {
			if err := s.moderate(ctx, tx, sub, StatusArchived, "consent withdrawn", &actor, now); err != nil {
				return err
			}
		}
		out, err = s.detail(ctx, tx, sub)
		return err
	})
	return out, err
}
