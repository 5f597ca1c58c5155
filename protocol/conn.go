package protocol

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/augurdb/augur/storage/pgerr"
)

const (
	// readBufferSize is the socket read buffer. PostgreSQL uses 8 KiB.
	readBufferSize = 8 << 10
	// eagerBodyLimit is the largest message body that is allocated in one piece
	// from its declared length. Larger bodies grow as their bytes arrive, so a
	// client cannot make the server allocate memory it has not sent.
	eagerBodyLimit = 1 << 20
	// shrinkWriteBuffer is the capacity above which Flush drops the write buffer
	// rather than keep a large one alive for an idle connection.
	shrinkWriteBuffer = 1 << 20
)

// Conn is an authenticated client connection, returned by Handshake. It has a read
// side (Receive) and a write side (Send, Flush) that two goroutines may use at the
// same time; see the package documentation for the contract.
type Conn struct {
	nc      net.Conn // the socket, or the TLS session over it
	startup Startup

	// Read side.
	br             *bufio.Reader
	maxMessageSize int64

	// Write side.
	wbuf      []byte
	encodeErr error
	// raw is the socket's file descriptor access for TryFlush's non-blocking
	// write; nil when the connection is TLS (or not a socket).
	raw      syscall.RawConn
	tryWrite func(fd uintptr) bool // c.writeOnce, bound once
	tryN     int                   // tryWrite's result
	tryErr   error

	closeOnce sync.Once
	closeErr  error
}

func newConn(nc net.Conn, br *bufio.Reader, maxMessageSize int64) *Conn {
	if br == nil {
		br = bufio.NewReaderSize(nc, readBufferSize)
	}
	c := &Conn{nc: nc, br: br, maxMessageSize: maxMessageSize}
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
			c.tryWrite = c.writeOnce
		}
	}
	return c
}

// Startup returns what the client asked for and who it authenticated as. Its
// Params map is a copy the caller may change.
func (c *Conn) Startup() Startup {
	s := c.startup
	s.Params = maps.Clone(s.Params)
	return s
}

// RemoteAddr returns the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// frontendMessage returns a new, empty message for a frontend message type that is
// valid after the startup phase, or nil for any other type byte.
func frontendMessage(typ byte) pgproto3.FrontendMessage {
	switch typ {
	case 'B':
		return &pgproto3.Bind{}
	case 'C':
		return &pgproto3.Close{}
	case 'D':
		return &pgproto3.Describe{}
	case 'E':
		return &pgproto3.Execute{}
	case 'F':
		return &pgproto3.FunctionCall{}
	case 'H':
		return &pgproto3.Flush{}
	case 'P':
		return &pgproto3.Parse{}
	case 'Q':
		return &pgproto3.Query{}
	case 'S':
		return &pgproto3.Sync{}
	case 'X':
		return &pgproto3.Terminate{}
	case 'c':
		return &pgproto3.CopyDone{}
	case 'd':
		return &pgproto3.CopyData{}
	case 'f':
		return &pgproto3.CopyFail{}
	}
	return nil
}

// Receive reads the next frontend message. The message belongs to the caller: it
// shares no memory with the Conn and stays valid after later calls.
//
// Receive returns io.EOF when the client closed the connection between messages,
// and a FATAL *pgerr.Error with SQLSTATE 08P01 (protocol_violation) for a message of
// an unknown type, a malformed or truncated message, or a message longer than
// Options.MaxMessageSize (whose body is then not read). Any other error comes from
// the socket (a deadline, a reset, Close). After an error the Conn is unusable
// for reading; the caller sends the error to the client if it is a *pgerr.Error,
// and closes the Conn.
func (c *Conn) Receive() (pgproto3.FrontendMessage, error) {
	typ, body, err := c.readMessage(c.maxMessageSize, true)
	if err != nil {
		return nil, err
	}
	msg := frontendMessage(typ)
	if err := decode(msg, body); err != nil {
		return nil, err
	}
	return msg, nil
}

