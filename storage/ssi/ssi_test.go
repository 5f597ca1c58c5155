package ssi

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgerrcode"

	"github.com/augurdb/augur/storage/pgerr"
)

// A schedule is a sequence of calls on named transactions, each with the
// outcome it must have.
type step struct {
	txn    string
	op     string // begin, read, range, write, precommit, commit, abort
	key    string // read, write; range: start
	end    string // range: end ("" is the last key)
	ts     uint64 // begin: snapshot; commit: commit timestamp
	reason string // "": the call succeeds; else it fails with 40001 and a detail containing reason
}

func begin(txn string, snapshot uint64) step { return step{txn: txn, op: "begin", ts: snapshot} }
func read(txn, key string) step              { return step{txn: txn, op: "read", key: key} }
func scan(txn, start, end string) step       { return step{txn: txn, op: "range", key: start, end: end} }
func write(txn, key string) step             { return step{txn: txn, op: "write", key: key} }
func precommit(txn string) step              { return step{txn: txn, op: "precommit"} }
func commit(txn string, ts uint64) step      { return step{txn: txn, op: "commit", ts: ts} }
func abort(txn string) step                  { return step{txn: txn, op: "abort"} }

// fails expects the step to fail with 40001 and a detail containing reason.
func (s step) fails(reason string) step { s.reason = reason; return s }

func (s step) String() string {
	switch s.op {
	case "begin", "commit":
		return fmt.Sprintf("%s %s(%d)", s.txn, s.op, s.ts)
	case "range":
		return fmt.Sprintf("%s range[%s,%s)", s.txn, s.key, s.end)
	case "read", "write":
		return fmt.Sprintf("%s %s(%s)", s.txn, s.op, s.key)
	}
	return s.txn + " " + s.op
}

// Reason codes as the schedules name them.
const (
	duringCommit  = "identification as a pivot, during commit attempt"
	duringWrite   = "identification as a pivot, during write"
	outToPivot    = "conflict out to pivot"
	doomedRead    = "identification as a pivot, during conflict out checking"
	doomedWrite   = "identification as a pivot, during conflict in checking"
	staleSnapshot = "snapshot older than"
)

// run plays schedule against m and checks every outcome.
func run(t *testing.T, m *Manager, schedule []step) map[string]*Txn {
	t.Helper()
	txns := make(map[string]*Txn)
	for i, s := range schedule {
		var err error
		tx := txns[s.txn]
		if s.op != "begin" && tx == nil {
			t.Fatalf("step %d (%v): no such transaction", i, s)
		}
		switch s.op {
		case "begin":
			txns[s.txn] = m.Begin(s.ts)
		case "read":
			err = tx.Read([]byte(s.key))
		case "range":
			var end []byte
			if s.end != "" {
				end = []byte(s.end)
			}
			err = tx.ReadRange([]byte(s.key), end)
		case "write":
			err = tx.Write([]byte(s.key))
		case "precommit":
			err = tx.PreCommit()
		case "commit":
			tx.Committed(s.ts)
		case "abort":
			tx.Abort()
		default:
			t.Fatalf("step %d: unknown op %q", i, s.op)
		}
		checkOutcome(t, fmt.Sprintf("step %d (%v)", i, s), err, s.reason)
	}
	return txns
}

func checkOutcome(t *testing.T, what string, err error, reason string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("%s: %v (detail %q)", what, err, pgerr.From(err).Detail)
		}
		return
	}
	if err == nil {
		t.Fatalf("%s succeeded, want 40001 (%s)", what, reason)
	}
	checkSerializationFailure(t, what, err, reason)
}

