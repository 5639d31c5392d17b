package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// linkWindow and linkLimit bound the public link calls one client address
// may make: enough for a family filling in a form twice, far too few to
// guess a 256-bit token.
const (
	linkWindow = 10 * time.Minute
	linkLimit  = 30
)

// errLink is the one answer to every unusable link, so that the answer
// tells nothing about which links exist, were used or expired.
var errLink = fmt.Errorf("%w: this link is unknown, already used or expired", errs.ErrNotFound)

// LinkView is what the student sees on opening the link: nothing about the
// student, the curator or the school beyond the form itself.
type LinkView struct {
	ExpiresAt               time.Time
	ConsentTextVersion      string
	ConsentText             string
	Incentive               string
	GuardianConsentRequired bool
}

// OpenLink records that the student opened the link and returns the form.
func (s *Service) OpenLink(ctx context.Context, token, client string) (*LinkView, error) {
	if err := s.throttle(ctx, client); err != nil {
		return nil, err
	}
	var out *LinkView
	err := s.withLink(ctx, token, func(ctx context.Context, tx bun.Tx, r *Request, now time.Time) error {
		if r.Status != RequestOpened {
			if err := s.moveRequest(ctx, tx, r, RequestOpened, nil, now); err != nil {
				return err
			}
		}
		st, err := s.store.Settings(ctx, tx, r.OrgID)
		if err != nil {
			return err
		}
		minor, err := s.isMinor(ctx, r.OrgID, r.StudentID, now)
		if err != nil {
			return err
		}
		out = &LinkView{ExpiresAt: r.ExpiresAt.UTC(), ConsentTextVersion: st.ConsentTextVersion, ConsentText: st.ConsentText,
			Incentive: r.Incentive, GuardianConsentRequired: minor}
		return nil
	})
	return out, err
}

// SubmitByLink stores the student's answer sent through the link, with
// their consent when given, and closes the link.
func (s *Service) SubmitByLink(ctx context.Context, token, client string, in SubmissionInput) (*Submission, error) {
	if err := s.throttle(ctx, client); err != nil {
		return nil, err
	}
	in.CuratorID, in.SubmittedAt = nil, nil
	if err := checkSubmission(s.Now(), "body.", in); err != nil {
		return nil, err
	}
	var out *Submission
	err := s.withLink(ctx, token, func(ctx context.Context, tx bun.Tx, r *Request, now time.Time) error {
		if in.Consent != nil {
			in.Consent.Channel, in.Consent.GivenAt = SourceLink, nil
			st, err := s.store.Settings(ctx, tx, r.OrgID)
			if err != nil {
				return err
			}
			if in.Consent.TextVersion != st.ConsentTextVersion {
				return errs.Invalid("body.consent.text_version", "must be the version of the consent text shown with the form")
			}
		}
		e := &Enrollment{ID: r.EnrollmentID, StudentID: r.StudentID, CohortID: r.CohortID, CourseID: r.CourseID, CuratorID: r.CuratorID}
		var err error
		out, err = s.submit(ctx, tx, r.OrgID, e, r, SourceLink, nil, nil, in, "body.", now)
		return err
	})
	return out, err
}

// DeclineByLink closes the link at the student's word; with optOut the
// student is never asked again.
func (s *Service) DeclineByLink(ctx context.Context, token, client string, optOut bool) error {
	if err := s.throttle(ctx, client); err != nil {
		return err
	}
	return s.withLink(ctx, token, func(ctx context.Context, tx bun.Tx, r *Request, now time.Time) error {
		if !optOut {
			return s.moveRequest(ctx, tx, r, RequestDeclined, nil, now)
		}
		if err := s.store.InsertOptOut(ctx, tx, &OptOut{OrgID: r.OrgID, StudentID: r.StudentID, RequestID: &r.ID, Channel: SourceLink, OptedOutAt: now}); err != nil {
			return err
		}
		return s.moveRequest(ctx, tx, r, RequestOptedOut, nil, now)
	})
}

// withLink runs fn on the request of a usable link, locked, in one
// transaction. A link past its expiry is marked expired (committed) and
// answered like an unknown one.
func (s *Service) withLink(ctx context.Context, token string, fn func(ctx context.Context, tx bun.Tx, r *Request, now time.Time) error) error {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 64 {
		return errLink
	}
	expired := false
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		r, err := s.store.LockRequestByToken(ctx, tx, hashToken(token))
		if err != nil {
			return err
		}
		if r.Open() && !r.LinkWorks(now) {
			expired = true
			return s.moveRequest(ctx, tx, r, RequestExpired, nil, now)
		}
		if !r.LinkWorks(now) {
			return errLink
		}
		return fn(ctx, tx, r, now)
	})
	if expired || errors.Is(err, errs.ErrNotFound) {
		return errLink
	}
	return err
}

// throttle counts a public link call from client and refuses it with 429
// past linkLimit calls in linkWindow. The count commits even when the call
// then fails, so failures cannot be retried for free.
func (s *Service) throttle(ctx context.Context, client string) error {
	var refused error
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		row, err := s.store.LockThrottle(ctx, tx, "ip:"+client, now)
		if err != nil {
			return err
		}
		if now.Sub(row.WindowStartedAt) >= linkWindow {
			row.Hits, row.WindowStartedAt = 0, now
		}
		if row.Hits >= linkLimit {
			refused = &errs.RateLimitedError{RetryAfter: max(row.WindowStartedAt.Add(linkWindow).Sub(now), time.Second)}
			return nil
		}
		row.Hits++
		return s.store.SaveThrottle(ctx, tx, row)
	})
	if err != nil {
		return err
	}
	return refused
}

// isMinor reports whether the student is under 18 at at, by the birth date
// the school holds; a student without one is taken at their word.
func (s *Service) isMinor(ctx context.Context, orgID, studentID string, at time.Time) (bool, error) {
	st, err := s.school.Student(ctx, orgID, studentID)
	if err != nil || st.BirthDate == nil {
		return false, err
	}
	born, err := time.Parse(time.DateOnly, *st.BirthDate)
	if err != nil {
		return false, nil
	}
	return at.Before(born.AddDate(18, 0, 0)), nil
}
