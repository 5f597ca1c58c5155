package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// The datetime input parser follows PostgreSQL's datetime.c: the string is split
// into fields (ParseDateTime), each field is classified by its shape, and the
// fields are then read in context (DecodeDateTime, DecodeTimeOnly,
// DecodeInterval), with DateStyle ISO, MDY: an ambiguous all-numeric date is read
// month/day/year.

// Field kinds, as ParseDateTime classifies them.
const (
	fNumber  = iota // digits, possibly with one '.' (fraction or yyyy.ddd)
	fString         // letters
	fDate           // digits with - / . separators, or a zone name with punctuation
	fTime           // digits with ':'
	fTZ             // + or - followed by digits
	fSpecial        // + or - followed by letters
)

// dterr is an input error kind, reported by reportDT as PostgreSQL's
// DateTimeParseError does.
type dterr int

const (
	dtOK dterr = iota
	dtBadFormat
	dtFieldOverflow
	dtMDFieldOverflow
	dtIntervalOverflow
	dtTZDispOverflow
)

func reportDT(e dterr, s []byte, t T) error {
	switch e {
	case dtFieldOverflow:
		return pgerr.New(pgerrcode.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", string(s))
	case dtMDFieldOverflow:
		return pgerr.New(pgerrcode.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", string(s)).
			WithHint("Perhaps you need a different \"datestyle\" setting.")
	case dtIntervalOverflow:
		return pgerr.New(pgerrcode.IntervalFieldOverflow, "interval field value out of range: \"%s\"", string(s))
	case dtTZDispOverflow:
		return pgerr.New(pgerrcode.InvalidTimeZoneDisplacementValue, "time zone displacement out of range: \"%s\"", string(s))
	}
	name := map[T]string{DateT: "date", TimeT: "time", TimestampT: "timestamp", TimestampTZT: "timestamp with time zone", IntervalT: "interval"}[t]
	return pgerr.New(pgerrcode.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", name, string(s))
}

const (
	maxDateLen    = 128 // MAXDATELEN: longest field buffer
	maxDateFields = 25  // MAXDATEFIELDS
)

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
func isPunct(c byte) bool { return c > ' ' && c < 0x7f && !isAlnum(c) }

// splitDateTime is ParseDateTime: it returns the fields (lower-cased) and their
// kinds.
func splitDateTime(s []byte) ([]string, []int, dterr) {
	var fields []string
	var kinds []int
	total := 0
	i := 0
	for i < len(s) {
		c := s[i]
		if isSpace(c) {
			i++
			continue
		}
		if len(fields) >= maxDateFields {
			return nil, nil, dtBadFormat
		}
		var f []byte
		kind := 0
		add := func(c byte) { f = append(f, c); i++ }
		switch {
		case isDigit(c):
			add(c)
			for i < len(s) && isDigit(s[i]) {
				add(s[i])
			}
			switch {
			case i < len(s) && s[i] == ':':
				kind = fTime
				add(':')
				for i < len(s) && (isDigit(s[i]) || s[i] == ':' || s[i] == '.') {
					add(s[i])
				}
			case i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == '.'):
				delim := s[i]
				add(delim)
				if i < len(s) && isDigit(s[i]) {
					kind = fDate
					if delim == '.' {
						kind = fNumber
					}
					for i < len(s) && isDigit(s[i]) {
						add(s[i])
					}
					if i < len(s) && s[i] == delim {
						kind = fDate
						add(delim)
						for i < len(s) && (isDigit(s[i]) || s[i] == delim) {
							add(s[i])
						}
					}
				} else {
					kind = fDate
					for i < len(s) && (isAlnum(s[i]) || s[i] == delim) {
						add(lower(s[i]))
					}
				}
			default:
				kind = fNumber
			}
		case c == '.':
			add(c)
			for i < len(s) && isDigit(s[i]) {
				add(s[i])
			}
			kind = fNumber
		case isAlpha(c):
			kind = fString
			add(lower(c))
			for i < len(s) && isAlpha(s[i]) {
				add(lower(s[i]))
			}
			isDate := false
			if i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == '.') {
				isDate = true
			} else if i < len(s) && (s[i] == '+' || isDigit(s[i])) {
				if _, ok := dateTokens[tokenKey(string(f))]; !ok {
					isDate = true
				}
			}
			if isDate {
				kind = fDate
				for {
					add(lower(s[i]))
					if i >= len(s) {
						break
					}
					if c := s[i]; !(c == '+' || c == '-' || c == '/' || c == '_' || c == '.' || c == ':' || isAlnum(c)) {
						break
					}
				}
			}
		case c == '+' || c == '-':
			add(c)
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			switch {
			case i < len(s) && isDigit(s[i]):
				kind = fTZ
				add(s[i])
				for i < len(s) && (isDigit(s[i]) || s[i] == ':' || s[i] == '.' || s[i] == '-') {
					add(s[i])
				}
			case i < len(s) && isAlpha(s[i]):
				kind = fSpecial
				add(lower(s[i]))
				for i < len(s) && isAlpha(s[i]) {
					add(lower(s[i]))
				}
			default:
				return nil, nil, dtBadFormat
			}
		case isPunct(c):
			i++
			continue
		default:
			return nil, nil, dtBadFormat
		}
		total += len(f) + 1
		if total > maxDateLen {
			return nil, nil, dtBadFormat
		}
		fields = append(fields, string(f))
		kinds = append(kinds, kind)
	}
	return fields, kinds, dtOK
}

// Token types of the keyword tables (datetktbl, deltatktbl).
const (
	tkReserved = iota + 1
	tkMonth
	tkDOW
	tkAMPM
	tkADBC
	tkUnits
	tkISOTime
	tkIgnore
	tkTZ  // time zone abbreviation: val is seconds east of UTC
	tkDTZ // daylight-saving zone abbreviation
	tkDTZMod
	tkAgo
)

// Values of reserved words and units.
const (
	dtkEpoch = iota + 1
	dtkLate
	dtkEarly
	dtkNow
	dtkToday
	dtkTomorrow
	dtkYesterday
	dtkZulu
	dtkAM
	dtkPM
	dtkAD
	dtkBC

	dtkMicrosec
	dtkMillisec
	dtkSecond
	dtkMinute
	dtkHour
	dtkDay
	dtkWeek
	dtkMonth
	dtkQuarter
	dtkYear
	dtkDecade
	dtkCentury
	dtkMillennium
	dtkJulian
	dtkTime // after "t"
	dtkTZ
	dtkTZHour
	dtkTZMinute
	dtkDOW
	dtkISODOW
	dtkDOY
	dtkISOYear
	dtkEpochUnit
)

type token struct{ typ, val int }

// tokenKey truncates a keyword as PostgreSQL compares them (TOKMAXLEN = 10).
func tokenKey(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// dateTokens is datetktbl.
var dateTokens = map[string]token{
	"-infinity": {tkReserved, dtkEarly}, "infinity": {tkReserved, dtkLate},
	"ad": {tkADBC, dtkAD}, "bc": {tkADBC, dtkBC},
	"allballs": {tkReserved, dtkZulu}, "epoch": {tkReserved, dtkEpoch}, "now": {tkReserved, dtkNow},
	"today": {tkReserved, dtkToday}, "tomorrow": {tkReserved, dtkTomorrow}, "yesterday": {tkReserved, dtkYesterday},
	"am": {tkAMPM, dtkAM}, "pm": {tkAMPM, dtkPM},
	"at": {tkIgnore, 0}, "on": {tkIgnore, 0},
	"d": {tkUnits, dtkDay}, "h": {tkUnits, dtkHour}, "j": {tkUnits, dtkJulian}, "jd": {tkUnits, dtkJulian},
	"julian": {tkUnits, dtkJulian}, "m": {tkUnits, dtkMonth}, "mm": {tkUnits, dtkMinute}, "s": {tkUnits, dtkSecond},
	"y": {tkUnits, dtkYear}, "t": {tkISOTime, dtkTime}, "dst": {tkDTZMod, 3600},
	"jan": {tkMonth, 1}, "january": {tkMonth, 1}, "feb": {tkMonth, 2}, "february": {tkMonth, 2},
	"mar": {tkMonth, 3}, "march": {tkMonth, 3}, "apr": {tkMonth, 4}, "april": {tkMonth, 4},
	"may": {tkMonth, 5}, "jun": {tkMonth, 6}, "june": {tkMonth, 6}, "jul": {tkMonth, 7}, "july": {tkMonth, 7},
	"aug": {tkMonth, 8}, "august": {tkMonth, 8}, "sep": {tkMonth, 9}, "sept": {tkMonth, 9},
	"september": {tkMonth, 9}, "oct": {tkMonth, 10}, "october": {tkMonth, 10},
	"nov": {tkMonth, 11}, "november": {tkMonth, 11}, "dec": {tkMonth, 12}, "december": {tkMonth, 12},
	"sun": {tkDOW, 0}, "sunday": {tkDOW, 0}, "mon": {tkDOW, 1}, "monday": {tkDOW, 1},
	"tue": {tkDOW, 2}, "tues": {tkDOW, 2}, "tuesday": {tkDOW, 2}, "wed": {tkDOW, 3}, "weds": {tkDOW, 3},
	"wednesday": {tkDOW, 3}, "thu": {tkDOW, 4}, "thur": {tkDOW, 4}, "thurs": {tkDOW, 4},
	"thursday": {tkDOW, 4}, "fri": {tkDOW, 5}, "friday": {tkDOW, 5}, "sat": {tkDOW, 6}, "saturday": {tkDOW, 6},
}

// zoneAbbrevs are some of PostgreSQL's default time zone abbreviations.
var zoneAbbrevs = map[string]token{
	"utc": {tkTZ, 0}, "gmt": {tkTZ, 0}, "ut": {tkTZ, 0}, "z": {tkTZ, 0}, "zulu": {tkTZ, 0},
	"est": {tkTZ, -5 * 3600}, "edt": {tkDTZ, -4 * 3600}, "cst": {tkTZ, -6 * 3600}, "cdt": {tkDTZ, -5 * 3600},
	"mst": {tkTZ, -7 * 3600}, "mdt": {tkDTZ, -6 * 3600}, "pst": {tkTZ, -8 * 3600}, "pdt": {tkDTZ, -7 * 3600},
	"akst": {tkTZ, -9 * 3600}, "akdt": {tkDTZ, -8 * 3600}, "hst": {tkTZ, -10 * 3600},
	"wet": {tkTZ, 0}, "west": {tkDTZ, 3600}, "cet": {tkTZ, 3600}, "cest": {tkDTZ, 2 * 3600},
	"met": {tkTZ, 3600}, "mest": {tkDTZ, 2 * 3600}, "eet": {tkTZ, 2 * 3600}, "eest": {tkDTZ, 3 * 3600},
	"bst": {tkDTZ, 3600}, "msk": {tkTZ, 3 * 3600}, "jst": {tkTZ, 9 * 3600}, "kst": {tkTZ, 9 * 3600},
	"hkt": {tkTZ, 8 * 3600}, "awst": {tkTZ, 8 * 3600}, "acst": {tkTZ, 34200}, "aest": {tkTZ, 10 * 3600},
	"aedt": {tkDTZ, 11 * 3600}, "nzst": {tkTZ, 12 * 3600}, "nzdt": {tkDTZ, 13 * 3600},
}

// unitTokens is deltatktbl: the units of interval input, date_part and date_trunc.
var unitTokens = map[string]token{
	"ago": {tkAgo, 0}, "@": {tkIgnore, 0},
	"c": {tkUnits, dtkCentury}, "cent": {tkUnits, dtkCentury}, "centuries": {tkUnits, dtkCentury}, "century": {tkUnits, dtkCentury},
	"d": {tkUnits, dtkDay}, "day": {tkUnits, dtkDay}, "days": {tkUnits, dtkDay},
	"dec": {tkUnits, dtkDecade}, "decade": {tkUnits, dtkDecade}, "decades": {tkUnits, dtkDecade}, "decs": {tkUnits, dtkDecade},
	"h": {tkUnits, dtkHour}, "hour": {tkUnits, dtkHour}, "hours": {tkUnits, dtkHour}, "hr": {tkUnits, dtkHour}, "hrs": {tkUnits, dtkHour},
	"m": {tkUnits, dtkMinute}, "min": {tkUnits, dtkMinute}, "mins": {tkUnits, dtkMinute}, "minute": {tkUnits, dtkMinute}, "minutes": {tkUnits, dtkMinute},
	"microsecon": {tkUnits, dtkMicrosec}, "us": {tkUnits, dtkMicrosec}, "usec": {tkUnits, dtkMicrosec},
	"useconds": {tkUnits, dtkMicrosec}, "usecs": {tkUnits, dtkMicrosec},
	"mil": {tkUnits, dtkMillennium}, "millennia": {tkUnits, dtkMillennium}, "millennium": {tkUnits, dtkMillennium}, "mils": {tkUnits, dtkMillennium},
	"millisecon": {tkUnits, dtkMillisec}, "ms": {tkUnits, dtkMillisec}, "msec": {tkUnits, dtkMillisec},
	"mseconds": {tkUnits, dtkMillisec}, "msecs": {tkUnits, dtkMillisec},
	"mon": {tkUnits, dtkMonth}, "mons": {tkUnits, dtkMonth}, "month": {tkUnits, dtkMonth}, "months": {tkUnits, dtkMonth},
	"qtr": {tkUnits, dtkQuarter}, "quarter": {tkUnits, dtkQuarter},
	"s": {tkUnits, dtkSecond}, "sec": {tkUnits, dtkSecond}, "second": {tkUnits, dtkSecond}, "seconds": {tkUnits, dtkSecond}, "secs": {tkUnits, dtkSecond},
	"timezone": {tkUnits, dtkTZ}, "timezone_h": {tkUnits, dtkTZHour}, "timezone_m": {tkUnits, dtkTZMinute},
	"w": {tkUnits, dtkWeek}, "week": {tkUnits, dtkWeek}, "weeks": {tkUnits, dtkWeek},
	"y": {tkUnits, dtkYear}, "year": {tkUnits, dtkYear}, "years": {tkUnits, dtkYear}, "yr": {tkUnits, dtkYear}, "yrs": {tkUnits, dtkYear},
}

// Field masks (DTK_M in PostgreSQL).
const (
	mYear = 1 << iota
	mMonth
	mDay
	mHour
	mMinute
	mSecond
	mMillisecond
	mMicrosecond
	mTZ
	mDTZMod
	mDOY
	mDOW
	mAMPM
	mADBC
	mWeek
	mDecade
	mCentury
	mMillennium
	mJulian
	mReserved

	mDate    = mYear | mMonth | mDay
	mTime    = mHour | mMinute | mSecond | mMillisecond | mMicrosecond
	mAllSecs = mSecond | mMillisecond | mMicrosecond
)

// zoneLoader resolves a full time zone name; it is a variable only so that the
// lookup happens in one place.
func loadZone(name string) (*time.Location, bool) {
	if loc, ok := posixZone(name); ok {
		return loc, true
	}
	cands := []string{name, canonicalZone(name), strings.ToUpper(name)}
	for _, c := range cands {
		if c == "" || strings.Contains(c, "..") || strings.HasPrefix(c, "/") {
			continue
		}
		if loc, err := time.LoadLocation(c); err == nil {
			return loc, true
		}
	}
	return nil, false
}

// posixZone reads a POSIX-style zone "abc+3" or "abc-05:30": the offset is hours
// west of UTC, as in the TZ environment variable.
func posixZone(name string) (*time.Location, bool) {
	i := 0
	for i < len(name) && isAlpha(name[i]) {
		i++
	}
	if i < 3 || i >= len(name) || (name[i] != '+' && name[i] != '-') {
		return nil, false
	}
	west, e := decodeTimezone(name[i:])
	if e != dtOK {
		return nil, false
	}
	// decodeTimezone reads ISO signs (east positive); POSIX signs are the opposite.
	return time.FixedZone(name, west), true
}

// canonicalZone capitalises a lower-cased zone name the way the tz database spells
// most names: "america/new_york" → "America/New_York".
func canonicalZone(s string) string {
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}

// zoneOffsetWest returns the offset, in seconds west of UTC, that loc has at the
// local wall-clock time t.
func zoneOffsetWest(t *tm, loc *time.Location) int {
	if t.year < -4000 || t.year > 100000 {
		return 0
	}
	lt := time.Date(t.year, time.Month(t.mon), t.mday, t.hour, t.min, t.sec, 0, loc)
	_, off := lt.Zone()
	return -off
}

// nowTm is the current UTC time, broken down (for 'now', 'today', ...).
func nowTm() tm {
	return timestampToTm(int64(TimestampFromTime(time.Now())))
}

func atoiField(s string) (int64, string, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i {
		return 0, s, true
	}
	v, err := strconv.ParseInt(s[:j], 10, 64)
	if err != nil {
		return 0, s[j:], false
	}
	return v, s[j:], true
}

// strtoi parses a leading int32 as strtoint does; ok is false on overflow. rest is
// the unparsed remainder; an empty number leaves rest == s.
func strtoi(s string) (int, string, bool) {
	v, rest, ok := atoiField(s)
	if !ok || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, rest, false
	}
	return int(v), rest, true
}

// parseFraction reads ".ddd" into microseconds, rounding as rint(frac*1e6).
func parseFraction(s string) (int64, dterr) {
	f, err := strconv.ParseFloat("0"+s, 64)
	if err != nil || !strings.HasPrefix(s, ".") || strings.ContainsAny(s, "eE+-") {
		return 0, dtBadFormat
	}
	return int64(math.RoundToEven(f * usecsPerSec)), dtOK
}

func parseFractionFloat(s string) (float64, dterr) {
	f, err := strconv.ParseFloat("0"+s, 64)
	if err != nil || !strings.HasPrefix(s, ".") || strings.ContainsAny(s, "eE+-") {
		return 0, dtBadFormat
	}
	return f, dtOK
}

// decodeTime is DecodeTime: hh:mm[:ss[.fff]] (or mm:ss.fff).
func decodeTime(s string, t *tm) dterr {
	h, rest, ok := strtoi(s)
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
	t.fsec = 0
	switch {
	case rest == "":
		t.hour, t.min, t.sec = h, m, 0
	case rest[0] == '.':
		f, e := parseFraction(rest)
		if e != dtOK {
			return e
		}
		t.hour, t.min, t.sec, t.fsec = 0, h, m, f
	case rest[0] == ':':
		sec, r2, ok := strtoi(rest[1:])
		if !ok {
			return dtFieldOverflow
		}
		t.hour, t.min, t.sec = h, m, sec
		switch {
		case r2 == "":
		case r2[0] == '.':
			f, e := parseFraction(r2)
			if e != dtOK {
				return e
			}
			t.fsec = f
		default:
			return dtBadFormat
		}
	default:
		return dtBadFormat
	}
	if t.hour < 0 || t.min < 0 || t.min > 59 || t.sec < 0 || t.sec > 60 || t.fsec < 0 || t.fsec > usecsPerSec {
		return dtFieldOverflow
	}
	return dtOK
}

// decodeNumberField is DecodeNumberField: a run-together date (yyyymmdd, yymmdd) or
// time (hhmmss, hhmm), possibly with a fraction. It returns the mask it set.
func decodeNumberField(s string, fmask int, t *tm, is2digits *bool) (int, dterr) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		f, err := strconv.ParseFloat("0"+s[i:], 64)
		if err != nil {
			return 0, dtBadFormat
		}
		t.fsec = int64(math.RoundToEven(f * usecsPerSec))
		s = s[:i]
	} else if fmask&mDate != mDate {
		switch len(s) {
		case 8:
			t.year, _ = strconv.Atoi(s[:4])
			t.mon, _ = strconv.Atoi(s[4:6])
			t.mday, _ = strconv.Atoi(s[6:])
			return mDate, dtOK
		case 6:
			t.year, _ = strconv.Atoi(s[:2])
			t.mon, _ = strconv.Atoi(s[2:4])
			t.mday, _ = strconv.Atoi(s[4:])
			*is2digits = true
			return mDate, dtOK
		}
	}
	if fmask&mTime != mTime {
		switch len(s) {
		case 6:
			t.hour, _ = strconv.Atoi(s[:2])
			t.min, _ = strconv.Atoi(s[2:4])
			t.sec, _ = strconv.Atoi(s[4:])
			return mTime, dtOK
		case 4:
			t.hour, _ = strconv.Atoi(s[:2])
			t.min, _ = strconv.Atoi(s[2:])
			t.sec = 0
			return mTime, dtOK
		}
	}
	return 0, dtBadFormat
}

