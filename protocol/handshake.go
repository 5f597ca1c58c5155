package protocol

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/storage/pgerr"
)

// Role is what the handshake needs to know about a role.
type Role struct {
	Name      string
	Superuser bool
	CanLogin  bool
	// SCRAM is the role's password verifier in PostgreSQL's rolpassword format,
	// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (base64 salt and
	// keys), as made by NewSCRAMVerifier; "" means the role has no password.
	SCRAM string
	// ValidUntil is when the password expires (VALID UNTIL); nil: never.
	ValidUntil *time.Time
	// ConnLimit is the role's CONNECTION LIMIT; nil: none.
	ConnLimit *int
	// Config are the role's session defaults (ALTER ROLE ... SET), "name=value".
	Config []string
}

// Roles is how the handshake looks up roles and databases. It is implemented
// above this package, from the data directory, and must be safe for concurrent use.
type Roles interface {
	Role(name string) (Role, bool)
	DatabaseExists(name string) bool
}

// Options configure Handshake and the Conn it returns. One Options value may be
// shared by all connections; Handshake does not modify it.
type Options struct {
	// TLS is the server's TLS configuration; nil answers 'N' to SSLRequest.
	TLS *tls.Config
	// MaxMessageSize bounds a frontend message's length (the value of its length
	// field); a longer message is a FATAL 08P01. <= 0 means no limit.
	MaxMessageSize int64
	// AuthRules decide how a connection authenticates: the first rule that matches
	// wins, and a connection that matches none is refused.
	AuthRules []config.AuthRule
	// Roles looks up roles and databases.
	Roles Roles
	// AuthTimeout bounds the whole startup phase, TLS and authentication
	// included (PostgreSQL's authentication_timeout). <= 0 means no limit.
	AuthTimeout time.Duration
	// Logger receives a line for every refused connection. It should already
	// carry the connection id.
	Logger zerolog.Logger
	// MockAuthSecret keys the salts of the mock SCRAM exchanges run for unknown
	// roles (PostgreSQL's mock_auth_nonce). It should be a random value kept with
	// the data directory, so that mock salts are stable across restarts but cannot
	// be computed by a client. When empty a fixed key is used: mock exchanges
	// still fail like a wrong password, but someone who knows the key can tell an
	// unknown role from a real one by its salt.
	MockAuthSecret []byte
}

// Startup is what a client asked for in its StartupMessage, and who it is.
type Startup struct {
	User, Database string
	// Params holds the other startup parameters (application_name,
	// client_encoding, DateStyle, options, ...), by name as the client sent them.
	Params     map[string]string
	TLS        bool
	RemoteAddr net.Addr
	// Role is the authenticated role.
	Role Role
}

// CancelRequest is a request, on a connection of its own, to cancel the statement
// running in the session with this backend key.
type CancelRequest struct{ ProcessID, SecretKey uint32 }

// Startup packet codes and limits, from PostgreSQL's pqcomm.h.
const (
	protocolMajor          = 3
	protocolMinor          = 0
	codeCancelRequest      = 1234<<16 | 5678
	codeSSLRequest         = 1234<<16 | 5679
	codeGSSENCRequest      = 1234<<16 | 5680
	maxStartupPacketLength = 10000 // MAX_STARTUP_PACKET_LENGTH
	minStartupPacketLength = 8     // length word and code
	cancelPacketLength     = 16
	// tlsHandshakeRecord is the first byte of a TLS ClientHello (a handshake
	// record); no startup packet can begin with it, since its length would
	// exceed maxStartupPacketLength.
	tlsHandshakeRecord = 0x16
	// alpnProtocol is the ALPN protocol name of PostgreSQL over direct TLS.
	alpnProtocol = "postgresql"
	// maxAuthMessageLength bounds a SASL message (PG_MAX_AUTH_TOKEN_LENGTH, plus
	// the length word).
	maxAuthMessageLength = 65535 + 4
	// sendFatalTimeout bounds the write of a FATAL error once the startup phase has
	// already failed (after a timeout, the socket's own deadline has passed).
	sendFatalTimeout = time.Second
)

