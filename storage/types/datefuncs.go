package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// The field functions behind date_part, extract and date_trunc.

// dateUnit returns the unit a field name of date_part, extract or date_trunc
// denotes (PostgreSQL's DecodeUnits, then DecodeSpecial).
func dateUnit(name string) (int, bool) {
	n := strings.ToLower(name)
	if t, ok := unitTokens[tokenKey(n)]; ok && t.typ == tkUnits {
		return t.val, true
	}
	switch n {
	case "epoch":
		return dtkEpochUnit, true
	case "dow":
		return dtkDOW, true
	case "isodow":
		return dtkISODOW, true
	case "doy":
		return dtkDOY, true
	case "isoyear":
		return dtkISOYear, true
	case "julian", "j", "jd":
		return dtkJulian, true
	}
	return 0, false
}

func unitNotRecognized(name string, t T) error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "unit \"%s\" not recognized for type %s", strings.ToLower(name), t.SQLName())
}

func unitNotSupported(name string, t T) *pgerr.Error {
	return pgerr.New(pgerrcode.FeatureNotSupported, "unit \"%s\" not supported for type %s", strings.ToLower(name), t.SQLName())
}

// date2isoweek returns the ISO 8601 week number of a date.
func date2isoweek(y, m, d int) int {
	dayn := date2j(y, m, d)
	day4 := date2j(y, 1, 4)
	day0 := j2day(day4 - 1) // day of week of Jan 4 minus one: Monday-based offset
	if dayn < day4-day0 {
		day4 = date2j(y-1, 1, 4)
		day0 = j2day(day4 - 1)
	}
	result := (dayn-(day4-day0))/7 + 1
	if result >= 52 {
		day4 = date2j(y+1, 1, 4)
		day0 = j2day(day4 - 1)
		if dayn >= day4-day0 {
			result = (dayn-(day4-day0))/7 + 1
		}
	}
	return result
}

// date2isoyear returns the ISO 8601 week-numbering year of a date.
func date2isoyear(y, m, d int) int {
	dayn := date2j(y, m, d)
	day4 := date2j(y, 1, 4)
	day0 := j2day(day4 - 1)
	if dayn < day4-day0 {
		y--
		day4 = date2j(y, 1, 4)
		day0 = j2day(day4 - 1)
	}
	result := (dayn-(day4-day0))/7 + 1
	if result >= 52 {
		day4 = date2j(y+1, 1, 4)
		day0 = j2day(day4 - 1)
		if dayn >= day4-day0 {
			y++
		}
	}
	return y
}

// isoweek2j returns the Julian day of the Monday of ISO week wk of ISO year y.
func isoweek2j(y, wk int) int {
	day4 := date2j(y, 1, 4)
	day0 := j2day(day4 - 1)
	return (wk-1)*7 + (day4 - day0)
}

// part is a field value: exact (as a numeric) and as PostgreSQL's float8
// date_part computes it.
type part struct {
	num *apd.Decimal
	f   float64
}

func intPart(v int64) part { return part{apd.New(v, 0), float64(v)} }

// scaled is v / 10^scale, exactly and as a float.
func scaled(v int64, scale int32, f float64) part { return part{apd.New(v, -scale), f} }

func yearParts(unit int, year int) (part, bool) {
	switch unit {
	case dtkYear:
		if year > 0 {
			return intPart(int64(year)), true
		}
		return intPart(int64(year) - 1), true
	case dtkDecade:
		if year >= 0 {
			return intPart(int64(year / 10)), true
		}
		return intPart(-int64((8 - (year - 1)) / 10)), true
	case dtkCentury:
		if year > 0 {
			return intPart(int64((year + 99) / 100)), true
		}
		return intPart(-int64((99 - (year - 1)) / 100)), true
	case dtkMillennium:
		if year > 0 {
			return intPart(int64((year + 999) / 1000)), true
		}
		return intPart(-int64((999 - (year - 1)) / 1000)), true
	}
	return part{}, false
}