// decodeNumber is DecodeNumber: one numeric field read in the context of the
// fields seen so far.
func decodeNumber(s string, haveTextMonth bool, fmask int, t *tm, is2digits *bool) (int, dterr) {
	val, rest, ok := strtoi(s)
	if !ok {
		return 0, dtFieldOverflow
	}
	if rest == s {
		return 0, dtBadFormat
	}
	if rest != "" && rest[0] == '.' {
		if len(s)-len(rest) > 2 {
			m, e := decodeNumberField(s, fmask|mDate, t, is2digits)
			return m, e
		}
		f, e := parseFraction(rest)
		if e != dtOK {
			return 0, e
		}
		t.fsec = f
	} else if rest != "" {
		return 0, dtBadFormat
	}
	flen := len(s)
	if flen == 3 && fmask&mDate == mYear && val >= 1 && val <= 366 {
		t.yday = val
		return mDOY | mMonth | mDay, dtOK
	}
	var tmask int
	switch fmask & mDate {
	case 0:
		if flen >= 3 {
			tmask, t.year = mYear, val
		} else {
			tmask, t.mon = mMonth, val // MDY
		}
	case mYear:
		tmask, t.mon = mMonth, val
	case mMonth:
		if haveTextMonth && flen >= 3 {
			tmask, t.year = mYear, val
		} else {
			tmask, t.mday = mDay, val
		}
	case mYear | mMonth:
		if haveTextMonth && flen >= 3 && *is2digits {
			tmask = mDay
			t.mday, t.year = t.year, val
			*is2digits = false
		} else {
			tmask, t.mday = mDay, val
		}
	case mDay:
		tmask, t.mon = mMonth, val
	case mMonth | mDay:
		tmask, t.year = mYear, val
	case mDate:
		return decodeNumberField(s, fmask, t, is2digits)
	default:
		return 0, dtBadFormat
	}
	if tmask == mYear {
		*is2digits = flen <= 2
	}
	return tmask, dtOK
}

