// Package clock gives services the current time through an interface, so that
// tests can decide what "now" is.
package clock

import (
	"sync"
	"time"
)

// Clock tells the current time. Every service takes one instead of calling
// time.Now, so that deadlines, expiries and throttling can be tested.
type Clock interface {
	Now() time.Time
}

// System is the real clock; it always answers in UTC with microsecond
// precision, which both databases store without loss.
type System struct{}

// Now returns the current UTC time truncated to microseconds.
func (System) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Fixed is a clock that tests set and advance by hand. It is safe for
// concurrent use.
type Fixed struct {
	mu  sync.Mutex
	now time.Time
}

// NewFixed returns a clock that stands at t until it is moved.
func NewFixed(t time.Time) *Fixed { return &Fixed{now: t.UTC().Truncate(time.Microsecond)} }

// Now returns the clock's current time.
func (f *Fixed) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Set moves the clock to t.
func (f *Fixed) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t.UTC().Truncate(time.Microsecond)
}

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}
