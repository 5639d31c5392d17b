package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// Decision is a moderator's step on a case.
type Decision struct {
	Status string `json:"status"`
	Reason string `json:"reason" validate:"text,max=2000"`
}

// publicScopes are the scopes that allow publication.
var publicScopes = []string{ScopeWebsite, ScopeSocial, ScopeAdvertising}

// Moderate moves a case one step if it is still at version: pending to
// approved or rejected, approved to published or archived, published to
// archived. A rejection or an archiving says why; publishing needs a
// consent in force beyond internal use.
func (s *Service) Moderate(ctx context.Context, orgID, id string, version int64, moderatorID string, d Decision) (*SubmissionDetail, error) {
	if err := validate.Struct(s.Now(), "body.", d); err != nil {
		return nil, err
	}
	if !slices.Contains(SubmissionStatuses, d.Status) || d.Status == StatusPending {
		return nil, errs.Invalid("body.status", "must be approved, rejected, published or archived")
	}
	if (d.Status == StatusRejected || d.Status == StatusArchived) && strings.TrimSpace(d.Reason) == "" {
		return nil, errs.Invalid("body.reason", "say why the case is "+d.Status)
	}
	var out *SubmissionDetail
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		if !ids.Valid(id) {
			return errs.NotFound("case")
		}
		sub, err := s.store.LockSubmission(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if sub.Version != version {
			return errs.Stale("the case", sub.Version)
		}
		if err := s.moderate(ctx, tx, sub, d.Status, d.Reason, &moderatorID, now); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, sub)
		return err
	})
	return out, err
}

// moderate checks and applies one step, appends it to the trail and
// audits it.
func (s *Service) moderate(ctx context.Context, tx bun.IDB, sub *Submission, to, reason string, actor *string, now time.Time) error {
	from := sub.Status
	if !slices.Contains(transitions[from], to) {
		return errs.Conflict("a %s case cannot become %s", from, to)
	}
	if to == StatusPublished {
		if sub.ErasedAt != nil {
			return errs.Conflict("the case was erased")
		}
		if !slices.ContainsFunc(publicScopes, sub.Covers) {
			return errs.Conflict("publishing needs the student's consent to a website, social or advertising use")
		}
	}
	_, _, err := database.Optimistic[Submission, *Submission]{
		What:   "the case",
		Load:   func() (*Submission, error) { return sub, nil },
		Change: func(after *Submission) error { after.Status = to; return nil },
		Write: func(after *Submission, was int64) (bool, error) {
			ok, err := s.store.UpdateSubmission(ctx, tx, after, was, "status", "updated_at", "version")
			if ok {
				*sub = *after
			}
			return ok, err
		},
	}.Run(sub.Version, now)
	if err != nil {
		return err
	}
	m := &Moderation{ID: ids.New(), OrgID: sub.OrgID, SubmissionID: sub.ID, FromStatus: from, ToStatus: to, Reason: reason, ActorID: actor, At: now}
	if err := s.store.InsertModeration(ctx, tx, m); err != nil {
		return err
	}
	return s.Record(ctx, tx, sub.OrgID, entitySubmission, sub.ID, map[string]auditlog.Change{"status": {Before: from, After: to}, "reason": {After: reason}})
}
