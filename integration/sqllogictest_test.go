// TestSQLLogic measures SQL conformance with SQLite's sqllogictest corpus: the
// .test files under shared/sqllogictest next to the repository (see the README
// there for the format and where the files come from; the test skips when the
// directory is missing).
//
// Every file runs against a fresh augur server (its own temporary data directory)
// on one connection with the simple query protocol; at most two files run at once.
// A record is a statement, which passes when it succeeds (statement ok) or fails
// (statement error), or a query, which passes when it succeeds with the expected
// number of columns and its values, rendered, sorted and hashed as the reference
// runner does (slt_format_test.go), equal the expected lines. Records whose
// skipif/onlyif conditions exclude the engine "postgresql" do not run. Each record
// has a timeout; a connection that breaks is reopened and the run goes on.
//
// Augur does not pass the whole corpus, so failing records do not fail the test.
// Instead testdata/sqllogictest/ratchet.txt records, per file, the minimum number
// of records that must pass, and the test fails when a file passes fewer. The
// table of results is in the verbose output (go test -v), with the first failures
// of each file. Flags (go test ./integration -run 'TestSQLLogic$' -v -args ...):
//
//	-slt.update   raise the ratchet to the current pass counts (never lowers them)
//	-slt.lower    with -slt.update, also lower counts that dropped
//	-slt.files    comma-separated substrings of the file paths to run
//	-slt.verbose  log every failure, not only the first few per file
//
// With AUGUR_SLT_PG=host:port the same files run against that PostgreSQL instead
// (user augur with trust authentication; each file gets a fresh database slt_<n>),
// to check the runner itself: PostgreSQL 15 passes about 99.3% of the corpus. The
// ratchet is neither checked nor updated then.

package integration

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

var (
	sltUpdate  = flag.Bool("slt.update", false, "sqllogictest: raise the ratchet file to the current pass counts")
	sltLower   = flag.Bool("slt.lower", false, "sqllogictest: with -slt.update, also lower counts that dropped")
	sltFiles   = flag.String("slt.files", "", "sqllogictest: comma-separated substrings; run only the files whose path contains one")
	sltVerbose = flag.Bool("slt.verbose", false, "sqllogictest: log every failure")
)

const (
	sltRatchetFile    = "testdata/sqllogictest/ratchet.txt"
	sltRecordTimeout  = 20 * time.Second
	sltConcurrency    = 2 // files run at once
	sltFailuresLogged = 5 // per file, without -slt.verbose
	sltMaxReconnects  = 3 // consecutive failed reconnects before the rest of a file is given up
)

// sltCorpusDir is the corpus, relative to this package's directory.
var sltCorpusDir = filepath.Join("..", "..", "shared", "sqllogictest")

// sltFileResult is the outcome of one .test file.
type sltFileResult struct {
	path    string // relative to the corpus root, with forward slashes
	run     int    // statements and queries that were not skipped
	passed  int
	elapsed time.Duration
}