// decodeDate is DecodeDate: a date field with separators, possibly with a month
// name.
func decodeDate(s string, fmask int, t *tm, is2digits *bool) (int, dterr) {
	var parts []string
	i := 0
	for i < len(s) {
		for i < len(s) && !isAlnum(s[i]) {
			i++
		}
		if i >= len(s) {
			return 0, dtBadFormat
		}
		j := i
		if isDigit(s[i]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		} else {
			for j < len(s) && isAlpha(s[j]) {
				j++
			}
		}
		parts = append(parts, s[i:j])
		if j < len(s) {
			j++
		}
		i = j
		if len(parts) >= maxDateFields {
			break
		}
	}
	tmask := 0
	haveTextMonth := false
	done := make([]bool, len(parts))
	for k, p := range parts {
		if !isAlpha(p[0]) {
			continue
		}
		tok, ok := dateTokens[tokenKey(p)]
		if ok && tok.typ == tkIgnore {
			done[k] = true
			continue
		}
		if !ok || tok.typ != tkMonth {
			return 0, dtBadFormat
		}
		if fmask&mMonth != 0 {
			return 0, dtBadFormat
		}
		t.mon = tok.val
		haveTextMonth = true
		fmask |= mMonth
		tmask |= mMonth
		done[k] = true
	}
	for k, p := range parts {
		if done[k] {
			continue
		}
		if p == "" {
			return 0, dtBadFormat
		}
		dmask, e := decodeNumber(p, haveTextMonth, fmask, t, is2digits)
		if e != dtOK {
			return 0, e
		}
		if fmask&dmask != 0 {
			return 0, dtBadFormat
		}
		fmask |= dmask
		tmask |= dmask
	}
	if fmask&^(mDOY|mTZ) != mDate {
		return 0, dtBadFormat
	}
	return tmask, dtOK
}