// Handshake runs the startup phase on nc: SSLRequest (TLS when opts.TLS is set,
// 'N' otherwise) or direct TLS, GSSENCRequest (always 'N'), CancelRequest, and StartupMessage,
// then authentication by the first matching rule of opts.AuthRules, the role's
// right to log in and the database's existence. On success it has sent
// AuthenticationOk and returns the Conn; the caller sends ParameterStatus,
// BackendKeyData and ReadyForQuery. For a CancelRequest it closes nc and returns
// the request.
//
// On failure it has sent a FATAL ErrorResponse where the protocol allows one,
// logged the failure (except for a client that just went away), closed nc, and
// returns the error, a *pgerr.Error. A client that closed the connection during
// startup (as psql does when it must ask for a password) gives an error for which
// errors.Is(err, io.EOF) holds; it is not worth logging.
//
// The whole phase ends at opts.AuthTimeout and when ctx is cancelled.
func Handshake(ctx context.Context, nc net.Conn, opts *Options) (*Conn, *CancelRequest, error) {
	if opts == nil {
		opts = &Options{}
	}
	h := &handshake{
		opts:   opts,
		raw:    nc,
		conn:   newConn(nc, nil, opts.MaxMessageSize),
		remote: nc.RemoteAddr(),
	}
	if opts.AuthTimeout > 0 {
		if err := nc.SetDeadline(time.Now().Add(opts.AuthTimeout)); err != nil {
			nc.Close()
			return nil, nil, pgerr.Wrap(err, pgerrcode.ConnectionFailure, "could not set the authentication deadline")
		}
	}
	// Cancelling ctx interrupts any read or write in progress.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	cancel, err := h.run(ctx)
	if err == nil && cancel == nil && !stop() {
		// ctx was cancelled as the handshake finished; its deadline is on the socket.
		err = h.interrupted(ctx, os.ErrDeadlineExceeded)
	}
	if err != nil {
		e := pgerr.From(err)
		h.log(e)
		h.conn.Close()
		return nil, nil, e
	}
	if cancel != nil {
		h.conn.Close()
		return nil, cancel, nil
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		h.conn.Close()
		return nil, nil, pgerr.Wrap(err, pgerrcode.ConnectionFailure, "could not clear the authentication deadline")
	}
	return h.conn, nil, nil
}

// handshake is the state of one startup phase.
type handshake struct {
	opts   *Options
	raw    net.Conn // the socket, below any TLS
	conn   *Conn    // the connection as it stands: over raw, or over TLS once negotiated
	remote net.Addr
	tls    bool
	user   string
	db     string
}

