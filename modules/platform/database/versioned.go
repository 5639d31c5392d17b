package database

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Versioned is a row that people contend for: every update bumps its version,
// and an update names the version it started from (If-Match).
type Versioned interface {
	RowVersion() int64
	// Bump gives the row its next version, changed at at.
	Bump(at time.Time)
}

// VersionedPtr is a pointer to a row type T that is Versioned.
type VersionedPtr[T any] interface {
	*T
	Versioned
}

// Optimistic describes one optimistic update of one row, inside the caller's
// transaction.
type Optimistic[T any, P VersionedPtr[T]] struct {
	What   string                                        // "the calendar": named in the 412 answer
	Load   func() (P, error)                             // reads (and on PostgreSQL locks) the row
	Change func(after P) error                           // edits the copy; an error aborts the update
	Write  func(after P, wasVersion int64) (bool, error) // writes while the stored version is still wasVersion
}

// ErrUnchanged is what a Change answers when the edit leaves the row as it
// was: then nothing is written and no version is used up, so that a client
// (the LMS above all) may send the same record again and again.
var ErrUnchanged = errors.New("nothing to change")

// Run loads the row, refuses it as stale (412) unless it is at version,
// lets Change edit a copy, bumps the copy's version and time and writes it.
// A write that finds the version moved under it is stale too. It returns the
// row as it was and as it is now; after is nil when Change answered
// ErrUnchanged.
func (o Optimistic[T, P]) Run(version int64, now time.Time) (before, after P, err error) {
	before, err = o.Load()
	if err != nil {
		return nil, nil, err
	}
	if before.RowVersion() != version {
		return nil, nil, errs.Stale(o.What, before.RowVersion())
	}
	after = P(new(T))
	*after = *before
	if o.Change != nil {
		if err := o.Change(after); errors.Is(err, ErrUnchanged) {
			return before, nil, nil
		} else if err != nil {
			return nil, nil, err
		}
	}
	after.Bump(now)
	ok, err := o.Write(after, version)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errs.Stale(o.What, version+1)
	}
	return before, after, nil
}

// UpdateVersion writes columns of row (found by its primary key) only while
// the stored version is still wasVersion, and reports whether it did.
func UpdateVersion(ctx context.Context, db bun.IDB, row any, wasVersion int64, columns ...string) (bool, error) {
	return AffectedOne(db.NewUpdate().Model(row).Column(columns...).WherePK().Where("version = ?", wasVersion).Exec(ctx))
}

// SetIf sets *dst to *v when v is given: the "change only what was sent"
// rule of PATCH bodies.
func SetIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// ForUpdateSkipLocked locks the selected rows that no other transaction holds
// and skips the rest, on PostgreSQL: the queue claim. SQLite's transactions
// hold the single write lock already, so nothing is skipped there.
func ForUpdateSkipLocked(q *bun.SelectQuery) *bun.SelectQuery {
	if IsPostgres(q.DB()) {
		return q.For("UPDATE SKIP LOCKED")
	}
	return q
}

// Loaded is the Load of an optimistic update for a row the caller has read
// (and locked) already in the same transaction.
func Loaded[T any](row *T) func() (*T, error) {
	return func() (*T, error) { return row, nil }
}
