package scorecard

import (
	"context"
	"sync"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// maxReads bounds the reads one scorecard runs at once on PostgreSQL. The
// reads of the two periods and of the reference are independent, and
// running them side by side overlaps the server's work with the decoding
// of rows here; a handful is enough for that, and more would only take the
// connection pool from the other requests. SQLite runs in this process:
// there every read is this process's CPU, and reads side by side measured
// slower than one after the other (docs/benchmarks.md), so they take
// turns.
const maxReads = 4

// parallelReads is how many reads a scorecard runs at once on db.
func parallelReads(db *bun.DB) int {
	if db != nil && database.IsPostgres(db) {
		return maxReads
	}
	return 1
}

// readGroup runs reads at once, at most n at a time, and keeps the first
// error; the first error cancels the reads still running.
type readGroup struct {
	ctx    context.Context
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
}

func newReadGroup(ctx context.Context, n int) *readGroup {
	ctx, cancel := context.WithCancel(ctx)
	return &readGroup{ctx: ctx, cancel: cancel, slots: make(chan struct{}, n)}
}

// Go runs read in a goroutine of its own once a slot is free.
func (g *readGroup) Go(read func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		select {
		case g.slots <- struct{}{}:
		case <-g.ctx.Done():
			g.fail(g.ctx.Err())
			return
		}
		defer func() { <-g.slots }()
		if err := read(g.ctx); err != nil {
			g.fail(err)
		}
	}()
}

func (g *readGroup) fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = err
		g.cancel()
	}
}

// Wait waits for every read and returns the first error.
func (g *readGroup) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