// validateDate is ValidateDate: year adjustments (BC, two-digit years, day of
// year) and range checks.
func validateDate(fmask int, isJulian, is2digits, bc bool, t *tm) dterr {
	if fmask&mYear != 0 {
		switch {
		case isJulian:
		case bc:
			if t.year <= 0 {
				return dtFieldOverflow
			}
			t.year = -(t.year - 1)
		case is2digits:
			if t.year < 0 {
				return dtFieldOverflow
			}
			if t.year < 70 {
				t.year += 2000
			} else if t.year < 100 {
				t.year += 1900
			}
		default:
			if t.year <= 0 {
				return dtFieldOverflow
			}
		}
	}
	if fmask&mDOY != 0 {
		t.year, t.mon, t.mday = j2date(date2j(t.year, 1, 1) + t.yday - 1)
	}
	if fmask&mMonth != 0 && (t.mon < 1 || t.mon > 12) {
		return dtMDFieldOverflow
	}
	if fmask&mDay != 0 && (t.mday < 1 || t.mday > 31) {
		return dtMDFieldOverflow
	}
	if fmask&mDate == mDate && t.mday > monthDays(t.year, t.mon) {
		return dtFieldOverflow
	}
	return dtOK
}

// decodeTimezone is DecodeTimezone: ±hh[:mm[:ss]] or ±hhmm, as seconds west.
func decodeTimezone(s string) (int, dterr) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return 0, dtBadFormat
	}
	hr, rest, ok := strtoi(s[1:])
	if !ok {
		return 0, dtTZDispOverflow
	}
	mn, sec := 0, 0
	switch {
	case strings.HasPrefix(rest, ":"):
		if mn, rest, ok = strtoi(rest[1:]); !ok {
			return 0, dtTZDispOverflow
		}
		if strings.HasPrefix(rest, ":") {
			if sec, rest, ok = strtoi(rest[1:]); !ok {
				return 0, dtTZDispOverflow
			}
		}
	case rest == "" && len(s) > 3:
		mn = hr % 100
		hr /= 100
	}
	if hr < 0 || hr > 15 || mn < 0 || mn >= 60 || sec < 0 || sec >= 60 {
		return 0, dtTZDispOverflow
	}
	tz := (hr*60+mn)*60 + sec
	if s[0] == '-' {
		tz = -tz
	}
	if rest != "" {
		return -tz, dtBadFormat
	}
	return -tz, dtOK
}

