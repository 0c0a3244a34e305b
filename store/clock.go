package store

import (
	"sync"
	"time"
)

// ManualClock is a clock that follows the real time until it is set, then
// stands at the time it was set to until it is set again or released. The
// demo uses one to backdate what it makes, and tests use one to make time
// pass without waiting. It is safe for concurrent use, so a background job
// may read it while a test moves it.
type ManualClock struct {
	mu    sync.Mutex
	fixed bool
	at    time.Time
}

// Now is the time the clock shows, in UTC.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed {
		return c.at
	}
	return time.Now().UTC()
}

// Set stops the clock at t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed, c.at = true, t.UTC()
}

// Add moves the clock forward by d from the time it shows now.
func (c *ManualClock) Add(d time.Duration) {
	c.Set(c.Now().Add(d))
}

// Release lets the clock follow the real time again.
func (c *ManualClock) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed = false
}

// Option changes how Open opens the database.
type Option func(*DB)

// WithClock makes now the clock for every timestamp the store writes and
// every expiry it checks. Without it the store uses the real time.
func WithClock(now func() time.Time) Option {
	return func(db *DB) { db.clock = now }
}
