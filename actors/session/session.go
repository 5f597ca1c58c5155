// Package session is the session actor: the state of one client session (settings,
// prepared statements, portals, transaction status) and the execution of the
// frontend messages its connection's reader hands it, in order.
//
// A message runs on one of two goroutines. When the session is idle — nothing told
// to the actor and not yet processed, the actor not busy, no COPY FROM STDIN
// streaming — the connection's reader runs it itself (RunIdle): a lone client's
// statement then costs no hand-off to the actor's goroutine and back, each a thread
// wake-up that costs more than the statement. Otherwise the reader tells it to the
// actor (Tell), which runs it inside Receive. One mutex (exec) makes whoever runs a
// message the only owner of the session's state, and a count of the messages told
// and not yet processed keeps the reader from overtaking them, so the order of the
// frontend stream is kept whichever way each message goes.
//
// Either way a statement runs to its end before the next message is looked at. That
// keeps message order trivially right and makes backpressure simple: while the
// session waits for output credits (the client is not reading) it takes no new
// messages; the reader, busy with the statement or waiting for input credits to
// hand more over, stops reading the socket. Cancel requests and shutdown deadlines
// therefore cannot travel through the session's mailbox; they reach the running
// statement through CancelStatement, which cancels the statement's context from any
// goroutine.
//
// A panic inside a statement is recovered here: it is logged with its stack, the
// client gets XX000, and the session goes on. Anything that escapes (a bug in the
// session itself) fails the actor — or, on the reader's goroutine, stops it — and
// the connection's supervision ends the connection with FATAL XX000; never the
// server.
package session

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/protocol"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"
)

// Output is where the session writes backend messages: the connection's outbox.
type Output interface {
	// Send queues msg; it may wait for the client to read (ctx ends the wait).
	Send(ctx context.Context, msg pgproto3.BackendMessage) error
	// Flush hands queued messages to the writer.
	Flush(ctx context.Context) error
	// FlushWait hands queued messages to the writer and waits until they are written.
	FlushWait(ctx context.Context) error
}

// Credits is the inbound flow control the reader takes before handing a message
// over; the session returns them when the message is processed.
type Credits interface{ Release(n int64) }

// Frontend carries one frontend message from the connection's reader.
type Frontend struct {
	Msg     pgproto3.FrontendMessage
	Credits int64 // inbound credits to return once processed
	told    bool  // counted in Session.queued (sent by Tell)
}

// Ended is sent to the parent (the connection) when the session has said its last
// word (Terminate, FATAL error, shutdown) and the connection should close.
type Ended struct{}

// Fatal ends the session with err (a FATAL error) once the messages before it are
// processed: the reader found the frontend stream broken (08P01).
type Fatal struct{ Err error }

// shutdownRequest asks an idle session to end with 57P01.
type shutdownRequest struct{}

// Options configure a session.
type Options struct {
	Startup         protocol.Startup
	Out             Output
	Inbound         Credits
	ServerVersion   string // server_version, e.g. "15.0 (Augur 0.1.0)"
	VersionText     string // version()
	SessionDefaults map[string]string
	// Engine runs statements on tables (nil: statements without tables only).
	Engine *planner.Engine
	Log    zerolog.Logger
	// Base is cancelled when the client is gone; statements run under it.
	Base context.Context
}