// Result kinds of decodeDateTime beyond a plain date/time.
const (
	dtypeDate = iota
	dtypeEpoch
	dtypeLate
	dtypeEarly
)

// decodeDateTime is DecodeDateTime. It fills t (with t.tzWest when a zone was
// given) and returns the kind of value read. wantTZ allows time zones.
func decodeDateTime(fields []string, kinds []int, t *tm) (int, dterr) {
	fmask := 0
	ptype := 0
	haveTextMonth, isJulian, is2digits, bc := false, false, false, false
	mer := 0
	dtype := dtypeDate
	var namedTZ *time.Location
	*t = tm{}
	nf := len(fields)
	for i := 0; i < nf; i++ {
		f := fields[i]
		tmask := 0
		switch kinds[i] {
		case fDate:
			switch {
			case ptype == dtkJulian:
				v, rest, ok := strtoi(f)
				if !ok || v < 0 {
					return 0, dtFieldOverflow
				}
				t.year, t.mon, t.mday = j2date(v)
				isJulian = true
				tz, e := decodeTimezone(rest)
				if e != dtOK {
					return 0, e
				}
				t.tzWest = tz
				tmask = mDate | mTime | mTZ
				ptype = 0
			case ptype != 0 || fmask&(mMonth|mDay) == mMonth|mDay:
				if isDigit(f[0]) || ptype != 0 {
					if ptype != 0 {
						if ptype != dtkTime {
							return 0, dtBadFormat
						}
						ptype = 0
					}
					if fmask&mTime == mTime {
						return 0, dtBadFormat
					}
					k := strings.IndexByte(f, '-')
					if k < 0 {
						return 0, dtBadFormat
					}
					tz, e := decodeTimezone(f[k:])
					if e != dtOK {
						return 0, e
					}
					t.tzWest = tz
					m, e := decodeNumberField(f[:k], fmask, t, &is2digits)
					if e != dtOK {
						return 0, e
					}
					tmask = m | mTZ
				} else {
					loc, ok := loadZone(f)
					if !ok {
						return 0, dtBadFormat
					}
					namedTZ = loc
					tmask = mTZ
				}
			default:
				m, e := decodeDate(f, fmask, t, &is2digits)
				if e != dtOK {
					return 0, e
				}
				tmask = m
			}
		case fTime:
			if ptype != 0 {
				if ptype != dtkTime {
					return 0, dtBadFormat
				}
				ptype = 0
			}
			if e := decodeTime(f, t); e != dtOK {
				return 0, e
			}
			tmask = mTime
			if t.hour > 24 || (t.hour == 24 && (t.min > 0 || t.sec > 0 || t.fsec > 0)) {
				return 0, dtFieldOverflow
			}
		case fTZ:
			tz, e := decodeTimezone(f)
			if e != dtOK {
				return 0, e
			}
			t.tzWest = tz
			tmask = mTZ
		case fNumber:
			if ptype != 0 {
				v, rest, ok := strtoi(f)
				if !ok {
					return 0, dtFieldOverflow
				}
				if rest != "" && rest[0] == '.' {
					if ptype != dtkJulian && ptype != dtkTime && ptype != dtkSecond {
						return 0, dtBadFormat
					}
				} else if rest != "" {
					return 0, dtBadFormat
				}
				switch ptype {
				case dtkYear:
					t.year, tmask = v, mYear
				case dtkMonth:
					if fmask&mMonth != 0 && fmask&mHour != 0 {
						t.min, tmask = v, mMinute
					} else {
						t.mon, tmask = v, mMonth
					}
				case dtkDay:
					t.mday, tmask = v, mDay
				case dtkHour:
					t.hour, tmask = v, mHour
				case dtkMinute:
					t.min, tmask = v, mMinute
				case dtkSecond:
					t.sec, tmask = v, mSecond
					if rest != "" {
						fs, e := parseFraction(rest)
						if e != dtOK {
							return 0, e
						}
						t.fsec, tmask = fs, mAllSecs
					}
				case dtkJulian:
					if v < 0 {
						return 0, dtFieldOverflow
					}
					tmask = mDate
					t.year, t.mon, t.mday = j2date(v)
					isJulian = true
					if rest != "" {
						fr, e := parseFractionFloat(rest)
						if e != dtOK {
							return 0, e
						}
						us := int64(fr * usecsPerDay)
						t.hour = int(us / usecsPerHour)
						us -= int64(t.hour) * usecsPerHour
						t.min = int(us / usecsPerMinute)
						us -= int64(t.min) * usecsPerMinute
						t.sec = int(us / usecsPerSec)
						t.fsec = us - int64(t.sec)*usecsPerSec
						tmask |= mTime
					}
				case dtkTime:
					m, e := decodeNumberField(f, fmask|mDate, t, &is2digits)
					if e != dtOK {
						return 0, e
					}
					if m != mTime {
						return 0, dtBadFormat
					}
					tmask = m
				default:
					return 0, dtBadFormat
				}
				ptype = 0
				dtype = dtypeDate
				break
			}
			dot := strings.IndexByte(f, '.')
			switch {
			case dot >= 0 && fmask&mDate == 0:
				m, e := decodeDate(f, fmask, t, &is2digits)
				if e != dtOK {
					return 0, e
				}
				tmask = m
			case dot >= 0 && dot > 2, dot < 0 && len(f) > 4:
				m, e := decodeNumberField(f, fmask, t, &is2digits)
				if e != dtOK {
					return 0, e
				}
				tmask = m
			default:
				m, e := decodeNumber(f, haveTextMonth, fmask, t, &is2digits)
				if e != dtOK {
					return 0, e
				}
				tmask = m
			}
		case fString, fSpecial:
			tok, ok := zoneAbbrevs[f]
			if !ok {
				tok, ok = dateTokens[tokenKey(f)]
			}
			if !ok {
				loc, ok := loadZone(f)
				if !ok || kinds[i] == fSpecial {
					return 0, dtBadFormat
				}
				namedTZ = loc
				tmask = mTZ
				break
			}
			switch tok.typ {
			case tkIgnore:
				continue
			case tkReserved:
				tmask = mReserved
				switch tok.val {
				case dtkNow:
					tmask = mDate | mTime | mTZ
					*t = nowTm()
					t.tzWest = 0
				case dtkYesterday, dtkToday, dtkTomorrow:
					tmask = mDate
					n := nowTm()
					off := map[int]int{dtkYesterday: -1, dtkToday: 0, dtkTomorrow: 1}[tok.val]
					t.year, t.mon, t.mday = j2date(date2j(n.year, n.mon, n.mday) + off)
					t.hour, t.min, t.sec, t.fsec = 0, 0, 0, 0
				case dtkZulu:
					tmask = mTime | mTZ
					t.hour, t.min, t.sec, t.fsec = 0, 0, 0, 0
					t.tzWest = 0
				case dtkEpoch:
					dtype = dtypeEpoch
				case dtkLate:
					dtype = dtypeLate
				case dtkEarly:
					dtype = dtypeEarly
				}
			case tkMonth:
				if fmask&mMonth != 0 && !haveTextMonth && fmask&mDay == 0 && t.mon >= 1 && t.mon <= 31 {
					t.mday = t.mon
					tmask = mDay
				} else {
					tmask = mMonth
				}
				haveTextMonth = true
				t.mon = tok.val
			case tkDTZMod:
				tmask = mDTZMod
				if fmask&mTZ == 0 {
					return 0, dtBadFormat
				}
				t.tzWest -= tok.val
			case tkDTZ, tkTZ:
				tmask = mTZ
				t.tzWest = -tok.val
			case tkAMPM:
				tmask = mAMPM
				mer = tok.val
			case tkADBC:
				tmask = mADBC
				bc = tok.val == dtkBC
			case tkDOW:
				tmask = mDOW
				t.wday = tok.val
			case tkUnits:
				tmask = 0
				ptype = tok.val
			case tkISOTime:
				tmask = 0
				if fmask&mDate != mDate {
					return 0, dtBadFormat
				}
				if i >= nf-1 || (kinds[i+1] != fNumber && kinds[i+1] != fTime && kinds[i+1] != fDate) {
					return 0, dtBadFormat
				}
				ptype = tok.val
			default:
				return 0, dtBadFormat
			}
		default:
			return 0, dtBadFormat
		}
		if tmask&fmask != 0 {
			return 0, dtBadFormat
		}
		fmask |= tmask
	}
	if ptype != 0 {
		return 0, dtBadFormat
	}
	if e := validateDate(fmask, isJulian, is2digits, bc, t); e != dtOK {
		return 0, e
	}
	if mer != 0 && t.hour > 12 {
		return 0, dtFieldOverflow
	}
	if mer == dtkAM && t.hour == 12 {
		t.hour = 0
	} else if mer == dtkPM && t.hour != 12 {
		t.hour += 12
	}
	if dtype == dtypeDate {
		if fmask&mDate != mDate {
			return 0, dtBadFormat
		}
		if namedTZ != nil {
			if fmask&mDTZMod != 0 {
				return 0, dtBadFormat
			}
			t.tzWest = zoneOffsetWest(t, namedTZ)
		}
	}
	return dtype, dtOK
}

