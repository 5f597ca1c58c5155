package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Interval is an interval datum, with PostgreSQL's three independent fields: a
// month is not a fixed number of days, nor a day a fixed number of microseconds
// (across a daylight-saving change), so none is folded into another.
type Interval struct {
	Months int32
	Days   int32
	Micros int64
}

// Interval typmods: PostgreSQL's INTERVAL_TYPMOD(precision, range). Augur keeps
// the precision and ignores the field range (YEAR TO MONTH, ...).
const (
	intervalFullRange     = 0x7FFF
	intervalFullPrecision = 0xFFFF
)

// IntervalTypmod returns the typmod of interval(p).
func IntervalTypmod(precision int32) int32 {
	return intervalFullRange<<16 | precision&0xFFFF
}

func intervalPrecision(typmod int32) int32 {
	if typmod < 0 {
		return -1
	}
	p := typmod & 0xFFFF
	if p == intervalFullPrecision {
		return -1
	}
	return p
}

// span returns the interval as whole days (months counted as 30 days) and
// remaining microseconds in [0, 1 day): PostgreSQL's comparison value, exactly.
func (iv Interval) span() (days int64, micros int64) {
	days = int64(iv.Months)*daysPerMonth + int64(iv.Days)
	q := iv.Micros / usecsPerDay
	r := iv.Micros % usecsPerDay
	if r < 0 {
		r += usecsPerDay
		q--
	}
	return days + q, r
}

// IntervalCmp compares intervals as PostgreSQL does: by their total span with a
// month of 30 days and a day of 24 hours, so '1 mon' = '30 days'.
func IntervalCmp(a, b Interval) int {
	ad, am := a.span()
	bd, bm := b.span()
	switch {
	case ad < bd:
		return -1
	case ad > bd:
		return 1
	case am < bm:
		return -1
	case am > bm:
		return 1
	}
	return 0
}

// AppendInterval appends PostgreSQL's output of an interval (IntervalStyle
// postgres): "1 year 2 mons -3 days +04:05:06.5".
func AppendInterval(buf []byte, iv Interval) []byte {
	year := int64(iv.Months / 12)
	mon := int64(iv.Months % 12)
	mday := int64(iv.Days)
	t := iv.Micros
	hour := t / usecsPerHour
	t -= hour * usecsPerHour
	min := t / usecsPerMinute
	t -= min * usecsPerMinute
	sec := t / usecsPerSec
	fsec := t - sec*usecsPerSec

	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			buf = append(buf, ' ')
		}
		if isBefore && v > 0 {
			buf = append(buf, '+')
		}
		buf = strconv.AppendInt(buf, v, 10)
		buf = append(buf, ' ')
		buf = append(buf, unit...)
		if v != 1 {
			buf = append(buf, 's')
		}
		isBefore = v < 0
		isZero = false
	}
	part(year, "year")
	part(mon, "mon")
	part(mday, "day")
	if isZero || hour != 0 || min != 0 || sec != 0 || fsec != 0 {
		minus := hour < 0 || min < 0 || sec < 0 || fsec < 0
		if !isZero {
			buf = append(buf, ' ')
		}
		if minus {
			buf = append(buf, '-')
		} else if isBefore {
			buf = append(buf, '+')
		}
		buf = appendPad(buf, absI(hour), 2)
		buf = append(buf, ':')
		buf = appendPad(buf, absI(min), 2)
		buf = append(buf, ':')
		buf = appendSeconds(buf, int(absI(sec)), absI(fsec))
	}
	return buf
}