// dateFieldParts are the fields of a calendar date shared by dates and timestamps.
func dateFieldParts(unit int, t *tm) (part, bool) {
	if p, ok := yearParts(unit, t.year); ok {
		return p, true
	}
	switch unit {
	case dtkDay:
		return intPart(int64(t.mday)), true
	case dtkMonth:
		return intPart(int64(t.mon)), true
	case dtkQuarter:
		return intPart(int64((t.mon-1)/3 + 1)), true
	case dtkWeek:
		return intPart(int64(date2isoweek(t.year, t.mon, t.mday))), true
	case dtkISOYear:
		y := date2isoyear(t.year, t.mon, t.mday)
		if y <= 0 {
			y--
		}
		return intPart(int64(y)), true
	case dtkDOW, dtkISODOW:
		d := j2day(date2j(t.year, t.mon, t.mday))
		if unit == dtkISODOW && d == 0 {
			d = 7
		}
		return intPart(int64(d)), true
	case dtkDOY:
		return intPart(int64(date2j(t.year, t.mon, t.mday) - date2j(t.year, 1, 1) + 1)), true
	}
	return part{}, false
}

// infinitePart is the value of a field of an infinite date or timestamp: ±Infinity
// for the monotonic fields, NULL (ok false) for the others.
func infinitePart(unit int, neg bool) (part, bool) {
	switch unit {
	case dtkYear, dtkDecade, dtkCentury, dtkMillennium, dtkJulian, dtkISOYear, dtkEpochUnit:
		f := math.Inf(1)
		if neg {
			f = math.Inf(-1)
		}
		return part{&apd.Decimal{Form: apd.Infinite, Negative: neg}, f}, true
	}
	return part{}, false
}

// DatePartNumeric returns extract(field from d) for a value of type t (date,
// time, timestamp, timestamptz, interval) as a numeric, as PostgreSQL 14+; ok is
// false for a NULL result (most fields of an infinite timestamp).
func DatePartNumeric(field string, t T, d Datum) (*apd.Decimal, bool, error) {
	p, ok, err := datePart(field, t, d, true)
	return p.num, ok, err
}

// DatePartFloat returns date_part(field, d) as a float8; PostgreSQL's date_part of
// a date reads it as a timestamp.
func DatePartFloat(field string, t T, d Datum) (float64, bool, error) {
	if t == DateT {
		ts, err := DateToTimestamp(d.(Date))
		if err != nil {
			return 0, false, err
		}
		t, d = TimestampT, Timestamp(ts)
	}
	p, ok, err := datePart(field, t, d, false)
	return p.f, ok, err
}