// Session is the session actor. Create it with New, register it as the
// connection.Backend for its keys with SetKeys, then spawn it.
type Session struct {
	opts    Options
	log     zerolog.Logger
	out     Output
	planner *planner.Planner
	vars    *config.Vars

	pid, secret uint32

	stmts    map[string]*prepared
	portals  map[string]*portal
	txStatus byte // 'I', 'T' or 'E'
	// txn is the open transaction: the block's, or the implicit one of the
	// current Query message / extended-protocol batch; nil until first used.
	txn planner.OpenTxn
	// clock holds the transaction's and the statement's start (now(),
	// statement_timestamp()); clock.go.
	clock stmtClock
	// SequenceState gives the session nextval/currval/setval/lastval.
	planner.SequenceState
	// skipToSync: after an error in the extended protocol, messages are discarded
	// until Sync, as PostgreSQL does.
	skipToSync bool
	reported   map[string]string // GUC_REPORT values last sent
	// reportedAt is the state of the settings reported was last brought up
	// to date with.
	reportedAt varsStamp
	// timeout caches statement_timeout, parsed, for the state of the settings
	// it was read from.
	timeout struct {
		at varsStamp
		d  time.Duration
	}
	// temp is the name of the session's temp schema, once asked for; the
	// schema (if it was created) is dropped when the session ends.
	temp  string
	ended bool
	// commitRolledBack: COMMIT of a failed block reports ROLLBACK.
	commitRolledBack bool
	// savedVars are the settings at BEGIN (ROLLBACK restores them); localUndo holds,
	// for each parameter changed by SET LOCAL in the block, its value before, which
	// the end of the block restores.
	savedVars *config.Vars
	localUndo map[string]string
	// spVars are the settings at each savepoint (ROLLBACK TO restores them).
	spVars []*config.Vars
	// queried: a statement that reads (PostgreSQL takes its first snapshot)
	// ran in the block; SET TRANSACTION may then no longer change the level.
	queried bool
	// notices are sent before the current statement's CommandComplete.
	notices []pgproto3.BackendMessage
	// copyIn is the COPY FROM STDIN in progress, fed by CopyData messages
	// (copy.go); nil otherwise.
	copyIn *copyIn

	self    atomic.Pointer[actor.PID]
	system  atomic.Pointer[actor.ActorSystem]
	closing atomic.Bool // shutdown requested

	// exec is held by whichever goroutine works on the session's state: the
	// actor's Receive, or the connection's reader inside RunIdle. Everything
	// above (and parent, live) belongs to its holder.
	exec sync.Mutex
	// queued counts the Frontend messages told to the actor (Tell) and not yet
	// processed. While it is not zero the reader may not run a message itself:
	// it would overtake them.
	queued atomic.Int64
	parent *actor.PID // the connection; set at Started
	// live: the actor has started and not stopped, so RunIdle may run messages.
	live bool

	mu     sync.Mutex
	cancel context.CancelCauseFunc // of the running statement; nil when idle
}

type prepared struct {
	name string
	stmt *planner.Statement // nil for an empty query
	plan *planner.Plan
	// desc is the RowDescription last sent for a portal of this statement, for
	// descPlan with descFormats: a client that describes every portal (libpq's
	// PQsendQueryPrepared) gets the same message again without building it.
	desc        *pgproto3.RowDescription
	descPlan    *planner.Plan
	descFormats []int16
}

// portalDescription is the RowDescription of p's rows in its result formats.
// Backend messages are only read once sent, so one can be sent again.
func (pp *prepared) portalDescription(formats []int16) *pgproto3.RowDescription {
	if pp.desc == nil || pp.descPlan != pp.plan || !slices.Equal(pp.descFormats, formats) {
		pp.desc, pp.descPlan, pp.descFormats = rowDescription(pp.plan.Columns, formats), pp.plan, formats
	}
	return pp.desc
}

type portal struct {
	prep          *prepared
	params        []types.Datum
	resultFormats []int16
	rows          planner.Rows // nil until the first Execute
	done          bool
	tag           string
}

