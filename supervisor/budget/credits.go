// Package budget holds Augur's backpressure primitives. It is a leaf package: actors
// import it to bound what one stage may hand to the next.
//
// protoactor-go's mailboxes are unbounded, and its bounded mailbox blocks a sender by
// spinning with no way to give up, so flow control between stages is a protocol of
// ours: a producer takes credits before it hands work to a consumer, and the consumer
// returns them when the work is done (a connection's writer after the bytes reached
// the socket; a session after it processed a frontend message). A producer without
// credits waits — and with it everything upstream — instead of growing memory.
package budget

import (
	"context"
	"fmt"
	"sync"
)

// Credits is a counting semaphore of a fixed capacity whose waits honour a context.
// Acquire may ask for more than the capacity: it then waits until all credits are
// free and takes them all, so one oversized item still makes progress alone.
type Credits struct {
	mu       sync.Mutex
	capacity int64
	free     int64
	changed  chan struct{} // closed and replaced when credits are released to waiters
	waiters  int           // Acquire calls waiting on changed
	closed   bool
}

// NewCredits returns a pool with capacity credits, all free.
func NewCredits(capacity int64) *Credits {
	if capacity <= 0 {
		panic(fmt.Sprintf("budget: capacity %d must be positive", capacity))
	}
	return &Credits{capacity: capacity, free: capacity, changed: make(chan struct{})}
}

// ErrClosed is returned by Acquire after Close.
var ErrClosed = fmt.Errorf("budget: credits closed")

// Acquire takes n credits (capped at the capacity), waiting until they are free, ctx
// is done, or the pool is closed. It returns the number taken, which the caller
// passes to Release.
func (c *Credits) Acquire(ctx context.Context, n int64) (int64, error) {
	if n > c.capacity {
		n = c.capacity
	}
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return 0, ErrClosed
		}
		if c.free >= n {
			c.free -= n
			c.mu.Unlock()
			return n, nil
		}
		wait := c.changed
		c.waiters++
		c.mu.Unlock()
		var err error
		select {
		case <-wait:
		case <-ctx.Done():
			err = ctx.Err()
		}
		c.mu.Lock()
		c.waiters--
		c.mu.Unlock()
		if err != nil {
			return 0, err
		}
	}
}

// TryAcquire takes n credits if they are free now.
func (c *Credits) TryAcquire(n int64) (int64, bool) {
	if n > c.capacity {
		n = c.capacity
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.free < n {
		return 0, false
	}
	c.free -= n
	return n, true
}

// Release returns n credits taken by Acquire.
func (c *Credits) Release(n int64) {
	c.mu.Lock()
	c.free += n
	if c.free > c.capacity {
		c.mu.Unlock()
		panic("budget: released more credits than acquired")
	}
	if c.waiters > 0 { // a channel per release would cost an allocation per message
		close(c.changed)
		c.changed = make(chan struct{})
	}
	c.mu.Unlock()
}

// InUse returns the credits currently taken.
func (c *Credits) InUse() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.capacity - c.free
}

// Close wakes every waiter with ErrClosed; later Acquires fail.
func (c *Credits) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		close(c.changed)
		c.changed = make(chan struct{})
	}
}
