package homework

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
)

// EventHandlers returns the handlers of the homework events the LMS sends;
// the server registers them with the integration inbox.
func (s *Service) EventHandlers() map[string]events.Handler {
	return map[string]events.Handler{eventSubmissionCreated: s.handleSubmissionCreated}
}

type submissionEvent struct {
	ExternalID           string             `json:"external_id"`
	Source               string             `json:"source"`
	StudentExternalID    string             `json:"student_external_id"`
	AssignmentExternalID string             `json:"assignment_external_id"`
	Attempt              *int               `json:"attempt"`
	Content              *SubmissionContent `json:"content"`
	SubmittedAt          *time.Time         `json:"submitted_at"`
}

func (s *Service) handleSubmissionCreated(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d submissionEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	var missing errs.ValidationError
	for _, f := range []struct{ name, value string }{
		{"external_id", d.ExternalID}, {"student_external_id", d.StudentExternalID}, {"assignment_external_id", d.AssignmentExternalID},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing.Fields = append(missing.Fields, errs.FieldError{Location: "data." + f.name, Message: "is required"})
		}
	}
	if d.SubmittedAt == nil {
		missing.Fields = append(missing.Fields, errs.FieldError{Location: "data.submitted_at", Message: "is required"})
	}
	if len(missing.Fields) > 0 {
		return &missing
	}
	in := NewSubmission{Source: d.Source, ExternalID: d.ExternalID, StudentExternalID: d.StudentExternalID,
		AssignmentExternalID: d.AssignmentExternalID, Attempt: d.Attempt, SubmittedAt: *d.SubmittedAt}
	if d.Content != nil {
		in.Content = *d.Content
	}
	// The API's rules run before the look-up below, so that no unchecked
	// string reaches a query.
	if err := checkNewSubmission(in, "data.", s.Now()); err != nil {
		return err
	}
	// The LMS may send a submission again under a new event id: its
	// external id makes the second one a no-op.
	source := d.Source
	if strings.TrimSpace(source) == "" {
		source = DefaultSource
	}
	if _, err := s.store.SubmissionByExternalID(ctx, tx, ev.OrgID, source, d.ExternalID); err == nil || !errors.Is(err, errs.ErrNotFound) {
		return err
	}
	_, err := s.submit(ctx, tx, ev.OrgID, in, "data.")
	return err
}
