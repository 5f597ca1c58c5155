package exec

import (
	"github.com/augurdb/augur/storage/types"
)

// to_char(interval, text) and to_number(text, text) (storage/types/tochar.go).
func init() {
	T := types.Text
	register("to_char", strict(sig(types.IntervalT, T), T, func(a []types.Datum) (types.Datum, error) {
		return types.FormatInterval(a[0].(types.Interval), a[1].(string))
	}))
	// make_interval's parameters all default to 0: the shorter calls pad.
	i4 := types.Int4
	params := []types.T{i4, i4, i4, i4, i4, i4}
	for n := 0; n <= 6; n++ {
		register("make_interval", strict(params[:n:n], types.IntervalT, func(a []types.Datum) (types.Datum, error) {
			full := []types.Datum{int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), float64(0)}
			copy(full, a)
			for _, o := range Builtins["make_interval"] {
				if len(o.Args) == 7 {
					return o.Fn(nil, full)
				}
			}
			return nil, nil
		}))
	}
	register("to_number", strict(sig(T, T), types.Numeric, func(a []types.Datum) (types.Datum, error) {
		return types.ParseNumber(a[0].(string), a[1].(string))
	}))
}
