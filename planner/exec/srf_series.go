package exec

import (
	"io"
	"math"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// generate_series over int4, int8, numeric, timestamp and timestamptz, as
// PostgreSQL's generate_series_step_int4/_int8/_numeric and
// generate_series_timestamp: each value is the previous one plus the step (so a
// month step from January 31 clamps and stays on the 29th), the series stops
// when the next value would pass stop or overflow, and a zero step is 22023.
func init() {
	scalar := func(t types.T) []ResultCol { return []ResultCol{{T: t}} }
	ints := func(t types.T, lo, hi int64) []TableFunc {
		rows := func(_ *Ctx, a []types.Datum) (Iter, error) {
			step := int64(1)
			if len(a) == 3 {
				step = a[2].(int64)
			}
			if step == 0 {
				return nil, zeroStep()
			}
			return &intSeries{cur: a[0].(int64), stop: a[1].(int64), step: step, lo: lo, hi: hi}, nil
		}
		return []TableFunc{
			{Args: sig(t, t), Cols: scalar(t), Strict: true, Rows: rows},
			{Args: sig(t, t, t), Cols: scalar(t), Strict: true, Rows: rows},
		}
	}
	RegisterTableFunc("generate_series", ints(types.Int4, math.MinInt32, math.MaxInt32)...)
	RegisterTableFunc("generate_series", ints(types.Int8, math.MinInt64, math.MaxInt64)...)
	numeric := func(_ *Ctx, a []types.Datum) (Iter, error) {
		start, stop := a[0].(*apd.Decimal), a[1].(*apd.Decimal)
		step := apd.New(1, 0)
		if len(a) == 3 {
			step = a[2].(*apd.Decimal)
		}
		for _, x := range []struct {
			d    *apd.Decimal
			what string
		}{{start, "start value"}, {stop, "stop value"}, {step, "step size"}} {
			switch x.d.Form {
			case apd.NaN, apd.NaNSignaling:
				return nil, pgerr.New(pgerrcode.InvalidParameterValue, "%s cannot be NaN", x.what)
			case apd.Infinite:
				return nil, pgerr.New(pgerrcode.InvalidParameterValue, "%s cannot be infinity", x.what)
			}
		}
		if step.IsZero() {
			return nil, zeroStep()
		}
		return &numericSeries{cur: start, stop: stop, step: step}, nil
	}
	RegisterTableFunc("generate_series",
		TableFunc{Args: sig(types.Numeric, types.Numeric), Cols: scalar(types.Numeric), Strict: true, Rows: numeric},
		TableFunc{Args: sig(types.Numeric, types.Numeric, types.Numeric), Cols: scalar(types.Numeric), Strict: true, Rows: numeric})
	for _, t := range []types.T{types.TimestampT, types.TimestampTZT} {
		tz := t == types.TimestampTZT
		RegisterTableFunc("generate_series", TableFunc{Args: sig(t, t, types.IntervalT), Cols: scalar(t), Strict: true,
			Rows: func(_ *Ctx, a []types.Datum) (Iter, error) {
				step := a[2].(types.Interval)
				dir := types.IntervalCmp(step, types.Interval{})
				if dir == 0 {
					return nil, zeroStep()
				}
				return &timestampSeries{cur: tsMicros(a[0]), stop: tsMicros(a[1]), step: step, dir: dir, tz: tz}, nil
			}})
	}
}

func zeroStep() error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "step size cannot equal zero")
}

type intSeries struct {
	cur, stop, step int64
	lo, hi          int64
	done            bool
}

func (s *intSeries) Next() ([]types.Datum, error) {
	if s.done || (s.step > 0 && s.cur > s.stop) || (s.step < 0 && s.cur < s.stop) {
		return nil, io.EOF
	}
	v := s.cur
	// The next value; the series ends where it would overflow the type.
	if next := v + s.step; (s.step > 0 && (next < v || next > s.hi)) || (s.step < 0 && (next > v || next < s.lo)) {
		s.done = true
	} else {
		s.cur = next
	}
	return []types.Datum{v}, nil
}

func (s *intSeries) Close() {}

type numericSeries struct {
	cur, stop, step *apd.Decimal
	done            bool
}

func (s *numericSeries) Next() ([]types.Datum, error) {
	c := types.NumericCmp(s.cur, s.stop)
	if s.done || (!s.step.Negative && c > 0) || (s.step.Negative && c < 0) {
		return nil, io.EOF
	}
	v := s.cur
	next, err := types.NumericAdd(v, s.step)
	if err != nil {
		s.done = true
	} else {
		s.cur = next
	}
	return []types.Datum{v}, nil
}

func (s *numericSeries) Close() {}

type timestampSeries struct {
	cur, stop int64
	step      types.Interval
	dir       int
	tz        bool
	done      bool
}

func (s *timestampSeries) Next() ([]types.Datum, error) {
	if s.done || (s.dir > 0 && s.cur > s.stop) || (s.dir < 0 && s.cur < s.stop) {
		return nil, io.EOF
	}
	v := s.cur
	next, err := types.TimestampAddInterval(v, s.step, false)
	if err != nil {
		return nil, err
	}
	if next == v { // an infinite start never advances: one row, as PostgreSQL's loop would spin
		s.done = true
	}
	s.cur = next
	if s.tz {
		return []types.Datum{types.TimestampTZ(v)}, nil
	}
	return []types.Datum{types.Timestamp(v)}, nil
}

func (s *timestampSeries) Close() {}
