package homework

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// stateConflict says that a submission is not in a state that allows the
// change, naming the state it is in.
func stateConflict(sub *Submission, now time.Time, what string) error {
	return errs.Conflict("the submission is %s; %s", sub.State(now), what)
}

// ClaimNext gives the caller the most urgent item available to them, or
// nil when there is none: their own queue first, then the pools of their
// cohorts, and for senior curators and the head any overdue item; an item
// whose lease expired goes before all of them. The claim is one UPDATE
// whose candidate subqueries are tried in that order (Store.ClaimFirst):
// on PostgreSQL they SELECT … FOR UPDATE SKIP LOCKED, so concurrent
// claimers skip each other's rows, and the statement is its own
// transaction; on SQLite it runs in a transaction begun IMMEDIATE, under
// the database's write lock.
func (s *Service) ClaimNext(ctx context.Context, orgID string, who Reviewer) (*Submission, error) {
	if who.UserID == "" {
		return nil, errs.Forbidden("only a person can claim homework")
	}
	lease, err := s.leaseLength(ctx, orgID)
	if err != nil {
		return nil, err
	}
	cohorts, err := s.curatorCohorts(ctx, orgID, who.UserID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if database.IsPostgres(s.DB) {
		// One statement is its own transaction: the subqueries' row locks
		// hold until it commits.
		return s.store.ClaimNext(ctx, s.DB, orgID, who, cohorts, now, now.Add(lease))
	}
	var sub *Submission
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		sub, err = s.store.ClaimNext(ctx, tx, orgID, who, cohorts, now, now.Add(lease))
		return err
	})
	return sub, err
}

// cohortsTTL bounds how long claim-next works from a remembered list of a
// curator's cohorts: the list changes when students are (re)assigned,
// rarely, and reading it on every claim would cost a query.
const cohortsTTL = 30 * time.Second

type cachedCohorts struct {
	ids []string
	at  time.Time
}

func (s *Service) curatorCohorts(ctx context.Context, orgID, userID string) ([]string, error) {
	key := orgID + "/" + userID
	if c, ok := s.cohorts.Load(key); ok && time.Since(c.(cachedCohorts).at) < cohortsTTL {
		return c.(cachedCohorts).ids, nil
	}
	ids, err := s.school.CuratorCohorts(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	s.cohorts.Store(key, cachedCohorts{ids: ids, at: time.Now()})
	return ids, nil
}

func (s *Service) leaseLength(ctx context.Context, orgID string) (time.Duration, error) {
	st, err := s.cachedSettings(ctx, orgID)
	if err != nil {
		return 0, err
	}
	return time.Duration(st.LeaseMinutes) * time.Minute, nil
}

// Claim takes one item the caller may see. Claiming an item one already
// holds renews the lease.
func (s *Service) Claim(ctx context.Context, orgID, id string, who Reviewer) (*Submission, error) {
	lease, err := s.leaseLength(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if _, err := s.Submission(ctx, orgID, id, who); err != nil {
		return nil, err
	}
	var out *Submission
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		sub, err := s.store.LockSubmission(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		switch {
		case !sub.Open():
			return stateConflict(sub, now, "only queued items can be claimed")
		case sub.Held(now) && !eq(sub.ClaimedBy, who.UserID):
			return errs.Conflict("the submission is in_review by another reviewer until %s", sub.LeaseExpiresAt.UTC().Format(time.RFC3339))
		case sub.Held(now):
			return s.extend(ctx, tx, sub, now.Add(lease))
		}
		out, err = s.store.TakeLease(ctx, tx, orgID, id, who.UserID, now, now.Add(lease))
		if err == nil && out == nil {
			err = errs.Conflict("the submission was claimed by another reviewer")
		}
		return err
	})
	if out == nil && err == nil {
		out, err = s.store.Submission(ctx, s.DB, orgID, id)
	}
	return out, err
}

// extend moves the end of the holder's lease; the version stays, so that
// the ETag the reviewer holds stays valid for the final review.
func (s *Service) extend(ctx context.Context, tx bun.IDB, sub *Submission, until time.Time) error {
	sub.LeaseExpiresAt = &until
	sub.UpdatedAt = s.Now()
	return s.write(ctx, tx, sub, sub.Version, "lease_expires_at", "updated_at")
}

// holding loads a submission the caller holds a live lease on, for a
// change in tx: 409 (with its state) when nobody holds it, 403 when
// someone else does.
func (s *Service) holding(ctx context.Context, tx bun.IDB, orgID, id string, who Reviewer, now time.Time, what string) (*Submission, error) {
	sub, err := s.store.LockSubmission(ctx, tx, orgID, id)
	if err != nil {
		return nil, err
	}
	if err := s.mustSee(ctx, orgID, who, sub); err != nil {
		return nil, err
	}
	if !sub.Held(now) {
		return nil, stateConflict(sub, now, "claim it first to "+what)
	}
	if !eq(sub.ClaimedBy, who.UserID) {
		return nil, errs.Forbidden("another reviewer holds this submission; only the claim holder can %s", what)
	}
	return sub, nil
}

// Renew extends the caller's lease while they work.
func (s *Service) Renew(ctx context.Context, orgID, id string, who Reviewer) (*Submission, error) {
	lease, err := s.leaseLength(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out *Submission
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		sub, err := s.holding(ctx, tx, orgID, id, who, now, "renew the lease")
		if err != nil {
			return err
		}
		out = sub
		return s.extend(ctx, tx, sub, now.Add(lease))
	})
	return out, err
}

// Release gives the item back to its queue; the draft is dropped.
func (s *Service) Release(ctx context.Context, orgID, id string, who Reviewer) (*Submission, error) {
	var out *Submission
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		sub, err := s.holding(ctx, tx, orgID, id, who, now, "release it")
		if err != nil {
			return err
		}
		sub.Status = StatusQueued
		sub.dropClaim()
		out = sub
		return s.bump(ctx, tx, sub, now, append([]string{"status"}, claimColumns...)...)
	})
	return out, err
}