func datePart(field string, t T, d Datum, numeric bool) (part, bool, error) {
	unit, known := dateUnit(field)
	if !known {
		return part{}, false, unitNotRecognized(field, t)
	}
	switch t {
	case DateT:
		v := d.(Date)
		if !v.IsFinite() {
			switch unit {
			case dtkMicrosec, dtkMillisec, dtkSecond, dtkMinute, dtkHour, dtkTZ, dtkTZHour, dtkTZMinute:
				return part{}, false, unitNotSupported(field, t)
			}
			p, ok := infinitePart(unit, v == DateNegInfinity)
			return p, ok, nil
		}
		var tt tm
		tt.year, tt.mon, tt.mday = v.YMD()
		if p, ok := dateFieldParts(unit, &tt); ok {
			return p, true, nil
		}
		switch unit {
		case dtkJulian:
			return intPart(int64(v) + pgEpochJDate), true, nil
		case dtkEpochUnit:
			return intPart((int64(v) - (unixEpochJDate - pgEpochJDate)) * secsPerDay), true, nil
		}
		return part{}, false, unitNotSupported(field, t)
	case TimeT:
		v := int64(d.(Time))
		h := v / usecsPerHour
		m := v / usecsPerMinute % 60
		su := v % usecsPerMinute // seconds in microseconds
		switch unit {
		case dtkMicrosec:
			return scaled(su, 0, float64(su)), true, nil
		case dtkMillisec:
			return scaled(su, 3, float64(su/usecsPerSec*1000)+float64(su%usecsPerSec)/1000.0), true, nil
		case dtkSecond:
			return scaled(su, 6, float64(su/usecsPerSec)+float64(su%usecsPerSec)/1000000.0), true, nil
		case dtkMinute:
			return intPart(m), true, nil
		case dtkHour:
			return intPart(h), true, nil
		case dtkEpochUnit:
			return scaled(v, 6, float64(v)/1000000.0), true, nil
		}
		return part{}, false, unitNotSupported(field, t)
	case TimestampT, TimestampTZT:
		ts := int64(0)
		if t == TimestampT {
			ts = int64(d.(Timestamp))
		} else {
			ts = int64(d.(TimestampTZ))
		}
		if ts == math.MinInt64 || ts == math.MaxInt64 {
			switch unit {
			case dtkTZ, dtkTZHour, dtkTZMinute:
				if t == TimestampT {
					return part{}, false, unitNotSupported(field, t)
				}
			}
			p, ok := infinitePart(unit, ts == math.MinInt64)
			return p, ok, nil
		}
		tt := timestampToTm(ts)
		if p, ok := dateFieldParts(unit, &tt); ok {
			return p, true, nil
		}
		su := int64(tt.sec)*usecsPerSec + tt.fsec
		switch unit {
		case dtkMicrosec:
			return scaled(su, 0, float64(tt.sec)*1000000.0+float64(tt.fsec)), true, nil
		case dtkMillisec:
			return scaled(su, 3, float64(tt.sec)*1000.0+float64(tt.fsec)/1000.0), true, nil
		case dtkSecond:
			return scaled(su, 6, float64(tt.sec)+float64(tt.fsec)/1000000.0), true, nil
		case dtkMinute:
			return intPart(int64(tt.min)), true, nil
		case dtkHour:
			return intPart(int64(tt.hour)), true, nil
		case dtkJulian:
			j := int64(date2j(tt.year, tt.mon, tt.mday))
			tod := ((int64(tt.hour)*60+int64(tt.min))*60)*usecsPerSec + su
			f := float64(j) + (float64((tt.hour*60+tt.min)*60+tt.sec)+float64(tt.fsec)/1000000.0)/secsPerDay
			if !numeric {
				return part{f: f}, true, nil
			}
			q, err := NumericDiv(apd.New(tod, 0), apd.New(usecsPerDay, 0))
			if err != nil {
				return part{}, false, err
			}
			s, err := NumericAdd(apd.New(j, 0), q)
			if err != nil {
				return part{}, false, err
			}
			return part{s, f}, true, nil
		case dtkEpochUnit:
			e := ts + (pgEpochJDate-unixEpochJDate)*usecsPerDay
			return scaled(e, 6, float64(e)/1000000.0), true, nil
		case dtkTZ, dtkTZHour, dtkTZMinute:
			if t == TimestampTZT {
				return intPart(0), true, nil // sessions run in UTC
			}
		}
		return part{}, false, unitNotSupported(field, t)
	case IntervalT:
		iv := d.(Interval)
		year := int64(iv.Months / 12)
		mon := int64(iv.Months % 12)
		tv := iv.Micros
		hour := tv / usecsPerHour
		min := tv / usecsPerMinute % 60
		su := tv % usecsPerMinute
		switch unit {
		case dtkMicrosec:
			return scaled(su, 0, float64(su)), true, nil
		case dtkMillisec:
			return scaled(su, 3, float64(su)/1000.0), true, nil
		case dtkSecond:
			return scaled(su, 6, float64(su)/1000000.0), true, nil
		case dtkMinute:
			return intPart(min), true, nil
		case dtkHour:
			return intPart(hour), true, nil
		case dtkDay:
			return intPart(int64(iv.Days)), true, nil
		case dtkMonth:
			return intPart(mon), true, nil
		case dtkQuarter:
			return intPart(mon/3 + 1), true, nil
		case dtkYear:
			return intPart(year), true, nil
		case dtkDecade:
			return intPart(year / 10), true, nil
		case dtkCentury:
			return intPart(year / 100), true, nil
		case dtkMillennium:
			return intPart(year / 1000), true, nil
		case dtkEpochUnit:
			secs := (int64(4*365.25)*int64(iv.Months/12) + int64(4*daysPerMonth)*int64(iv.Months%12) + 4*int64(iv.Days)) * (secsPerDay / 4)
			v, ok := mulAdd(secs, usecsPerSec, tv)
			f := float64(tv)/1000000.0 + (365.25*float64(iv.Months/12)+daysPerMonth*float64(iv.Months%12)+float64(iv.Days))*secsPerDay
			if !ok || !numeric {
				return part{f: f}, true, nil
			}
			return scaled(v, 6, f), true, nil
		}
		return part{}, false, unitNotSupported(field, t)
	}
	return part{}, false, unitNotSupported(field, t)
}

