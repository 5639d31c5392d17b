// Package background runs a module's periodic pass inside serve: every
// replica runs it, so a pass must claim its work (each notice sent once)
// rather than assume it is alone.
package background

import (
	"context"
	"log/slog"
	"time"
)

// Every runs pass now and then every interval until ctx ends. It returns a
// stop function that cancels the loop and waits for a pass in progress to
// finish, so the database is not closed under it.
func Every(ctx context.Context, interval time.Duration, logger *slog.Logger, name string, pass func(ctx context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := pass(ctx); err != nil && ctx.Err() == nil {
				logger.Error("background pass failed", "pass", name, "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
