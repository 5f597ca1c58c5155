package protocol

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"

	"github.com/augurdb/augur/config"
)

func connString(s *testServer, user, password, dbname, sslmode string) string {
	cs := fmt.Sprintf("host=127.0.0.1 port=%d user=%s sslmode=%s connect_timeout=10", s.port, user, sslmode)
	if password != "" {
		cs += fmt.Sprintf(" password='%s'", password)
	}
	if dbname != "" {
		cs += " dbname=" + dbname
	}
	return cs
}

// TestAuthentication connects with pgconn under different rules and checks the
// error the client sees, the server's account and its log.
func TestAuthentication(t *testing.T) {
	scramAll := config.DefaultAuthRules()
	tests := []struct {
		name     string
		rules    []config.AuthRule
		tls      bool
		direct   bool // sslnegotiation=direct (TLS without SSLRequest)
		user     string
		password string
		dbname   string
		code     string // "" for success
		message  string
	}{
		{name: "scram", rules: scramAll, user: "alice", password: testPassword},
		{name: "scram over TLS", rules: scramAll, tls: true, user: "bob", password: testPassword},
		{name: "scram over direct TLS", rules: scramAll, tls: true, direct: true, user: "alice", password: testPassword},
		{name: "database defaults to user", rules: scramAll, user: "bob", password: testPassword, dbname: "-"},
		{name: "wrong password", rules: scramAll, user: "alice", password: "wrong",
			code: "28P01", message: `password authentication failed for user "alice"`},
		{name: "wrong password over TLS", rules: scramAll, tls: true, user: "alice", password: "wrong",
			code: "28P01", message: `password authentication failed for user "alice"`},
		{name: "unknown user", rules: scramAll, user: "mallory", password: testPassword,
			code: "28P01", message: `password authentication failed for user "mallory"`},
		{name: "role without password", rules: scramAll, user: "nopass", password: testPassword,
			code: "28P01", message: `password authentication failed for user "nopass"`},
		{name: "cannot log in", rules: scramAll, user: "nologin", password: testPassword,
			code: "28000", message: `role "nologin" is not permitted to log in`},
		{name: "missing database", rules: scramAll, user: "alice", password: testPassword, dbname: "nosuch",
			code: "3D000", message: `database "nosuch" does not exist`},
		{name: "trust", rules: trustAll(), user: "trusty", dbname: "postgres"},
		{name: "trust unknown role", rules: trustAll(), user: "ghost", dbname: "postgres",
			code: "28000", message: `role "ghost" does not exist`},
		{name: "trust checks the database after the role", rules: trustAll(), user: "trusty", dbname: "nosuch",
			code: "3D000", message: `database "nosuch" does not exist`},
		{name: "reject", rules: []config.AuthRule{{User: "alice", Method: config.MethodReject}, {Method: config.MethodTrust}},
			user: "alice", code: "28000",
			message: `pg_hba.conf rejects connection for host "127.0.0.1", user "alice", database "alice", no encryption`},
		{name: "reject over TLS", rules: []config.AuthRule{{Method: config.MethodReject}}, tls: true,
			user: "alice", code: "28000",
			message: `pg_hba.conf rejects connection for host "127.0.0.1", user "alice", database "alice", SSL encryption`},
		{name: "no matching rule", rules: []config.AuthRule{{User: "bob", Method: config.MethodTrust}},
			user: "alice", dbname: "postgres", code: "28000",
			message: `no pg_hba.conf entry for host "127.0.0.1", user "alice", database "postgres", no encryption`},
		{name: "first matching rule wins", rules: []config.AuthRule{
			{Database: "postgres", Method: config.MethodReject},
			{User: "trusty", Method: config.MethodTrust},
			{Method: config.MethodReject},
		}, user: "trusty"},
		{name: "CIDR rule that does not match", rules: []config.AuthRule{
			{Address: "10.0.0.0/8", Method: config.MethodTrust},
			{Address: "127.0.0.0/8", Method: config.MethodReject},
		}, user: "trusty", code: "28000", message: "rejects connection"},
		{name: "CIDR rule that matches", rules: []config.AuthRule{
			{Address: "10.0.0.0/8", Method: config.MethodReject},
			{Address: "127.0.0.1/32", Method: config.MethodTrust},
		}, user: "trusty"},
		{name: "TLS-only rule over TLS", rules: []config.AuthRule{
			{TLS: true, Method: config.MethodSCRAM},
			{Method: config.MethodReject},
		}, tls: true, user: "alice", password: testPassword},
		{name: "TLS-only rule without TLS", rules: []config.AuthRule{
			{TLS: true, Method: config.MethodSCRAM},
			{Method: config.MethodReject},
		}, user: "alice", password: testPassword, code: "28000", message: "rejects connection"},
		{name: "no rules", user: "alice", code: "28000", message: "no pg_hba.conf entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := &Options{AuthRules: tt.rules, MaxMessageSize: 1 << 20}
			sslmode := "disable"
			if tt.tls {
				opts.TLS = selfSignedTLS(t)
				sslmode = "require"
			}
			s := startServer(t, opts)
			dbname := tt.dbname
			if dbname == "-" {
				dbname = ""
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cs := connString(s, tt.user, tt.password, dbname, sslmode)
			if tt.direct {
				cs += " sslnegotiation=direct"
			}
			conn, err := pgconn.Connect(ctx, cs)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("connect: %v (server: %v)", err, s.result(t).handshakeErr)
				}
				gotVersion := conn.ParameterStatus("server_version")
				conn.Close(ctx)
				res := s.result(t)
				wantDB := tt.dbname
				if wantDB == "" || wantDB == "-" {
					wantDB = tt.user
				}
				st := res.startup
				if st.User != tt.user || st.Database != wantDB || st.TLS != tt.tls || st.Role.Name != tt.user {
					t.Errorf("startup = %+v, want user %s database %s TLS %v", st, tt.user, wantDB, tt.tls)
				}
				if gotVersion == "" {
					t.Errorf("the test loop's ParameterStatus did not arrive")
				}
				if res.receiveErr != nil {
					t.Errorf("server Receive: %v", res.receiveErr)
				}
				return
			}
			res := s.result(t)
			if err == nil {
				conn.Close(ctx)
				t.Fatalf("connected, want %s %q", tt.code, tt.message)
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				t.Fatalf("want a PgError %s, got %v", tt.code, err)
			}
			if pgErr.Code != tt.code || !strings.Contains(pgErr.Message, tt.message) || pgErr.Severity != "FATAL" {
				t.Fatalf("got %s %s %q, want FATAL %s containing %q", pgErr.Severity, pgErr.Code, pgErr.Message, tt.code, tt.message)
			}
			serverErr := wantCode(t, res.handshakeErr, tt.code)
			if serverErr.Message != pgErr.Message {
				t.Errorf("server returned %q, client saw %q", serverErr.Message, pgErr.Message)
			}
			// One log line with the client's address, the user, the database and the reason.
			logged := s.log.String()
			for _, want := range []string{`"remote":"127.0.0.1:`, `"user":"` + tt.user + `"`, `"database":`, `"sqlstate":"` + tt.code + `"`, `"reason":`} {
				if !strings.Contains(logged, want) {
					t.Errorf("log %q lacks %s", logged, want)
				}
			}
			if n := strings.Count(logged, "\n"); n != 1 {
				t.Errorf("want one log line, got %d: %s", n, logged)
			}
		})
	}
}