func checkSerializationFailure(t *testing.T, what string, err error, reason string) {
	t.Helper()
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %v is not a *pgerr.Error", what, err)
	}
	if pe.Code != pgerrcode.SerializationFailure {
		t.Fatalf("%s: code %s, want 40001 (%v)", what, pe.Code, err)
	}
	if pe.Message != "could not serialize access due to read/write dependencies among transactions" {
		t.Fatalf("%s: message %q", what, pe.Message)
	}
	if pe.Hint != "The transaction might succeed if retried." {
		t.Fatalf("%s: hint %q", what, pe.Hint)
	}
	if !strings.HasPrefix(pe.Detail, "Reason code: Canceled on ") || !strings.HasSuffix(pe.Detail, ".") {
		t.Fatalf("%s: detail %q is not worded as PostgreSQL's", what, pe.Detail)
	}
	if !strings.Contains(pe.Detail, reason) {
		t.Fatalf("%s: detail %q, want it to contain %q", what, pe.Detail, reason)
	}
}

// TestSchedules plays the classic anomalies and their serializable variants.
// Snapshots and commit timestamps are those of the store: a transaction sees
// the commits at or below its snapshot.
func TestSchedules(t *testing.T) {
	tests := []struct {
		name     string
		schedule []step
	}{
		{
			// Write skew: both read x and y, T1 writes x, T2 writes y. T1 -rw-> T2
			// and T2 -rw-> T1: both are pivots; the first to commit fails.
			name: "write skew, both still active",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				read("T1", "x"), read("T1", "y"),
				read("T2", "x"), read("T2", "y"),
				write("T1", "x"), write("T2", "y"),
				precommit("T1").fails(duringCommit), abort("T1"),
				// T1 is gone, and with it both of T2's edges.
				precommit("T2"), commit("T2", 11),
			},
		},
		{
			// The same, but T1 commits before T2 writes: T2's write makes the
			// committed T1 a pivot, so T2 fails at the write.
			name: "write skew, one committed first",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				read("T1", "x"), read("T1", "y"),
				read("T2", "x"), read("T2", "y"),
				write("T1", "x"),
				precommit("T1"), commit("T1", 11),
				write("T2", "y").fails(duringWrite),
				precommit("T2").fails(duringCommit), abort("T2"),
			},
		},
		{
			// The same with the writes first: T2's read of x, written by the
			// prepared T1, makes T1 a pivot; the reader fails.
			name: "write skew, reads after the partner prepared",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				read("T1", "y"), write("T2", "y"), // T1 -rw-> T2
				write("T1", "x"),
				precommit("T1"), // T1 has only an edge out
				read("T2", "x").fails(outToPivot),
				write("T2", "z").fails(doomedWrite),
				abort("T2"),
				commit("T1", 11),
			},
		},
		{
			// Fekete, O'Neil and O'Neil (2004): T2 (withdrawal) reads x and y; T3
			// (deposit) writes y and commits; T1 (read-only report) begins after
			// T3's commit and reads x and y; then T2 writes x. T1 sees the deposit
			// without the withdrawal's penalty: no serial order gives that. The
			// pivot is T2 (T1 -rw-> T2 -rw-> T3).
			name: "read-only anomaly, pivot still active",
			schedule: []step{
				begin("T2", 10), read("T2", "x"), read("T2", "y"),
				begin("T3", 10), read("T3", "y"), write("T3", "y"),
				precommit("T3"), commit("T3", 11),
				begin("T1", 11), read("T1", "x"), read("T1", "y"),
				precommit("T1"), commit("T1", 0), // read-only: the store gives no timestamp
				write("T2", "x"),
				precommit("T2").fails(duringCommit), abort("T2"),
			},
		},
		{
			// The read-only anomaly where the pivot prepared before the report
			// read: the report fails.
			name: "read-only anomaly, pivot prepared",
			schedule: []step{
				begin("T2", 10), read("T2", "x"), read("T2", "y"),
				begin("T3", 10), read("T3", "y"), write("T3", "y"),
				precommit("T3"), commit("T3", 11),
				write("T2", "x"), precommit("T2"),
				begin("T1", 11), read("T1", "y"),
				read("T1", "x").fails(outToPivot), abort("T1"),
				commit("T2", 12),
			},
		},
		{
			// The report begins after the withdrawal committed: it sees both
			// writes, which is serial (T2, T3, T1... in commit order).
			name: "read-only report after both commits",
			schedule: []step{
				begin("T2", 10), read("T2", "x"), read("T2", "y"),
				begin("T3", 10), read("T3", "y"), write("T3", "y"),
				precommit("T3"), commit("T3", 11),
				write("T2", "x"),
				// T2 -rw-> T3 only: T2 may commit.
				precommit("T2"), commit("T2", 12),
				begin("T1", 12), read("T1", "x"), read("T1", "y"),
				precommit("T1"), commit("T1", 0),
			},
		},
		{
			// G2 with predicates: both scan [a, c) (say "on call doctors") and
			// each inserts a row in it. Each scan misses the other's insert.
			name: "G2, predicate write skew",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				scan("T1", "a", "c"), scan("T2", "a", "c"),
				write("T1", "b1"), write("T2", "b2"),
				precommit("T1").fails(duringCommit), abort("T1"),
				precommit("T2"), commit("T2", 11),
			},
		},
		{
			// G2 where the inserts come before the scans: the scans find them
			// among the recorded writes.
			name: "G2, writes before scans",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				write("T1", "b1"), write("T2", "b2"),
				scan("T1", "a", "c"), scan("T2", "a", "c"),
				precommit("T1").fails(duringCommit), abort("T1"),
				precommit("T2"), commit("T2", 11),
			},
		},
		{
			// G2 with a scan to the last key and the other committed first.
			name: "G2, unbounded scan, one committed",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				scan("T1", "m", ""), scan("T2", "a", "n"),
				write("T1", "b"), precommit("T1"), commit("T1", 11),
				write("T2", "z").fails(duringWrite), abort("T2"),
			},
		},
		{
			// One edge is no anomaly: T1 scans, T2 inserts inside, both commit.
			name: "scan and insert, one edge",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				scan("T1", "a", "c"), write("T2", "b"),
				precommit("T2"), commit("T2", 11),
				precommit("T1"), commit("T1", 0),
			},
		},
		{
			// Writes outside the scanned range and at its end (exclusive) make
			// no edge.
			name: "writes outside the range",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				scan("T1", "b", "d"), scan("T2", "b", "d"),
				write("T1", "d"), write("T2", "a"),
				precommit("T1"), precommit("T2"),
				commit("T1", 11), commit("T2", 12),
			},
		},
		{
			// Not concurrent: T2 begins at T1's commit. T2 sees T1's write, so
			// T1 -wr-> T2, which is no rw edge.
			name: "non-concurrent pair",
			schedule: []step{
				begin("T1", 10), read("T1", "x"), write("T1", "y"),
				precommit("T1"), commit("T1", 11),
				begin("T2", 11), read("T2", "y"), write("T2", "x"),
				begin("T3", 11), read("T3", "x"), write("T3", "z"),
				precommit("T2"), commit("T2", 12),
				// T3 -rw-> T2 (x), no edge with T1.
				precommit("T3"), commit("T3", 13),
			},
		},
		{
			// The write skew, but T2 had already rolled back: its edges no longer
			// count.
			name: "aborted partner releases the structure",
			schedule: []step{
				begin("T1", 10), begin("T2", 10),
				read("T1", "x"), read("T1", "y"),
				read("T2", "x"), read("T2", "y"),
				write("T1", "x"), write("T2", "y"),
				abort("T2"),
				precommit("T1"), commit("T1", 11),
			},
		},
		{
			// A pivot whose partner on the out side aborts may commit.
			name: "aborted T_out releases the pivot",
			schedule: []step{
				begin("Tin", 10), begin("P", 10), begin("Tout", 10),
				read("Tin", "a"), write("P", "a"), // Tin -rw-> P
				read("P", "b"), write("Tout", "b"), // P -rw-> Tout
				abort("Tout"),
				precommit("P"), commit("P", 11),
				precommit("Tin"), commit("Tin", 0),
			},
		},
		{
			// Rule 2 on a read: P committed with an edge out (P -rw-> W); R,
			// concurrent with P, reads what P wrote, which would make the
			// committed P a pivot: R fails.
			name: "committed pivot, completed by a read",
			schedule: []step{
				begin("P", 10), begin("W", 10), begin("R", 10),
				read("P", "x"), write("W", "x"), // P -rw-> W
				write("P", "y"),
				precommit("P"), commit("P", 11),
				read("R", "y").fails(outToPivot),
				read("R", "z").fails(doomedRead),
				scan("R", "a", "b").fails(doomedRead),
				write("R", "z").fails(doomedWrite),
				precommit("R").fails(duringCommit),
				abort("R"),
				precommit("W"), commit("W", 12),
			},
		},
		{
			// Rule 2 on a write: P committed with an edge in (R -rw-> P); W,
			// concurrent with P, writes what P read: W fails.
			name: "committed pivot, completed by a write",
			schedule: []step{
				begin("P", 10), begin("R", 10), begin("W", 10),
				read("R", "y"), write("P", "y"), // R -rw-> P
				read("P", "x"),
				precommit("P"), commit("P", 11),
				write("W", "x").fails(duringWrite),
				abort("W"),
				precommit("R"), commit("R", 0),
			},
		},
		{
			// A cycle of two through a committed transaction: P -rw-> X, then X
			// reads what P wrote (X -rw-> P).
			name: "committed pivot, same partner on both sides",
			schedule: []step{
				begin("P", 10), begin("X", 10),
				read("P", "a"), write("X", "a"),
				write("P", "b"), precommit("P"), commit("P", 11),
				read("X", "b").fails(outToPivot), abort("X"),
			},
		},
		{
			// The transaction that completes a structure whose pivot is still
			// active does not fail: the pivot fails when it asks to commit.
			name: "active pivot fails at commit, partners commit",
			schedule: []step{
				begin("Tin", 10), begin("P", 10), begin("Tout", 10),
				read("P", "b"), write("Tout", "b"),
				precommit("Tout"), commit("Tout", 11),
				read("Tin", "a"), write("Tin", "t"), precommit("Tin"), commit("Tin", 12),
				write("P", "a"),
				precommit("P").fails(duringCommit), abort("P"),
			},
		},
		{
			// The same with a read-only Tin, whose snapshot (10) precedes Tout's
			// commit (11): Tin, P, Tout is a serial order (Tin sees neither
			// write). A read-only transaction counts as ending at its snapshot,
			// so it is not concurrent with P, which began at 10 too, and makes
			// no edge (Ports and Grittner's theorem 3: with a read-only Tin, an
			// anomaly needs Tout to commit before Tin's snapshot).
			name: "read-only Tin after the pivot began",
			schedule: []step{
				begin("Tin", 10), begin("P", 10), begin("Tout", 10),
				read("P", "b"), write("Tout", "b"),
				precommit("Tout"), commit("Tout", 11),
				read("Tin", "a"), precommit("Tin"), commit("Tin", 0),
				write("P", "a"),
				precommit("P"), commit("P", 12),
			},
		},
		{
			// A committed reader that is no longer concurrent with the writer
			// makes no edge: R committed at 11, W began at 11.
			name: "committed reader before the writer's snapshot",
			schedule: []step{
				begin("Tin", 10), begin("R", 10),
				read("Tin", "y"), read("R", "x"), write("R", "y"), // Tin -rw-> R
				precommit("R"), commit("R", 11),
				begin("W", 11), write("W", "x"),
				precommit("W"), commit("W", 12),
				precommit("Tin"), commit("Tin", 0),
			},
		},
		{
			// Disjoint keys never conflict, however the calls interleave.
			name: "disjoint keys",
			schedule: []step{
				begin("T1", 10), begin("T2", 10), begin("T3", 10),
				read("T1", "a1"), scan("T1", "a", "b"), write("T1", "a2"),
				read("T2", "b1"), scan("T2", "b", "c"), write("T2", "b2"),
				read("T3", "c1"), scan("T3", "c", "d"), write("T3", "c2"),
				precommit("T2"), commit("T2", 11),
				write("T1", "a3"), write("T3", "c3"),
				precommit("T1"), precommit("T3"), commit("T3", 12), commit("T1", 13),
			},
		},
		{
			// A doomed transaction may still roll back, and its edges stop
			// counting at once: the pivot it would have completed commits.
			name: "doomed partner does not count",
			schedule: []step{
				begin("P", 10), begin("W", 10), begin("R", 10), begin("X", 10), begin("Y", 10),
				read("R", "k"), write("X", "k"), // R -rw-> X
				read("X", "m"), precommit("X"),
				read("P", "x"), write("W", "x"), // P -rw-> W
				write("P", "y"), precommit("P"), commit("P", 11),
				commit("X", 12),
				read("R", "y").fails(outToPivot),
				// Y writes m, which X read: X -rw-> Y. X would be a pivot if
				// the doomed R still counted.
				write("Y", "m"), precommit("Y"), commit("Y", 13),
				abort("R"),
				precommit("W"), commit("W", 14),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			run(t, m, tt.schedule)
			if s := m.Stats(); s.Live != 0 || s.Retained != 0 || s.ReadKeys != 0 || s.WriteKeys != 0 || s.Ranges != 0 {
				t.Fatalf("after every transaction ended the manager holds %+v", s)
			}
		})
	}
}

