package exec

import (
	"math"
	"strconv"

	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
)

// NewMixedOp builds the operators whose operands have different types, or whose
// result type differs from theirs, that PostgreSQL defines for the datetime and json
// types:
//
//	date ± int4 → date, int4 + date → date, date - date → int4
//	date ± interval → timestamp, date + time → timestamp
//	timestamp[tz] ± interval → timestamp[tz], timestamp[tz] - timestamp[tz] → interval
//	interval ± interval, interval * float8, float8 * interval, interval / float8 → interval
//	time ± interval → time, time - time → interval
//	json -> text|int4 → json (jsonb likewise), json ->> text|int4 → text
//	=, <>, <, <=, >, >= between date, timestamp and timestamptz (the narrower
//	operand is promoted), and between two values of any one ordered type
//
// Operands are as bound, with their own types; the numeric factor of interval
// multiplication may be any numeric type. ok is false when there is no such
// operator. Like BinOp, the operator is strict.
func NewMixedOp(op string, l, r Expr) (Expr, bool) {
	lt, rt := l.Type(), r.Type()
	mk := func(t types.T, fn func(a, b types.Datum) (types.Datum, error)) (Expr, bool) {
		return &BinOp{Op: op, T: t, L: l, R: r, fn: fn}, true
	}
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		if lt == rt {
			return NewBinOp(op, lt, l, r)
		}
		c := mixedComparer(lt, rt)
		if c == nil {
			return nil, false
		}
		return mk(types.Bool, func(a, b types.Datum) (types.Datum, error) { return cmpResult(op, c(a, b)), nil })
	case "->", "->>":
		return jsonArrow(op, l, r)
	}
	swap := func(fn func(a, b types.Datum) (types.Datum, error)) func(a, b types.Datum) (types.Datum, error) {
		return func(a, b types.Datum) (types.Datum, error) { return fn(b, a) }
	}
	type sig struct {
		op     string
		lt, rt types.T
	}
	I, D, T, TS, TZ := types.IntervalT, types.DateT, types.TimeT, types.TimestampT, types.TimestampTZT
	switch (sig{op, lt, rt}) {
	case sig{"+", D, types.Int4}:
		return mk(D, dateAddInt(false))
	case sig{"+", types.Int4, D}:
		return mk(D, swap(dateAddInt(false)))
	case sig{"-", D, types.Int4}:
		return mk(D, dateAddInt(true))
	case sig{"-", D, D}:
		return mk(types.Int4, func(a, b types.Datum) (types.Datum, error) {
			return types.DateSub(a.(types.Date), b.(types.Date))
		})
	case sig{"+", D, I}:
		return mk(TS, dateAddInterval(false))
	case sig{"+", I, D}:
		return mk(TS, swap(dateAddInterval(false)))
	case sig{"-", D, I}:
		return mk(TS, dateAddInterval(true))
	case sig{"+", D, T}:
		return mk(TS, dateAddTime)
	case sig{"+", T, D}:
		return mk(TS, swap(dateAddTime))
	case sig{"+", TS, I}:
		return mk(TS, timestampAddInterval(false, false))
	case sig{"+", I, TS}:
		return mk(TS, swap(timestampAddInterval(false, false)))
	case sig{"-", TS, I}:
		return mk(TS, timestampAddInterval(false, true))
	case sig{"+", TZ, I}:
		return mk(TZ, timestampAddInterval(true, false))
	case sig{"+", I, TZ}:
		return mk(TZ, swap(timestampAddInterval(true, false)))
	case sig{"-", TZ, I}:
		return mk(TZ, timestampAddInterval(true, true))
	case sig{"-", TS, TS}, sig{"-", TZ, TZ}:
		return mk(I, func(a, b types.Datum) (types.Datum, error) {
			return types.TimestampSub(tsMicros(a), tsMicros(b))
		})
	case sig{"+", I, I}:
		return mk(I, func(a, b types.Datum) (types.Datum, error) {
			return types.IntervalAdd(a.(types.Interval), b.(types.Interval))
		})
	case sig{"-", I, I}:
		return mk(I, func(a, b types.Datum) (types.Datum, error) {
			return types.IntervalSub(a.(types.Interval), b.(types.Interval))
		})
	case sig{"+", T, I}:
		return mk(T, timeAddInterval(false))
	case sig{"+", I, T}:
		return mk(T, swap(timeAddInterval(false)))
	case sig{"-", T, I}:
		return mk(T, timeAddInterval(true))
	case sig{"-", T, T}:
		return mk(I, func(a, b types.Datum) (types.Datum, error) {
			return types.Interval{Micros: int64(a.(types.Time)) - int64(b.(types.Time))}, nil
		})
	}
	switch {
	case op == "*" && lt == I && rt.Category() == types.CatNumeric && rt != types.Oid:
		return mk(I, func(a, b types.Datum) (types.Datum, error) {
			return types.IntervalMul(a.(types.Interval), toFloat(b))
		})
	case op == "*" && rt == I && lt.Category() == types.CatNumeric && lt != types.Oid:
		return mk(I, func(a, b types.Datum) (types.Datum, error) {
			return types.IntervalMul(b.(types.Interval), toFloat(a))
		})
	case op == "/" && lt == I && rt.Category() == types.CatNumeric && rt != types.Oid:
		return mk(I, func(a, b types.Datum) (types.Datum, error) {
			return types.IntervalDiv(a.(types.Interval), toFloat(b))
		})
	}
	return nil, false
}

