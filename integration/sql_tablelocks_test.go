package integration

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestSQLLocks: table locks and advisory locks between sessions, through pgx —
// LOCK TABLE's modes against other sessions' statements, NOWAIT and
// lock_timeout, and the advisory lock functions as migration tools use them
// (golang-migrate, Flyway, Liquibase, Rails: pg_advisory_lock /
// pg_try_advisory_lock / pg_advisory_unlock), released at unlock, at the end
// of the session, and for the _xact_ forms at the end of the transaction.
func TestSQLLocks(t *testing.T) {
	for _, tg := range sqlTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			admin := sqlConnect(t, ctx, tg.url)
			mustExec(t, ctx, admin, `DROP TABLE IF EXISTS lk`, `CREATE TABLE lk (id int PRIMARY KEY, v int)`, `INSERT INTO lk VALUES (1, 1)`)
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if c, err := pgx.Connect(ctx, tg.url); err == nil {
					c.Exec(ctx, `DROP TABLE IF EXISTS lk`)
					c.Close(ctx)
				}
			})

			t.Run("LOCK TABLE blocks a reader until COMMIT", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `LOCK TABLE lk`, `INSERT INTO lk VALUES (3, 3)`)
				var n int
				w := &waiter{done: make(chan error, 1)}
				go func() { w.done <- b.QueryRow(ctx, `SELECT count(*) FROM lk WHERE id = 3`).Scan(&n) }()
				w.waitBlocked(t, ctx, admin, b)
				mustExec(t, ctx, a, `COMMIT`)
				if err := w.finish(t); err != nil {
					t.Fatal(err)
				}
				if n != 1 { // its snapshot follows the wait
					t.Fatalf("the reader that waited counted %d rows of the commit it waited for, want 1", n)
				}
				mustExec(t, ctx, a, `DELETE FROM lk WHERE id = 3`)
			})
			t.Run("SHARE lets readers through and blocks INSERT", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `LOCK TABLE lk IN SHARE MODE`)
				checkRows(t, ctx, b, `SELECT v FROM lk WHERE id = 1`, "1")
				w := start(ctx, b, `INSERT INTO lk VALUES (2, 2)`)
				w.waitBlocked(t, ctx, admin, b)
				mustExec(t, ctx, a, `SELECT count(*) FROM lk`)
				w.assertWaiting(t)
				mustExec(t, ctx, a, `ROLLBACK`)
				if err := w.finish(t); err != nil {
					t.Fatal(err)
				}
				checkRows(t, ctx, b, `SELECT count(*) FROM lk`, "2")
			})
			t.Run("NOWAIT", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `SELECT * FROM lk`)
				mustExec(t, ctx, b, `BEGIN`)
				_, err := b.Exec(ctx, `LOCK TABLE lk IN ACCESS EXCLUSIVE MODE NOWAIT`)
				wantError(t, err, "55P03", `could not obtain lock on relation "lk"`)
				mustExec(t, ctx, b, `ROLLBACK`, `BEGIN`, `LOCK TABLE lk IN ROW EXCLUSIVE MODE NOWAIT`, `ROLLBACK`)
				mustExec(t, ctx, a, `ROLLBACK`)
			})
			t.Run("lock_timeout", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `LOCK TABLE lk IN EXCLUSIVE MODE`)
				mustExec(t, ctx, b, `SET lock_timeout = '50ms'`)
				_, err := b.Exec(ctx, `UPDATE lk SET v = v + 1`)
				wantError(t, err, "55P03", "canceling statement due to lock timeout")
				mustExec(t, ctx, a, `ROLLBACK`)
				mustExec(t, ctx, b, `UPDATE lk SET v = v + 1`)
			})
			t.Run("DDL waits for a reader's transaction", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `SELECT * FROM lk`)
				w := start(ctx, b, `ALTER TABLE lk ADD COLUMN w int`)
				w.waitBlocked(t, ctx, admin, b)
				checkRows(t, ctx, a, `SELECT count(*) FROM lk`, "2")
				w.assertWaiting(t)
				mustExec(t, ctx, a, `COMMIT`)
				if err := w.finish(t); err != nil {
					t.Fatal(err)
				}
			})

			t.Run("a deadlock between two LOCK TABLEs ends one of them", func(t *testing.T) {
				mustExec(t, ctx, admin, `DROP TABLE IF EXISTS lk2`, `CREATE TABLE lk2 (id int)`)
				defer mustExec(t, ctx, admin, `DROP TABLE lk2`)
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				for _, c := range []*pgx.Conn{a, b} {
					mustExec(t, ctx, c, `SET deadlock_timeout = '20ms'`, `BEGIN`)
				}
				mustExec(t, ctx, a, `LOCK TABLE lk IN SHARE MODE`)
				mustExec(t, ctx, b, `LOCK TABLE lk2 IN SHARE MODE`)
				wa := start(ctx, a, `LOCK TABLE lk2 IN EXCLUSIVE MODE`)
				wa.waitBlocked(t, ctx, admin, a)
				wb := start(ctx, b, `LOCK TABLE lk IN EXCLUSIVE MODE`)
				// One of the two is the victim (40P01); the other gets its lock once
				// the victim's transaction is gone (PostgreSQL releases a victim's
				// locks at the error, Augur at its ROLLBACK).
				var victim, survivor *pgx.Conn
				var survivorWait *waiter
				select {
				case err := <-wa.done:
					victim, survivor, survivorWait = a, b, wb
					if err == nil {
						victim, survivor, survivorWait = b, a, nil
						wantError(t, wb.finish(t), "40P01", "deadlock detected")
					} else {
						wantError(t, err, "40P01", "deadlock detected")
					}
				case err := <-wb.done:
					victim, survivor, survivorWait = b, a, wa
					if err == nil {
						victim, survivor, survivorWait = a, b, nil
						wantError(t, wa.finish(t), "40P01", "deadlock detected")
					} else {
						wantError(t, err, "40P01", "deadlock detected")
					}
				case <-time.After(30 * time.Second):
					t.Fatal("no deadlock victim")
				}
				mustExec(t, ctx, victim, `ROLLBACK`)
				if survivorWait != nil {
					if err := survivorWait.finish(t); err != nil {
						t.Fatalf("the survivor: %v", err)
					}
				}
				mustExec(t, ctx, survivor, `ROLLBACK`)
			})
			t.Run("advisory lock as migration tools take it", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				const key = 7305101
				checkRowsArgs(t, ctx, a, `SELECT pg_try_advisory_lock($1)`, []any{int64(key)}, "t")
				checkRowsArgs(t, ctx, b, `SELECT pg_try_advisory_lock($1)`, []any{int64(key)}, "f")
				mustExec(t, ctx, a, fmt.Sprintf(`SELECT pg_advisory_unlock(%d)`, key))
				// golang-migrate: pg_advisory_lock blocks the second migrator.
				mustExec(t, ctx, a, fmt.Sprintf(`SELECT pg_advisory_lock(%d)`, key))
				w := start(ctx, b, fmt.Sprintf(`SELECT pg_advisory_lock(%d)`, key))
				w.waitBlocked(t, ctx, admin, b)
				// A lock of the other key form, and a shared request, are separate
				// or conflicting as in PostgreSQL.
				checkRows(t, ctx, admin, fmt.Sprintf(`SELECT pg_try_advisory_lock(0, %d), pg_try_advisory_lock_shared(%d)`, key, key), "t|f")
				mustExec(t, ctx, admin, `SELECT pg_advisory_unlock_all()`)
				w.assertWaiting(t)
				checkRows(t, ctx, a, fmt.Sprintf(`SELECT pg_advisory_unlock(%d)`, key), "t")
				if err := w.finish(t); err != nil {
					t.Fatal(err)
				}
				checkRows(t, ctx, a, fmt.Sprintf(`SELECT pg_try_advisory_lock(%d)`, key), "f")
				checkRows(t, ctx, b, fmt.Sprintf(`SELECT pg_advisory_unlock(%d)`, key), "t")
			})
			t.Run("advisory unlock of a lock not held warns", func(t *testing.T) {
				var mu sync.Mutex
				var notices []*pgconn.Notice
				cfg, err := pgx.ParseConfig(tg.url)
				if err != nil {
					t.Fatal(err)
				}
				cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
					mu.Lock()
					notices = append(notices, n)
					mu.Unlock()
				}
				c, err := pgx.ConnectConfig(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close(ctx)
				checkRows(t, ctx, c, `SELECT pg_advisory_unlock(7305102), pg_advisory_unlock_shared(1, 2)`, "f|f")
				mu.Lock()
				defer mu.Unlock()
				want := []string{"you don't own a lock of type ExclusiveLock", "you don't own a lock of type ShareLock"}
				if len(notices) != len(want) {
					t.Fatalf("notices %v, want %q", notices, want)
				}
				for i, n := range notices {
					if n.Severity != "WARNING" || n.Code != "01000" || n.Message != want[i] {
						t.Fatalf("notice %d: %s %s %q, want WARNING 01000 %q", i, n.Severity, n.Code, n.Message, want[i])
					}
				}
			})
			t.Run("advisory lock released when its session ends", func(t *testing.T) {
				a, err := pgx.Connect(ctx, tg.url)
				if err != nil {
					t.Fatal(err)
				}
				b := sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `SELECT pg_advisory_lock(7305103)`, `SELECT pg_advisory_lock_shared(7305104)`)
				w := start(ctx, b, `SELECT pg_advisory_lock(7305103), pg_advisory_lock(7305104)`)
				w.waitBlocked(t, ctx, admin, b)
				a.Close(ctx) // Terminate: the server ends the session
				if err := w.finish(t); err != nil {
					t.Fatal(err)
				}
				mustExec(t, ctx, b, `SELECT pg_advisory_unlock_all()`)
			})
			t.Run("transaction-level advisory locks end with their transaction", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				for _, end := range []string{"COMMIT", "ROLLBACK"} {
					mustExec(t, ctx, a, `BEGIN`, `SELECT pg_advisory_xact_lock(7305105)`)
					checkRows(t, ctx, b, `SELECT pg_try_advisory_xact_lock(7305105)`, "f")
					w := start(ctx, b, `SELECT pg_advisory_xact_lock(7305105)`)
					w.waitBlocked(t, ctx, admin, b)
					mustExec(t, ctx, a, end)
					if err := w.finish(t); err != nil {
						t.Fatalf("after %s: %v", end, err)
					}
				}
				// A statement outside a block is its own transaction, tables or not.
				checkRows(t, ctx, a, `SELECT pg_try_advisory_xact_lock(7305106)`, "t")
				checkRows(t, ctx, b, `SELECT pg_try_advisory_xact_lock(7305106)`, "t")
				// A failed block's locks are gone by the ROLLBACK that ends it.
				mustExec(t, ctx, a, `BEGIN`, `SELECT pg_advisory_xact_lock_shared(7305107)`)
				checkRows(t, ctx, b, `SELECT pg_try_advisory_lock(7305107)`, "f")
				_, err := a.Exec(ctx, `SELECT 1/0`)
				wantError(t, err, "22012", "division by zero")
				mustExec(t, ctx, a, `ROLLBACK`)
				checkRows(t, ctx, b, `SELECT pg_try_advisory_lock(7305107), pg_advisory_unlock(7305107)`, "t|t")
			})
			t.Run("an error releases the transaction's locks at once", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `SELECT pg_advisory_xact_lock_shared(7305109)`, `LOCK TABLE lk`)
				_, err := a.Exec(ctx, `SELECT 1/0`)
				wantError(t, err, "22012", "division by zero")
				checkRows(t, ctx, b, `SELECT pg_try_advisory_lock(7305109), pg_advisory_unlock(7305109)`, "t|t")
				checkRows(t, ctx, b, `SELECT count(*) FROM lk`, "2")
				mustExec(t, ctx, a, `ROLLBACK`)
			})
			t.Run("a waiting advisory lock honours lock_timeout and cancel", func(t *testing.T) {
				a, b := sqlConnect(t, ctx, tg.url), sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `SELECT pg_advisory_lock(7305108)`)
				mustExec(t, ctx, b, `SET lock_timeout = '50ms'`)
				_, err := b.Exec(ctx, `SELECT pg_advisory_lock(7305108)`)
				wantError(t, err, "55P03", "canceling statement due to lock timeout")
				mustExec(t, ctx, b, `RESET lock_timeout`)
				cctx, cancelWait := context.WithCancel(ctx)
				w := start(cctx, b, `SELECT pg_advisory_lock(7305108)`)
				w.waitBlocked(t, ctx, admin, b)
				cancelWait() // pgx sends a CancelRequest
				err = w.finish(t)
				if pgCode(err) != "57014" && !errors.Is(err, context.Canceled) {
					t.Fatalf("cancelled wait: %v", err)
				}
				mustExec(t, ctx, a, `SELECT pg_advisory_unlock_all()`)
			})
		})
	}
}

