package database_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// heard records what a listener reports, in order.
type heard chan string

func (h heard) Listening()        { h <- "listening" }
func (h heard) Notified(p string) { h <- "notified " + p }
func (h heard) Lost(error)        { h <- "lost" }

func (h heard) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-h:
		if got != want {
			t.Fatalf("heard %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("heard nothing within 5 s, want %q", want)
	}
}

// TestListenHearsCommitsAndComesBack: notifications arrive when the
// sending transaction commits and never when it rolls back; a listener
// whose connection is killed reports the loss, listens again and hears
// what is sent afterwards.
func TestListenHearsCommitsAndComesBack(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		channel := "test_" + ids.New()
		if !database.IsPostgres(db) {
			if _, err := database.Listen(ctx, db, channel, make(heard, 1)); err == nil {
				t.Fatal("Listen on SQLite did not fail")
			}
			if err := database.Notify(ctx, db, channel, "ignored"); err != nil {
				t.Fatalf("Notify on SQLite: %v", err)
			}
			return
		}
		h := make(heard, 10)
		stop, err := database.Listen(ctx, db, channel, h)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		h.expect(t, "listening")

		send := func(payload string, commit bool) {
			err := database.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
				if err := database.Notify(ctx, tx, channel, payload); err != nil {
					return err
				}
				if !commit {
					return fmt.Errorf("roll back")
				}
				return nil
			})
			if commit && err != nil {
				t.Fatal(err)
			}
		}
		send("rolled back", false)
		send("one", true)
		h.expect(t, "notified one")

		if _, err := db.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?",
			database.ListenerName(channel)); err != nil {
			t.Fatal(err)
		}
		h.expect(t, "lost")
		h.expect(t, "listening")
		send("two", true)
		h.expect(t, "notified two")
	})
}
