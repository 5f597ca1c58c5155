package integration

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	_ "github.com/lib/pq"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func connect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func TestClients(t *testing.T) {
	s := startServer(t, serverOptions{tls: true, socket: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("pgx extended protocol", func(t *testing.T) {
		c := connect(t, ctx, s.url("augur", "disable"))
		var n int32
		if err := c.QueryRow(ctx, "SELECT $1::int + 1", 41).Scan(&n); err != nil || n != 42 {
			t.Fatalf("SELECT $1::int + 1 with 41 = %d, %v; want 42", n, err)
		}
		var str string
		if err := c.QueryRow(ctx, "SELECT 'a' || 'b'").Scan(&str); err != nil || str != "ab" {
			t.Fatalf("'a' || 'b' = %q, %v", str, err)
		}
		var db, user string
		if err := c.QueryRow(ctx, "SELECT current_database(), current_user").Scan(&db, &user); err != nil || db != "augur" || user != "augur" {
			t.Fatalf("current_database(), current_user = %q, %q, %v", db, user, err)
		}
		var v string
		if err := c.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil || !strings.HasPrefix(v, "PostgreSQL 15") || !strings.Contains(v, "Augur") {
			t.Fatalf("version() = %q, %v", v, err)
		}
		if got := c.PgConn().ParameterStatus("server_version"); !strings.HasPrefix(got, "15.") {
			t.Fatalf("server_version = %q", got)
		}
		for _, p := range []string{"server_encoding", "client_encoding", "DateStyle", "integer_datetimes", "standard_conforming_strings",
			"TimeZone", "application_name", "is_superuser", "session_authorization", "IntervalStyle", "default_transaction_read_only", "in_hot_standby"} {
			if c.PgConn().ParameterStatus(p) == "" && p != "application_name" { // application_name is empty by default
				t.Errorf("ParameterStatus %s missing", p)
			}
		}
		// Binary parameters and results: pgx sends int8 and float8 in binary.
		var i8 int64
		var f8 float64
		if err := c.QueryRow(ctx, "SELECT $1::int8 * 2, $2::float8 / 2", int64(1)<<40, 3.0).Scan(&i8, &f8); err != nil || i8 != 1<<41 || f8 != 1.5 {
			t.Fatalf("binary params: %d %v %v", i8, f8, err)
		}
		// Errors carry SQLSTATE and the connection goes on.
		_, err := c.Exec(ctx, "SELECT 1/0")
		if pgCode(err) != "22012" {
			t.Fatalf("1/0: %v, want 22012", err)
		}
		_, err = c.Exec(ctx, "SELEC 1")
		if pgCode(err) != "42601" {
			t.Fatalf("syntax error: %v, want 42601", err)
		}
		if err := c.QueryRow(ctx, "SELECT 2::int").Scan(&n); err != nil || n != 2 {
			t.Fatalf("after errors: %d %v", n, err)
		}
	})

	t.Run("pgx simple protocol", func(t *testing.T) {
		c := connect(t, ctx, s.url("postgres", "disable")+"&default_query_exec_mode=simple_protocol")
		var n int64
		if err := c.QueryRow(ctx, "SELECT $1::int8 + 1", 9).Scan(&n); err != nil || n != 10 {
			t.Fatalf("simple protocol param: %d %v", n, err)
		}
		var db string
		if err := c.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || db != "postgres" {
			t.Fatalf("current_database() = %q %v", db, err)
		}
		// Several statements in one Query message.
		res, err := c.PgConn().Exec(ctx, "SELECT 1; SELECT 'two'; SET application_name = 'itest'; SHOW application_name").ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 4 || string(res[1].Rows[0][0]) != "two" || string(res[3].Rows[0][0]) != "itest" {
			t.Fatalf("multi-statement results: %+v", res)
		}
		if got := c.PgConn().ParameterStatus("application_name"); got != "itest" {
			t.Fatalf("ParameterStatus application_name after SET = %q", got)
		}
		// Empty query.
		res, err = c.PgConn().Exec(ctx, "").ReadAll()
		if err != nil || len(res) != 1 {
			t.Fatalf("empty query: %v %+v", err, res)
		}
		// The statement after an error in the same Query is not run.
		_, err = c.PgConn().Exec(ctx, "SELECT 1; SELECT nosuchfunc(); SET application_name = 'never'").ReadAll()
		if pgCode(err) != "42883" {
			t.Fatalf("undefined function: %v", err)
		}
		var app string
		if err := c.QueryRow(ctx, "SHOW application_name").Scan(&app); err != nil || app != "itest" {
			t.Fatalf("application_name = %q %v; the statement after the error ran", app, err)
		}
	})

	t.Run("SET SHOW RESET", func(t *testing.T) {
		c := connect(t, ctx, s.url("augur", "disable"))
		var v string
		mustQuery := func(q, want string) {
			t.Helper()
			if err := c.QueryRow(ctx, q).Scan(&v); err != nil || v != want {
				t.Fatalf("%s = %q, %v; want %q", q, v, err, want)
			}
		}
		mustQuery("SHOW statement_timeout", "0")
		if _, err := c.Exec(ctx, "SET statement_timeout TO '5s'"); err != nil {
			t.Fatal(err)
		}
		mustQuery("SHOW statement_timeout", "5s")
		if _, err := c.Exec(ctx, "SET search_path = public, other"); err != nil {
			t.Fatal(err)
		}
		mustQuery("SHOW search_path", "public, other")
		if _, err := c.Exec(ctx, "RESET statement_timeout"); err != nil {
			t.Fatal(err)
		}
		mustQuery("SHOW statement_timeout", "0")
		if _, err := c.Exec(ctx, "SET no_such_setting = 1"); pgCode(err) != "42704" {
			t.Fatalf("unknown setting: %v", err)
		}
		if _, err := c.Exec(ctx, "SET server_version = '1'"); pgCode(err) != "55P02" {
			t.Fatalf("read-only setting: %v", err)
		}
		rows, err := c.Query(ctx, "SHOW ALL")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if rows.Err() != nil || n < 20 || len(rows.FieldDescriptions()) != 3 {
			t.Fatalf("SHOW ALL: %d rows, %v", n, rows.Err())
		}
	})

	t.Run("lib/pq", func(t *testing.T) {
		db, err := sql.Open("postgres", s.dsn("sslmode=disable"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var str string
		if err := db.QueryRowContext(ctx, "SELECT 'a' || $1::text", "b").Scan(&str); err != nil || str != "ab" {
			t.Fatalf("lib/pq: %q %v", str, err)
		}
		var f float64
		if err := db.QueryRowContext(ctx, "SELECT 1.5::float8 * 2").Scan(&f); err != nil || f != 3 {
			t.Fatalf("lib/pq float: %v %v", f, err)
		}
	})

	t.Run("psql over TLS with SCRAM", func(t *testing.T) {
		out, err := psql(t, ctx, fmt.Sprintf("host=127.0.0.1 port=%d user=augur dbname=augur sslmode=require", s.port),
			"-c", "select 1", "-c", `\conninfo`)
		if err != nil {
			t.Fatalf("psql: %v\n%s", err, out)
		}
		if !regexp.MustCompile(`\n\s+1\n\(1 row\)`).MatchString(out) || !strings.Contains(out, "SSL connection") {
			t.Fatalf("psql output:\n%s", out)
		}
		lines := s.logLines(`"connection start"`)
		found := false
		for _, l := range lines {
			if strings.Contains(l, `"tls":true`) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no connection start log line with tls:true: %v", lines)
		}
	})

	t.Run("psql over the Unix socket", func(t *testing.T) {
		out, err := psql(t, ctx, "-h", s.sockDir, "-p", fmt.Sprint(s.port), "-U", "augur", "-d", "postgres", "-At", "-c", "select current_database()")
		if err != nil || strings.TrimSpace(out) != "postgres" {
			t.Fatalf("psql over Unix socket: %v\n%s", err, out)
		}
	})

	t.Run("authentication failures", func(t *testing.T) {
		_, err := pgx.Connect(ctx, fmt.Sprintf("postgres://augur:wrong@127.0.0.1:%d/augur?sslmode=disable", s.port))
		if pgCode(err) != "28P01" {
			t.Fatalf("wrong password: %v, want 28P01", err)
		}
		_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://nobody:wrong@127.0.0.1:%d/augur?sslmode=disable", s.port))
		if pgCode(err) != "28P01" {
			t.Fatalf("unknown user: %v, want 28P01", err)
		}
		_, err = pgx.Connect(ctx, s.url("nosuchdb", "disable"))
		if pgCode(err) != "3D000" {
			t.Fatalf("unknown database: %v, want 3D000", err)
		}
		if len(s.logLines("password authentication failed")) < 2 {
			t.Fatalf("failed authentications were not logged")
		}
	})

	t.Run("cancel a long statement", func(t *testing.T) {
		c := connect(t, ctx, s.url("augur", "disable"))
		// A CancelRequest on a second connection, with this session's backend keys.
		go func() {
			time.Sleep(300 * time.Millisecond)
			if err := c.PgConn().CancelRequest(ctx); err != nil {
				t.Errorf("CancelRequest: %v", err)
			}
		}()
		start := time.Now()
		_, err := c.Exec(ctx, "SELECT pg_sleep(5)")
		took := time.Since(start)
		if pgCode(err) != "57014" {
			t.Fatalf("pg_sleep(5) cancelled: %v (after %v), want 57014", err, took)
		}
		if took >= 5*time.Second {
			t.Fatalf("pg_sleep(5) ran to its end (%v) instead of being cancelled", took)
		}
		c2 := connect(t, ctx, s.url("augur", "disable"))
		var n int32
		if err := c2.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("statement_timeout", func(t *testing.T) {
		c := connect(t, ctx, s.url("augur", "disable"))
		if _, err := c.Exec(ctx, "SET statement_timeout = 100"); err != nil {
			t.Fatal(err)
		}
		_, err := c.Exec(ctx, "SELECT pg_sleep(3)")
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57014" || !strings.Contains(pe.Message, "statement timeout") {
			t.Fatalf("statement_timeout: %v", err)
		}
	})

	t.Run("pipelined extended protocol", func(t *testing.T) {
		c := connect(t, ctx, s.url("augur", "disable"))
		pc := c.PgConn()
		// Many Parse/Bind/Execute in one pipeline before a single Sync.
		p := pc.StartPipeline(ctx)
		p.SendPrepare("p1", "SELECT $1::int8 * 10", nil)
		const n = 500
		for i := 0; i < n; i++ {
			p.SendQueryPrepared("p1", [][]byte{[]byte(fmt.Sprint(i))}, nil, nil)
		}
		if err := p.Sync(); err != nil {
			t.Fatal(err)
		}
		if _, err := p.GetResults(); err != nil { // the statement description
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			r, err := p.GetResults()
			if err != nil {
				t.Fatal(err)
			}
			rr := r.(*pgconn.ResultReader).Read()
			if rr.Err != nil || string(rr.Rows[0][0]) != fmt.Sprint(i*10) {
				t.Fatalf("pipelined result %d: %v %q", i, rr.Err, rr.Rows)
			}
		}
		if _, err := p.GetResults(); err != nil { // the Sync
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// rawConn is a hand-driven protocol client, for what drivers never send.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// startup logs in under a trust rule and reads until ReadyForQuery.
func (r *rawConn) startup(user, db string) {
	r.t.Helper()
	r.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": user, "database": db}})
	if err := r.fe.Flush(); err != nil {
		r.t.Fatal(err)
	}
	r.readUntilReady()
}

func (r *rawConn) readUntilReady() []pgproto3.BackendMessage {
	r.t.Helper()
	var got []pgproto3.BackendMessage
	r.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		m, err := r.fe.Receive()
		if err != nil {
			r.t.Fatalf("receive: %v (after %d messages)", err, len(got))
		}
		switch m := m.(type) {
		case *pgproto3.ReadyForQuery:
			return got
		case *pgproto3.ErrorResponse:
			c := *m
			got = append(got, &c)
		default:
			got = append(got, m)
		}
	}
}

// expectFatal reads until an ErrorResponse and then the close of the connection.
func (r *rawConn) expectFatal(code string) {
	r.t.Helper()
	r.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		m, err := r.fe.Receive()
		if err != nil {
			r.t.Fatalf("want FATAL %s, connection ended with %v", code, err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			if e.Code != code || e.Severity != "FATAL" {
				r.t.Fatalf("got %s %s %q, want FATAL %s", e.Severity, e.Code, e.Message, code)
			}
			break
		}
	}
	if _, err := r.fe.Receive(); err == nil {
		r.t.Fatalf("connection still open after FATAL %s", code)
	}
}

const trustConfig = `
[[auth]]
user = "augur"
address = "127.0.0.1/32"
method = "trust"
`

func TestBadInput(t *testing.T) {
	s := startServer(t, serverOptions{config: "max_message_size = 65536\n" + trustConfig})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A healthy session that must not notice anything.
	healthy := connect(t, ctx, s.url("augur", "disable"))
	check := func() {
		t.Helper()
		var n int32
		if err := healthy.QueryRow(ctx, "SELECT 7").Scan(&n); err != nil || n != 7 {
			t.Fatalf("healthy session broke: %v", err)
		}
	}

	t.Run("garbage startup packet", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.nc.Write([]byte{0, 0, 0, 12, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4})
		r.expectFatal("08P01")
		check()
	})
	t.Run("absurd startup length", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.nc.Write([]byte{0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0})
		r.expectFatal("08P01")
		check()
	})
	t.Run("unknown message type", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		r.nc.Write([]byte{'y', 0, 0, 0, 4})
		r.expectFatal("08P01")
		check()
	})
	t.Run("truncated message", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		// A Query whose length claims 4 bytes: no room for its string.
		r.nc.Write([]byte{'Q', 0, 0, 0, 4})
		r.expectFatal("08P01")
		check()
	})
	t.Run("malformed Bind", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		msg := []byte{'B', 0, 0, 0, 0, 0, 0, 0xff, 0xff} // portal "", stmt "", -1 format codes
		binary.BigEndian.PutUint32(msg[1:], uint32(len(msg)-1))
		r.nc.Write(msg)
		r.expectFatal("08P01")
		check()
	})
	t.Run("oversized message", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		hdr := []byte{'Q', 0, 0, 0, 0}
		binary.BigEndian.PutUint32(hdr[1:], 1<<20) // over the 64 KiB limit
		r.nc.Write(hdr)
		r.expectFatal("08P01")
		check()
	})
	t.Run("vanishing client mid-statement", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		r.fe.Send(&pgproto3.Query{String: "SELECT pg_sleep(30)"})
		r.fe.Flush()
		time.Sleep(100 * time.Millisecond)
		r.nc.Close()
		check()
	})
	t.Run("extended protocol errors are skipped until Sync", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		r.fe.Send(&pgproto3.Parse{Query: "SELECT 1/0"})
		r.fe.Send(&pgproto3.Bind{})
		r.fe.Send(&pgproto3.Execute{})
		r.fe.Send(&pgproto3.Parse{Name: "after", Query: "SELECT 1"}) // discarded
		r.fe.Send(&pgproto3.Sync{})
		r.fe.Send(&pgproto3.Describe{ObjectType: 'S', Name: "after"})
		r.fe.Send(&pgproto3.Sync{})
		r.fe.Flush()
		first := r.readUntilReady()
		// As in PostgreSQL, 1/0 is found when the statement is planned at Bind.
		if len(first) != 2 { // ParseComplete, ErrorResponse
			t.Fatalf("first batch: %#v", first)
		}
		if e, ok := first[1].(*pgproto3.ErrorResponse); !ok || e.Code != "22012" {
			t.Fatalf("want 22012, got %#v", first[1])
		}
		second := r.readUntilReady()
		if e, ok := second[0].(*pgproto3.ErrorResponse); !ok || e.Code != "26000" {
			t.Fatalf("statement parsed after the error should not exist: %#v", second)
		}
	})
	t.Run("portal row limits", func(t *testing.T) {
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		r.fe.Send(&pgproto3.Parse{Query: "SHOW ALL"})
		r.fe.Send(&pgproto3.Bind{})
		r.fe.Send(&pgproto3.Execute{MaxRows: 2})
		r.fe.Send(&pgproto3.Execute{MaxRows: 2})
		r.fe.Send(&pgproto3.Execute{})
		r.fe.Send(&pgproto3.Sync{})
		r.fe.Flush()
		var suspended, rows, complete int
		for _, m := range r.readUntilReady() {
			switch m.(type) {
			case *pgproto3.PortalSuspended:
				suspended++
			case *pgproto3.DataRow:
				rows++
			case *pgproto3.CommandComplete:
				complete++
			case *pgproto3.ErrorResponse:
				t.Fatalf("error: %#v", m)
			}
		}
		if suspended != 2 || complete != 1 || rows < 20 {
			t.Fatalf("suspended %d, complete %d, rows %d", suspended, complete, rows)
		}
	})
	check()
}