// scramFirst runs the start of a SCRAM exchange as user and returns the salt and
// iteration count from the server-first message.
func scramFirst(t *testing.T, s *testServer, user string) string {
	t.Helper()
	c := dialRaw(t, s)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": user}})
	sasl, ok := c.receive().(*pgproto3.AuthenticationSASL)
	if !ok || len(sasl.AuthMechanisms) != 1 || sasl.AuthMechanisms[0] != "SCRAM-SHA-256" {
		t.Fatalf("want AuthenticationSASL offering only SCRAM-SHA-256, got %#v", sasl)
	}
	c.send(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=clientnonce")})
	cont, ok := c.receive().(*pgproto3.AuthenticationSASLContinue)
	if !ok {
		t.Fatalf("want AuthenticationSASLContinue")
	}
	fields := strings.Split(string(cont.Data), ",")
	if len(fields) != 3 || !strings.HasPrefix(fields[0], "r=clientnonce") {
		t.Fatalf("bad server-first message %q", cont.Data)
	}
	c.nc.Close()
	res := s.result(t)
	if !errors.Is(res.handshakeErr, io.EOF) {
		t.Errorf("client gone during auth: want an io.EOF error, got %v", res.handshakeErr)
	}
	return fields[1] + "," + fields[2]
}

// TestMockSCRAMExchange checks that an unknown role gets a SCRAM exchange that
// looks like a real one: a stable 16-byte salt and the same iteration count.
func TestMockSCRAMExchange(t *testing.T) {
	s := startServer(t, &Options{AuthRules: config.DefaultAuthRules()})
	real := scramFirst(t, s, "alice")
	mock1 := scramFirst(t, s, "mallory")
	mock2 := scramFirst(t, s, "mallory")
	other := scramFirst(t, s, "trudy")
	if mock1 != mock2 {
		t.Errorf("mock salt not stable: %s vs %s", mock1, mock2)
	}
	if mock1 == other {
		t.Errorf("two unknown roles got the same salt %s", mock1)
	}
	for _, factors := range []string{real, mock1} {
		salt, iters, _ := strings.Cut(factors, ",")
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(salt, "s="))
		if err != nil || len(raw) != 16 || iters != "i=4096" {
			t.Errorf("server-first factors %q: want a 16-byte salt and i=4096", factors)
		}
	}
	// A client that goes away during authentication is not logged.
	if logged := s.log.String(); logged != "" {
		t.Errorf("want no log lines for clients that hung up, got %s", logged)
	}
}

