package integration

// End-to-end tests of the SQL core through pgx. The cases are tables of steps (a
// statement, its parameters, and the rows, command tag or error it must produce);
// each case runs on a fresh connection twice, once over the simple Query protocol and
// once over the extended protocol (Parse/Describe/Bind/Execute with parameters).
//
// With AUGUR_SQLTEST_PG set to the URL of a scratch database on a PostgreSQL 15
// (e.g. postgres://augur@127.0.0.1:55432/sqltest_x?sslmode=disable), the same cases
// also run against PostgreSQL, which is how their expectations were checked. Cases
// marked with a bug are skipped against Augur unless AUGUR_SQLTEST_BUGS is set.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// sqlCase is one scenario: steps run in order on one connection.
type sqlCase struct {
	name  string
	steps []step
	// bug, when set, skips the case against Augur: "augur bug: " + bug.
	bug string
	// simpleOnly cases hold several statements in one Query message, which the
	// extended protocol cannot carry.
	simpleOnly bool
}

// step is one statement and what it must produce.
type step struct {
	sql  string
	args []any
	// rows are the expected rows in text format, columns joined with "|" and SQL NULL
	// written as NULL. They are compared in order unless unordered is set.
	rows      []string
	unordered bool
	// cols, when set, are the expected column names joined with "|".
	cols string
	// tag is the expected command tag; empty means "SELECT <len(rows)>".
	tag string
	// err is the expected error as "SQLSTATE: message"; detail and pos (1-based
	// character position, 0 = not checked) refine it.
	err    string
	detail string
	pos    int32
	// contains, when set, replaces the comparison of rows: the rows joined with
	// newlines must contain each of these strings (EXPLAIN output).
	contains []string
	// excludes are strings the joined rows must not contain (with contains set).
	excludes []string
	// multi sends sql as one simple Query message holding several statements; tag
	// is then the tags of the statements that completed, joined with ";", and rows
	// those of the last one.
	multi bool
	// onlyOn limits the step to one target ("postgres" or "augur").
	onlyOn string
}

// sqlTarget is a server the cases run against.
type sqlTarget struct {
	name string
	url  string // with database and sslmode
}

// sqlTargets starts an Augur server and adds the reference PostgreSQL if configured.
func sqlTargets(t *testing.T) []sqlTarget {
	t.Helper()
	s := startServer(t, serverOptions{config: trustConfig})
	targets := []sqlTarget{{name: "augur", url: s.url("augur", "disable")}}
	if pg := os.Getenv("AUGUR_SQLTEST_PG"); pg != "" {
		targets = append(targets, sqlTarget{name: "postgres", url: pg})
	}
	return targets
}

// sqlConnect opens a connection that is closed when the test ends.
func sqlConnect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

type protoMode int

const (
	simpleMode protoMode = iota
	extendedMode
)

func (m protoMode) String() string {
	if m == simpleMode {
		return "simple"
	}
	return "extended"
}

// runSQLCases runs every case against every target in both protocols.
func runSQLCases(t *testing.T, cases []sqlCase) {
	t.Helper()
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		names[c.name] = true
	}
	for _, tg := range sqlTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			for _, mode := range []protoMode{simpleMode, extendedMode} {
				t.Run(mode.String(), func(t *testing.T) {
					for _, c := range cases {
						t.Run(c.name, func(t *testing.T) {
							if c.simpleOnly && mode != simpleMode {
								t.Skip("several statements in one Query message")
							}
							if c.bug != "" {
								skipAugurBug(t, tg, c.bug)
							}
							runSQLCase(t, tg, mode, c)
						})
					}
				})
			}
		})
	}
}

// skipAugurBug skips a test of behaviour in which Augur is known to differ from
// PostgreSQL, unless AUGUR_SQLTEST_BUGS is set (to see whether it still does).
func skipAugurBug(t *testing.T, tg sqlTarget, bug string) {
	t.Helper()
	if tg.name == "augur" && os.Getenv("AUGUR_SQLTEST_BUGS") == "" {
		t.Skip("augur bug: " + bug)
	}
}

