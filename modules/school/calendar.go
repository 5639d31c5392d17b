package school

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

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

// CalendarInput is what creating or replacing a calendar takes.
type CalendarInput struct {
	Name      string      `json:"name" validate:"required,singleline,max=100"`
	IsDefault bool        `json:"is_default"`
	Spec      bizcal.Spec `json:"spec"` // checked by bizcal, which compiles it
}

// checkCalendar applies the calendar rules: the name's tags, then whether
// bizcal can compile the specification.
func (s *Service) checkCalendar(in CalendarInput) error {
	if err := fromBody.check(s.Now(), in); err != nil {
		return err
	}
	return checkSpec(in.Spec)
}

// checkSpec refuses a specification bizcal cannot compile, naming the
// wrong field under body.spec.
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
	if err := s.checkCalendar(in); err != nil {
		return nil, err
	}
	now := s.Now()
	c := &Calendar{ID: ids.New(), OrgID: orgID, Name: in.Name, IsDefault: in.IsDefault, Spec: in.Spec, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
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
		if err := s.store.InsertCalendar(ctx, tx, c); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "calendar", c.ID, auditlog.Diff(nil, c))
	})
	return c, err
}

// ReplaceCalendar sets a calendar's name, default flag and specification if
// it is still at version. The default calendar stays default: make another
// one default instead.
func (s *Service) ReplaceCalendar(ctx context.Context, orgID, id string, version int64, in CalendarInput) (*Calendar, error) {
	if err := s.checkCalendar(in); err != nil {
		return nil, err
	}
	var out *Calendar
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Calendar, *Calendar]{
			What: "the calendar",
			Load: func() (*Calendar, error) { return s.store.Calendar(ctx, tx, orgID, id) },
			Change: func(c *Calendar) error {
				if c.IsDefault && !in.IsDefault {
					return errs.Conflict("a school always has a default calendar; make another calendar the default instead")
				}
				c.Name, c.IsDefault, c.Spec = in.Name, in.IsDefault, in.Spec
				return nil
			},
			Write: func(c *Calendar, wasVersion int64) (bool, error) {
				if c.IsDefault {
					if err := s.store.ClearDefault(ctx, tx, orgID, id); err != nil {
						return false, err
					}
				}
				return s.store.UpdateCalendar(ctx, tx, c, wasVersion)
			},
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "calendar", id, auditlog.Diff(before, after))
	})
	return out, err
}

// Calendar returns one calendar of the school.
func (s *Service) Calendar(ctx context.Context, orgID, id string) (*Calendar, error) {
	return s.store.Calendar(ctx, s.DB, orgID, id)
}

// Calendars lists the school's calendars by name.
func (s *Service) Calendars(ctx context.Context, orgID string) ([]Calendar, error) {
	return s.store.ListCalendars(ctx, s.DB, orgID)
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
		row, err = s.store.DefaultCalendar(ctx, s.DB, orgID)
		if errors.Is(err, errs.ErrNotFound) {
			row = &Calendar{ID: "always-open:" + tz, Name: "around the clock", Spec: bizcal.Spec{TimeZone: tz, AlwaysOpen: true}, Version: 1}
			err = nil
		}
	} else {
		row, err = s.store.Calendar(ctx, s.DB, orgID, id)
	}
	if err != nil {
		return nil, nil, err
	}
	cal, err := s.calendars.get(row)
	return cal, row, err
}

// Stretch is business time measured on a calendar: how much, and the
// working stretches that make it up.
type Stretch struct {
	From, To time.Time
	Business time.Duration
	Segments []bizcal.Segment
}

// Deadline is when duration of business time, started at start, falls due
// on the calendar id. A start or a due time outside the range plans may be
// made for is an input error, never an answer that cannot be stored or
// encoded.
func (s *Service) Deadline(ctx context.Context, orgID, id string, start time.Time, duration time.Duration) (*Stretch, error) {
	if err := clock.CheckPlan("query.start", start); err != nil {
		return nil, err
	}
	cal, _, err := s.CompiledCalendar(ctx, orgID, id, "")
	if err != nil {
		return nil, err
	}
	due := cal.AddBusiness(start, duration)
	if !clock.IsPlan(due) {
		return nil, errs.Invalid("query.duration_seconds", "would fall due after 2100-01-01: the calendar is open too rarely for it")
	}
	return &Stretch{From: start, To: due, Business: duration, Segments: cal.Segments(start, due)}, nil
}

// BusinessTime measures the business time in [from, to) on the calendar id;
// the range is at most a year.
func (s *Service) BusinessTime(ctx context.Context, orgID, id string, from, to time.Time) (*Stretch, error) {
	for _, f := range []struct {
		location string
		at       time.Time
	}{{"query.from", from}, {"query.to", to}} {
		if err := clock.CheckPlan(f.location, f.at); err != nil {
			return nil, err
		}
	}
	if !to.After(from) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return nil, errs.Invalid("query.to", "the range is at most a year")
	}
	cal, _, err := s.CompiledCalendar(ctx, orgID, id, "")
	if err != nil {
		return nil, err
	}
	return &Stretch{From: from, To: to, Business: cal.BusinessBetween(from, to), Segments: cal.Segments(from, to)}, nil
}
