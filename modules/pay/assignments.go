package pay

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

const dateLayout = "2006-01-02"

// Assign applies a scheme version to a person from a date, and names her.
// Assignments are never edited: the latest assignment on or before a day
// applies to it.
func (s *Service) Assign(ctx context.Context, orgID, userID, versionID, from string) (*Assignment, string, error) {
	day, err := time.Parse(dateLayout, from)
	if err != nil || day.Year() < 2000 || day.Year() > 2100 {
		return nil, "", errs.Invalid("body.effective_from", "must be a date YYYY-MM-DD from 2000 to 2100")
	}
	names, err := s.people.Names(ctx, orgID, []string{userID})
	if err != nil {
		return nil, "", err
	}
	if _, ok := names[userID]; !ok {
		return nil, "", errs.Invalid("body.user_id", "is not a member of the school")
	}
	a := &Assignment{ID: ids.New(), OrgID: orgID, UserID: userID, SchemeVersionID: versionID, EffectiveFrom: from, CreatedBy: actor(ctx),
		CreatedAt: s.Now()}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.store.Version(ctx, tx, orgID, versionID, false); errors.Is(err, errs.ErrNotFound) {
			return errs.Invalid("body.scheme_version_id", "is not a scheme version of the school")
		} else if err != nil {
			return err
		}
		if month, err := s.store.LockedSince(ctx, tx, orgID, from[:7]); err != nil {
			return err
		} else if month != "" {
			return errs.Conflict("pay of %s is locked: an assignment may start only after the last locked month", month)
		}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, entityAssignment, a.ID, auditlog.Diff(nil, a))
	})
	if err != nil {
		return nil, "", err
	}
	return a, names[userID], nil
}

// NamedAssignment is an assignment with the person's name.
type NamedAssignment struct {
	Assignment
	Name string
}

// Assignments lists the school's assignments, of one person when userID
// is given, each with the person's name.
func (s *Service) Assignments(ctx context.Context, orgID, userID string) ([]NamedAssignment, error) {
	rows, err := s.store.Assignments(ctx, s.DB, orgID, userID)
	if err != nil {
		return nil, err
	}
	users := make([]string, len(rows))
	for i, a := range rows {
		users[i] = a.UserID
	}
	names, err := s.people.Names(ctx, orgID, users)
	if err != nil {
		return nil, err
	}
	out := make([]NamedAssignment, len(rows))
	for i, a := range rows {
		out[i] = NamedAssignment{Assignment: a, Name: names[a.UserID]}
	}
	return out, nil
}

// Stretch is a run of days of a month under one scheme version.
type Stretch struct {
	VersionID string
	From, To  string // first and last day, inclusive
	Days      int
}

// Stretches splits the month [first, first+days) of one person by their
// assignments (sorted by date): each day follows the latest assignment on
// or before it; days before the first assignment are not paid.
func Stretches(as []Assignment, first time.Time, days int) []Stretch {
	var out []Stretch
	for d := 0; d < days; d++ {
		day := first.AddDate(0, 0, d).Format(dateLayout)
		version := ""
		for _, a := range as {
			if a.EffectiveFrom <= day {
				version = a.SchemeVersionID
			}
		}
		if version == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].VersionID == version && out[n-1].To == first.AddDate(0, 0, d-1).Format(dateLayout) {
			out[n-1].To, out[n-1].Days = day, out[n-1].Days+1
			continue
		}
		out = append(out, Stretch{VersionID: version, From: day, To: day, Days: 1})
	}
	return out
}
