package surveys

import (
	"context"
	"time"
)

// CSIAnswer is one CSI score as curators' pay counts it: the answer row,
// the curator of the moment stored on it (nil: the student had none) and
// the score.
type CSIAnswer struct {
	ID         string
	CuratorID  *string
	Value      int
	AnsweredAt time.Time
}

// CSIAnswers passes every CSI answer with a score answered in [from, to)
// to fn, oldest first. The curator is the one stored with the answer, so a
// later change of curator does not move a score to someone else.
func (s *Service) CSIAnswers(ctx context.Context, orgID string, from, to time.Time, fn func(CSIAnswer)) error {
	return s.store.CSIAnswers(ctx, s.DB, orgID, from, to, fn)
}
