// Package protocol speaks the PostgreSQL frontend/backend protocol, version 3.0, on
// one client connection: the startup phase (SSLRequest and TLS, GSSENCRequest,
// CancelRequest, StartupMessage), authentication by ordered rules in the manner of
// pg_hba.conf (SCRAM-SHA-256, trust, reject), and the framing of the messages that
// follow. It turns errors into ErrorResponse messages. It knows nothing of SQL,
// plans or storage: the connection and session actors above it decide what a
// message means.
//
// # Why the framing is written here
//
// Message decoding is pgproto3's (every message type's Decode method), but the
// reading and writing around it are Augur's, for three reasons:
//
//   - A connection has a reader goroutine (which must always be able to see a
//     Terminate or the end of the stream, even while a statement runs) and a writer
//     goroutine (which buffers results and flushes them). pgproto3.Backend keeps
//     the read and write state in one object; Conn keeps them apart, so the two
//     goroutines never share mutable state.
//   - pgproto3's messages alias its read buffer and are invalid after the next
//     Receive. Conn reads each message body into a buffer of its own and decodes
//     into a fresh message, so the message Receive returns belongs to the caller and
//     can be handed to another goroutine (an actor's mailbox) as it is.
//   - A message over the configured size limit is refused from its header alone,
//     before its body is read into memory, and a truncated or malformed message is
//     a FATAL protocol_violation (08P01) with PostgreSQL's wording, never a panic.
//
// # Concurrency
//
// Handshake runs on one goroutine. After it returns, a Conn has two sides:
//
//   - the read side, Receive and SetReadDeadline, used by one goroutine at a time
//     (the connection's reader);
//   - the write side, Send, Buffered, TryFlush, Flush and SetWriteDeadline, used
//     by one goroutine at a time (the session while no batch is in flight, else
//     the connection's writer; the outbox hands it over).
//
// The two sides may run at the same time. Close, Startup, RemoteAddr and the
// deadline setters may be called from any goroutine; Close makes a blocked Receive
// or Flush return.
//
// Receive never writes to the socket. When it returns a *pgerr.Error the caller
// (the writer side) sends ErrorResponse(err), flushes, and closes the Conn.
//
// # Authentication
//
// Authentication follows PostgreSQL's client-visible behaviour: the first rule in
// Options.AuthRules that matches the user, database, address and transport decides
// the method; a SCRAM exchange with an unknown role, or with a role that has no
// password, runs to its end with a salt derived from the role name (so that a
// client cannot tell such roles from real ones) and fails exactly like a wrong
// password, with 28P01. The role's right to log in and the existence of the
// database are checked after authentication succeeds, as PostgreSQL does. Only
// SCRAM-SHA-256 is offered, never SCRAM-SHA-256-PLUS (channel binding), so clients
// over TLS use plain SCRAM-SHA-256 inside the TLS session.
//
// TLS starts either with an SSLRequest or, as PostgreSQL 17 allows
// (sslnegotiation=direct), with a TLS ClientHello straight away; a direct TLS
// session must negotiate the ALPN protocol "postgresql".
//
// Protocol minor versions above 3.0 and "_pq_." startup options are answered with
// NegotiateProtocolVersion and the session continues at 3.0, as PostgreSQL 15 does;
// a major version other than 3 is refused with 0A000.
package protocol