// New returns a session whose startup parameters have been validated (an invalid one
// is a FATAL error, as in PostgreSQL).
func New(opts Options) (*Session, error) {
	st := opts.Startup
	fixed := map[string]string{
		"server_version":        opts.ServerVersion,
		"session_authorization": st.User,
		"is_superuser":          onOff(st.Role.Superuser),
	}
	startup := map[string]string{}
	for k, v := range st.Params {
		switch strings.ToLower(k) {
		case "replication":
			if b := strings.ToLower(v); b != "false" && b != "off" && b != "no" && b != "0" {
				return nil, pgerr.Fatal(pgerrcode.FeatureNotSupported, "replication connections are not supported")
			}
			continue
		case "options":
			opts, err := parseOptions(v)
			if err != nil {
				return nil, err
			}
			for name, val := range opts {
				startup[name] = val
			}
			continue
		case "user", "database":
			continue
		}
		startup[k] = v
	}
	vars, err := config.NewVars(roleDefaults(opts.SessionDefaults, st.Role.Config), fixed, startup)
	if err != nil {
		pe := pgerr.From(err)
		return nil, &pgerr.Error{Code: pe.Code, Message: pe.Message, Detail: pe.Detail, Severity: pgerr.SeverityFatal}
	}
	if opts.Base == nil {
		opts.Base = context.Background()
	}
	s := &Session{
		opts:     opts,
		log:      opts.Log,
		out:      opts.Out,
		planner:  planner.New(),
		vars:     vars,
		stmts:    map[string]*prepared{},
		portals:  map[string]*portal{},
		txStatus: 'I',
		reported: map[string]string{},
	}
	s.SequenceState = planner.SequenceState{Engine: opts.Engine, Env: s}
	return s, nil
}

// SetKeys records the backend keys sent in BackendKeyData.
func (s *Session) SetKeys(pid, secret uint32) { s.pid, s.secret = pid, secret }

// CancelStatement ends the running statement, if any, with cause. Safe from any goroutine.
func (s *Session) CancelStatement(cause *pgerr.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel(cause)
	}
}

// Shutdown asks the session to end with FATAL 57P01 when it is next idle. Safe from
// any goroutine.
func (s *Session) Shutdown() {
	s.closing.Store(true)
	if sys, pid := s.system.Load(), s.self.Load(); sys != nil && pid != nil {
		sys.Root.Send(pid, shutdownRequest{})
	}
}

// Tell hands f to the session actor's mailbox, for when RunIdle did not run it.
// Only the connection's reader calls it, in the order of the frontend stream.
func (s *Session) Tell(root *actor.RootContext, pid *actor.PID, f *Frontend) {
	f.told = true
	s.queued.Add(1)
	root.Send(pid, f)
}

// RunIdle runs msg on the calling goroutine (the connection's reader) when the
// session is idle: started, nothing told to the actor and not yet processed, the
// actor not working on anything (a statement, a shutdown request), no COPY FROM
// STDIN in progress. It reports whether it did; if not, the caller must Tell the
// message instead. A message arriving after the session's end is dropped (true),
// as the actor drops it.
//
// Running the message here saves two thread wake-ups per message (the actor's
// goroutine, then the reader again) that cost more than a point query. While it
// runs, the reader reads nothing more: a client that vanishes meanwhile is noticed
// when the statement has finished and the reader reads again, as PostgreSQL
// notices it on its next read.
func (s *Session) RunIdle(msg pgproto3.FrontendMessage) (ran bool) {
	if s.queued.Load() != 0 || !s.exec.TryLock() {
		return false
	}
	defer s.exec.Unlock()
	// queued is read again under exec: the actor decrements it before it lets go
	// of exec, so zero here means every told message has been processed.
	if !s.live || s.queued.Load() != 0 || s.copyIn != nil {
		return false
	}
	ran = true // also when recoverInline recovers from a panic in deliver
	defer s.recoverInline()
	s.deliver(msg)
	return ran
}

// recoverInline handles a panic that escaped the session on the reader's
// goroutine as the actor's supervision handles one that escapes Receive: the
// session actor stops, and the connection tells the client FATAL XX000 and closes.
func (s *Session) recoverInline() {
	r := recover()
	if r == nil {
		return
	}
	s.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
		Msg("session: panic outside a statement; ending the connection")
	s.live = false
	if sys, pid := s.system.Load(), s.self.Load(); sys != nil && pid != nil {
		sys.Root.Stop(pid)
	}
}

