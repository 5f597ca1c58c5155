package planner

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// FuzzPlanner feeds arbitrary text through Parse, Prepare and Execute: nothing may
// panic, and every error a client could see must carry a SQLSTATE other than
// internal_error.
func FuzzPlanner(f *testing.F) {
	for _, s := range []string{
		"SELECT $1::int + 1", "SELECT 'a' || 'b'", "SELECT 1/0", "SELECT CASE WHEN $1 THEN 1.5 ELSE 2 END",
		"SHOW ALL", "SET search_path TO a, b", "SELECT coalesce($1, $2::int8)", "SELECT -(-2147483648)",
		"SELECT 2 ^ $1, abs($2), length($3)", "SELECT 1 IN (1, $1) AND $2 IS NULL", "SELECT pg_typeof($1)",
		"SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(a, b)", "SELECT generate_series(1, $1::int), 2",
		"VALUES (1, 2) ORDER BY 1 FETCH FIRST 1 ROW WITH TIES", "SELECT DISTINCT ON (1) 1 OFFSET 0 ROWS",
		"WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t",
		"SELECT * FROM (VALUES (1)) v(a), LATERAL (SELECT v.a) s", "SELECT * FROM ROWS FROM (generate_series(1, 2), generate_series(1, 3))",
	} {
		f.Add(s)
	}
	env := newTestEnv(f)
	f.Fuzz(func(t *testing.T, sql string) {
		p := New()
		check := func(err error) {
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code == pgerrcode.InternalError {
				t.Fatalf("%q: error without a proper SQLSTATE: %v", sql, err)
			}
		}
		stmts, err := p.Parse(sql)
		if err != nil {
			check(err)
			return
		}
		for _, st := range stmts {
			if st.Kind == KindSet || st.Kind == KindReset {
				continue // keep the shared session's settings stable
			}
			pl, err := p.Prepare(nil, st, nil)
			if err != nil {
				check(err)
				continue
			}
			params := make([]types.Datum, len(pl.Params))
			for i, pt := range pl.Params {
				if d, err := types.DecodeText(pt, []byte("1")); err == nil {
					params[i] = d
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			rows, err := pl.Execute(ctx, env, params)
			if err != nil {
				cancel()
				check(err)
				continue
			}
			for {
				_, err := rows.Next(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					check(err)
					break
				}
			}
			rows.Close()
			cancel()
		}
	})
}
