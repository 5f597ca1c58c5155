package integration

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestSQLCoreConcurrency: writers on different keys do not disturb each other; writers
// on the same key end with exactly one winner, the others getting 23505 (or 40001);
// concurrent increments lose no update; a client that vanishes mid-transaction
// leaves no trace.
func TestSQLCoreConcurrency(t *testing.T) {
	for _, tg := range sqlTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			admin := sqlConnect(t, ctx, tg.url)
			mustExec(t, ctx, admin, `CREATE TABLE cc (id int PRIMARY KEY, who text)`, `CREATE TABLE counter (id int PRIMARY KEY, n int)`,
				`INSERT INTO counter VALUES (1, 0)`)
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				c, err := pgx.Connect(ctx, tg.url)
				if err == nil {
					c.Exec(ctx, `DROP TABLE IF EXISTS cc`)
					c.Exec(ctx, `DROP TABLE IF EXISTS counter`)
					c.Exec(ctx, `DROP TABLE IF EXISTS vanish`)
					c.Close(ctx)
				}
			})

			t.Run("different keys", func(t *testing.T) {
				const perWriter = 100
				errs := make(chan error, 2)
				for w := 0; w < 2; w++ {
					c := sqlConnect(t, ctx, tg.url)
					go func(w int) {
						for i := 0; i < perWriter; i++ {
							if _, err := c.Exec(ctx, `INSERT INTO cc VALUES ($1, $2)`, w*perWriter+i, fmt.Sprint("w", w)); err != nil {
								errs <- fmt.Errorf("writer %d row %d: %w", w, i, err)
								return
							}
						}
						errs <- nil
					}(w)
				}
				for w := 0; w < 2; w++ {
					if err := <-errs; err != nil {
						t.Fatal(err)
					}
				}
				checkRows(t, ctx, admin, `SELECT who, count(*) FROM cc GROUP BY who ORDER BY who`, "w0|100", "w1|100")
			})

			t.Run("no dirty reads", func(t *testing.T) {
				a := sqlConnect(t, ctx, tg.url)
				b := sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `INSERT INTO cc VALUES (-10, 'uncommitted')`, `UPDATE counter SET n = n + 500`)
				checkRows(t, ctx, b, `SELECT count(*) FROM cc WHERE id = -10`, "0")
				checkRows(t, ctx, b, `SELECT n < 500 FROM counter`, "t")
				mustExec(t, ctx, a, `ROLLBACK`)
				checkRows(t, ctx, b, `SELECT count(*) FROM cc WHERE id = -10`, "0")
			})

			t.Run("a block sees rows others committed before each statement", func(t *testing.T) {
				a := sqlConnect(t, ctx, tg.url)
				b := sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, b, `BEGIN`)
				checkRows(t, ctx, b, `SELECT count(*) FROM cc WHERE id = -11`, "0")
				mustExec(t, ctx, a, `INSERT INTO cc VALUES (-11, 'committed')`)
				checkRows(t, ctx, b, `SELECT count(*) FROM cc WHERE id = -11`, "1")
				mustExec(t, ctx, b, `COMMIT`)
			})

			t.Run("same key in two transactions", func(t *testing.T) {
				a := sqlConnect(t, ctx, tg.url)
				b := sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, a, `BEGIN`, `INSERT INTO cc VALUES (-1, 'a')`)
				done := make(chan error, 1)
				go func() {
					_, err := b.Exec(ctx, `INSERT INTO cc VALUES (-1, 'b')`)
					done <- err
				}()
				// b may wait for a (PostgreSQL does) or fail at once.
				var bErr error
				bDone := false
				select {
				case bErr = <-done:
					bDone = true
				case <-time.After(200 * time.Millisecond):
				}
				_, aErr := a.Exec(ctx, `COMMIT`)
				if !bDone {
					bErr = <-done
				}
				t.Logf("b waited for a: %v; COMMIT of a: %v; insert of b: %v", !bDone, aErr, bErr)
				aWon := aErr == nil
				switch {
				case aWon && (pgCode(bErr) == "23505" || pgCode(bErr) == "40001"):
					checkRows(t, ctx, admin, `SELECT who FROM cc WHERE id = -1`, "a")
				case !aWon && bErr == nil && pgCode(aErr) == "40001":
					checkRows(t, ctx, admin, `SELECT who FROM cc WHERE id = -1`, "b")
				default:
					t.Fatalf("COMMIT of a: %v; insert of b: %v; want one winner and 23505 or 40001 for the other", aErr, bErr)
				}
			})

			t.Run("same key from many autocommit writers", func(t *testing.T) {
				const n = 6
				conns := make([]*pgx.Conn, n)
				for i := range conns {
					conns[i] = sqlConnect(t, ctx, tg.url)
				}
				var wg sync.WaitGroup
				start := make(chan struct{})
				errs := make([]error, n)
				for i := range conns {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						<-start
						_, errs[i] = conns[i].Exec(ctx, `INSERT INTO cc VALUES (-2, $1)`, fmt.Sprint("c", i))
					}(i)
				}
				close(start)
				wg.Wait()
				winners := 0
				for i, err := range errs {
					switch {
					case err == nil:
						winners++
					case pgCode(err) == "23505" || pgCode(err) == "40001":
					default:
						t.Errorf("writer %d: %v", i, err)
					}
				}
				if winners != 1 {
					t.Fatalf("%d writers succeeded inserting the same key: %v", winners, errs)
				}
				checkRows(t, ctx, admin, `SELECT count(*) FROM cc WHERE id = -2`, "1")
			})

			t.Run("increments lose no update", func(t *testing.T) {
				const writers, each = 3, 30
				var wg sync.WaitGroup
				var mu sync.Mutex
				var failures []error
				for w := 0; w < writers; w++ {
					c := sqlConnect(t, ctx, tg.url)
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := 0; i < each; i++ {
							for {
								_, err := c.Exec(ctx, `UPDATE counter SET n = n + 1 WHERE id = 1`)
								if pgCode(err) == "40001" || pgCode(err) == "40P01" {
									continue // a serialization failure is retried, as clients must
								}
								if err != nil {
									mu.Lock()
									failures = append(failures, err)
									mu.Unlock()
									return
								}
								break
							}
						}
					}()
				}
				wg.Wait()
				if len(failures) > 0 {
					t.Fatal(failures)
				}
				checkRows(t, ctx, admin, `SELECT n FROM counter`, fmt.Sprint(writers*each))
			})

			t.Run("client vanishes mid-transaction", func(t *testing.T) {
				u, err := url.Parse(tg.url)
				if err != nil {
					t.Fatal(err)
				}
				var before int
				if err := admin.QueryRow(ctx, `SELECT n FROM counter`).Scan(&before); err != nil {
					t.Fatal(err)
				}
				r := dialRaw(t, u.Host)
				r.startup(u.User.Username(), strings.TrimPrefix(u.Path, "/"))
				for _, q := range []string{`BEGIN`, `INSERT INTO cc VALUES (-3, 'vanished')`, `UPDATE counter SET n = -1`,
					`CREATE TABLE vanish (x int)`, `INSERT INTO vanish VALUES (1)`} {
					if ms, status := r.query(q); status != 'T' {
						t.Fatalf("%s: status %c: %#v", q, status, ms)
					}
				}
				r.nc.Close() // no Terminate, no ROLLBACK
				checkRows(t, ctx, admin, `SELECT count(*) FROM cc WHERE id = -3`, "0")
				checkError(t, ctx, admin, `SELECT * FROM vanish`, "42P01")
				// Whatever the vanished transaction held is released: the same key,
				// the same row and the same table name are free again.
				c := sqlConnect(t, ctx, tg.url)
				wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
				defer wcancel()
				for _, q := range []string{`INSERT INTO cc VALUES (-3, 'later')`, `UPDATE counter SET n = n + 1000`, `CREATE TABLE vanish (y text)`} {
					if _, err := c.Exec(wctx, q); err != nil {
						t.Fatalf("%s after the client vanished: %v", q, err)
					}
				}
				checkRows(t, ctx, admin, `SELECT who FROM cc WHERE id = -3`, "later")
				checkRows(t, ctx, admin, `SELECT n FROM counter`, fmt.Sprint(before+1000))
			})

			t.Run("client closes mid-transaction", func(t *testing.T) {
				c := sqlConnect(t, ctx, tg.url)
				mustExec(t, ctx, c, `BEGIN`, `INSERT INTO cc VALUES (-4, 'closed')`, `DROP TABLE vanish`)
				c.Close(ctx) // Terminate without COMMIT
				checkRows(t, ctx, admin, `SELECT count(*) FROM cc WHERE id = -4`, "0")
				wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
				defer wcancel()
				if _, err := admin.Exec(wctx, `INSERT INTO vanish VALUES ('still here')`); err != nil {
					t.Fatalf("the table dropped by the closed transaction: %v", err)
				}
			})
		})
	}
}

