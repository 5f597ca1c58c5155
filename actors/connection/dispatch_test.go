package connection

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// goroutineID is the runtime's number of the calling goroutine (from its stack
// header, "goroutine N [running]:").
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return string(bytes.Fields(buf)[1])
}

// recorder is an actor that records the goroutine each message ran on.
type recorder struct {
	mu   sync.Mutex
	runs []string
	got  chan struct{}
}

func (r *recorder) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(int); ok {
		r.mu.Lock()
		r.runs = append(r.runs, goroutineID())
		r.mu.Unlock()
		r.got <- struct{}{}
	}
}

func TestLoopDispatcherRunsTheMailboxOnOneGoroutine(t *testing.T) {
	sys := actor.NewActorSystem()
	d := newLoopDispatcher(sessionThroughput)
	r := &recorder{got: make(chan struct{}, 1)}
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return r }, actor.WithDispatcher(d)))
	for i := 0; i < 20; i++ {
		sys.Root.Send(pid, i) // one at a time: the mailbox goes idle between messages
		select {
		case <-r.got:
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d not processed", i)
		}
	}
	r.mu.Lock()
	for i, g := range r.runs {
		if g != r.runs[0] {
			t.Fatalf("message %d ran on goroutine %s, message 0 on %s", i, g, r.runs[0])
		}
	}
	r.mu.Unlock()

	// After Close the actor still gets what is sent to it (on other goroutines).
	d.Close()
	sys.Root.Send(pid, 99)
	select {
	case <-r.got:
	case <-time.After(5 * time.Second):
		t.Fatal("message after Close not processed")
	}
	sys.Root.Stop(pid)
}