// decodeTimeOnly is DecodeTimeOnly, for time input: a time, optionally with a
// date or zone, both of which are ignored.
func decodeTimeOnly(fields []string, kinds []int, t *tm) dterr {
	fmask := 0
	ptype := 0
	isJulian, is2digits, bc, namedTZ := false, false, false, false
	mer := 0
	*t = tm{}
	nf := len(fields)
	for i := 0; i < nf; i++ {
		f := fields[i]
		tmask := 0
		switch kinds[i] {
		case fDate:
			if i == 0 && nf >= 2 && (kinds[nf-1] == fDate || kinds[1] == fTime) {
				m, e := decodeDate(f, fmask, t, &is2digits)
				if e != dtOK {
					return e
				}
				tmask = m
			} else if isDigit(f[0]) {
				if fmask&mTime == mTime {
					return dtBadFormat
				}
				k := strings.IndexByte(f, '-')
				if k < 0 {
					return dtBadFormat
				}
				if _, e := decodeTimezone(f[k:]); e != dtOK {
					return e
				}
				m, e := decodeNumberField(f[:k], fmask|mDate, t, &is2digits)
				if e != dtOK {
					return e
				}
				tmask = m | mTZ
			} else {
				if _, ok := loadZone(f); !ok {
					return dtBadFormat
				}
				namedTZ = true
				tmask = mTZ
			}
		case fTime:
			if ptype != 0 {
				if ptype != dtkTime {
					return dtBadFormat
				}
				ptype = 0
			}
			if e := decodeTime(f, t); e != dtOK {
				return e
			}
			tmask = mTime
		case fTZ:
			if _, e := decodeTimezone(f); e != dtOK {
				return e
			}
			tmask = mTZ
		case fNumber:
			if ptype != 0 {
				if ptype != dtkTime {
					return dtBadFormat
				}
				m, e := decodeNumberField(f, fmask|mDate, t, &is2digits)
				if e != dtOK {
					return e
				}
				if m != mTime {
					return dtBadFormat
				}
				tmask = m
				ptype = 0
				break
			}
			dot := strings.IndexByte(f, '.')
			switch {
			case dot >= 0:
				if i == 0 && nf >= 2 && kinds[nf-1] == fDate {
					m, e := decodeDate(f, fmask, t, &is2digits)
					if e != dtOK {
						return e
					}
					tmask = m
				} else if dot > 2 {
					m, e := decodeNumberField(f, fmask|mDate, t, &is2digits)
					if e != dtOK {
						return e
					}
					tmask = m
				} else {
					return dtBadFormat
				}
			case len(f) > 4:
				m, e := decodeNumberField(f, fmask|mDate, t, &is2digits)
				if e != dtOK {
					return e
				}
				tmask = m
			default:
				m, e := decodeNumber(f, false, fmask|mDate, t, &is2digits)
				if e != dtOK {
					return e
				}
				tmask = m
			}
		case fString, fSpecial:
			tok, ok := zoneAbbrevs[f]
			if !ok {
				tok, ok = dateTokens[tokenKey(f)]
			}
			if !ok {
				if _, ok := loadZone(f); !ok || kinds[i] == fSpecial {
					return dtBadFormat
				}
				namedTZ = true
				tmask = mTZ
				break
			}
			switch tok.typ {
			case tkIgnore:
				continue
			case tkReserved:
				tmask = mDate
				switch tok.val {
				case dtkNow:
					tmask = mTime
					n := nowTm()
					t.hour, t.min, t.sec, t.fsec = n.hour, n.min, n.sec, n.fsec
				case dtkZulu:
					tmask = mTime | mTZ
					t.hour, t.min, t.sec, t.fsec = 0, 0, 0, 0
				default:
					return dtBadFormat
				}
			case tkDTZMod:
				tmask = mDTZMod
			case tkDTZ, tkTZ:
				tmask = mTZ
			case tkAMPM:
				tmask = mAMPM
				mer = tok.val
			case tkADBC:
				tmask = mADBC
				bc = tok.val == dtkBC
			case tkUnits:
				tmask = 0
				ptype = tok.val
			case tkISOTime:
				tmask = 0
				if i >= nf-1 || (kinds[i+1] != fNumber && kinds[i+1] != fTime && kinds[i+1] != fDate) {
					return dtBadFormat
				}
				ptype = tok.val
			default:
				return dtBadFormat
			}
		default:
			return dtBadFormat
		}
		if tmask&fmask != 0 {
			return dtBadFormat
		}
		fmask |= tmask
	}
	if ptype != 0 {
		return dtBadFormat
	}
	if e := validateDate(fmask, isJulian, is2digits, bc, t); e != dtOK {
		return e
	}
	if mer != 0 && t.hour > 12 {
		return dtFieldOverflow
	}
	if mer == dtkAM && t.hour == 12 {
		t.hour = 0
	} else if mer == dtkPM && t.hour != 12 {
		t.hour += 12
	}
	if t.hour < 0 || t.min < 0 || t.min > 59 || t.sec < 0 || t.sec > 60 || t.hour > 24 || t.fsec < 0 || t.fsec > usecsPerSec ||
		((int64(t.hour)*60+int64(t.min))*60+int64(t.sec))*usecsPerSec+t.fsec > usecsPerDay {
		return dtFieldOverflow
	}
	if fmask&mTime != mTime {
		return dtBadFormat
	}
	if namedTZ && fmask&mDate != mDate {
		return dtBadFormat // the zone's offset depends on the date
	}
	return dtOK
}