func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code || pe.Message != msg {
		t.Fatalf("error %v, want %s %s", err, code, msg)
	}
}

func checkRowsArgs(t *testing.T, ctx context.Context, c *pgx.Conn, sql string, args []any, want ...string) {
	t.Helper()
	got := execStep(ctx, c, extendedMode, step{sql: sql, args: args})
	if msg := (step{sql: sql, rows: want}).check(got); msg != "" {
		t.Fatalf("%s\n%s", sql, msg)
	}
}

// waiter is a statement running on its own goroutine.
type waiter struct {
	done chan error
}

func start(ctx context.Context, c *pgx.Conn, sql string) *waiter {
	w := &waiter{done: make(chan error, 1)}
	go func() {
		_, err := c.Exec(ctx, sql)
		w.done <- err
	}()
	return w
}

// waitBlocked waits until the session of c waits for a lock, asking
// pg_blocking_pids from admin. Its deadline guards against a hang and asserts
// no timing.
func (w *waiter) waitBlocked(t *testing.T, ctx context.Context, admin, c *pgx.Conn) {
	t.Helper()
	pid := c.PgConn().PID()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-w.done:
			t.Fatalf("the statement did not wait for the lock (error %v)", err)
		default:
		}
		var n int
		err := admin.QueryRow(ctx, `SELECT cardinality(pg_blocking_pids($1))`, int32(pid)).Scan(&n)
		if err != nil {
			t.Fatalf("pg_blocking_pids: %v", err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the statement never waited for the lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// assertWaiting checks that the statement has not finished.
func (w *waiter) assertWaiting(t *testing.T) {
	t.Helper()
	select {
	case err := <-w.done:
		t.Fatalf("the statement finished while the lock was held (error %v)", err)
	default:
	}
}

// finish returns the statement's error once it has finished.
func (w *waiter) finish(t *testing.T) error {
	t.Helper()
	select {
	case err := <-w.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting statement did not finish")
		return nil
	}
}