func TestSQLLogic(t *testing.T) {
	if _, err := os.Stat(sltCorpusDir); err != nil {
		t.Skipf("sqllogictest corpus not found at %s (expected next to the repository, as shared/sqllogictest): %v", sltCorpusDir, err)
	}
	files, sizes, err := sltListFiles(sltCorpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .test files under %s", sltCorpusDir)
	}
	index := map[string]int{} // stable numbering for PostgreSQL database names
	for i, f := range files {
		index[f] = i
	}
	if *sltFiles != "" {
		subs := strings.Split(*sltFiles, ",")
		files = slices.DeleteFunc(files, func(f string) bool {
			return !slices.ContainsFunc(subs, func(s string) bool { return s != "" && strings.Contains(f, s) })
		})
		if len(files) == 0 {
			t.Fatalf("-slt.files %q matches no file", *sltFiles)
		}
	}
	// Largest files first, so that two workers finish at about the same time.
	slices.SortStableFunc(files, func(a, b string) int { return cmp.Compare(sizes[b], sizes[a]) })

	pgAddr := os.Getenv("AUGUR_SLT_PG")
	target := "augur"
	if pgAddr != "" {
		target = "PostgreSQL at " + pgAddr
	}

	start := time.Now()
	var mu sync.Mutex
	var results []sltFileResult
	queue := make(chan string)
	var wg sync.WaitGroup
	for range min(sltConcurrency, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range queue {
				t.Run(f, func(t *testing.T) {
					var r sltFileResult
					if pgAddr != "" {
						r = sltRunPostgres(t, pgAddr, f, index[f])
					} else {
						r = sltRunAugur(t, f)
					}
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
				})
			}
		}()
	}
	for _, f := range files {
		queue <- f
	}
	close(queue)
	wg.Wait()
	elapsed := time.Since(start)

	slices.SortFunc(results, func(a, b sltFileResult) int { return strings.Compare(a.path, b.path) })
	t.Logf("sqllogictest against %s, %d files in %v:\n%s", target, len(results), elapsed.Round(time.Second), sltTable(results))

	if pgAddr != "" {
		if *sltUpdate {
			t.Log("-slt.update is ignored with AUGUR_SLT_PG: the ratchet holds augur's counts")
		}
		return
	}
	ratchet, err := sltReadRatchet(sltRatchetFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		want, ok := ratchet[r.path]
		switch {
		case !ok && *sltUpdate:
			t.Logf("%s: added to %s", r.path, sltRatchetFile)
		case !ok:
			t.Errorf("%s: not in %s; run with -slt.update to add it", r.path, sltRatchetFile)
		case r.passed < want:
			t.Errorf("%s: %d records pass, fewer than the %d recorded in %s (a regression; if intended, run with -slt.update -slt.lower)",
				r.path, r.passed, want, sltRatchetFile)
		case r.passed > want && !*sltUpdate:
			t.Logf("%s: %d records pass, more than the %d recorded: run with -slt.update to raise the ratchet", r.path, r.passed, want)
		}
	}
	if *sltUpdate {
		next := sltNextRatchet(ratchet, results, *sltLower)
		if err := sltWriteRatchet(sltRatchetFile, next); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", sltRatchetFile)
	}
}

// sltListFiles returns the .test files under dir, relative to it with forward
// slashes and sorted, and their sizes.
func sltListFiles(dir string) ([]string, map[string]int64, error) {
	var files []string
	sizes := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".test") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files = append(files, rel)
		sizes[rel] = info.Size()
		return nil
	})
	slices.Sort(files)
	return files, sizes, err
}

// sltRunAugur runs one file against a fresh augur server.
func sltRunAugur(t *testing.T, path string) sltFileResult {
	s := startServer(t, serverOptions{})
	url := s.url("augur", "disable")
	return sltRunFile(t, path, func(ctx context.Context) (*pgconn.PgConn, error) {
		return pgconn.Connect(ctx, url)
	})
}

// sltRunPostgres runs one file against PostgreSQL at addr in a fresh database
// slt_<n>, dropped afterwards.
func sltRunPostgres(t *testing.T, addr, path string, n int) sltFileResult {
	host, port, ok := strings.Cut(addr, ":")
	if !ok {
		t.Fatalf("AUGUR_SLT_PG=%q: want host:port", addr)
	}
	db := fmt.Sprintf("slt_%d", n)
	dbURL := func(name string) string {
		return fmt.Sprintf("postgres://augur@%s:%s/%s?sslmode=disable", host, port, name)
	}
	admin := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgconn.Connect(ctx, dbURL("augur"))
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, sql).ReadAll()
		return err
	}
	if err := admin("DROP DATABASE IF EXISTS " + db); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", addr, err)
	}
	if err := admin("CREATE DATABASE " + db); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", addr, err)
	}
	t.Cleanup(func() {
		if err := admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", db, err)
		}
	})
	return sltRunFile(t, path, func(ctx context.Context) (*pgconn.PgConn, error) {
		return pgconn.Connect(ctx, dbURL(db))
	})
}

// sltRunner runs the records of one file on one connection.
type sltRunner struct {
	t         *testing.T
	path      string
	connect   func(context.Context) (*pgconn.PgConn, error)
	conn      *pgconn.PgConn
	threshold int
	labels    map[string]string // label → hash of the first result with it
	failures  int
	// reconnectFailures counts consecutive failed reconnects; at sltMaxReconnects
	// the server is taken for gone and the remaining records fail without a try.
	reconnectFailures int
}