// run reads startup packets until a StartupMessage or CancelRequest arrives, and
// authenticates. Its errors are *pgerr.Error, already sent where a reply is
// possible.
func (h *handshake) run(ctx context.Context) (*CancelRequest, error) {
	sslDone, gssDone := false, false
	direct, err := h.directTLS(ctx)
	if err != nil {
		return nil, err
	}
	if direct {
		sslDone, gssDone = true, true
	}
	for {
		code, payload, err := h.readStartupPacket(ctx)
		if err != nil {
			return nil, err
		}
		switch code {
		case codeSSLRequest:
			if sslDone || len(payload) != 0 {
				return nil, h.fatal(pgerr.ProtocolViolation("invalid SSL negotiation request"))
			}
			sslDone = true
			if err := h.negotiateTLS(ctx); err != nil {
				return nil, err
			}
			// No GSS encryption inside TLS.
			gssDone = gssDone || h.tls
		case codeGSSENCRequest:
			if gssDone || len(payload) != 0 {
				return nil, h.fatal(pgerr.ProtocolViolation("invalid GSSAPI encryption request"))
			}
			gssDone = true
			if err := h.writeRaw('N'); err != nil {
				return nil, h.ioError(ctx, err)
			}
		case codeCancelRequest:
			// A cancel request gets no reply, not even an error (PostgreSQL only logs).
			if len(payload) != cancelPacketLength-minStartupPacketLength {
				return nil, pgerr.ProtocolViolation("invalid length of cancel request packet")
			}
			return &CancelRequest{
				ProcessID: binary.BigEndian.Uint32(payload[0:4]),
				SecretKey: binary.BigEndian.Uint32(payload[4:8]),
			}, nil
		default:
			major, minor := code>>16, code&0xffff
			switch {
			case major == protocolMajor:
				return nil, h.startup(ctx, minor, payload)
			case major == 0 || major >= 1234:
				// Not a protocol version at all: 1234 is the range of the special requests.
				return nil, h.fatal(pgerr.ProtocolViolation("unrecognized startup packet code %d", code))
			default:
				return nil, h.fatal(pgerr.Fatal(pgerrcode.FeatureNotSupported,
					"unsupported frontend protocol %d.%d: server supports %d.0 to %d.%d",
					major, minor, protocolMajor, protocolMajor, protocolMinor))
			}
		}
	}
}

// readStartupPacket reads a length-prefixed startup packet and returns its code
// and the bytes after the code.
func (h *handshake) readStartupPacket(ctx context.Context) (uint32, []byte, error) {
	var lenWord [4]byte
	if n, err := io.ReadFull(h.conn.br, lenWord[:]); err != nil {
		if n > 0 && errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, pgerr.ProtocolViolation("incomplete startup packet")
		}
		return 0, nil, h.ioError(ctx, err)
	}
	length := int32(binary.BigEndian.Uint32(lenWord[:]))
	if length < minStartupPacketLength || length > maxStartupPacketLength {
		return 0, nil, h.fatal(pgerr.ProtocolViolation("invalid length of startup packet"))
	}
	packet := make([]byte, length-4)
	if _, err := io.ReadFull(h.conn.br, packet); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, pgerr.ProtocolViolation("incomplete startup packet")
		}
		return 0, nil, h.ioError(ctx, err)
	}
	return binary.BigEndian.Uint32(packet[:4]), packet[4:], nil
}

// negotiateTLS answers an SSLRequest, and runs the TLS handshake when TLS is configured.
func (h *handshake) negotiateTLS(ctx context.Context) error {
	if h.opts.TLS == nil {
		if err := h.writeRaw('N'); err != nil {
			return h.ioError(ctx, err)
		}
		return nil
	}
	if h.conn.br.Buffered() > 0 {
		// Bytes sent before the TLS handshake could have been injected by a man in
		// the middle (CVE-2021-23214); PostgreSQL refuses them too.
		return h.fatal(pgerr.ProtocolViolation("received unencrypted data after SSL request").
			WithDetail("This could be either a client-software bug or evidence of an attempted man-in-the-middle attack."))
	}
	if err := h.writeRaw('S'); err != nil {
		return h.ioError(ctx, err)
	}
	return h.startTLS(ctx, h.raw, h.opts.TLS)
}

// directTLS checks whether the client began with a TLS ClientHello instead of a
// startup packet (PostgreSQL 17's sslnegotiation=direct) and, when TLS is
// configured, runs the TLS handshake. It reports whether TLS is now in place.
func (h *handshake) directTLS(ctx context.Context) (bool, error) {
	if h.opts.TLS == nil {
		return false, nil
	}
	first, err := h.conn.br.Peek(1)
	if err != nil {
		return false, h.ioError(ctx, err)
	}
	if first[0] != tlsHandshakeRecord {
		return false, nil
	}
	// Direct TLS must negotiate the "postgresql" ALPN protocol, so that a TLS
	// session meant for another service cannot be replayed here.
	cfg := h.opts.TLS.Clone()
	cfg.NextProtos = []string{alpnProtocol}
	// The bytes already buffered are the start of the ClientHello.
	if err := h.startTLS(ctx, &bufferedConn{Conn: h.raw, r: h.conn.br}, cfg); err != nil {
		return false, err
	}
	if h.conn.nc.(*tls.Conn).ConnectionState().NegotiatedProtocol != alpnProtocol {
		return false, h.fatal(pgerr.ProtocolViolation("received direct SSL connection request without ALPN protocol negotiation extension"))
	}
	return true, nil
}

