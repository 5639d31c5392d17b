package database

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/curatorops/curatorops/migrations"
)

// migrationLockKey is the PostgreSQL advisory lock that serialises replicas
// starting at the same time; its value is arbitrary but fixed.
const migrationLockKey = 7314200417

// Migrator applies the embedded migrations of db's dialect.
type Migrator struct {
	db *bun.DB
	m  *migrate.Migrator
}

// NewMigrator discovers the migrations of db's dialect. The two dialect
// folders are discovered separately: discovered together, files with the same
// id would merge silently.
func NewMigrator(db *bun.DB) (*Migrator, error) {
	folder := "sqlite"
	if IsPostgres(db) {
		folder = "postgres"
	}
	sub, err := fs.Sub(migrations.FS, folder)
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, fmt.Errorf("discover %s migrations: %w", folder, err)
	}
	return &Migrator{db: db, m: migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))}, nil
}

// Up applies every migration not applied yet and returns their names.
func (m *Migrator) Up(ctx context.Context) ([]string, error) {
	return m.run(ctx, "up", m.m.Migrate)
}

// Down rolls back the last group of migrations and returns their names.
func (m *Migrator) Down(ctx context.Context) ([]string, error) {
	return m.run(ctx, "down", m.m.Rollback)
}

func (m *Migrator) run(ctx context.Context, what string, step func(context.Context, ...migrate.MigrationOption) (*migrate.MigrationGroup, error)) ([]string, error) {
	var names []string
	err := m.locked(ctx, func() error {
		group, err := step(ctx)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", what, err)
		}
		for _, mig := range group.Migrations {
			names = append(names, mig.String())
		}
		return nil
	})
	return names, err
}

// Status lists every known migration with whether it is applied.
func (m *Migrator) Status(ctx context.Context) (migrate.MigrationSlice, error) {
	if err := m.m.Init(ctx); err != nil {
		return nil, err
	}
	return m.m.MigrationsWithStatus(ctx)
}

// Pending returns the number of migrations not applied yet.
func (m *Migrator) Pending(ctx context.Context) (int, error) {
	ms, err := m.m.MigrationsWithStatus(ctx)
	if err != nil {
		return 0, err
	}
	return len(ms.Unapplied()), nil
}

// locked runs fn while holding the migration lock, so that two replicas
// starting together do not apply the same migration twice. PostgreSQL uses a
// session advisory lock (the second replica waits); SQLite's single writer
// already serialises the DDL transactions.
func (m *Migrator) locked(ctx context.Context, fn func() error) error {
	if !IsPostgres(m.db) {
		if err := m.m.Init(ctx); err != nil {
			return fmt.Errorf("init migrations table: %w", err)
		}
		return fn()
	}
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey)
	}()
	if err := m.m.Init(ctx); err != nil {
		return fmt.Errorf("init migrations table: %w", err)
	}
	return fn()
}
