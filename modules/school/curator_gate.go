package school

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// CuratorGate says which curators may not be given students yet: a
// newcomer whose onboarding plan still has required items. The onboarding
// module implements it; until it is set, every active curator may.
type CuratorGate interface {
	// Unfinished names the curator's required onboarding items not done
	// yet; none when the curator may take students.
	Unfinished(ctx context.Context, db bun.IDB, orgID, userID string) ([]string, error)
}

// UseCuratorGate connects the onboarding module, once it exists.
func (s *Service) UseCuratorGate(g CuratorGate) { s.gate = g }

// checkGate refuses, with a conflict naming the unfinished items, a
// curator who has not finished onboarding.
func (s *Service) checkGate(ctx context.Context, orgID, curatorID string) error {
	if s.gate == nil {
		return nil
	}
	unfinished, err := s.gate.Unfinished(ctx, s.DB, orgID, curatorID)
	if err != nil || len(unfinished) == 0 {
		return err
	}
	return errs.Conflict("the curator cannot be given students before finishing onboarding: %s", strings.Join(unfinished, "; "))
}

// mayTakeStudents reports whether a curator has finished onboarding.
func (s *Service) mayTakeStudents(ctx context.Context, orgID, curatorID string) (bool, error) {
	if s.gate == nil {
		return true, nil
	}
	unfinished, err := s.gate.Unfinished(ctx, s.DB, orgID, curatorID)
	return len(unfinished) == 0, err
}