func runSQLCase(t *testing.T, tg sqlTarget, mode protoMode, c sqlCase) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := sqlConnect(t, ctx, tg.url)
	created := &createdObjects{}
	defer created.drop(t, tg.url)
	for i, st := range c.steps {
		if st.onlyOn != "" && st.onlyOn != tg.name {
			continue
		}
		got := execStep(ctx, conn, mode, st)
		if got.err == nil {
			created.note(st.sql)
		}
		if msg := st.check(got); msg != "" {
			t.Fatalf("step %d: %s\n%s", i+1, st.sql, msg)
		}
	}
}

// stepResult is what a statement produced.
type stepResult struct {
	cols string
	rows []string
	tag  string
	err  error
}

func execStep(ctx context.Context, conn *pgx.Conn, mode protoMode, st step) stepResult {
	if st.multi {
		if len(st.args) > 0 || mode != simpleMode {
			return stepResult{err: errors.New("a multi step takes no parameters and needs a simpleOnly case")}
		}
		results, err := conn.PgConn().Exec(ctx, st.sql).ReadAll()
		var r stepResult
		var tags []string
		for _, res := range results {
			if res.Err != nil {
				break
			}
			tags = append(tags, res.CommandTag.String())
			r.rows = textRows(res.Rows)
			r.cols = colNames(res.FieldDescriptions)
		}
		r.tag, r.err = strings.Join(tags, ";"), err
		return r
	}
	var rows pgx.Rows
	var err error
	if mode == simpleMode {
		rows, err = conn.Query(ctx, st.sql, append([]any{pgx.QueryExecModeSimpleProtocol}, st.args...)...)
	} else {
		// Results in text format, to compare them with the simple protocol's;
		// parameters go in the formats pgx picks (binary for numbers).
		rows, err = conn.Query(ctx, st.sql, append([]any{pgx.QueryExecModeDescribeExec, pgx.QueryResultFormats{pgx.TextFormatCode}}, st.args...)...)
	}
	if err != nil {
		return stepResult{err: err}
	}
	cols := colNames(rows.FieldDescriptions())
	var raw [][][]byte
	for rows.Next() {
		var row [][]byte
		for _, v := range rows.RawValues() {
			if v == nil {
				row = append(row, nil)
			} else {
				row = append(row, append([]byte{}, v...))
			}
		}
		raw = append(raw, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return stepResult{err: err}
	}
	return stepResult{cols: cols, rows: textRows(raw), tag: rows.CommandTag().String()}
}

func colNames(fds []pgconn.FieldDescription) string {
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	return strings.Join(names, "|")
}

func textRows(raw [][][]byte) []string {
	var out []string
	for _, row := range raw {
		vals := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				vals[i] = "NULL"
			} else {
				vals[i] = string(v)
			}
		}
		out = append(out, strings.Join(vals, "|"))
	}
	return out
}

