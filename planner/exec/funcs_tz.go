package exec

import (
	"github.com/augurdb/augur/storage/types"
)

// Functions taking a time zone (types.Zone): timezone(zone, x), which is x AT
// TIME ZONE zone, date_trunc(field, timestamptz, zone) and
// make_timestamptz(..., zone).

func init() {
	T, I := types.Text, types.IntervalT
	TS, TZ := types.TimestampT, types.TimestampTZT
	byName := func(a types.Datum) (types.Zone, error) { return types.LookupZone(a.(string)) }
	byInterval := func(a types.Datum) (types.Zone, error) { return types.IntervalZone(a.(types.Interval)) }
	for _, zt := range []struct {
		t    types.T
		zone func(types.Datum) (types.Zone, error)
	}{{T, byName}, {I, byInterval}} {
		zone := zt.zone
		register("timezone",
			strict(sig(zt.t, TS), TZ, func(a []types.Datum) (types.Datum, error) {
				z, err := zone(a[0])
				if err != nil {
					return nil, err
				}
				v, err := z.UTC(int64(a[1].(types.Timestamp)))
				return types.TimestampTZ(v), err
			}),
			strict(sig(zt.t, TZ), TS, func(a []types.Datum) (types.Datum, error) {
				z, err := zone(a[0])
				if err != nil {
					return nil, err
				}
				v, err := z.Local(int64(a[1].(types.TimestampTZ)))
				return types.Timestamp(v), err
			}))
	}
	register("date_trunc", strict(sig(T, TZ, T), TZ, func(a []types.Datum) (types.Datum, error) {
		z, err := types.LookupZone(a[2].(string))
		if err != nil {
			return nil, err
		}
		local, err := z.Local(int64(a[1].(types.TimestampTZ)))
		if err != nil {
			return nil, err
		}
		r, err := types.TruncTimestamp(a[0].(string), TZ, local)
		if err != nil {
			return nil, err
		}
		v, err := z.UTC(r)
		return types.TimestampTZ(v), err
	}))
	i4 := types.Int4
	register("make_timestamptz", strict(sig(i4, i4, i4, i4, i4, types.Float8, T), TZ, func(a []types.Datum) (types.Datum, error) {
		z, err := types.LookupZone(a[6].(string))
		if err != nil {
			return nil, err
		}
		local, err := types.MakeTimestamp(a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), a[5].(float64))
		if err != nil {
			return nil, err
		}
		v, err := z.UTC(local)
		return types.TimestampTZ(v), err
	}))
}
