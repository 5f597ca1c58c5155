package integration

// TestPgbench runs PostgreSQL's own pgbench against Augur, unchanged, as a user
// would: it is the client that exercises the bulk-load path (one transaction that
// truncates and COPYs a million rows WITH (FREEZE on), then ALTER TABLE … ADD
// PRIMARY KEY, VACUUM and fillfactor storage parameters) and the short
// read-write transactions of the TPC-B-like script over each of the three query
// protocols pgbench speaks (-M simple, extended and prepared).
//
// The assertions are about outcomes, never time: pgbench's exit status, its
// "actually processed N/N" and "failed transactions: 0" lines, the row counts and
// primary keys the load left, the TPC-B invariant (every transaction adds the same
// delta to one account, one teller, one branch and one history row, so the four
// sums agree and history has one row per transaction) and the server's resident
// memory after the load. The tps and latency lines are logged for the record.
//
// The scale 10 load takes minutes on a small machine: run it alone, with a longer
// timeout than go test's default, e.g.
//
//	go test ./integration -run 'TestPgbench$' -count=1 -timeout 30m -v
//
// It is skipped with -short and when pgbench is not on PATH (unless
// AUGUR_DIFF_REQUIRE_PG is set, as CI does for the other PostgreSQL tools).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	pgbenchScale       = 10
	pgbenchClients     = 8
	pgbenchThreads     = 2
	pgbenchSelectTxns  = 200 // per client, -S
	pgbenchTPCBTxns    = 50  // per client, the TPC-B-like script
	pgbenchAccountsPer = 100_000
	// pgbenchRSSLimit bounds the server's resident memory right after the scale
	// 10 load. It is deliberately generous (the load is one transaction of a
	// million rows, ~130 MB of COPY data, and the primary key builds after it):
	// what it catches is memory that grows with the transaction's size without
	// bound, as a write set held whole in memory would.
	pgbenchRSSLimit = 3 << 30
)

// pgbenchResult is what pgbench reported about one run.
type pgbenchResult struct {
	processed, expected int
	failed              int
	summary             []string // the tps, latency and failed lines, for the log
}

var (
	pgbenchProcessedRe = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)/(\d+)$`)
	pgbenchFailedRe    = regexp.MustCompile(`(?m)^number of failed transactions: (\d+) `)
)

// parsePgbench reads the summary pgbench prints after a run.
func parsePgbench(out string) (pgbenchResult, error) {
	var r pgbenchResult
	m := pgbenchProcessedRe.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no \"actually processed\" line in pgbench's output")
	}
	r.processed, _ = strconv.Atoi(m[1])
	r.expected, _ = strconv.Atoi(m[2])
	f := pgbenchFailedRe.FindStringSubmatch(out)
	if f == nil {
		return r, fmt.Errorf("no \"failed transactions\" line in pgbench's output")
	}
	r.failed, _ = strconv.Atoi(f[1])
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "tps = ") || strings.HasPrefix(line, "latency average") ||
			strings.HasPrefix(line, "number of failed") || strings.HasPrefix(line, "number of transactions actually") {
			r.summary = append(r.summary, line)
		}
	}
	return r, nil
}

func TestParsePgbench(t *testing.T) {
	const ok = `transaction type: <builtin: select only>
number of transactions actually processed: 1600/1600
number of failed transactions: 0 (0.000%)
latency average = 1.480 ms
initial connection time = 7.793 ms
tps = 5407.049441 (without initial connection time)
`
	const short = `number of transactions actually processed: 1598/1600
