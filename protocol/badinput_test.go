package protocol

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/storage/pgerr"
)

// startupPacket builds a startup packet: length, code, then payload.
func startupPacket(code uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	b = binary.BigEndian.AppendUint32(b, code)
	return append(b, payload...)
}

// params encodes startup parameters in order, with the final terminator.
func params(kv ...string) []byte {
	var b []byte
	for _, s := range kv {
		b = append(append(b, s...), 0)
	}
	return append(b, 0)
}

const code30 = 3 << 16

// TestBadStartupPacket sends startup packets that must be refused, and checks
// the FATAL the client gets and the error Handshake returns.
func TestBadStartupPacket(t *testing.T) {
	tests := []struct {
		name    string
		bytes   []byte
		code    string
		message string
	}{
		{"length too small", []byte{0, 0, 0, 3, 0, 0, 0, 0}, "08P01", "invalid length of startup packet"},
		{"length negative", []byte{0xff, 0xff, 0xff, 0xff, 0, 3, 0, 0}, "08P01", "invalid length of startup packet"},
		{"length absurd", []byte{0, 0, 0x27, 0x11, 0, 3, 0, 0}, "08P01", "invalid length of startup packet"},
		{"length huge", []byte{0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0}, "08P01", "invalid length of startup packet"},
		{"HTTP request", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "08P01", "invalid length of startup packet"},
		{"unknown code", startupPacket(0, params()), "08P01", "unrecognized startup packet code 0"},
		{"unknown request code", startupPacket(1234<<16|9999, nil), "08P01", "unrecognized startup packet code"},
		{"protocol 2.0", startupPacket(2<<16, params("user", "alice")), "0A000",
			"unsupported frontend protocol 2.0: server supports 3.0 to 3.0"},
		{"protocol 4.0", startupPacket(4<<16, params("user", "alice")), "0A000", "unsupported frontend protocol 4.0"},
		{"no terminator", startupPacket(code30, []byte("user\x00alice\x00")), "08P01", "invalid startup packet layout"},
		{"name without value", startupPacket(code30, []byte("user\x00\x00\x00\x00")[:5]), "08P01", "invalid startup packet layout"},
		{"bytes after terminator", startupPacket(code30, []byte("user\x00alice\x00\x00x\x00")), "08P01", "invalid startup packet layout"},
		{"empty parameters", startupPacket(code30, nil), "08P01", "invalid startup packet layout"},
		{"missing user", startupPacket(code30, params("database", "postgres")), "28000",
			"no PostgreSQL user name specified in startup packet"},
		{"empty user", startupPacket(code30, params("user", "")), "28000", "no PostgreSQL user name"},
		{"SSLRequest with payload", startupPacket(1234<<16|5679, []byte{0, 0, 0, 0}), "08P01", "invalid SSL negotiation request"},
		{"second SSLRequest", append(startupPacket(1234<<16|5679, nil), startupPacket(1234<<16|5679, nil)...), "08P01",
			"invalid SSL negotiation request"},
		{"second GSSENCRequest", append(startupPacket(1234<<16|5680, nil), startupPacket(1234<<16|5680, nil)...), "08P01",
			"invalid GSSAPI encryption request"},
	}
	s := startServer(t, &Options{AuthRules: trustAll()})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, s)
			c.write(tt.bytes)
			// Single-byte answers to SSLRequest/GSSENCRequest come first; skip them.
			var first [1]byte
			if _, err := io.ReadFull(c.nc, first[:]); err != nil {
				t.Fatalf("read: %v", err)
			}
			if first[0] == 'N' {
				if _, err := io.ReadFull(c.nc, first[:]); err != nil {
					t.Fatalf("read: %v", err)
				}
			}
			if first[0] != 'E' {
				t.Fatalf("want an ErrorResponse, got message type %q", first[0])
			}
			c.fe = pgproto3.NewFrontend(io.MultiReader(bytes.NewReader(first[:]), c.nc), c.nc)
			c.expectError(tt.code, tt.message)
			c.expectClosed()
			wantCode(t, s.result(t).handshakeErr, tt.code)
		})
	}
}

