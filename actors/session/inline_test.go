package session

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/augurdb/augur/protocol"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"
)

// waitReady waits for n ReadyForQuery messages.
func waitReady(t *testing.T, out *collector, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-out.rfq:
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d ReadyForQuery", i, n)
		}
	}
}

// results returns what the session sent, as text: the first value of each
// DataRow, "E:<code>" for an error, "Z" for ReadyForQuery.
func (c *collector) results() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var got []string
	for _, m := range c.msgs {
		switch m := m.(type) {
		case *pgproto3.DataRow:
			got = append(got, string(m.Values[0]))
		case *pgproto3.ErrorResponse:
			got = append(got, "E:"+m.Code)
		case *pgproto3.ReadyForQuery:
			got = append(got, "Z")
		}
	}
	return got
}

func (c *collector) reset() {
	c.mu.Lock()
	c.msgs = nil
	c.mu.Unlock()
}

// A burst that arrives while a statement runs on the actor goes through the
// mailbox behind it; the reader takes over again only once the actor has
// processed everything told to it. The results keep the order of the stream.
func TestRunIdleKeepsOrderBehindTheActor(t *testing.T) {
	s, sys, pid, out := startTestSession(t)
	defer sys.Shutdown()
	out.reset()

	s.Tell(sys.Root, pid, &Frontend{Msg: &pgproto3.Query{String: "SELECT 'slow', pg_sleep(0.2)"}})
	const burst = 50
	var told, ran int
	for i := 1; i <= burst; i++ {
		q := &pgproto3.Query{String: fmt.Sprintf("SELECT %d", i)}
		if s.RunIdle(q) {
			ran++
			continue
		}
		s.Tell(sys.Root, pid, &Frontend{Msg: q})
		told++
	}
	if told == 0 {
		t.Fatal("RunIdle ran a message while one told before it was still queued")
	}
	waitReady(t, out, 1+told)
	for range ran {
		<-out.rfq // those ran inline: their ReadyForQuery is already there
	}
	// Idle again once the actor lets go (it sent its last ReadyForQuery just
	// before): the next message runs on the calling goroutine, and its response
	// is out when RunIdle returns.
	for deadline := time.Now().Add(30 * time.Second); !s.RunIdle(&pgproto3.Query{String: "SELECT 'last'"}); {
		if time.Now().After(deadline) {
			t.Fatal("RunIdle refused an idle session")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-out.rfq:
	default:
		t.Fatal("RunIdle returned before the response was sent")
	}

	want := []string{"slow", "Z"}
	for i := 1; i <= burst; i++ {
		want = append(want, fmt.Sprint(i), "Z")
	}
	want = append(want, "last", "Z")
	if got := out.results(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("results out of order:\n got %v\nwant %v", got, want)
	}
	if n := s.queued.Load(); n != 0 {
		t.Fatalf("queued = %d after everything was processed", n)
	}
}

// CancelStatement reaches a statement that runs on the reader's goroutine.
func TestRunIdleCancel(t *testing.T) {
	s, sys, _, out := startTestSession(t)
	defer sys.Shutdown()
	out.reset()

	waitIdle(t, s)
	done := make(chan bool)
	go func() { done <- s.RunIdle(&pgproto3.Query{String: "SELECT pg_sleep(30)"}) }()
	waitRunning(t, s)
	s.CancelStatement(pgerr.New(pgerrcode.QueryCanceled, "canceling statement due to user request"))
	if !<-done {
		t.Fatal("RunIdle refused an idle session")
	}
	<-out.rfq
	if got, want := fmt.Sprint(out.results()), "[E:57014 Z]"; got != want {
		t.Fatalf("cancelled statement sent %s, want %s", got, want)
	}
}

// A shutdown requested while a statement runs on the reader's goroutine ends the
// session after that statement, with FATAL 57P01, and the session drops what
// arrives after its end.
func TestRunIdleShutdownAfterStatement(t *testing.T) {
	s, sys, pid, out := startTestSession(t)
	defer sys.Shutdown()
	out.reset()

	waitIdle(t, s)
	done := make(chan bool)
	go func() { done <- s.RunIdle(&pgproto3.Query{String: "SELECT 'finished', pg_sleep(0.2)"}) }()
	waitRunning(t, s)
	s.Shutdown() // the actor waits for the running statement
	if !<-done {
		t.Fatal("RunIdle refused an idle session")
	}
	<-out.rfq
	// The actor takes its turn; until then a message may go either way, and
	// is dropped either way.
	for deadline := time.Now().Add(30 * time.Second); ; {
		msg := &pgproto3.Query{String: "SELECT 'too late'"}
		if !s.RunIdle(msg) {
			s.Tell(sys.Root, pid, &Frontend{Msg: msg})
		}
		s.exec.Lock()
		ended := s.ended
		s.exec.Unlock()
		if ended {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the session did not end after its statement")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Let any message told before the end be processed (and dropped).
	s.Tell(sys.Root, pid, &Frontend{Msg: &pgproto3.Sync{}})
	for s.queued.Load() != 0 {
		time.Sleep(time.Millisecond)
	}
	if got, want := fmt.Sprint(out.results()), "[finished Z E:57P01]"; got != want {
		t.Fatalf("session sent %s, want %s", got, want)
	}
}

// waitIdle waits until the actor has started and let go of the session.
func waitIdle(t *testing.T, s *Session) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		s.exec.Lock()
		idle := s.live && s.queued.Load() == 0
		s.exec.Unlock()
		if idle {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the session did not become idle")
		}
		time.Sleep(time.Millisecond)
	}
}

// waitRunning waits until the session has a statement running.
func waitRunning(t *testing.T, s *Session) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		s.mu.Lock()
		running := s.cancel != nil
		s.mu.Unlock()
		if running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the statement did not start")
		}
		time.Sleep(time.Millisecond)
	}
}

