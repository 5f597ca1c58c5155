package integration

// TestDiff is the differential harness: every case file in testdata/diff runs on a
// PostgreSQL 15 that the test starts from the installed binaries and on Augur, and
// the two must answer alike, statement by statement.
//
// What is compared, for each statement:
//   - both succeed: the command tag, the column names and type OIDs, and the rows
//     (text format, as the simple Query protocol returns them), as multisets unless
//     the statement is marked ordered;
//   - both fail: the SQLSTATE (messages are not compared: wording is checked by the
//     SQL tests that pin them);
//   - one fails and the other does not: a difference.
//
// Case file format (testdata/diff/*.sql):
//   - statements end with ";" at the end of a line and may span lines;
//   - lines starting with "--" are comments, except the directives
//     "-- @ordered" (the next statement's rows must match in order) and
//     "-- @conn NAME" (the following statements run on connection NAME, opened on
//     first use; the first connection is "main");
//   - each file runs on a database of its own, created fresh on both servers.
//
// Deliberate differences are listed in testdata/diff/differences.txt with their
// reason; a listed statement must still differ (an entry that agrees again, or that
// names no statement, fails the test, so the list stays true).
//
// The reference server: with AUGUR_DIFF_PG set to a libpq URL of a PostgreSQL 15
// superuser connection (trust authentication, initialised with --locale=C), the
// harness uses that server; otherwise it runs initdb and pg_ctl from
// AUGUR_PG_BIN (default /usr/lib/postgresql/15/bin) on a temporary directory and a
// free loopback port. PostgreSQL refuses to run as root: when the test runs as root
// the server runs as AUGUR_PG_USER (default "postgres"). Without the binaries the
// test is skipped, unless AUGUR_DIFF_REQUIRE_PG is set (CI sets it).

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/augurdb/augur/integration/pgref"
)

const diffDir = "testdata/diff"

// diffStatement is one statement of a case file.
type diffStatement struct {
	file    string
	line    int // where the statement starts, 1-based
	sql     string
	conn    string
	ordered bool
}

// key identifies the statement in differences.txt.
func (s diffStatement) key() string { return s.file + "\x00" + collapseSpace(s.sql) }

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseDiffFile reads a case file into statements.
func parseDiffFile(path string) ([]diffStatement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name := filepath.Base(path)
	var (
		out     []diffStatement
		buf     []string
		start   int
		conn    = "main"
		ordered bool
		lineNo  int
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if len(buf) == 0 {
			if trimmed == "" {
				continue
			}
			if strings.HasPrefix(trimmed, "--") {
				directive := strings.TrimSpace(strings.TrimPrefix(trimmed, "--"))
				switch {
				case directive == "@ordered":
					ordered = true
				case strings.HasPrefix(directive, "@conn"):
					conn = strings.TrimSpace(strings.TrimPrefix(directive, "@conn"))
					if conn == "" {
						return nil, fmt.Errorf("%s:%d: @conn needs a name", name, lineNo)
					}
				case strings.HasPrefix(directive, "@"):
					return nil, fmt.Errorf("%s:%d: unknown directive %q", name, lineNo, directive)
				}
				continue
			}
			start = lineNo
		}
		buf = append(buf, line)
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, diffStatement{file: name, line: start, sql: strings.Join(buf, "\n"), conn: conn, ordered: ordered})
			buf, ordered = nil, false
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(buf) > 0 {
		return nil, fmt.Errorf("%s:%d: statement does not end with ';'", name, start)
	}
	return out, nil
}

// diffDifference is one entry of differences.txt.
type diffDifference struct {
	file, stmt, why string
	line            int
	seen            bool
}

