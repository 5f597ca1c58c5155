package session

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/augurdb/augur/protocol"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"
)

// collector is an Output that records what the session sends.
type collector struct {
	mu   sync.Mutex
	msgs []pgproto3.BackendMessage
	rfq  chan struct{}
}

func (c *collector) Send(_ context.Context, m pgproto3.BackendMessage) error {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
	if _, ok := m.(*pgproto3.ReadyForQuery); ok {
		c.rfq <- struct{}{}
	}
	return nil
}
func (c *collector) Flush(context.Context) error     { return nil }
func (c *collector) FlushWait(context.Context) error { return nil }

type noCredits struct{}

func (noCredits) Release(int64) {}

// startSession runs a session actor for a superuser "augur" on database "augur".
func startSession(t testing.TB) (*actor.ActorSystem, *actor.PID, *collector) {
	t.Helper()
	_, sys, pid, out := startTestSession(t)
	return sys, pid, out
}

// startTestSession is startSession that also returns the session.
func startTestSession(t testing.TB) (*Session, *actor.ActorSystem, *actor.PID, *collector) {
	t.Helper()
	sys := actor.NewActorSystem()
	out := &collector{rfq: make(chan struct{}, 1024)}
	s, err := New(Options{
		Startup:       protocol.Startup{User: "augur", Database: "augur", Role: protocol.Role{Name: "augur", Superuser: true}},
		Out:           out,
		Inbound:       noCredits{},
		ServerVersion: "15.0 (Augur test)",
		VersionText:   "PostgreSQL 15.0 (Augur test)",
		Log:           zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return s }))
	select {
	case <-out.rfq: // the first ReadyForQuery
	case <-time.After(5 * time.Second):
		t.Fatal("no ReadyForQuery at start")
	}
	return s, sys, pid, out
}

// scriptMessages turns a fuzz script into frontend messages, one per line:
// "Q sql", "P name sql", "B portal stmt param…", "E portal maxrows", "D S|P name",
// "C S|P name", "S" (Sync), "H" (Flush). Lines it cannot read become Queries.
func scriptMessages(script string) []pgproto3.FrontendMessage {
	var msgs []pgproto3.FrontendMessage
	for _, line := range strings.Split(script, "\n") {
		op, rest, _ := strings.Cut(line, " ")
		args := strings.Split(rest, "|")
		arg := func(i int) string {
			if i < len(args) {
				return args[i]
			}
			return ""
		}
		switch op {
		case "P":
			msgs = append(msgs, &pgproto3.Parse{Name: arg(0), Query: arg(1)})
		case "B":
			b := &pgproto3.Bind{DestinationPortal: arg(0), PreparedStatement: arg(1)}
			for _, p := range args[min(2, len(args)):] {
				if p == "NULL" {
					b.Parameters = append(b.Parameters, nil)
				} else {
					b.Parameters = append(b.Parameters, []byte(p))
				}
			}
			msgs = append(msgs, b)
		case "E":
			n, _ := strconv.Atoi(arg(1))
			msgs = append(msgs, &pgproto3.Execute{Portal: arg(0), MaxRows: uint32(max(n, 0))})
		case "D", "C":
			typ := byte('S')
			if arg(0) == "P" {
				typ = 'P'
			}
			if op == "D" {
				msgs = append(msgs, &pgproto3.Describe{ObjectType: typ, Name: arg(1)})
			} else {
				msgs = append(msgs, &pgproto3.Close{ObjectType: typ, Name: arg(1)})
			}
		case "S":
			msgs = append(msgs, &pgproto3.Sync{})
		case "H":
			msgs = append(msgs, &pgproto3.Flush{})
		default:
			msgs = append(msgs, &pgproto3.Query{String: line})
		}
	}
	return append(msgs, &pgproto3.Sync{})
}

// FuzzSession drives the session state machine with arbitrary message sequences and
// SQL. It checks that nothing is an internal error (a recovered panic or an
// unclassified error shows as XX000), and that every Query and Sync gets exactly one
// ReadyForQuery, in time.
func FuzzSession(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1",
		"SELECT $1::int + 1\nP s|SELECT $1::int + 1\nB p|s|41\nE p|0\nS",
		"P |SHOW ALL\nB |\nE |2\nE |2\nS",
		"BEGIN\nSELECT 1/0\nSELECT 1\nCOMMIT",
		"SET statement_timeout = 1000; SHOW statement_timeout; RESET ALL",
		"P a|SELECT 'x' || $1\nD S|a\nB b|a|NULL\nD P|b\nE b|0\nC P|b\nC S|a\nS",
		"P |SELECT 1/0\nB |\nE |\nP x|SELECT 1\nS\nD S|x",
		"SELECT E'\\x41', $$dollar$$, 1e3, -2::int8 ^ 2",
		"SET LOCAL search_path = a, b",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > 4096 || strings.Contains(script, "pg_sleep") || strings.Contains(script, "augur_force_panic") {
			return
		}
		sys, pid, out := startSession(t)
		defer sys.Shutdown()
		msgs := scriptMessages(script)
		want := 0
		for _, m := range msgs {
			switch m.(type) {
			case *pgproto3.Query, *pgproto3.Sync:
				want++
			}
			sys.Root.Send(pid, &Frontend{Msg: m})
		}
		for i := 0; i < want; i++ {
			select {
			case <-out.rfq:
			case <-time.After(10 * time.Second):
				t.Fatalf("%d of %d ReadyForQuery after 10 s", i, want)
			}
		}
		out.mu.Lock()
		defer out.mu.Unlock()
		for _, m := range out.msgs {
			if e, ok := m.(*pgproto3.ErrorResponse); ok && (e.Code == "XX000" || e.Code == "") {
				t.Fatalf("internal error for script %q: %s", script, e.Message)
			}
		}
	})
}