func cmpResult(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// tsMicros returns the microseconds of a timestamp or timestamptz datum.
func tsMicros(d types.Datum) int64 {
	if v, ok := d.(types.Timestamp); ok {
		return int64(v)
	}
	return int64(d.(types.TimestampTZ))
}

// mixedComparer compares a date, timestamp or timestamptz with another of these
// types, promoting to the wider one (sessions run in UTC, so a timestamp is the
// same instant as the timestamptz with the same value).
func mixedComparer(lt, rt types.T) func(a, b types.Datum) int {
	isTS := func(t types.T) bool { return t == types.TimestampT || t == types.TimestampTZT }
	switch {
	case lt == types.DateT && isTS(rt):
		return func(a, b types.Datum) int { return types.CompareDateTimestamp(a.(types.Date), tsMicros(b)) }
	case isTS(lt) && rt == types.DateT:
		return func(a, b types.Datum) int { return -types.CompareDateTimestamp(b.(types.Date), tsMicros(a)) }
	case isTS(lt) && isTS(rt):
		return func(a, b types.Datum) int {
			x, y := tsMicros(a), tsMicros(b)
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return nil
}

func toFloat(d types.Datum) float64 {
	switch v := d.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case *apd.Decimal:
		f, err := strconv.ParseFloat(types.FormatNumeric(v), 64)
		if err != nil && !math.IsInf(f, 0) {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

func dateAddInt(sub bool) func(a, b types.Datum) (types.Datum, error) {
	return func(a, b types.Datum) (types.Datum, error) {
		n := b.(int64)
		if sub {
			n = -n
		}
		return types.DateAddDays(a.(types.Date), n)
	}
}

func dateAddInterval(sub bool) func(a, b types.Datum) (types.Datum, error) {
	return func(a, b types.Datum) (types.Datum, error) {
		ts, err := types.DateToTimestamp(a.(types.Date))
		if err != nil {
			return nil, err
		}
		r, err := types.TimestampAddInterval(ts, b.(types.Interval), sub)
		if err != nil {
			return nil, err
		}
		return types.Timestamp(r), nil
	}
}

func dateAddTime(a, b types.Datum) (types.Datum, error) {
	ts, err := types.DateToTimestamp(a.(types.Date))
	if err != nil {
		return nil, err
	}
	if ts == math.MinInt64 || ts == math.MaxInt64 {
		return types.Timestamp(ts), nil
	}
	r, err := types.TimestampAddInterval(ts, types.Interval{Micros: int64(b.(types.Time))}, false)
	if err != nil {
		return nil, err
	}
	return types.Timestamp(r), nil
}

func timestampAddInterval(tz, sub bool) func(a, b types.Datum) (types.Datum, error) {
	return func(a, b types.Datum) (types.Datum, error) {
		r, err := types.TimestampAddInterval(tsMicros(a), b.(types.Interval), sub)
		if err != nil {
			return nil, err
		}
		if tz {
			return types.TimestampTZ(r), nil
		}
		return types.Timestamp(r), nil
	}
}

func timeAddInterval(sub bool) func(a, b types.Datum) (types.Datum, error) {
	return func(a, b types.Datum) (types.Datum, error) {
		return types.TimeAddInterval(a.(types.Time), b.(types.Interval), sub), nil
	}
}

// jsonArrow builds json/jsonb -> and ->> with a text key or an integer index.
func jsonArrow(op string, l, r Expr) (Expr, bool) {
	lt, rt := l.Type(), r.Type()
	if lt != types.JSON && lt != types.JSONB {
		return nil, false
	}
	byIndex := rt.IsInteger()
	if !byIndex && !rt.IsString() && rt != types.Unknown {
		return nil, false
	}
	asText := op == "->>"
	t := lt
	if asText {
		t = types.Text
	}
	return &BinOp{Op: op, T: t, L: l, R: r, fn: func(a, b types.Datum) (types.Datum, error) {
		var idx *int64
		key := ""
		if byIndex {
			n := b.(int64)
			idx = &n
		} else {
			key = b.(string)
		}
		v, ok := types.JSONField(a.(string), lt == types.JSONB, key, idx, asText)
		if !ok {
			return nil, nil
		}
		return v, nil
	}}, true
}