func sltRunFile(t *testing.T, path string, connect func(context.Context) (*pgconn.PgConn, error)) sltFileResult {
	res := sltFileResult{path: path}
	start := time.Now()
	text, err := os.ReadFile(filepath.Join(sltCorpusDir, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	records, err := parseSLT(string(text))
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	r := &sltRunner{t: t, path: path, connect: connect, threshold: sltDefaultHashThreshold, labels: map[string]string{}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	r.conn, err = connect(ctx)
	cancel()
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer func() {
		if r.conn != nil {
			r.conn.Close(context.Background())
		}
	}()
	for i := range records {
		rec := &records[i]
		if !rec.applies(sltEngine) {
			continue
		}
		switch rec.kind {
		case sltHalt:
			return sltFinish(t, r, res, start)
		case sltHashThreshold:
			r.threshold = rec.threshold
			continue
		}
		res.run++
		if r.runRecord(rec) {
			res.passed++
		}
	}
	return sltFinish(t, r, res, start)
}

func sltFinish(t *testing.T, r *sltRunner, res sltFileResult, start time.Time) sltFileResult {
	res.elapsed = time.Since(start)
	t.Logf("%s: %d of %d records pass (%s) in %v", res.path, res.passed, res.run, sltPercent(res.passed, res.run), res.elapsed.Round(time.Millisecond))
	if n := r.failures - sltFailuresLogged; n > 0 && !*sltVerbose {
		t.Logf("... and %d more failures (-slt.verbose logs them all)", n)
	}
	return res
}

// runRecord runs one statement or query and reports whether it passed.
func (r *sltRunner) runRecord(rec *sltRecord) bool {
	if r.conn == nil || r.conn.IsClosed() {
		if r.reconnectFailures >= sltMaxReconnects {
			r.fail(rec, nil, "", errors.New("not run: the server is unreachable"))
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		c, err := r.connect(ctx)
		cancel()
		if err != nil {
			r.reconnectFailures++
			r.fail(rec, nil, "", fmt.Errorf("reconnect: %w", err))
			return false
		}
		r.conn, r.reconnectFailures = c, 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), sltRecordTimeout)
	out := sltExec(ctx, r.conn, rec.sql, rec.types)
	cancel()
	if r.conn.IsClosed() {
		// A FATAL error, a network error or the timeout closed the connection: the
		// record fails whatever it expected, and the next one reconnects.
		err := out.err
		if err == nil {
			err = errors.New("the connection closed")
		}
		r.fail(rec, nil, "", fmt.Errorf("connection lost: %w", err))
		return false
	}
	if rec.kind == sltStatement {
		switch {
		case rec.wantError && out.err == nil:
			r.fail(rec, nil, "the statement succeeded; want an error", nil)
			return false
		case !rec.wantError && out.err != nil:
			r.fail(rec, nil, "", out.err)
			return false
		}
		return true
	}
	got, why := sltCheckQuery(rec, out, r.threshold)
	if why == "" && rec.label != "" {
		// Queries with the same label must give the same result.
		h := sltHash(out.values)
		if first, ok := r.labels[rec.label]; !ok {
			r.labels[rec.label] = h
		} else if first != h {
			why = fmt.Sprintf("result differs from an earlier query labelled %s", rec.label)
		}
	}
	if why != "" {
		r.fail(rec, got, why, out.err)
		return false
	}
	return true
}

// fail logs a failed record, if it is among the first few of the file or the
// -slt.verbose flag is set.
func (r *sltRunner) fail(rec *sltRecord, got []string, why string, err error) {
	r.failures++
	if r.failures > sltFailuresLogged && !*sltVerbose {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "FAIL %s:%d\n%s\n", r.path, rec.line, sltIndent(rec.sql))
	if rec.kind == sltQuery {
		fmt.Fprintf(&b, "  expected (%s):\n%s\n", rec.types, sltIndent(sltHead(rec.expected)))
		if got != nil {
			fmt.Fprintf(&b, "  got:\n%s\n", sltIndent(sltHead(got)))
		}
	}
	if why != "" {
		fmt.Fprintf(&b, "  %s\n", why)
	}
	if err != nil {
		fmt.Fprintf(&b, "  error: %v\n", err)
	}
	r.t.Log(strings.TrimSuffix(b.String(), "\n"))
}

// sltHead returns at most the first 10 lines.
func sltHead(lines []string) string {
	if len(lines) > 10 {
		return strings.Join(lines[:10], "\n") + fmt.Sprintf("\n... (%d lines)", len(lines))
	}
	if len(lines) == 0 {
		return "(no rows)"
	}
	return strings.Join(lines, "\n")
}

func sltIndent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// sltOutcome is what running a record's SQL gave: the error, or the number of
// columns of the last result (0 when it had no row description) and, when that
// matches the query's types, its values rendered row-major.
type sltOutcome struct {
	err    error
	ncols  int
	values []string
}

// sltExec sends sql in one simple-protocol Query message (so that a record with
// several statements runs as it is) and renders the last result's values with
// types; a statement passes types "" and its rows are not rendered.
func sltExec(ctx context.Context, conn *pgconn.PgConn, sql, types string) sltOutcome {
	var out sltOutcome
	mrr := conn.Exec(ctx, sql)
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		fds := rr.FieldDescriptions()
		out.ncols = len(fds)
		out.values = out.values[:0]
		render := types != "" && out.ncols == len(types)
		for rr.NextRow() {
			if !render {
				continue
			}
			for i, v := range rr.Values() {
				if fds[i].DataTypeOID == sltBoolOID {
					v = sltBoolValue(v)
				}
				out.values = append(out.values, sltRender(types[i], v))
			}
		}
		if _, err := rr.Close(); err != nil {
			out.err = err
		}
	}
	if err := mrr.Close(); err != nil {
		out.err = err
	}
	return out
}

// sltCheckQuery compares a query's outcome with the record's expected lines,
// returning the lines the outcome gives and, when it fails, why.
func sltCheckQuery(rec *sltRecord, out sltOutcome, threshold int) (got []string, why string) {
	if out.err != nil {
		return nil, "the query failed"
	}
	if out.ncols != len(rec.types) {
		return nil, fmt.Sprintf("got %d columns, want %d", out.ncols, len(rec.types))
	}
	sltSort(out.values, out.ncols, rec.sort)
	got = sltOutput(out.values, threshold)
	if !rec.hasResults && rec.label != "" {
		return got, "" // only the label's hash is checked
	}
	if !slices.Equal(got, rec.expected) {
		return got, "wrong result"
	}
	return got, ""
}

func sltPercent(passed, run int) string {
	if run == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(passed)/float64(run), 'f', 1, 64) + "%"
}

// sltTable formats the per-file results and their total.
func sltTable(results []sltFileResult) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "file\trun\tpassed\tpass %\ttime\t")
	var run, passed int
	for _, r := range results {
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%v\t\n", r.path, r.run, r.passed, sltPercent(r.passed, r.run), r.elapsed.Round(100*time.Millisecond))
		run += r.run
		passed += r.passed
	}
	fmt.Fprintf(w, "total\t%d\t%d\t%s\t\t\n", run, passed, sltPercent(passed, run))
	w.Flush()
	return b.String()
}

