package testkit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

// seededAt is when seeded rows say they were created; no test reads it.
var seededAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// SeedOrg adds a school row (UTC, RUB) for module tests that do not go
// through the identity module.
func SeedOrg(tb testing.TB, db bun.IDB, id, slug string) {
	tb.Helper()
	if _, err := db.NewRaw("INSERT INTO orgs (id, slug, name, time_zone, currency, created_at, updated_at) VALUES (?, ?, ?, 'UTC', 'RUB', ?, ?)",
		id, slug, strings.ToUpper(slug[:1])+slug[1:], seededAt, seededAt).Exec(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// SeedUser adds an active user row with no password, for module tests that
// need people to refer to.
func SeedUser(tb testing.TB, db bun.IDB, id, email, name string) {
	tb.Helper()
	if _, err := db.NewRaw("INSERT INTO users (id, email, email_key, name, password_hash, status, created_at, updated_at) VALUES (?, ?, ?, ?, '', 'active', ?, ?)",
		id, email, strings.ToLower(email), name, seededAt, seededAt).Exec(context.Background()); err != nil {
		tb.Fatal(err)
	}
}
