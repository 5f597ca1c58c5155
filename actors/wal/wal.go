// Package wal is the WAL actor: the one place where commits are sequenced.
//
// It implements store.Committer. Commits arrive as messages; the actor stages the
// ones it holds as a group (conflict check, commit timestamps), hands the group to a
// flusher goroutine (WAL append, one fsync, index shards, then watermark and
// acknowledgement, then the apply to Badger) and keeps receiving while that fsync
// is in flight. Commits that
// arrive meanwhile form the next group, staged when the flusher reports back. That
// is group commit: under load a group holds every commit that arrived during the
// previous fsync, so the fsync rate, not the commit rate, is bounded by the disk.
//
// A commit that finds the pipeline idle — nothing in flight, nothing queued at the
// actor — does not go through the actor at all: Submit runs it as a group of one on
// the committing goroutine (up to its acknowledgement; the apply to Badger that
// follows runs on a goroutine of its own, which holds the pipeline until it is
// done). A lone committer would otherwise pay three goroutine
// hand-offs per commit (to the actor's mailbox, to the flusher, back to the
// committer), each a thread wake-up of tens of microseconds on a busy virtual
// machine, on top of an fsync of a few hundred; SQLite, the reference, pays none.
// Whoever holds the pipeline — the actor's flusher or an inline Submit — holds it
// through one state word (idle / inline / actor), so groups are still staged and
// finished one at a time, in timestamp order. An inline commit that sees commits
// queued at the actor when it finishes tells the actor to start their group.
//
// The actor never blocks on I/O, and it uses no request futures (a protoactor
// future costs several microseconds): a committer waits on the commit's own
// completion, and the flusher reports with a plain Send. Mailboxes are unbounded in
// protoactor, so backpressure is ours: Submit takes a credit from a fixed pool
// before sending and the credit is returned when the commit is finished.
package wal

import (
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/store"
)

// DefaultMaxInFlight is the default number of commits that may be queued or in
// flight at once before Submit blocks.
const DefaultMaxInFlight = 4096

// Who holds the pipeline (pipeline.state).
const (
	idle int32 = iota
	inline
	byActor
)

// pipeline is the state shared by Submit's fast path and the actor.
type pipeline struct {
	p       *store.Pipeline
	credits chan struct{}
	state   atomic.Int32 // idle, inline or byActor
	queued  atomic.Int64 // commits sent to the actor and not yet staged
	closing atomic.Bool  // Close is waiting for the pipeline to drain
}

func (pl *pipeline) release(n int) {
	for range n {
		<-pl.credits
	}
}

// Committer is the WAL actor seen from the store.
type Committer struct {
	sys *actor.ActorSystem
	pid *actor.PID
	pl  *pipeline
}

// flushed reports that a group was flushed and finished; n commits are done.
type flushed struct{ n int }

// kick tells the actor that the pipeline may be idle again.
type kick struct{}

// closeMsg asks the actor to report on done once nothing is pending or in flight.
type closeMsg struct{ done chan struct{} }

type walActor struct {
	pl       *pipeline
	pending  []*store.Commit
	flushing bool
	closing  chan struct{}
}

// New returns a store.Options.NewCommitter that spawns the WAL actor in sys.
func New(sys *actor.ActorSystem, maxInFlight int) func(*store.Pipeline) (store.Committer, error) {
	if maxInFlight <= 0 {
		maxInFlight = DefaultMaxInFlight
	}
	return func(p *store.Pipeline) (store.Committer, error) {
		if sys == nil {
			return nil, errors.New("actors/wal: nil actor system")
		}
		pl := &pipeline{p: p, credits: make(chan struct{}, maxInFlight)}
		a := &walActor{pl: pl}
		// The producer returns the same instance, so a restart by the supervisor keeps
		// the commits the actor holds instead of dropping them.
		props := actor.PropsFromProducer(func() actor.Actor { return a })
		pid, err := sys.Root.SpawnNamed(props, "wal")
		if err != nil {
			return nil, err
		}
		return &Committer{sys: sys, pid: pid, pl: pl}, nil
	}
}

// NewSystem returns an actor system whose logs go to logger (protoactor logs through
// log/slog; this bridges it so there is one log stream).
func NewSystem(logger zerolog.Logger) *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(zerolog.NewSlogHandler(logger.Level(zerolog.WarnLevel)))
	}))
}

// Submit runs the commit at once when the pipeline is idle, and otherwise sends it
// to the actor, blocking while the in-flight limit is reached.
func (c *Committer) Submit(cm *store.Commit) {
	pl := c.pl
	pl.credits <- struct{}{}
	// Queued commits go first: taking the fast path past them would starve them.
	if pl.queued.Load() == 0 && pl.state.CompareAndSwap(idle, inline) {
		g := pl.p.Stage([]*store.Commit{cm})
		g.Flush()
		pl.p.Publish(g)
		if g.Len() == 0 {
			c.finishInline(g)
			return
		}
		// Acknowledged: the committer goes on while another goroutine writes
		// the group to Badger (readers that need it wait for it there).
		go c.finishInline(g)
		return
	}
	pl.queued.Add(1)
	c.sys.Root.Send(c.pid, cm)
}

// finishInline applies an inline group to Badger and gives the pipeline back.
func (c *Committer) finishInline(g *store.Group) {
	pl := c.pl
	pl.p.Apply(g)
	pl.release(1)
	pl.state.Store(idle)
	if pl.queued.Load() > 0 || pl.closing.Load() {
		c.sys.Root.Send(c.pid, kick{})
	}
}

// Close waits until every submitted commit is finished, then stops the actor.
func (c *Committer) Close() {
	done := make(chan struct{})
	c.pl.closing.Store(true)
	c.sys.Root.Send(c.pid, &closeMsg{done: done})
	<-done
	c.sys.Root.StopFuture(c.pid).Wait()
}

func (a *walActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *store.Commit:
		a.pending = append(a.pending, m)
		a.startGroup(ctx)
	case kick:
		a.startGroup(ctx)
	case *flushed:
		a.pl.release(m.n)
		a.flushing = false
		a.startGroup(ctx)
	case *closeMsg:
		a.closing = m.done
	}
	if a.closing != nil && !a.flushing && len(a.pending) == 0 && a.pl.state.Load() == idle {
		close(a.closing)
		a.closing = nil
	}
}

// startGroup stages everything pending and flushes it off the actor's goroutine,
// when the pipeline is free; otherwise whoever holds it sends flushed or kick.
func (a *walActor) startGroup(ctx actor.Context) {
	if a.flushing || len(a.pending) == 0 || !a.pl.state.CompareAndSwap(idle, byActor) {
		return
	}
	batch := a.pending
	a.pending = nil
	a.pl.queued.Add(-int64(len(batch)))
	g := a.pl.p.Stage(batch)
	a.pl.release(len(batch) - g.Len()) // commits refused by Stage are already finished
	if g.Len() == 0 {
		a.pl.p.Publish(g)
		a.pl.state.Store(idle)
		return
	}
	a.flushing = true
	self, root, pl := ctx.Self(), ctx.ActorSystem().Root, a.pl
	go func() {
		g.Flush()
		// Publishing here, not back on the actor, takes one goroutine hand-off
		// off every commit's acknowledgement. The pipeline is released only
		// after Apply, so the next group (inline or the actor's) is staged
		// after this one is in Badger.
		pl.p.Publish(g)
		pl.p.Apply(g)
		pl.state.Store(idle)
		root.Send(self, &flushed{n: g.Len()})
	}()
}