// sltReadRatchet reads "<path> <minimum passes>" lines; blank lines and lines
// starting with # are ignored. A missing file is an empty ratchet.
func sltReadRatchet(path string) (map[string]int, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]int{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]int{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s:%d: want <file> <minimum passes>, got %q", path, n, line)
		}
		v, err := strconv.Atoi(fields[1])
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%s:%d: bad count %q", path, n, fields[1])
		}
		m[fields[0]] = v
	}
	return m, sc.Err()
}

// sltNextRatchet returns the ratchet after a run: each file's count becomes its
// current passes when that is higher (or, with lower, different); files that did
// not run keep their counts.
func sltNextRatchet(old map[string]int, results []sltFileResult, lower bool) map[string]int {
	next := maps.Clone(old)
	if next == nil {
		next = map[string]int{}
	}
	for _, r := range results {
		if v, ok := next[r.path]; !ok || r.passed > v || lower {
			next[r.path] = r.passed
		}
	}
	return next
}

func sltWriteRatchet(path string, m map[string]int) error {
	var b strings.Builder
	b.WriteString("# Minimum passing records (statements and queries) per sqllogictest file, checked by\n")
	b.WriteString("# TestSQLLogic (integration/sqllogictest_test.go). Raise after a run with:\n")
	b.WriteString("#   go test ./integration -run 'TestSQLLogic$' -args -slt.update\n")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %d\n", k, m[k])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
