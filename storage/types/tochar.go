package types

import (
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// to_char and to_date/to_timestamp templates: the common patterns of PostgreSQL's
// formatting.c (no locale-specific TM prefix, no SP/TH suffixes, no roman
// numerals).

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// dtPatterns are the datetime template patterns, longest first where one is a
// prefix of another.
var dtPatterns = []string{
	"HH24", "HH12", "HH", "MI", "SS", "MS", "US", "SSSS",
	"A.M.", "a.m.", "P.M.", "p.m.", "AM", "am", "PM", "pm",
	"Y,YYY", "YYYY", "yyyy", "YYY", "yyy", "YY", "yy", "Y", "y", "IYYY", "IYY", "IY", "I",
	"MONTH", "Month", "month", "MON", "Mon", "mon", "MM",
	"DAY", "Day", "day", "DY", "Dy", "dy", "DDD", "DD", "D", "ID", "IDDD",
	"WW", "IW", "W", "Q", "J", "CC", "TZ", "tz", "OF",
}

func matchPattern(f string) string {
	best := ""
	for _, p := range dtPatterns {
		if strings.HasPrefix(f, p) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

func casedName(name, pat string, fm, full bool) string {
	var s string
	switch {
	case pat == strings.ToUpper(pat):
		s = strings.ToUpper(name)
	case pat == strings.ToLower(pat):
		s = strings.ToLower(name)
	default:
		s = name
	}
	if !fm && full {
		s += strings.Repeat(" ", max(0, 9-len(s)))
	}
	return s
}

// FormatTimestamp is to_char(timestamp[tz], template) for a finite timestamp.
func FormatTimestamp(ts int64, withTZ bool, format string) string {
	s, _ := formatTm(timestampToTm(ts), withTZ, false, format)
	return s
}

// FormatInterval is to_char(interval, template): the interval's years, months
// (of the year), days, hours (of any number), minutes, seconds; patterns tied
// to calendar dates (day names, AM/PM, time zones) are 22007.
func FormatInterval(iv Interval, format string) (string, error) {
	t := tm{year: int(iv.Months / 12), mon: int(iv.Months % 12), mday: int(iv.Days)}
	us := iv.Micros
	t.hour = int(us / usecsPerHour)
	us -= int64(t.hour) * usecsPerHour
	t.min = int(us / usecsPerMinute)
	us -= int64(t.min) * usecsPerMinute
	t.sec = int(us / usecsPerSec)
	t.fsec = us - int64(t.sec)*usecsPerSec
	return formatTm(t, false, true, format)
}

func invalidForInterval() error {
	return pgerr.New(pgerrcode.InvalidDatetimeFormat, "invalid format specification for an interval value").
		WithHint("Intervals are not tied to specific calendar dates.")
}

func formatTm(t tm, withTZ, interval bool, format string) (string, error) {
	var b strings.Builder
	num := func(v int, width int, fm bool) {
		s := strconv.Itoa(abs(v))
		if v < 0 {
			b.WriteByte('-')
		}
		if !fm {
			for i := len(s); i < width; i++ {
				b.WriteByte('0')
			}
		}
		b.WriteString(s)
	}
	year := t.year
	if year <= 0 && !interval {
		year = 1 - year // BC years print positive (with BC)
	}
	for i := 0; i < len(format); {
		fm := false
		if strings.HasPrefix(format[i:], "FM") || strings.HasPrefix(format[i:], "fm") {
			fm = true
			i += 2
		}
		if i < len(format) && format[i] == '"' {
			j := i + 1
			for j < len(format) && format[j] != '"' {
				if format[j] == '\\' && j+1 < len(format) {
					j++
				}
				b.WriteByte(format[j])
				j++
			}
			i = j + 1
			continue
		}
		if i < len(format) && format[i] == '\\' && i+1 < len(format) {
			b.WriteByte(format[i+1])
			i += 2
			continue
		}
		p := matchPattern(format[i:])
		if p == "" {
			if i < len(format) {
				b.WriteByte(format[i])
			}
			i++
			continue
		}
		i += len(p)
		h12 := t.hour % 12
		if h12 == 0 {
			h12 = 12
		}
		if interval {
			switch p {
			case "AM", "PM", "am", "pm", "A.M.", "P.M.", "a.m.", "p.m.", "DAY", "Day", "day", "DY", "Dy", "dy",
				"D", "ID", "IDDD", "DDD", "WW", "IW", "W", "J", "IYYY", "IYY", "IY", "I", "TZ", "tz", "OF",
				"MONTH", "Month", "month", "MON", "Mon", "mon":
				return "", invalidForInterval()
			}
		}
		switch p {
		case "HH24":
			num(t.hour, 2, fm)
		case "HH12", "HH":
			num(h12, 2, fm)
		case "MI":
			num(t.min, 2, fm)
		case "SS":
			num(t.sec, 2, fm)
		case "SSSS":
			num((t.hour*60+t.min)*60+t.sec, 0, true)
		case "MS":
			num(int(t.fsec/1000), 3, fm)
		case "US":
			num(int(t.fsec), 6, fm)
		case "AM", "PM", "am", "pm", "A.M.", "P.M.", "a.m.", "p.m.":
			s := "AM"
			if t.hour >= 12 {
				s = "PM"
			}
			if len(p) == 4 {
				s = s[:1] + "." + s[1:] + "."
			}
			if p[0] >= 'a' {
				s = strings.ToLower(s)
			}
			b.WriteString(s)
		case "Y,YYY":
			b.WriteString(strconv.Itoa(year/1000) + "," + pad3(year%1000))
		case "YYYY", "yyyy":
			num(year, 4, fm)
		case "YYY", "yyy":
			num(year%1000, 3, fm)
		case "YY", "yy":
			num(year%100, 2, fm)
		case "Y", "y":
			num(year%10, 1, fm)
		case "IYYY", "IYY", "IY", "I":
			iy := date2isoyear(t.year, t.mon, t.mday)
			if iy <= 0 {
				iy = 1 - iy
			}
			mod := map[string]int{"IYYY": 0, "IYY": 1000, "IY": 100, "I": 10}[p]
			if mod > 0 {
				iy %= mod
			}
			num(iy, len(p), fm)
		case "MONTH", "Month", "month":
			b.WriteString(casedName(monthNames[t.mon-1], p, fm, true))
		case "MON", "Mon", "mon":
			b.WriteString(casedName(monthNames[t.mon-1][:3], p, fm, false))
		case "MM":
			num(t.mon, 2, fm)
		case "DAY", "Day", "day":
			b.WriteString(casedName(dayNames[t.wday], p, fm, true))
		case "DY", "Dy", "dy":
			b.WriteString(casedName(dayNames[t.wday][:3], p, fm, false))
		case "DDD":
			num(t.yday, 3, fm)
		case "IDDD":
			j := date2j(t.year, t.mon, t.mday)
			iy := date2isoyear(t.year, t.mon, t.mday)
			num(j-isoweek2j(iy, 1)+1, 3, fm)
		case "DD":
			num(t.mday, 2, fm)
		case "D":
			num(t.wday+1, 1, fm)
		case "ID":
			d := t.wday
			if d == 0 {
				d = 7
			}
			num(d, 1, fm)
		case "WW":
			num((t.yday-1)/7+1, 2, fm)
		case "IW":
			num(date2isoweek(t.year, t.mon, t.mday), 2, fm)
		case "W":
			num((t.mday-1)/7+1, 1, fm)
		case "Q":
			num((t.mon-1)/3+1, 1, fm)
		case "J":
			num(date2j(t.year, t.mon, t.mday), 0, true)
		case "CC":
			cc := (year + 99) / 100
			num(cc, 2, fm)
		case "TZ", "tz":
			if withTZ {
				if p == "TZ" {
					b.WriteString("UTC")
				} else {
					b.WriteString("utc")
				}
			}
		case "OF":
			b.WriteString("+00")
		}
	}
	return b.String(), nil
}

func pad3(v int) string {
	s := strconv.Itoa(v)
	return strings.Repeat("0", 3-len(s)) + s
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// formatNumberCore is to_char(number, template) for the digit patterns 9 and 0, the
// decimal point (. or D), group separators (, or G), FM and the sign patterns S
// and MI. A value with more integer digits than the template has prints as #s.
func formatNumberCore(d *apd.Decimal, format string) string {
	fm := false
	f := format
	if strings.HasPrefix(strings.ToUpper(f), "FM") {
		fm = true
		f = f[2:]
	}
	intDigits, fracDigits, zeroFrom := 0, 0, -1
	signS, signMI, point := false, false, false
	fracZeros := 0 // fraction positions written as 0 (kept under FM)
	for _, c := range f {
		switch c {
		case '9', '0':
			if point {
				fracDigits++
				if c == '0' {
					fracZeros = fracDigits
				}
			} else {
				if c == '0' && zeroFrom < 0 {
					zeroFrom = intDigits
				}
				intDigits++
			}
		case '.', 'D', 'd':
			point = true
		case 'S', 's':
			signS = true
		}
	}
	if strings.Contains(strings.ToUpper(f), "MI") {
		signMI = true
	}
	neg := d.Negative && !d.IsZero()
	if d.Form != apd.Finite {
		return strings.Repeat("#", intDigits+fracDigits+1)
	}
	r := new(apd.Decimal)
	ctx := numCtx
	ctx.Rounding = apd.RoundHalfUp
	_, _ = ctx.Quantize(r, d, -int32(fracDigits))
	r.Abs(r)
	txt := r.Text('f')
	ip, fp, _ := strings.Cut(txt, ".")
	if ip == "0" {
		ip = ""
	}
	overflow := len(ip) > intDigits
	var out []byte
	// integer part, right-aligned over the template's integer positions
	digitIdx := len(ip) - 1
	pos := intDigits - 1
	var intOut []byte
	intTemplate := f
	if k := strings.IndexAny(f, ".Dd"); k >= 0 && point {
		intTemplate = f[:k]
	}
	for k := len(intTemplate) - 1; k >= 0; k-- {
		c := intTemplate[k]
		switch c {
		case '9', '0':
			var ch byte
			switch {
			case overflow:
				ch = '#'
			case digitIdx >= 0:
				ch = ip[digitIdx]
				digitIdx--
			case zeroFrom >= 0 && pos >= zeroFrom:
				ch = '0'
			default:
				ch = ' '
			}
			intOut = append(intOut, ch)
			pos--
		case ',', 'G', 'g':
			if overflow || digitIdx >= 0 || (zeroFrom >= 0 && pos >= zeroFrom) {
				intOut = append(intOut, ',')
			} else {
				intOut = append(intOut, ' ')
			}
		}
	}
	for l, r := 0, len(intOut)-1; l < r; l, r = l+1, r-1 {
		intOut[l], intOut[r] = intOut[r], intOut[l]
	}
	// sign: placed just before the first digit unless S/MI say otherwise
	signCh := byte(' ')
	if neg {
		signCh = '-'
	} else if signS {
		signCh = '+'
	}
	if !signMI {
		k := 0
		for k < len(intOut) && intOut[k] == ' ' {
			k++
		}
		out = append(out, intOut[:k]...)
		out = append(out, signCh)
		out = append(out, intOut[k:]...)
	} else {
		out = append(out, intOut...)
	}
	if point {
		out = append(out, '.')
		frac := []byte(fp)
		for len(frac) < fracDigits {
			frac = append(frac, '0')
		}
		if overflow {
			frac = []byte(strings.Repeat("#", fracDigits))
		}
		if fm {
			for len(frac) > fracZeros && frac[len(frac)-1] == '0' {
				frac = frac[:len(frac)-1]
			}
		}
		out = append(out, frac...)
	}
	if signMI {
		if neg {
			out = append(out, '-')
		} else {
			out = append(out, ' ')
		}
	}
	s := string(out)
	if fm {
		s = strings.TrimLeft(s, " ")
		s = strings.TrimSuffix(s, " ")
		if strings.HasSuffix(s, ".") && fracZeros == 0 {
			s = strings.TrimSuffix(s, ".")
		}
	}
	return s
}

// ParseFormatted is to_timestamp(text, template) and to_date: it reads the fields
// the template names (YYYY, MM, DD, HH24, HH12, MI, SS, MS, US, Mon, Month, AM/PM,
// DDD, J) and returns the timestamp.
func ParseFormatted(s, format string, what T) (int64, error) {
	year, mon, day := 1, 1, 1
	hour, min, sec := 0, 0, 0
	var fsec int64
	pm, haveAMPM := false, false
	doy, julian := -1, -1
	bad := func(msg string, args ...any) (int64, error) {
		return 0, pgerr.New(pgerrcode.InvalidDatetimeFormat, msg, args...)
	}
	i := 0
	readNum := func(maxLen int, name string) (int, error) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		j := i
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		for j < len(s) && isDigit(s[j]) && (maxLen <= 0 || j-i < maxLen) {
			j++
		}
		if j == i {
			if i >= len(s) {
				return 0, pgerr.New(pgerrcode.InvalidDatetimeFormat, "source string too short for \"%s\" formatting field", name)
			}
			return 0, pgerr.New(pgerrcode.InvalidDatetimeFormat, "invalid value \"%s\" for \"%s\"", s[i:min2(len(s), i+len(name))], name).
				WithDetail("Value must be an integer.")
		}
		v, err := strconv.Atoi(s[i:j])
		if err != nil {
			return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "value for \"%s\" in source string is out of range", name)
		}
		i = j
		return v, nil
	}
	readName := func(names []string, short bool, name string) (int, error) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		for k, n := range names {
			if short {
				n = n[:3]
			}
			if len(s)-i >= len(n) && strings.EqualFold(s[i:i+len(n)], n) {
				i += len(n)
				return k, nil
			}
		}
		return 0, pgerr.New(pgerrcode.InvalidDatetimeFormat, "invalid value \"%s\" for \"%s\"", s[i:min2(len(s), i+3)], name).
			WithDetail("The given value did not match any of the allowed values for this field.")
	}
	var err error
	for f := 0; f < len(format); {
		if strings.HasPrefix(format[f:], "FM") || strings.HasPrefix(format[f:], "fm") {
			f += 2
			continue
		}
		if format[f] == '"' {
			j := f + 1
			for j < len(format) && format[j] != '"' {
				if i < len(s) {
					i++
				}
				j++
			}
			f = j + 1
			continue
		}
		p := matchPattern(format[f:])
		if p == "" {
			if i < len(s) && (format[f] == ' ' || !isAlnum(s[i])) {
				if format[f] == ' ' {
					for i < len(s) && s[i] == ' ' {
						i++
					}
				} else {
					i++
				}
			}
			f++
			continue
		}
		f += len(p)
		switch p {
		case "YYYY", "yyyy":
			n := 0 // more than four digits only when a separator follows
			if f < len(format) && isAlnum(format[f]) {
				n = 4
			}
			year, err = readNum(n, p)
		case "YYY", "yyy", "YY", "yy", "Y", "y":
			year, err = readNum(len(p), p)
			if err == nil && len(p) == 2 {
				if year < 70 {
					year += 2000
				} else if year < 100 {
					year += 1900
				}
			}
		case "MM":
			mon, err = readNum(2, p)
		case "DD":
			day, err = readNum(2, p)
		case "DDD":
			doy, err = readNum(3, p)
		case "J":
			julian, err = readNum(0, p)
		case "HH24":
			hour, err = readNum(2, p)
		case "HH", "HH12":
			hour, err = readNum(2, p)
			if err == nil && (hour < 1 || hour > 12) {
				return bad("hour \"%d\" is invalid for the 12-hour clock", hour)
			}
		case "MI":
			min, err = readNum(2, p)
		case "SS":
			sec, err = readNum(2, p)
		case "MS":
			var v int
			start := i
			v, err = readNum(3, p)
			for k := i - start; k < 3 && err == nil; k++ {
				v *= 10
			}
			fsec = int64(v) * 1000
		case "US":
			var v int
			start := i
			v, err = readNum(6, p)
			for k := i - start; k < 6 && err == nil; k++ {
				v *= 10
			}
			fsec = int64(v)
		case "Month", "MONTH", "month":
			var k int
			k, err = readName(monthNames, false, p)
			mon = k + 1
		case "Mon", "MON", "mon":
			var k int
			k, err = readName(monthNames, true, p)
			mon = k + 1
		case "Day", "DAY", "day":
			_, err = readName(dayNames, false, p)
		case "Dy", "DY", "dy":
			_, err = readName(dayNames, true, p)
		case "AM", "PM", "am", "pm", "A.M.", "P.M.", "a.m.", "p.m.":
			for i < len(s) && s[i] == ' ' {
				i++
			}
			w := len(p)
			if len(s)-i < w {
				return bad("invalid value \"%s\" for \"%s\"", s[i:], p)
			}
			v := strings.ToUpper(s[i : i+w])
			switch v {
			case "AM", "A.M.":
				pm = false
			case "PM", "P.M.":
				pm = true
			default:
				return bad("invalid value \"%s\" for \"%s\"", s[i:i+w], p)
			}
			haveAMPM = true
			i += w
		case "TZ", "tz", "OF":
			// time zones in to_timestamp input are not supported; UTC is assumed
		default:
			_, err = readNum(0, p)
		}
		if err != nil {
			return 0, err
		}
	}
	if haveAMPM {
		if hour < 1 || hour > 12 {
			return bad("hour \"%d\" is invalid for the 12-hour clock", hour)
		}
		if pm && hour != 12 {
			hour += 12
		} else if !pm && hour == 12 {
			hour = 0
		}
	}
	if year <= 0 && julian < 0 {
		year++ // year 0 is 1 BC in to_date's reading of negative years
	}
	var t tm
	switch {
	case julian >= 0:
		t.year, t.mon, t.mday = j2date(julian)
	case doy >= 0:
		t.year, t.mon, t.mday = j2date(date2j(year, 1, 1) + doy - 1)
	default:
		t.year, t.mon, t.mday = year, mon, day
	}
	t.hour, t.min, t.sec, t.fsec = hour, min, sec, fsec
	if t.mon < 1 || t.mon > 12 || t.mday < 1 || t.mday > monthDays(t.year, t.mon) {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	if t.hour > 24 || t.min > 59 || t.sec > 60 {
		return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	r, ok := tmToTimestamp(&t)
	if !ok {
		if what == DateT {
			return 0, pgerr.New(pgerrcode.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
		}
		return 0, ErrTimestampOutOfRange()
	}
	return r, nil
}

func min2(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// FormatNumber is to_char(number, template): the digit patterns (9 0 . D , G S
// MI FM) of formatNumberCore, and around them PR (negative values in angle
// brackets), L (the currency symbol: a space in the C locale), th/TH (ordinal
// suffixes), RN (roman numerals) and EEEE (scientific notation).
func FormatNumber(d *apd.Decimal, format string) (string, error) {
	up := strings.ToUpper(format)
	fm := strings.HasPrefix(up, "FM")
	body, ubody := format, up
	if fm {
		body, ubody = format[2:], up[2:]
	}
	switch {
	case strings.Contains(ubody, "EEEE"):
		rest := strings.Replace(ubody, "EEEE", "", 1)
		if strings.Trim(rest, "90.D") != "" || fm {
			return "", pgerr.New(pgerrcode.SyntaxError, "\"EEEE\" is incompatible with other formats").
				WithDetail("\"EEEE\" may only be used together with digit and decimal point patterns.")
		}
		frac := 0
		if k := strings.IndexAny(rest, ".D"); k >= 0 {
			frac = strings.Count(rest[k:], "9") + strings.Count(rest[k:], "0")
		}
		return formatSci(d, frac, fm), nil
	case strings.Contains(ubody, "RN"):
		return formatRoman(d, fm, strings.Contains(body, "rn")), nil
	}
	prefix := ""
	for strings.HasPrefix(ubody, "L") {
		prefix += " "
		body, ubody = body[1:], ubody[1:]
	}
	body = strings.ReplaceAll(strings.ReplaceAll(body, "L", ""), "l", "")
	suffix := ""
	if k := strings.Index(ubody, "TH"); k >= 0 {
		lower := body[k:k+2] == "th"
		body = body[:k] + body[k+2:]
		suffix = "th"
		if d.Form == apd.Finite && !d.Negative {
			suffix = ordinalSuffix(d)
		} else {
			suffix = ""
		}
		if !lower {
			suffix = strings.ToUpper(suffix)
		}
		ubody = strings.ToUpper(body)
	}
	pr := false
	if k := strings.Index(ubody, "PR"); k >= 0 {
		pr = true
		body = body[:k] + body[k+2:]
	}
	if fm {
		body = "FM" + body
	}
	neg := d.Negative && !d.IsZero() && d.Form == apd.Finite
	if !pr {
		return prefix + formatNumberCore(d, body) + suffix, nil
	}
	abs := new(apd.Decimal).Abs(d)
	s := formatNumberCore(abs, body)
	switch {
	case !neg && fm:
	case !neg:
		s += " "
	case fm:
		s = "<" + s + ">"
	default:
		k := 0
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if k > 0 {
			s = s[:k-1] + "<" + s[k:] + ">"
		} else {
			s = "<" + s + ">"
		}
	}
	return prefix + s + suffix, nil
}

// ordinalSuffix is the English ordinal suffix of d's integer part.
func ordinalSuffix(d *apd.Decimal) string {
	var i apd.Decimal
	_, _ = numCtx.RoundToIntegralValue(&i, d)
	n, err := i.Int64()
	if err != nil {
		return "th"
	}
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// formatSci writes d as d.ddde+NN with frac fraction digits (EEEE).
func formatSci(d *apd.Decimal, frac int, fm bool) string {
	if d.Form != apd.Finite {
		return " " + strings.Repeat("#", frac+1) + "." + "####"
	}
	sign := " "
	if d.Negative && !d.IsZero() {
		sign = "-"
	}
	abs := new(apd.Decimal).Abs(d)
	exp := 0
	if !abs.IsZero() {
		exp = int(abs.NumDigits()) + int(abs.Exponent) - 1
	}
	m := new(apd.Decimal)
	m.Set(abs)
	m.Exponent -= int32(exp)
	ctx := numCtx
	ctx.Rounding = apd.RoundHalfUp
	_, _ = ctx.Quantize(m, m, -int32(frac))
	if m.Cmp(apd.New(10, 0)) >= 0 {
		exp++
		m.Set(abs)
		m.Exponent -= int32(exp)
		_, _ = ctx.Quantize(m, m, -int32(frac))
	}
	mant := m.Text('f')
	if fm {
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(mant, "0")
			mant = strings.TrimSuffix(mant, ".")
		}
		if sign == " " {
			sign = ""
		}
	}
	es := "+"
	if exp < 0 {
		es, exp = "-", -exp
	}
	e := strconv.Itoa(exp)
	if len(e) < 2 {
		e = "0" + e
	}
	return sign + mant + "e" + es + e
}

// formatRoman writes d's rounded value in roman numerals (RN), right-aligned in
// 15 characters unless fm; values outside 1..3999 are 15 #s.
func formatRoman(d *apd.Decimal, fm, lower bool) string {
	var i apd.Decimal
	ctx := numCtx
	ctx.Rounding = apd.RoundHalfUp
	_, _ = ctx.RoundToIntegralValue(&i, d)
	n, err := i.Int64()
	if d.Form != apd.Finite || err != nil || n < 1 || n > 3999 {
		return strings.Repeat("#", 15)
	}
	vals := []int64{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for k, v := range vals {
		for n >= v {
			b.WriteString(syms[k])
			n -= v
		}
	}
	s := b.String()
	if lower {
		s = strings.ToLower(s)
	}
	if fm {
		return s
	}
	return strings.Repeat(" ", 15-len(s)) + s
}

// ParseNumber is to_number(text, template): the digits of s read against the
// template's digit positions (9 0) before and after its decimal point (. D),
// skipping group separators, currency symbols and other characters; a minus
// sign anywhere (or angle brackets, with PR) makes the value negative.
func ParseNumber(s, format string) (*apd.Decimal, error) {
	up := strings.ToUpper(format)
	if strings.Contains(up, "EEEE") {
		return nil, pgerr.New(pgerrcode.FeatureNotSupported, "\"EEEE\" not supported for input")
	}
	up = strings.TrimPrefix(up, "FM")
	intPos, fracPos := 0, 0
	point := false
	for _, c := range up {
		switch c {
		case '9', '0':
			if point {
				fracPos++
			} else {
				intPos++
			}
		case '.', 'D':
			point = true
		}
	}
	var ip, fp []byte
	neg, inFrac := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if inFrac {
				if len(fp) < fracPos {
					fp = append(fp, c)
				}
			} else if len(ip) < intPos {
				ip = append(ip, c)
			}
		case c == '.' && point && !inFrac:
			inFrac = true
		case c == '-' || c == '<' && strings.Contains(up, "PR"):
			neg = true
		}
	}
	if len(ip) == 0 && len(fp) == 0 {
		return nil, pgerr.New(pgerrcode.InvalidTextRepresentation, "invalid input syntax for type numeric: \" \"")
	}
	txt := string(ip)
	if txt == "" {
		txt = "0"
	}
	if len(fp) > 0 {
		txt += "." + string(fp)
	}
	if neg {
		txt = "-" + txt
	}
	return ParseNumeric(txt)
}
