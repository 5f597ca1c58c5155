package exec

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// StatementClock is implemented by sessions that know when the current
// transaction and statement started. now(), current_timestamp and friends use it;
// without it they use the time of their execution's first reading of the clock,
// so that all of one statement's readings agree (clock_timestamp reads the clock
// at each call). Sessions run in UTC, so the local and zoned forms agree.
type StatementClock interface {
	TransactionStart() time.Time
	StatementStart() time.Time
}

func transactionTime(c *Ctx) time.Time {
	if sc, ok := c.Session.(StatementClock); ok {
		return sc.TransactionStart()
	}
	return executionTime(c)
}

func statementTime(c *Ctx) time.Time {
	if sc, ok := c.Session.(StatementClock); ok {
		return sc.StatementStart()
	}
	return executionTime(c)
}

// executionTime is the time of the execution's first reading of the clock.
func executionTime(c *Ctx) time.Time {
	if c.run == nil {
		return time.Now()
	}
	atomic.CompareAndSwapInt64(&c.run.now, 0, time.Now().UnixMicro())
	return time.UnixMicro(atomic.LoadInt64(&c.run.now))
}

type dtFn = func(c *Ctx, a []types.Datum) (types.Datum, error)

func init() {
	T := types.Text
	D, TM, TS, TZ, I := types.DateT, types.TimeT, types.TimestampT, types.TimestampTZT, types.IntervalT
	add := func(name string, b ...Builtin) { Builtins[name] = append(Builtins[name], b...) }
	strict := func(args []types.T, res types.T, fn dtFn) Builtin {
		return Builtin{Args: args, Result: res, Strict: true, Fn: fn}
	}
	// The current time: volatile so that planning never folds it into a plan that
	// outlives the statement.
	clock := func(res types.T, at func(*Ctx) time.Time, conv func(time.Time) types.Datum) Builtin {
		return Builtin{Result: res, Volatile: true, Fn: func(c *Ctx, _ []types.Datum) (types.Datum, error) {
			return conv(at(c)), nil
		}}
	}
	tz := func(t time.Time) types.Datum { return types.TimestampTZ(types.TimestampFromTime(t)) }
	ts := func(t time.Time) types.Datum { return types.Timestamp(types.TimestampFromTime(t)) }
	date := func(t time.Time) types.Datum { return types.TimestampToDate(int64(types.TimestampFromTime(t))) }
	tod := func(t time.Time) types.Datum { return types.TimestampToTime(int64(types.TimestampFromTime(t))) }
	add("now", clock(TZ, transactionTime, tz))
	add("transaction_timestamp", clock(TZ, transactionTime, tz))
	add("current_timestamp", clock(TZ, transactionTime, tz))
	add("statement_timestamp", clock(TZ, statementTime, tz))
	add("clock_timestamp", clock(TZ, func(*Ctx) time.Time { return time.Now() }, tz))
	add("localtimestamp", clock(TS, transactionTime, ts))
	add("current_date", clock(D, transactionTime, date))
	// current_time is time with time zone in PostgreSQL; Augur has no timetz and
	// returns the UTC time of day.
	add("current_time", clock(TM, transactionTime, tod))
	add("localtime", clock(TM, transactionTime, tod))

	for _, t := range []types.T{D, TM, TS, TZ, I} {
		t := t
		add("date_part", strict([]types.T{T, t}, types.Float8, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v, ok, err := types.DatePartFloat(a[0].(string), t, a[1])
			if err != nil || !ok {
				return nil, err
			}
			return v, nil
		}))
		// extract(field from x) as a call extract(field, x): numeric, as PostgreSQL 14+.
		add("extract", strict([]types.T{T, t}, types.Numeric, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v, ok, err := types.DatePartNumeric(a[0].(string), t, a[1])
			if err != nil || !ok {
				return nil, err
			}
			return v, nil
		}))
	}
	add("date_trunc",
		strict([]types.T{T, TS}, TS, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			r, err := types.TruncTimestamp(a[0].(string), TS, int64(a[1].(types.Timestamp)))
			if err != nil {
				return nil, err
			}
			return types.Timestamp(r), nil
		}),
		strict([]types.T{T, TZ}, TZ, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			r, err := types.TruncTimestamp(a[0].(string), TZ, int64(a[1].(types.TimestampTZ)))
			if err != nil {
				return nil, err
			}
			return types.TimestampTZ(r), nil
		}),
		strict([]types.T{T, I}, I, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.TruncInterval(a[0].(string), a[1].(types.Interval))
		}),
	)
	add("age",
		strict([]types.T{TS, TS}, I, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.Age(tsMicros(a[0]), tsMicros(a[1]))
		}),
		strict([]types.T{TZ, TZ}, I, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.Age(tsMicros(a[0]), tsMicros(a[1]))
		}),
		Builtin{Args: []types.T{TS}, Result: I, Strict: true, Volatile: true, Fn: func(c *Ctx, a []types.Datum) (types.Datum, error) {
			return types.Age(midnight(c), tsMicros(a[0]))
		}},
		Builtin{Args: []types.T{TZ}, Result: I, Strict: true, Volatile: true, Fn: func(c *Ctx, a []types.Datum) (types.Datum, error) {
			return types.Age(midnight(c), tsMicros(a[0]))
		}},
	)
	toCharTS := func(withTZ bool) dtFn {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := tsMicros(a[0])
			if v == math.MinInt64 || v == math.MaxInt64 {
				return nil, nil
			}
			return types.FormatTimestamp(v, withTZ, a[1].(string)), nil
		}
	}
	toCharNum := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		var d *apd.Decimal
		switch v := a[0].(type) {
		case int64:
			d = apd.New(v, 0)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				d = &apd.Decimal{Form: apd.NaN}
			} else {
				r, err := types.Cast(v, types.Float8, types.Numeric, -1)
				if err != nil {
					return nil, err
				}
				d = r.(*apd.Decimal)
			}
		case *apd.Decimal:
			d = v
		}
		return types.FormatNumber(d, a[1].(string))
	}
	add("to_char",
		strict([]types.T{TS, T}, T, toCharTS(false)),
		strict([]types.T{TZ, T}, T, toCharTS(true)),
		strict([]types.T{D, T}, T, func(c *Ctx, a []types.Datum) (types.Datum, error) {
			v, err := types.DateToTimestamp(a[0].(types.Date))
			if err != nil {
				return nil, err
			}
			return toCharTS(false)(c, []types.Datum{types.Timestamp(v), a[1]})
		}),
		strict([]types.T{types.Int4, T}, T, toCharNum),
		strict([]types.T{types.Int8, T}, T, toCharNum),
		strict([]types.T{types.Numeric, T}, T, toCharNum),
		strict([]types.T{types.Float8, T}, T, toCharNum),
	)
	add("to_date", strict([]types.T{T, T}, D, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := types.ParseFormatted(a[0].(string), a[1].(string), D)
		if err != nil {
			return nil, err
		}
		return types.TimestampToDate(r), nil
	}))
	add("to_timestamp",
		strict([]types.T{types.Float8}, TZ, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			r, err := types.ToTimestamp(a[0].(float64))
			if err != nil {
				return nil, err
			}
			return types.TimestampTZ(r), nil
		}),
		strict([]types.T{T, T}, TZ, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			r, err := types.ParseFormatted(a[0].(string), a[1].(string), TZ)
			if err != nil {
				return nil, err
			}
			return types.TimestampTZ(r), nil
		}),
	)
	i4 := types.Int4
	add("make_date", strict([]types.T{i4, i4, i4}, D, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := types.MakeTimestamp(a[0].(int64), a[1].(int64), a[2].(int64), 0, 0, 0)
		if err != nil {
			return nil, err
		}
		return types.TimestampToDate(r), nil
	}))
	makeTS := func(a []types.Datum) (int64, error) {
		return types.MakeTimestamp(a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), a[5].(float64))
	}
	add("make_timestamp", strict([]types.T{i4, i4, i4, i4, i4, types.Float8}, TS, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := makeTS(a)
		if err != nil {
			return nil, err
		}
		return types.Timestamp(r), nil
	}))
	add("make_timestamptz", strict([]types.T{i4, i4, i4, i4, i4, types.Float8}, TZ, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := makeTS(a)
		if err != nil {
			return nil, err
		}
		return types.TimestampTZ(r), nil
	}))
	add("make_time", strict([]types.T{i4, i4, types.Float8}, TM, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		h, m, s := a[0].(int64), a[1].(int64), a[2].(float64)
		if h < 0 || h > 24 || m < 0 || m > 59 || math.IsNaN(s) || s < 0 || s > 60 || (h*60+m)*60*1e6+int64(math.RoundToEven(s*1e6)) > 86400*1e6 {
			return nil, pgerr.New(pgerrcode.DatetimeFieldOverflow, "time field value out of range: %d:%02d:%s", h, m, types.FormatSeconds(s))
		}
		return types.Time((h*60+m)*60*1e6 + int64(math.RoundToEven(s*1e6))), nil
	}))
	add("make_interval", strict([]types.T{i4, i4, i4, i4, i4, i4, types.Float8}, I, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		y, mo, w, d, h, mi, s := a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), a[5].(int64), a[6].(float64)
		months := y*12 + mo
		days := w*7 + d
		micros := math.RoundToEven((float64(h)*3600 + float64(mi)*60 + s) * 1e6)
		if months > math.MaxInt32 || months < math.MinInt32 || days > math.MaxInt32 || days < math.MinInt32 || math.IsNaN(micros) || math.Abs(micros) > 9.2e18 {
			return nil, types.ErrIntervalOutOfRange()
		}
		return types.Interval{Months: int32(months), Days: int32(days), Micros: int64(micros)}, nil
	}))
	add("date",
		strict([]types.T{TS}, D, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.TimestampToDate(tsMicros(a[0])), nil }),
		strict([]types.T{TZ}, D, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.TimestampToDate(tsMicros(a[0])), nil }),
	)
	justify := func(f func(types.Interval) (types.Interval, error)) Builtin {
		return strict([]types.T{I}, I, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return f(a[0].(types.Interval)) })
	}
	add("justify_days", justify(types.JustifyDays))
	add("justify_hours", justify(types.JustifyHours))
	add("justify_interval", justify(types.JustifyInterval))
	add("isfinite",
		strict([]types.T{D}, types.Bool, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return a[0].(types.Date).IsFinite(), nil }),
		strict([]types.T{TS}, types.Bool, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := tsMicros(a[0])
			return v != math.MinInt64 && v != math.MaxInt64, nil
		}),
		strict([]types.T{TZ}, types.Bool, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := tsMicros(a[0])
			return v != math.MinInt64 && v != math.MaxInt64, nil
		}),
		strict([]types.T{I}, types.Bool, func(*Ctx, []types.Datum) (types.Datum, error) { return true, nil }),
	)
	add("gen_random_uuid", Builtin{Result: types.UUIDT, Volatile: true, Fn: func(*Ctx, []types.Datum) (types.Datum, error) {
		return types.NewRandomUUID(), nil
	}})
	typeofFn := func(t types.T) Builtin {
		return strict([]types.T{t}, T, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.JSONTypeof(a[0].(string)), nil
		})
	}
	add("json_typeof", typeofFn(types.JSON))
	add("jsonb_typeof", typeofFn(types.JSONB))
}

// midnight is the start of the current day (age with one argument).
func midnight(c *Ctx) int64 {
	d := types.TimestampToDate(int64(types.TimestampFromTime(transactionTime(c))))
	v, _ := types.DateToTimestamp(d)
	return v
}