// TestStartupRequests covers the requests that precede a StartupMessage.
func TestStartupRequests(t *testing.T) {
	s := startServer(t, &Options{AuthRules: trustAll()})

	t.Run("SSLRequest without TLS", func(t *testing.T) {
		c := dialRaw(t, s)
		c.write(startupPacket(1234<<16|5679, nil))
		var b [1]byte
		if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
			t.Fatalf("want 'N', got %q %v", b[0], err)
		}
		c.startup("trusty")
		c.send(&pgproto3.Terminate{})
		if res := s.result(t); res.startup.TLS || res.receiveErr != nil {
			t.Fatalf("server: %+v", res)
		}
	})

	t.Run("GSSENCRequest", func(t *testing.T) {
		c := dialRaw(t, s)
		c.write(startupPacket(1234<<16|5680, nil))
		var b [1]byte
		if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
			t.Fatalf("want 'N', got %q %v", b[0], err)
		}
		c.startup("trusty")
		c.send(&pgproto3.Terminate{})
		s.result(t)
	})

	t.Run("CancelRequest", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send(&pgproto3.CancelRequest{ProcessID: 4242, SecretKey: []byte{1, 2, 3, 4}})
		c.expectClosed()
		res := s.result(t)
		if res.handshakeErr != nil || res.cancel == nil || *res.cancel != (CancelRequest{ProcessID: 4242, SecretKey: 0x01020304}) {
			t.Fatalf("server: %+v cancel %+v", res, res.cancel)
		}
	})

	t.Run("CancelRequest with a long key", func(t *testing.T) {
		c := dialRaw(t, s)
		c.write(startupPacket(1234<<16|5678, make([]byte, 40)))
		c.expectClosed()
		wantCode(t, s.result(t).handshakeErr, "08P01")
	})

	t.Run("protocol 3.2 is negotiated down", func(t *testing.T) {
		c := dialRaw(t, s)
		c.write(startupPacket(3<<16|2, params("user", "trusty", "_pq_.extension", "x", "application_name", "app")))
		npv, ok := c.receive().(*pgproto3.NegotiateProtocolVersion)
		if !ok || npv.NewestMinorProtocol != 0 || len(npv.UnrecognizedOptions) != 1 || npv.UnrecognizedOptions[0] != "_pq_.extension" {
			t.Fatalf("want NegotiateProtocolVersion 0 [_pq_.extension], got %#v", npv)
		}
		if _, ok := c.receive().(*pgproto3.AuthenticationOk); !ok {
			t.Fatal("want AuthenticationOk")
		}
		c.nc.Close()
		res := s.result(t)
		if res.startup.Params["application_name"] != "app" || len(res.startup.Params) != 1 {
			t.Fatalf("params %v", res.startup.Params)
		}
		// The close is a FIN, or a reset when the test server's own messages were
		// still unread in the client's socket: either way the client is gone.
		if !errors.Is(res.receiveErr, io.EOF) && !errors.Is(res.receiveErr, syscall.ECONNRESET) {
			t.Fatalf("client closed: want io.EOF or a reset from Receive, got %v", res.receiveErr)
		}
	})

	t.Run("unencrypted data after SSLRequest", func(t *testing.T) {
		tlsServer := startServer(t, &Options{AuthRules: trustAll(), TLS: selfSignedTLS(t)})
		c := dialRaw(t, tlsServer)
		c.write(append(startupPacket(1234<<16|5679, nil), startupPacket(code30, params("user", "trusty"))...))
		c.expectError("08P01", "received unencrypted data after SSL request")
		wantCode(t, tlsServer.result(t).handshakeErr, "08P01")
	})

	t.Run("direct TLS without ALPN", func(t *testing.T) {
		tlsServer := startServer(t, &Options{AuthRules: trustAll(), TLS: selfSignedTLS(t)})
		tc, err := tls.Dial("tcp", tlsServer.ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tc.Close()
		c := &rawClient{t: t, nc: tc, fe: pgproto3.NewFrontend(tc, tc)}
		c.expectError("08P01", "without ALPN")
		wantCode(t, tlsServer.result(t).handshakeErr, "08P01")
	})

	t.Run("client hangs up before sending anything", func(t *testing.T) {
		c := dialRaw(t, s)
		c.nc.Close()
		if err := s.result(t).handshakeErr; !errors.Is(err, io.EOF) {
			t.Fatalf("want an io.EOF error, got %v", err)
		}
	})
}

