// Package testclock is the settable clock of the tests: a store, tracker
// or screen under test reads the time from it (store.Options.Now and the
// like) instead of the wall clock, and the test moves it. It imports
// nothing but the standard library, so any package's tests may use it.
package testclock

import (
	"sync"
	"time"
)

// Clock is a clock safe for concurrent use that only moves when told.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock that reads t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
