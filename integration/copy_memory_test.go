package integration

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyRowsText is an io.Reader of n text-format rows, made as it is read, so
// the test itself holds none of the data.
type copyRowsText struct {
	next, n int
	buf     []byte
}

func (r *copyRowsText) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.next < r.n {
		r.next++
		r.buf = fmt.Appendf(r.buf, "%d\tsome text for row %d, long enough to matter\t%d\n", r.next, r.next, r.next%1000)
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.buf)
	r.buf = r.buf[k:]
	return k, nil
}

// copyRowsBinary is a pgx.CopyFromSource of n rows made on demand.
type copyRowsBinary struct{ i, n int }

func (s *copyRowsBinary) Next() bool { s.i++; return s.i <= s.n }
func (s *copyRowsBinary) Values() ([]any, error) {
	return []any{int32(s.i), fmt.Sprintf("binary row %d with some text in it", s.i), int32(s.i % 1000)}, nil
}
func (s *copyRowsBinary) Err() error { return nil }

// testCopyMemory copies rows in text format (pgconn's CopyFrom with an
// io.Reader) and binary format (pgx's CopyFrom) and checks that the server's
// resident memory does not grow with the number of rows: the session inserts
// each CopyData message's rows as it arrives and the store spills large write
// sets to disk.
func testCopyMemory(t *testing.T, rows int) {
	s := startServer(t, serverOptions{logLevel: "info"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	c := connect(t, ctx, s.url("augur", "disable"))
	if _, err := c.Exec(ctx, `CREATE TABLE big (id int PRIMARY KEY, txt text, k int)`); err != nil {
		t.Fatal(err)
	}
	base := s.rssBytes(t)
	start := time.Now()
	tag, err := c.PgConn().CopyFrom(ctx, &copyRowsText{n: rows}, `COPY big FROM STDIN`)
	if err != nil || tag.RowsAffected() != int64(rows) {
		t.Fatalf("COPY FROM text: %v, %v", tag, err)
	}
	textTime := time.Since(start)
	afterText := s.rssBytes(t)
	if _, err := c.Exec(ctx, `CREATE TABLE big2 (id int PRIMARY KEY, txt text, k int)`); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	n, err := c.CopyFrom(ctx, pgx.Identifier{"big2"}, []string{"id", "txt", "k"}, &copyRowsBinary{n: rows})
	if err != nil || n != int64(rows) {
		t.Fatalf("COPY FROM binary: %d, %v", n, err)
	}
	binTime := time.Since(start)
	afterBin := s.rssBytes(t)
	var count int64
	if err := c.QueryRow(ctx, `SELECT count(*) FROM big2`).Scan(&count); err != nil || count != int64(rows) {
		t.Fatalf("count = %d, %v", count, err)
	}
	t.Logf("%d rows: text %v, binary %v; RSS %d MiB before, %d MiB after text, %d MiB after binary",
		rows, textTime, binTime, base>>20, afterText>>20, afterBin>>20)
	// What may grow with the rows is the transaction's row locks: INSERT
	// takes a lock on each primary key it writes and holds it to the end of
	// the transaction (see docs/architecture.md, Row locks), ~230 bytes of
	// heap a row, about twice that in RSS with the GC's headroom. The input
	// itself is never held: the bound is that plus a fixed allowance for the
	// store's memtables, the write set below txn_buffer_max and the heap.
	limit := int64(512<<20) + int64(rows)*2048
	if afterText-base > limit || afterBin-base > limit {
		t.Fatalf("RSS grew by %d MiB (text) and %d MiB (binary) copying %d rows; limit %d MiB",
			(afterText-base)>>20, (afterBin-base)>>20, rows, limit>>20)
	}
}

func TestCopyMemory(t *testing.T) { testCopyMemory(t, 200_000) }
