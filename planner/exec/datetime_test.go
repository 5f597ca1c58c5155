package exec

import (
	"testing"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
)

func lit(t *testing.T, typ types.T, s string) Expr {
	t.Helper()
	d, err := types.DecodeText(typ, []byte(s))
	if err != nil {
		t.Fatalf("%s %q: %v", typ, s, err)
	}
	return &Const{T: typ, Val: d, Typmod: -1}
}

// Expected results were taken from PostgreSQL 15 with TimeZone UTC.
func TestMixedOps(t *testing.T) {
	D, TM, TS, TZ, I, F := types.DateT, types.TimeT, types.TimestampT, types.TimestampTZT, types.IntervalT, types.Float8
	cases := []struct {
		op         string
		lt         types.T
		l          string
		rt         types.T
		r          string
		want, code string
		wantType   types.T
	}{
		{"+", D, "2024-01-31", types.Int4, "30", "2024-03-01", "", D},
		{"+", types.Int4, "1", D, "2024-02-28", "2024-02-29", "", D},
		{"-", D, "2024-03-01", D, "2024-01-01", "60", "", types.Int4},
		{"-", D, "infinity", D, "2024-01-01", "", "22008", types.Int4},
		{"+", D, "infinity", types.Int4, "1", "infinity", "", D},
		{"+", D, "5874897-12-31", types.Int4, "1", "", "22008", D},
		{"+", D, "2024-01-31", I, "1 month", "2024-02-29 00:00:00", "", TS},
		{"-", D, "2024-03-31", I, "1 month 1 day 01:00", "2024-02-27 23:00:00", "", TS},
		{"+", D, "2024-01-31", TM, "12:34:56.5", "2024-01-31 12:34:56.5", "", TS},
		{"+", TS, "2024-02-29 10:00", I, "1 year", "2025-02-28 10:00:00", "", TS},
		{"-", TS, "2024-03-31 10:00", I, "1 mon 2 days 3 hours", "2024-02-27 07:00:00", "", TS},
		{"+", TZ, "2024-01-31 10:00", I, "-1 month -1 day", "2023-12-30 10:00:00+00", "", TZ},
		{"+", TS, "294276-12-31", I, "1 day", "", "22008", TS},
		{"+", TS, "infinity", I, "1 day", "infinity", "", TS},
		{"-", TS, "2024-03-01", TS, "2024-01-01 12:00", "59 days 12:00:00", "", I},
		{"-", TS, "2024-01-01", TS, "2024-03-01 12:00:00.5", "-60 days -12:00:00.5", "", I},
		{"-", TS, "infinity", TS, "2024-01-01", "", "22008", I},
		{"+", I, "1 day 02:00", I, "1 mon -03:00", "1 mon 1 day -01:00:00", "", I},
		{"*", I, "1 day 2 hours", F, "2.5", "2 days 17:00:00", "", I},
		{"*", F, "0.5", I, "1 mon 1 day", "15 days 12:00:00", "", I},
		{"*", I, "1 mon", types.Numeric, "1.5", "1 mon 15 days", "", I},
		{"/", I, "1 mon", F, "7", "4 days 06:51:25.6896", "", I},
		{"/", I, "1 day", F, "0", "", "22012", I},
		{"*", I, "178956970 years", F, "2", "", "22008", I},
		{"+", TM, "23:00", I, "2 hours 1 day", "01:00:00", "", TM},
		{"-", TM, "01:00", TM, "03:30:00.5", "-02:30:00.5", "", I},
		{"=", D, "2024-01-01", TS, "2024-01-01 00:00", "t", "", types.Bool},
		{"<", D, "2024-01-01", TS, "2024-01-01 00:00:01", "t", "", types.Bool},
		{">", TZ, "2024-01-01 00:00:01", D, "2024-01-01", "t", "", types.Bool},
		{"<", D, "infinity", TS, "infinity", "f", "", types.Bool},
		{"<>", I, "1 mon", I, "30 days", "f", "", types.Bool},
		{"->", types.JSON, `{"a":[1,{"b":2}]}`, types.Text, "a", `[1,{"b":2}]`, "", types.JSON},
		{"->>", types.JSON, `{"a":"x\ty"}`, types.Text, "a", "x\ty", "", types.Text},
		{"->", types.JSONB, `{"a":[1,{"b":2}]}`, types.Text, "a", `[1, {"b": 2}]`, "", types.JSONB},
		{"->", types.JSONB, `[1,2,3]`, types.Int4, "-1", "3", "", types.JSONB},
		{"->>", types.JSONB, `[1,"two",3]`, types.Int4, "1", "two", "", types.Text},
		{"->", types.JSON, `{"a":1,"a":2}`, types.Text, "a", "2", "", types.JSON},
		{"->", types.JSON, `  [ 1 , {"x" : true} ]`, types.Int4, "1", `{"x" : true}`, "", types.JSON},
	}
	for _, c := range cases {
		e, ok := NewMixedOp(c.op, lit(t, c.lt, c.l), lit(t, c.rt, c.r))
		if !ok {
			t.Errorf("no operator %s %s %s", c.lt, c.op, c.rt)
			continue
		}
		if e.Type() != c.wantType {
			t.Errorf("%s %s %s: type %s, want %s", c.lt, c.op, c.rt, e.Type(), c.wantType)
		}
		v, err := e.Eval(&Ctx{})
		if c.code != "" {
			if pgerr.Code(err) != c.code {
				t.Errorf("%q %s %q: %v, want %s", c.l, c.op, c.r, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q %s %q: %v", c.l, c.op, c.r, err)
			continue
		}
		if got := string(types.EncodeText(e.Type(), v)); got != c.want {
			t.Errorf("%q %s %q = %q, want %q", c.l, c.op, c.r, got, c.want)
		}
	}
	// NULL in, NULL out; JSON without the key gives NULL.
	for _, e := range []Expr{
		must(NewMixedOp("+", &Const{T: D, Typmod: -1}, lit(t, types.Int4, "1"))),
		must(NewMixedOp("->>", lit(t, types.JSONB, `{"a":null}`), lit(t, types.Text, "a"))),
		must(NewMixedOp("->", lit(t, types.JSON, `[1]`), lit(t, types.Int4, "5"))),
	} {
		if v, err := e.Eval(&Ctx{}); v != nil || err != nil {
			t.Errorf("got %v, %v; want NULL", v, err)
		}
	}
	for _, no := range [][3]any{{"+", TS, TS}, {"-", types.Int4, D}, {"*", I, I}, {"->", types.Text, types.Text}, {"=", types.JSON, types.JSON}, {"<", D, TM}} {
		l := &Const{T: no[1].(types.T), Typmod: -1}
		r := &Const{T: no[2].(types.T), Typmod: -1}
		if _, ok := NewMixedOp(no[0].(string), l, r); ok {
			t.Errorf("operator %s %s %s should not exist", no[1], no[0], no[2])
		}
	}
}

func must(e Expr, ok bool) Expr {
	if !ok {
		panic("no operator")
	}
	return e
}

func TestDatetimeBuiltins(t *testing.T) {
	call := func(name string, args ...Expr) (types.Datum, types.T, error) {
		for _, b := range Builtins[name] {
			if len(b.Args) != len(args) {
				continue
			}
			match := true
			for i := range args {
				match = match && args[i].Type() == b.Args[i]
			}
			if match {
				f := &Func{Name: name, T: b.Result, Args: args, Strict: b.Strict, Fn: b.Fn}
				v, err := f.Eval(&Ctx{})
				return v, b.Result, err
			}
		}
		t.Fatalf("no overload of %s", name)
		return nil, types.Invalid, nil
	}
	txt := func(s string) Expr { return lit(t, types.Text, s) }
	cases := []struct {
		name string
		args []Expr
		want string
		code string
	}{
		{"date_part", []Expr{txt("second"), lit(t, types.TimestampT, "2024-01-02 03:04:05.12")}, "5.12", ""},
		{"date_part", []Expr{txt("julian"), lit(t, types.TimestampT, "2024-01-02 12:00")}, "2460312.5", ""},
		{"date_part", []Expr{txt("hour"), lit(t, types.DateT, "2024-01-07")}, "0", ""},
		{"date_part", []Expr{txt("foo"), lit(t, types.TimestampT, "2024-01-07")}, "", "22023"},
		{"extract", []Expr{txt("epoch"), lit(t, types.TimestampT, "2024-01-02 03:04:05.12")}, "1704164645.120000", ""},
		{"extract", []Expr{txt("epoch"), lit(t, types.IntervalT, "1 year 1 mon 1 day 1.5 sec")}, "34236001.500000", ""},
		{"extract", []Expr{txt("hour"), lit(t, types.DateT, "2024-01-02")}, "", "0A000"},
		{"extract", []Expr{txt("millisecond"), lit(t, types.TimestampTZT, "2024-01-02 03:04:05.123456")}, "5123.456", ""},
		{"date_trunc", []Expr{txt("week"), lit(t, types.TimestampT, "2024-01-07 13:00")}, "2024-01-01 00:00:00", ""},
		{"date_trunc", []Expr{txt("quarter"), lit(t, types.TimestampTZT, "2024-05-07 13:00")}, "2024-04-01 00:00:00+00", ""},
		{"date_trunc", []Expr{txt("century"), lit(t, types.TimestampT, "0050-01-07 BC")}, "0100-01-01 00:00:00 BC", ""},
		{"date_trunc", []Expr{txt("hour"), lit(t, types.IntervalT, "1 year 5 mons 3 days 04:05:06")}, "1 year 5 mons 3 days 04:00:00", ""},
		{"date_trunc", []Expr{txt("week"), lit(t, types.IntervalT, "1 day")}, "", "0A000"},
		{"age", []Expr{lit(t, types.TimestampT, "2001-04-10"), lit(t, types.TimestampT, "1957-06-13")}, "43 years 9 mons 27 days", ""},
		{"age", []Expr{lit(t, types.TimestampT, "2023-12-31"), lit(t, types.TimestampT, "2024-03-01 12:00")}, "-2 mons -1 days -12:00:00", ""},
		{"to_char", []Expr{lit(t, types.TimestampT, "2024-01-02 13:04:05.123456"), txt("YYYY-MM-DD HH24:MI:SS.MS Day Mon FMMonth HH12 AM")}, "2024-01-02 13:04:05.123 Tuesday   Jan January 01 PM", ""},
		{"to_char", []Expr{lit(t, types.Numeric, "-123.45"), txt("999.99")}, "-123.45", ""},
		{"to_char", []Expr{lit(t, types.Int4, "1234"), txt("9,999")}, " 1,234", ""},
		{"to_char", []Expr{lit(t, types.Numeric, "0.5"), txt("9.99")}, "  .50", ""},
		{"to_char", []Expr{lit(t, types.Int4, "12345"), txt("999")}, " ###", ""},
		{"to_char", []Expr{lit(t, types.Numeric, "1234567.891"), txt("FM9,999,999.00")}, "1,234,567.89", ""},
		{"to_date", []Expr{txt("05 Jan 2024"), txt("DD Mon YYYY")}, "2024-01-05", ""},
		{"to_timestamp", []Expr{txt("20240105"), txt("YYYYMMDD")}, "2024-01-05 00:00:00+00", ""},
		{"to_timestamp", []Expr{lit(t, types.Float8, "1704164645.5")}, "2024-01-02 03:04:05.5+00", ""},
		{"make_date", []Expr{lit(t, types.Int4, "-44"), lit(t, types.Int4, "3"), lit(t, types.Int4, "15")}, "0044-03-15 BC", ""},
		{"make_date", []Expr{lit(t, types.Int4, "2023"), lit(t, types.Int4, "2"), lit(t, types.Int4, "29")}, "", "22008"},
		{"justify_hours", []Expr{lit(t, types.IntervalT, "1 day -27 hours")}, "-03:00:00", ""},
		{"justify_days", []Expr{lit(t, types.IntervalT, "-35 days")}, "-1 mons -5 days", ""},
		{"justify_interval", []Expr{lit(t, types.IntervalT, "1 mon -1 hour")}, "29 days 23:00:00", ""},
		{"isfinite", []Expr{lit(t, types.DateT, "infinity")}, "f", ""},
		{"date", []Expr{lit(t, types.TimestampT, "2024-01-01 23:59")}, "2024-01-01", ""},
		{"jsonb_typeof", []Expr{lit(t, types.JSONB, `"x"`)}, "string", ""},
	}
	for _, c := range cases {
		v, rt, err := call(c.name, c.args...)
		if c.code != "" {
			if pgerr.Code(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s(%v): %v", c.name, c.args, err)
			continue
		}
		if got := string(types.EncodeText(rt, v)); got != c.want {
			t.Errorf("%s = %q, want %q", c.name, got, c.want)
		}
	}
	if v, _, err := call("gen_random_uuid"); err != nil || v.(types.UUID)[6]>>4 != 4 {
		t.Errorf("gen_random_uuid = %v, %v", v, err)
	}
	if v, _, err := call("now"); err != nil || v == nil {
		t.Errorf("now() = %v, %v", v, err)
	}
}