// TruncTimestamp is date_trunc(field, ts) for timestamp and timestamptz (t says
// which, for error messages; sessions run in UTC so both truncate alike).
func TruncTimestamp(field string, t T, ts int64) (int64, error) {
	unit, ok := dateUnit(field)
	if !ok {
		return 0, unitNotRecognized(field, t)
	}
	if ts == math.MinInt64 || ts == math.MaxInt64 {
		return ts, nil
	}
	tt := timestampToTm(ts)
	switch unit {
	case dtkWeek:
		j := isoweek2j(date2isoyear(tt.year, tt.mon, tt.mday), date2isoweek(tt.year, tt.mon, tt.mday))
		tt.year, tt.mon, tt.mday = j2date(j)
		tt.hour, tt.min, tt.sec, tt.fsec = 0, 0, 0, 0
	case dtkMillennium, dtkCentury, dtkDecade, dtkYear, dtkQuarter, dtkMonth, dtkDay, dtkHour, dtkMinute, dtkSecond, dtkMillisec, dtkMicrosec:
		switch unit {
		case dtkMillennium:
			if tt.year > 0 {
				tt.year = ((tt.year+999)/1000)*1000 - 999
			} else {
				tt.year = -((999-(tt.year-1))/1000)*1000 + 1
			}
		case dtkCentury:
			if tt.year > 0 {
				tt.year = ((tt.year+99)/100)*100 - 99
			} else {
				tt.year = -((99-(tt.year-1))/100)*100 + 1
			}
		case dtkDecade:
			if tt.year > 0 {
				tt.year = (tt.year / 10) * 10
			} else {
				tt.year = -((8 - (tt.year - 1)) / 10) * 10
			}
		}
		r := truncRank(unit)
		if r >= truncRank(dtkYear) {
			tt.mon = 1
		}
		if r == truncRank(dtkQuarter) {
			tt.mon = 3*((tt.mon-1)/3) + 1
		}
		if r >= truncRank(dtkMonth) {
			tt.mday = 1
		}
		if r >= truncRank(dtkDay) {
			tt.hour = 0
		}
		if r >= truncRank(dtkHour) {
			tt.min = 0
		}
		if r >= truncRank(dtkMinute) {
			tt.sec = 0
		}
		if r >= truncRank(dtkSecond) {
			tt.fsec = 0
		}
		if r == truncRank(dtkMillisec) {
			tt.fsec = tt.fsec / 1000 * 1000
		}
	default:
		return 0, unitNotSupported(field, t)
	}
	r, ok := tmToTimestamp(&tt)
	if !ok {
		return 0, ErrTimestampOutOfRange()
	}
	return r, nil
}

// truncRank orders the date_trunc units from finest to coarsest.
func truncRank(unit int) int {
	switch unit {
	case dtkMicrosec:
		return 0
	case dtkMillisec:
		return 1
	case dtkSecond:
		return 2
	case dtkMinute:
		return 3
	case dtkHour:
		return 4
	case dtkDay:
		return 5
	case dtkMonth:
		return 6
	case dtkQuarter:
		return 7
	case dtkYear:
		return 8
	case dtkDecade:
		return 9
	case dtkCentury:
		return 10
	case dtkMillennium:
		return 11
	}
	return -1
}

// TruncInterval is date_trunc(field, interval).
func TruncInterval(field string, iv Interval) (Interval, error) {
	unit, ok := dateUnit(field)
	if !ok {
		return Interval{}, unitNotRecognized(field, IntervalT)
	}
	if unit == dtkWeek {
		return Interval{}, unitNotSupported(field, IntervalT).WithDetail("Months usually have fractional weeks.")
	}
	r := truncRank(unit)
	if r < 0 {
		return Interval{}, unitNotSupported(field, IntervalT)
	}
	year := iv.Months / 12
	mon := iv.Months % 12
	days := iv.Days
	tv := iv.Micros
	hour := tv / usecsPerHour
	min := tv / usecsPerMinute % 60
	sec := tv / usecsPerSec % 60
	fsec := tv % usecsPerSec
	switch unit {
	case dtkMillennium:
		year = year / 1000 * 1000
	case dtkCentury:
		year = year / 100 * 100
	case dtkDecade:
		year = year / 10 * 10
	case dtkQuarter:
		mon = 3 * (mon / 3)
	}
	if r >= truncRank(dtkYear) {
		mon = 0
	}
	if r >= truncRank(dtkMonth) {
		days = 0
	}
	if r >= truncRank(dtkDay) {
		hour = 0
	}
	if r >= truncRank(dtkHour) {
		min = 0
	}
	if r >= truncRank(dtkMinute) {
		sec = 0
	}
	if r >= truncRank(dtkSecond) {
		fsec = 0
	}
	if r == truncRank(dtkMillisec) {
		fsec = fsec / 1000 * 1000
	}
	return Interval{Months: year*12 + mon, Days: days, Micros: ((hour*60+min)*60+sec)*usecsPerSec + fsec}, nil
}

