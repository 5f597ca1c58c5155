package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestRowLocks runs the row-lock behaviours of PostgreSQL's READ COMMITTED
// and REPEATABLE READ against Augur (and the reference PostgreSQL when
// AUGUR_SQLTEST_PG is set): writers wait for writers, re-check changed rows,
// NOWAIT, SKIP LOCKED, lock_timeout, deadlocks, and locks released when a
// client vanishes. Blocking is observed through pg_blocking_pids, never
// through timing.
func TestRowLocks(t *testing.T) {
	for _, tg := range sqlTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			admin := sqlConnect(t, ctx, tg.url)
			reset := func(t *testing.T) {
				t.Helper()
				mustExec(t, ctx, admin, `DROP TABLE IF EXISTS rl`, `DROP TABLE IF EXISTS rlk`,
					`CREATE TABLE rl (id int PRIMARY KEY, n int, tag text)`,
					`INSERT INTO rl VALUES (1, 0, 'a'), (2, 0, 'b'), (3, 0, 'c')`)
			}
			t.Cleanup(func() {
				c, err := pgx.Connect(context.Background(), tg.url)
				if err == nil {
					c.Exec(context.Background(), `DROP TABLE IF EXISTS rl`)
					c.Exec(context.Background(), `DROP TABLE IF EXISTS rlk`)
					c.Close(context.Background())
				}
			})
			conn := func(t *testing.T) (*pgx.Conn, int32) {
				c := sqlConnect(t, ctx, tg.url)
				var pid int32
				if err := c.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
					t.Fatal(err)
				}
				return c, pid
			}

			t.Run("read committed update waits and works on the committed row", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, bpid := conn(t)
				mustExec(t, ctx, a, `BEGIN`, `UPDATE rl SET n = n + 1 WHERE id = 1`)
				done := execAsync(ctx, b, `UPDATE rl SET n = n * 10 WHERE id = 1`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `COMMIT`)
				if r := <-done; r.err != nil || r.tag != "UPDATE 1" {
					t.Fatalf("waiting update: %q %v", r.tag, r.err)
				}
				checkRows(t, ctx, admin, `SELECT n FROM rl WHERE id = 1`, "10")
			})

			t.Run("read committed re-check drops a row that no longer qualifies", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, bpid := conn(t)
				mustExec(t, ctx, a, `BEGIN`, `UPDATE rl SET n = 5 WHERE id = 2`)
				done := execAsync(ctx, b, `DELETE FROM rl WHERE n = 0`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `COMMIT`)
				if r := <-done; r.err != nil || r.tag != "DELETE 2" {
					t.Fatalf("waiting delete: %q %v", r.tag, r.err)
				}
				checkRows(t, ctx, admin, `SELECT id, n FROM rl`, "2|5")
			})

			t.Run("a row deleted by the transaction waited for is skipped", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, bpid := conn(t)
				mustExec(t, ctx, a, `BEGIN`, `DELETE FROM rl WHERE id = 3`)
				done := execAsync(ctx, b, `UPDATE rl SET n = 7 WHERE id = 3`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `COMMIT`)
				if r := <-done; r.err != nil || r.tag != "UPDATE 0" {
					t.Fatalf("waiting update: %q %v", r.tag, r.err)
				}
			})

			t.Run("repeatable read refuses a row changed concurrently", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, bpid := conn(t)
				mustExec(t, ctx, b, `BEGIN ISOLATION LEVEL REPEATABLE READ`)
				checkRows(t, ctx, b, `SELECT n FROM rl WHERE id = 1`, "0")
				mustExec(t, ctx, a, `BEGIN`, `UPDATE rl SET n = 1 WHERE id = 1`)
				done := execAsync(ctx, b, `UPDATE rl SET n = 2 WHERE id = 1`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `COMMIT`)
				if r := <-done; pgCode(r.err) != "40001" {
					t.Fatalf("repeatable read update: %q %v, want 40001", r.tag, r.err)
				}
				mustExec(t, ctx, b, `ROLLBACK`)
				// Had a rolled back instead, b's update goes through.
				mustExec(t, ctx, b, `BEGIN ISOLATION LEVEL REPEATABLE READ`)
				checkRows(t, ctx, b, `SELECT n FROM rl WHERE id = 1`, "1")
				mustExec(t, ctx, a, `BEGIN`, `UPDATE rl SET n = 3 WHERE id = 1`)
				done = execAsync(ctx, b, `UPDATE rl SET n = 4 WHERE id = 1`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `ROLLBACK`)
				if r := <-done; r.err != nil {
					t.Fatalf("update after the other rolled back: %v", r.err)
				}
				mustExec(t, ctx, b, `COMMIT`)
				checkRows(t, ctx, admin, `SELECT n FROM rl WHERE id = 1`, "4")
			})

			t.Run("NOWAIT, SKIP LOCKED and lock_timeout", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, _ := conn(t)
				mustExec(t, ctx, a, `BEGIN`)
				checkRows(t, ctx, a, `SELECT id FROM rl WHERE id = 1 FOR UPDATE`, "1")
				checkError(t, ctx, b, `SELECT id FROM rl WHERE id = 1 FOR UPDATE NOWAIT`, "55P03")
				checkError(t, ctx, b, `SELECT id FROM rl FOR SHARE NOWAIT`, "55P03")
				checkRows(t, ctx, b, `SELECT id FROM rl ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, "2")
				checkRows(t, ctx, b, `SELECT id FROM rl ORDER BY id FOR NO KEY UPDATE SKIP LOCKED`, "2", "3")
				mustExec(t, ctx, b, `SET lock_timeout = '50ms'`)
				checkError(t, ctx, b, `UPDATE rl SET n = 1 WHERE id = 1`, "55P03")
				mustExec(t, ctx, b, `RESET lock_timeout`)
				mustExec(t, ctx, a, `ROLLBACK`)
			})

			t.Run("lock strengths", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, bpid := conn(t)
				mustExec(t, ctx, a, `BEGIN`)
				checkRows(t, ctx, a, `SELECT id FROM rl WHERE id = 1 FOR KEY SHARE`, "1")
				// FOR KEY SHARE lets a non-key UPDATE (FOR NO KEY UPDATE) and
				// FOR SHARE through, but not DELETE.
				mustExec(t, ctx, b, `BEGIN`, `UPDATE rl SET n = 9 WHERE id = 1`)
				checkRows(t, ctx, b, `SELECT id FROM rl WHERE id = 1 FOR SHARE NOWAIT`, "1")
				mustExec(t, ctx, b, `ROLLBACK`)
				done := execAsync(ctx, b, `DELETE FROM rl WHERE id = 1`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `ROLLBACK`)
				if r := <-done; r.err != nil || r.tag != "DELETE 1" {
					t.Fatalf("delete after FOR KEY SHARE ended: %q %v", r.tag, r.err)
				}
				// FOR SHARE holders share, and block an UPDATE.
				mustExec(t, ctx, a, `BEGIN`)
				checkRows(t, ctx, a, `SELECT id FROM rl WHERE id = 2 FOR SHARE`, "2")
				checkRows(t, ctx, b, `SELECT id FROM rl WHERE id = 2 FOR SHARE NOWAIT`, "2")
				checkError(t, ctx, b, `SELECT id FROM rl WHERE id = 2 FOR NO KEY UPDATE NOWAIT`, "55P03")
				mustExec(t, ctx, a, `ROLLBACK`)
			})

			t.Run("concurrent inserts of one key", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, bpid := conn(t)
				mustExec(t, ctx, a, `BEGIN`, `INSERT INTO rl VALUES (10, 1, 'a')`)
				done := execAsync(ctx, b, `INSERT INTO rl VALUES (10, 2, 'b')`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `COMMIT`)
				if r := <-done; pgCode(r.err) != "23505" {
					t.Fatalf("second insert: %q %v, want 23505", r.tag, r.err)
				}
				mustExec(t, ctx, a, `BEGIN`, `INSERT INTO rl VALUES (11, 1, 'a')`)
				done = execAsync(ctx, b, `INSERT INTO rl VALUES (11, 2, 'b') ON CONFLICT (id) DO UPDATE SET n = rl.n + 100`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `ROLLBACK`)
				if r := <-done; r.err != nil {
					t.Fatalf("insert after the other rolled back: %v", r.err)
				}
				mustExec(t, ctx, a, `BEGIN`, `INSERT INTO rl VALUES (12, 1, 'a')`)
				done = execAsync(ctx, b, `INSERT INTO rl VALUES (12, 2, 'b') ON CONFLICT (id) DO UPDATE SET n = rl.n + 100`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `COMMIT`)
				if r := <-done; r.err != nil {
					t.Fatalf("upsert after the other committed: %v", r.err)
				}
				checkRows(t, ctx, admin, `SELECT id, n FROM rl WHERE id >= 10 ORDER BY id`, "10|1", "11|2", "12|101")
				// A unique secondary index: the same value under two keys.
				mustExec(t, ctx, admin, `CREATE TABLE rlk (id int PRIMARY KEY, u text UNIQUE)`)
				mustExec(t, ctx, a, `BEGIN`, `INSERT INTO rlk VALUES (1, 'x')`)
				done = execAsync(ctx, b, `INSERT INTO rlk VALUES (2, 'x')`)
				waitBlocked(t, ctx, admin, bpid, done)
				mustExec(t, ctx, a, `COMMIT`)
				if r := <-done; pgCode(r.err) != "23505" {
					t.Fatalf("second insert of a unique value: %q %v, want 23505", r.tag, r.err)
				}
			})

			t.Run("deadlock: one victim, the other goes on", func(t *testing.T) {
				reset(t)
				a, apid := conn(t)
				b, bpid := conn(t)
				for _, c := range []*pgx.Conn{a, b} {
					mustExec(t, ctx, c, `SET deadlock_timeout = '100ms'`)
				}
				mustExec(t, ctx, a, `BEGIN`, `UPDATE rl SET n = 1 WHERE id = 1`)
				mustExec(t, ctx, b, `BEGIN`, `UPDATE rl SET n = 2 WHERE id = 2`)
				da := execAsync(ctx, a, `UPDATE rl SET n = 1 WHERE id = 2`)
				waitBlocked(t, ctx, admin, apid, da)
				db := execAsync(ctx, b, `UPDATE rl SET n = 2 WHERE id = 1`)
				var ra, rb asyncResult
				select {
				case ra = <-da:
					mustExec(t, ctx, a, `ROLLBACK`)
					rb = <-db
					mustExec(t, ctx, b, `COMMIT`)
				case rb = <-db:
					mustExec(t, ctx, b, `ROLLBACK`)
					ra = <-da
					mustExec(t, ctx, a, `COMMIT`)
				}
				codes := []string{pgCode(ra.err), pgCode(rb.err)}
				if !(codes[0] == "40P01" && rb.err == nil || codes[1] == "40P01" && ra.err == nil) {
					t.Fatalf("deadlock outcomes: a %v, b %v; want exactly one 40P01", ra.err, rb.err)
				}
				for _, r := range []asyncResult{ra, rb} {
					if r.err != nil && !strings.Contains(r.err.Error(), "deadlock detected") {
						t.Fatalf("victim's message: %v", r.err)
					}
				}
				_ = bpid
			})

			t.Run("serializable refuses write skew", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, _ := conn(t)
				var failed []string
				step := func(c *pgx.Conn, name, sql string) {
					if _, err := c.Exec(ctx, sql); err != nil {
						if pgCode(err) != "40001" && pgCode(err) != "25P02" {
							t.Fatalf("%s: %s: %v", name, sql, err)
						}
						failed = append(failed, name)
					}
				}
				step(a, "a", `BEGIN ISOLATION LEVEL SERIALIZABLE`)
				step(b, "b", `BEGIN ISOLATION LEVEL SERIALIZABLE`)
				step(a, "a", `SELECT sum(n) FROM rl WHERE id IN (1, 2)`)
				step(b, "b", `SELECT sum(n) FROM rl WHERE id IN (1, 2)`)
				step(a, "a", `UPDATE rl SET n = n + 1 WHERE id = 1`)
				step(b, "b", `UPDATE rl SET n = n + 1 WHERE id = 2`)
				_, errA := a.Exec(ctx, `COMMIT`)
				_, errB := b.Exec(ctx, `COMMIT`)
				for name, err := range map[string]error{"a": errA, "b": errB} {
					if err != nil {
						failed = append(failed, name)
					}
				}
				// A COMMIT of a failed transaction reports ROLLBACK without an error.
				var sum int
				if err := admin.QueryRow(ctx, `SELECT sum(n) FROM rl WHERE id IN (1, 2)`).Scan(&sum); err != nil {
					t.Fatal(err)
				}
				if sum != 1 {
					t.Fatalf("both write-skew transactions committed (sum %d, failures %v)", sum, failed)
				}
			})

			t.Run("a vanished client's locks are released and its writes undone", func(t *testing.T) {
				reset(t)
				a, _ := conn(t)
				b, bpid := conn(t)
				mustExec(t, ctx, a, `BEGIN`, `UPDATE rl SET n = 99 WHERE id = 1`)
				done := execAsync(ctx, b, `UPDATE rl SET n = n + 1 WHERE id = 1`)
				waitBlocked(t, ctx, admin, bpid, done)
				a.PgConn().Conn().Close() // the client vanishes mid-transaction
				if r := <-done; r.err != nil {
					t.Fatalf("update after the holder vanished: %v", r.err)
				}
				checkRows(t, ctx, admin, `SELECT n FROM rl WHERE id = 1`, "1")
			})
		})
	}
}

type asyncResult struct {
	tag string
	err error
}

// execAsync runs sql on c in a goroutine; the result arrives on the channel.
func execAsync(ctx context.Context, c *pgx.Conn, sql string) chan asyncResult {
	ch := make(chan asyncResult, 1)
	go func() {
		tag, err := c.Exec(ctx, sql)
		ch <- asyncResult{tag: tag.String(), err: err}
	}()
	return ch
}

// waitBlocked waits until the session pid waits for a lock (pg_blocking_pids
// is not empty). The statement must not finish first: it was meant to block.
func waitBlocked(t *testing.T, ctx context.Context, ctrl *pgx.Conn, pid int32, done chan asyncResult) {
	t.Helper()
	for {
		select {
		case r := <-done:
			done <- r
			t.Fatalf("the statement finished instead of waiting for a lock: %q %v", r.tag, r.err)
		default:
		}
		var blockers string
		if err := ctrl.QueryRow(ctx, `SELECT pg_blocking_pids($1)::text`, pid).Scan(&blockers); err != nil {
			t.Fatalf("pg_blocking_pids: %v", err)
		}
		if blockers != "{}" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("timed out waiting for the session to block")
		case <-time.After(5 * time.Millisecond):
		}
	}
}
