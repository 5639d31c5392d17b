package cases

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// defaultSource names the LMS's ids when an event does not say.
const defaultSource = "lms"

// EventHandlers returns the handlers of the case events the LMS sends; the
// server registers them with the integration inbox.
func (s *Service) EventHandlers() map[string]events.Handler {
	return map[string]events.Handler{eventSubmitted: s.handleSubmitted, eventRequestSent: s.handleRequestSent}
}

// submittedEvent is the data of case.submitted: a case the student left in
// the LMS, answering a request or not.
type submittedEvent struct {
	ExternalID        string        `json:"external_id"`
	Source            string        `json:"source"`
	StudentExternalID string        `json:"student_external_id"`
	RequestID         string        `json:"request_id"`
	RequestToken      string        `json:"request_token"`
	Text              *string       `json:"text"`
	VideoURL          *string       `json:"video_url"`
	Rating            *int          `json:"rating"`
	Before            *string       `json:"before"`
	After             *string       `json:"after"`
	Tags              []string      `json:"tags"`
	SubmittedAt       *time.Time    `json:"submitted_at"`
	Consent           *ConsentInput `json:"consent"`
}

func (s *Service) handleSubmitted(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d submittedEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("external_id", d.ExternalID, "student_external_id", d.StudentExternalID); err != nil {
		return err
	}
	if d.SubmittedAt == nil {
		return errs.Invalid("data.submitted_at", "is required")
	}
	in := SubmissionInput{Body: d.Text, VideoURL: d.VideoURL, Rating: d.Rating, BeforeText: d.Before, AfterText: d.After, Tags: d.Tags,
		SubmittedAt: d.SubmittedAt, Consent: d.Consent}
	if in.Consent != nil {
		in.Consent.Channel = SourceLMS
	}
	if err := checkSubmission(s.Now(), "data.", in); err != nil {
		return err
	}
	source := strings.TrimSpace(d.Source)
	if source == "" {
		source = defaultSource
	}
	// The LMS may send the same case again under a new event id.
	if _, err := s.store.SubmissionByExternalID(ctx, tx, ev.OrgID, SourceLMS, d.ExternalID); err == nil || !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	st, err := s.school.StudentByExternalID(ctx, ev.OrgID, source, d.StudentExternalID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("data.student_external_id", "no student of this school has this id")
	} else if err != nil {
		return err
	}
	r, err := s.eventRequest(ctx, tx, ev.OrgID, st.ID, d)
	if err != nil {
		return err
	}
	var e *Enrollment
	if r != nil {
		e = &Enrollment{ID: r.EnrollmentID, StudentID: r.StudentID, CohortID: r.CohortID, CourseID: r.CourseID, CuratorID: r.CuratorID}
	} else if e, err = s.enrollmentFor(ctx, ev.OrgID, st.ID, "", "data."); err != nil {
		return err
	}
	ext := d.ExternalID
	_, err = s.submit(ctx, tx, ev.OrgID, e, r, SourceLMS, &ext, nil, in, "data.", s.Now())
	return err
}

// eventRequest finds the request a case.submitted answers, by id or by
// link token, in the event's school only; nil when the event names none.
func (s *Service) eventRequest(ctx context.Context, tx bun.IDB, orgID, studentID string, d submittedEvent) (*Request, error) {
	var (
		r     *Request
		err   error
		where string
	)
	switch {
	case d.RequestID != "":
		where = "data.request_id"
		if !ids.Valid(d.RequestID) {
			return nil, errs.Invalid(where, "must be a case request of this school")
		}
		r, err = s.store.LockRequest(ctx, tx, orgID, d.RequestID)
	case d.RequestToken != "":
		where = "data.request_token"
		if len(d.RequestToken) > 64 {
			return nil, errs.Invalid(where, "must be a case request link of this school")
		}
		r, err = s.store.LockRequestByToken(ctx, tx, hashToken(d.RequestToken))
		if err == nil && r.OrgID != orgID {
			err = errs.NotFound("case request")
		}
	default:
		return nil, nil
	}
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return nil, errs.Invalid(where, "must be a case request of this school")
	case err != nil:
		return nil, err
	case r.StudentID != studentID:
		return nil, errs.Invalid(where, "is a request to another student")
	case r.Status == RequestSubmitted:
		return nil, errs.Invalid(where, "the request was already answered")
	}
	return r, nil
}

// requestSentEvent is the data of case.request_sent: the LMS sent the link.
type requestSentEvent struct {
	RequestID string     `json:"request_id"`
	SentAt    *time.Time `json:"sent_at"`
}

func (s *Service) handleRequestSent(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d requestSentEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("request_id", d.RequestID); err != nil {
		return err
	}
	at := ev.OccurredAt
	if d.SentAt != nil {
		at = d.SentAt.UTC()
	}
	_, err := s.markSent(ctx, tx, ev.OrgID, d.RequestID, nil, at)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("data.request_id", "must be a case request of this school")
	}
	return err
}
