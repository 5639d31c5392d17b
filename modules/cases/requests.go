package cases

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Outbound and inbound event types.
const (
	eventRequested   = "case.requested"
	eventSubmitted   = "case.submitted"
	eventRequestSent = "case.request_sent"
)

// tokenPrefix marks a case link token, so that one pasted in the wrong
// place is recognisable.
const tokenPrefix = "ccr_"

// Moment is a success moment that may warrant a collection request.
type Moment struct {
	OrgID        string
	StudentID    string
	EnrollmentID string
	CohortID     string
	CuratorID    *string
	Kind         string
	SourceID     string
	Scale        string
	Value        *int
	At           time.Time
}

// SuccessMoment weighs a success moment inside the caller's transaction:
// the first time a (kind, source id) arrives, a request is made unless the
// student opted out or was asked within the school's interval; the same
// moment again changes nothing. A CSI answer counts only at 5 and an NPS
// answer only at 9–10.
func (s *Service) SuccessMoment(ctx context.Context, tx bun.IDB, m Moment) error {
	if !slices.Contains(Moments, m.Kind) || m.Kind == MomentManual {
		return errs.Invalid("kind", "is not an automatic success moment")
	}
	if strings.TrimSpace(m.SourceID) == "" || m.StudentID == "" || m.EnrollmentID == "" {
		return errs.Invalid("source_id", "a moment needs a source, a student and an enrollment")
	}
	if !momentWarrants(m) {
		return nil
	}
	now := s.Now()
	rec := &MomentRecord{OrgID: m.OrgID, Kind: m.Kind, SourceID: m.SourceID, StudentID: m.StudentID, Outcome: OutcomeRequested, At: now}
	fresh, err := s.store.ClaimMoment(ctx, tx, rec)
	if err != nil || !fresh {
		return err
	}
	e, err := s.school.Enrollment(ctx, m.OrgID, m.EnrollmentID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && e.StudentID != m.StudentID) {
		rec.Outcome = OutcomeNotEnrolled
		return s.store.SetMomentOutcome(ctx, tx, rec)
	}
	if err != nil {
		return err
	}
	if m.CuratorID != nil {
		e.CuratorID = m.CuratorID
	}
	st, err := s.store.Settings(ctx, tx, m.OrgID)
	if err != nil {
		return err
	}
	if rec.Outcome, err = s.mayAsk(ctx, tx, m.OrgID, m.StudentID, st, now); err != nil {
		return err
	}
	if rec.Outcome == OutcomeRequested {
		r, _, err := s.newRequest(ctx, tx, e, m.Kind, nil, st, now)
		if err != nil {
			return err
		}
		rec.RequestID = &r.ID
	}
	return s.store.SetMomentOutcome(ctx, tx, rec)
}

// momentWarrants applies the survey thresholds: only a top answer is a
// success moment.
func momentWarrants(m Moment) bool {
	switch m.Kind {
	case MomentCSITop:
		return m.Value != nil && *m.Value == 5
	case MomentNPSPromoter:
		return m.Value != nil && *m.Value >= 9 && *m.Value <= 10
	}
	return true
}

// mayAsk says whether the student may be asked at now: never after an
// opt-out, and at most once per the school's interval.
func (s *Service) mayAsk(ctx context.Context, db bun.IDB, orgID, studentID string, st *Settings, now time.Time) (string, error) {
	out, err := s.store.OptedOut(ctx, db, orgID, studentID)
	if err != nil || out {
		return OutcomeOptedOut, err
	}
	last, err := s.store.LastRequestAt(ctx, db, orgID, studentID)
	if err != nil {
		return "", err
	}
	if last != nil && now.Before(last.Add(time.Duration(st.RequestIntervalDays)*24*time.Hour)) {
		return OutcomeTooSoon, nil
	}
	return OutcomeRequested, nil
}

