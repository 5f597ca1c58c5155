// Package connection is the connection actor: it owns one client socket from accept
// to close. It runs the startup handshake (TLS, authentication) off the actor's
// goroutine, registers the session's backend keys, spawns the session actor as its
// child, and runs the two socket goroutines:
//
//   - the reader decodes frontend messages and hands them to the session in order.
//     When the session is idle it runs the message itself (session.RunIdle), with
//     no hand-off to the session actor's goroutine; otherwise it takes input
//     credits and tells the message to the actor, so a session that falls behind
//     stops the reader (and the client's writes) instead of queueing without
//     bound. While the reader runs a statement it does not read: as in PostgreSQL
//     (without client_connection_check_interval), a client that vanishes is
//     noticed when the reader reads again, and its transaction is then rolled
//     back. A vanished client whose statement runs on the session actor is noticed
//     at once and the statement cancelled.
//   - the writer (Outbox) writes batches of backend messages and returns output
//     credits as bytes reach the socket.
//
// The connection supervises its session: if the session actor fails, the client gets
// FATAL XX000 and the connection closes; nothing else in the server notices.
package connection

import (
	"context"
	"errors"
	"github.com/augurdb/augur/planner"
	"io"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/augurdb/augur/actors/session"
	"github.com/augurdb/augur/protocol"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/supervisor/budget"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"
)

// sessionThroughput is how many messages the session's goroutine processes before
// it yields the processor (protoactor's default).
const sessionThroughput = 300

// Options are shared by all connections of a listener.
type Options struct {
	Protocol        *protocol.Options
	Registry        *Registry
	MaxConnections  int
	ServerVersion   string
	VersionText     string
	SessionDefaults map[string]string
	// Engine is the SQL engine sessions run statements against.
	Engine *planner.Engine
	Outbox OutboxOptions
	// InboundBytes bounds the frontend message bytes handed to the session and not
	// yet processed.
	InboundBytes int64
	Log          zerolog.Logger
}

// Connection is the connection actor.
type Connection struct {
	id    uint64
	nc    net.Conn
	opts  *Options
	log   zerolog.Logger
	start time.Time

	conn    *protocol.Conn
	outbox  *Outbox
	sess    *session.Session
	sessPID *actor.PID
	// dispatch runs the session's mailbox on one goroutine for its whole life.
	dispatch *loopDispatcher
	pid      uint32
	cancel   context.CancelFunc // cancels the session's base context
	closing  bool
}

// Props returns the props of a connection actor for an accepted socket, with the
// supervision of its session.
func Props(id uint64, nc net.Conn, opts *Options) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Connection{id: id, nc: nc, opts: opts}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(0, time.Second, func(reason any) actor.Directive {
		// A failed session cannot be restarted with its socket state intact.
		return actor.StopDirective
	})))
}

// Messages the connection sends itself from its goroutines.
type (
	handshakeDone struct {
		conn   *protocol.Conn
		cancel *protocol.CancelRequest
		err    error
	}
	readerDone struct{}
)

// Receive implements actor.Actor.
func (c *Connection) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.start = time.Now()
		c.log = c.opts.Log.With().Uint64("conn", c.id).Logger()
		self, sys := ctx.Self(), ctx.ActorSystem()
		popts := *c.opts.Protocol
		popts.Logger = c.log // protocol adds the remote address to its own lines
		c.log = c.log.With().Str("remote", c.nc.RemoteAddr().String()).Logger()
		go func() {
			conn, cr, err := protocol.Handshake(context.Background(), c.nc, &popts)
			sys.Root.Send(self, handshakeDone{conn: conn, cancel: cr, err: err})
		}()
	case handshakeDone:
		c.handshakeDone(ctx, m)
	case readerDone:
		ctx.Stop(ctx.Self())
	case session.Ended:
		c.closing = true
		ctx.Stop(ctx.Self())
	case *actor.Terminated:
		if c.sessPID != nil && m.Who.Equal(c.sessPID) && !c.closing {
			// The session actor failed outside a statement (a statement's panic is
			// handled inside the session). Tell the client and close.
			c.log.Error().Msg("connection: session actor failed; closing the connection")
			fctx, cancel := context.WithTimeout(context.Background(), time.Second)
			c.outbox.Send(fctx, protocol.ErrorResponse(pgerr.Fatal(pgerrcode.InternalError, "terminating connection because its session failed")))
			c.outbox.FlushWait(fctx)
			cancel()
			ctx.Stop(ctx.Self())
		}
	case *actor.Stopping:
		c.closing = true
		if c.cancel != nil {
			c.cancel() // a statement still running (or waiting for the client) ends now
		}
	case *actor.Stopped:
		c.stopped()
	}
}

