package school

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Calendar is a school's working calendar: the hours in which response and
// review deadlines run. A school has one default calendar and may have
// others (for a night shift, say).
type Calendar struct {
	bun.BaseModel `bun:"table:calendars"`

	ID        string      `bun:"id,pk" json:"id"`
	OrgID     string      `bun:"org_id" json:"-"`
	Name      string      `bun:"name" json:"name"`
	IsDefault bool        `bun:"is_default" json:"is_default"`
	Spec      bizcal.Spec `bun:"spec,type:jsonb" json:"spec"`
	CreatedAt time.Time   `bun:"created_at" json:"-"`
	UpdatedAt time.Time   `bun:"updated_at" json:"-"`
	Version   int64       `bun:"version" json:"version"`
}

// calendarCache keeps compiled calendars by id and version: compiling is
// costly next to answering, and a changed calendar gets a new version.
type calendarCache struct {
	mu    sync.Mutex
	byKey map[calendarKey]*bizcal.Calendar
}

type calendarKey struct {
	id      string
	version int64
}

func (c *calendarCache) get(row *Calendar) (*bizcal.Calendar, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := calendarKey{row.ID, row.Version}
	if cal, ok := c.byKey[key]; ok {
		return cal, nil
	}
	cal, err := bizcal.New(row.Spec)
	if err != nil {
		return nil, err
	}
	if c.byKey == nil || len(c.byKey) > 10000 {
		c.byKey = map[calendarKey]*bizcal.Calendar{}
	}
	c.byKey[key] = cal
	return cal, nil
}

// --- store

func (Store) Calendar(ctx context.Context, db bun.IDB, orgID, id string) (*Calendar, error) {
	c := new(Calendar)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id), "calendar")
}

func (Store) DefaultCalendar(ctx context.Context, db bun.IDB, orgID string) (*Calendar, error) {
	c := new(Calendar)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND is_default", orgID), "default calendar")
}

func (Store) ListCalendars(ctx context.Context, db bun.IDB, orgID string) ([]Calendar, error) {
	var rows []Calendar
	return rows, db.NewSelect().Model(&rows).Where("org_id = ?", orgID).OrderExpr("name ASC").Scan(ctx)
}

// ClearDefault makes no calendar of the school the default, before another becomes it.
func (Store) ClearDefault(ctx context.Context, db bun.IDB, orgID, exceptID string) error {
	_, err := db.NewUpdate().Model((*Calendar)(nil)).Set("is_default = ?", false).
		Where("org_id = ? AND id <> ? AND is_default", orgID, exceptID).Exec(ctx)
	return err
}

// --- service

// CalendarInput is what creating or replacing a calendar takes.
type CalendarInput struct {
	Name      string
	IsDefault bool
	Spec      bizcal.Spec
}

func checkSpec(spec bizcal.Spec) error {
	if _, err := bizcal.New(spec); err != nil {
		var ve *bizcal.ValidationError
		if errors.As(err, &ve) {
			return ve.Within("body.spec")
		}
		return err
	}
	return nil
}

// CreateCalendar adds a calendar; the school's first calendar is its default.
func (s *Service) CreateCalendar(ctx context.Context, orgID string, in CalendarInput) (*Calendar, error) {
	if err := checkSpec(in.Spec); err != nil {
		return nil, err
	}
	now := s.now()
	c := &Calendar{ID: ids.New(), OrgID: orgID, Name: in.Name, IsDefault: in.IsDefault, Spec: in.Spec, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		existing, err := s.store.ListCalendars(ctx, tx, orgID)
		if err != nil {
			return err
		}
		c.IsDefault = c.IsDefault || len(existing) == 0
		if c.IsDefault {
			if err := s.store.ClearDefault(ctx, tx, orgID, c.ID); err != nil {
				return err
			}
		}
		if err := insert(ctx, tx, c, "a calendar named "+c.Name); err != nil {
			return err
		}
		return s.record(ctx, tx, orgID, "calendar", c.ID, nil, c)
	})
	return c, err
}

// ReplaceCalendar sets a calendar's name, default flag and specification if
// it is still at version. The default calendar stays default: make another
// one default instead.
func (s *Service) ReplaceCalendar(ctx context.Context, orgID, id string, version int64, in CalendarInput) (*Calendar, error) {
	if err := checkSpec(in.Spec); err != nil {
		return nil, err
	}
	var out *Calendar
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, err := s.store.Calendar(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errs.Stale("the calendar", before.Version)
		}
		if before.IsDefault && !in.IsDefault {
			return errs.Conflict("a school always has a default calendar; make another calendar the default instead")
		}
		after := *before
		after.Name, after.IsDefault, after.Spec = in.Name, in.IsDefault, in.Spec
		after.UpdatedAt, after.Version = s.now(), before.Version+1
		if after.IsDefault {
			if err := s.store.ClearDefault(ctx, tx, orgID, id); err != nil {
				return err
			}
		}
		ok, err := updateVersioned(ctx, tx, &after, orgID, version, "name", "is_default", "spec", "updated_at", "version")
		if database.IsUniqueViolation(err) {
			return errs.Conflict("a calendar named %s already exists", in.Name)
		}
		if err != nil {
			return err
		}
		if !ok {
			return errs.Stale("the calendar", version+1)
		}
		out = &after
		return s.record(ctx, tx, orgID, "calendar", id, before, &after)
	})
	return out, err
}

// Calendar returns one calendar of the school.
func (s *Service) Calendar(ctx context.Context, orgID, id string) (*Calendar, error) {
	return s.store.Calendar(ctx, s.db, orgID, id)
}

// Calendars lists the school's calendars by name.
func (s *Service) Calendars(ctx context.Context, orgID string) ([]Calendar, error) {
	return s.store.ListCalendars(ctx, s.db, orgID)
}

// CompiledCalendar returns the business calendar with the id, or the
// school's default when id is empty. A school without any calendar works
// around the clock in its time zone (tz), so that deadlines still exist.
func (s *Service) CompiledCalendar(ctx context.Context, orgID, id, tz string) (*bizcal.Calendar, *Calendar, error) {
	var (
		row *Calendar
		err error
	)
	if id == "" {
		row, err = s.store.DefaultCalendar(ctx, s.db, orgID)
		if errors.Is(err, errs.ErrNotFound) {
			row = &Calendar{ID: "always-open:" + tz, Name: "around the clock", Spec: bizcal.Spec{TimeZone: tz, AlwaysOpen: true}, Version: 1}
			err = nil
		}
	} else {
		row, err = s.store.Calendar(ctx, s.db, orgID, id)
	}
	if err != nil {
		return nil, nil, err
	}
	cal, err := s.calendars.get(row)
	return cal, row, err
}