// ParseDate parses PostgreSQL's date input.
func ParseDate(b []byte) (Date, error) {
	fields, kinds, e := splitDateTime(b)
	var t tm
	dtype := dtypeDate
	if e == dtOK {
		dtype, e = decodeDateTime(fields, kinds, &t)
	}
	if e != dtOK {
		return 0, reportDT(e, b, DateT)
	}
	switch dtype {
	case dtypeEpoch:
		return Date(unixEpochJDate - pgEpochJDate), nil
	case dtypeLate:
		return DateInfinity, nil
	case dtypeEarly:
		return DateNegInfinity, nil
	}
	if !validJulian(t.year, t.mon) {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date out of range: \"%s\"", string(b))
	}
	d := int64(date2j(t.year, t.mon, t.mday) - pgEpochJDate)
	if !validDate(d) {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date out of range: \"%s\"", string(b))
	}
	return Date(d), nil
}

// ParseTimestamp parses PostgreSQL's timestamp (withTZ false) or timestamptz input.
// A zone given to a timestamp is ignored, as PostgreSQL does; a timestamptz without
// one is read in the session zone, UTC.
func ParseTimestamp(b []byte, withTZ bool) (int64, error) {
	typ := TimestampT
	if withTZ {
		typ = TimestampTZT
	}
	fields, kinds, e := splitDateTime(b)
	var t tm
	dtype := dtypeDate
	if e == dtOK {
		dtype, e = decodeDateTime(fields, kinds, &t)
	}
	if e != dtOK {
		return 0, reportDT(e, b, typ)
	}
	switch dtype {
	case dtypeEpoch:
		return -int64(pgEpochJDate-unixEpochJDate) * usecsPerDay, nil
	case dtypeLate:
		return math.MaxInt64, nil
	case dtypeEarly:
		return math.MinInt64, nil
	}
	r, ok := tmToTimestamp(&t)
	if ok && withTZ {
		r, ok = addInt64(r, int64(t.tzWest)*usecsPerSec)
		ok = ok && validTimestamp(r)
	}
	if !ok {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", string(b))
	}
	return r, nil
}

// ParseTime parses PostgreSQL's time input.
func ParseTime(b []byte) (Time, error) {
	fields, kinds, e := splitDateTime(b)
	var t tm
	if e == dtOK {
		e = decodeTimeOnly(fields, kinds, &t)
	}
	if e != dtOK {
		return 0, reportDT(e, b, TimeT)
	}
	return Time(((int64(t.hour)*60+int64(t.min))*60+int64(t.sec))*usecsPerSec + t.fsec), nil
}
