package planner

import (
	"strings"
	"testing"

	"github.com/augurdb/augur/planner/exec"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
)

// TestSelectCandidate checks the candidate selection against the examples of
// PostgreSQL's documentation (typeconv.sgml) and answers of PostgreSQL 15.
func TestSelectCandidate(t *testing.T) {
	I2, I4, I8, F4, F8, N := types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric
	T, V, B, U := types.Text, types.Varchar, types.Bpchar, types.Unknown
	D, TM, TS, TZ, IV := types.DateT, types.TimeT, types.TimestampT, types.TimestampTZT, types.IntervalT
	sig := func(ts ...types.T) []types.T { return ts }
	tests := []struct {
		name      string
		in        []types.T
		cands     [][]types.T
		oper      bool
		want      int // -1: none
		ambiguous bool
	}{
		// round(4, 4): the only two-argument round is round(numeric, int4).
		{"round(int4,int4)", sig(I4, I4), [][]types.T{sig(F8), sig(N), sig(N, I4)}, false, 2, false},
		// ceil(1): integers prefer float8, the numeric category's preferred type.
		{"ceil(int4)", sig(I4), [][]types.T{sig(F8), sig(N)}, false, 0, false},
		{"ceil(numeric)", sig(N), [][]types.T{sig(F8), sig(N)}, false, 1, false},
		// abs('-4.5'): an unknown goes to the preferred type of the one category.
		{"abs(unknown)", sig(U), [][]types.T{sig(I2), sig(I4), sig(I8), sig(F4), sig(F8), sig(N)}, false, 4, false},
		// substr('1234', 3): an unknown prefers the string category.
		{"substr(unknown,int4)", sig(U, I4), [][]types.T{sig(types.Bytea, I4), sig(T, I4)}, false, 1, false},
		{"substr(varchar,int4)", sig(V, I4), [][]types.T{sig(types.Bytea, I4), sig(T, I4)}, false, 1, false},
		// substring('abc' FROM 'b.'): text beats int4 for the unknown pattern.
		{"substring(unknown,unknown)", sig(U, U), [][]types.T{sig(T, I4), sig(T, T)}, false, 1, false},
		// date_part('month', '2024-03-01') is not unique: datetime or timespan.
		{"date_part(unknown,unknown)", sig(U, U), [][]types.T{sig(T, D), sig(T, TS), sig(T, TZ), sig(T, IV)}, false, -1, true},
		// date($1) picks timestamptz, the datetime category's preferred type.
		{"date(unknown)", sig(U), [][]types.T{sig(TS), sig(TZ)}, false, 1, false},
		{"length(bpchar)", sig(B), [][]types.T{sig(T), sig(B)}, false, 1, false},
		{"upper(int4)", sig(I4), [][]types.T{sig(T)}, false, -1, false},
		// Operators: an unknown operand first takes the other's type.
		{"date = unknown", sig(D, U), [][]types.T{sig(D, D), sig(D, TS), sig(T, T)}, true, 0, false},
		{"timestamp - unknown", sig(TS, U), [][]types.T{sig(TS, IV), sig(TS, TS), sig(D, D)}, true, 1, false},
		// date + unknown: int4, interval and time all fit.
		{"date + unknown", sig(D, U), [][]types.T{sig(D, I4), sig(D, IV), sig(D, TM), sig(TS, IV), sig(TZ, IV)}, true, -1, true},
		// time + unknown: taking the unknown as time leaves time + interval.
		{"time + unknown", sig(TM, U), [][]types.T{sig(TM, IV), sig(TM, D), sig(IV, IV)}, true, 0, false},
		{"interval * int4", sig(IV, I4), [][]types.T{sig(IV, F8), sig(F8, IV)}, true, 0, false},
		{"int4 + interval", sig(I4, IV), [][]types.T{sig(IV, F8), sig(D, I4), sig(IV, IV)}, true, -1, false},
		// float4 + numeric computes in float8 (float48pl), not float4.
		{"float4 + numeric", sig(F4, N), [][]types.T{sig(F4, F4), sig(F4, F8), sig(F8, F4), sig(F8, F8), sig(N, N)}, true, 1, false},
		// varchar = bpchar compares as bpchar.
		{"varchar = bpchar", sig(V, B), [][]types.T{sig(T, T), sig(B, B), sig(types.Name, types.Name)}, true, 1, false},
		// unknown || unknown is text || text, not text || anynonarray.
		{"unknown || unknown", sig(U, U), [][]types.T{sig(T, T), sig(T, anyType), sig(anyType, T), sig(types.Bytea, types.Bytea)}, true, 0, false},
		{"int4 || unknown", sig(I4, U), [][]types.T{sig(T, T), sig(T, anyType), sig(anyType, T)}, true, 2, false},
	}
	for _, tt := range tests {
		got, amb := resolve(tt.in, tt.cands, tt.oper)
		if got != tt.want || amb != tt.ambiguous {
			t.Errorf("%s: got %d (ambiguous %v), want %d (ambiguous %v)", tt.name, got, amb, tt.want, tt.ambiguous)
		}
	}
}

