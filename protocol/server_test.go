package protocol

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/storage/pgerr"
)

// This file is test scaffolding: a minimal server loop around Handshake and
// Receive, standing in for the connection and session actors.

// testRoles is an in-memory Roles.
type testRoles struct {
	roles map[string]Role
	dbs   map[string]bool
}

func (r *testRoles) Role(name string) (Role, bool) {
	role, ok := r.roles[name]
	return role, ok
}

func (r *testRoles) DatabaseExists(name string) bool { return r.dbs[name] }

// testPassword is the password of every test role that has one.
const testPassword = "correct horse battery staple"

// newTestRoles returns the roles the tests log in as: alice (SCRAM password,
// superuser), bob (SCRAM password), nopass (no password), nologin (password, but
// may not log in), and trusty; and the databases postgres, alice, bob, trusty.
func newTestRoles(t testing.TB) *testRoles {
	t.Helper()
	verifier, err := NewSCRAMVerifier(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return &testRoles{
		roles: map[string]Role{
			"alice":   {Name: "alice", Superuser: true, CanLogin: true, SCRAM: verifier},
			"bob":     {Name: "bob", CanLogin: true, SCRAM: verifier},
			"nopass":  {Name: "nopass", CanLogin: true},
			"nologin": {Name: "nologin", CanLogin: false, SCRAM: verifier},
			"trusty":  {Name: "trusty", CanLogin: true},
		},
		dbs: map[string]bool{"postgres": true, "alice": true, "bob": true, "trusty": true, "nologin": true},
	}
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// connResult is what the server side saw on one connection.
type connResult struct {
	handshakeErr error
	cancel       *CancelRequest
	startup      Startup
	received     []pgproto3.FrontendMessage
	receiveErr   error // the error that ended the Receive loop; nil after Terminate
}

type testServer struct {
	ln      net.Listener
	opts    *Options
	port    int
	log     *syncBuffer
	results chan connResult
	ctx     context.Context
	wg      sync.WaitGroup
}

// startServer listens on 127.0.0.1 and serves every connection with Handshake and
// a loop that answers Query with EmptyQueryResponse. opts gets Roles and a Logger
// when it has none.
func startServer(t *testing.T, opts *Options) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := serveOn(t, ln, opts)
	s.port = ln.Addr().(*net.TCPAddr).Port
	return s
}

// serveOn is startServer on a listener of the caller's.
func serveOn(t *testing.T, ln net.Listener, opts *Options) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{
		ln:      ln,
		opts:    opts,
		log:     &syncBuffer{},
		results: make(chan connResult, 64),
		ctx:     ctx,
	}
	if opts.Roles == nil {
		opts.Roles = newTestRoles(t)
	}
	opts.Logger = zerolog.New(s.log)
	if opts.AuthTimeout == 0 {
		opts.AuthTimeout = 10 * time.Second
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.results <- serveConn(ctx, nc, opts)
			}()
		}
	}()
	t.Cleanup(func() {
		cancel()
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// result waits for the server's account of the next finished connection.
func (s *testServer) result(t *testing.T) connResult {
	t.Helper()
	select {
	case r := <-s.results:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the server side of the connection")
		return connResult{}
	}
}

// serveConn is the test stand-in for the connection actor.
func serveConn(ctx context.Context, nc net.Conn, opts *Options) connResult {
	conn, cancel, err := Handshake(ctx, nc, opts)
	if err != nil || cancel != nil {
		return connResult{handshakeErr: err, cancel: cancel}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	res := connResult{startup: conn.Startup()}
	conn.Send(&pgproto3.ParameterStatus{Name: "server_version", Value: "15.0 (Augur test)"})
	conn.Send(&pgproto3.ParameterStatus{Name: "client_encoding", Value: "UTF8"})
	conn.Send(&pgproto3.ParameterStatus{Name: "standard_conforming_strings", Value: "on"})
	conn.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 2}})
	conn.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	if err := conn.Flush(); err != nil {
		res.receiveErr = err
		return res
	}
	for {
		msg, err := conn.Receive()
		if err != nil {
			res.receiveErr = err
			var pe *pgerr.Error
			if errors.As(err, &pe) {
				conn.Send(ErrorResponse(err))
				_ = conn.Flush()
			}
			return res
		}
		res.received = append(res.received, msg)
		switch msg.(type) {
		case *pgproto3.Query:
			conn.Send(&pgproto3.EmptyQueryResponse{})
			conn.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		case *pgproto3.Sync:
			conn.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		case *pgproto3.Terminate:
			return res
		}
		if err := conn.Flush(); err != nil {
			res.receiveErr = err
			return res
		}
	}
}

// selfSignedTLS returns a server TLS configuration with a fresh self-signed
// certificate for 127.0.0.1.
func selfSignedTLS(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "augur test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12,
	}
}

// rawClient speaks the protocol byte by byte, for the tests of bad input.
type rawClient struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t *testing.T, s *testServer) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	if err := nc.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	var buf []byte
	for _, m := range msgs {
		var err error
		if buf, err = m.Encode(buf); err != nil {
			c.t.Fatal(err)
		}
	}
	c.write(buf)
}

// receive returns the next backend message (a copy is not needed: callers look
// at it before the next receive).
func (c *rawClient) receive() pgproto3.BackendMessage {
	c.t.Helper()
	msg, err := c.fe.Receive()
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	return msg
}

// startup sends a StartupMessage and reads up to ReadyForQuery (for a trust login).
func (c *rawClient) startup(user string) {
	c.t.Helper()
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": user}})
	for {
		switch m := c.receive().(type) {
		case *pgproto3.ReadyForQuery:
			return
		case *pgproto3.ErrorResponse:
			c.t.Fatalf("startup: %s: %s", m.Code, m.Message)
		}
	}
}

// expectError reads messages up to an ErrorResponse and checks its SQLSTATE and
// that the message contains want.
func (c *rawClient) expectError(code, want string) *pgproto3.ErrorResponse {
	c.t.Helper()
	for {
		msg, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("want ErrorResponse %s, got %v", code, err)
		}
		if e, ok := msg.(*pgproto3.ErrorResponse); ok {
			if e.Code != code || !strings.Contains(e.Message, want) || e.Severity != "FATAL" {
				c.t.Fatalf("got %s %s %q, want FATAL %s containing %q", e.Severity, e.Code, e.Message, code, want)
			}
			return e
		}
	}
}

// expectClosed checks that the server closes the connection.
func (c *rawClient) expectClosed() {
	c.t.Helper()
	buf := make([]byte, 1)
	for {
		_, err := c.nc.Read(buf)
		if err == nil {
			continue
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
			c.t.Fatalf("want the server to close the connection, got %v", err)
		}
		return
	}
}

// trustAll is a rule set that lets every role in without a password.
func trustAll() []config.AuthRule {
	return []config.AuthRule{{User: "all", Database: "all", Address: "all", Method: config.MethodTrust}}
}

// wantCode checks that err is a *pgerr.Error with the SQLSTATE code.
func wantCode(t *testing.T, err error, code string) *pgerr.Error {
	t.Helper()
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want *pgerr.Error %s, got %T %v", code, err, err)
	}
	if pe.Code != code {
		t.Fatalf("want SQLSTATE %s, got %s (%v)", code, pe.Code, err)
	}
	return pe
}
