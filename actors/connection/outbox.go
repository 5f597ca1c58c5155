package connection

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/augurdb/augur/supervisor/budget"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Socket is the write side of a client connection: protocol.Conn implements it.
type Socket interface {
	Send(msg pgproto3.BackendMessage)
	Flush() error
	Close() error
}

// TryFlusher is a Socket that can write what it buffered without blocking, as
// far as the socket has room, and tells how many bytes it still holds
// (protocol.Conn.TryFlush).
type TryFlusher interface {
	TryFlush() (remaining int, err error)
}

// Outbox carries backend messages from the session to the socket. The session
// appends messages (Send) and hands them over in batches (at Flush, or when the
// pending batch passes batchBytes); a writer goroutine owned by the connection
// writes each batch to the socket and only then returns its credits. A session that
// runs out of credits waits in Send: a client that stops reading stops its session,
// and memory held for it stays under the credit capacity.
//
// When nothing is in flight, Flush writes the batch itself if the socket takes it
// without blocking (TryFlusher): a response that fits the socket's buffer — every
// short transaction's — then costs no hand-off to the writer goroutine and no
// wake-up. Whatever the socket does not take at once goes to the writer, so the
// session still never blocks on the socket, only on credits.
//
// Send, Flush, FlushWait and Close are called by one goroutine (the session's);
// Abort by anyone.
type Outbox struct {
	sock       Socket
	direct     TryFlusher // sock, if it can write without blocking; else nil
	credits    *budget.Credits
	batchBytes int64
	batches    chan batch

	// owned by the sending goroutine
	pending     []pgproto3.BackendMessage
	pendingSize int64

	closeOnce sync.Once
	done      chan struct{} // closed when the writer goroutine has exited

	mu  sync.Mutex
	err error // first write error
}

type batch struct {
	msgs []pgproto3.BackendMessage
	// encoded: the socket already holds bytes of this batch (a TryFlush that
	// wrote part of them) that the writer must flush, after msgs if any.
	encoded bool
	credits int64
	flushed chan struct{} // closed after the batch is written, if not nil
}

// OutboxOptions sizes an Outbox.
type OutboxOptions struct {
	// CreditBytes bounds the bytes handed to the writer but not yet written.
	CreditBytes int64
	// BatchBytes is the size at which a pending batch is handed over without a Flush.
	BatchBytes int64
}

// DefaultOutboxOptions: 1 MiB in flight, 64 KiB batches.
func DefaultOutboxOptions() OutboxOptions {
	return OutboxOptions{CreditBytes: 1 << 20, BatchBytes: 64 << 10}
}

// minBatchCredits is the least a batch holds, so that the batch queue is bounded.
const minBatchCredits = 256

// ErrOutboxClosed is returned by Send and Flush after the outbox is closed or the
// socket failed.
var ErrOutboxClosed = errors.New("connection: outbox closed")

// NewOutbox starts the writer goroutine for sock.
func NewOutbox(sock Socket, opts OutboxOptions) *Outbox {
	o := &Outbox{
		sock:       sock,
		credits:    budget.NewCredits(opts.CreditBytes),
		batchBytes: opts.BatchBytes,
		// The channel never blocks a sender holding credits: every batch holds at least minBatchCredits.
		batches: make(chan batch, opts.CreditBytes/minBatchCredits+1),
		done:    make(chan struct{}),
	}
	o.direct, _ = sock.(TryFlusher)
	go o.write()
	return o
}

func (o *Outbox) write() {
	defer close(o.done)
	for b := range o.batches {
		if (b.msgs != nil || b.encoded) && o.Err() == nil {
			for _, m := range b.msgs {
				o.sock.Send(m)
			}
			if err := o.sock.Flush(); err != nil {
				o.fail(fmt.Errorf("connection: write to client: %w", err))
			}
		}
		o.credits.Release(b.credits)
		if b.flushed != nil {
			close(b.flushed)
		}
	}
}

func (o *Outbox) fail(err error) {
	o.mu.Lock()
	if o.err == nil {
		o.err = err
	}
	o.mu.Unlock()
	o.credits.Close() // wake a waiting sender
	o.sock.Close()
}

// Err returns the first write error, if any.
func (o *Outbox) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// InFlight reports the bytes handed to the writer and not yet written.
func (o *Outbox) InFlight() int64 { return o.credits.InUse() }