func TestCommonType(t *testing.T) {
	b := &binder{}
	c := func(ts ...types.T) []exec.Expr {
		var out []exec.Expr
		for _, t := range ts {
			out = append(out, &exec.Const{T: t, Typmod: -1})
		}
		return out
	}
	tests := []struct {
		in   []exec.Expr
		want string // type name, or the error message
	}{
		{c(types.DateT, types.TimestampT), "timestamp"},
		{c(types.TimestampT, types.DateT), "timestamp"},
		{c(types.TimestampT, types.TimestampTZT), "timestamptz"},
		{c(types.Unknown, types.DateT, types.Unknown), "date"},
		{c(types.Unknown, types.Unknown), "text"},
		{c(types.Int4, types.Numeric, types.Float4), "float4"},
		{c(types.Float8, types.Numeric), "float8"},
		// PostgreSQL keeps varchar: text converts to it implicitly too.
		{c(types.Varchar, types.Text), "varchar"},
		{c(types.Text, types.Varchar), "text"},
		{c(types.Bpchar, types.Varchar), "bpchar"},
		{c(types.Name, types.Text), "name"},
		{c(types.DateT, types.TimeT), "date"}, // unify then fails: time does not convert to date
		{c(types.IntervalT, types.TimeT), "CASE types interval and time without time zone cannot be matched"},
		{c(types.Int4, types.Text), "CASE types integer and text cannot be matched"},
		{c(types.JSON, types.JSONB), "json"}, // unify then fails: jsonb does not convert to json implicitly
	}
	for _, tt := range tests {
		got, err := b.commonType(tt.in, "CASE")
		s := got.Name()
		if err != nil {
			s = pgerr.From(err).Message
		}
		if s != tt.want {
			var in []string
			for _, e := range tt.in {
				in = append(in, e.Type().Name())
			}
			t.Errorf("commonType(%s) = %s, want %s", strings.Join(in, ", "), s, tt.want)
		}
	}
}

// TestOperatorsBuild checks that every operator the binder can choose is one the
// executor builds, but for those Augur does not implement yet.
func TestOperatorsBuild(t *testing.T) {
	unsupported := map[string]bool{}
	for op, cands := range operators {
		for _, c := range cands {
			name := c.l.SQLName() + " " + op + " " + c.r.SQLName()
			l := exec.Expr(&exec.Const{T: c.l, Typmod: -1})
			r := exec.Expr(&exec.Const{T: c.r, Typmod: -1})
			var ok bool
			switch {
			case c.fn != "":
				_, ok = exec.Builtins[c.fn]
			case c.calc != types.Invalid:
				_, ok = exec.NewBinOp(op, c.calc, &exec.Const{T: c.calc, Typmod: -1}, &exec.Const{T: c.calc, Typmod: -1})
			case c.l == anyType || c.r == anyType:
				ok = op == "||"
			default:
				_, ok = exec.NewMixedOp(op, l, r)
			}
			if ok == unsupported[name] {
				t.Errorf("operator %s: builds %v", name, ok)
			}
		}
	}
}

