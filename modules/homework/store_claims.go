package homework

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Candidate predicates: the literals match the partial indexes.
const (
	freeWhere    = "status = 'queued'"
	expiredWhere = "status = 'in_review' AND lease_expires_at < ?"
)

// ClaimNext gives who the most urgent item available to them in one
// statement (ClaimFirst): an item whose lease expired in any of the places
// below, then a free item of their own queue, of the pools of cohorts
// (those where they curate students) and, when they see everything, any
// overdue item. It returns nil when there is none.
func (st Store) ClaimNext(ctx context.Context, db bun.IDB, orgID string, who Reviewer, cohorts []string, now, until time.Time) (*Submission, error) {
	steps := claimSteps(who, cohorts, now)
	where, args := anyStep(steps)
	candidates := []*bun.SelectQuery{st.ExpiredCandidate(db, orgID, now, where, args...)}
	for _, step := range steps {
		candidates = append(candidates, st.FreeCandidate(db, orgID, step.where, step.args...))
	}
	return st.ClaimFirst(ctx, db, orgID, who.UserID, now, until, candidates...)
}

// claimStep is one place claim-next looks for work.
type claimStep struct {
	where string
	args  []any
}

// claimSteps are the places claim-next looks, in order: the caller's own
// queue, the pools of their cohorts, and for those who see everything any
// overdue item.
func claimSteps(who Reviewer, cohorts []string, now time.Time) []claimStep {
	steps := []claimStep{{"queue_curator_id = ?", []any{who.UserID}}}
	if len(cohorts) > 0 {
		steps = append(steps, claimStep{"queue_curator_id IS NULL AND cohort_id IN (?)", []any{bun.In(cohorts)}})
	}
	if who.SeesAll {
		steps = append(steps, claimStep{"due_at < ?", []any{now}})
	}
	return steps
}

// anyStep is the condition of being in any of the steps' places: an
// expired lease anywhere the caller may claim comes first.
func anyStep(steps []claimStep) (string, []any) {
	parts := make([]string, len(steps))
	var args []any
	for i, step := range steps {
		parts[i] = "(" + step.where + ")"
		args = append(args, step.args...)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// FreeCandidate selects the most urgent free item matching where:
// overdue items have the earliest due times, so one order serves both
// rules. On PostgreSQL it locks the row and skips rows other claimers hold.
func (Store) FreeCandidate(db bun.IDB, orgID string, where string, args ...any) *bun.SelectQuery {
	return lockCandidate(db.NewSelect().Model((*Submission)(nil)).Column("id").
		Where("org_id = ?", orgID).Where(freeWhere).Where(where, args...).OrderExpr("due_at ASC, id ASC"))
}

// ExpiredCandidate selects the item matching where whose lease ran out
// first: such an item is back in the queue, ahead of untouched ones.
func (Store) ExpiredCandidate(db bun.IDB, orgID string, now time.Time, where string, args ...any) *bun.SelectQuery {
	return lockCandidate(db.NewSelect().Model((*Submission)(nil)).Column("id").
		Where("org_id = ?", orgID).Where(expiredWhere, now).Where(where, args...).OrderExpr("lease_expires_at ASC, id ASC"))
}

func lockCandidate(q *bun.SelectQuery) *bun.SelectQuery {
	return database.ForUpdateSkipLocked(q.Limit(1))
}

// ClaimFirst gives who the first item the candidate queries find, tried
// in order, in one statement: UPDATE … WHERE id = COALESCE((SELECT … FOR
// UPDATE SKIP LOCKED), …) AND <the item is free> RETURNING *. COALESCE
// stops at the first query that finds an item, on both databases. On
// PostgreSQL the chosen row is locked by the subquery until the statement
// commits, so no other claimer can take it; on SQLite the statement runs
// under the write lock. The free condition is checked again by the update
// itself. It returns nil when no candidate finds an item.
func (Store) ClaimFirst(ctx context.Context, db bun.IDB, orgID, who string, now, until time.Time, candidates ...*bun.SelectQuery) (*Submission, error) {
	args := make([]any, len(candidates))
	marks := make([]string, len(candidates))
	for i, c := range candidates {
		args[i], marks[i] = c, "(?)"
	}
	target := "id = " + marks[0]
	if len(candidates) > 1 {
		target = "id = COALESCE(" + strings.Join(marks, ", ") + ")"
	}
	return takeLease(ctx, db.NewUpdate().Where(target, args...), orgID, who, now, until)
}

// TakeLease gives the item to who unless someone holds a live lease on
// it; the condition is re-checked here so that the claim stays exclusive
// even if the candidate query were wrong. A draft survives only when the
// same reviewer takes the item back. It returns nil when the item was not
// free.
func (Store) TakeLease(ctx context.Context, db bun.IDB, orgID, id, who string, now, until time.Time) (*Submission, error) {
	return takeLease(ctx, db.NewUpdate().Where("id = ?", id), orgID, who, now, until)
}

func takeLease(ctx context.Context, q *bun.UpdateQuery, orgID, who string, now, until time.Time) (*Submission, error) {
	sub := new(Submission)
	res, err := q.Model(sub).
		Set("draft = CASE WHEN claimed_by = ? THEN draft ELSE NULL END", who).
		Set("status = ?", StatusInReview).Set("claimed_by = ?", who).Set("claimed_at = ?", now).
		Set("lease_expires_at = ?", until).Set("updated_at = ?", now).Set("version = version + 1").
		Where("org_id = ?", orgID).
		Where("("+freeWhere+" OR ("+expiredWhere+"))", now).
		Returning("*").Exec(ctx, sub)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, err
	}
	return sub, nil
}
