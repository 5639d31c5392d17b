package refunds

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/privacy"
)

var _ privacy.Eraser = (*Service)(nil)

// EraseSubject blanks the comments of an erased student's requests: the
// student's own words. Amounts, reasons, statuses and the frozen evidence
// (which holds no free text of the student) stay, so that the analytics do
// not change.
func (s *Service) EraseSubject(ctx context.Context, db bun.IDB, subject privacy.Subject) error {
	if subject.EntityType != "student" {
		return nil
	}
	return s.store.EraseComments(ctx, db, subject.OrgID, subject.EntityID)
}