number of failed transactions: 2 (0.125%)
tps = 10.0 (without initial connection time)
`
	tests := []struct {
		name                        string
		out                         string
		processed, expected, failed int
		lines                       int
		wantErr                     bool
	}{
		{"complete", ok, 1600, 1600, 0, 4, false},
		{"failures", short, 1598, 1600, 2, 3, false},
		{"no summary", "pgbench: error: connection to server failed\n", 0, 0, 0, 0, true},
		{"no failed line", "number of transactions actually processed: 1/1\n", 1, 1, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parsePgbench(tc.out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if r.processed != tc.processed || r.expected != tc.expected || r.failed != tc.failed || len(r.summary) != tc.lines {
				t.Fatalf("got %d/%d failed %d, %d summary lines; want %d/%d failed %d, %d lines",
					r.processed, r.expected, r.failed, len(r.summary), tc.processed, tc.expected, tc.failed, tc.lines)
			}
		})
	}
}

// runPgbench runs pgbench against s's database db and fails the test unless it
// exits with status 0.
func runPgbench(t *testing.T, ctx context.Context, s *server, db string, args ...string) string {
	t.Helper()
	all := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "augur"}, args...)
	cmd := exec.CommandContext(ctx, "pgbench", append(all, db)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// pgbenchInitLine returns pgbench -i's closing "done in …" line.
func pgbenchInitLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "done in ") {
			return line
		}
	}
	return ""
}

func TestPgbench(t *testing.T) {
	if testing.Short() {
		t.Skip("pgbench at scale 10 takes minutes")
	}
	if _, err := exec.LookPath("pgbench"); err != nil {
		if os.Getenv("AUGUR_DIFF_REQUIRE_PG") != "" {
			t.Fatalf("pgbench required: %v", err)
		}
		t.Skip("pgbench is not on PATH")
	}
	s := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c := connect(t, ctx, s.url("augur", "disable"))

	// queryInts runs a query returning one row of integers.
	queryInts := func(t *testing.T, sql string, n int) []int64 {
		t.Helper()
		vals := make([]int64, n)
		dest := make([]any, n)
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := c.QueryRow(ctx, sql).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return vals
	}
	// checkLoaded checks the tables a pgbench -i at scale left in database db.
	checkLoaded := func(t *testing.T, db string, scale int) {
		t.Helper()
		dc := connect(t, ctx, s.url(db, "disable"))
		got := make([]int64, 4)
		if err := dc.QueryRow(ctx, `SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_branches),
			(SELECT count(*) FROM pgbench_tellers), (SELECT count(*) FROM pgbench_history)`).Scan(&got[0], &got[1], &got[2], &got[3]); err != nil {
			t.Fatal(err)
		}
		want := []int64{int64(scale * pgbenchAccountsPer), int64(scale), int64(scale * 10), 0}
		for i, name := range []string{"accounts", "branches", "tellers", "history"} {
			if got[i] != want[i] {
				t.Errorf("%s: count(pgbench_%s) = %d, want %d", db, name, got[i], want[i])
			}
		}
		rows, err := dc.Query(ctx, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
			WHERE i.indisprimary AND c.relname LIKE 'pgbench%' ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		var pks []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			pks = append(pks, name)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(pks, ","), "pgbench_accounts,pgbench_branches,pgbench_tellers"; got != want {
			t.Errorf("%s: tables with a primary key: %s, want %s", db, got, want)
		}
	}

	// Client-side generation: one transaction of TRUNCATE and COPY … WITH
	// (FREEZE on), then VACUUM and ALTER TABLE … ADD PRIMARY KEY.
	base := s.rssBytes(t)
	start := time.Now()
	out := runPgbench(t, ctx, s, "augur", "-i", "-s", strconv.Itoa(pgbenchScale))
	loaded := s.rssBytes(t)
	t.Logf("pgbench -i -s %d: %s (wall %v); server RSS %d MiB before, %d MiB after",
		pgbenchScale, pgbenchInitLine(out), time.Since(start).Round(time.Second), base>>20, loaded>>20)
	if loaded > pgbenchRSSLimit {
		t.Errorf("server RSS after pgbench -i -s %d is %d MiB, above the %d MiB bound", pgbenchScale, loaded>>20, pgbenchRSSLimit>>20)
	}
	checkLoaded(t, "augur", pgbenchScale)
	if t.Failed() {
		t.FailNow()
	}

	tpcbRun := 0
	for _, mode := range []string{"simple", "extended", "prepared"} {
		for _, w := range []struct {
			name    string
			args    []string
			perConn int
		}{
			{"select-only", []string{"-S"}, pgbenchSelectTxns},
			{"tpcb", nil, pgbenchTPCBTxns},
		} {
			t.Run(w.name+"/"+mode, func(t *testing.T) {
				args := append([]string{"-n", "-M", mode, "-c", strconv.Itoa(pgbenchClients), "-j", strconv.Itoa(pgbenchThreads),
					"-t", strconv.Itoa(w.perConn)}, w.args...)
				out := runPgbench(t, ctx, s, "augur", args...)
				r, err := parsePgbench(out)
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				want := pgbenchClients * w.perConn
				if r.processed != want || r.expected != want || r.failed != 0 {
					t.Errorf("processed %d/%d with %d failed, want %d/%d with 0 failed\n%s", r.processed, r.expected, r.failed, want, want, out)
				}
				t.Logf("pgbench %s:\n\t%s", strings.Join(args, " "), strings.Join(r.summary, "\n\t"))
				if w.name == "tpcb" {
					tpcbRun += r.processed
				}
			})
		}
	}

	// The TPC-B invariant after all the TPC-B-like runs.
	sums := queryInts(t, `SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(bbalance) FROM pgbench_branches),
		(SELECT sum(tbalance) FROM pgbench_tellers), (SELECT coalesce(sum(delta), 0) FROM pgbench_history),
		(SELECT count(*) FROM pgbench_history)`, 5)
	if sums[0] != sums[1] || sums[1] != sums[2] || sums[2] != sums[3] {
		t.Errorf("TPC-B invariant broken: sum(abalance) %d, sum(bbalance) %d, sum(tbalance) %d, sum(delta) %d", sums[0], sums[1], sums[2], sums[3])
	}
	if sums[4] != int64(tpcbRun) {
		t.Errorf("count(pgbench_history) = %d, want %d (one row per TPC-B transaction run)", sums[4], tpcbRun)
	}
	t.Logf("TPC-B invariant: balances sum to %d in accounts, branches, tellers and history; %d history rows", sums[0], sums[4])

	// Server-side generation (generate_series) with a fillfactor storage
	// parameter, into a database of its own.
	t.Run("server-side init", func(t *testing.T) {
		if _, err := c.Exec(ctx, `CREATE DATABASE pgbench_server`); err != nil {
			t.Fatal(err)
		}
		out := runPgbench(t, ctx, s, "pgbench_server", "-i", "-I", "dtGvp", "-F", "90")
		t.Logf("pgbench -i -I dtGvp -F 90: %s", pgbenchInitLine(out))
		checkLoaded(t, "pgbench_server", 1)
	})
}