// TestAuthTimeout checks that a client that sends nothing is cut off at
// AuthTimeout, and that cancelling the context ends a handshake too.
func TestAuthTimeout(t *testing.T) {
	s := startServer(t, &Options{AuthRules: config.DefaultAuthRules(), AuthTimeout: 200 * time.Millisecond})
	c := dialRaw(t, s)
	// Start a SCRAM exchange and stall in the middle of it.
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "alice"}})
	if _, ok := c.receive().(*pgproto3.AuthenticationSASL); !ok {
		t.Fatal("want AuthenticationSASL")
	}
	start := time.Now()
	c.expectError("57014", "canceling authentication due to timeout")
	c.expectClosed()
	wantCode(t, s.result(t).handshakeErr, "57014")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}
	if !strings.Contains(s.log.String(), "canceling authentication due to timeout") {
		t.Errorf("log lacks the timeout: %s", s.log.String())
	}

	// Cancelling the context (server shutdown) ends a waiting handshake.
	client, server := net.Pipe()
	defer client.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := Handshake(ctx, server, &Options{AuthRules: trustAll(), Roles: newTestRoles(t)})
		done <- err
	}()
	go func() { _, _ = io.Copy(io.Discard, client) }()
	cancel()
	select {
	case err := <-done:
		wantCode(t, err, "57P01")
	case <-time.After(5 * time.Second):
		t.Fatal("Handshake did not return after its context was cancelled")
	}
}

// receiveAfterStartup logs in as trusty over a raw connection, sends raw, and
// returns the server's account of the connection.
func receiveAfterStartup(t *testing.T, s *testServer, raw []byte, closeWrite bool) (*rawClient, connResult) {
	t.Helper()
	c := dialRaw(t, s)
	c.startup("trusty")
	c.write(raw)
	if closeWrite {
		if err := c.nc.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
	}
	return c, s.result(t)
}

// TestBadMessages sends bad messages after a successful startup: Receive must
// return a FATAL 08P01, which the server loop sends to the client.
func TestBadMessages(t *testing.T) {
	const limit = 4096
	s := startServer(t, &Options{AuthRules: trustAll(), MaxMessageSize: limit})
	header := func(typ byte, length uint32) []byte {
		return binary.BigEndian.AppendUint32([]byte{typ}, length)
	}
	tests := []struct {
		name       string
		raw        []byte
		closeWrite bool
		message    string
	}{
		{name: "unknown message type", raw: append(header('Z', 4), 0), message: "invalid frontend message type 90"},
		{name: "password message after startup", raw: append(header('p', 8), "abc\x00"...), message: "invalid frontend message type 112"},
		{name: "length below 4", raw: header('Q', 3), message: "invalid message length 3"},
		{name: "negative length", raw: header('Q', 0x80000000), message: "invalid message length"},
		{name: "over the size limit", raw: header('Q', 1<<30), message: "more than the limit of 4096 bytes"},
		{name: "just over the size limit", raw: header('Q', limit+1), message: "more than the limit"},
		{name: "truncated body", raw: append(header('Q', 100), "select"...), closeWrite: true, message: "incomplete message from client"},
		{name: "truncated header", raw: []byte{'Q', 0, 0}, closeWrite: true, message: "incomplete message from client"},
		{name: "query without terminator", raw: append(header('Q', 10), "select"...), message: "malformed Query message"},
		{name: "sync with a body", raw: append(header('S', 5), 0), message: "malformed Sync message"},
		{name: "bind with bad counts", raw: append(header('B', 10), 0, 0, 0xff, 0xff, 0, 0), message: "malformed Bind message"},
		{name: "describe without name", raw: append(header('D', 5), 'S'), message: "malformed Describe message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, res := receiveAfterStartup(t, s, tt.raw, tt.closeWrite)
			e := wantCode(t, res.receiveErr, "08P01")
			if !e.IsFatal() || !strings.Contains(e.Message, tt.message) {
				t.Fatalf("Receive: %v, want FATAL containing %q", e, tt.message)
			}
			c.expectError("08P01", tt.message)
			c.expectClosed()
		})
	}

	t.Run("a message at the limit is fine", func(t *testing.T) {
		q := strings.Repeat("x", limit-5) // length word + text + NUL = limit
		c, res := receiveAfterStartup(t, s, mustEncode(t, &pgproto3.Query{String: q}, &pgproto3.Terminate{}), false)
		_ = c
		if res.receiveErr != nil || len(res.received) != 2 || res.received[0].(*pgproto3.Query).String != q {
			t.Fatalf("server: %v, %d messages", res.receiveErr, len(res.received))
		}
	})

	t.Run("clean close", func(t *testing.T) {
		c := dialRaw(t, s)
		c.startup("trusty")
		c.nc.Close()
		if err := s.result(t).receiveErr; err != io.EOF {
			t.Fatalf("want io.EOF, got %v", err)
		}
	})
}

