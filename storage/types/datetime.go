package types

import (
	"math"
	"strconv"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Date is a date datum: days since 2000-01-01 (PostgreSQL's epoch), so that its
// binary form is the value itself. DateNegInfinity and DateInfinity are -infinity
// and infinity.
type Date int32

// Time is a time-of-day datum: microseconds since midnight, 0 to 24:00:00
// inclusive.
type Time int64

// Timestamp is a timestamp-without-time-zone datum: microseconds since
// 2000-01-01 00:00:00. TimestampNegInfinity and TimestampInfinity are -infinity and
// infinity.
type Timestamp int64

// TimestampTZ is a timestamp-with-time-zone datum: microseconds since
// 2000-01-01 00:00:00 UTC. The infinities are those of Timestamp.
type TimestampTZ int64

// Infinities, with PostgreSQL's sentinels (DATEVAL_NOBEGIN, DT_NOEND, ...).
const (
	DateNegInfinity      Date      = math.MinInt32
	DateInfinity         Date      = math.MaxInt32
	TimestampNegInfinity Timestamp = math.MinInt64
	TimestampInfinity    Timestamp = math.MaxInt64
)

const (
	usecsPerSec    = 1_000_000
	usecsPerMinute = 60 * usecsPerSec
	usecsPerHour   = 60 * usecsPerMinute
	usecsPerDay    = 24 * usecsPerHour
	secsPerDay     = 86400
	daysPerMonth   = 30

	pgEpochJDate   = 2451545 // date2j(2000, 1, 1)
	unixEpochJDate = 2440588 // date2j(1970, 1, 1)

	// Valid ranges, as PostgreSQL's timestamp.h: dates from 4714-11-24 BC to
	// 5874897-12-31, timestamps from 4714-11-24 BC to 294276-12-31 23:59:59.999999.
	dateEndJulian = 2147483494
	minTimestamp  = -211813488000000000
	endTimestamp  = 9223371331200000000

	// MaxTimePrecision is the largest fractional-second precision: timestamp(6).
	MaxTimePrecision = 6
)

// IsFinite reports whether d is neither infinity nor -infinity.
func (d Date) IsFinite() bool { return d != DateNegInfinity && d != DateInfinity }

// IsFinite reports whether t is neither infinity nor -infinity.
func (t Timestamp) IsFinite() bool { return t != TimestampNegInfinity && t != TimestampInfinity }

// IsFinite reports whether t is neither infinity nor -infinity.
func (t TimestampTZ) IsFinite() bool { return Timestamp(t).IsFinite() }

// date2j returns the Julian day number of a proleptic Gregorian date (year 0 is 1
// BC), as PostgreSQL's date2j.
func date2j(y, m, d int) int {
	if m > 2 {
		m++
		y += 4800
	} else {
		m += 13
		y += 4799
	}
	century := y / 100
	j := y*365 - 32167
	j += y/4 - century + century/4
	j += 7834*m/256 + d
	return j
}

// j2date is the inverse of date2j for non-negative day numbers.
func j2date(jd int) (y, m, d int) {
	j := uint64(uint32(jd)) + 32044
	quad := j / 146097
	extra := (j-quad*146097)*4 + 3
	j += 60 + quad*3 + extra/146097
	quad = j / 1461
	j -= quad * 1461
	yy := j * 4 / 1461
	if yy != 0 {
		j = (j+305)%365 + 123
	} else {
		j = (j+306)%366 + 123
	}
	yy += quad * 4
	y = int(yy) - 4800
	quad = j * 2141 / 65536
	d = int(j - 7834*quad/256)
	m = int((quad+10)%12 + 1)
	return
}

// j2day returns the day of the week of a Julian day: 0 is Sunday.
func j2day(jd int) int {
	d := (jd + 1) % 7
	if d < 0 {
		d += 7
	}
	return d
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

var daysInMonth = [2][12]int{
	{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
	{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
}

func monthDays(y, m int) int {
	if isLeap(y) {
		return daysInMonth[1][m-1]
	}
	return daysInMonth[0][m-1]
}

// validJulian is PostgreSQL's IS_VALID_JULIAN: the range date2j handles.
func validJulian(y, m int) bool {
	return (y > -4713 || (y == -4713 && m >= 11)) && (y < 5874898 || (y == 5874898 && m < 6))
}

func validDate(d int64) bool {
	return d >= -pgEpochJDate && d < dateEndJulian-pgEpochJDate
}

func validTimestamp(t int64) bool { return t >= minTimestamp && t < endTimestamp }

// tm is a broken-down date and time (PostgreSQL's struct pg_tm plus fsec).
type tm struct {
	year, mon, mday int
	hour, min, sec  int
	fsec            int64 // microseconds
	yday, wday      int
	tzWest          int // seconds west of UTC, when known
}

// DateFromYMD returns the date of year-month-day (year 0 is 1 BC); ok is false
// outside the date range or for an invalid day.
func DateFromYMD(y, m, d int) (Date, bool) {
	if m < 1 || m > 12 || d < 1 || d > monthDays(y, m) || !validJulian(y, m) {
		return 0, false
	}
	v := int64(date2j(y, m, d) - pgEpochJDate)
	if !validDate(v) {
		return 0, false
	}
	return Date(v), true
}

// YMD returns the year (0 is 1 BC), month and day of a finite date.
func (d Date) YMD() (y, m, day int) { return j2date(int(d) + pgEpochJDate) }

// tmToTimestamp is PostgreSQL's tm2timestamp without a time zone.
func tmToTimestamp(t *tm) (int64, bool) {
	if !validJulian(t.year, t.mon) {
		return 0, false
	}
	date := int64(date2j(t.year, t.mon, t.mday) - pgEpochJDate)
	tod := ((int64(t.hour)*60+int64(t.min))*60+int64(t.sec))*usecsPerSec + t.fsec
	r, ok := mulAdd(date, usecsPerDay, tod)
	if !ok || !validTimestamp(r) {
		return 0, false
	}
	return r, true
}

// timestampToTm breaks down a finite timestamp.
func timestampToTm(ts int64) tm {
	date := ts / usecsPerDay
	tod := ts % usecsPerDay
	if tod < 0 {
		tod += usecsPerDay
		date--
	}
	var t tm
	jd := int(date) + pgEpochJDate
	t.year, t.mon, t.mday = j2date(jd)
	t.wday = j2day(jd)
	t.hour = int(tod / usecsPerHour)
	tod -= int64(t.hour) * usecsPerHour
	t.min = int(tod / usecsPerMinute)
	tod -= int64(t.min) * usecsPerMinute
	t.sec = int(tod / usecsPerSec)
	t.fsec = tod - int64(t.sec)*usecsPerSec
	t.yday = jd - date2j(t.year, 1, 1) + 1
	return t
}

func mulAdd(a, b, c int64) (int64, bool) {
	if a != 0 && (a*b)/a != b {
		return 0, false
	}
	p := a * b
	s := p + c
	if (c > 0 && s < p) || (c < 0 && s > p) {
		return 0, false
	}
	return s, true
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// TimestampFromTime converts a Go time to a Timestamp (its UTC wall clock).
func TimestampFromTime(t time.Time) Timestamp {
	return Timestamp(t.UnixMicro() - (pgEpochJDate-unixEpochJDate)*secsPerDay*usecsPerSec)
}

// Time returns the finite timestamp as a Go time in UTC.
func (t Timestamp) Time() time.Time {
	return time.UnixMicro(int64(t) + (pgEpochJDate-unixEpochJDate)*secsPerDay*usecsPerSec).UTC()
}

// Errors of the datetime input and arithmetic routines.

func datetimeOverflow(what string) error {
	return pgerr.New(pgerrcode.DatetimeFieldOverflow, "%s out of range", what)
}

// ErrTimestampOutOfRange is PostgreSQL's "timestamp out of range" (22008).
func ErrTimestampOutOfRange() error { return datetimeOverflow("timestamp") }

// ErrDateOutOfRange is PostgreSQL's "date out of range" (22008).
func ErrDateOutOfRange() error { return datetimeOverflow("date") }

// ErrIntervalOutOfRange is PostgreSQL's "interval out of range" (22008).
func ErrIntervalOutOfRange() error { return datetimeOverflow("interval") }

// Text output.

func appendPad(buf []byte, v int64, width int) []byte {
	if v < 0 {
		buf = append(buf, '-')
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

// appendSeconds appends ss[.ffffff] with trailing fractional zeros removed.
func appendSeconds(buf []byte, sec int, fsec int64) []byte {
	buf = appendPad(buf, int64(sec), 2)
	if fsec != 0 {
		if fsec < 0 {
			fsec = -fsec
		}
		f := []byte(strconv.FormatInt(fsec+usecsPerSec, 10)[1:])
		for len(f) > 0 && f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		buf = append(buf, '.')
		buf = append(buf, f...)
	}
	return buf
}

func appendYMD(buf []byte, y, m, d int) []byte {
	yy := y
	if y <= 0 {
		yy = 1 - y
	}
	buf = appendPad(buf, int64(yy), 4)
	buf = append(buf, '-')
	buf = appendPad(buf, int64(m), 2)
	buf = append(buf, '-')
	return appendPad(buf, int64(d), 2)
}

// AppendDate appends PostgreSQL's ISO output of a date.
func AppendDate(buf []byte, d Date) []byte {
	switch d {
	case DateNegInfinity:
		return append(buf, "-infinity"...)
	case DateInfinity:
		return append(buf, "infinity"...)
	}
	y, m, day := d.YMD()
	buf = appendYMD(buf, y, m, day)
	if y <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

// AppendTime appends PostgreSQL's output of a time of day.
func AppendTime(buf []byte, t Time) []byte {
	v := int64(t)
	h := v / usecsPerHour
	v -= h * usecsPerHour
	m := v / usecsPerMinute
	v -= m * usecsPerMinute
	s := v / usecsPerSec
	buf = appendPad(buf, h, 2)
	buf = append(buf, ':')
	buf = appendPad(buf, m, 2)
	buf = append(buf, ':')
	return appendSeconds(buf, int(s), v-s*usecsPerSec)
}

// AppendTimestamp appends PostgreSQL's ISO output of a timestamp; withTZ adds the
// UTC offset of a timestamptz (sessions run in UTC: "+00").
func AppendTimestamp(buf []byte, ts int64, withTZ bool) []byte {
	switch ts {
	case math.MinInt64:
		return append(buf, "-infinity"...)
	case math.MaxInt64:
		return append(buf, "infinity"...)
	}
	t := timestampToTm(ts)
	buf = appendYMD(buf, t.year, t.mon, t.mday)
	buf = append(buf, ' ')
	buf = appendPad(buf, int64(t.hour), 2)
	buf = append(buf, ':')
	buf = appendPad(buf, int64(t.min), 2)
	buf = append(buf, ':')
	buf = appendSeconds(buf, t.sec, t.fsec)
	if withTZ {
		buf = append(buf, "+00"...)
	}
	if t.year <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

// Typmods of time, timestamp and timestamptz are the precision p of time(p), 0 to 6.

// timeScale[p] is 10^(6-p): the microsecond step kept by precision p.
var timeScale = [MaxTimePrecision + 1]int64{1000000, 100000, 10000, 1000, 100, 10, 1}

// roundMicros rounds v to precision p, half away from zero, as
// AdjustTimestampForTypmod does.
func roundMicros(v int64, p int32) int64 {
	if p < 0 || p >= MaxTimePrecision {
		return v
	}
	s := timeScale[p]
	if v >= 0 {
		return (v + s/2) / s * s
	}
	return -((-v + s/2) / s * s)
}

// AdjustTimestamp rounds a timestamp (or timestamptz) to typmod's precision.
func AdjustTimestamp(ts int64, typmod int32) (int64, error) {
	if typmod < 0 || typmod >= MaxTimePrecision || ts == math.MinInt64 || ts == math.MaxInt64 {
		return ts, nil
	}
	r := roundMicros(ts, typmod)
	if !validTimestamp(r) {
		return 0, ErrTimestampOutOfRange()
	}
	return r, nil
}
