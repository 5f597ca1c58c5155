package protocol

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/storage/pgerr"
)

// memConn is an in-memory net.Conn: reads come from r (io.EOF at its end), writes
// go to w (discarded when nil), deadlines are accepted and ignored since no call
// ever blocks.
type memConn struct {
	r io.Reader

	mu     sync.Mutex
	w      bytes.Buffer
	closed bool
}

func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return 0, net.ErrClosed
	}
	return c.r.Read(p)
}

func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	if c.w.Len() < 1<<20 {
		c.w.Write(p)
	}
	return len(p), nil
}

func (c *memConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

func (c *memConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5433} }
func (c *memConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzFrontend feeds arbitrary bytes, as the whole byte stream of a client, to
// Handshake and then to Receive until it fails. Nothing may panic or hang, and
// every failure must be a clean end of stream or a *pgerr.Error.
//
// Each input runs twice, without and with TLS configured. The rules send alice through SCRAM, refuse bob, and trust everyone else, so
// the fuzzer can reach the SASL exchange, the refusals and the message loop.
func FuzzFrontend(f *testing.F) {
	opts := &Options{
		AuthRules: []config.AuthRule{
			{User: "alice", Method: config.MethodSCRAM},
			{User: "bob", Method: config.MethodReject},
			{Method: config.MethodTrust},
		},
		Roles:          newTestRoles(f),
		MaxMessageSize: 1 << 16,
		AuthTimeout:    5 * time.Second,
		Logger:         zerolog.Nop(),
	}
	// The same, with TLS configured: SSLRequest and direct TLS then run a TLS
	// handshake over the fuzzed bytes.
	tlsOpts := *opts
	tlsOpts.TLS = selfSignedTLS(f)
	enc := func(msgs ...pgproto3.FrontendMessage) []byte {
		var b []byte
		for _, m := range msgs {
			var err error
			if b, err = m.Encode(b); err != nil {
				f.Fatal(err)
			}
		}
		return b
	}
	start := func(user string) *pgproto3.StartupMessage {
		return &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
			Parameters: map[string]string{"user": user, "database": "postgres", "application_name": "fuzz"}}
	}
	extended := []pgproto3.FrontendMessage{
		&pgproto3.Parse{Name: "s", Query: "select $1::int", ParameterOIDs: []uint32{23}},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 1}}, ResultFormatCodes: []int16{0}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Close{ObjectType: 'S', Name: "s"},
		&pgproto3.Flush{},
		&pgproto3.Sync{},
	}
	f.Add(enc(append([]pgproto3.FrontendMessage{start("trusty"), &pgproto3.Query{String: "select 1; select 2"}}, append(extended, &pgproto3.Terminate{})...)...))
	f.Add(enc(start("trusty"), &pgproto3.CopyData{Data: []byte("1\t2\n")}, &pgproto3.CopyDone{}, &pgproto3.CopyFail{Message: "x"},
		&pgproto3.FunctionCall{Function: 1, ArgFormatCodes: []uint16{0}, Arguments: [][]byte{[]byte("a")}}))
	f.Add(append(enc(&pgproto3.SSLRequest{}), enc(&pgproto3.GSSEncRequest{}, start("trusty"), &pgproto3.Query{String: ""})...))
	f.Add(enc(start("alice"), &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=abcdefgh")},
		&pgproto3.SASLResponse{Data: []byte("c=biws,r=abcdefgh,p=AAAA")}))
	f.Add(enc(start("alice"), &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256-PLUS", Data: []byte("p=tls-server-end-point,,n=,r=x")}))
	f.Add(enc(start("bob")))
	f.Add(enc(&pgproto3.CancelRequest{ProcessID: 1, SecretKey: []byte{0, 0, 0, 2}}))
	f.Add(enc(start("trusty"), &pgproto3.Query{String: "x"})[:40])
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte{0, 0, 0, 8, 0, 2, 0, 0})
	f.Add([]byte{0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0})

	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan error, 1)
		go func() {
			if err := runFrontend(opts, data); err != nil {
				done <- err
				return
			}
			done <- runFrontend(&tlsOpts, data)
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the message loop hung")
		}
	})
}

// runFrontend is one fuzz iteration: it returns an error for a broken contract.
func runFrontend(opts *Options, data []byte) error {
	nc := &memConn{r: bytes.NewReader(data)}
	conn, cancel, err := Handshake(context.Background(), nc, opts)
	if err != nil {
		var pe *pgerr.Error
		if !errors.As(err, &pe) {
			return errors.New("Handshake returned an error that is not a *pgerr.Error: " + err.Error())
		}
		return nil
	}
	if cancel != nil {
		return nil
	}
	defer conn.Close()
	for {
		msg, err := conn.Receive()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code != "08P01" || !pe.IsFatal() {
				return errors.New("Receive returned an error that is not a FATAL 08P01: " + err.Error())
			}
			conn.Send(ErrorResponse(err))
			return conn.Flush()
		}
		if msg == nil {
			return errors.New("Receive returned neither a message nor an error")
		}
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return nil
		}
	}
}