// Receive implements actor.Actor.
func (s *Session) Receive(c actor.Context) {
	s.exec.Lock()
	completed := false
	defer func() {
		if !completed {
			// A panic escapes: the actor fails and its connection ends. Until
			// then the reader must not run messages on what it left behind.
			s.live = false
		}
		s.exec.Unlock()
	}()
	switch m := c.Message().(type) {
	case *actor.Started:
		s.system.Store(c.ActorSystem())
		s.self.Store(c.Self())
		s.parent = c.Parent()
		s.start()
		s.live = true
	case *Frontend:
		if m.told {
			defer s.queued.Add(-1) // deferred calls run before exec's unlock
		}
		if s.opts.Inbound != nil {
			defer s.opts.Inbound.Release(m.Credits)
		}
		s.deliver(m.Msg)
	case *Fatal:
		pe := pgerr.From(m.Err)
		fatal := *pe
		fatal.Severity = pgerr.SeverityFatal
		s.end(&fatal)
	case shutdownRequest:
		if !s.ended {
			s.end(adminShutdown())
		}
	case *actor.Stopped:
		s.live = false
		s.closePortals() // the connection closes the outbox after its session stopped
		s.txn.Abort()    // a client that vanished mid-transaction leaves no trace
		s.releaseLocks() // its session-level advisory locks too
		s.dropTemp()
	}
	completed = true
}

// deliver processes one frontend message, on whichever goroutine holds exec.
func (s *Session) deliver(msg pgproto3.FrontendMessage) {
	if s.ended {
		return
	}
	if s.closing.Load() {
		s.end(adminShutdown())
		return
	}
	s.handle(msg)
}

func adminShutdown() *pgerr.Error {
	return pgerr.Fatal(pgerrcode.AdminShutdown, "terminating connection due to administrator command")
}

// start sends what follows AuthenticationOk: ParameterStatus for every reported
// setting, BackendKeyData and the first ReadyForQuery.
func (s *Session) start() {
	ctx := s.opts.Base
	s.reportParams(ctx)
	s.out.Send(ctx, &pgproto3.BackendKeyData{ProcessID: s.pid, SecretKey: binary.BigEndian.AppendUint32(nil, s.secret)})
	s.readyForQuery(ctx)
	if s.closing.Load() {
		s.end(adminShutdown())
	}
}

