package connection

import "sync"

// loopDispatcher runs one actor's mailbox on one long-lived goroutine (an
// actor.Dispatcher). protoactor's default dispatcher starts a new goroutine each
// time an idle mailbox gets a message; for a session that is every statement, and
// each new goroutine grows its stack again to the depth of statement execution
// (copystack was 7% of the server's CPU under pgbench -S). The session's
// goroutine keeps its stack between statements instead.
//
// The mailbox calls Schedule only when it goes from idle to running, so at most
// one run is queued at a time and the channel's one slot never blocks.
type loopDispatcher struct {
	throughput int
	runs       chan func()

	mu     sync.Mutex
	closed bool
}

// newLoopDispatcher starts the goroutine. Close ends it.
func newLoopDispatcher(throughput int) *loopDispatcher {
	d := &loopDispatcher{throughput: throughput, runs: make(chan func(), 1)}
	go func() {
		for run := range d.runs {
			run()
		}
	}()
	return d
}

// Schedule implements actor.Dispatcher.
func (d *loopDispatcher) Schedule(run func()) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		go run() // the actor is gone; whatever still arrives is dead letters
		return
	}
	d.runs <- run
	d.mu.Unlock()
}

// Throughput implements actor.Dispatcher: messages per run before the goroutine
// yields to others.
func (d *loopDispatcher) Throughput() int { return d.throughput }

// Close ends the goroutine once the queued run (if any) has run.
func (d *loopDispatcher) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		d.closed = true
		close(d.runs)
	}
}
