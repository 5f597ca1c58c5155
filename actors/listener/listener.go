// Package listener is the listener actor: it accepts client sockets on one
// net.Listener and spawns a connection actor for each, as its child, under a
// supervision strategy that stops (never restarts) a failed connection — a socket
// cannot be resumed — so one broken connection never affects another.
//
// The accept loop is a goroutine that outlives restarts of the actor (it sends each
// socket to the listener's PID, which a restart keeps); it ends when the net.Listener
// is closed, which is how shutdown stops accepting.
package listener

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/augurdb/augur/actors/connection"
	"github.com/rs/zerolog"
)

// Listener is the listener actor.
type Listener struct {
	shared *shared
}

type shared struct {
	ln     net.Listener
	opts   *connection.Options
	nextID *atomic.Uint64
	log    zerolog.Logger
	once   sync.Once
}

// accepted carries a new socket from the accept loop.
type accepted struct{ nc net.Conn }

// Props returns the props of a listener actor serving ln. nextID numbers
// connections across all listeners of a server.
func Props(ln net.Listener, opts *connection.Options, nextID *atomic.Uint64, log zerolog.Logger) *actor.Props {
	sh := &shared{ln: ln, opts: opts, nextID: nextID, log: log.With().Str("listen", ln.Addr().String()).Logger()}
	return actor.PropsFromProducer(func() actor.Actor { return &Listener{shared: sh} },
		actor.WithSupervisor(actor.NewOneForOneStrategy(0, time.Second, func(reason any) actor.Directive {
			sh.log.Error().Interface("reason", reason).Msg("listener: connection actor failed; stopping it")
			return actor.StopDirective
		})))
}

// Receive implements actor.Actor.
func (l *Listener) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		sys, self := ctx.ActorSystem(), ctx.Self()
		l.shared.once.Do(func() { go l.shared.accept(sys, self) })
	case accepted:
		id := l.shared.nextID.Add(1)
		ctx.Spawn(connection.Props(id, m.nc, l.shared.opts))
	}
}

func (sh *shared) accept(sys *actor.ActorSystem, self *actor.PID) {
	var backoff time.Duration
	for {
		nc, err := sh.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Temporary failures (EMFILE and the like): back off and go on.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			sh.log.Warn().Err(err).Dur("retry_in", backoff).Msg("listener: accept failed")
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		sys.Root.Send(self, accepted{nc: nc})
	}
}
