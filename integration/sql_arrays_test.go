package integration

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/lib/pq"
)

// TestSQLArrays drives array columns and parameters with real drivers: pgx
// sends Go slices as binary arrays and scans binary and text arrays back into
// slices; lib/pq sends pq.Array as text parameters; the simple protocol reads
// arrays as text.
func TestSQLArrays(t *testing.T) {
	s := startServer(t, serverOptions{config: trustConfig})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := connect(t, ctx, s.url("augur", "disable"))

	mustExec := func(sql string, args ...any) {
		t.Helper()
		if _, err := c.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	mustExec(`CREATE TABLE arr (id int8 PRIMARY KEY, tags text[], nums int4[], big int8[], grid int[][])`)
	// Go slices as binary parameters (pgx's default extended protocol).
	mustExec(`INSERT INTO arr VALUES ($1, $2, $3, $4, $5)`, int64(1), []string{"a", "b c", `q"uote`}, []int32{1, 2, 3}, []int64{1 << 40}, [][]int32{{1, 2}, {3, 4}})
	mustExec(`INSERT INTO arr VALUES ($1, $2, $3, $4, NULL)`, int64(2), []string{}, []int32{7}, nil)
	mustExec(`INSERT INTO arr VALUES (3, '{x,NULL}', '{NULL,5}', NULL, NULL)`)

	t.Run("RowDescription has the array OIDs", func(t *testing.T) {
		rows, err := c.Query(ctx, `SELECT tags, nums, big, grid FROM arr WHERE id = 1`)
		if err != nil {
			t.Fatal(err)
		}
		var oids []uint32
		for _, f := range rows.FieldDescriptions() {
			oids = append(oids, f.DataTypeOID)
		}
		rows.Close()
		if want := []uint32{1009, 1007, 1016, 1007}; !slices.Equal(oids, want) {
			t.Fatalf("OIDs %v, want %v", oids, want)
		}
	})

	t.Run("pgx binary results into slices", func(t *testing.T) {
		var tags []string
		var nums []int32
		var big []int64
		var grid [][]int32
		err := c.QueryRow(ctx, `SELECT tags, nums, big, grid FROM arr WHERE id = 1`).Scan(&tags, &nums, &big, &grid)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tags, []string{"a", "b c", `q"uote`}) || !slices.Equal(nums, []int32{1, 2, 3}) ||
			!slices.Equal(big, []int64{1 << 40}) || len(grid) != 2 || !slices.Equal(grid[1], []int32{3, 4}) {
			t.Fatalf("got %q %v %v %v", tags, nums, big, grid)
		}
		var withNull []*int32
		if err := c.QueryRow(ctx, `SELECT nums FROM arr WHERE id = 3`).Scan(&withNull); err != nil {
			t.Fatal(err)
		}
		if len(withNull) != 2 || withNull[0] != nil || *withNull[1] != 5 {
			t.Fatalf("NULL element: %v", withNull)
		}
		var empty []string
		var none []int64
		if err := c.QueryRow(ctx, `SELECT tags, big FROM arr WHERE id = 2`).Scan(&empty, &none); err != nil {
			t.Fatal(err)
		}
		if empty == nil || len(empty) != 0 || none != nil {
			t.Fatalf("empty %#v, NULL %#v", empty, none)
		}
	})

	t.Run("pgx text results into slices", func(t *testing.T) {
		var tags []string
		var nums []int32
		err := c.QueryRow(ctx, `SELECT tags, nums FROM arr WHERE id = 1`, pgx.QueryResultFormats{pgx.TextFormatCode}).Scan(&tags, &nums)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tags, []string{"a", "b c", `q"uote`}) || !slices.Equal(nums, []int32{1, 2, 3}) {
			t.Fatalf("got %q %v", tags, nums)
		}
		var lb pgtype.Array[int32]
		if err := c.QueryRow(ctx, `SELECT '[0:1]={8,9}'::int[]`, pgx.QueryResultFormats{pgx.TextFormatCode}).Scan(&lb); err != nil {
			t.Fatal(err)
		}
		if len(lb.Dims) != 1 || lb.Dims[0].LowerBound != 0 || !slices.Equal(lb.Elements, []int32{8, 9}) {
			t.Fatalf("lower bound: %+v", lb)
		}
	})

	ids := func(rows pgx.Rows, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("= ANY($1) with a Go slice", func(t *testing.T) {
		if got := ids(c.Query(ctx, `SELECT id FROM arr WHERE id = ANY($1) ORDER BY id`, []int64{1, 3, 9})); !slices.Equal(got, []int64{1, 3}) {
			t.Fatalf("binary: %v", got)
		}
		if got := ids(c.Query(ctx, `SELECT id FROM arr WHERE id <> ALL($1) ORDER BY id`, []int64{1})); !slices.Equal(got, []int64{2, 3}) {
			t.Fatalf("<> ALL: %v", got)
		}
		if got := ids(c.Query(ctx, `SELECT id FROM arr WHERE tags && $1 ORDER BY id`, []string{"x", "a"})); !slices.Equal(got, []int64{1, 3}) {
			t.Fatalf("&&: %v", got)
		}
		if got := ids(c.Query(ctx, `SELECT id FROM arr WHERE id = ANY($1) ORDER BY id`, pgx.QueryExecModeSimpleProtocol, []int64{2, 3})); !slices.Equal(got, []int64{2, 3}) {
			t.Fatalf("simple protocol: %v", got)
		}
		if got := ids(c.Query(ctx, `SELECT id FROM arr WHERE nums @> $1::int[] ORDER BY id`, pgx.QueryExecModeSimpleProtocol, []int32{2, 1})); !slices.Equal(got, []int64{1}) {
			t.Fatalf("simple protocol @>: %v", got)
		}
		sd, err := c.Prepare(ctx, "anyparam", `SELECT id FROM arr WHERE id = ANY($1)`)
		if err != nil {
			t.Fatal(err)
		}
		if len(sd.ParamOIDs) != 1 || sd.ParamOIDs[0] != 1016 {
			t.Fatalf("$1 is described as %v, want int8[] (1016)", sd.ParamOIDs)
		}
	})

	t.Run("lib/pq text arrays", func(t *testing.T) {
		db, err := sql.Open("postgres", s.dsn("sslmode=disable"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.QueryContext(ctx, `SELECT id, tags FROM arr WHERE id = ANY($1) ORDER BY id`, pq.Array([]int64{1, 3}))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got [][]string
		for rows.Next() {
			var id int64
			var tags []sql.NullString
			if err := rows.Scan(&id, pq.Array(&tags)); err != nil {
				t.Fatal(err)
			}
			var ts []string
			for _, s := range tags {
				if s.Valid {
					ts = append(ts, s.String)
				} else {
					ts = append(ts, "NULL")
				}
			}
			got = append(got, ts)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !slices.Equal(got[0], []string{"a", "b c", `q"uote`}) || !slices.Equal(got[1], []string{"x", "NULL"}) {
			t.Fatalf("got %q", got)
		}
		if _, err := db.ExecContext(ctx, `UPDATE arr SET big = $1 WHERE id = 2`, pq.Array([]int64{5, 6})); err != nil {
			t.Fatal(err)
		}
		var big []int64
		if err := db.QueryRowContext(ctx, `SELECT big FROM arr WHERE id = 2`).Scan(pq.Array(&big)); err != nil || !slices.Equal(big, []int64{5, 6}) {
			t.Fatalf("big %v %v", big, err)
		}
	})

	t.Run("bad array parameters and literals", func(t *testing.T) {
		// A binary int4[] parameter whose elements claim to be int8: 42804.
		raw := []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1}
		res := c.PgConn().ExecParams(ctx, `SELECT $1::int[]`, [][]byte{raw}, []uint32{1007}, []int16{1}, nil).Read()
		if pgCode(res.Err) != "42804" {
			t.Fatalf("element type mismatch: %v", res.Err)
		}
		// Truncated: 08P01 as PostgreSQL reports a value shorter than its type.
		res = c.PgConn().ExecParams(ctx, `SELECT $1::int[]`, [][]byte{raw[:10]}, []uint32{1007}, []int16{1}, nil).Read()
		if res.Err == nil {
			t.Fatal("truncated binary array accepted")
		}
		// The same value sent correctly, as int4 elements, in binary.
		good := []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 9}
		res = c.PgConn().ExecParams(ctx, `SELECT $1::int[]`, [][]byte{good}, []uint32{1007}, []int16{1}, []int16{0}).Read()
		if res.Err != nil || len(res.Rows) != 1 || string(res.Rows[0][0]) != "{9}" {
			t.Fatalf("binary int4[] parameter: %v %q", res.Err, res.Rows)
		}
		if _, err := c.Exec(ctx, `SELECT '{1,2'::int[]`); pgCode(err) != "22P02" {
			t.Fatalf("malformed literal: %v", err)
		}
		if _, err := c.Exec(ctx, `SELECT $1::int[]`, "{1,x}"); pgCode(err) != "22P02" {
			t.Fatalf("malformed text parameter: %v", err)
		}
	})
}
