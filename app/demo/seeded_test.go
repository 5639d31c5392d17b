package demo_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// demoAt is the present the demo school is seeded around; the clock of
// every test that reads the demo stands still at it.
var demoAt = time.Now().UTC().Truncate(time.Second)

func TestMain(m *testing.M) {
	code := m.Run()
	testkit.DropSnapshots()
	os.Exit(code)
}

// eachSeededDemo runs fn once per database on a fresh copy of the demo
// school. Seeding is the slowest thing the suite does, so it happens once
// per database and run, and each test reads or changes a copy of its own.
func eachSeededDemo(t *testing.T, fn func(t *testing.T, s *apptest.Server)) {
	t.Helper()
	for _, d := range testkit.Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, seededDemo(t, d)) })
	}
}

// seededDemo is a server on a fresh copy of the demo school.
func seededDemo(t *testing.T, dialect string) *apptest.Server {
	t.Helper()
	return apptest.Seeded(t, dialect, "demo", demoAt, func(ctx context.Context, svc *server.Services) error {
		start := time.Now()
		if err := demo.Seed(ctx, svc, quiet); err != nil {
			return err
		}
		t.Logf("the %s demo school was seeded in %.1f s", dialect, time.Since(start).Seconds())
		return nil
	})
}