func (c *Connection) handshakeDone(ctx actor.Context, m handshakeDone) {
	if m.cancel != nil {
		c.opts.Registry.Cancel(m.cancel.ProcessID, m.cancel.SecretKey)
		ctx.Stop(ctx.Self())
		return
	}
	if m.err != nil { // already reported to the client and logged by protocol
		c.log.Debug().Err(m.err).Msg("connection: handshake failed")
		ctx.Stop(ctx.Self())
		return
	}
	c.conn = m.conn
	st := c.conn.Startup()
	c.log = c.log.With().Str("user", st.User).Str("database", st.Database).Logger()

	baseCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.outbox = NewOutbox(c.conn, c.opts.Outbox)
	inbound := budget.NewCredits(c.opts.InboundBytes)
	sess, err := session.New(session.Options{
		Startup:         st,
		Out:             c.outbox,
		Inbound:         inbound,
		ServerVersion:   c.opts.ServerVersion,
		VersionText:     c.opts.VersionText,
		SessionDefaults: c.opts.SessionDefaults,
		Engine:          c.opts.Engine,
		Log:             c.log,
		Base:            baseCtx,
	})
	if err != nil {
		c.refuse(ctx, err)
		return
	}
	// A role's CONNECTION LIMIT does not bind superusers, as in PostgreSQL.
	roleLimit := -1
	if st.Role.ConnLimit != nil && !st.Role.Superuser {
		roleLimit = *st.Role.ConnLimit
	}
	pid, secret, full := c.opts.Registry.RegisterRole(sess, c.opts.MaxConnections, st.User, roleLimit)
	switch {
	case full != nil && *full == RoleFull:
		c.refuse(ctx, pgerr.Fatal(pgerrcode.TooManyConnections, "too many connections for role \"%s\"", st.User))
		return
	case full != nil:
		c.refuse(ctx, pgerr.Fatal(pgerrcode.TooManyConnections, "sorry, too many clients already"))
		return
	}
	c.pid = pid
	c.sess = sess
	sess.SetKeys(pid, secret)
	c.log = c.log.With().Uint32("backend_pid", pid).Logger()
	c.log.Info().Bool("tls", st.TLS).Msg("connection start")

	c.dispatch = newLoopDispatcher(sessionThroughput)
	c.sessPID = ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return sess }, actor.WithDispatcher(c.dispatch)))
	ctx.Watch(c.sessPID)
	go c.read(baseCtx, ctx.ActorSystem(), ctx.Self(), c.sessPID, inbound, cancel)
}

// refuse sends a FATAL error after authentication and closes.
func (c *Connection) refuse(ctx actor.Context, err error) {
	c.log.Info().Err(err).Msg("connection refused after authentication")
	c.conn.Send(protocol.ErrorResponse(err))
	c.conn.Flush()
	c.conn.Close()
	c.conn = nil
	ctx.Stop(ctx.Self())
}

// read is the reader goroutine. It ends at Terminate (the session closes the
// connection once it has processed everything before it), at a broken frontend
// stream (the session reports FATAL 08P01 in order, after the messages before it),
// or when the client is gone (a statement still running on the session actor is
// cancelled at once).
func (c *Connection) read(base context.Context, sys *actor.ActorSystem, self, sess *actor.PID, inbound *budget.Credits, cancel context.CancelFunc) {
	for {
		msg, err := c.conn.Receive()
		if err != nil {
			var pe *pgerr.Error
			if errors.As(err, &pe) {
				c.log.Warn().Err(err).Msg("connection: protocol violation")
				sys.Root.Send(sess, &session.Fatal{Err: pe})
				return
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				c.log.Info().Err(err).Msg("connection: read from client failed")
			}
			cancel()
			sys.Root.Send(self, readerDone{})
			return
		}
		if !c.sess.RunIdle(msg) {
			n, err := inbound.Acquire(base, frontendSize(msg))
			if err != nil {
				sys.Root.Send(self, readerDone{})
				return
			}
			c.sess.Tell(sys.Root, sess, &session.Frontend{Msg: msg, Credits: n})
		}
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return
		}
	}
}

func (c *Connection) stopped() {
	if c.cancel != nil {
		c.cancel()
	}
	if c.pid != 0 {
		c.opts.Registry.Unregister(c.pid)
	}
	if c.outbox != nil {
		c.outbox.Close(time.Second)
	}
	if c.dispatch != nil {
		c.dispatch.Close()
	}
	if c.conn != nil {
		st := c.conn.Startup()
		c.log.Info().Dur("duration", time.Since(c.start)).Bool("tls", st.TLS).Msg("connection end")
		c.conn.Close()
	} else {
		c.nc.Close()
	}
}

// frontendSize estimates the memory a frontend message holds, for input credits.
func frontendSize(m pgproto3.FrontendMessage) int64 {
	switch m := m.(type) {
	case *pgproto3.Query:
		return int64(len(m.String)) + 64
	case *pgproto3.Parse:
		return int64(len(m.Query)+4*len(m.ParameterOIDs)) + 64
	case *pgproto3.Bind:
		n := int64(64)
		for _, p := range m.Parameters {
			n += int64(len(p)) + 8
		}
		return n
	case *pgproto3.CopyData:
		return int64(len(m.Data)) + 16
	}
	return 64
}
