package protocol

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"

	"github.com/augurdb/augur/config"
	"github.com/augurdb/augur/storage/pgerr"
)

// authenticate finds the first auth rule that matches the connection and runs its
// method. It returns the role the client proved to be.
func (h *handshake) authenticate(ctx context.Context) (Role, error) {
	rule, ok := h.matchRule()
	if !ok {
		return Role{}, h.fatal(pgerr.Fatal(pgerrcode.InvalidAuthorizationSpecification,
			"no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s",
			addrString(h.remote), h.user, h.db, h.encryption()))
	}
	switch rule.Method {
	case config.MethodTrust:
		role, ok := h.lookupRole()
		if !ok {
			return Role{}, h.fatal(pgerr.Fatal(pgerrcode.InvalidAuthorizationSpecification, "role \"%s\" does not exist", h.user))
		}
		return role, nil
	case config.MethodSCRAM:
		return h.authenticateSCRAM(ctx)
	case config.MethodReject:
		return Role{}, h.fatal(pgerr.Fatal(pgerrcode.InvalidAuthorizationSpecification,
			"pg_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\", %s",
			addrString(h.remote), h.user, h.db, h.encryption()))
	}
	// config.Validate refuses unknown methods; refuse the connection all the same.
	e := pgerr.Fatal(pgerrcode.InvalidAuthorizationSpecification, "authentication method \"%s\" is not supported", rule.Method)
	return Role{}, h.fatal(e)
}

func (h *handshake) matchRule() (config.AuthRule, bool) {
	for _, r := range h.opts.AuthRules {
		if r.Match(h.user, h.db, h.remote, h.tls) {
			return r, true
		}
	}
	return config.AuthRule{}, false
}

func (h *handshake) lookupRole() (Role, bool) {
	if h.opts.Roles == nil {
		return Role{}, false
	}
	return h.opts.Roles.Role(h.user)
}

// encryption is the transport as PostgreSQL's pg_hba messages name it.
func (h *handshake) encryption() string {
	if h.tls {
		return "SSL encryption"
	}
	return "no encryption"
}

// authenticateSCRAM runs a SASL exchange with the mechanism SCRAM-SHA-256
// (RFC 5802, RFC 7677) as PostgreSQL frames it. A role that does not exist or has
// no usable verifier gets the same exchange, with mock credentials, and the same
// failure as a wrong password. The user name inside the SCRAM messages is ignored
// (libpq sends none); the startup packet's user is the one authenticated.
func (h *handshake) authenticateSCRAM(ctx context.Context) (Role, error) {
	role, found := h.lookupRole()
	var (
		cred   scram.StoredCredentials
		usable bool
		reason error // why this role cannot succeed; logged, never sent
	)
	switch {
	case !found:
		reason = fmt.Errorf("role \"%s\" does not exist", h.user)
	case role.SCRAM == "":
		reason = fmt.Errorf("user \"%s\" has no password assigned", h.user)
	case role.ValidUntil != nil && !time.Now().Before(*role.ValidUntil):
		// PostgreSQL runs the exchange with mock credentials, so an expired
		// password fails like a wrong one.
		reason = fmt.Errorf("user \"%s\" has an expired password", h.user)
	default:
		var err error
		if cred, err = parseSCRAMVerifier(role.SCRAM); err != nil {
			reason = fmt.Errorf("user \"%s\" has an unusable password verifier: %w", h.user, err)
		} else {
			usable = true
		}
	}
	if !usable {
		cred = mockSCRAMCredentials(h.opts.MockAuthSecret, h.user)
	}
	server, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return cred, nil })
	if err != nil {
		return Role{}, fmt.Errorf("protocol: SCRAM server: %w", err)
	}
	conv := server.NewConversation()

	h.conn.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{scramMechanism}})
	if err := h.conn.Flush(); err != nil {
		return Role{}, h.ioError(ctx, err)
	}

	var first pgproto3.SASLInitialResponse
	if err := h.readSASL(ctx, &first); err != nil {
		return Role{}, err
	}
	if first.AuthMechanism != scramMechanism {
		return Role{}, h.fatal(pgerr.ProtocolViolation("client selected an invalid SASL authentication mechanism"))
	}
	serverFirst, err := conv.Step(string(first.Data))
	if err != nil {
		return Role{}, h.fatal(malformedSCRAM(err))
	}
	h.conn.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := h.conn.Flush(); err != nil {
		return Role{}, h.ioError(ctx, err)
	}

	var final pgproto3.SASLResponse
	if err := h.readSASL(ctx, &final); err != nil {
		return Role{}, err
	}
	serverFinal, err := conv.Step(string(final.Data))
	switch {
	case err != nil && serverFinal == "":
		// The message did not parse.
		return Role{}, h.fatal(malformedSCRAM(err))
	case err != nil:
		// It parsed but proves nothing: wrong password, wrong nonce, channel binding mismatch.
		if reason == nil {
			reason = fmt.Errorf("password does not match for user \"%s\": %w", h.user, err)
		}
		return Role{}, h.passwordFailed(reason)
	case !usable || !conv.Valid():
		// Unreachable with random mock keys, but never let a mock exchange succeed.
		if reason == nil {
			reason = errors.New("SCRAM exchange did not complete")
		}
		return Role{}, h.passwordFailed(reason)
	}
	h.conn.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
	return role, nil
}

// readSASL reads the client's next SASL message into msg.
func (h *handshake) readSASL(ctx context.Context, msg pgproto3.FrontendMessage) error {
	typ, body, err := h.conn.readMessage(maxAuthMessageLength, false)
	if err != nil {
		return h.ioError(ctx, err)
	}
	switch typ {
	case 'p':
	case 'X':
		// Terminate: the client gave up, as psql does when it has no password to send.
		return goneError(errors.New("terminate message during authentication"))
	default:
		return h.fatal(pgerr.ProtocolViolation("expected SASL response, got message type %d", typ))
	}
	if err := decode(msg, body); err != nil {
		return h.fatal(pgerr.From(err))
	}
	return nil
}

func malformedSCRAM(cause error) *pgerr.Error {
	e := pgerr.ProtocolViolation("malformed SCRAM message").WithDetail("%v", cause)
	e.Err = cause
	return e
}

// passwordFailed sends PostgreSQL's answer to a failed password check, which says
// nothing of why; reason goes to the log only.
func (h *handshake) passwordFailed(reason error) *pgerr.Error {
	e := pgerr.Fatal(pgerrcode.InvalidPassword, "password authentication failed for user \"%s\"", h.user)
	e.Err = reason
	return h.fatal(e)
}
