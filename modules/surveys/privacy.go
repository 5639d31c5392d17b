package surveys

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/privacy"
)

var _ privacy.Eraser = (*Service)(nil)

// EraseSubject blanks the free text of an erased student's answers. The
// scores stay, tied to an anonymous record, so that CSI and NPS of the
// past do not change.
func (s *Service) EraseSubject(ctx context.Context, db bun.IDB, subject privacy.Subject) error {
	if subject.EntityType != "student" {
		return nil
	}
	_, err := s.store.BlankComments(ctx, db, subject.OrgID, subject.EntityID)
	return err
}
