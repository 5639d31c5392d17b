package homework

import "context"

// CalibrationWork is a submission as the hiring module's calibration copies
// it: the work and its rubric, without enrollment or external ids and
// without attachments, whose names and files often carry the student's
// name. StudentID is there only so that the caller can find the student's
// personal values and remove them from the text; it is never shown.
type CalibrationWork struct {
	StudentID string
	Text      string
	Links     []string
	Rubric    []RubricCriterion
}

// CalibrationWork returns a submission's work for calibration, or
// errs.ErrNotFound when the school has no such submission.
func (s *Service) CalibrationWork(ctx context.Context, orgID, submissionID string) (*CalibrationWork, error) {
	sub, err := s.store.Submission(ctx, s.DB, orgID, submissionID)
	if err != nil {
		return nil, err
	}
	c := normalContent(sub.Content)
	return &CalibrationWork{StudentID: sub.StudentID, Text: c.Text, Links: c.Links, Rubric: sub.Rubric}, nil
}