// TestStaleSnapshot: a snapshot older than a dropped commit cannot be checked
// against it, so the transaction is doomed; BeginFunc has no such window.
func TestStaleSnapshot(t *testing.T) {
	m := New()
	run(t, m, []step{
		begin("W", 10), write("W", "x"), precommit("W"), commit("W", 11),
		// W's record is gone (nothing was open); a snapshot taken before W's
		// commit and registered only now could not see W's write.
		begin("Late", 10),
		read("Late", "x").fails(staleSnapshot),
		precommit("Late").fails(staleSnapshot),
		abort("Late"),
		begin("OnTime", 11), read("OnTime", "x"), precommit("OnTime"), commit("OnTime", 0),
	})
	tx := m.BeginFunc(func() uint64 { return 11 })
	if err := tx.Read([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Err(); err != nil {
		t.Fatal(err)
	}
	tx.Abort()
}

// TestUsage: calls after PreCommit or after the end are programming errors,
// reported as internal errors, not as serialization failures.
func TestUsage(t *testing.T) {
	m := New()
	tx := m.Begin(1)
	if err := tx.PreCommit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.PreCommit(); err != nil {
		t.Fatalf("second PreCommit: %v", err)
	}
	for name, call := range map[string]func() error{
		"Read":      func() error { return tx.Read([]byte("k")) },
		"ReadRange": func() error { return tx.ReadRange([]byte("a"), nil) },
		"Write":     func() error { return tx.Write([]byte("k")) },
	} {
		if code := pgerr.Code(call()); code != pgerrcode.InternalError {
			t.Errorf("%s after PreCommit: code %q, want XX000", name, code)
		}
	}
	tx.Committed(0)
	tx.Abort() // ignored
	if err := tx.PreCommit(); pgerr.Code(err) != pgerrcode.InternalError {
		t.Errorf("PreCommit after Committed: %v", err)
	}
	if s := m.Stats(); s.Live != 0 || s.Retained != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// TestEdgesOnlyBetweenConcurrent checks the edge sets themselves, not only the
// outcome: no edge with a transaction committed at or before the snapshot.
func TestEdgesOnlyBetweenConcurrent(t *testing.T) {
	m := New()
	txns := run(t, m, []step{
		begin("Old", 10), begin("Keep", 10), write("Old", "x"), precommit("Old"), commit("Old", 11),
		begin("New", 11), read("New", "x"), // sees Old's write
		begin("Mid", 10), read("Mid", "x"), // does not see it
	})
	old, newer, mid := txns["Old"], txns["New"], txns["Mid"]
	if _, ok := newer.out[old]; ok {
		t.Error("edge New -> Old, but New's snapshot includes Old's commit")
	}
	if _, ok := mid.out[old]; !ok {
		t.Error("no edge Mid -> Old, but Mid's snapshot misses Old's write")
	}
	if _, ok := old.in[mid]; !ok {
		t.Error("Old does not list Mid among its readers")
	}
	mid.Abort()
	if _, ok := old.in[mid]; ok {
		t.Error("Mid aborted but Old still lists it")
	}
	for _, name := range []string{"Keep", "New"} {
		txns[name].Abort()
	}
}

// TestSpanSet checks the merged range set against a plain list of ranges.
func TestSpanSet(t *testing.T) {
	keys := []string{"", "a", "b", "c", "d", "e", "f", "g"}
	tests := []struct {
		name string
		add  [][2]string // "" end: to the last key
	}{
		{"disjoint", [][2]string{{"a", "b"}, {"d", "e"}}},
		{"touching", [][2]string{{"a", "b"}, {"b", "c"}}},
		{"overlapping", [][2]string{{"b", "d"}, {"a", "c"}, {"c", "f"}}},
		{"swallowed", [][2]string{{"b", "c"}, {"d", "e"}, {"a", "f"}}},
		{"inside", [][2]string{{"a", "f"}, {"b", "c"}}},
		{"to the end", [][2]string{{"c", "d"}, {"b", ""}, {"a", "b"}}},
		{"end then before", [][2]string{{"e", ""}, {"a", "b"}, {"c", "e"}}},
		{"from the first key", [][2]string{{"", "b"}, {"d", "e"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ss spanSet
			var plain []span
			for _, r := range tt.add {
				var end []byte
				if r[1] != "" {
					end = []byte(r[1])
				}
				s := newSpan([]byte(r[0]), end)
				ss.add(s)
				plain = append(plain, s)
				for i := 1; i < len(ss); i++ {
					if ss[i-1].toEnd || ss[i-1].end >= ss[i].start {
						t.Fatalf("after %v the set %v is not sorted, disjoint and merged", r, ss)
					}
				}
				for _, k := range keys {
					want := false
					for _, p := range plain {
						want = want || p.covers(k)
					}
					if got := ss.covers([]byte(k)); got != want {
						t.Fatalf("after %v: covers(%q) = %v, want %v (set %v)", r, k, got, want, ss)
					}
				}
				if !ss.contains(s) {
					t.Fatalf("the set %v does not contain %v just added", ss, s)
				}
			}
		})
	}
}

// TestMemoryBounded runs many transactions one after another, and then many
// alongside one long transaction: what the manager holds must stay small in
// the first case, and be given back when the long transaction ends in the
// second.
func TestMemoryBounded(t *testing.T) {
	m := New()
	var ts uint64 = 1
	runOne := func(i int) {
		tx := m.Begin(ts)
		for j := range 10 {
			if err := tx.Read(fmt.Appendf(nil, "r%d", (i*7+j)%5000)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.ReadRange(fmt.Appendf(nil, "s%d", i%100), fmt.Appendf(nil, "s%d", i%100+1)); err != nil {
			t.Fatal(err)
		}
		for j := range 2 {
			if err := tx.Write(fmt.Appendf(nil, "w%d", (i*3+j)%5000)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.PreCommit(); err != nil {
			t.Fatal(err)
		}
		ts++
		tx.Committed(ts)
	}
	for i := range 20000 {
		runOne(i)
		if s := m.Stats(); s != (Stats{}) {
			t.Fatalf("after %d sequential transactions the manager holds %+v", i+1, s)
		}
	}

	// With a window of overlapping transactions, the committed ones are kept
	// only while an older one is open.
	const window = 8
	var open []*Txn
	for i := range 20000 {
		tx := m.Begin(ts)
		for j := range 10 {
			if err := tx.Read(fmt.Appendf(nil, "r%d", (i*7+j)%5000)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Write(fmt.Appendf(nil, "w%d", i%5000)); err != nil {
			t.Fatal(err)
		}
		open = append(open, tx)
		if len(open) == window {
			first := open[0]
			open = open[1:]
			if first.PreCommit() != nil {
				first.Abort()
			} else {
				ts++
				first.Committed(ts)
			}
		}
		if s := m.Stats(); s.Live > window || s.Retained > window || s.ReadKeys > 10*2*window || s.WriteKeys > 2*window {
			t.Fatalf("after %d overlapping transactions the manager holds %+v", i+1, s)
		}
	}
	for _, tx := range open {
		tx.Abort()
	}
	if s := m.Stats(); s != (Stats{}) {
		t.Fatalf("after the overlapping transactions the manager holds %+v", s)
	}

	// A long reader keeps every commit after its snapshot (they are all
	// concurrent with it)...
	long := m.Begin(ts)
	if err := long.Read([]byte("elsewhere")); err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := range n {
		runOne(i)
	}
	if s := m.Stats(); s.Retained != n || s.Live != 1 {
		t.Fatalf("with a long transaction open: %+v, want %d retained", s, n)
	}
	// ...and lets them go when it ends.
	long.Abort()
	if s := m.Stats(); s != (Stats{}) {
		t.Fatalf("after the long transaction ended the manager holds %+v", s)
	}
}

// TestCoarsen: past the threshold, point reads inside one Coarsen range become
// the range; a write inside the range, even of a key never read, then makes
// an edge.
func TestCoarsen(t *testing.T) {
	// Keys are "<table>/<row>"; a table's range is ["<table>/", "<table>0").
	table := func(key []byte) ([]byte, []byte) {
		i := bytes.IndexByte(key, '/')
		if i < 0 {
			return nil, nil
		}
		return key[:i+1], append(bytes.Clone(key[:i]), '0')
	}
	m := NewWithOptions(Options{Coarsen: table, CoarsenAfter: 3})
	r := m.Begin(10)
	w := m.Begin(10)
	for _, k := range []string{"t/1", "t/2", "t/3", "u/1", "nokey"} {
		if err := r.Read([]byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	if s := m.Stats(); s.ReadKeys != 5 || s.Ranges != 0 {
		t.Fatalf("at the threshold: %+v, want 5 point reads and no range", s)
	}
	if err := r.Read([]byte("t/4")); err != nil {
		t.Fatal(err)
	}
	if s := m.Stats(); s.ReadKeys != 2 || s.Ranges != 1 {
		t.Fatalf("past the threshold: %+v, want the reads of t as one range, u/1 and nokey as points", s)
	}
	if err := w.Write([]byte("t/99")); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.out[w]; !ok {
		t.Fatal("a write inside the coarsened range made no edge")
	}
	if err := w.Write([]byte("u/2")); err != nil {
		t.Fatal(err)
	}
	if len(w.in) != 1 {
		t.Fatalf("a write outside the coarsened range made an edge: %v", w.in)
	}
	r.Abort()
	w.Abort()
	if s := m.Stats(); s != (Stats{}) {
		t.Fatalf("after both ended the manager holds %+v", s)
	}
}

// TestRangeIndex checks the interval tree against a plain list under random
// inserts and deletes.
func TestRangeIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string { return fmt.Sprintf("%02d", rng.IntN(40)) }
	owners := make([]*Txn, 10)
	for i := range owners {
		owners[i] = &Txn{id: uint64(i + 1)}
	}
	type entry struct {
		s     span
		owner *Txn
	}
	var ix rangeIndex
	var plain []entry
	for step := range 5000 {
		if len(plain) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(plain))
			ix.delete(plain[i].s, plain[i].owner)
			plain = slices.Delete(plain, i, i+1)
		} else {
			a, b := key(), key()
			s := span{start: min(a, b), end: max(a, b)}
			if rng.IntN(5) == 0 {
				s.end, s.toEnd = "", true
			}
			owner := owners[rng.IntN(len(owners))]
			// One owner's spans are disjoint (its spanSet merges them).
			if slices.ContainsFunc(plain, func(e entry) bool {
				return e.owner == owner && (e.s.covers(s.start) || s.covers(e.s.start))
			}) {
				continue
			}
			ix.insert(s, owner)
			plain = append(plain, entry{s, owner})
		}
		if ix.n != len(plain) {
			t.Fatalf("step %d: index holds %d spans, want %d", step, ix.n, len(plain))
		}
		k := key()
		var got, want []uint64
		ix.stab(k, func(o *Txn) bool { got = append(got, o.id); return true })
		for _, e := range plain {
			if e.s.covers(k) {
				want = append(want, e.owner.id)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: spans covering %q: owners %v, want %v", step, k, got, want)
		}
	}
}
