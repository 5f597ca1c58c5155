package integration

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyRowsText is an io.Reader of n text-format rows, made as it is read, so
// the test itself holds none of the data. at, when set, is called as row i is
// made.
type copyRowsText struct {
	next, n int
	buf     []byte
	at      func(i int)
}

func (r *copyRowsText) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.next < r.n {
		r.next++
		if r.at != nil {
			r.at(r.next)
		}
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
type copyRowsBinary struct {
	i, n int
	at   func(i int)
}

func (s *copyRowsBinary) Next() bool {
	s.i++
	if s.at != nil && s.i <= s.n {
		s.at(s.i)
	}
	return s.i <= s.n
}
func (s *copyRowsBinary) Values() ([]any, error) {
	return []any{int32(s.i), fmt.Sprintf("binary row %d with some text in it", s.i), int32(s.i % 1000)}, nil
}
func (s *copyRowsBinary) Err() error { return nil }

// anonBytes returns the anonymous resident memory (RssAnon: the heap and
// stacks, not Badger's memory-mapped files) of process pid.
func anonBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d", &kb); err != nil {
				return 0, fmt.Errorf("RssAnon line %q: %w", line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no RssAnon in /proc/%d/status", pid)
}

// liveHeapBytes asks the server's pprof listener for the heap after a
// garbage collection (gc=1): the memory the server holds, without the garbage
// that RSS also counts until the collector and the scavenger catch up.
func liveHeapBytes(pprofAddr string) (int64, error) {
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/heap?debug=1&gc=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "# HeapAlloc = "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("no HeapAlloc in the heap profile")
}

// memSample is the server's memory at one point of a COPY.
type memSample struct {
	anon, live int64
	err        error
}

// memSamples records the server's memory as the COPY's input reaches given
// rows (called from the client's copy goroutine).
type memSamples struct {
	pid       int
	pprofAddr string
	mu        sync.Mutex
	at        map[int]memSample
}

func (m *memSamples) take() memSample {
	var s memSample
	if s.live, s.err = liveHeapBytes(m.pprofAddr); s.err == nil {
		s.anon, s.err = anonBytes(m.pid)
	}
	return s
}

func (m *memSamples) sampler(rows ...int) func(i int) {
	return func(i int) {
		for _, r := range rows {
			if i == r {
				s := m.take()
				m.mu.Lock()
				m.at[r] = s
				m.mu.Unlock()
			}
		}
	}
}

// testCopyMemory copies rows in text format (pgconn's CopyFrom with an
// io.Reader) and binary format (pgx's CopyFrom), each in one transaction, and
// checks that the server's memory does not grow with the number of rows while
// it copies: the session inserts each CopyData message's rows as it arrives,
// the write set spills to a file past txn_buffer_max, and the commit reads the
// spilled write set back in bounded chunks. The server runs with
// txn_buffer_max at its minimum (bufferMax) so that the transaction spills
// many times within the rows of the test; the long test runs the default.
//
// Memory is sampled as the client produces the middle and the last row (the
// server is at most the 4 MiB of input credits behind) and after the commit.
// Between the middle and the last row it must stay flat; after the commit it
// holds the table's keys in the index shards (which grows with the rows, by
// design: see docs/architecture.md, Index shards).
func testCopyMemory(t *testing.T, rows int, bufferMax int64) {
	const (
		// How much the live heap may grow from the middle of the input to
		// its end: nothing that grows with the rows is held while copying.
		flatLimit = 16 << 20
		// How much RssAnon may grow from the middle of the input to its end:
		// the heap still warms up (the collector's headroom, the garbage of
		// the spills) but no more (measured 23-34 MiB; 106 MiB before the
		// write set's commit was bounded).
		flatRSSLimit = 64 << 20
		// What the server may hold above idle while it copies (RssAnon): the
		// write buffer, Badger's memtables, the collector's headroom.
		copyingLimit = 150 << 20
		// What the index shards hold per committed key (~60 bytes live, about
		// twice that in RSS with the collector's headroom).
		perRowAfterCommit = 256
	)
	// Each format on a server of its own: Badger's flushes and compactions
	// after the first commit would come and go in the second one's samples.
	for _, format := range []string{"text", "binary"} {
		pprofAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		env := []string{"AUGUR_PPROF_LISTEN=" + pprofAddr}
		if bufferMax > 0 {
			env = append(env, fmt.Sprintf("AUGUR_TXN_BUFFER_MAX=%d", bufferMax))
		}
		s := startServer(t, serverOptions{logLevel: "info", env: env})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		c := connect(t, ctx, s.url("augur", "disable"))
		m := &memSamples{pid: s.cmd.Process.Pid, pprofAddr: pprofAddr}
		sample := func() memSample {
			t.Helper()
			v := m.take()
			if v.err != nil {
				t.Fatal(v.err)
			}
			return v
		}
		table := "big_" + format
		if _, err := c.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (id int PRIMARY KEY, txt text, k int)`, table)); err != nil {
			t.Fatal(err)
		}
		base := sample()
		m.at = map[int]memSample{}
		at := m.sampler(rows/2, rows)
		start := time.Now()
		var n int64
		var err error
		if format == "text" {
			var tag interface{ RowsAffected() int64 }
			tag, err = c.PgConn().CopyFrom(ctx, &copyRowsText{n: rows, at: at}, `COPY `+table+` FROM STDIN`)
			if err == nil {
				n = tag.RowsAffected()
			}
		} else {
			n, err = c.CopyFrom(ctx, pgx.Identifier{table}, []string{"id", "txt", "k"}, &copyRowsBinary{n: rows, at: at})
		}
		if err != nil || n != int64(rows) {
			t.Fatalf("COPY FROM %s: %d rows, %v", format, n, err)
		}
		took := time.Since(start)
		after := sample()
		mid, end := m.at[rows/2], m.at[rows]
		for _, v := range []memSample{mid, end} {
			if v.err != nil || v.live == 0 {
				t.Fatalf("sample: %+v", v)
			}
		}
		var count int64
		if err := c.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&count); err != nil || count != int64(rows) {
			t.Fatalf("count = %d, %v", count, err)
		}
		t.Logf("%s, %d rows: %v; RssAnon (live heap) in MiB: idle %d (%d), row %d: %d (%d), row %d: %d (%d), after commit %d (%d)",
			format, rows, took, base.anon>>20, base.live>>20, rows/2, mid.anon>>20, mid.live>>20,
			rows, end.anon>>20, end.live>>20, after.anon>>20, after.live>>20)
		if end.live-mid.live > flatLimit {
			t.Errorf("%s: live heap grew by %d MiB from row %d to row %d of the COPY, limit %d MiB: the copy holds rows",
				format, (end.live-mid.live)>>20, rows/2, rows, flatLimit>>20)
		}
		if end.anon-mid.anon > flatRSSLimit {
			t.Errorf("%s: RssAnon grew by %d MiB from row %d to row %d of the COPY, limit %d MiB",
				format, (end.anon-mid.anon)>>20, rows/2, rows, flatRSSLimit>>20)
		}
		if grown := max(mid.anon, end.anon) - base.anon; grown > copyingLimit {
			t.Errorf("%s: RssAnon %d MiB above idle while copying, limit %d MiB", format, grown>>20, copyingLimit>>20)
		}
		if lim := int64(copyingLimit + rows*perRowAfterCommit); after.anon-base.anon > lim {
			t.Errorf("%s: RssAnon %d MiB above idle after the commit of %d rows, limit %d MiB",
				format, (after.anon-base.anon)>>20, rows, lim>>20)
		}
	}
}

// TestCopyMemory copies 300,000 rows with txn_buffer_max at 1 MiB: the
// transaction spills about every 6,000 rows. (The middle sample is taken at
// row 150,000 because the server may be ~100,000 rows behind the client: the
// input credits, pgconn's and the sockets' buffers.)
func TestCopyMemory(t *testing.T) { testCopyMemory(t, 300_000, 1<<20) }