// Send appends msg to the pending batch, handing the batch over when it is full. It
// waits for credits when the writer is behind; ctx ends the wait.
func (o *Outbox) Send(ctx context.Context, msg pgproto3.BackendMessage) error {
	if err := o.Err(); err != nil {
		return err
	}
	o.pending = append(o.pending, msg)
	o.pendingSize += messageSize(msg)
	if o.pendingSize >= o.batchBytes {
		return o.handOver(ctx, nil)
	}
	return nil
}

// Flush writes the pending batch, or hands it to the writer, without waiting for
// the client to read it.
func (o *Outbox) Flush(ctx context.Context) error {
	if len(o.pending) == 0 {
		return o.Err()
	}
	if o.direct != nil && o.credits.InUse() == 0 {
		return o.flushDirect(ctx)
	}
	return o.handOver(ctx, nil)
}

// flushDirect encodes the pending batch into the socket's buffer and writes it
// from the calling goroutine if the socket has room. It is called only when no
// batch is in flight: the writer goroutine then does not touch the socket (it
// returned the credits of its last batch after writing it), and the channel
// send of a later batch orders these writes before the writer's.
func (o *Outbox) flushDirect(ctx context.Context) error {
	if err := o.Err(); err != nil {
		return err
	}
	for i, m := range o.pending {
		o.sock.Send(m)
		o.pending[i] = nil
	}
	o.pending, o.pendingSize = o.pending[:0], 0 // the next batch reuses the slice
	remaining, err := o.direct.TryFlush()
	if err != nil {
		o.fail(fmt.Errorf("connection: write to client: %w", err))
		return o.Err()
	}
	if remaining == 0 {
		return nil
	}
	// The socket is full: the writer flushes the rest when the client reads.
	n, err := o.credits.Acquire(ctx, max(int64(remaining), minBatchCredits))
	if err != nil {
		return o.acquireError(err)
	}
	return o.enqueue(batch{encoded: true, credits: n})
}

// FlushWait hands the pending batch over and waits until it is written (or ctx ends).
func (o *Outbox) FlushWait(ctx context.Context) error {
	flushed := make(chan struct{})
	if err := o.handOver(ctx, flushed); err != nil {
		return err
	}
	select {
	case <-flushed:
		return o.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (o *Outbox) handOver(ctx context.Context, flushed chan struct{}) error {
	n, err := o.credits.Acquire(ctx, max(o.pendingSize, minBatchCredits))
	if err != nil {
		return o.acquireError(err)
	}
	b := batch{msgs: o.pending, credits: n, flushed: flushed}
	o.pending, o.pendingSize = nil, 0
	return o.enqueue(b)
}

func (o *Outbox) acquireError(err error) error {
	if errors.Is(err, budget.ErrClosed) {
		if werr := o.Err(); werr != nil {
			return werr
		}
		return ErrOutboxClosed
	}
	return err
}

func (o *Outbox) enqueue(b batch) error {
	select {
	case o.batches <- b:
		return nil
	default:
		// Unreachable while credits bound the batches; never block here.
		o.credits.Release(b.credits)
		return fmt.Errorf("connection: outbox queue full")
	}
}

// Close writes what was handed over (waiting at most linger), then closes the
// socket. Pending, unflushed messages are flushed first when possible.
func (o *Outbox) Close(linger time.Duration) {
	o.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), linger)
		defer cancel()
		if len(o.pending) > 0 {
			_ = o.handOver(ctx, nil)
		}
		close(o.batches)
		select {
		case <-o.done:
		case <-ctx.Done():
		}
		o.credits.Close()
		o.sock.Close()
	})
}

// Abort closes the socket at once (the client is gone, or the server must drop it):
// a Send waiting for credits returns an error, and the writer discards what is left.
func (o *Outbox) Abort() {
	o.fail(ErrOutboxClosed)
}

// messageSize estimates the encoded size of a backend message for credit accounting.
func messageSize(m pgproto3.BackendMessage) int64 {
	switch m := m.(type) {
	case *pgproto3.DataRow:
		n := int64(7)
		for _, v := range m.Values {
			n += 4 + int64(len(v))
		}
		return n
	case *pgproto3.RowDescription:
		n := int64(7)
		for _, f := range m.Fields {
			n += int64(len(f.Name)) + 19
		}
		return n
	case *pgproto3.ErrorResponse:
		return int64(64 + len(m.Message) + len(m.Detail) + len(m.Hint))
	}
	return 32
}
