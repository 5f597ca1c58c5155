package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// The connection's reader runs a message itself when its session is idle, and
// hands it to the session actor otherwise (actors/session.RunIdle). These tests
// drive both paths over the wire and check what the client sees.
func TestStatementsOnTheReader(t *testing.T) {
	s := startServer(t, serverOptions{config: trustConfig})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	admin := connect(t, ctx, s.url("augur", "disable"))

	// A COPY FROM STDIN streams through the session actor; the queries pipelined
	// behind it in the same write go through the mailbox until the actor has
	// caught up, then on the reader. The results keep the stream's order.
	t.Run("pipelined burst behind a COPY keeps order", func(t *testing.T) {
		if _, err := admin.Exec(ctx, "CREATE TABLE inline_burst (k int PRIMARY KEY, v text)"); err != nil {
			t.Fatal(err)
		}
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		const rows, queries = 2000, 300
		var buf []byte
		buf, _ = (&pgproto3.Query{String: "COPY inline_burst FROM STDIN"}).Encode(buf)
		for i := 0; i < rows; i++ {
			buf, _ = (&pgproto3.CopyData{Data: fmt.Appendf(nil, "%d\trow %d\n", i, i)}).Encode(buf)
		}
		buf, _ = (&pgproto3.CopyDone{}).Encode(buf)
		for i := 0; i < queries; i++ {
			buf, _ = (&pgproto3.Query{String: fmt.Sprintf("SELECT %d", i)}).Encode(buf)
		}
		buf, _ = (&pgproto3.Query{String: "SELECT count(*) FROM inline_burst"}).Encode(buf)
		go r.nc.Write(buf) // the server reads while this writes

		var got []string
		r.nc.SetReadDeadline(time.Now().Add(60 * time.Second))
		for ready := 0; ready < queries+2; {
			m, err := r.fe.Receive()
			if err != nil {
				t.Fatalf("after %d results: %v", len(got), err)
			}
			switch m := m.(type) {
			case *pgproto3.CopyInResponse:
				got = append(got, "copy-in")
			case *pgproto3.CommandComplete:
				if tag := string(m.CommandTag); strings.HasPrefix(tag, "COPY") {
					got = append(got, tag)
				}
			case *pgproto3.DataRow:
				got = append(got, string(m.Values[0]))
			case *pgproto3.ErrorResponse:
				t.Fatalf("error after %v: %s %s", got, m.Code, m.Message)
			case *pgproto3.ReadyForQuery:
				ready++
			}
		}
		want := []string{"copy-in", fmt.Sprintf("COPY %d", rows)}
		for i := 0; i < queries; i++ {
			want = append(want, fmt.Sprint(i))
		}
		want = append(want, fmt.Sprint(rows))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("results:\n got %v\nwant %v", got, want)
		}
	})

	// A CancelRequest reaches a statement that runs on the reader; the query
	// pipelined behind it runs after, in order.
	t.Run("cancel a statement on the reader", func(t *testing.T) {
		c := connect(t, ctx, s.url("augur", "disable"))
		pc := c.PgConn()
		go func() {
			time.Sleep(300 * time.Millisecond)
			if err := pc.CancelRequest(ctx); err != nil {
				t.Errorf("CancelRequest: %v", err)
			}
		}()
		res, err := pc.Exec(ctx, "SELECT pg_sleep(30)").ReadAll()
		if pgCode(err) != "57014" {
			t.Fatalf("pg_sleep(30) after a cancel request: %v %v, want 57014", res, err)
		}
		var n int32
		if err := c.QueryRow(ctx, "SELECT 5").Scan(&n); err != nil || n != 5 {
			t.Fatalf("after the cancel: %d %v", n, err)
		}
	})

	// A client that closes its socket while its statement runs on the reader:
	// as in PostgreSQL, the statement runs to its end, then the next read sees
	// the end of the stream and the transaction is rolled back, its row lock
	// released.
	t.Run("client vanishes mid-transaction while its statement runs", func(t *testing.T) {
		if _, err := admin.Exec(ctx, "CREATE TABLE inline_vanish (k int PRIMARY KEY, v int); INSERT INTO inline_vanish VALUES (1, 1)"); err != nil {
			t.Fatal(err)
		}
		r := dialRaw(t, s.addr())
		r.startup("augur", "augur")
		if msgs, status := r.query("BEGIN; UPDATE inline_vanish SET v = 2 WHERE k = 1"); status != 'T' {
			t.Fatalf("BEGIN; UPDATE: status %c, %v", status, msgs)
		}
		r.fe.Send(&pgproto3.Query{String: "SELECT pg_sleep(1)"})
		if err := r.fe.Flush(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		r.nc.Close()

		// Waits for the row lock until the vanished transaction is rolled back.
		var v int32
		if err := admin.QueryRow(ctx, "SELECT v FROM inline_vanish WHERE k = 1 FOR UPDATE").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != 1 {
			t.Fatalf("v = %d after the client vanished mid-transaction, want 1 (rolled back)", v)
		}
	})
}