// end sends a final FATAL error and tells the connection to close.
func (s *Session) end(err *pgerr.Error) {
	if s.ended {
		return
	}
	s.ended = true
	if err != nil {
		s.log.Info().Str("sqlstate", err.Code).Str("error", err.Message).Msg("session ends with a FATAL error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err != nil {
		s.out.Send(ctx, protocol.ErrorResponse(err))
	}
	s.out.FlushWait(ctx)
	if sys := s.system.Load(); sys != nil && s.parent != nil {
		sys.Root.Send(s.parent, Ended{})
	}
}

func (s *Session) readyForQuery(ctx context.Context) {
	s.out.Send(ctx, &pgproto3.ReadyForQuery{TxStatus: s.txStatus})
	s.out.Flush(ctx)
}

// reportParams sends ParameterStatus for every reported setting whose value the
// client has not seen.
func (s *Session) reportParams(ctx context.Context) {
	if su := onOff(s.Superuser()); s.varsValue("is_superuser") != su {
		s.vars.Assign("is_superuser", su)
	}
	if !s.reportedAt.advance(s.vars) {
		return // no setting changed since the last report
	}
	for name, v := range s.vars.Reported() {
		if name == "server_version" {
			v = s.opts.ServerVersion
		}
		if old, ok := s.reported[name]; ok && old == v {
			continue
		}
		s.reported[name] = v
		s.out.Send(ctx, &pgproto3.ParameterStatus{Name: name, Value: v})
	}
}

// handle processes one frontend message. Panics inside become XX000.
func (s *Session) handle(msg pgproto3.FrontendMessage) {
	ctx := s.opts.Base
	if s.skipToSync {
		switch msg.(type) {
		case *pgproto3.Sync:
			s.skipToSync = false
		case *pgproto3.Query: // a simple Query also ends error recovery
			s.skipToSync = false
		default:
			return
		}
	}
	s.clock.message(msg)
	defer func() { s.clock.messageDone(msg, s.txStatus) }()
	if s.copyIn != nil {
		s.copyMessage(ctx, msg)
		return
	}
	err := s.safely(func() error {
		switch m := msg.(type) {
		case *pgproto3.Query:
			s.simpleQuery(ctx, m.String)
			return nil
		case *pgproto3.Parse:
			return s.parse(m)
		case *pgproto3.Bind:
			return s.bind(m)
		case *pgproto3.Describe:
			return s.describe(ctx, m)
		case *pgproto3.Execute:
			return s.execute(ctx, m)
		case *pgproto3.Close:
			return s.close(ctx, m)
		case *pgproto3.Sync:
			s.sync(ctx)
			return nil
		case *pgproto3.Flush:
			return s.out.Flush(ctx)
		case *pgproto3.Terminate:
			s.end(nil)
			return nil
		case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
			return nil // ignored outside COPY, as PostgreSQL does
		case *pgproto3.FunctionCall:
			return pgerr.FeatureNotSupported("the fast-path function call interface is not supported")
		default:
			return pgerr.ProtocolViolation("unexpected message type %T", msg)
		}
	})
	if err != nil {
		s.fail(ctx, err, true)
	}
}

// safely runs f, turning a panic into an XX000 error logged with its stack.
func (s *Session) safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg("session: panic in statement; reported to the client as XX000")
			// A portal whose execution panicked may be half-way through: drop them all.
			for name, p := range s.portals {
				if p.rows != nil {
					func() { defer func() { recover() }(); p.rows.Close() }()
				}
				delete(s.portals, name)
			}
			err = pgerr.New(pgerrcode.InternalError, "internal error: %v", r)
		}
	}()
	return f()
}

// fail reports err to the client. In the extended protocol it starts discarding
// messages until Sync; inside a transaction block it marks the block failed; a FATAL
// error ends the session.
func (s *Session) fail(ctx context.Context, err error, extended bool) {
	pe := pgerr.From(err)
	if pe.Code == pgerrcode.InternalError {
		s.log.Warn().Err(err).Msg("session: internal error")
	}
	if pe.IsFatal() {
		s.end(pe)
		return
	}
	s.out.Send(ctx, protocol.ErrorResponse(pe))
	// A failed statement ends the implicit transaction and dooms a block: its
	// writes are discarded now, the block answers 25P02 until ROLLBACK.
	s.closePortals()
	if s.txStatus == 'T' {
		s.txStatus = 'E'
	}
	// As in PostgreSQL, the failed transaction gives back its locks and writes
	// at once (a deadlock victim must free the others). Only a block with a
	// savepoint keeps its transaction, for ROLLBACK TO to return to: it keeps
	// its locks too (PostgreSQL releases those taken after the savepoint).
	if s.txStatus != 'E' || s.txn.Savepoints() == 0 {
		s.txn.Abort()
	}
	if extended {
		s.skipToSync = true
	}
}

// beginStatement gives a statement its context: cancellable by CancelStatement and
// bounded by statement_timeout.
func (s *Session) beginStatement() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(s.opts.Base)
	stop := func() {}
	if d := s.statementTimeout(); d > 0 {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeoutCause(ctx, d,
			pgerr.New(pgerrcode.QueryCanceled, "canceling statement due to statement timeout"))
		stop = c2
	}
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		stop()
		cancel(nil)
	}
}

