// Package wal is the WAL actor: the one place where commits are sequenced.
//
// It implements store.Committer. Commits arrive as messages; the actor stages the
// ones it holds as a group (conflict check, commit timestamps), hands the group to a
// flusher goroutine (WAL append, one fsync, apply to Badger) and keeps receiving
// while that fsync is in flight. Commits that arrive meanwhile form the next group,
// staged when the flusher reports back. That is group commit: under load a group
// holds every commit that arrived during the previous fsync, so the fsync rate, not
// the commit rate, is bounded by the disk.
//
// The actor never blocks on I/O, and it uses no request futures (a protoactor
// future costs several microseconds): a committer waits on the commit's own
// completion, and the flusher reports with a plain Send. Mailboxes are unbounded in
// protoactor, so backpressure is ours: Submit takes a credit from a fixed pool
// before sending and the actor returns it when the commit is finished.
package wal

import (
	"errors"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/storage/store"
)

// DefaultMaxInFlight is the default number of commits that may be queued or in
// flight at once before Submit blocks.
const DefaultMaxInFlight = 4096

// Committer is the WAL actor seen from the store.
type Committer struct {
	sys     *actor.ActorSystem
	pid     *actor.PID
	credits chan struct{}
}

// flushed reports that a group's flush finished.
type flushed struct{ g *store.Group }

// closeMsg asks the actor to report on done once nothing is pending or in flight.
type closeMsg struct{ done chan struct{} }

type walActor struct {
	p        *store.Pipeline
	credits  chan struct{}
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
		credits := make(chan struct{}, maxInFlight)
		a := &walActor{p: p, credits: credits}
		// The producer returns the same instance, so a restart by the supervisor keeps
		// the commits the actor holds instead of dropping them.
		props := actor.PropsFromProducer(func() actor.Actor { return a })
		pid, err := sys.Root.SpawnNamed(props, "wal")
		if err != nil {
			return nil, err
		}
		return &Committer{sys: sys, pid: pid, credits: credits}, nil
	}
}

// NewSystem returns an actor system whose logs go to logger (protoactor logs through
// log/slog; this bridges it so there is one log stream).
func NewSystem(logger zerolog.Logger) *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(zerolog.NewSlogHandler(logger.Level(zerolog.WarnLevel)))
	}))
}

// Submit sends a commit to the actor, blocking while the in-flight limit is reached.
func (c *Committer) Submit(cm *store.Commit) {
	c.credits <- struct{}{}
	c.sys.Root.Send(c.pid, cm)
}

// Close waits until every submitted commit is finished, then stops the actor.
func (c *Committer) Close() {
	done := make(chan struct{})
	c.sys.Root.Send(c.pid, &closeMsg{done: done})
	<-done
	c.sys.Root.StopFuture(c.pid).Wait()
}

func (a *walActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *store.Commit:
		a.pending = append(a.pending, m)
		if !a.flushing {
			a.startGroup(ctx)
		}
	case *flushed:
		a.p.Finish(m.g)
		a.release(m.g.Len())
		a.flushing = false
		if len(a.pending) > 0 {
			a.startGroup(ctx)
		}
	case *closeMsg:
		a.closing = m.done
	}
	if a.closing != nil && !a.flushing && len(a.pending) == 0 {
		close(a.closing)
		a.closing = nil
	}
}

func (a *walActor) release(n int) {
	for range n {
		<-a.credits
	}
}

// startGroup stages everything pending and flushes it off the actor's goroutine.
func (a *walActor) startGroup(ctx actor.Context) {
	batch := a.pending
	a.pending = nil
	g := a.p.Stage(batch)
	a.release(len(batch) - g.Len()) // commits refused by Stage are already finished
	if g.Len() == 0 {
		a.p.Finish(g)
		return
	}
	a.flushing = true
	self, root := ctx.Self(), ctx.ActorSystem().Root
	go func() {
		g.Flush()
		root.Send(self, &flushed{g: g})
	}()
}