// parseDifferences reads differences.txt: blocks separated by blank lines, each
// with "file:", "stmt:" and "why:" lines ("#" lines are comments).
func parseDifferences(path string) (map[string]*diffDifference, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]*diffDifference{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]*diffDifference{}
	var cur *diffDifference
	finish := func() error {
		if cur == nil {
			return nil
		}
		if cur.file == "" || cur.stmt == "" || cur.why == "" {
			return fmt.Errorf("differences.txt:%d: an entry needs file:, stmt: and why:", cur.line)
		}
		k := cur.file + "\x00" + collapseSpace(cur.stmt)
		if out[k] != nil {
			return fmt.Errorf("differences.txt:%d: duplicate entry", cur.line)
		}
		out[k] = cur
		cur = nil
		return nil
	}
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			continue
		}
		if t == "" {
			if err := finish(); err != nil {
				return nil, err
			}
			continue
		}
		if cur == nil {
			cur = &diffDifference{line: i + 1}
		}
		field, value, ok := strings.Cut(t, ":")
		if !ok {
			// A continuation of the previous field's text.
			cur.why += " " + t
			continue
		}
		value = strings.TrimSpace(value)
		switch field {
		case "file":
			cur.file = value
		case "stmt":
			cur.stmt = value
		case "why":
			cur.why = value
		default:
			return nil, fmt.Errorf("differences.txt:%d: unknown field %q", i+1, field)
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// diffResult is what one server answered to one statement.
type diffResult struct {
	cols  []string // name:oid
	rows  []string
	tag   string
	state string // SQLSTATE when the statement failed
	msg   string
}

func (r diffResult) String() string {
	if r.state != "" {
		return fmt.Sprintf("ERROR %s: %s", r.state, r.msg)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s", r.tag)
	if len(r.cols) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(r.cols, ", "))
		const most = 20
		for i, row := range r.rows {
			if i == most {
				fmt.Fprintf(&b, "\n      ... %d more", len(r.rows)-most)
				break
			}
			fmt.Fprintf(&b, "\n      %s", row)
		}
	}
	return b.String()
}

// diffExec runs one statement over the simple Query protocol.
func diffExec(ctx context.Context, c *pgconn.PgConn, sql string) (diffResult, error) {
	results, err := c.Exec(ctx, sql).ReadAll()
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return diffResult{state: pe.Code, msg: pe.Message}, nil
		}
		return diffResult{}, err
	}
	if len(results) == 0 {
		return diffResult{tag: "(empty)"}, nil
	}
	res := results[len(results)-1]
	r := diffResult{tag: res.CommandTag.String()}
	for _, fd := range res.FieldDescriptions {
		r.cols = append(r.cols, fd.Name+":"+strconv.FormatUint(uint64(fd.DataTypeOID), 10))
	}
	r.rows = textRows(res.Rows)
	return r, nil
}

// same reports whether two answers agree.
func (s diffStatement) same(pg, au diffResult) bool {
	if pg.state != "" || au.state != "" {
		return pg.state == au.state
	}
	if pg.tag != au.tag || !slices.Equal(pg.cols, au.cols) || len(pg.rows) != len(au.rows) {
		return false
	}
	if s.ordered {
		return slices.Equal(pg.rows, au.rows)
	}
	a, b := slices.Clone(pg.rows), slices.Clone(au.rows)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// diffCounts is the summary of one case file.
type diffCounts struct{ statements, agree, deliberate, differ int }

func TestDiff(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(diffDir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no case files in " + diffDir)
	}
	known, err := parseDifferences(filepath.Join(diffDir, "differences.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pgURL := referencePostgres(t)
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})

	// The files run one after another (no t.Parallel): the maps need no lock.
	summary := map[string]diffCounts{}
	ran := map[string]bool{}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".sql")
		t.Run(name, func(t *testing.T) {
			ran[filepath.Base(path)] = true
			summary[name] = runDiffFile(t, path, pgURL, au, known)
		})
	}

	var b strings.Builder
	var total diffCounts
	names := make([]string, 0, len(summary))
	for n := range summary {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Fprintf(&b, "%-28s %10s %6s %10s %6s\n", "case file", "statements", "agree", "deliberate", "differ")
	for _, n := range names {
		c := summary[n]
		fmt.Fprintf(&b, "%-28s %10d %6d %10d %6d\n", n, c.statements, c.agree, c.deliberate, c.differ)
		total.statements += c.statements
		total.agree += c.agree
		total.deliberate += c.deliberate
		total.differ += c.differ
	}
	fmt.Fprintf(&b, "%-28s %10d %6d %10d %6d\n", "total", total.statements, total.agree, total.deliberate, total.differ)
	t.Logf("differential summary (Augur vs PostgreSQL 15):\n%s", b.String())

	for _, d := range known {
		if !d.seen && ran[d.file] {
			t.Errorf("differences.txt:%d: no statement %q in %s", d.line, d.stmt, d.file)
		}
	}
}

