package integration

// TestAnomalies runs the anomaly catalogue of Adya's thesis, in the form Hermitage
// (Kleppmann's test suite of isolation levels) gives it, on PostgreSQL 15 and on
// Augur, at READ COMMITTED, REPEATABLE READ and SERIALIZABLE. What PostgreSQL does
// at each level is the specification: its isolation levels are defined less by the
// SQL standard's phenomena than by what its implementation lets through, so the
// reference is the server itself, not a table in a paper.
//
// A scenario is a list of steps, each a statement on one transaction's connection.
// A step may wait for a row lock. The harness sends each step without waiting for
// its answer and then waits until every step in flight has either completed or is
// reported blocked by pg_blocking_pids() on a separate control connection — the
// same question on both servers, so no step is judged by how long it took. A
// blocked step's answer is collected when a later step (usually a COMMIT) frees
// it; a step still blocked when nothing can free it fails the scenario.
//
// The outcome of a scenario is every step's answer (rows, command tag, or
// SQLSTATE) and whether it waited, which transactions committed, and the table
// afterwards. At READ COMMITTED and REPEATABLE READ Augur's outcome must be
// PostgreSQL's. At SERIALIZABLE Augur's serializable snapshot isolation may abort
// more than PostgreSQL's does, or abort a different transaction of a dangerous
// structure, so the rule is looser (see compareSerializable) but firm on the point
// of the level: each scenario has an anomaly predicate over an outcome, and
// whatever PostgreSQL prevents Augur must prevent.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// txnStep is one statement of a scenario on one transaction's connection.
type txnStep struct {
	txn string // "T1", "T2", …: each transaction has a connection of its own
	// sql is the statement; "begin" is sent as BEGIN ISOLATION LEVEL <level>.
	sql string
	// label names the step for the scenario's anomaly predicate.
	label string
}

// anomalyScenario is one entry of the catalogue.
type anomalyScenario struct {
	name  string // Adya's (Hermitage's) name of the anomaly
	about string // what the schedule does
	// setup runs before the steps, outside any transaction; every scenario
	// starts from a fresh table test(id int primary key, value int) holding
	// (1, 10) and (2, 20), then runs setup's extra statements, if any.
	setup []string
	steps []txnStep
	// anomaly reports whether an outcome shows the anomaly. It is a property of
	// the schedule, not of a level: READ COMMITTED is expected to show some.
	anomaly func(o *scenarioOutcome) bool
}

// isolationLevels are the levels every scenario runs at, in SQL spelling.
var isolationLevels = []string{"read committed", "repeatable read", "serializable"}

// scenarioSetup creates the table each scenario starts from.
var scenarioSetup = []string{
	"DROP TABLE IF EXISTS test",
	"CREATE TABLE test (id int PRIMARY KEY, value int)",
	"INSERT INTO test (id, value) VALUES (1, 10), (2, 20)",
}

// on is a step of transaction txn; named is one the anomaly predicate refers to.
func on(txn, sql string) txnStep           { return txnStep{txn: txn, sql: sql} }
func named(label, txn, sql string) txnStep { return txnStep{txn: txn, sql: sql, label: label} }