// statementTimeout is statement_timeout (0: none), parsed again only when a
// setting changed.
func (s *Session) statementTimeout() time.Duration {
	t := &s.timeout
	if !t.at.advance(s.vars) {
		return t.d
	}
	t.d = 0
	if d, err := config.ParseDuration(s.varsValue("statement_timeout")); err == nil {
		t.d = d
	}
	return t.d
}

// varsStamp names a state of a session's settings: which Vars, at which
// Generation. What the session derives from its settings is current while the
// stamp it was derived under still names their state.
type varsStamp struct {
	vars *config.Vars
	gen  uint64
}

// advance reports whether v's state differs from the one st names, and makes st
// name it.
func (st *varsStamp) advance(v *config.Vars) (changed bool) {
	if st.vars == v && st.gen == v.Generation() {
		return false
	}
	st.vars, st.gen = v, v.Generation()
	return true
}

// varsValue is a setting's value ("" for an unknown name).
func (s *Session) varsValue(name string) string {
	v, _ := s.vars.Get(name)
	return v
}

// fold runs the planning-time evaluation of constant expressions (Plan.Fold) under
// a statement context.
func (s *Session) fold(plan *planner.Plan, params []types.Datum) error {
	sctx, done := s.beginStatement()
	defer done()
	if err := plan.Fold(sctx, s, params); err != nil {
		return statementError(sctx, err)
	}
	return nil
}

// statementError prefers the reason a statement's context ended (cancel, timeout,
// shutdown) over whatever error the statement returned because of it.
func statementError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		var pe *pgerr.Error
		if errors.As(context.Cause(ctx), &pe) {
			return pe
		}
		return pgerr.QueryCanceled()
	}
	return err
}

func (s *Session) sync(ctx context.Context) {
	if s.txStatus == 'I' {
		s.closePortals() // the implicit transaction ends at Sync
		if err := s.txn.Commit(ctx); err != nil {
			s.out.Send(ctx, protocol.ErrorResponse(pgerr.From(err)))
		}
	}
	s.readyForQuery(ctx)
}

func (s *Session) closePortals() {
	for name, p := range s.portals {
		if p.rows != nil {
			p.rows.Close()
		}
		delete(s.portals, name)
	}
}

// simpleQuery runs every statement of a Query message, stopping at the first error,
// and ends with ReadyForQuery.
func (s *Session) simpleQuery(ctx context.Context, sql string) {
	// A simple Query destroys the unnamed statement and portal.
	delete(s.stmts, "")
	if p, ok := s.portals[""]; ok {
		if p.rows != nil {
			p.rows.Close()
		}
		delete(s.portals, "")
	}
	err := s.safely(func() error {
		stmts, err := s.planner.Parse(sql)
		if err != nil {
			return err
		}
		if len(stmts) == 0 {
			return s.out.Send(ctx, &pgproto3.EmptyQueryResponse{})
		}
		return s.runStatements(ctx, stmts)
	})
	if s.copyIn != nil && err == nil {
		return // the Query message goes on when the COPY data has arrived (copyDone)
	}
	s.endQuery(ctx, err)
}

// runStatements runs the statements of a simple Query in order; a COPY FROM
// STDIN stops it, keeping the statements after it for when its data is in.
func (s *Session) runStatements(ctx context.Context, stmts []*planner.Statement) error {
	for i, st := range stmts {
		if err := s.runSimple(ctx, st); err != nil {
			return err
		}
		if s.copyIn != nil {
			s.copyIn.rest = stmts[i+1:]
			return nil
		}
	}
	return nil
}

// endQuery ends a simple Query message: the error, if any, the implicit
// transaction's commit, ReadyForQuery.
func (s *Session) endQuery(ctx context.Context, err error) {
	if err != nil {
		s.fail(ctx, err, false)
		if s.ended {
			return
		}
	}
	s.reportParams(ctx)
	if s.txStatus == 'I' {
		s.closePortals()
		if err := s.txn.Commit(ctx); err != nil {
			s.out.Send(ctx, protocol.ErrorResponse(pgerr.From(err)))
		}
	}
	if !s.ended {
		s.readyForQuery(ctx)
	}
}