// startTLS runs the server side of a TLS handshake on nc and switches the
// connection over to the TLS session.
func (h *handshake) startTLS(ctx context.Context, nc net.Conn, cfg *tls.Config) error {
	tc := tls.Server(nc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return h.interrupted(ctx, err)
		}
		if clientGone(err) {
			return goneError(err)
		}
		e := pgerr.ProtocolViolation("could not accept SSL connection: %v", err)
		e.Err = err
		return e
	}
	h.conn = newConn(tc, nil, h.opts.MaxMessageSize)
	h.tls = true
	return nil
}

// bufferedConn is a net.Conn whose reads come from r, a buffered reader over the
// Conn itself that has already consumed some of the stream.
type bufferedConn struct {
	net.Conn
	r io.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// writeRaw writes a one-byte answer to SSLRequest or GSSENCRequest.
func (h *handshake) writeRaw(b byte) error {
	_, err := h.conn.nc.Write([]byte{b})
	return err
}

// startup handles a StartupMessage of protocol 3.minor whose parameters are payload.
func (h *handshake) startup(ctx context.Context, minor uint32, payload []byte) error {
	params, unrecognized, perr := parseStartupParams(payload)
	if perr != nil {
		return h.fatal(perr)
	}
	h.user = params["user"]
	h.db = params["database"]
	delete(params, "user")
	delete(params, "database")
	if h.user == "" {
		return h.fatal(pgerr.Fatal(pgerrcode.InvalidAuthorizationSpecification,
			"no PostgreSQL user name specified in startup packet"))
	}
	if h.db == "" {
		h.db = h.user
	}
	if minor > protocolMinor || len(unrecognized) > 0 {
		h.conn.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: protocolMinor, UnrecognizedOptions: unrecognized})
	}

	role, err := h.authenticate(ctx)
	if err != nil {
		return err
	}
	if !role.CanLogin {
		return h.fatal(pgerr.Fatal(pgerrcode.InvalidAuthorizationSpecification, "role \"%s\" is not permitted to log in", h.user))
	}
	if h.opts.Roles == nil || !h.opts.Roles.DatabaseExists(h.db) {
		return h.fatal(pgerr.Fatal(pgerrcode.InvalidCatalogName, "database \"%s\" does not exist", h.db))
	}
	h.conn.Send(&pgproto3.AuthenticationOk{})
	if err := h.conn.Flush(); err != nil {
		return h.ioError(ctx, err)
	}
	h.conn.startup = Startup{
		User:       h.user,
		Database:   h.db,
		Params:     params,
		TLS:        h.tls,
		RemoteAddr: h.remote,
		Role:       role,
	}
	return nil
}

// parseStartupParams parses the name/value pairs of a StartupMessage. Options
// named "_pq_.*" (protocol extensions) are returned apart; Augur knows none.
func parseStartupParams(payload []byte) (map[string]string, []string, *pgerr.Error) {
	layoutError := pgerr.ProtocolViolation("invalid startup packet layout: expected terminator as last byte")
	if len(payload) == 0 || payload[len(payload)-1] != 0 {
		return nil, nil, layoutError
	}
	params := make(map[string]string)
	var unrecognized []string
	rest := payload
	for {
		name, after, ok := cutString(rest)
		if !ok {
			return nil, nil, layoutError
		}
		if name == "" {
			if len(after) != 0 {
				return nil, nil, layoutError
			}
			return params, unrecognized, nil
		}
		value, after, ok := cutString(after)
		if !ok {
			return nil, nil, layoutError
		}
		if strings.HasPrefix(name, "_pq_.") {
			unrecognized = append(unrecognized, name)
		} else {
			params[name] = value
		}
		rest = after
	}
}