// newRequest makes a request with a fresh link for the enrollment, starts
// its trail, audits it and publishes case.requested with the link token
// for the LMS to send. It returns the token: only its hash is stored.
func (s *Service) newRequest(ctx context.Context, tx bun.IDB, e *Enrollment, moment string, actor *string, st *Settings, now time.Time) (*Request, string, error) {
	token, hash := newToken()
	r := &Request{ID: ids.New(), OrgID: st.OrgID, StudentID: e.StudentID, EnrollmentID: e.ID, CohortID: e.CohortID, CourseID: e.CourseID,
		CuratorID: e.CuratorID, Moment: moment, TokenHash: hash, Status: RequestCreated, Incentive: st.Incentive, CreatedBy: actor,
		CreatedAt: now, ExpiresAt: now.Add(time.Duration(st.LinkTTLDays) * 24 * time.Hour), Version: 1}
	if err := s.store.InsertRequest(ctx, tx, r); err != nil {
		return nil, "", err
	}
	if err := s.trail(ctx, tx, r, actor, now); err != nil {
		return nil, "", err
	}
	if err := s.Record(ctx, tx, r.OrgID, entityRequest, r.ID, map[string]auditlog.Change{
		"status": {After: r.Status}, "student_id": {After: r.StudentID}, "moment": {After: r.Moment}, "curator_id": {After: r.CuratorID},
		"expires_at": {After: r.ExpiresAt}}); err != nil {
		return nil, "", err
	}
	return r, token, s.publish.Publish(ctx, tx, r.OrgID, eventRequested, requestedPayload(r, token))
}

// RequestedEvent is the payload of case.requested: what the LMS needs to
// send the student the link.
type RequestedEvent struct {
	RequestID    string    `json:"request_id"`
	StudentID    string    `json:"student_id"`
	EnrollmentID string    `json:"enrollment_id"`
	CohortID     string    `json:"cohort_id"`
	CuratorID    *string   `json:"curator_id"`
	Moment       string    `json:"moment"`
	Token        string    `json:"token"`
	LinkPath     string    `json:"link_path"`
	Incentive    string    `json:"incentive"`
	ExpiresAt    time.Time `json:"expires_at"`
}

func requestedPayload(r *Request, token string) RequestedEvent {
	return RequestedEvent{RequestID: r.ID, StudentID: r.StudentID, EnrollmentID: r.EnrollmentID, CohortID: r.CohortID, CuratorID: r.CuratorID,
		Moment: r.Moment, Token: token, LinkPath: "/v1/case-requests/" + token, Incentive: r.Incentive, ExpiresAt: r.ExpiresAt.UTC()}
}

// trail appends the request's current status to its trail.
func (s *Service) trail(ctx context.Context, tx bun.IDB, r *Request, actor *string, at time.Time) error {
	return s.store.InsertRequestEvent(ctx, tx, &RequestEvent{ID: ids.New(), OrgID: r.OrgID, RequestID: r.ID, Status: r.Status, ActorID: actor, At: at})
}

// newToken is a one-time link token (256 random bits) and its SHA-256.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("cases: no randomness: " + err.Error())
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewRequest is a request a curator makes by hand.
type NewRequest struct {
	StudentID    string
	EnrollmentID string // "" for the student's newest enrollment
}

// CreateRequest makes a request by hand for a student the caller may see;
// the interval and opt-out rules hold as for automatic requests. It
// returns the link token once, for the curator to send herself.
func (s *Service) CreateRequest(ctx context.Context, orgID string, v Viewer, in NewRequest) (*Request, string, error) {
	e, err := s.enrollmentFor(ctx, orgID, in.StudentID, in.EnrollmentID, "body.")
	if err != nil {
		return nil, "", err
	}
	if !v.SeesAll && (e.CuratorID == nil || *e.CuratorID != v.UserID) {
		return nil, "", errs.Forbidden("only the student's curator or a senior colleague may ask this student")
	}
	var (
		out   *Request
		token string
	)
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		st, err := s.store.Settings(ctx, tx, orgID)
		if err != nil {
			return err
		}
		switch outcome, err := s.mayAsk(ctx, tx, orgID, e.StudentID, st, now); {
		case err != nil:
			return err
		case outcome == OutcomeOptedOut:
			return errs.Conflict("the student opted out of case requests")
		case outcome == OutcomeTooSoon:
			return errs.Conflict("the student was asked less than %d days ago", st.RequestIntervalDays)
		}
		actor := v.UserID
		out, token, err = s.newRequest(ctx, tx, e, MomentManual, &actor, st, now)
		return err
	})
	return out, token, err
}

