package school

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Store holds the school queries; its methods take bun.IDB so they run
// inside the caller's transaction, and every one filters by the school.
// The queries of each area live in store_<area>.go.
type Store struct{}

// insert adds a row; a clash on (org, source, external_id) or another
// unique key becomes a conflict naming what.
func insert(ctx context.Context, db bun.IDB, row any, what string) error {
	_, err := db.NewInsert().Model(row).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("%s already exists", what)
	}
	return err
}