// cutString splits a NUL-terminated string off the front of b.
func cutString(b []byte) (string, []byte, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return "", nil, false
}

// fatal sends e to the client, if the socket takes it, and returns e.
func (h *handshake) fatal(e *pgerr.Error) *pgerr.Error {
	h.conn.Send(ErrorResponse(e))
	_ = h.conn.Flush()
	return e
}

// ioError turns an error from the socket during startup into the error Handshake returns.
func (h *handshake) ioError(ctx context.Context, err error) *pgerr.Error {
	var pe *pgerr.Error
	switch {
	case ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
		return h.interrupted(ctx, err)
	case clientGone(err):
		return goneError(err)
	case errors.As(err, &pe):
		return h.fatal(pe)
	}
	return pgerr.Wrap(err, pgerrcode.ConnectionFailure, "could not communicate with the client during startup")
}

// interrupted reports the end of the startup phase by timeout or cancellation,
// telling the client why if it is still listening.
func (h *handshake) interrupted(ctx context.Context, cause error) *pgerr.Error {
	var e *pgerr.Error
	if ctx.Err() != nil {
		e = pgerr.Fatal(pgerrcode.AdminShutdown, "terminating connection due to administrator command")
	} else {
		e = pgerr.Fatal(pgerrcode.QueryCanceled, "canceling authentication due to timeout")
	}
	e.Err = cause
	if err := h.raw.SetDeadline(time.Now().Add(sendFatalTimeout)); err == nil {
		h.fatal(e)
	}
	return e
}

// goneError is the error for a client that closed the connection during startup.
func goneError(cause error) *pgerr.Error {
	return &pgerr.Error{
		Code:     pgerrcode.ConnectionFailure,
		Message:  "client closed the connection during startup",
		Severity: pgerr.SeverityFatal,
		Err:      fmt.Errorf("%w (%w)", io.EOF, cause),
	}
}

// clientGone reports whether err means the client closed or reset the connection.
func clientGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}

// log writes the line for a refused connection.
func (h *handshake) log(e *pgerr.Error) {
	if errors.Is(e, io.EOF) {
		return
	}
	ev := h.opts.Logger.Warn()
	if !isAuthFailure(e) {
		// Garbage from port scanners and broken clients: worth a line, not an alarm.
		ev = h.opts.Logger.Info()
	}
	remote := "[unknown]"
	if h.remote != nil {
		remote = h.remote.String()
	}
	ev = ev.Str("remote", remote).
		Bool("tls", h.tls).
		Str("sqlstate", e.Code).
		Str("reason", e.Message)
	if h.user != "" {
		ev = ev.Str("user", h.user).Str("database", h.db)
	}
	if e.Err != nil {
		ev = ev.AnErr("cause", e.Err)
	}
	ev.Msg(logMessage(e))
}

// isAuthFailure reports whether e refuses a client for who it is or what it asked
// for, rather than for how it speaks the protocol.
func isAuthFailure(e *pgerr.Error) bool {
	return strings.HasPrefix(e.Code, "28") || e.Code == pgerrcode.InvalidCatalogName
}

func logMessage(e *pgerr.Error) string {
	switch {
	case strings.HasPrefix(e.Code, "28"):
		return "authentication failed"
	case e.Code == pgerrcode.InvalidCatalogName:
		return "connection refused"
	case e.Code == pgerrcode.QueryCanceled:
		return "canceling authentication due to timeout"
	}
	return "connection startup failed"
}

// addrString renders a client address the way PostgreSQL's messages do.
func addrString(a net.Addr) string {
	switch a := a.(type) {
	case nil:
		return "[unknown]"
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UnixAddr:
		return "[local]"
	}
	return a.String()
}
