package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/augurdb/augur/actors/lockmgr"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
	"github.com/rs/zerolog"
)

// newTestEngine returns an engine over a fresh store.
func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{CheckpointTimeout: -1}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(ctx) })
	eng, err := NewEngine(ctx, st, map[string]string{"augur": "augur"})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func connect(t testing.TB, eng *Engine) *Conn {
	t.Helper()
	c, err := eng.Connect("augur", "augur", store.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func mustRun(t testing.TB, c *Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := c.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// queryRow runs sql and returns its only row in text form.
func queryRow(t testing.TB, c *Conn, sql string) string {
	t.Helper()
	s, err := c.Prepare(sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var got []string
	_, err = s.Query(context.Background(), nil, func(row []types.Datum) error {
		for i, v := range row {
			if v == nil {
				got = append(got, "NULL")
				continue
			}
			got = append(got, string(types.EncodeText(s.plan.Columns[i].Type, v)))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.Join(got, "|")
}

var modeNames = map[lockmgr.Mode]string{
	lockmgr.AccessShare: "AccessShare", lockmgr.RowShare: "RowShare", lockmgr.RowExclusive: "RowExclusive",
	lockmgr.ShareUpdateExclusive: "ShareUpdateExclusive", lockmgr.Share: "Share",
	lockmgr.ShareRowExclusive: "ShareRowExclusive", lockmgr.Exclusive: "Exclusive", lockmgr.AccessExclusive: "AccessExclusive",
}

// TestRelationLocks checks the table locks each kind of statement records
// when it is prepared (the locks it takes when it runs).
func TestRelationLocks(t *testing.T) {
	eng := newTestEngine(t)
	c := connect(t, eng)
	mustRun(t, c,
		`CREATE TABLE a (id int PRIMARY KEY, v int)`,
		`CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a)`,
		`CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b ON DELETE CASCADE)`,
		`CREATE TABLE d (id int PRIMARY KEY, b_id int REFERENCES b ON UPDATE SET NULL)`,
		`CREATE TABLE e (id int)`,
		`CREATE VIEW v AS SELECT a.id, b.id AS bid FROM a JOIN b ON b.a_id = a.id`,
		`CREATE VIEW vv AS SELECT * FROM v WHERE id IN (SELECT id FROM e)`,
		`CREATE SCHEMA s`, `CREATE TABLE s.e (id int)`,
		`CREATE TEMP TABLE tmp (id int)`)
	tests := []struct {
		sql  string
		want string // "table:Mode" sorted, space separated
	}{
		{`SELECT 1`, ``},
		{`SELECT * FROM a`, `a:AccessShare`},
		{`SELECT * FROM a JOIN b ON a.id = b.a_id`, `a:AccessShare b:AccessShare`},
		{`SELECT (SELECT count(*) FROM b), EXISTS (SELECT 1 FROM c) FROM a`, `a:AccessShare b:AccessShare c:AccessShare`},
		{`WITH x AS (SELECT * FROM b) SELECT * FROM x, a`, `a:AccessShare b:AccessShare`},
		{`SELECT * FROM v`, `a:AccessShare b:AccessShare v:AccessShare`},
		{`SELECT * FROM vv`, `a:AccessShare b:AccessShare e:AccessShare v:AccessShare vv:AccessShare`},
		{`SELECT * FROM s.e`, `s.e:AccessShare`},
		{`SELECT * FROM tmp`, `tmp:AccessShare`},
		{`SELECT * FROM a, a AS a2`, `a:AccessShare`},
		{`INSERT INTO a VALUES (1, 1)`, `a:RowExclusive`},
		{`INSERT INTO e SELECT id FROM a`, `a:AccessShare e:RowExclusive`},
		{`INSERT INTO b VALUES (1, 1)`, `a:RowShare b:RowExclusive`},
		{`INSERT INTO a VALUES (1, 1) ON CONFLICT (id) DO NOTHING`, `a:RowExclusive`},
		{`INSERT INTO a VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET v = 2`, `a:RowExclusive b:RowShare`},
		{`UPDATE a SET v = 2`, `a:RowExclusive b:RowShare`},
		{`UPDATE e SET id = a.id FROM a WHERE a.v = e.id`, `a:AccessShare e:RowExclusive`},
		{`UPDATE e SET id = (SELECT max(id) FROM a)`, `a:AccessShare e:RowExclusive`},
		{`DELETE FROM e WHERE id IN (SELECT id FROM a)`, `a:AccessShare e:RowExclusive`},
		{`DELETE FROM a`, `a:RowExclusive b:RowShare`},
		// b's delete cascades into c and checks d (ON DELETE NO ACTION); its
		// update sets d's keys to NULL and checks c (ON UPDATE NO ACTION).
		{`DELETE FROM b`, `b:RowExclusive c:RowExclusive d:RowShare`},
		{`UPDATE b SET a_id = 1`, `a:RowShare b:RowExclusive c:RowShare d:RowExclusive`},
		{`DELETE FROM tmp RETURNING id`, `tmp:RowExclusive`},
		{`EXPLAIN ANALYZE SELECT * FROM a`, ``}, // the explained plan holds them
		{`SELECT * FROM a FOR UPDATE`, `a:RowShare`},
		{`SELECT * FROM a JOIN e ON a.id = e.id FOR SHARE OF a`, `a:RowShare e:AccessShare`},
		{`SELECT * FROM e WHERE id IN (SELECT id FROM a FOR KEY SHARE)`, `a:RowShare e:AccessShare`},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			s, err := c.Prepare(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if got := describeLocks(c, s.plan.relLocks); got != tc.want {
				t.Fatalf("locks %q, want %q", got, tc.want)
			}
			if len(s.plan.relLocks) > 0 && !s.plan.tables {
				t.Fatal("a plan that locks tables must run in a transaction")
			}
		})
	}
}

func describeLocks(c *Conn, locks []relLock) string {
	names := map[uint32]string{}
	for n, t := range c.Schema().Databases["augur"].Tables {
		names[t.ID] = n.Name
		if n.Schema != "public" && !strings.HasPrefix(n.Schema, "pg_temp") {
			names[t.ID] = n.Schema + "." + n.Name
		}
	}
	var out []string
	for _, l := range locks {
		out = append(out, names[l.rel]+":"+modeNames[l.mode])
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func TestRelLocksAdd(t *testing.T) {
	var l relLocks
	l.add(1, lockmgr.AccessShare)
	l.add(2, lockmgr.RowExclusive)
	l.add(1, lockmgr.RowExclusive)
	l.add(1, lockmgr.RowShare)
	l.add(2, lockmgr.Share) // not comparable with ROW EXCLUSIVE: both kept
	l.add(2, lockmgr.Share)
	want := []relLock{{1, lockmgr.RowExclusive}, {2, lockmgr.RowExclusive}, {2, lockmgr.Share}}
	if !slices.Equal(l.list, want) {
		t.Fatalf("got %v, want %v", l.list, want)
	}
}

// TestLockStatement checks LOCK TABLE's answers that need no second session.
func TestLockStatement(t *testing.T) {
	eng := newTestEngine(t)
	c := connect(t, eng)
	ctx := context.Background()
	mustRun(t, c, `CREATE TABLE t (id int PRIMARY KEY)`, `CREATE SEQUENCE sq`, `CREATE INDEX t_i ON t (id)`,
		`CREATE VIEW v AS SELECT * FROM t`, `CREATE SCHEMA s`, `CREATE TABLE s.u (id int)`)
	if _, err := c.Exec(ctx, `LOCK TABLE t`); pgerr.Code(err) != "25P01" || pgerr.From(err).Message != "LOCK TABLE can only be used in transaction blocks" {
		t.Fatalf("LOCK outside a block: %v", err)
	}
	tests := []struct {
		sql, code, msg string
	}{
		{`LOCK t`, "", ""},
		{`LOCK TABLE ONLY t, s.u * IN SHARE MODE NOWAIT`, "", ""},
		{`LOCK TABLE v IN ACCESS SHARE MODE`, "", ""},
		{`LOCK TABLE augur.public.t IN ROW EXCLUSIVE MODE`, "", ""},
		{`LOCK TABLE nosuch`, "42P01", `relation "nosuch" does not exist`},
		{`LOCK TABLE s.nosuch`, "42P01", `relation "s.nosuch" does not exist`},
		{`LOCK TABLE u`, "42P01", `relation "u" does not exist`}, // not on the search path
		{`LOCK TABLE sq`, "42809", `cannot lock relation "sq"`},
		{`LOCK TABLE t_i`, "42809", `cannot lock relation "t_i"`},
		{`LOCK TABLE other.public.t`, "0A000", `cross-database references are not implemented: other.public.t`},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			c.Begin()
			defer c.Rollback()
			tag, err := c.Exec(ctx, tc.sql)
			if tc.code == "" {
				if err != nil || tag != "LOCK TABLE" {
					t.Fatalf("tag %q, error %v", tag, err)
				}
				// The block goes on: the table is usable under its lock.
				mustRun(t, c, `SELECT * FROM t`)
				return
			}
			if pgerr.Code(err) != tc.code || pgerr.From(err).Message != tc.msg {
				t.Fatalf("error %v, want %s %s", err, tc.code, tc.msg)
			}
		})
	}
	if _, err := c.Prepare(`LOCK t`); err != nil {
		t.Fatal(err)
	}
}

// TestAdvisoryFunctionsOneSession checks the advisory lock functions' results
// within one session.
func TestAdvisoryFunctionsOneSession(t *testing.T) {
	eng := newTestEngine(t)
	c := connect(t, eng)
	for _, tc := range []struct{ sql, want string }{
		{`SELECT pg_advisory_lock(1), pg_advisory_lock_shared(1, 2)`, "|"},
		{`SELECT pg_try_advisory_lock(3), pg_try_advisory_lock_shared(3::int8)`, "t|t"},
		{`SELECT pg_advisory_lock(NULL)`, "NULL"},
		{`SELECT pg_advisory_xact_lock(1), pg_try_advisory_xact_lock(1, 2), pg_try_advisory_xact_lock_shared(7)`, "|t|t"},
		{`SELECT pg_advisory_xact_lock_shared(8)`, ""},
		{`SELECT pg_advisory_unlock_all()`, ""},
	} {
		if got := queryRow(t, c, tc.sql); got != tc.want {
			t.Fatalf("%s: %q, want %q", tc.sql, got, tc.want)
		}
	}
	// Unlocking a lock not held warns and answers false.
	c.Notices()
	if got := queryRow(t, c, `SELECT pg_advisory_unlock(99), pg_advisory_unlock_shared(1, 99)`); got != "f|f" {
		t.Fatalf("unlock of locks not held: %q", got)
	}
	want := []string{"WARNING: you don't own a lock of type ExclusiveLock", "WARNING: you don't own a lock of type ShareLock"}
	if got := c.Notices(); !slices.Equal(got, want) {
		t.Fatalf("warnings %q, want %q", got, want)
	}
	// A transaction-level lock needs the statement's transaction, tables or
	// not; the session-level forms do not.
	for sql, want := range map[string]bool{
		`SELECT pg_advisory_xact_lock(1)`:                            true,
		`SELECT 1 WHERE pg_try_advisory_xact_lock_shared(1, 2)`:      true,
		`SELECT (SELECT pg_advisory_xact_lock(1))`:                   true,
		`SELECT pg_advisory_lock(1)`:                                 false,
		`SELECT pg_try_advisory_lock(1), pg_advisory_unlock_all()`:   false,
		`VALUES (pg_advisory_unlock(1)), (pg_advisory_unlock(1, 1))`: false,
	} {
		s, err := c.Prepare(sql)
		if err != nil {
			t.Fatal(err)
		}
		if s.plan.tables != want {
			t.Errorf("%s: runs in a transaction: %v, want %v", sql, s.plan.tables, want)
		}
	}
	// Volatile: never evaluated ahead of execution.
	s, err := c.Prepare(`SELECT pg_try_advisory_lock(42)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.plan.Fold(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Prepare(`SELECT pg_advisory_lock(1.5)`); pgerr.Code(err) != "42883" {
		t.Fatalf("pg_advisory_lock(numeric): %v", err)
	}
}

// background runs sql on c in a goroutine; the channel gets its error.
func background(c *Conn, sql string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := c.Exec(context.Background(), sql)
		done <- err
	}()
	return done
}

// waitBlocked waits until the session of c waits for a lock another holds.
// The deadline only guards against a hang; it is not a timing assertion.
func waitBlocked(t *testing.T, eng *Engine, c *Conn, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(eng.Locks.BlockingPIDs(c.BackendPID())) == 0 {
		select {
		case err := <-done:
			t.Fatalf("the statement did not wait for the lock (error %v)", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the statement never waited for the lock")
		}
		time.Sleep(time.Millisecond)
	}
}

func finished(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting statement did not finish")
		return nil
	}
}

// assertWaiting checks that a statement waiting for a lock has not finished.
func assertWaiting(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("the statement finished while the lock was held (error %v)", err)
	default:
	}
}

// TestTableLocksBlock checks waits between two sessions: LOCK TABLE's modes
// against statements' own locks, NOWAIT, lock_timeout, DDL against a reader,
// and a statement that waited for DDL being planned anew.
func TestTableLocksBlock(t *testing.T) {
	eng := newTestEngine(t)
	a, b := connect(t, eng), connect(t, eng)
	ctx := context.Background()
	mustRun(t, a, `CREATE TABLE t (id int PRIMARY KEY, v int)`, `INSERT INTO t VALUES (1, 1)`)

	t.Run("access exclusive blocks a reader until commit", func(t *testing.T) {
		a.Begin()
		mustRun(t, a, `LOCK TABLE t`)
		done := background(b, `SELECT * FROM t`)
		waitBlocked(t, eng, b, done)
		if err := a.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := finished(t, done); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("share lets readers through and blocks writers", func(t *testing.T) {
		a.Begin()
		mustRun(t, a, `LOCK TABLE t IN SHARE MODE`)
		mustRun(t, b, `SELECT * FROM t`)
		done := background(b, `INSERT INTO t VALUES (2, 2)`)
		waitBlocked(t, eng, b, done)
		assertWaiting(t, done)
		a.Rollback()
		if err := finished(t, done); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("nowait", func(t *testing.T) {
		a.Begin()
		defer a.Rollback()
		mustRun(t, a, `SELECT * FROM t`) // ACCESS SHARE until the block ends
		b.Begin()
		defer b.Rollback()
		_, err := b.Exec(ctx, `LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT`)
		if pgerr.Code(err) != "55P03" || pgerr.From(err).Message != `could not obtain lock on relation "t"` {
			t.Fatalf("LOCK NOWAIT: %v", err)
		}
	})
	t.Run("lock_timeout", func(t *testing.T) {
		a.Begin()
		defer a.Rollback()
		mustRun(t, a, `LOCK TABLE t IN EXCLUSIVE MODE`)
		mustRun(t, b, `SET lock_timeout = '20ms'`)
		defer mustRun(t, b, `RESET lock_timeout`)
		_, err := b.Exec(ctx, `UPDATE t SET v = 3`)
		if pgerr.Code(err) != "55P03" || pgerr.From(err).Message != "canceling statement due to lock timeout" {
			t.Fatalf("UPDATE under lock_timeout: %v", err)
		}
	})
	t.Run("DDL waits for a reader's transaction", func(t *testing.T) {
		c := connect(t, eng)
		a.Begin()
		mustRun(t, a, `SELECT * FROM t`)
		done := background(b, `ALTER TABLE t ADD COLUMN w int`)
		waitBlocked(t, eng, b, done)
		// The waiting DDL does not hold the catalog's DDL lock: other DDL goes on.
		c.Begin()
		mustRun(t, c, `CREATE TABLE other (id int)`)
		c.Rollback()
		assertWaiting(t, done)
		if err := a.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := finished(t, done); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a statement that waited reads what it waited for", func(t *testing.T) {
		a.Begin()
		mustRun(t, a, `LOCK TABLE t IN ACCESS EXCLUSIVE MODE`, `INSERT INTO t VALUES (100, 100)`)
		done := make(chan error, 1)
		var got string
		go func() {
			defer close(done)
			got = queryRow(t, b, `SELECT count(*) FROM t WHERE id = 100`)
		}()
		waitBlocked(t, eng, b, done)
		if err := a.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		finished(t, done)
		if got != "1" {
			t.Fatalf("the waiting SELECT counted %s rows committed by the transaction it waited for, want 1", got)
		}
		// LOCK TABLE first in a block: the block's reads follow the wait.
		a.Begin()
		mustRun(t, a, `INSERT INTO t VALUES (101, 101)`)
		b.Begin()
		lockDone := background(b, `LOCK TABLE t IN SHARE MODE`)
		waitBlocked(t, eng, b, lockDone)
		if err := a.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := finished(t, lockDone); err != nil {
			t.Fatal(err)
		}
		got = queryRow(t, b, `SELECT count(*) FROM t WHERE id = 101`)
		b.Rollback()
		if got != "1" {
			t.Fatalf("after LOCK TABLE waited, the block counted %s rows of the transaction it waited for, want 1", got)
		}
	})
	t.Run("DDL that waited while other DDL committed", func(t *testing.T) {
		c := connect(t, eng)
		a.Begin()
		mustRun(t, a, `SELECT * FROM t`)
		done := background(b, `ALTER TABLE t ADD COLUMN y int`)
		waitBlocked(t, eng, b, done)
		mustRun(t, c, `CREATE TABLE meanwhile (id int)`)
		if err := a.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := finished(t, done); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a statement that waited for DDL resolves its names again", func(t *testing.T) {
		mustRun(t, a, `CREATE TABLE t2 (id int PRIMARY KEY, v int)`, `INSERT INTO t2 VALUES (1, 100)`)
		a.Begin()
		mustRun(t, a, `ALTER TABLE t RENAME TO t_old`, `ALTER TABLE t2 RENAME TO t`)
		done := make(chan error, 1)
		var got []string
		go func() {
			s, err := b.Prepare(`SELECT v FROM t`)
			if err != nil {
				done <- err
				return
			}
			_, err = s.Query(ctx, nil, func(row []types.Datum) error {
				got = append(got, fmt.Sprint(row[0]))
				return nil
			})
			done <- err
		}()
		waitBlocked(t, eng, b, done)
		if err := a.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := finished(t, done); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"100"}) {
			t.Fatalf("the waiting SELECT read v = %s, want 100 (the table now named t)", got)
		}
	})
	t.Run("a statement that waited for DROP TABLE fails", func(t *testing.T) {
		mustRun(t, a, `CREATE TABLE gone (id int)`)
		a.Begin()
		mustRun(t, a, `DROP TABLE gone`)
		done := background(b, `SELECT * FROM gone`)
		waitBlocked(t, eng, b, done)
		if err := a.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := finished(t, done); pgerr.Code(err) != "42P01" {
			t.Fatalf("SELECT of a table dropped while it waited: %v", err)
		}
	})
}

// TestAdvisoryLocksBlock checks advisory locks between two sessions.
func TestAdvisoryLocksBlock(t *testing.T) {
	eng := newTestEngine(t)
	a, b := connect(t, eng), connect(t, eng)
	ctx := context.Background()

	// Session level: held across transactions until unlocked; try answers false.
	mustRun(t, a, `SELECT pg_advisory_lock(10)`)
	if got := queryRow(t, b, `SELECT pg_try_advisory_lock(10), pg_try_advisory_lock_shared(10), pg_try_advisory_lock(0, 10)`); got != "f|f|t" {
		t.Fatalf("try while held: %s", got)
	}
	done := background(b, `SELECT pg_advisory_lock(10)`)
	waitBlocked(t, eng, b, done)
	if got := queryRow(t, a, `SELECT pg_advisory_unlock(10), pg_advisory_unlock(10)`); got != "t|f" {
		t.Fatalf("unlock: %s", got)
	}
	if err := finished(t, done); err != nil {
		t.Fatal(err)
	}
	// Shared holders share; an exclusive request waits for them.
	mustRun(t, a, `SELECT pg_advisory_lock_shared(11)`)
	if got := queryRow(t, b, `SELECT pg_try_advisory_lock_shared(11), pg_try_advisory_lock(11)`); got != "t|f" {
		t.Fatalf("shared: %s", got)
	}
	mustRun(t, b, `SELECT pg_advisory_unlock_all()`)
	mustRun(t, a, `SELECT pg_advisory_unlock_all()`)

	// Transaction level: released when the transaction ends, even one that
	// reads no table.
	mustRun(t, a, `SELECT pg_advisory_xact_lock(12)`)
	if got := queryRow(t, b, `SELECT pg_try_advisory_lock(12)`); got != "t" {
		t.Fatalf("xact lock outlived its statement's transaction: %s", got)
	}
	mustRun(t, b, `SELECT pg_advisory_unlock(12)`)
	a.Begin()
	mustRun(t, a, `SELECT pg_advisory_xact_lock(13)`)
	if got := queryRow(t, b, `SELECT pg_try_advisory_xact_lock(13)`); got != "f" {
		t.Fatalf("xact lock in a block: %s", got)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := queryRow(t, b, `SELECT pg_try_advisory_xact_lock(13)`); got != "t" {
		t.Fatalf("xact lock after commit: %s", got)
	}

	// lock_timeout and cancellation end a wait.
	mustRun(t, a, `SELECT pg_advisory_lock(14)`)
	mustRun(t, b, `SET lock_timeout = '20ms'`)
	if _, err := b.Exec(ctx, `SELECT pg_advisory_lock(14)`); pgerr.Code(err) != "55P03" {
		t.Fatalf("lock_timeout: %v", err)
	}
	mustRun(t, b, `RESET lock_timeout`)
	cctx, cancel := context.WithCancel(ctx)
	cancelled := make(chan error, 1)
	go func() {
		_, err := b.Exec(cctx, `SELECT pg_advisory_lock(14)`)
		cancelled <- err
	}()
	waitBlocked(t, eng, b, cancelled)
	cancel()
	if err := finished(t, cancelled); pgerr.Code(err) != "57014" {
		t.Fatalf("cancel: %v", err)
	}
	// Session end releases session-level locks.
	a.Close()
	if got := queryRow(t, b, `SELECT pg_try_advisory_lock(14)`); got != "t" {
		t.Fatalf("after the holder closed: %s", got)
	}
}
