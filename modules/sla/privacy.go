package sla

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/privacy"
)

var _ privacy.Eraser = (*Service)(nil)

// EraseSubject blanks the texts of an erased student's conversations, in
// both directions: a reply may quote what the student wrote. Messages,
// their times and the clocks stay, so response times and reports do not
// change.
func (s *Service) EraseSubject(ctx context.Context, db bun.IDB, subject privacy.Subject) error {
	if subject.EntityType != "student" {
		return nil
	}
	return s.store.EraseStudentTexts(ctx, db, subject.OrgID, subject.EntityID)
}