func absI(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// itmIn is PostgreSQL's pg_itm_in: interval input fields with their own
// overflow checks.
type itmIn struct {
	usec int64
	mday int32
	mon  int32
	year int32
}

func (it *itmIn) addMicros(val int64, fval float64, scale int64) bool {
	v, ok := mulAdd(val, scale, it.usec)
	if !ok {
		return false
	}
	it.usec = v
	return it.addFractMicros(fval, scale)
}

func (it *itmIn) addFractMicros(frac float64, scale int64) bool {
	if frac == 0 {
		return true
	}
	frac *= float64(scale)
	if math.IsNaN(frac) || frac < -9.2e18 || frac > 9.2e18 {
		return false
	}
	usec := int64(frac)
	frac -= float64(usec)
	usec += int64(math.RoundToEven(frac))
	v, ok := addInt64(it.usec, usec)
	it.usec = v
	return ok
}

func add32(a int32, b int64) (int32, bool) {
	s := int64(a) + b
	if s < math.MinInt32 || s > math.MaxInt32 {
		return 0, false
	}
	return int32(s), true
}

func (it *itmIn) addDays(val int64, scale int64) bool {
	if val > math.MaxInt32 || val < math.MinInt32 {
		return false
	}
	p := val * scale
	if p > math.MaxInt32 || p < math.MinInt32 {
		return false
	}
	var ok bool
	it.mday, ok = add32(it.mday, p)
	return ok
}

func (it *itmIn) addFractDays(frac float64, scale float64) bool {
	if frac == 0 {
		return true
	}
	frac *= scale
	if frac > math.MaxInt32 || frac < math.MinInt32 {
		return false
	}
	extra := int64(frac)
	var ok bool
	if it.mday, ok = add32(it.mday, extra); !ok {
		return false
	}
	frac -= float64(extra)
	return it.addFractMicros(frac, usecsPerDay)
}

func (it *itmIn) addMonths(val int64) bool {
	if val > math.MaxInt32 || val < math.MinInt32 {
		return false
	}
	var ok bool
	it.mon, ok = add32(it.mon, val)
	return ok
}

func (it *itmIn) addYears(val int64, scale int64) bool {
	if val > math.MaxInt32 || val < math.MinInt32 {
		return false
	}
	p := val * scale
	if p > math.MaxInt32 || p < math.MinInt32 {
		return false
	}
	var ok bool
	it.year, ok = add32(it.year, p)
	return ok
}

func (it *itmIn) addFractYears(frac float64, scale int64) bool {
	if frac == 0 {
		return true
	}
	extra := math.RoundToEven(frac * float64(scale) * 12)
	if extra > math.MaxInt32 || extra < math.MinInt32 {
		return false
	}
	var ok bool
	it.mon, ok = add32(it.mon, int64(extra))
	return ok
}

func (it *itmIn) interval() (Interval, bool) {
	months := int64(it.year)*12 + int64(it.mon)
	if months > math.MaxInt32 || months < math.MinInt32 {
		return Interval{}, false
	}
	return Interval{Months: int32(months), Days: it.mday, Micros: it.usec}, true
}

// decodeTimeForInterval is DecodeTimeForInterval: [-]hh:mm[:ss[.fff]] with an
// unbounded hour.
func decodeTimeForInterval(s string, it *itmIn) dterr {
	h, rest, ok := atoiField(s)
	if !ok {
		return dtFieldOverflow
	}
	if !strings.HasPrefix(rest, ":") {
		return dtBadFormat
	}
	m, rest, ok := strtoi(rest[1:])
	if !ok {
		return dtFieldOverflow
	}
	var sec int
	var fsec int64
	switch {
	case rest == "":
	case rest[0] == '.':
		f, e := parseFraction(rest)
		if e != dtOK {
			return e
		}
		h, m, sec, fsec = 0, int(h), m, f
	case rest[0] == ':':
		sec, rest, ok = strtoi(rest[1:])
		if !ok {
			return dtFieldOverflow
		}
		switch {
		case rest == "":
		case rest[0] == '.':
			f, e := parseFraction(rest)
			if e != dtOK {
				return e
			}
			fsec = f
		default:
			return dtBadFormat
		}
	default:
		return dtBadFormat
	}
	if h < 0 || m < 0 || m > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > usecsPerSec {
		return dtFieldOverflow
	}
	v := fsec
	var ok1, ok2, ok3 bool
	v, ok1 = mulAdd(h, usecsPerHour, v)
	v, ok2 = mulAdd(int64(m), usecsPerMinute, v)
	v, ok3 = mulAdd(int64(sec), usecsPerSec, v)
	if !ok1 || !ok2 || !ok3 {
		return dtFieldOverflow
	}
	it.usec = v
	return dtOK
}

// decodeInterval is DecodeInterval (IntervalStyle postgres): fields are read right
// to left so that a unit applies to the number before it.
func decodeInterval(fields []string, kinds []int) (itmIn, dterr) {
	var it itmIn
	isBefore := false
	fmask := 0
	typ := 0 // the unit of the number to the left; 0 until one is seen
	for i := len(fields) - 1; i >= 0; i-- {
		f := fields[i]
		tmask := 0
		switch kinds[i] {
		case fTime:
			if e := decodeTimeForInterval(f, &it); e != dtOK {
				return it, e
			}
			tmask = mTime
			typ = dtkDay
		case fTZ, fDate, fNumber:
			if kinds[i] == fTZ && strings.Contains(f[1:], ":") {
				var tmp itmIn
				tmp.usec = it.usec
				if decodeTimeForInterval(f[1:], &tmp) == dtOK {
					if f[0] == '-' {
						tmp.usec = -tmp.usec
					}
					it.usec = tmp.usec
					tmask = mTime
					typ = dtkDay
					break
				}
			}
			if typ == 0 {
				typ = dtkSecond
			}
			val, rest, ok := atoiField(f)
			if !ok {
				return it, dtFieldOverflow
			}
			var fval float64
			switch {
			case strings.HasPrefix(rest, "-") && rest != f:
				val2, r2, ok := strtoi(rest[1:])
				if !ok || val2 < 0 || val2 >= 12 || r2 == rest[1:] {
					if r2 == rest[1:] {
						return it, dtBadFormat
					}
					return it, dtFieldOverflow
				}
				if r2 != "" {
					return it, dtBadFormat
				}
				typ = dtkMonth
				if f[0] == '-' {
					val2 = -val2
				}
				v, ok := mulAdd(val, 12, int64(val2))
				if !ok {
					return it, dtFieldOverflow
				}
				val = v
			case strings.HasPrefix(rest, "."):
				fr, e := parseFractionFloat(rest)
				if e != dtOK {
					return it, e
				}
				fval = fr
				if f[0] == '-' {
					fval = -fval
				}
			case rest == "" && len(f) > 0 && (isDigit(f[len(f)-1])):
			default:
				return it, dtBadFormat
			}
			ok = true
			switch typ {
			case dtkMicrosec:
				ok = it.addMicros(val, fval, 1)
				tmask = mMicrosecond
			case dtkMillisec:
				ok = it.addMicros(val, fval, 1000)
				tmask = mMillisecond
			case dtkSecond:
				ok = it.addMicros(val, fval, usecsPerSec)
				if fval == 0 {
					tmask = mSecond
				} else {
					tmask = mAllSecs
				}
			case dtkMinute:
				ok = it.addMicros(val, fval, usecsPerMinute)
				tmask = mMinute
			case dtkHour:
				ok = it.addMicros(val, fval, usecsPerHour)
				tmask = mHour
				typ = dtkDay
			case dtkDay:
				ok = it.addDays(val, 1) && it.addFractMicros(fval, usecsPerDay)
				tmask = mDay
			case dtkWeek:
				ok = it.addDays(val, 7) && it.addFractDays(fval, 7)
				tmask = mWeek
			case dtkMonth:
				ok = it.addMonths(val) && it.addFractDays(fval, daysPerMonth)
				tmask = mMonth
			case dtkYear:
				ok = it.addYears(val, 1) && it.addFractYears(fval, 1)
				tmask = mYear
			case dtkDecade:
				ok = it.addYears(val, 10) && it.addFractYears(fval, 10)
				tmask = mDecade
			case dtkCentury:
				ok = it.addYears(val, 100) && it.addFractYears(fval, 100)
				tmask = mCentury
			case dtkMillennium:
				ok = it.addYears(val, 1000) && it.addFractYears(fval, 1000)
				tmask = mMillennium
			default:
				return it, dtBadFormat
			}
			if !ok {
				return it, dtFieldOverflow
			}
		case fString, fSpecial:
			tok, ok := unitTokens[tokenKey(f)]
			if !ok {
				return it, dtBadFormat
			}
			switch tok.typ {
			case tkIgnore:
				continue
			case tkUnits:
				typ = tok.val
			case tkAgo:
				isBefore = true
			default:
				return it, dtBadFormat
			}
		default:
			return it, dtBadFormat
		}
		if tmask&fmask != 0 {
			return it, dtBadFormat
		}
		fmask |= tmask
	}
	if fmask == 0 {
		return it, dtBadFormat
	}
	if isBefore {
		if it.usec == math.MinInt64 || it.mday == math.MinInt32 || it.mon == math.MinInt32 || it.year == math.MinInt32 {
			return it, dtFieldOverflow
		}
		it.usec, it.mday, it.mon, it.year = -it.usec, -it.mday, -it.mon, -it.year
	}
	return it, dtOK
}

// parseISO8601Number reads a decimal number for the ISO 8601 interval format,
// split into integer and fractional parts.
func parseISO8601Number(s string) (ipart int64, fpart float64, rest string, e dterr) {
	if s == "" || !(isDigit(s[0]) || s[0] == '-' || s[0] == '.') {
		return 0, 0, s, dtBadFormat
	}
	j := 0
	if s[j] == '-' {
		j++
	}
	digits := 0
	for j < len(s) && isDigit(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, s, dtBadFormat
	}
	v, err := strconv.ParseFloat(s[:j], 64)
	if err != nil {
		return 0, 0, s, dtBadFormat
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, 0, s, dtFieldOverflow
	}
	ip := math.Trunc(v)
	return int64(ip), v - ip, s[j:], dtOK
}

func intWidth(s string) int {
	s = strings.TrimPrefix(s, "-")
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// decodeISO8601Interval reads "P1Y2M3DT4H5M6S" and the alternative format
// "P0001-02-03T04:05:06".
func decodeISO8601Interval(s string) (itmIn, dterr) {
	var it itmIn
	if len(s) < 2 || s[0] != 'P' {
		return it, dtBadFormat
	}
	s = s[1:]
	datePart, haveField := true, false
	fail := func(ok bool) dterr {
		if !ok {
			return dtFieldOverflow
		}
		return dtOK
	}
	for s != "" {
		if s[0] == 'T' {
			datePart, haveField = false, false
			s = s[1:]
			continue
		}
		start := s
		val, fval, rest, e := parseISO8601Number(s)
		if e != dtOK {
			return it, e
		}
		s = rest
		var unit byte
		if s != "" {
			unit = s[0]
			s = s[1:]
		}
		if datePart {
			switch unit {
			case 'Y':
				e = fail(it.addYears(val, 1) && it.addFractYears(fval, 1))
			case 'M':
				e = fail(it.addMonths(val) && it.addFractDays(fval, daysPerMonth))
			case 'W':
				e = fail(it.addDays(val, 7) && it.addFractDays(fval, 7))
			case 'D':
				e = fail(it.addDays(val, 1) && it.addFractMicros(fval, usecsPerDay))
			case 'T', 0, '-':
				if unit != '-' && intWidth(start) == 8 && !haveField {
					e = fail(it.addYears(val/10000, 1) && it.addMonths((val/100)%100) && it.addDays(val%100, 1) && it.addFractMicros(fval, usecsPerDay))
					if e != dtOK || unit == 0 {
						return it, e
					}
					datePart, haveField = false, false
					continue
				}
				if haveField {
					return it, dtBadFormat
				}
				if e = fail(it.addYears(val, 1) && it.addFractYears(fval, 1)); e != dtOK {
					return it, e
				}
				if unit == 0 {
					return it, dtOK
				}
				if unit == 'T' {
					datePart, haveField = false, false
					continue
				}
				val, fval, s, e = parseISO8601Number(s)
				if e != dtOK {
					return it, e
				}
				if e = fail(it.addMonths(val) && it.addFractDays(fval, daysPerMonth)); e != dtOK {
					return it, e
				}
				if s == "" {
					return it, dtOK
				}
				if s[0] == 'T' {
					datePart, haveField = false, false
					s = s[1:]
					continue
				}
				if s[0] != '-' {
					return it, dtBadFormat
				}
				val, fval, s, e = parseISO8601Number(s[1:])
				if e != dtOK {
					return it, e
				}
				if e = fail(it.addDays(val, 1) && it.addFractMicros(fval, usecsPerDay)); e != dtOK {
					return it, e
				}
				if s == "" {
					return it, dtOK
				}
				if s[0] == 'T' {
					datePart, haveField = false, false
					s = s[1:]
					continue
				}
				return it, dtBadFormat
			default:
				return it, dtBadFormat
			}
		} else {
			switch unit {
			case 'H':
				e = fail(it.addMicros(val, fval, usecsPerHour))
			case 'M':
				e = fail(it.addMicros(val, fval, usecsPerMinute))
			case 'S':
				e = fail(it.addMicros(val, fval, usecsPerSec))
			case 0, ':':
				if unit == 0 && intWidth(start) == 6 && !haveField {
					return it, fail(it.addMicros(val/10000, 0, usecsPerHour) && it.addMicros((val/100)%100, 0, usecsPerMinute) &&
						it.addMicros(val%100, fval, usecsPerSec))
				}
				if haveField {
					return it, dtBadFormat
				}
				if e = fail(it.addMicros(val, fval, usecsPerHour)); e != dtOK || unit == 0 {
					return it, e
				}
				val, fval, s, e = parseISO8601Number(s)
				if e != dtOK {
					return it, e
				}
				if e = fail(it.addMicros(val, fval, usecsPerMinute)); e != dtOK {
					return it, e
				}
				if s == "" {
					return it, dtOK
				}
				if s[0] != ':' {
					return it, dtBadFormat
				}
				val, fval, s, e = parseISO8601Number(s[1:])
				if e != dtOK {
					return it, e
				}
				if e = fail(it.addMicros(val, fval, usecsPerSec)); e != dtOK {
					return it, e
				}
				if s == "" {
					return it, dtOK
				}
				return it, dtBadFormat
			default:
				return it, dtBadFormat
			}
		}
		if e != dtOK {
			return it, e
		}
		haveField = true
	}
	return it, dtOK
}

// ParseInterval parses PostgreSQL's interval input: the postgres format ("1 year 2
// mons 3 days 04:05:06", "@ 1 hour ago", "1-2") and ISO 8601 ("P1Y2M", "PT1H").
func ParseInterval(b []byte) (Interval, error) {
	fields, kinds, e := splitDateTime(b)
	var it itmIn
	if e == dtOK {
		it, e = decodeInterval(fields, kinds)
	}
	if e == dtBadFormat {
		it, e = decodeISO8601Interval(string(b))
	}
	if e != dtOK {
		if e == dtFieldOverflow {
			e = dtIntervalOverflow
		}
		return Interval{}, reportDT(e, b, IntervalT)
	}
	iv, ok := it.interval()
	if !ok {
		return Interval{}, ErrIntervalOutOfRange()
	}
	return iv, nil
}

// AdjustInterval rounds an interval's microseconds to typmod's precision.
func AdjustInterval(iv Interval, typmod int32) Interval {
	if p := intervalPrecision(typmod); p >= 0 && p < MaxTimePrecision {
		iv.Micros = roundMicros(iv.Micros, p)
	}
	return iv
}

// Interval arithmetic.

// IntervalAdd returns a + b (interval_pl).
func IntervalAdd(a, b Interval) (Interval, error) {
	m, ok1 := add32(a.Months, int64(b.Months))
	d, ok2 := add32(a.Days, int64(b.Days))
	t, ok3 := addInt64(a.Micros, b.Micros)
	if !ok1 || !ok2 || !ok3 {
		return Interval{}, ErrIntervalOutOfRange()
	}
	return Interval{m, d, t}, nil
}

// IntervalNeg returns -a (interval_um).
func IntervalNeg(a Interval) (Interval, error) {
	if a.Months == math.MinInt32 || a.Days == math.MinInt32 || a.Micros == math.MinInt64 {
		return Interval{}, ErrIntervalOutOfRange()
	}
	return Interval{-a.Months, -a.Days, -a.Micros}, nil
}

// IntervalSub returns a - b (interval_mi).
func IntervalSub(a, b Interval) (Interval, error) {
	m, ok1 := add32(a.Months, -int64(b.Months))
	d, ok2 := add32(a.Days, -int64(b.Days))
	t, ok3 := addInt64(a.Micros, -b.Micros)
	if !ok1 || !ok2 || !ok3 || b.Micros == math.MinInt64 {
		return Interval{}, ErrIntervalOutOfRange()
	}
	return Interval{m, d, t}, nil
}

// tsround is PostgreSQL's TSROUND: round to microsecond precision.
func tsround(v float64) float64 { return math.RoundToEven(v*1e6) / 1e6 }

func fitsInt32(f float64) bool { return !math.IsNaN(f) && f >= math.MinInt32 && f < math.MaxInt32+1.0 }
func fitsInt64(f float64) bool {
	return !math.IsNaN(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0
}

// IntervalMul returns iv * factor (interval_mul): fractional months cascade into
// days and fractional days into time, never upwards.
func IntervalMul(iv Interval, factor float64) (Interval, error) {
	return intervalScale(iv, func(v float64) float64 { return v * factor })
}

// IntervalDiv returns iv / factor (interval_div); dividing by zero is 22012.
func IntervalDiv(iv Interval, factor float64) (Interval, error) {
	if factor == 0 {
		return Interval{}, pgerr.New(pgerrcode.DivisionByZero, "division by zero")
	}
	return intervalScale(iv, func(v float64) float64 { return v / factor })
}

func intervalScale(iv Interval, f func(float64) float64) (Interval, error) {
	var r Interval
	m := f(float64(iv.Months))
	if !fitsInt32(m) {
		return r, ErrIntervalOutOfRange()
	}
	r.Months = int32(m)
	d := f(float64(iv.Days))
	if !fitsInt32(d) {
		return r, ErrIntervalOutOfRange()
	}
	r.Days = int32(d)
	monthRemDays := tsround((m - float64(r.Months)) * daysPerMonth)
	secRem := tsround((d - float64(r.Days) + monthRemDays - math.Trunc(monthRemDays)) * secsPerDay)
	var ok bool
	if math.Abs(secRem) >= secsPerDay {
		whole := math.Trunc(secRem / secsPerDay)
		if r.Days, ok = add32(r.Days, int64(whole)); !ok {
			return r, ErrIntervalOutOfRange()
		}
		secRem -= whole * secsPerDay
	}
	if r.Days, ok = add32(r.Days, int64(monthRemDays)); !ok {
		return r, ErrIntervalOutOfRange()
	}
	t := math.RoundToEven(f(float64(iv.Micros)) + secRem*usecsPerSec)
	if !fitsInt64(t) {
		return r, ErrIntervalOutOfRange()
	}
	r.Micros = int64(t)
	return r, nil
}

// JustifyHours moves whole 24-hour periods of the time part into days.
func JustifyHours(iv Interval) (Interval, error) {
	whole := iv.Micros / usecsPerDay
	iv.Micros -= whole * usecsPerDay
	var ok bool
	if iv.Days, ok = add32(iv.Days, whole); !ok {
		return Interval{}, ErrIntervalOutOfRange()
	}
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += usecsPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= usecsPerDay
		iv.Days++
	}
	return iv, nil
}

// JustifyDays moves whole 30-day periods into months.
func JustifyDays(iv Interval) (Interval, error) {
	whole := iv.Days / daysPerMonth
	iv.Days -= whole * daysPerMonth
	var ok bool
	if iv.Months, ok = add32(iv.Months, int64(whole)); !ok {
		return Interval{}, ErrIntervalOutOfRange()
	}
	if iv.Months > 0 && iv.Days < 0 {
		iv.Days += daysPerMonth
		iv.Months--
	} else if iv.Months < 0 && iv.Days > 0 {
		iv.Days -= daysPerMonth
		iv.Months++
	}
	return iv, nil
}

// JustifyInterval is justify_interval: both justifications with consistent signs.
func JustifyInterval(iv Interval) (Interval, error) {
	wholeDay := iv.Micros / usecsPerDay
	iv.Micros -= wholeDay * usecsPerDay
	days := int64(iv.Days) + wholeDay
	wholeMonth := days / daysPerMonth
	days -= wholeMonth * daysPerMonth
	months := int64(iv.Months) + wholeMonth
	if months > math.MaxInt32 || months < math.MinInt32 {
		return Interval{}, ErrIntervalOutOfRange()
	}
	iv.Months, iv.Days = int32(months), int32(days)
	if iv.Months > 0 && (iv.Days < 0 || (iv.Days == 0 && iv.Micros < 0)) {
		iv.Days += daysPerMonth
		iv.Months--
	} else if iv.Months < 0 && (iv.Days > 0 || (iv.Days == 0 && iv.Micros > 0)) {
		iv.Days -= daysPerMonth
		iv.Months++
	}
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += usecsPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= usecsPerDay
		iv.Days++
	}
	return iv, nil
}

// Date and timestamp arithmetic.

// TimestampAddInterval returns ts + iv (or ts - iv when sub): months first (clamping
// the day to the month's end), then days, then the time, as timestamp_pl_interval.
// Infinite timestamps are returned unchanged.
func TimestampAddInterval(ts int64, iv Interval, sub bool) (int64, error) {
	if ts == math.MinInt64 || ts == math.MaxInt64 {
		return ts, nil
	}
	if sub {
		var err error
		if iv, err = IntervalNeg(iv); err != nil {
			return 0, err
		}
	}
	if iv.Months != 0 {
		t := timestampToTm(ts)
		mon := int64(t.mon) + int64(iv.Months)
		year := int64(t.year)
		if mon > 12 {
			year += (mon - 1) / 12
			mon = (mon-1)%12 + 1
		} else if mon < 1 {
			year += mon/12 - 1
			mon = mon%12 + 12
		}
		if year < -5000 || year > 300000 {
			return 0, ErrTimestampOutOfRange()
		}
		t.year, t.mon = int(year), int(mon)
		if md := monthDays(t.year, t.mon); t.mday > md {
			t.mday = md
		}
		r, ok := tmToTimestamp(&t)
		if !ok {
			return 0, ErrTimestampOutOfRange()
		}
		ts = r
	}
	if iv.Days != 0 {
		t := timestampToTm(ts)
		j := date2j(t.year, t.mon, t.mday) + int(iv.Days)
		if j < 0 {
			return 0, ErrTimestampOutOfRange()
		}
		t.year, t.mon, t.mday = j2date(j)
		r, ok := tmToTimestamp(&t)
		if !ok {
			return 0, ErrTimestampOutOfRange()
		}
		ts = r
	}
	r, ok := addInt64(ts, iv.Micros)
	if !ok || !validTimestamp(r) {
		return 0, ErrTimestampOutOfRange()
	}
	return r, nil
}

// TimestampSub returns a - b as an interval of days and time (timestamp_mi).
func TimestampSub(a, b int64) (Interval, error) {
	if a == math.MinInt64 || a == math.MaxInt64 || b == math.MinInt64 || b == math.MaxInt64 {
		return Interval{}, pgerr.New(pgerrcode.DatetimeFieldOverflow, "cannot subtract infinite timestamps")
	}
	d, ok := addInt64(a, -b)
	if !ok {
		return Interval{}, ErrIntervalOutOfRange()
	}
	return JustifyHours(Interval{Micros: d})
}

// timestampEndJulian is the first Julian day past the timestamp range.
const timestampEndJulian = 109203528

// DateToTimestamp converts a date to the timestamp of its midnight.
func DateToTimestamp(d Date) (int64, error) {
	switch d {
	case DateNegInfinity:
		return math.MinInt64, nil
	case DateInfinity:
		return math.MaxInt64, nil
	}
	if int64(d) >= timestampEndJulian-pgEpochJDate {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date out of range for timestamp")
	}
	return int64(d) * usecsPerDay, nil
}

// TimestampToDate returns the date of a timestamp.
func TimestampToDate(ts int64) Date {
	switch ts {
	case math.MinInt64:
		return DateNegInfinity
	case math.MaxInt64:
		return DateInfinity
	}
	d := ts / usecsPerDay
	if ts%usecsPerDay < 0 {
		d--
	}
	return Date(d)
}

// TimestampToTime returns the time of day of a finite timestamp.
func TimestampToTime(ts int64) Time {
	t := ts % usecsPerDay
	if t < 0 {
		t += usecsPerDay
	}
	return Time(t)
}

// DateAddDays returns d + n (date_pli); infinite dates are unchanged.
func DateAddDays(d Date, n int64) (Date, error) {
	if !d.IsFinite() {
		return d, nil
	}
	r := int64(d) + n
	if !validDate(r) {
		return 0, ErrDateOutOfRange()
	}
	return Date(r), nil
}

// DateSub returns a - b in days (date_mi).
func DateSub(a, b Date) (int64, error) {
	if !a.IsFinite() || !b.IsFinite() {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "cannot subtract infinite dates")
	}
	return int64(a) - int64(b), nil
}

// TimeAddInterval returns t + iv (or t - iv) modulo 24 hours; the interval's months
// and days are ignored, as time_pl_interval does.
func TimeAddInterval(t Time, iv Interval, sub bool) Time {
	m := iv.Micros % usecsPerDay
	if sub {
		m = -m
	}
	r := (int64(t) + m) % usecsPerDay
	if r < 0 {
		r += usecsPerDay
	}
	return Time(r)
}

// CompareDateTimestamp compares a date with a timestamp as PostgreSQL does: a date
// beyond the timestamp range is later than every finite timestamp.
func CompareDateTimestamp(d Date, ts int64) int {
	v, err := DateToTimestamp(d)
	if err != nil {
		if ts == math.MaxInt64 {
			return -1
		}
		return 1
	}
	return cmpInt64(v, ts)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