// anomalyCatalogue is Hermitage's set of schedules, each written as the question
// it asks.
var anomalyCatalogue = []anomalyScenario{
	{
		name:  "G0 dirty write",
		about: "two transactions write x and y in opposite order; a mix of their writes must not survive",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T2", "update test set value = 12 where id = 1"),
			on("T1", "update test set value = 21 where id = 2"),
			on("T1", "commit"),
			on("T2", "update test set value = 22 where id = 2"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			return slices.Equal(o.final, []string{"1|11", "2|22"}) || slices.Equal(o.final, []string{"1|12", "2|21"})
		},
	},
	{
		name:  "G1a aborted read",
		about: "T2 must never see a write of T1, which rolls back",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			on("T1", "update test set value = 101 where id = 1"),
			named("r1", "T2", "select * from test"),
			on("T1", "abort"),
			named("r2", "T2", "select * from test"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.sawValue("r1", "101") || o.sawValue("r2", "101") },
	},
	{
		name:  "G1b intermediate read",
		about: "T2 must never see T1's first write of x, which T1 overwrites before it commits",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			on("T1", "update test set value = 101 where id = 1"),
			named("r1", "T2", "select * from test"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T1", "commit"),
			named("r2", "T2", "select * from test"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.sawValue("r1", "101") || o.sawValue("r2", "101") },
	},
	{
		name:  "G1c circular information flow",
		about: "each transaction writes a row and reads the other's: neither may see the other's uncommitted write",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T2", "update test set value = 22 where id = 2"),
			named("r1", "T1", "select * from test where id = 2"),
			named("r2", "T2", "select * from test where id = 1"),
			on("T1", "commit"), on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.sawValue("r1", "22") || o.sawValue("r2", "11") },
	},
	{
		name:  "OTV observed transaction vanishes",
		about: "T3 reads while T2 overwrites T1's x and y: it must not see T2's y before T2 commits",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"), on("T3", "begin"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T1", "update test set value = 19 where id = 2"),
			on("T2", "update test set value = 12 where id = 1"),
			on("T1", "commit"),
			named("x1", "T3", "select * from test where id = 1"),
			on("T2", "update test set value = 18 where id = 2"),
			named("y1", "T3", "select * from test where id = 2"),
			on("T2", "commit"),
			named("y2", "T3", "select * from test where id = 2"),
			named("x2", "T3", "select * from test where id = 1"),
			on("T3", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.sawValue("y1", "18") },
	},
	{
		name:  "PMP predicate-many-preceders",
		about: "T1 reads a predicate twice while T2 inserts a matching row and commits: the second read must not see it",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("p1", "T1", "select * from test where value = 30"),
			on("T2", "insert into test (id, value) values (3, 30)"),
			on("T2", "commit"),
			named("p2", "T1", "select * from test where value % 3 = 0"),
			on("T1", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.sawValue("p2", "30") },
	},
	{
		name:  "PMP-write predicate-many-preceders (write predicate)",
		about: "T2 deletes by a predicate while T1 changes every row: the delete must not miss a row that matches when it commits",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			on("T1", "update test set value = value + 10"),
			named("del", "T2", "delete from test where value = 20"),
			on("T1", "commit"),
			named("after", "T2", "select * from test where value = 20"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			// The delete ran, yet a row with value 20 is still there in its own
			// transaction's view: it judged its predicate on a state it did not act on.
			return o.ok("del") && o.sawValue("after", "20")
		},
	},
	{
		name:  "P4 lost update",
		about: "both read x = 10 and write x = 11: both may not commit",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("r1", "T1", "select * from test where id = 1"),
			named("r2", "T2", "select * from test where id = 1"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T2", "update test set value = 11 where id = 1"),
			on("T1", "commit"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			return o.committed["T1"] && o.committed["T2"] && o.sawValue("r1", "10") && o.sawValue("r2", "10")
		},
	},
	{
		name:  "G-single read skew",
		about: "T1 reads x, T2 moves 2 from y to x and commits, T1 reads y: T1 must not see x before the move and y after it",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("x", "T1", "select * from test where id = 1"),
			on("T2", "select * from test where id = 1"),
			on("T2", "select * from test where id = 2"),
			on("T2", "update test set value = 12 where id = 1"),
			on("T2", "update test set value = 18 where id = 2"),
			on("T2", "commit"),
			named("y", "T1", "select * from test where id = 2"),
			on("T1", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.sawValue("x", "10") && o.sawValue("y", "18") },
	},
	{
		name:  "G-single read skew, predicate dependencies",
		about: "T1 reads by one predicate, T2 changes a row and commits, T1 reads by another predicate that the change makes match",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("p1", "T1", "select * from test where value % 5 = 0"),
			on("T2", "update test set value = 12 where value = 10"),
			on("T2", "commit"),
			named("p2", "T1", "select * from test where value % 3 = 0"),
			on("T1", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.sawValue("p1", "10") && o.sawValue("p2", "12") },
	},
	{
		name:  "G-single read skew, write predicate (delete)",
		about: "T1 reads x, T2 changes x and y and commits, T1 deletes by a predicate on y's old value",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("x", "T1", "select * from test where id = 1"),
			on("T2", "select * from test"),
			on("T2", "update test set value = 12 where id = 1"),
			on("T2", "update test set value = 18 where id = 2"),
			on("T2", "commit"),
			named("del", "T1", "delete from test where value = 20"),
			on("T1", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			// T1 acted on x before T2 and on y after T2, and committed.
			return o.sawValue("x", "10") && o.tag("del") == "DELETE 0" && o.committed["T1"]
		},
	},
	{
		name:  "G-single read skew, write predicate (delete waits)",
		about: "as above, but T1's delete meets T2's uncommitted update of y and waits for it",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("x", "T1", "select * from test where id = 1"),
			on("T2", "select * from test"),
			on("T2", "update test set value = 12 where id = 1"),
			on("T2", "update test set value = 18 where id = 2"),
			named("del", "T1", "delete from test where value = 20"),
			on("T2", "commit"),
			on("T1", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			return o.sawValue("x", "10") && o.tag("del") == "DELETE 0" && o.committed["T1"]
		},
	},
	{
		name:  "G2-item write skew",
		about: "both read x and y, each writes one of them: both may not commit",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("r1", "T1", "select * from test where id in (1, 2)"),
			named("r2", "T2", "select * from test where id in (1, 2)"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T2", "update test set value = 21 where id = 2"),
			on("T1", "commit"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			return o.committed["T1"] && o.committed["T2"] && o.sawRows("r1", "1|10", "2|20") && o.sawRows("r2", "1|10", "2|20")
		},
	},
	{
		name:  "G2 anti-dependency cycle (predicates)",
		about: "both find no row matching a predicate and each inserts one that matches: both may not commit",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			named("p1", "T1", "select * from test where value % 3 = 0"),
			named("p2", "T2", "select * from test where value % 3 = 0"),
			on("T1", "insert into test (id, value) values (3, 30)"),
			on("T2", "insert into test (id, value) values (4, 42)"),
			on("T1", "commit"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			return o.committed["T1"] && o.committed["T2"] && o.sawRows("p1") && o.sawRows("p2")
		},
	},
	{
		name:  "G2 anti-dependency cycle (Fekete's read-only transaction)",
		about: "T2 changes y and commits, read-only T3 sees it and commits, then T1, which read the old y, changes x",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"), on("T3", "begin"),
			named("r1", "T1", "select * from test"),
			on("T2", "select * from test"),
			on("T2", "update test set value = value + 5 where id = 2"),
			on("T2", "commit"),
			named("r3", "T3", "select * from test"),
			on("T3", "commit"),
			on("T1", "update test set value = 0 where id = 1"),
			on("T1", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool {
			// T3 saw T2's y with the old x, so in any serial order T1 comes after
			// T3, after T2 — yet T1 read y before T2's change.
			return o.committed["T1"] && o.committed["T2"] && o.committed["T3"] &&
				o.sawRows("r1", "1|10", "2|20") && o.sawRows("r3", "1|10", "2|25")
		},
	},
}

// stepOutcome is what one server answered to one step.
type stepOutcome struct {
	res     diffResult
	blocked bool // pg_blocking_pids reported the step waiting for a lock
	done    bool
}

// scenarioOutcome is the outcome of one scenario on one server at one level.
type scenarioOutcome struct {
	sc        *anomalyScenario
	steps     []stepOutcome
	committed map[string]bool // a transaction committed: its COMMIT answered COMMIT
	final     []string        // SELECT * FROM test ORDER BY id afterwards
}

func (o *scenarioOutcome) step(label string) stepOutcome {
	for i, st := range o.sc.steps {
		if st.label == label {
			return o.steps[i]
		}
	}
	panic("anomaly predicate of " + o.sc.name + " names no step " + label)
}

// noteCommits fills committed from the answers to the COMMIT steps.
func (o *scenarioOutcome) noteCommits() {
	for i, st := range o.sc.steps {
		if strings.EqualFold(st.sql, "commit") && o.steps[i].res.state == "" && o.steps[i].res.tag == "COMMIT" {
			o.committed[st.txn] = true
		}
	}
}

// ok reports whether the labelled step succeeded.
func (o *scenarioOutcome) ok(label string) bool {
	st := o.step(label)
	return st.done && st.res.state == ""
}

// tag returns the labelled step's command tag ("" if it failed).
func (o *scenarioOutcome) tag(label string) string {
	if !o.ok(label) {
		return ""
	}
	return o.step(label).res.tag
}

// sawValue reports whether the labelled step succeeded and returned a row whose
// value column (the second) is value.
func (o *scenarioOutcome) sawValue(label, value string) bool {
	if !o.ok(label) {
		return false
	}
	for _, r := range o.step(label).res.rows {
		if _, v, _ := strings.Cut(r, "|"); v == value {
			return true
		}
	}
	return false
}

// sawRows reports whether the labelled step succeeded and returned exactly rows
// (in any order).
func (o *scenarioOutcome) sawRows(label string, rows ...string) bool {
	if !o.ok(label) {
		return false
	}
	got := slices.Clone(o.step(label).res.rows)
	want := slices.Clone(rows)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// failure returns the index of the step at which txn's transaction failed with
// code, or -1.
func (o *scenarioOutcome) failure(txn, code string) int {
	for i, st := range o.sc.steps {
		if st.txn == txn && o.steps[i].res.state == code {
			return i
		}
	}
	return -1
}

// summary describes the outcome in a few words for the table: whether some step
// waited, the errors that ended transactions, and whether the anomaly happened.
func (o *scenarioOutcome) summary() string {
	var parts []string
	blocked := false
	for _, st := range o.steps {
		blocked = blocked || st.blocked
	}
	var errs []string
	for i, st := range o.steps {
		if c := st.res.state; c != "" && c != "25P02" {
			errs = append(errs, c+" on "+o.sc.steps[i].txn)
		}
	}
	if blocked {
		parts = append(parts, "blocked then")
	}
	switch {
	case o.sc.anomaly(o):
		parts = append(parts, "ANOMALY")
		if len(errs) > 0 {
			parts = append(parts, "("+strings.Join(errs, ", ")+")")
		}
	case len(errs) > 0:
		parts = append(parts, "prevented ("+strings.Join(errs, ", ")+")")
	default:
		parts = append(parts, "ok")
	}
	return strings.Join(parts, " ")
}

// sameStep reports whether two servers answered a step alike: the same rows (as
// a multiset) and command tag, or the same SQLSTATE, and both waited or neither.
func sameStep(a, b stepOutcome) bool {
	if a.blocked != b.blocked {
		return false
	}
	return diffStatement{}.same(a.res, b.res)
}

// compareOutcomes returns what makes Augur's outcome differ from PostgreSQL's at
// a level, one line per difference; nil when Augur passes.
func compareOutcomes(level string, pg, au *scenarioOutcome) []string {
	if level == "serializable" {
		return compareSerializable(pg, au)
	}
	var diffs []string
	for i := range pg.steps {
		if !sameStep(pg.steps[i], au.steps[i]) {
			diffs = append(diffs, fmt.Sprintf("step %d differs", i+1))
		}
	}
	if !slices.Equal(pg.final, au.final) {
		diffs = append(diffs, fmt.Sprintf("final table differs: postgres %v, augur %v", pg.final, au.final))
	}
	return diffs
}

// compareSerializable applies the rule at SERIALIZABLE. A serializable snapshot
// isolation may abort more transactions than PostgreSQL's does, or abort another
// member of the same dangerous structure, so:
//
//   - whatever PostgreSQL prevents, Augur must prevent (the anomaly predicate);
//   - a step of a transaction Augur aborted with 40001 earlier than PostgreSQL
//     did (or where PostgreSQL did not) must be that 40001 and then what an
//     aborted block answers: 25P02 for a statement, ROLLBACK for COMMIT or
//     ROLLBACK;
//   - a step of a transaction PostgreSQL aborted with 40001 and Augur did not
//     may succeed on Augur only if Augur aborted another transaction with 40001
//     instead (a different victim of the same structure);
//   - every other step must answer as on PostgreSQL, and when the same
//     transactions committed, the table afterwards must be the same.
func compareSerializable(pg, au *scenarioOutcome) []string {
	var diffs []string
	if !pg.sc.anomaly(pg) && pg.sc.anomaly(au) {
		diffs = append(diffs, "ANOMALY: PostgreSQL prevents it, Augur lets it happen")
	}
	const serialization = "40001"
	extraVictim := false
	for txn := range txnNames(pg.sc) {
		if au.failure(txn, serialization) >= 0 && pg.failure(txn, serialization) < 0 {
			extraVictim = true
		}
	}
	for i, st := range pg.sc.steps {
		p, a := pg.steps[i], au.steps[i]
		if sameStep(p, a) {
			continue
		}
		auFail, pgFail := au.failure(st.txn, serialization), pg.failure(st.txn, serialization)
		switch {
		case auFail >= 0 && auFail <= i && (pgFail < 0 || auFail < pgFail):
			if i > auFail && !answersAborted(st.sql, a.res) {
				diffs = append(diffs, fmt.Sprintf("step %d: Augur aborted %s with 40001 at step %d; a later statement must answer as in an aborted block", i+1, st.txn, auFail+1))
			}
		case pgFail >= 0 && pgFail <= i && (auFail < 0 || auFail > i):
			if !extraVictim {
				diffs = append(diffs, fmt.Sprintf("step %d: PostgreSQL aborted %s with 40001 at step %d, Augur %s", i+1, st.txn, pgFail+1, laterOrNever(auFail)))
			} else if a.res.state != "" {
				diffs = append(diffs, fmt.Sprintf("step %d differs", i+1))
			}
		default:
			diffs = append(diffs, fmt.Sprintf("step %d differs", i+1))
		}
	}
	if maps.Equal(pg.committed, au.committed) && !slices.Equal(pg.final, au.final) {
		diffs = append(diffs, fmt.Sprintf("final table differs: postgres %v, augur %v", pg.final, au.final))
	}
	return diffs
}

func laterOrNever(fail int) string {
	if fail < 0 {
		return "not at all and no other transaction instead"
	}
	return fmt.Sprintf("only at step %d", fail+1)
}

// answersAborted reports whether res is what a statement sql gets in a block
// that an error aborted.
func answersAborted(sql string, res diffResult) bool {
	switch strings.ToLower(sql) {
	case "commit", "rollback", "abort":
		return res.state == "" && res.tag == "ROLLBACK"
	}
	return res.state == "25P02"
}

func txnNames(sc *anomalyScenario) map[string]bool {
	names := map[string]bool{}
	for _, st := range sc.steps {
		names[st.txn] = true
	}
	return names
}

// sideBySide lays out both outcomes step by step, marking the steps that differ.
func sideBySide(level string, pg, au *scenarioOutcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  at %s — %s\n", level, pg.sc.about)
	for i, st := range pg.sc.steps {
		mark := " "
		if !sameStep(pg.steps[i], au.steps[i]) {
			mark = "*"
		}
		fmt.Fprintf(&b, "  %s%2d %s %-48s postgres: %-28s augur: %s\n", mark, i+1, st.txn, st.sql,
			describeStep(pg.steps[i]), describeStep(au.steps[i]))
	}
	fmt.Fprintf(&b, "     final table: postgres %v, augur %v\n", pg.final, au.final)
	return b.String()
}

func describeStep(st stepOutcome) string {
	var s string
	switch {
	case !st.done:
		s = "(no answer)"
	case st.res.state != "":
		s = st.res.state
	case len(st.res.cols) > 0:
		rows := slices.Clone(st.res.rows)
		slices.Sort(rows)
		s = "[" + strings.Join(rows, " ") + "]"
	default:
		s = st.res.tag
	}
	if st.blocked {
		s = "blocked, " + s
	}
	return s
}

// scenarioRun runs scenarios on one server: a database of its own, and a control
// connection that sets tables up and asks which sessions wait.
type scenarioRun struct {
	url     string // of the database the scenarios use
	control *pgconn.PgConn
}

// txnConn is the connection of one transaction of a running scenario.
type txnConn struct {
	conn     *pgconn.PgConn
	pid      string
	inFlight int // the step sent and not yet answered, -1 when none
}

type stepAnswer struct {
	i   int
	res diffResult
	err error
}

// run runs one scenario at one level and returns its outcome. An error means the
// scenario could not run to its end (a step blocked for good, a lost connection).
func (r *scenarioRun) run(ctx context.Context, sc *anomalyScenario, level string) (*scenarioOutcome, error) {
	for _, sql := range append(slices.Clone(scenarioSetup), sc.setup...) {
		if res, err := diffExec(ctx, r.control, sql); err != nil || res.state != "" {
			return nil, fmt.Errorf("setup %q: %v%v", sql, err, res.msg)
		}
	}
	out := &scenarioOutcome{sc: sc, steps: make([]stepOutcome, len(sc.steps)), committed: map[string]bool{}}
	conns := map[string]*txnConn{}
	defer func() {
		for _, c := range conns {
			c.conn.Close(context.Background())
		}
	}()
	for _, st := range sc.steps {
		if conns[st.txn] != nil {
			continue
		}
		pc, err := pgconn.Connect(ctx, r.url)
		if err != nil {
			return nil, fmt.Errorf("connect %s: %w", st.txn, err)
		}
		conns[st.txn] = &txnConn{conn: pc, inFlight: -1}
		res, err := diffExec(ctx, pc, "SELECT pg_backend_pid()")
		if err != nil || res.state != "" || len(res.rows) != 1 {
			return nil, fmt.Errorf("pg_backend_pid() on %s: %v %s", st.txn, err, res)
		}
		conns[st.txn].pid = res.rows[0]
	}

	answers := make(chan stepAnswer, len(sc.steps))
	inFlight := map[int]bool{}
	receive := func(a stepAnswer) error {
		if a.err != nil {
			return fmt.Errorf("step %d (%s: %s): %w", a.i+1, sc.steps[a.i].txn, sc.steps[a.i].sql, a.err)
		}
		out.steps[a.i].res, out.steps[a.i].done = a.res, true
		delete(inFlight, a.i)
		conns[sc.steps[a.i].txn].inFlight = -1
		return nil
	}
	// settle waits until every step in flight has been answered or waits for a
	// lock, and, when until >= 0, until step until has been answered.
	settle := func(until int) error {
		for {
			for drained := false; !drained; {
				select {
				case a := <-answers:
					if err := receive(a); err != nil {
						return err
					}
				default:
					drained = true
				}
			}
			if until >= 0 && !inFlight[until] {
				until = -1
			}
			running := false
			blockers := map[string]bool{}
			for i := range inFlight {
				pids, err := r.blockingPIDs(ctx, conns[sc.steps[i].txn].pid)
				if err != nil {
					return err
				}
				if len(pids) == 0 {
					running = true
					continue
				}
				out.steps[i].blocked = true
				for _, p := range pids {
					blockers[p] = true
				}
			}
			if !running && until < 0 {
				return nil
			}
			if !running {
				// Everything in flight waits. A wait can end only when its
				// holder's transaction ends; if no holder is itself in flight
				// (where a deadlock check may end one), nothing will.
				free := false
				for i := range inFlight {
					free = free || blockers[conns[sc.steps[i].txn].pid]
				}
				if !free {
					st := sc.steps[until]
					return fmt.Errorf("step %d (%s: %s) waits for a lock held by an idle session (pids %v) and the scenario needs its answer to go on",
						until+1, st.txn, st.sql, slices.Sorted(maps.Keys(blockers)))
				}
			}
			select {
			case a := <-answers:
				if err := receive(a); err != nil {
					return err
				}
			case <-time.After(time.Millisecond):
			case <-ctx.Done():
				var waiting []string
				for i := range inFlight {
					waiting = append(waiting, fmt.Sprintf("step %d (%s: %s)", i+1, sc.steps[i].txn, sc.steps[i].sql))
				}
				return fmt.Errorf("hang guard: %s neither answered nor reported waiting for a lock", strings.Join(waiting, ", "))
			}
		}
	}

	for i, st := range sc.steps {
		c := conns[st.txn]
		if c.inFlight >= 0 {
			if err := settle(c.inFlight); err != nil {
				return nil, err
			}
		}
		sql := st.sql
		if sql == "begin" {
			sql = "BEGIN ISOLATION LEVEL " + strings.ToUpper(level)
		}
		c.inFlight = i
		inFlight[i] = true
		go func() {
			res, err := diffExec(ctx, c.conn, sql)
			answers <- stepAnswer{i: i, res: res, err: err}
		}()
		if err := settle(-1); err != nil {
			return nil, err
		}
	}
	for len(inFlight) > 0 {
		for i := range inFlight {
			if err := settle(i); err != nil {
				return nil, err
			}
			break
		}
	}
	out.noteCommits()
	res, err := diffExec(ctx, r.control, "SELECT * FROM test ORDER BY id")
	if err != nil || res.state != "" {
		return nil, fmt.Errorf("read the table afterwards: %v %s", err, res)
	}
	out.final = res.rows
	return out, nil
}

// blockingPIDs asks the control connection which sessions the session pid waits
// for.
func (r *scenarioRun) blockingPIDs(ctx context.Context, pid string) ([]string, error) {
	res, err := diffExec(ctx, r.control, "SELECT pg_blocking_pids("+pid+")")
	if err != nil || res.state != "" || len(res.rows) != 1 {
		return nil, fmt.Errorf("pg_blocking_pids(%s): %v %s", pid, err, res)
	}
	list := strings.Trim(res.rows[0], "{}")
	if list == "" {
		return nil, nil
	}
	return strings.Split(list, ","), nil
}

// scenarioServers starts an Augur server and the reference PostgreSQL and gives
// each a fresh database db and a control connection.
func scenarioServers(t *testing.T, db string) map[string]*scenarioRun {
	t.Helper()
	pgURL := referencePostgres(t)
	au := startServer(t, serverOptions{config: trustConfig, logLevel: "warn"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pgDB, auDB := freshDatabases(t, ctx, pgURL, au, db)
	servers := map[string]*scenarioRun{}
	for name, url := range map[string]string{"postgres": pgDB, "augur": auDB} {
		servers[name] = &scenarioRun{url: url, control: sqlConnect(t, ctx, url).PgConn()}
	}
	return servers
}

// runOnBoth runs a scenario at a level on PostgreSQL, then on Augur, reports
// through t how Augur's outcome differs, and returns the table's cell.
func runOnBoth(t *testing.T, servers map[string]*scenarioRun, sc *anomalyScenario, level string) string {
	outcomes := map[string]*scenarioOutcome{}
	for _, name := range []string{"postgres", "augur"} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		o, err := servers[name].run(ctx, sc, level)
		cancel()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return name + " failed to run it"
		}
		outcomes[name] = o
	}
	pg, au := outcomes["postgres"], outcomes["augur"]
	diffs := compareOutcomes(level, pg, au)
	if len(diffs) > 0 {
		t.Errorf("Augur's outcome differs from PostgreSQL's: %s\n%s", strings.Join(diffs, "; "), sideBySide(level, pg, au))
	}
	switch a, p := au.summary(), pg.summary(); {
	case len(diffs) > 0:
		return fmt.Sprintf("Augur: %s; PostgreSQL: %s — DIFFERS", a, p)
	case a != p:
		return fmt.Sprintf("Augur: %s; PostgreSQL: %s", a, p)
	default:
		return p
	}
}

func TestAnomalies(t *testing.T) {
	servers := scenarioServers(t, "anomalies")
	cells := map[string]map[string]string{} // scenario, level → cell
	for i := range anomalyCatalogue {
		sc := &anomalyCatalogue[i]
		cells[sc.name] = map[string]string{}
		for _, level := range isolationLevels {
			t.Run(sc.name+"/"+level, func(t *testing.T) {
				cells[sc.name][level] = runOnBoth(t, servers, sc, level)
			})
		}
	}

	var b strings.Builder
	b.WriteString("| anomaly | " + strings.Join(isolationLevels, " | ") + " |\n|---|")
	b.WriteString(strings.Repeat("---|", len(isolationLevels)) + "\n")
	for _, sc := range anomalyCatalogue {
		fmt.Fprintf(&b, "| %s |", sc.name)
		for _, level := range isolationLevels {
			fmt.Fprintf(&b, " %s |", cells[sc.name][level])
		}
		b.WriteString("\n")
	}
	t.Logf("anomalies on Augur and PostgreSQL 15 (one outcome when they agree):\n%s", b.String())
}

// fakeOutcome builds an outcome from answers written as describeStep writes
// them ("blocked, " prefix; a SQLSTATE; "[row row]"; a command tag).
func fakeOutcome(sc *anomalyScenario, final []string, answers ...string) *scenarioOutcome {
	o := &scenarioOutcome{sc: sc, committed: map[string]bool{}, final: final}
	for _, a := range answers {
		st := stepOutcome{done: true}
		a, st.blocked = strings.CutPrefix(a, "blocked, ")
		switch {
		case len(a) == 5 && strings.ToUpper(a) == a && a[0] >= '0' && a[0] <= '9':
			st.res.state = a
		case strings.HasPrefix(a, "["):
			st.res.cols = []string{"id:23", "value:23"}
			st.res.rows = strings.Fields(strings.Trim(a, "[]"))
			st.res.tag = fmt.Sprintf("SELECT %d", len(st.res.rows))
		default:
			st.res.tag = a
		}
		o.steps = append(o.steps, st)
	}
	o.noteCommits()
	return o
}

// TestAnomalyComparison checks the rules that compare Augur's outcome of a
// scenario with PostgreSQL's, on made-up outcomes of the write skew schedule.
func TestAnomalyComparison(t *testing.T) {
	var sc *anomalyScenario
	for i := range anomalyCatalogue {
		if anomalyCatalogue[i].name == "G2-item write skew" {
			sc = &anomalyCatalogue[i]
		}
	}
	const read = "[1|10 2|20]"
	before, t1Only, t2Only, both := []string{"1|10", "2|20"}, []string{"1|11", "2|20"}, []string{"1|10", "2|21"}, []string{"1|11", "2|21"}
	pgSerializable := fakeOutcome(sc, t1Only, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "40001")
	tests := []struct {
		name  string
		level string
		pg    *scenarioOutcome
		au    *scenarioOutcome
		want  string // a substring of the differences; "" when Augur passes
	}{
		{"same outcome", "serializable", pgSerializable,
			fakeOutcome(sc, t1Only, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "40001"), ""},
		{"an earlier 40001, then an aborted block", "serializable", pgSerializable,
			fakeOutcome(sc, t1Only, "BEGIN", "BEGIN", read, read, "UPDATE 1", "40001", "COMMIT", "ROLLBACK"), ""},
		{"an earlier 40001, then a statement that runs", "serializable", pgSerializable,
			fakeOutcome(sc, t1Only, "BEGIN", "BEGIN", read, read, "UPDATE 1", "40001", "COMMIT", "COMMIT"), "aborted block"},
		{"the other transaction is the victim", "serializable", pgSerializable,
			fakeOutcome(sc, t2Only, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "40001", "COMMIT"), ""},
		{"no victim: write skew", "serializable", pgSerializable,
			fakeOutcome(sc, both, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "COMMIT"), "ANOMALY"},
		{"a different error", "serializable", pgSerializable,
			fakeOutcome(sc, t1Only, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "40P01"), "step 8"},
		{"a 40001 where PostgreSQL commits, below serializable", "repeatable read",
			fakeOutcome(sc, both, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "COMMIT"),
			fakeOutcome(sc, t1Only, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "40001"), "step 8"},
		{"a wait where PostgreSQL does not wait", "read committed",
			fakeOutcome(sc, both, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "COMMIT"),
			fakeOutcome(sc, both, "BEGIN", "BEGIN", read, read, "UPDATE 1", "blocked, UPDATE 1", "COMMIT", "COMMIT"), "step 6"},
		{"a different table afterwards", "read committed",
			fakeOutcome(sc, both, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "COMMIT"),
			fakeOutcome(sc, before, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "COMMIT"), "final table"},
		{"rows in another order", "read committed",
			fakeOutcome(sc, both, "BEGIN", "BEGIN", read, read, "UPDATE 1", "UPDATE 1", "COMMIT", "COMMIT"),
			fakeOutcome(sc, both, "BEGIN", "BEGIN", "[2|20 1|10]", read, "UPDATE 1", "UPDATE 1", "COMMIT", "COMMIT"), ""},
	}
	for _, tt := range tests {
		got := strings.Join(compareOutcomes(tt.level, tt.pg, tt.au), "; ")
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: differences %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := pgSerializable.summary(); got != "prevented (40001 on T2)" {
		t.Errorf("summary %q", got)
	}
	if got := fakeOutcome(sc, both, "BEGIN", "BEGIN", read, read, "UPDATE 1", "blocked, UPDATE 1", "COMMIT", "COMMIT").summary(); got != "blocked then ANOMALY" {
		t.Errorf("summary %q", got)
	}
}

// TestAnomalyHarness checks the harness's handling of waits on both servers: a
// step that waits for a transaction with nothing left to run fails the scenario
// at once, naming the step; a deadlock is left to the servers' deadlock checks,
// which end it with 40P01 for the transaction whose deadlock_timeout runs out
// first.
func TestAnomalyHarness(t *testing.T) {
	servers := scenarioServers(t, "anomaly_harness")
	stuck := &anomalyScenario{
		name: "a wait nothing ends",
		steps: []txnStep{
			on("T1", "begin"), on("T2", "begin"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T2", "update test set value = 12 where id = 1"),
			on("T2", "commit"),
			on("T1", "commit"),
		},
	}
	for _, name := range []string{"postgres", "augur"} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := servers[name].run(ctx, stuck, "read committed")
		cancel()
		if want := "step 4 (T2: update test set value = 12 where id = 1) waits for a lock held by an idle session"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}

	deadlock := &anomalyScenario{
		name:  "deadlock",
		about: "T1 and T2 update two rows in opposite orders",
		steps: []txnStep{
			// T2's deadlock check comes long after T1's, so T1 is the victim
			// however the two waits' timers are scheduled.
			on("T2", "set deadlock_timeout = '10s'"),
			on("T1", "begin"), on("T2", "begin"),
			on("T1", "update test set value = 11 where id = 1"),
			on("T2", "update test set value = 22 where id = 2"),
			on("T1", "update test set value = 21 where id = 2"),
			on("T2", "update test set value = 12 where id = 1"),
			on("T1", "commit"),
			on("T2", "commit"),
		},
		anomaly: func(o *scenarioOutcome) bool { return o.committed["T1"] && o.committed["T2"] },
	}
	for _, level := range isolationLevels {
		t.Run("deadlock/"+level, func(t *testing.T) {
			runOnBoth(t, servers, deadlock, level)
		})
	}
}
