package connection

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgx/v5/pgproto3"
)

// stallingSocket is a socket whose Flush blocks until released, like a client that
// does not read.
type stallingSocket struct {
	mu      sync.Mutex
	release chan struct{}
	sent    int
	closed  bool
}

func (s *stallingSocket) Send(pgproto3.BackendMessage) { s.mu.Lock(); s.sent++; s.mu.Unlock() }
func (s *stallingSocket) Flush() error {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("closed")
	}
	return nil
}
func (s *stallingSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
	}
	return nil
}

func TestOutboxStopsTheProducerWhenTheClientStalls(t *testing.T) {
	sock := &stallingSocket{release: make(chan struct{})}
	o := NewOutbox(sock, OutboxOptions{CreditBytes: 64 << 10, BatchBytes: 8 << 10})
	row := &pgproto3.DataRow{Values: [][]byte{make([]byte, 1000)}}
	produced := make(chan int)
	go func() {
		n := 0
		for ; n < 10000; n++ {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			err := o.Send(ctx, row)
			cancel()
			if err != nil {
				break
			}
		}
		produced <- n
	}()
	n := <-produced
	if n >= 10000 {
		t.Fatal("the producer was never stopped")
	}
	if in := o.InFlight(); in > 64<<10 {
		t.Fatalf("%d bytes in flight exceed the 64 KiB credits", in)
	}
	// Sent rows, unwritten, are bounded by credits plus one pending batch.
	if bound := (64<<10+8<<10)/1000 + 2; n > bound {
		t.Fatalf("producer got %d rows ahead, bound %d", n, bound)
	}
	close(sock.release) // the client reads again
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := 0; i < 100; i++ {
		if err := o.Send(ctx, row); err != nil {
			t.Fatalf("after the client resumed: %v", err)
		}
	}
	if err := o.FlushWait(ctx); err != nil {
		t.Fatal(err)
	}
	o.Close(time.Second)
	if o.InFlight() != 0 {
		t.Fatalf("credits leaked: %d in flight after close", o.InFlight())
	}
}

func TestOutboxAbortWakesAWaitingProducer(t *testing.T) {
	sock := &stallingSocket{release: make(chan struct{})}
	o := NewOutbox(sock, OutboxOptions{CreditBytes: 4096, BatchBytes: 1024})
	errc := make(chan error)
	go func() {
		row := &pgproto3.DataRow{Values: [][]byte{make([]byte, 512)}}
		for {
			if err := o.Send(context.Background(), row); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	o.Abort()
	close(sock.release)
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("no error after Abort")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("producer still waiting after Abort")
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	a, b := &fakeBackend{}, &fakeBackend{}
	pa, sa, ok := r.Register(a, 2)
	if !ok {
		t.Fatal("register a")
	}
	if _, _, ok := r.Register(b, 1); ok {
		t.Fatal("registered beyond the limit")
	}
	pb, _, _ := r.Register(b, 2)
	if pa == pb {
		t.Fatal("duplicate backend pid")
	}
	if r.Cancel(pa, sa+1) || a.cancels != 0 {
		t.Fatal("cancel with a wrong secret worked")
	}
	if !r.Cancel(pa, sa) || a.cancels != 1 || b.cancels != 0 {
		t.Fatal("cancel did not reach exactly its session")
	}
	select {
	case <-r.Empty():
		t.Fatal("Empty closed with sessions registered")
	default:
	}
	r.Unregister(pa)
	r.Unregister(pb)
	select {
	case <-r.Empty():
	default:
		t.Fatal("Empty not closed after the last session left")
	}
}

type fakeBackend struct{ cancels, shutdowns int }

func (f *fakeBackend) CancelStatement(*pgerr.Error) { f.cancels++ }
func (f *fakeBackend) Shutdown()                    { f.shutdowns++ }

// directSocket is a socket that can write without blocking (TryFlusher): it
// takes at most room messages that way; Flush (the writer's) writes the rest,
// after release is closed.
type directSocket struct {
	mu       sync.Mutex
	buffered []byte // message ids encoded and not written
	written  []byte // message ids in the order they reached the client
	room     int
	tries    int
	flushes  int
	release  chan struct{}
}

func (s *directSocket) Send(m pgproto3.BackendMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buffered = append(s.buffered, m.(*pgproto3.DataRow).Values[0][0])
}

func (s *directSocket) TryFlush() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	n := min(s.room, len(s.buffered))
	s.room -= n
	s.written = append(s.written, s.buffered[:n]...)
	s.buffered = s.buffered[n:]
	return len(s.buffered) * 100, nil
}

func (s *directSocket) Flush() error {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushes++
	s.written = append(s.written, s.buffered...)
	s.buffered = nil
	return nil
}

func (s *directSocket) Close() error { return nil }

func (s *directSocket) state() (written string, tries, flushes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.written), s.tries, s.flushes
}

func TestOutboxWritesDirectlyWhenNothingIsInFlight(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	row := func(id byte) *pgproto3.DataRow { return &pgproto3.DataRow{Values: [][]byte{{id}}} }
	send := func(t *testing.T, o *Outbox, ids string) {
		t.Helper()
		for i := range len(ids) {
			if err := o.Send(ctx, row(ids[i])); err != nil {
				t.Fatal(err)
			}
		}
		if err := o.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("the socket takes it all", func(t *testing.T) {
		sock := &directSocket{room: 100, release: make(chan struct{})}
		o := NewOutbox(sock, DefaultOutboxOptions())
		defer o.Close(time.Second)
		send(t, o, "abc")
		send(t, o, "de")
		// Written by Flush itself: the writer (blocked in Flush until release) was never asked.
		if w, tries, flushes := sock.state(); w != "abcde" || tries != 2 || flushes != 0 {
			t.Fatalf("written %q, %d tries, %d writer flushes; want abcde, 2, 0", w, tries, flushes)
		}
		if o.InFlight() != 0 {
			t.Fatalf("%d bytes in flight after direct writes", o.InFlight())
		}
	})

	t.Run("the socket is full", func(t *testing.T) {
		sock := &directSocket{room: 1, release: make(chan struct{})}
		o := NewOutbox(sock, DefaultOutboxOptions())
		defer o.Close(time.Second)
		send(t, o, "abc") // a is written; b and c wait for the writer, which waits for release
		if w, _, _ := sock.state(); w != "a" {
			t.Fatalf("written %q, want a", w)
		}
		if o.InFlight() == 0 {
			t.Fatal("the unwritten rest holds no credits")
		}
		send(t, o, "de") // in flight: goes to the writer, behind b and c
		if _, tries, _ := sock.state(); tries != 1 {
			t.Fatalf("TryFlush called %d times; want 1 (never while a batch is in flight)", tries)
		}
		close(sock.release)
		if err := o.FlushWait(ctx); err != nil {
			t.Fatal(err)
		}
		if w, _, _ := sock.state(); w != "abcde" {
			t.Fatalf("written %q, want abcde", w)
		}
		if o.InFlight() != 0 {
			t.Fatalf("credits leaked: %d in flight", o.InFlight())
		}
	})
}
