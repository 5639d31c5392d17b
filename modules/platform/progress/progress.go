// Package progress lets a long operation say how far it has got, to
// whoever started it, without knowing who that is: the operation calls
// Report with its context, and only a context that carries a Tracker
// (the console's background jobs) records anything. Without one, Report
// costs a context lookup and does nothing, so services report
// unconditionally and the API's requests are unchanged.
package progress

import (
	"context"
	"sync"
)

type key struct{}

// Tracker holds the progress of one operation: done of total units (the
// unit is the operation's: a person calculated, a batch of statements
// written). It is safe for the operation and readers at once.
type Tracker struct {
	mu          sync.Mutex
	done, total int
}

// With returns ctx carrying t; Report under it updates t.
func With(ctx context.Context, t *Tracker) context.Context {
	return context.WithValue(ctx, key{}, t)
}

// Report records that done of total units are finished, when ctx carries
// a tracker; otherwise it does nothing.
func Report(ctx context.Context, done, total int) {
	if t, ok := ctx.Value(key{}).(*Tracker); ok && t != nil {
		t.Report(done, total)
	}
}

// Report records done of total. The bar never moves back: an operation
// that makes a second pass over the same items (a calculation also
// recalculating earlier months for their corrections) reports a smaller
// share, which is ignored, so the reader sees the furthest point reached.
// Nonsense (negative counts, done beyond total) is clamped or ignored.
func (t *Tracker) Report(done, total int) {
	if total <= 0 || done < 0 {
		return
	}
	done = min(done, total)
	t.mu.Lock()
	defer t.mu.Unlock()
	// done/total < t.done/t.total, in integers.
	if t.total > 0 && int64(done)*int64(t.total) < int64(t.done)*int64(total) {
		return
	}
	t.done, t.total = done, total
}

// State is the latest report: done of total, and total 0 before the
// first.
func (t *Tracker) State() (done, total int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.done, t.total
}

// Percent is the share done, rounded down, from 0 to 100; 0 before the
// first report.
func (t *Tracker) Percent() int {
	done, total := t.State()
	if total == 0 {
		return 0
	}
	return int(int64(done) * 100 / int64(total))
}