func (s *Session) runSimple(ctx context.Context, st *planner.Statement) error {
	if err := s.checkAborted(st.Kind); err != nil {
		return err
	}
	if err := st.NoParams(); err != nil {
		return err
	}
	plan, err := s.planner.Prepare(s, st, nil)
	if err != nil {
		return err
	}
	if err := s.fold(plan, nil); err != nil {
		return err
	}
	if plan.Columns != nil {
		if err := s.out.Send(ctx, rowDescription(plan.Columns, nil)); err != nil {
			return err
		}
	}
	p := &portal{prep: &prepared{stmt: st, plan: plan}}
	_, err = s.run(ctx, p, 0)
	return err
}

// checkAborted refuses everything but the end of the block in a failed transaction.
func (s *Session) checkAborted(k planner.Kind) error {
	if s.txStatus != 'E' {
		return nil
	}
	switch k {
	case planner.KindCommit, planner.KindRollback, planner.KindRollbackTo:
		return nil
	}
	return pgerr.New(pgerrcode.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
}

// run executes (or resumes) a portal, sending at most maxRows rows (0: all) and then
// CommandComplete, or PortalSuspended when rows remain. It reports whether the
// portal is done.
func (s *Session) run(ctx context.Context, p *portal, maxRows uint32) (bool, error) {
	if p.done { // a completed portal runs again and returns nothing more
		tag := p.tag
		if strings.HasPrefix(tag, "SELECT ") {
			tag = "SELECT 0"
		}
		return true, s.out.Send(ctx, &pgproto3.CommandComplete{CommandTag: []byte(tag)})
	}
	sctx, done := s.beginStatement()
	defer done()
	plan := p.prep.plan
	if plan.Kind == planner.KindCopy {
		return s.runCopy(ctx, sctx, p)
	}
	if p.rows == nil {
		s.notices = nil
		if (plan.Kind == planner.KindCommit || plan.Kind == planner.KindRollback) && plan.Tx.Chain && s.txStatus == 'I' {
			return false, pgerr.New(pgerrcode.NoActiveSQLTransaction, "%s AND CHAIN can only be used in transaction blocks", plan.Kind)
		}
		if plan.Kind == planner.KindCommit && s.txStatus == 'T' {
			s.closePortals()
			if err := s.txn.Commit(sctx); err != nil {
				s.txStatus = 'I'
				s.vars = s.savedVars
				s.savedVars, s.localUndo = nil, nil
				return false, err
			}
		}
		if plan.Kind == planner.KindCommit && s.txStatus == 'I' {
			// COMMIT in a Query message ends its implicit transaction: what came
			// before it is committed (PostgreSQL warns that no block was open).
			if err := s.txn.Commit(sctx); err != nil {
				return false, err
			}
		}
		if plan.Kind == planner.KindRollback || plan.Kind == planner.KindCommit && s.txStatus == 'E' {
			s.txn.Abort()
		}
		switch plan.Kind {
		case planner.KindSavepoint, planner.KindRelease, planner.KindRollbackTo:
			if err := s.savepointStatement(sctx, plan.Kind, plan.Savepoint); err != nil {
				return false, err
			}
		case planner.KindSetTransaction:
			if err := s.setTransaction(sctx, plan.Tx); err != nil {
				return false, err
			}
		}
		if notice := s.transactionControl(plan); notice != nil {
			s.out.Send(ctx, notice)
		}
		if s.txStatus != 'I' && takesSnapshot(plan.Kind) {
			s.queried = true
			if err := s.takeSnapshot(sctx); err != nil {
				return false, err
			}
		}
		rows, err := plan.Execute(sctx, s, p.params)
		if err != nil {
			return false, statementError(sctx, err)
		}
		p.rows = rows
	}
	var sent uint32
	for maxRows == 0 || sent < maxRows {
		row, err := p.rows.Next(sctx)
		if err == io.EOF {
			p.done = true
			p.tag = p.rows.Tag()
			if plan.Kind == planner.KindCommit && s.commitRolledBack {
				p.tag = "ROLLBACK"
				s.commitRolledBack = false
			}
			p.rows.Close()
			p.rows = nil
			for _, n := range s.notices {
				s.out.Send(ctx, n)
			}
			s.notices = nil
			s.reportParams(ctx)
			return true, s.out.Send(ctx, &pgproto3.CommandComplete{CommandTag: []byte(p.tag)})
		}
		if err != nil {
			p.rows.Close()
			p.rows = nil
			p.done = true
			return false, statementError(sctx, err)
		}
		dr, err := dataRow(plan.Columns, p.resultFormats, row)
		if err != nil {
			return false, err
		}
		if err := s.out.Send(sctx, dr); err != nil {
			return false, statementError(sctx, err)
		}
		sent++
	}
	return false, s.out.Send(ctx, &pgproto3.PortalSuspended{})
}

// transactionControl moves the transaction status for BEGIN/COMMIT/ROLLBACK and
// returns the warning PostgreSQL gives for a redundant one.
func (s *Session) transactionControl(plan *planner.Plan) pgproto3.BackendMessage {
	warn := warning
	k := plan.Kind
	switch k {
	case planner.KindBegin:
		if s.txStatus != 'I' {
			return warn(pgerrcode.ActiveSQLTransaction, "there is already a transaction in progress")
		}
		s.txStatus = 'T'
		s.savedVars = s.vars.Clone()
		s.localUndo = map[string]string{}
		s.beginBlock(plan.Tx)
	case planner.KindCommit, planner.KindRollback:
		if s.txStatus == 'I' {
			return warn(pgerrcode.NoActiveSQLTransaction, "there is no transaction in progress")
		}
		chained := s.blockModes() // AND CHAIN begins the next block with them
		if s.txStatus == 'E' || k == planner.KindRollback {
			s.commitRolledBack = s.txStatus == 'E' && k == planner.KindCommit
			s.vars = s.savedVars
		} else {
			for name, prev := range s.localUndo {
				s.vars.Assign(name, prev) // a value it had, so valid; role too
			}
		}
		s.savedVars, s.localUndo, s.spVars, s.queried = nil, nil, nil, false
		s.txStatus = 'I'
		if plan.Tx.Chain {
			s.txStatus = 'T'
			s.savedVars = s.vars.Clone()
			s.localUndo = map[string]string{}
			s.beginBlock(chained)
		}
	}
	return nil
}

func warning(code, msg string) pgproto3.BackendMessage {
	return &pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: code, Message: msg}
}

// parseOptions reads the "options" startup parameter as PostgreSQL does: command-line
// switches "-c name=value" or "--name=value", separated by spaces, where a backslash
// escapes the next character.
func parseOptions(s string) (map[string]string, error) {
	var args []string
	var cur strings.Builder
	inArg := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inArg = true
		case c == ' ' || c == '\t' || c == '\n':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		var kv string
		switch a := args[i]; {
		case a == "-c" && i+1 < len(args):
			i++
			kv = args[i]
		case strings.HasPrefix(a, "-c"):
			kv = a[2:]
		case strings.HasPrefix(a, "--"):
			kv = a[2:]
		default:
			return nil, pgerr.Fatal(pgerrcode.FeatureNotSupported, "invalid command-line argument for server process: %s", a)
		}
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, pgerr.Fatal(pgerrcode.SyntaxError, "-c %s requires a value", kv)
		}
		out[strings.ReplaceAll(name, "-", "_")] = val
	}
	return out, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