// TestClientThatStopsReading pipelines many large results without reading them: the
// server must stop producing (and reading) instead of buffering without bound, and
// deliver everything once the client reads.
func TestClientThatStopsReading(t *testing.T) {
	s := startServer(t, serverOptions{config: trustConfig})
	r := dialRaw(t, s.addr())
	r.startup("augur", "augur")
	big := strings.Repeat("x", 64<<10)
	const n = 4000 // 4000 x 64 KiB = 250 MiB of results if the server buffered them all
	r.fe.Send(&pgproto3.Parse{Name: "s", Query: "SELECT $1::text"})
	r.fe.Send(&pgproto3.Sync{})
	r.fe.Flush()
	r.readUntilReady()
	before := s.rssBytes(t)

	written := make(chan int, 1)
	go func() {
		// One short Bind carries a 64 KiB parameter echoed back: the client writes
		// 64 KiB per result, so the input side is also exercised.
		var sent int
		defer func() { written <- sent }()
		for i := 0; i < n; i++ {
			buf, _ := (&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte(big)}}).Encode(nil)
			buf, _ = (&pgproto3.Execute{}).Encode(buf)
			if i == n-1 {
				buf, _ = (&pgproto3.Sync{}).Encode(buf)
			}
			if _, err := r.nc.Write(buf); err != nil {
				return
			}
			sent++
		}
	}()
	// Give the server time to fill every buffer it is allowed to fill.
	time.Sleep(3 * time.Second)
	grown := s.rssBytes(t) - before
	if grown > 100<<20 {
		t.Fatalf("server RSS grew by %d MiB while the client was not reading", grown>>20)
	}
	select {
	case k := <-written:
		t.Fatalf("the client wrote all %d requests without reading: no backpressure reached it", k)
	default:
	}
	// Now read everything: every result arrives, in order.
	r.nc.SetReadDeadline(time.Now().Add(120 * time.Second))
	got := 0
	for {
		m, err := r.fe.Receive()
		if err != nil {
			t.Fatalf("after %d rows: %v", got, err)
		}
		if dr, ok := m.(*pgproto3.DataRow); ok {
			if len(dr.Values[0]) != len(big) {
				t.Fatalf("row %d has %d bytes", got, len(dr.Values[0]))
			}
			got++
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			t.Fatalf("error after %d rows: %s %s", got, e.Code, e.Message)
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	if got != n {
		t.Fatalf("got %d rows, want %d", got, n)
	}
	t.Logf("RSS growth while stalled: %d MiB", grown>>20)
}

func TestGracefulShutdown(t *testing.T) {
	s := startServer(t, serverOptions{config: "shutdown_timeout = \"10s\"\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	idle := connect(t, ctx, s.url("augur", "disable"))
	busy := connect(t, ctx, s.url("augur", "disable"))
	done := make(chan error, 1)
	go func() {
		_, err := busy.Exec(ctx, "SELECT pg_sleep(1)")
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGTERM)
	// The running statement finishes normally.
	if err := <-done; err != nil {
		t.Fatalf("running statement during shutdown: %v", err)
	}
	// By now (the statement ran for a second after the signal) new connections are refused.
	if c, err := pgx.Connect(ctx, s.url("augur", "disable")); err == nil {
		c.Close(ctx)
		t.Fatal("a new connection was accepted during shutdown")
	}
	select {
	case <-s.exited:
		if s.waitErr != nil {
			t.Fatalf("augur exit after SIGTERM: %v, want exit 0", s.waitErr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("augur did not exit after SIGTERM")
	}
	// The idle session was ended with FATAL 57P01.
	_, err := idle.Exec(ctx, "SELECT 1")
	if err == nil {
		t.Fatal("idle session still works after shutdown")
	}
	if !strings.Contains(s.stderr.String(), "shutdown complete") {
		t.Fatalf("no shutdown log line")
	}
	if pgCode(err) != "57P01" && !strings.Contains(err.Error(), "57P01") && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Logf("idle session error after shutdown: %v", err)
	}
}

// TestIdleSessionGetsAdminShutdown reads the FATAL 57P01 an idle session receives.
func TestIdleSessionGetsAdminShutdown(t *testing.T) {
	s := startServer(t, serverOptions{config: trustConfig})
	r := dialRaw(t, s.addr())
	r.startup("augur", "augur")
	s.cmd.Process.Signal(syscall.SIGINT)
	r.expectFatal("57P01")
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("augur did not exit after SIGINT")
	}
	if s.waitErr != nil {
		t.Fatalf("exit status: %v", s.waitErr)
	}
}

func TestBootstrap(t *testing.T) {
	empty := ""
	s := startServer(t, serverOptions{password: &empty})
	out := s.stderr.String()
	m := regexp.MustCompile(`password\s+(\S{20,})\s`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no generated password on stderr:\n%s", out)
	}
	pw := m[1]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := fmt.Sprintf("postgres://augur:%s@127.0.0.1:%d/postgres?sslmode=disable", pw, s.port)
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect with the generated password: %v", err)
	}
	c.Close(ctx)
	if err := s.stop(syscall.SIGTERM, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	// Only a verifier is stored.
	g, err := os.ReadFile(s.dataDir + "/global.json")
	if err != nil || strings.Contains(string(g), pw) || !strings.Contains(string(g), "SCRAM-SHA-256$") {
		t.Fatalf("global.json: %v\n%s", err, g)
	}
	// A restart reuses it and prints nothing.
	s2 := startServer(t, serverOptions{dataDir: s.dataDir, password: &empty})
	if strings.Contains(s2.stderr.String(), pw) {
		t.Fatal("password printed again on restart")
	}
	url = fmt.Sprintf("postgres://augur:%s@127.0.0.1:%d/augur?sslmode=disable", pw, s2.port)
	c, err = pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect after restart: %v", err)
	}
	c.Close(ctx)
}

// query runs one simple Query and returns its messages and the ReadyForQuery status.
func (r *rawConn) query(sql string) ([]pgproto3.BackendMessage, byte) {
	r.t.Helper()
	r.fe.Send(&pgproto3.Query{String: sql})
	if err := r.fe.Flush(); err != nil {
		r.t.Fatal(err)
	}
	r.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	var got []pgproto3.BackendMessage
	for {
		m, err := r.fe.Receive()
		if err != nil {
			r.t.Fatalf("%s: %v", sql, err)
		}
		switch m := m.(type) {
		case *pgproto3.ReadyForQuery:
			return got, m.TxStatus
		case *pgproto3.ErrorResponse:
			c := *m
			got = append(got, &c)
		case *pgproto3.NoticeResponse:
			c := *m
			got = append(got, &c)
		case *pgproto3.CommandComplete:
			got = append(got, &pgproto3.CommandComplete{CommandTag: append([]byte(nil), m.CommandTag...)})
		case *pgproto3.DataRow:
			dr := &pgproto3.DataRow{}
			for _, v := range m.Values {
				dr.Values = append(dr.Values, append([]byte(nil), v...))
			}
			got = append(got, dr)
		case *pgproto3.ParameterStatus:
			got = append(got, &pgproto3.ParameterStatus{Name: m.Name, Value: m.Value})
		default:
			got = append(got, m)
		}
	}
}

func TestTransactionStatus(t *testing.T) {
	s := startServer(t, serverOptions{config: trustConfig})
	r := dialRaw(t, s.addr())
	r.startup("augur", "augur")
	errCode := func(ms []pgproto3.BackendMessage) string {
		for _, m := range ms {
			if e, ok := m.(*pgproto3.ErrorResponse); ok {
				return e.Code
			}
			if n, ok := m.(*pgproto3.NoticeResponse); ok {
				return "notice:" + n.Code
			}
		}
		return ""
	}
	tag := func(ms []pgproto3.BackendMessage) string {
		for _, m := range ms {
			if c, ok := m.(*pgproto3.CommandComplete); ok {
				return string(c.CommandTag)
			}
		}
		return ""
	}
	steps := []struct {
		sql       string
		status    byte
		code, tag string
	}{
		{"SELECT 1", 'I', "", "SELECT 1"},
		{"BEGIN", 'T', "", "BEGIN"},
		{"SET application_name = 'inblock'", 'T', "", "SET"},
		{"BEGIN", 'T', "notice:25001", "BEGIN"},
		{"SELECT 1/0", 'E', "22012", ""},
		{"SELECT 1", 'E', "25P02", ""},
		{"COMMIT", 'I', "", "ROLLBACK"},
		{"SHOW application_name", 'I', "", "SHOW"},
		{"COMMIT", 'I', "notice:25P01", "COMMIT"},
		{"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", 'T', "", "START TRANSACTION"},
		{"SET LOCAL statement_timeout = '7s'", 'T', "", "SET"},
		{"SET extra_float_digits = 3", 'T', "", "SET"},
		{"COMMIT", 'I', "", "COMMIT"},
		{"SHOW statement_timeout", 'I', "", "SHOW"},
		{"SHOW extra_float_digits", 'I', "", "SHOW"},
		{"SET LOCAL statement_timeout = '7s'", 'I', "notice:25P01", "SET"},
		{"BEGIN; SELECT 1; ROLLBACK", 'I', "", "BEGIN"},
	}
	for _, st := range steps {
		ms, status := r.query(st.sql)
		if status != st.status || errCode(ms) != st.code || tag(ms) != st.tag {
			t.Fatalf("%s: status %c, code %q, tag %q; want %c, %q, %q (%#v)", st.sql, status, errCode(ms), tag(ms), st.status, st.code, st.tag, ms)
		}
		var value string
		for _, m := range ms {
			if d, ok := m.(*pgproto3.DataRow); ok {
				value = string(d.Values[0])
			}
		}
		switch st.sql {
		case "SHOW application_name":
			if value != "" {
				t.Fatalf("SET in a rolled-back block survived: %q", value)
			}
		case "SHOW statement_timeout":
			if value != "0" {
				t.Fatalf("SET LOCAL survived COMMIT: %q", value)
			}
		case "SHOW extra_float_digits":
			if value != "3" {
				t.Fatalf("SET in a committed block was lost: %q", value)
			}
		}
	}
}

// TestPanicInStatement: a statement that panics returns XX000 to its client, is
// logged with a stack, and neither that session nor any other notices more.
func TestPanicInStatement(t *testing.T) {
	s := startServer(t, serverOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	victim := connect(t, ctx, s.url("augur", "disable"))
	bystander := connect(t, ctx, s.url("augur", "disable"))
	// A bystander in the middle of a multi-row portal.
	tx, err := bystander.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = victim.Exec(ctx, "SELECT pg_augur_force_panic('boom')")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "XX000" || !strings.Contains(pe.Message, "boom") {
		t.Fatalf("panicking statement: %v, want XX000", err)
	}
	var n int32
	if err := victim.QueryRow(ctx, "SELECT 41 + 1").Scan(&n); err != nil || n != 42 {
		t.Fatalf("the panicking session did not go on: %d %v", n, err)
	}
	if err := tx.QueryRow(ctx, "SELECT 7").Scan(&n); err != nil || n != 7 {
		t.Fatalf("bystander noticed: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	lines := s.logLines("panic in statement")
	if len(lines) != 1 || !strings.Contains(lines[0], "goroutine") || !strings.Contains(lines[0], "forcePanic") {
		t.Fatalf("panic not logged with its stack: %v", lines)
	}
	// Only superusers may do it (the bootstrap user is one; a trust-rule check of a
	// non-superuser waits for CREATE ROLE).
}

// TestRestartAfterKill: the server recovers its storage after SIGKILL (the WAL
// replay is reported in the log) and takes connections again; after a clean
// shutdown it has taken a checkpoint.
func TestRestartAfterKill(t *testing.T) {
	s := startServer(t, serverOptions{})
	s.stop(syscall.SIGKILL, 10*time.Second)
	s2 := startServer(t, serverOptions{dataDir: s.dataDir})
	if len(s2.logLines(`"wal replay"`)) != 1 {
		t.Fatalf("no recovery report after SIGKILL:\n%s", s2.stderr.String())
	}
	// The start's breakdown: Badger open, WAL replay, shard rebuild. The server's
	// stderr is copied by another goroutine: the line may arrive a little after
	// the server accepts connections.
	var ready []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ready = s2.logLines(`"message":"ready"`); len(ready) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(ready) != 1 || !strings.Contains(ready[0], `"wal_replay_ms"`) ||
		!strings.Contains(ready[0], `"shards_rebuilt_ms"`) || !strings.Contains(ready[0], `"badger_open_ms"`) {
		t.Fatalf("no start-up breakdown after SIGKILL:\n%s", s2.stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := connect(t, ctx, s2.url("augur", "disable"))
	var n int32
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := s2.stop(syscall.SIGTERM, 20*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if len(s2.logLines(`"checkpoint"`)) == 0 {
		t.Fatalf("no checkpoint at shutdown:\n%s", s2.stderr.String())
	}
}

func TestTooManyConnections(t *testing.T) {
	s := startServer(t, serverOptions{config: "max_connections = 2\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := connect(t, ctx, s.url("augur", "disable"))
	connect(t, ctx, s.url("augur", "disable"))
	_, err := pgx.Connect(ctx, s.url("augur", "disable"))
	if pgCode(err) != "53300" {
		t.Fatalf("third connection: %v, want 53300", err)
	}
	// A slot freed is a slot available again.
	a.Close(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := pgx.Connect(ctx, s.url("augur", "disable"))
		if err == nil {
			c.Close(ctx)
			break
		}
		if pgCode(err) != "53300" || time.Now().After(deadline) {
			t.Fatalf("after a session ended: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