// TestResultColumns checks result column names and types against PostgreSQL 15's
// \gdesc of the same query.
func TestResultColumns(t *testing.T) {
	p := New()
	stmts, err := p.Parse(`SELECT now(), current_date, current_timestamp(2), localtime, localtimestamp(7),
		extract(year from now()), trim(' a '), trim(leading 'x' from 'y'), position('a' in 'b'),
		substring('a' from 1), substring('abc', 1), overlay('a' placing 'b' from 1), date('2024-01-01'),
		CASE WHEN true THEN now() ELSE d END, CASE WHEN true THEN 1 END, '1 day'::interval, d::timestamptz,
		d + 1, coalesce(d, now()), nullif(d, d), greatest(d), concat(d), user, current_catalog, j -> 'a', j ->> 0
		FROM (SELECT date '2024-01-01' AS d, '{}'::jsonb AS j) s`)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Prepare(nil, stmts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"now timestamp with time zone", "current_date date", "current_timestamp timestamp(2) with time zone",
		"localtime time without time zone", "localtimestamp timestamp(6) without time zone", "extract numeric",
		"btrim text", "ltrim text", "position integer", "substring text", "substring text", "overlay text", "date date",
		"d timestamp with time zone", "case integer", "interval interval", "d timestamp with time zone", "?column? date",
		"coalesce timestamp with time zone", "nullif date", "greatest date", "concat text", "user name",
		"current_catalog name", "?column? jsonb", "?column? text",
	}
	if len(pl.Columns) != len(want) {
		t.Fatalf("%d columns, want %d", len(pl.Columns), len(want))
	}
	for i, c := range pl.Columns {
		if got := c.Name + " " + types.FormatType(c.Type, c.Typmod); got != want[i] {
			t.Errorf("column %d: %s, want %s", i+1, got, want[i])
		}
	}
}

// TestParamTypesFromContext checks the types parameters take from operators and
// functions, as PostgreSQL 15's pg_prepared_statements shows them.
func TestParamTypesFromContext(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"SELECT now() - $1", "timestamptz"},
		{"SELECT $1::date + 1", "date"},
		{"SELECT d > $1 FROM (SELECT date '2024-01-01' AS d) s", "date"},
		{"SELECT $1 || 'a'", "text"},
		{"SELECT jsonb_typeof($1)", "jsonb"},
		{"SELECT interval '1 day' * $1", "float8"},
		{"SELECT j -> $1 FROM (SELECT '{}'::json AS j) s", "text"},
		{"SELECT round($1)", "float8"},
		{"SELECT substring($1 FROM 2)", "text"},
		{"SELECT position($1 IN 'abc')", "text"},
		{"SELECT coalesce($1, now())", "timestamptz"},
		{"SELECT date($1)", "timestamptz"},
		{"SELECT $1 + date '2024-01-01'", "error 42725: operator is not unique: unknown + date"},
		{"SELECT extract(epoch FROM $1)", "error 42725: function pg_catalog.extract(unknown, unknown) is not unique"},
	}
	p := New()
	for _, tt := range tests {
		stmts, err := p.Parse(tt.sql)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		pl, err := p.Prepare(nil, stmts[0], nil)
		if err != nil {
			pe := pgerr.From(err)
			got = "error " + pe.Code + ": " + pe.Message
		} else {
			got = pl.Params[0].Name()
		}
		if got != tt.want {
			t.Errorf("%s: $1 is %s, want %s", tt.sql, got, tt.want)
		}
	}
}

// TestVariadicArguments checks that VARIADIC "any" arguments reach the function as
// their text output and that PostgreSQL's minimum of one is kept.
func TestVariadicArguments(t *testing.T) {
	b := &binder{}
	args := []exec.Expr{
		&exec.Const{T: types.Bool, Val: true, Typmod: -1},
		&exec.Const{T: types.Unknown, Typmod: -1},
		&exec.Const{T: types.DateT, Val: types.Date(0), Typmod: -1},
		&exec.Const{T: types.Unknown, Val: "x", Typmod: -1},
	}
	e, err := b.builtin("concat", args)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Eval(&exec.Ctx{})
	if err != nil || v != "t2000-01-01x" {
		t.Fatalf("concat = %v, %v", v, err)
	}
	for _, f := range []string{"concat", "concat_ws"} {
		var args []exec.Expr
		if f == "concat_ws" {
			args = append(args, &exec.Const{T: types.Text, Val: ",", Typmod: -1})
		}
		if _, err := b.builtin(f, args); pgerr.Code(err) != "42883" {
			t.Errorf("%s without variadic arguments: %v, want 42883", f, err)
		}
	}
}