// runDiffFile runs one case file on fresh databases of both servers.
func runDiffFile(t *testing.T, path, pgURL string, au *server, known map[string]*diffDifference) diffCounts {
	stmts, err := parseDiffFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db := "diff_" + notIdentChar.ReplaceAllString(strings.ToLower(strings.TrimSuffix(filepath.Base(path), ".sql")), "_")

	pgDB, auDB := freshDatabases(t, ctx, pgURL, au, db)
	type pair struct{ pg, au *pgconn.PgConn }
	conns := map[string]pair{}
	connFor := func(name string) pair {
		if p, ok := conns[name]; ok {
			return p
		}
		p := pair{sqlConnect(t, ctx, pgDB).PgConn(), sqlConnect(t, ctx, auDB).PgConn()}
		conns[name] = p
		return p
	}

	var counts diffCounts
	for _, s := range stmts {
		counts.statements++
		p := connFor(s.conn)
		pgRes, err := diffExec(ctx, p.pg, s.sql)
		if err != nil {
			t.Fatalf("%s:%d: PostgreSQL: %v", s.file, s.line, err)
		}
		auRes, err := diffExec(ctx, p.au, s.sql)
		if err != nil {
			t.Fatalf("%s:%d: Augur: %v\n  statement: %s", s.file, s.line, err, s.sql)
		}
		d := known[s.key()]
		if d != nil {
			d.seen = true
		}
		switch same := s.same(pgRes, auRes); {
		case same && d != nil:
			t.Errorf("%s:%d: listed in differences.txt (%s) but Augur now agrees with PostgreSQL; remove the entry\n  statement: %s",
				s.file, s.line, d.why, s.sql)
		case same:
			counts.agree++
		case d != nil:
			counts.deliberate++
		default:
			counts.differ++
			t.Errorf("%s:%d: Augur differs from PostgreSQL\n  statement: %s\n  postgres:  %s\n  augur:     %s",
				s.file, s.line, s.sql, pgRes, auRes)
		}
	}
	return counts
}

// freshDatabases creates db anew on the reference PostgreSQL and on au, and
// returns the URLs that reach it on each.
func freshDatabases(t *testing.T, ctx context.Context, pgURL string, au *server, db string) (pgDB, auDB string) {
	t.Helper()
	for _, admin := range []string{pgURL, au.url("augur", "disable")} {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
		if err == nil {
			_, err = c.Exec(ctx, "CREATE DATABASE "+db)
		}
		c.Close(ctx)
		if err != nil {
			t.Fatalf("create database %s afresh: %v", db, err)
		}
	}
	pgDB, err := withDatabase(pgURL, db)
	if err != nil {
		t.Fatal(err)
	}
	return pgDB, au.url(db, "disable")
}

// notIdentChar matches what a case file's name may hold that a database name
// should not.
var notIdentChar = regexp.MustCompile(`[^a-z0-9_]`)

// withDatabase replaces the database of a postgres:// URL.
func withDatabase(url, db string) (string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, db), nil
}

var (
	referenceOnce sync.Once
	referenceURL  string
	referenceErr  error
	referenceSkip string
)

// referencePostgres returns the URL of the reference PostgreSQL, starting one the
// first time it is asked (it is stopped when the test binary exits).
func referencePostgres(t *testing.T) string {
	t.Helper()
	referenceOnce.Do(func() {
		if u := os.Getenv("AUGUR_DIFF_PG"); u != "" {
			referenceURL = u
			return
		}
		referenceURL, referenceSkip, referenceErr = startReferencePostgres()
	})
	if referenceSkip != "" {
		if os.Getenv("AUGUR_DIFF_REQUIRE_PG") != "" {
			t.Fatalf("reference PostgreSQL required: %s", referenceSkip)
		}
		t.Skip(referenceSkip)
	}
	if referenceErr != nil {
		t.Fatalf("start reference PostgreSQL: %v", referenceErr)
	}
	return referenceURL
}

// startReferencePostgres starts a PostgreSQL from AUGUR_PG_BIN (as AUGUR_PG_USER
// when root) on a temporary directory. skip is set when this machine cannot run it.
func startReferencePostgres() (url, skip string, err error) {
	pg, err := pgref.Start(context.Background(), pgref.Options{
		Bin:   os.Getenv("AUGUR_PG_BIN"),
		RunAs: os.Getenv("AUGUR_PG_USER"),
		Port:  freePortNoTest(),
		Settings: []string{"fsync=off", "synchronous_commit=off", "full_page_writes=off", "timezone=UTC",
			"datestyle=iso, mdy", "lc_messages=C", "max_connections=200"},
	})
	if errors.Is(err, pgref.ErrUnavailable) {
		return "", err.Error() + " (set AUGUR_PG_BIN, AUGUR_PG_USER or AUGUR_DIFF_PG)", nil
	}
	if err != nil {
		return "", "", err
	}
	atExit = append(atExit, func() { pg.Stop() })
	return pg.URL("postgres"), "", nil
}