// TestSQLCoreProtocolDetails: command tags as pgconn reports them, prepared statements
// run many times with different parameters, pipelined batches, and NULL parameters.
func TestSQLCoreProtocolDetails(t *testing.T) {
	for _, tg := range sqlTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c := sqlConnect(t, ctx, tg.url)
			mustExec(t, ctx, c, `CREATE TABLE pd (id int PRIMARY KEY, v text, n int)`)
			defer c.Exec(context.Background(), `DROP TABLE IF EXISTS pd`)

			t.Run("command tags", func(t *testing.T) {
				for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
					mustExec(t, ctx, c, `DELETE FROM pd`)
					type check struct {
						sql  string
						args []any
						kind string
						n    int64
					}
					for _, ch := range []check{
						{`INSERT INTO pd VALUES ($1, 'a', 1), ($2, 'b', 2), ($3, 'c', 3)`, []any{1, 2, 3}, "INSERT", 3},
						{`INSERT INTO pd SELECT id + 10, v, n FROM pd WHERE n > $1`, []any{1}, "INSERT", 2},
						{`UPDATE pd SET n = n * 10 WHERE id > $1`, []any{2}, "UPDATE", 3},
						{`UPDATE pd SET n = 0 WHERE id = $1`, []any{99}, "UPDATE", 0},
						{`SELECT * FROM pd WHERE n >= $1`, []any{20}, "SELECT", 3},
						{`DELETE FROM pd WHERE id > $1`, []any{10}, "DELETE", 2},
						{`INSERT INTO pd VALUES ($1, 'x', 0) ON CONFLICT (id) DO NOTHING`, []any{1}, "INSERT", 0},
					} {
						tag, err := c.Exec(ctx, ch.sql, append([]any{mode}, ch.args...)...)
						if err != nil {
							t.Fatalf("%v %s: %v", mode, ch.sql, err)
						}
						kinds := map[string]bool{"INSERT": tag.Insert(), "UPDATE": tag.Update(), "DELETE": tag.Delete(), "SELECT": tag.Select()}
						for k, v := range kinds {
							if v != (k == ch.kind) {
								t.Errorf("%v %s: tag %q: %s() = %v", mode, ch.sql, tag, k, v)
							}
						}
						if tag.RowsAffected() != ch.n {
							t.Errorf("%v %s: tag %q, RowsAffected %d, want %d", mode, ch.sql, tag, tag.RowsAffected(), ch.n)
						}
						if ch.kind == "INSERT" && !strings.HasPrefix(tag.String(), "INSERT 0 ") {
							t.Errorf("%v %s: tag %q, want INSERT 0 n", mode, ch.sql, tag)
						}
					}
				}
			})

			t.Run("prepared statement reuse", func(t *testing.T) {
				mustExec(t, ctx, c, `DELETE FROM pd`)
				// pgx's default mode prepares each statement once and reuses it.
				for i := 0; i < 50; i++ {
					var v *string
					if i%3 != 0 {
						s := fmt.Sprint("v", i)
						v = &s
					}
					if _, err := c.Exec(ctx, `INSERT INTO pd (id, v, n) VALUES ($1, $2, $3)`, i, v, i*i); err != nil {
						t.Fatal(err)
					}
				}
				for _, i := range []int{0, 7, 49} {
					var v *string
					var n int
					if err := c.QueryRow(ctx, `SELECT v, n FROM pd WHERE id = $1`, i).Scan(&v, &n); err != nil {
						t.Fatal(err)
					}
					if (v == nil) != (i%3 == 0) || n != i*i || (v != nil && *v != fmt.Sprint("v", i)) {
						t.Fatalf("row %d: %v %d", i, v, n)
					}
				}
				var cnt int
				if err := c.QueryRow(ctx, `SELECT count(*) FROM pd WHERE v IS NULL AND n < $1`, 100).Scan(&cnt); err != nil || cnt != 4 {
					t.Fatalf("NULL parameters: count %d, %v", cnt, err)
				}
			})

			t.Run("pipelined batch", func(t *testing.T) {
				mustExec(t, ctx, c, `DELETE FROM pd`)
				b := &pgx.Batch{}
				for i := 0; i < 20; i++ {
					b.Queue(`INSERT INTO pd (id, v, n) VALUES ($1, $2, $3)`, i, "b", i)
				}
				b.Queue(`SELECT sum(n) FROM pd`)
				br := c.SendBatch(ctx, b)
				for i := 0; i < 20; i++ {
					if tag, err := br.Exec(); err != nil || tag.String() != "INSERT 0 1" {
						t.Fatalf("batch insert %d: %q %v", i, tag, err)
					}
				}
				var sum int
				if err := br.QueryRow().Scan(&sum); err != nil || sum != 190 {
					t.Fatalf("sum in batch: %d %v", sum, err)
				}
				if err := br.Close(); err != nil {
					t.Fatal(err)
				}
				// A failing statement in a batch (one implicit transaction up to its
				// Sync) undoes the batch's earlier statements.
				b = &pgx.Batch{}
				b.Queue(`INSERT INTO pd (id, v, n) VALUES (100, 'x', 0)`)
				b.Queue(`INSERT INTO pd (id, v, n) VALUES (1, 'dup', 0)`)
				err := c.SendBatch(ctx, b).Close()
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "23505" {
					t.Fatalf("batch with a duplicate: %v", err)
				}
				checkRows(t, ctx, c, `SELECT count(*) FROM pd WHERE id = 100`, "0")
			})

			t.Run("statement description", func(t *testing.T) {
				sd, err := c.Prepare(ctx, "pd_desc", `SELECT id, v, n * 2 AS twice FROM pd WHERE id = $1 AND v = $2`)
				if err != nil {
					t.Fatal(err)
				}
				if len(sd.ParamOIDs) != 2 || sd.ParamOIDs[0] != 23 || sd.ParamOIDs[1] != 25 {
					t.Errorf("parameter types %v, want [23 25]", sd.ParamOIDs)
				}
				var names []string
				for _, f := range sd.Fields {
					names = append(names, fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID))
				}
				if got := strings.Join(names, " "); got != "id:23 v:25 twice:23" {
					t.Errorf("fields %s", got)
				}
				if _, err := c.Prepare(ctx, "pd_bad", `SELECT nosuch FROM pd`); pgCode(err) != "42703" {
					t.Errorf("preparing a bad statement: %v", err)
				}
			})
		})
	}
}