// panicOnError is an Output whose Send panics on an ErrorResponse: a bug in the
// session outside any statement's recovery.
type panicOnError struct{ collector }

func (p *panicOnError) Send(ctx context.Context, m pgproto3.BackendMessage) error {
	if _, ok := m.(*pgproto3.ErrorResponse); ok {
		panic("output failed")
	}
	return p.collector.Send(ctx, m)
}

// newPanickingSession returns a session (not yet spawned) whose output panics
// at the first ErrorResponse: a panic that escapes statement processing.
func newPanickingSession(t *testing.T) (*Session, *panicOnError) {
	t.Helper()
	out := &panicOnError{collector{rfq: make(chan struct{}, 16)}}
	s, err := New(Options{
		Startup:       protocol.Startup{User: "augur", Database: "augur", Role: protocol.Role{Name: "augur", Superuser: true}},
		Out:           out,
		ServerVersion: "15.0 (Augur test)",
		Log:           zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, out
}

// A panic that escapes the session on the reader's goroutine does not reach the
// reader: the session actor stops (its connection then ends with FATAL XX000),
// and the reader runs nothing more on it.
func TestRunIdlePanicStopsTheSession(t *testing.T) {
	sys := actor.NewActorSystem()
	defer sys.Shutdown()
	s, out := newPanickingSession(t)
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return s }))
	<-out.rfq
	waitIdle(t, s)

	if !s.RunIdle(&pgproto3.Query{String: "SELECT 1/0"}) { // the error's report panics
		t.Fatal("RunIdle refused an idle session")
	}
	if s.RunIdle(&pgproto3.Query{String: "SELECT 1"}) {
		t.Fatal("RunIdle ran a message on a session whose actor was stopped by a panic")
	}
	if err := sys.Root.StopFuture(pid).Wait(); err != nil {
		t.Fatalf("the session actor did not stop: %v", err)
	}
}

// A panic that escapes the actor's Receive leaves the session to the actor's
// supervision: the reader runs nothing more on it, even before the actor has
// stopped.
func TestActorPanicStopsRunIdle(t *testing.T) {
	sys := actor.NewActorSystem()
	defer sys.Shutdown()
	s, out := newPanickingSession(t)
	// As the connection spawns it: a failed session is stopped, not restarted.
	stop := actor.NewOneForOneStrategy(0, time.Second, func(any) actor.Directive { return actor.StopDirective })
	parent := sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*actor.Started); ok {
			c.Spawn(actor.PropsFromProducer(func() actor.Actor { return s }))
		}
	}, actor.WithSupervisor(stop)))
	defer sys.Root.Stop(parent)
	<-out.rfq
	waitIdle(t, s)

	pid := s.self.Load()
	s.Tell(sys.Root, pid, &Frontend{Msg: &pgproto3.Query{String: "SELECT 1/0"}}) // the error's report panics
	for s.queued.Load() != 0 {
		time.Sleep(time.Millisecond)
	}
	s.exec.Lock() // the actor has let go
	live := s.live
	s.exec.Unlock()
	if live {
		t.Fatal("the session is still open to the reader after a panic escaped its actor")
	}
	if s.RunIdle(&pgproto3.Query{String: "SELECT 1"}) {
		t.Fatal("RunIdle ran a message on a session whose actor failed")
	}
}
