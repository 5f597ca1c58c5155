package lockmgr

import (
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

// checkRequest asks the detector whether w is on a cycle of the wait-for graph;
// the answer (nil, or the 40P01 error that made w the victim) goes to reply,
// which has room for it so the detector never blocks.
type checkRequest struct {
	w     *waiter
	reply chan error
}

// Props returns the props of the deadlock detector: an actor that runs the
// deadlock checks waiters ask for, one at a time. Spawn it once (the server
// names it "lockmgr", under the root) and Attach its PID. It keeps no state, so
// a restart loses at most the check in progress, which the waiter then runs
// itself after another DeadlockTimeout.
func (m *Manager) Props() *actor.Props {
	return actor.PropsFromFunc(func(c actor.Context) {
		if req, ok := c.Message().(*checkRequest); ok {
			m.actorChecks.Add(1)
			req.reply <- m.check(req.w)
		}
	})
}

// Attach makes waiters send their deadlock checks to the detector pid in
// system (spawned from Props). A nil pid detaches: checks run on the waiters'
// goroutines, serialized by a mutex, with the same results.
func (m *Manager) Attach(system *actor.ActorSystem, pid *actor.PID) {
	if system == nil || pid == nil {
		m.detector.Store(nil)
		return
	}
	m.detector.Store(&detectorRef{system: system, pid: pid})
}

// edge is an edge of the wait-for graph: w's owner waits for by.
type edge struct {
	w  *waiter
	by *Owner
}

// check looks for a cycle of the wait-for graph through w's owner. When there is
// one, w leaves its lock with the 40P01 error, which check returns; otherwise
// it returns nil (and w keeps waiting). It returns w's own error if w is no
// longer waiting.
func (m *Manager) check(w *waiter) error {
	m.checks.Add(1)
	for i := range m.shards {
		m.shards[i].mu.Lock()
	}
	defer func() {
		for i := len(m.shards) - 1; i >= 0; i-- {
			m.shards[i].mu.Unlock()
		}
	}()
	if w.done {
		return w.err
	}
	m.waitMu.Lock()
	waitOf := make(map[*Owner]*waiter, len(m.waiting))
	for x := range m.waiting {
		waitOf[x.owner] = x
	}
	m.waitMu.Unlock()

	cycle := findCycle(w, waitOf)
	if cycle == nil {
		return nil
	}
	lines := make([]string, len(cycle))
	for i, e := range cycle {
		lines[i] = fmt.Sprintf("Process %d waits for %s on %s; blocked by process %d.",
			e.w.owner.PID, e.w.mode, e.w.lk.tag.describe(), e.by.PID)
	}
	w.err = pgerr.New(pgerrcode.DeadlockDetected, "deadlock detected").
		WithDetail("%s", strings.Join(lines, "\n")).
		WithHint("See server log for query details.")
	m.leave(w.sh, w)
	w.sh.dropIfUnused(w.lk, nil) // not on the owner's goroutine: no spare
	return w.err
}

// findCycle returns the edges of a cycle of the wait-for graph that starts and
// ends at start's owner, or nil. waitOf maps each waiting owner to its wait;
// the caller holds every shard's mutex.
func findCycle(start *waiter, waitOf map[*Owner]*waiter) []edge {
	visited := make(map[*Owner]bool)
	var path []edge
	var walk func(w *waiter) bool
	walk = func(w *waiter) bool {
		visited[w.owner] = true
		for _, h := range w.lk.blockers(w.owner, w.mode) {
			path = append(path, edge{w: w, by: h.owner})
			if h.owner == start.owner {
				return true
			}
			if next := waitOf[h.owner]; next != nil && !visited[h.owner] && walk(next) {
				return true
			}
			path = path[:len(path)-1]
		}
		return false
	}
	if walk(start) {
		return path
	}
	return nil
}
