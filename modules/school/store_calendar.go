package school

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Queries of the business calendars.

// Calendar returns one calendar of the school.
func (Store) Calendar(ctx context.Context, db bun.IDB, orgID, id string) (*Calendar, error) {
	c := new(Calendar)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id), "calendar")
}

// DefaultCalendar returns the school's default calendar.
func (Store) DefaultCalendar(ctx context.Context, db bun.IDB, orgID string) (*Calendar, error) {
	c := new(Calendar)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND is_default", orgID), "default calendar")
}

// ListCalendars returns the school's calendars by name.
func (Store) ListCalendars(ctx context.Context, db bun.IDB, orgID string) ([]Calendar, error) {
	var rows []Calendar
	return rows, db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("name ASC").Scan(ctx)
}

// InsertCalendar adds a calendar; a second calendar of the same name is a
// conflict.
func (Store) InsertCalendar(ctx context.Context, db bun.IDB, c *Calendar) error {
	return insert(ctx, db, c, "a calendar named "+c.Name)
}

// UpdateCalendar writes c if its stored version is still wasVersion; a name
// another calendar of the school has is a conflict.
func (Store) UpdateCalendar(ctx context.Context, db bun.IDB, c *Calendar, wasVersion int64) (bool, error) {
	ok, err := database.UpdateVersion(ctx, db, c, wasVersion, "name", "is_default", "spec", "updated_at", "version")
	if database.IsUniqueViolation(err) {
		return false, errs.Conflict("a calendar named %s already exists", c.Name)
	}
	return ok, err
}

// ClearDefault makes no calendar of the school the default, before another becomes it.
func (Store) ClearDefault(ctx context.Context, db bun.IDB, orgID, exceptID string) error {
	_, err := db.NewUpdate().Model((*Calendar)(nil)).Set("is_default = ?", false).
		Where("org_id = ? AND id <> ? AND is_default", orgID, exceptID).Exec(ctx)
	return err
}