// readMessage reads one typed message. limit bounds the body length (<= 0: no
// limit other than the protocol's int32). When checkType is set, a type that
// frontendMessage does not know is refused before the body is read.
func (c *Conn) readMessage(limit int64, checkType bool) (byte, []byte, error) {
	var header [5]byte
	if n, err := io.ReadFull(c.br, header[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, readError(err)
	}
	typ := header[0]
	if checkType && frontendMessage(typ) == nil {
		return 0, nil, pgerr.ProtocolViolation("invalid frontend message type %d", typ)
	}
	length := int64(int32(binary.BigEndian.Uint32(header[1:])))
	if length < 4 {
		return 0, nil, pgerr.ProtocolViolation("invalid message length %d", length)
	}
	bodyLen := length - 4
	if limit > 0 && length > limit {
		return 0, nil, pgerr.ProtocolViolation("message of type %q is %d bytes long, more than the limit of %d bytes", typ, length, limit)
	}
	body, err := readBody(c.br, bodyLen)
	if err != nil {
		return 0, nil, readError(err)
	}
	return typ, body, nil
}

// readBody reads exactly n bytes into a new slice.
func readBody(r io.Reader, n int64) ([]byte, error) {
	if n <= eagerBodyLimit {
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	var buf bytes.Buffer
	buf.Grow(eagerBodyLimit)
	if _, err := io.CopyN(&buf, r, n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readError classifies an error from reading inside a message: the end of the
// stream there is a truncated message, anything else is the socket's error.
func readError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &pgerr.Error{
			Code:     pgerrcode.ProtocolViolation,
			Message:  "incomplete message from client",
			Severity: pgerr.SeverityFatal,
			Err:      io.ErrUnexpectedEOF,
		}
	}
	return fmt.Errorf("protocol: read from client: %w", err)
}

// decode decodes body into msg. pgproto3's decoders are written for untrusted
// input, but a connection must never take the server down, so a panic in one is
// turned into a protocol violation as well.
func decode(msg pgproto3.FrontendMessage, body []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = pgerr.ProtocolViolation("malformed %s message", messageName(msg))
		}
	}()
	if derr := msg.Decode(body); derr != nil {
		e := pgerr.ProtocolViolation("malformed %s message", messageName(msg))
		e.Err = derr
		return e
	}
	return nil
}

// messageName is the protocol documentation's name for a message, for errors.
func messageName(msg pgproto3.FrontendMessage) string {
	return fmt.Sprintf("%T", msg)[len("*pgproto3."):]
}

// Send appends msg to the write buffer. Nothing is written to the socket until
// Flush. An encoding error is kept and returned by the next Flush.
func (c *Conn) Send(msg pgproto3.BackendMessage) {
	if c.encodeErr != nil {
		return
	}
	buf, err := msg.Encode(c.wbuf)
	if err != nil {
		c.encodeErr = fmt.Errorf("protocol: encode %T: %w", msg, err)
		return
	}
	c.wbuf = buf
}

// Buffered returns the number of bytes Send has buffered and Flush not yet written.
func (c *Conn) Buffered() int { return len(c.wbuf) }

// Flush writes the buffered messages to the socket. After an error the
// connection is broken: the buffer is dropped and the caller closes the Conn.
func (c *Conn) Flush() error {
	if err := c.encodeErr; err != nil {
		c.encodeErr = nil
		c.wbuf = c.wbuf[:0]
		return err
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.wbuf)
	if cap(c.wbuf) > shrinkWriteBuffer {
		c.wbuf = nil
	} else {
		c.wbuf = c.wbuf[:0]
	}
	if err != nil {
		return fmt.Errorf("protocol: write to client: %w", err)
	}
	return nil
}

// TryFlush writes the buffered messages if the socket takes them now, without
// waiting: one non-blocking write(2). It returns how many bytes stay buffered
// (0: all written); they stay in order for Flush. It lets the goroutine that
// produced a response write it itself when the socket has room (nearly always),
// instead of waking a writer goroutine for every response. A TLS connection
// never writes here (its records are encrypted by the blocking tls.Conn.Write):
// everything stays buffered for Flush. Errors are Flush's.
func (c *Conn) TryFlush() (int, error) {
	if c.encodeErr != nil {
		return 0, c.Flush() // reports and clears the encoding error
	}
	if len(c.wbuf) == 0 || c.raw == nil {
		return len(c.wbuf), nil
	}
	c.tryN, c.tryErr = 0, nil
	err := c.raw.Write(c.tryWrite)
	if err == nil {
		err = c.tryErr
	}
	if err != nil {
		c.wbuf = c.wbuf[:0]
		return 0, fmt.Errorf("protocol: write to client: %w", err)
	}
	c.wbuf = c.wbuf[:copy(c.wbuf, c.wbuf[c.tryN:])]
	if len(c.wbuf) == 0 && cap(c.wbuf) > shrinkWriteBuffer {
		c.wbuf = nil
	}
	return len(c.wbuf), nil
}

// writeOnce is TryFlush's one write attempt on the socket's descriptor. Returning
// true tells the runtime not to wait for the socket to become writable.
func (c *Conn) writeOnce(fd uintptr) bool {
	for {
		n, err := syscall.Write(int(fd), c.wbuf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return true // full: Flush waits for room
		case err != nil:
			c.tryErr = err
			return true
		}
		c.tryN = n
		return true
	}
}

// SetReadDeadline sets the deadline for Receive (zero: none).
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline for Flush (zero: none).
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// Close closes the connection. A Receive or Flush blocked on the socket returns
// an error. Close may be called more than once and from any goroutine.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.nc.Close() })
	return c.closeErr
}
