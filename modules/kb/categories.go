package kb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Categories lists the built-in categories, then the school's own.
func (s *Service) Categories(ctx context.Context, orgID string) ([]Category, error) {
	own, err := s.store.Categories(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	return append(append([]Category{}, BuiltInCategories...), own...), nil
}

// CreateCategory adds a category of the school's own.
func (s *Service) CreateCategory(ctx context.Context, orgID, key, name string) (*Category, error) {
	if builtInCategory(key) {
		return nil, errs.Conflict("%q is a built-in category", key)
	}
	c := &Category{ID: ids.New(), OrgID: orgID, Key: key, Name: strings.TrimSpace(name),
		CreatedBy: reqctx.From(ctx).Principal.ActorID(), CreatedAt: s.Now()}
	return c, s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertCategory(ctx, tx, c); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "kb_category", c.ID, map[string]auditlog.Change{
			"key": {After: c.Key}, "name": {After: c.Name}})
	})
}

// checkCategory refuses a category the school does not have.
func (s *Service) checkCategory(ctx context.Context, db bun.IDB, orgID, key, location string) error {
	if builtInCategory(key) {
		return nil
	}
	_, err := s.store.Category(ctx, db, orgID, key)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid(location, fmt.Sprintf("no category %q in this school; create it first or use a built-in one", key))
	}
	return err
}