// TestOversizedMessageWithPgconn sends a query over the limit with pgx: the client
// sees 08P01 and the server's Receive returned it.
func TestOversizedMessageWithPgconn(t *testing.T) {
	s := startServer(t, &Options{AuthRules: trustAll(), MaxMessageSize: 1024})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, connString(s, "trusty", "", "postgres", "disable"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "select 1").ReadAll(); err != nil {
		t.Fatalf("small query: %v", err)
	}
	_, err = conn.Exec(ctx, "select '"+strings.Repeat("x", 2000)+"'").ReadAll()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "08P01" || pgErr.Severity != "FATAL" {
		t.Fatalf("want FATAL 08P01, got %v", err)
	}
	wantCode(t, s.result(t).receiveErr, "08P01")
}

func mustEncode(t *testing.T, msgs ...pgproto3.FrontendMessage) []byte {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// TestReceiveOwnsMessages checks that a message returned by Receive stays intact
// after later Receives, so it can be handed to another goroutine.
func TestReceiveOwnsMessages(t *testing.T) {
	stream := mustEncode(t,
		&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1", Parameters: [][]byte{[]byte("first"), nil}},
		&pgproto3.CopyData{Data: []byte("copy data one")},
		&pgproto3.Bind{DestinationPortal: "p2", PreparedStatement: "s2", Parameters: [][]byte{[]byte("XXXXX"), []byte("y")}},
		&pgproto3.CopyData{Data: []byte("XXXX XXXX XXX")},
		&pgproto3.Parse{Name: "s", Query: "select $1", ParameterOIDs: []uint32{23}},
		&pgproto3.Execute{Portal: "p", MaxRows: 10},
		&pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Close{ObjectType: 'P', Name: "p"},
		&pgproto3.Flush{},
		&pgproto3.CopyDone{},
		&pgproto3.CopyFail{Message: "no"},
		&pgproto3.FunctionCall{Function: 1, Arguments: [][]byte{[]byte("a")}},
		&pgproto3.Sync{},
	)
	conn := newConn(&memConn{r: bytes.NewReader(stream)}, nil, 0)
	var got []pgproto3.FrontendMessage
	for {
		msg, err := conn.Receive()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, msg)
	}
	if len(got) != 13 {
		t.Fatalf("got %d messages", len(got))
	}
	b := got[0].(*pgproto3.Bind)
	if string(b.Parameters[0]) != "first" || b.Parameters[1] != nil || b.DestinationPortal != "p1" {
		t.Errorf("first Bind changed: %+v", b)
	}
	if d := got[1].(*pgproto3.CopyData); string(d.Data) != "copy data one" {
		t.Errorf("first CopyData changed: %q", d.Data)
	}
	if p := got[4].(*pgproto3.Parse); p.Query != "select $1" || p.ParameterOIDs[0] != 23 {
		t.Errorf("Parse: %+v", p)
	}
}

// TestErrorResponse checks the mapping of errors to ErrorResponse fields.
func TestErrorResponse(t *testing.T) {
	syntax := pgerr.Syntax(8, "syntax error at or near \"x\"").WithHint("try again").WithDetail("details")
	tests := []struct {
		name string
		err  error
		want pgproto3.ErrorResponse
	}{
		{"pgerr", syntax, pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "42601",
			Message: `syntax error at or near "x"`, Detail: "details", Hint: "try again", Position: 8}},
		{"wrapped pgerr", errors.Join(errors.New("context"), pgerr.ProtocolViolation("bad")),
			pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "08P01", Message: "bad"}},
		{"plain error", errors.New("boom"),
			pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "XX000", Message: "boom"}},
		{"nil", nil, pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "XX000",
			Message: "internal error: no error to report"}},
		{"pgerr without code", &pgerr.Error{Message: "m"},
			pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "XX000", Message: "m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ErrorResponse(tt.err)
			if got.Severity != tt.want.Severity || got.SeverityUnlocalized != tt.want.SeverityUnlocalized ||
				got.Code != tt.want.Code || got.Message != tt.want.Message || got.Detail != tt.want.Detail ||
				got.Hint != tt.want.Hint || got.Position != tt.want.Position {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if _, err := got.Encode(nil); err != nil {
				t.Errorf("encode: %v", err)
			}
		})
	}
}