// enrollmentFor finds the student's enrollment: the given one (which must
// be the student's) or the newest. Unknown ids are 404, named by field.
func (s *Service) enrollmentFor(ctx context.Context, orgID, studentID, enrollmentID, prefix string) (*Enrollment, error) {
	if !ids.Valid(studentID) {
		return nil, errs.Invalid(prefix+"student_id", "must be a student of this school")
	}
	if _, err := s.school.Student(ctx, orgID, studentID); errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid(prefix+"student_id", "must be a student of this school")
	} else if err != nil {
		return nil, err
	}
	if enrollmentID != "" {
		e, err := s.school.Enrollment(ctx, orgID, enrollmentID)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && e.StudentID != studentID) || !ids.Valid(enrollmentID) {
			return nil, errs.Invalid(prefix+"enrollment_id", "must be an enrollment of the student")
		}
		return e, err
	}
	list, err := s.school.Enrollments(ctx, orgID, studentID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.Invalid(prefix+"student_id", "the student is not enrolled in any cohort")
	}
	return &list[0], nil
}

// MarkSent records that the LMS or a curator sent the request's link.
// A request already sent or opened stays as it is.
func (s *Service) MarkSent(ctx context.Context, orgID, id string, actor *string, at time.Time) (*Request, error) {
	var out *Request
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.markSent(ctx, tx, orgID, id, actor, at)
		return err
	})
	return out, err
}

func (s *Service) markSent(ctx context.Context, tx bun.IDB, orgID, id string, actor *string, at time.Time) (*Request, error) {
	if !ids.Valid(id) {
		return nil, errs.NotFound("case request")
	}
	r, err := s.store.LockRequest(ctx, tx, orgID, id)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if r.Status != RequestCreated {
		return r, nil
	}
	if !r.LinkWorks(now) {
		return nil, errs.Conflict("the request expired at %s", r.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if err := s.moveRequest(ctx, tx, r, RequestSent, actor, at); err != nil {
		return nil, err
	}
	return r, nil
}

// moveRequest sets the request's status, stamps the matching time, writes
// the trail and the audit entry.
func (s *Service) moveRequest(ctx context.Context, tx bun.IDB, r *Request, status string, actor *string, at time.Time) error {
	was, from := r.Version, r.Status
	r.Status = status
	cols := []string{"status", "version"}
	switch status {
	case RequestSent:
		r.SentAt = &at
		cols = append(cols, "sent_at")
	case RequestOpened:
		r.OpenedAt = &at
		cols = append(cols, "opened_at")
	default:
		r.ClosedAt = &at
		cols = append(cols, "closed_at")
	}
	r.Bump(at)
	ok, err := s.store.UpdateRequest(ctx, tx, r, was, cols...)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Stale("the case request", was+1)
	}
	if err := s.trail(ctx, tx, r, actor, at); err != nil {
		return err
	}
	return s.Record(ctx, tx, r.OrgID, entityRequest, r.ID, map[string]auditlog.Change{"status": {Before: from, After: status}})
}

// Viewer is who reads or acts: her user id and whether the policy lets her
// see every curator's cases or only those credited to her.
type Viewer struct {
	UserID  string
	SeesAll bool
}

// owns reports whether the viewer may see a row credited to curatorID.
func (v Viewer) owns(curatorID *string) bool {
	return v.SeesAll || (curatorID != nil && *curatorID == v.UserID)
}

// RequestDetail is a request with its trail.
type RequestDetail struct {
	Request *Request
	Trail   []RequestEvent
}

// Request returns one request the viewer may see, with its trail.
func (s *Service) Request(ctx context.Context, orgID, id string, v Viewer) (*RequestDetail, error) {
	if !ids.Valid(id) {
		return nil, errs.NotFound("case request")
	}
	r, err := s.store.Request(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	if !v.owns(r.CuratorID) {
		return nil, errs.NotFound("case request")
	}
	trail, err := s.store.RequestEvents(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	return &RequestDetail{Request: r, Trail: trail}, nil
}

// Requests lists the requests the viewer may see.
func (s *Service) Requests(ctx context.Context, orgID string, v Viewer, f RequestFilter) ([]Request, error) {
	if !v.SeesAll {
		f.CuratorID = v.UserID
	}
	return s.store.Requests(ctx, s.DB, orgID, f)
}
