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
