package demo

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/audit"
	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// seedCacheKiB is the SQLite page cache a seeding transaction gets.
const seedCacheKiB = 64 * 1024

// seedTx runs fn in one transaction of db, for event handlers that change
// thousands of rows one statement at a time, all over a table's indexes.
// On SQLite, with the default 2 MB page cache, such a transaction spills
// pages to the log midway and takes half as long again, so it gets a cache
// that holds the whole demo; the connection gets its own size back before
// it returns to the pool. Multi-row inserts, which append, gain less than
// handing the cache back costs, and use a plain transaction.
func seedTx(ctx context.Context, db *bun.DB, fn func(ctx context.Context, tx bun.Tx) error) error {
	return database.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if database.IsPostgres(db) {
			return fn(ctx, tx)
		}
		var was int
		if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", seedCacheKiB)); err != nil {
			return err
		}
		err := fn(ctx, tx)
		if _, resetErr := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", was)); err == nil {
			err = resetErr
		}
		return err
	})
}

// auditRows are the audit log's rows for entries, stamped as
// audit.Service.Record stamps each one: with the actor, request and address
// of ctx, at the audit log's time. Written in batches, they spare a seed
// thousands of single inserts.
func auditRows(ctx context.Context, r *run, entries []auditlog.Entry) []*audit.Entry {
	m := reqctx.From(ctx)
	at := r.svc.Audit.Now()
	rows := make([]*audit.Entry, len(entries))
	for i, e := range entries {
		row := &audit.Entry{ID: ids.New(), OrgID: e.OrgID, OccurredAt: at, ActorType: string(reqctx.ActorSystem), Action: e.Action,
			EntityType: e.EntityType, EntityID: e.EntityID, Changes: e.Changes, RequestID: m.RequestID, IP: m.IP, UserAgent: m.UserAgent}
		if row.Action == "" {
			row.Action = m.OperationID
		}
		if row.Changes == nil {
			row.Changes = map[string]auditlog.Change{}
		}
		if p := m.Principal; p != nil {
			row.ActorType, row.ActorID, row.ActorName = string(p.Kind), p.ActorID(), p.Name
		}
		rows[i] = row
	}
	return rows
}

// insertBatch is how many rows one INSERT carries.
const insertBatch = 250

// insertInBatches inserts rows a batch at a time.
func insertInBatches[T any](ctx context.Context, tx bun.IDB, rows []*T) error {
	for start := 0; start < len(rows); start += insertBatch {
		batch := rows[start:min(start+insertBatch, len(rows))]
		if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