// TestPsqlSCRAMOverTLS proves the SCRAM-over-TLS path with libpq, the client
// whose channel-binding rules are strictest.
func TestPsqlSCRAMOverTLS(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	s := startServer(t, &Options{TLS: selfSignedTLS(t), AuthRules: config.DefaultAuthRules()})
	run := func(password string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, psql, "-X", "-w",
			fmt.Sprintf("host=127.0.0.1 port=%d user=alice dbname=alice sslmode=require", s.port), "-c", "")
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "HOME="+t.TempDir(), "PGSERVICEFILE=/nonexistent", "PGSYSCONFDIR=/nonexistent")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(testPassword); err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	res := s.result(t)
	if res.handshakeErr != nil || !res.startup.TLS || res.startup.Role.Name != "alice" {
		t.Fatalf("server side: %+v", res)
	}
	out, err := run("wrong")
	if err == nil || !strings.Contains(out, `password authentication failed for user "alice"`) {
		t.Fatalf("psql with a wrong password: %v\n%s", err, out)
	}
	wantCode(t, s.result(t).handshakeErr, "28P01")
}

// TestSCRAMVerifier checks the verifier format and that it round-trips.
func TestSCRAMVerifier(t *testing.T) {
	v, err := NewSCRAMVerifier("pencil")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "SCRAM-SHA-256$4096:") {
		t.Fatalf("verifier %q", v)
	}
	cred, err := parseSCRAMVerifier(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(cred.Salt) != 16 || cred.Iters != 4096 {
		t.Errorf("salt %d bytes, %d iterations", len(cred.Salt), cred.Iters)
	}
	// Known answer: the example exchange of RFC 7677, section 3, run against the
	// verifier made from its password and salt.
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v, err = scramVerifier("pencil", salt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	cred, err = parseSCRAMVerifier(v)
	if err != nil {
		t.Fatal(err)
	}
	server, _ := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return cred, nil })
	server.WithNonceGenerator(func() string { return "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" })
	conv := server.NewConversation()
	if _, err := conv.Step("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"); err != nil {
		t.Fatal(err)
	}
	final, err := conv.Step("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	if err != nil || final != "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Fatalf("RFC 7677 exchange: %q, %v", final, err)
	}
	if _, err := NewSCRAMVerifier(""); err == nil {
		t.Error("empty password accepted")
	}
	for _, bad := range []string{
		"", "md5abc", "SCRAM-SHA-256$", "SCRAM-SHA-256$4096:c2FsdA==",
		"SCRAM-SHA-256$x:c2FsdA==$a:b", "SCRAM-SHA-256$0:c2FsdA==$a:b",
		"SCRAM-SHA-256$4096:!!$a:b", "SCRAM-SHA-256$4096:c2FsdA==$YQ==:YQ==",
		"SCRAM-SHA-256$99999999999:c2FsdA==$a:b",
	} {
		if _, err := parseSCRAMVerifier(bad); err == nil {
			t.Errorf("parseSCRAMVerifier(%q) accepted", bad)
		}
	}
}

// TestUnixSocket checks rules for the Unix-domain socket ("local") and
// PostgreSQL's "[local]" host in refusals.
func TestUnixSocket(t *testing.T) {
	dir := t.TempDir()
	const port = 5999
	ln, err := net.Listen("unix", filepath.Join(dir, fmt.Sprintf(".s.PGSQL.%d", port)))
	if err != nil {
		t.Skipf("no Unix-domain sockets: %v", err)
	}
	s := serveOn(t, ln, &Options{AuthRules: []config.AuthRule{
		{Address: "127.0.0.1", Method: config.MethodReject},
		{Address: "local", User: "trusty", Method: config.MethodTrust},
		{Address: "local", User: "alice", Method: config.MethodReject},
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs := func(user string) string {
		return fmt.Sprintf("host=%s port=%d user=%s dbname=postgres sslmode=disable", dir, port, user)
	}
	conn, err := pgconn.Connect(ctx, cs("trusty"))
	if err != nil {
		t.Fatalf("trust over the Unix socket: %v", err)
	}
	conn.Close(ctx)
	s.result(t)

	tests := []struct{ user, message string }{
		{"alice", `pg_hba.conf rejects connection for host "[local]", user "alice", database "postgres", no encryption`},
		{"bob", `no pg_hba.conf entry for host "[local]", user "bob", database "postgres", no encryption`},
	}
	for _, tt := range tests {
		_, err := pgconn.Connect(ctx, cs(tt.user))
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "28000" || pgErr.Message != tt.message {
			t.Errorf("%s: got %v, want 28000 %s", tt.user, err, tt.message)
		}
		wantCode(t, s.result(t).handshakeErr, "28000")
	}
}