// check compares a result with the step's expectations and describes the
// difference; "" means they match.
func (st step) check(got stepResult) string {
	if st.err != "" {
		var pe *pgconn.PgError
		if !errors.As(got.err, &pe) {
			return fmt.Sprintf("want error %s, got %v (tag %q, rows %q)", st.err, got.err, got.tag, got.rows)
		}
		var diffs []string
		if pe.Severity != "ERROR" {
			diffs = append(diffs, fmt.Sprintf("severity %q, want ERROR", pe.Severity))
		}
		if g := pe.Code + ": " + pe.Message; g != st.err {
			diffs = append(diffs, fmt.Sprintf("error %q, want %q", g, st.err))
		}
		if st.detail != "" && pe.Detail != st.detail {
			diffs = append(diffs, fmt.Sprintf("detail %q, want %q", pe.Detail, st.detail))
		}
		if st.pos != 0 && pe.Position != st.pos {
			diffs = append(diffs, fmt.Sprintf("position %d, want %d", pe.Position, st.pos))
		}
		if st.multi && got.tag != st.tag {
			diffs = append(diffs, fmt.Sprintf("tags before the error %q, want %q", got.tag, st.tag))
		}
		return strings.Join(diffs, "\n")
	}
	if got.err != nil {
		return fmt.Sprintf("unexpected error: %v", got.err)
	}
	wantTag := st.tag
	if wantTag == "" {
		wantTag = fmt.Sprintf("SELECT %d", len(st.rows))
	}
	var diffs []string
	if got.tag != wantTag {
		diffs = append(diffs, fmt.Sprintf("tag %q, want %q", got.tag, wantTag))
	}
	if st.cols != "" && got.cols != st.cols {
		diffs = append(diffs, fmt.Sprintf("columns %q, want %q", got.cols, st.cols))
	}
	if st.contains != nil {
		all := strings.Join(got.rows, "\n")
		for _, s := range st.contains {
			if !strings.Contains(all, s) {
				diffs = append(diffs, fmt.Sprintf("output lacks %q:\n%s", s, all))
			}
		}
		for _, s := range st.excludes {
			if strings.Contains(all, s) {
				diffs = append(diffs, fmt.Sprintf("output has %q:\n%s", s, all))
			}
		}
		return strings.Join(diffs, "\n")
	}
	gotRows, wantRows := got.rows, st.rows
	if st.unordered {
		gotRows, wantRows = slices.Clone(gotRows), slices.Clone(wantRows)
		slices.Sort(gotRows)
		slices.Sort(wantRows)
	}
	if !slices.Equal(gotRows, wantRows) {
		diffs = append(diffs, fmt.Sprintf("rows:\n%s\nwant:\n%s", goRows(gotRows), goRows(wantRows)))
	}
	return strings.Join(diffs, "\n")
}

// goRows formats rows as a Go literal, to paste into a case.
func goRows(rows []string) string {
	if rows == nil {
		return "nil"
	}
	var b strings.Builder
	b.WriteString("[]string{")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", r)
	}
	b.WriteString("}")
	return b.String()
}

// createdObjects remembers the relations a case creates, to drop them afterwards
// so that the next case starts from an empty database.
type createdObjects struct {
	tables, views, sequences []string
}

var (
	createRe = regexp.MustCompile(`(?i)\bcreate\s+(table|view|sequence)\s+(?:if\s+not\s+exists\s+)?(\w+)`)
	renameRe = regexp.MustCompile(`(?i)\balter\s+(table|view|sequence)\s+(?:if\s+exists\s+)?\w+\s+rename\s+to\s+(\w+)`)
)

func (o *createdObjects) note(sql string) {
	for _, re := range []*regexp.Regexp{createRe, renameRe} {
		for _, m := range re.FindAllStringSubmatch(sql, -1) {
			name := strings.ToLower(m[2])
			switch strings.ToLower(m[1]) {
			case "table":
				o.tables = append(o.tables, name)
			case "view":
				o.views = append(o.views, name)
			case "sequence":
				o.sequences = append(o.sequences, name)
			}
		}
	}
}

// drop removes what the case may have left, on a connection of its own (the case's
// may be in a failed transaction).
func (o *createdObjects) drop(t *testing.T, url string) {
	if len(o.tables)+len(o.views)+len(o.sequences) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Errorf("cleanup connect: %v", err)
		return
	}
	defer c.Close(ctx)
	var stmts []string
	for _, v := range slices.Backward(o.views) {
		stmts = append(stmts, "DROP VIEW IF EXISTS "+v)
	}
	for _, tb := range slices.Backward(o.tables) {
		stmts = append(stmts, "DROP TABLE IF EXISTS "+tb)
	}
	for _, s := range o.sequences {
		stmts = append(stmts, "DROP SEQUENCE IF EXISTS "+s)
	}
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Errorf("cleanup %s: %v", s, err)
		}
	}
}
