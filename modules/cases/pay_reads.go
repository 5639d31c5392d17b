package cases

import (
	"context"
	"time"
)

// Kinds of a credited case: a video testimonial, or text only.
const (
	CaseKindText  = "text"
	CaseKindVideo = "video"
)

// CreditedCase is a case moderation accepted, as curators' pay counts it:
// the submission row, the curator credited, its kind and when the student
// submitted it.
type CreditedCase struct {
	ID          string
	CuratorID   string
	Kind        string // CaseKindText or CaseKindVideo
	SubmittedAt time.Time
}

// CreditedCases lists the cases submitted in [from, to) that moderation
// approved (approved, published later or archived after) and that credit a
// curator, oldest first. A case stays a video case after erasure removes
// its link, so a month's count never changes.
func (s *Service) CreditedCases(ctx context.Context, orgID string, from, to time.Time) ([]CreditedCase, error) {
	rows, err := s.store.CreditedBetween(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]CreditedCase, len(rows))
	for i, r := range rows {
		kind := CaseKindText
		if r.HasVideo() {
			kind = CaseKindVideo
		}
		out[i] = CreditedCase{ID: r.ID, CuratorID: *r.CuratorID, Kind: kind, SubmittedAt: r.SubmittedAt.UTC()}
	}
	return out, nil
}