// Age is age(a, b): the symbolic difference in years, months, days and time,
// borrowing month lengths from the earlier argument's calendar as PostgreSQL does.
func Age(a, b int64) (Interval, error) {
	if a == math.MinInt64 || a == math.MaxInt64 || b == math.MinInt64 || b == math.MaxInt64 {
		return Interval{}, ErrTimestampOutOfRange()
	}
	t1, t2 := timestampToTm(a), timestampToTm(b)
	fsec := t1.fsec - t2.fsec
	sec := t1.sec - t2.sec
	min := t1.min - t2.min
	hour := t1.hour - t2.hour
	mday := t1.mday - t2.mday
	mon := t1.mon - t2.mon
	year := t1.year - t2.year
	neg := a < b
	flip := func() {
		fsec, sec, min, hour, mday, mon, year = -fsec, -sec, -min, -hour, -mday, -mon, -year
	}
	if neg {
		flip()
	}
	for fsec < 0 {
		fsec += usecsPerSec
		sec--
	}
	for sec < 0 {
		sec += 60
		min--
	}
	for min < 0 {
		min += 60
		hour--
	}
	for hour < 0 {
		hour += 24
		mday--
	}
	for mday < 0 {
		if neg {
			mday += monthDays(t1.year, t1.mon)
		} else {
			mday += monthDays(t2.year, t2.mon)
		}
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	if neg {
		flip()
	}
	months := int64(year)*12 + int64(mon)
	if months > math.MaxInt32 || months < math.MinInt32 {
		return Interval{}, ErrIntervalOutOfRange()
	}
	return Interval{Months: int32(months), Days: int32(mday),
		Micros: ((int64(hour)*60+int64(min))*60+int64(sec))*usecsPerSec + fsec}, nil
}

// MakeTimestamp is make_timestamp: the timestamp of a date (a negative year is BC)
// and a time of day.
func MakeTimestamp(y, m, d, h, mi int64, sec float64) (int64, error) {
	if y == 0 {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	year := int(y)
	if y < 0 {
		year = int(y) + 1
	}
	date, ok := DateFromYMD(year, int(m), int(d))
	if !ok || y < -5000 || y > 300000 {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	if h < 0 || h > 24 || mi < 0 || mi > 59 || math.IsNaN(sec) || sec < 0 || sec > 60 ||
		(h == 24 && (mi > 0 || sec > 0)) {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "time field value out of range: %d:%02d:%s", h, mi, FormatSeconds(sec))
	}
	tod := (h*60+mi)*60*usecsPerSec + int64(math.RoundToEven(sec*usecsPerSec))
	r, ok := mulAdd(int64(date), usecsPerDay, tod)
	if !ok || !validTimestamp(r) {
		return 0, ErrTimestampOutOfRange()
	}
	return r, nil
}

// FormatSeconds formats seconds as C's %02g does, for make_time's and
// make_timestamp's messages.
func FormatSeconds(f float64) string {
	s := strconv.FormatFloat(f, 'g', 6, 64)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// ToTimestamp is to_timestamp(double precision): seconds since 1970-01-01 UTC.
func ToTimestamp(secs float64) (int64, error) {
	switch {
	case math.IsNaN(secs):
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "timestamp cannot be NaN")
	case math.IsInf(secs, 1):
		return math.MaxInt64, nil
	case math.IsInf(secs, -1):
		return math.MinInt64, nil
	}
	lo := float64(minTimestamp-(unixEpochJDate-pgEpochJDate)*usecsPerDay) / usecsPerSec
	hi := float64(endTimestamp-(unixEpochJDate-pgEpochJDate)*usecsPerDay) / usecsPerSec
	if secs < lo || secs >= hi {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", string(AppendFloat(nil, secs, 64)))
	}
	r := int64(math.RoundToEven(secs*usecsPerSec)) - (pgEpochJDate-unixEpochJDate)*usecsPerDay
	if !validTimestamp(r) {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", string(AppendFloat(nil, secs, 64)))
	}
	return r, nil
}
