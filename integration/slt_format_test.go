// The sqllogictest file format and result rendering, used by TestSQLLogic
// (sqllogictest_test.go). Everything here is pure: no server, no I/O, so that
// slt_format_unit_test.go can pin the rules down without one.

package integration

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// sltEngine is the engine name that skipif/onlyif conditions are matched against.
const sltEngine = "postgresql"

// sltDefaultHashThreshold is the reference runner's threshold for files without a
// hash-threshold record.
const sltDefaultHashThreshold = 8

type sltKind int

const (
	sltStatement sltKind = iota
	sltQuery
	sltHashThreshold
	sltHalt
)

type sltSortMode int

const (
	sltNoSort sltSortMode = iota
	sltRowSort
	sltValueSort
)

// sltCond is one skipif (skip true) or onlyif (skip false) line.
type sltCond struct {
	skip   bool
	engine string
}

// sltRecord is one record of a .test file.
type sltRecord struct {
	line  int // line number of the record's first line (conditions included)
	kind  sltKind
	conds []sltCond

	sql       string // statement and query
	wantError bool   // statement error

	types      string // query: one of I, T, R per column
	sort       sltSortMode
	label      string
	hasResults bool     // query: a ---- line was present
	expected   []string // query: expected lines after ----

	threshold int // hash-threshold
}

// applies reports whether the record runs on engine: no skipif names it and every
// onlyif names it.
func (r *sltRecord) applies(engine string) bool {
	for _, c := range r.conds {
		if c.skip == (c.engine == engine) {
			return false
		}
	}
	return true
}

type sltLine struct {
	n    int
	text string
}

// parseSLT parses the text of a .test file. Lines are split on "\n" with a trailing
// "\r" removed (several upstream files have CRLF line ends), lines starting with
// "#" are dropped, and records are the runs of non-blank lines between blank
// (empty or whitespace-only) lines.
func parseSLT(text string) ([]sltRecord, error) {
	var records []sltRecord
	var block []sltLine
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		r, err := parseSLTRecord(block)
		if err != nil {
			return err
		}
		records = append(records, r)
		block = block[:0]
		return nil
	}
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if strings.HasPrefix(l, "#") {
			continue
		}
		if strings.TrimSpace(l) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		block = append(block, sltLine{i + 1, l})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return records, nil
}

func parseSLTRecord(block []sltLine) (sltRecord, error) {
	r := sltRecord{line: block[0].n}
	i := 0
	for ; i < len(block); i++ {
		f := strings.Fields(block[i].text)
		if f[0] != "skipif" && f[0] != "onlyif" {
			break
		}
		if len(f) < 2 {
			return r, fmt.Errorf("line %d: %s without an engine name", block[i].n, f[0])
		}
		// Only the first two words count: the rest may be a comment.
		r.conds = append(r.conds, sltCond{skip: f[0] == "skipif", engine: f[1]})
	}
	if i == len(block) {
		return r, fmt.Errorf("line %d: conditions without a statement or query", block[0].n)
	}
	cmd, body := block[i], block[i+1:]
	f := strings.Fields(cmd.text)
	lines := func(ls []sltLine) []string {
		out := make([]string, len(ls))
		for j, l := range ls {
			out[j] = l.text
		}
		return out
	}
	switch f[0] {
	case "statement":
		r.kind = sltStatement
		if len(f) < 2 || (f[1] != "ok" && f[1] != "error") {
			return r, fmt.Errorf("line %d: want statement ok or statement error, got %q", cmd.n, cmd.text)
		}
		r.wantError = f[1] == "error"
		if len(body) == 0 {
			return r, fmt.Errorf("line %d: statement without SQL", cmd.n)
		}
		r.sql = strings.Join(lines(body), "\n")
	case "query":
		r.kind = sltQuery
		if len(f) < 2 || strings.Trim(f[1], "ITR") != "" {
			return r, fmt.Errorf("line %d: query needs column types made of I, T and R: %q", cmd.n, cmd.text)
		}
		r.types = f[1]
		if len(f) >= 3 {
			switch f[2] {
			case "nosort":
				r.sort = sltNoSort
			case "rowsort":
				r.sort = sltRowSort
			case "valuesort":
				r.sort = sltValueSort
			default:
				return r, fmt.Errorf("line %d: unknown sort mode %q", cmd.n, f[2])
			}
		}
		if len(f) >= 4 {
			r.label = f[3]
		}
		sep := slices.IndexFunc(body, func(l sltLine) bool { return l.text == "----" })
		sqlLines := body
		if sep >= 0 {
			sqlLines = body[:sep]
			r.hasResults = true
			r.expected = lines(body[sep+1:])
		}
		if len(sqlLines) == 0 {
			return r, fmt.Errorf("line %d: query without SQL", cmd.n)
		}
		r.sql = strings.Join(lines(sqlLines), "\n")
	case "hash-threshold":
		r.kind = sltHashThreshold
		if len(f) < 2 {
			return r, fmt.Errorf("line %d: hash-threshold without a number", cmd.n)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 0 {
			return r, fmt.Errorf("line %d: bad hash-threshold %q", cmd.n, f[1])
		}
		r.threshold = n
	case "halt":
		r.kind = sltHalt
	default:
		return r, fmt.Errorf("line %d: unknown record %q", cmd.n, cmd.text)
	}
	if (r.kind == sltHashThreshold || r.kind == sltHalt) && len(body) > 0 {
		return r, fmt.Errorf("line %d: unexpected line after %s: %q", body[0].n, f[0], body[0].text)
	}
	return r, nil
}

// sltBoolOID is PostgreSQL's boolean type. SQLite has no booleans (its comparisons
// give the integers 1 and 0), and the reference runner reaches PostgreSQL through
// psqlODBC, which fetches booleans as "1" and "0": sltBoolValue does the same, so
// that `SELECT 1 NOT IN (2)` passes with PostgreSQL's true as with SQLite's 1.
const sltBoolOID = 16

var sltTrue, sltFalse = []byte("1"), []byte("0")

// sltBoolValue maps the text of a boolean ("t" or "f") to "1" or "0"; NULL stays nil.
func sltBoolValue(v []byte) []byte {
	switch string(v) {
	case "t":
		return sltTrue
	case "f":
		return sltFalse
	}
	return v
}

// sltRender renders one value of a result column of type typ (I, T or R); v is the
// value's text as the server sent it, nil for NULL. It follows the reference
// runner (which reads SQLite's values with sqlite3_column_int, _double and _text):
// NULL is "NULL"; I is an integer, reals truncated toward zero and non-numeric
// text read as its leading integer, if any, else 0; R is "%.3f" with at most 16
// significant digits, as SQLite's printf; T is the text, "(empty)" when empty.
// Bytes outside the printable ASCII range 0x20–0x7e become "@".
func sltRender(typ byte, v []byte) string {
	if v == nil {
		return "NULL"
	}
	switch typ {
	case 'I':
		return strconv.FormatInt(sltInt(string(v)), 10)
	case 'R':
		return sltFormatReal(sltFloat(string(v)))
	}
	if len(v) == 0 {
		return "(empty)"
	}
	for _, b := range v {
		if b < 0x20 || b > 0x7e {
			return sltPrintable(v)
		}
	}
	return string(v)
}

func sltPrintable(v []byte) string {
	out := make([]byte, len(v))
	for i, b := range v {
		if b < 0x20 || b > 0x7e {
			b = '@'
		}
		out[i] = b
	}
	return string(out)
}

// sltInt converts a value's text to an integer as SQLite's sqlite3_column_int
// would the same value: integers as they are, other numbers truncated toward zero
// (and clamped to the int64 range), anything else by its leading integer ("12abc"
// is 12, "abc" is 0). PostgreSQL's booleans are text here, so "t" and "f" are 0.
func sltInt(s string) int64 {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case math.IsNaN(f):
			return 0
		case f >= math.MaxInt64:
			return math.MaxInt64
		case f <= math.MinInt64:
			return math.MinInt64
		}
		return int64(f) // Go's conversion truncates toward zero
	}
	p := sltNumericPrefix(s, false)
	if p == "" {
		return 0
	}
	i, err := strconv.ParseInt(p, 10, 64)
	if err != nil { // out of range: clamp like sqlite3Atoi64
		if strings.HasPrefix(p, "-") {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return i
}

// sltFloat converts a value's text to a float64 as sqlite3_column_double would:
// numbers as they are, anything else by its leading number, if any, else 0.
func sltFloat(s string) float64 {
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if math.IsNaN(f) {
			return 0
		}
		return f
	}
	p := sltNumericPrefix(s, true)
	if p == "" {
		return 0
	}
	f, _ := strconv.ParseFloat(p, 64)
	return f
}

// sltNumericPrefix returns the leading number of s after leading spaces: an
// optional sign and digits, and with real also a fraction and an exponent.
// It returns "" when s does not start with a number.
func sltNumericPrefix(s string, real bool) string {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	n := digits()
	if real && i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return ""
	}
	end := i
	if real && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() > 0 {
			end = i
		}
	}
	return strings.TrimSuffix(s[:end], ".")
}

// sltFormatReal formats f as SQLite's printf("%.3f") does: rounded half away from
// zero at the third decimal and to at most 16 significant digits, the digits after
// the 16th printed as 0 (so -2^63 is "-9223372036854776000.000").
func sltFormatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	sign := ""
	if f < 0 {
		sign = "-"
	}
	a := math.Abs(f)
	if a == 0 {
		return "0.000"
	}
	// 31 significant digits: far more than a float64 holds, so rounding them to 16
	// or fewer below is rounding the exact value.
	e := strconv.FormatFloat(a, 'e', 30, 64)
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	digits := []byte(strings.Replace(mant, ".", "", 1))
	point := x + 1 // the value is 0.<digits> × 10^point
	keep := min(16, point+3)
	var kept []byte
	if keep >= 0 {
		kept = slices.Clone(digits[:keep])
		if digits[keep] >= '5' {
			i := len(kept) - 1
			for ; i >= 0 && kept[i] == '9'; i-- {
				kept[i] = '0'
			}
			if i >= 0 {
				kept[i]++
			} else {
				kept = append([]byte{'1'}, kept...)
				point++
			}
		}
	}
	digit := func(i int) byte {
		if i < 0 || i >= len(kept) {
			return '0'
		}
		return kept[i]
	}
	var b strings.Builder
	b.WriteString(sign)
	if point <= 0 {
		b.WriteByte('0')
	}
	for i := 0; i < point; i++ {
		b.WriteByte(digit(i))
	}
	b.WriteByte('.')
	for i := point; i < point+3; i++ {
		b.WriteByte(digit(i))
	}
	return b.String()
}

// sltSort sorts rendered values (row-major, ncols per row) in place: rowsort
// orders rows by comparing their values column by column as byte strings (strcmp),
// valuesort orders every value on its own, nosort leaves them.
func sltSort(values []string, ncols int, mode sltSortMode) {
	switch mode {
	case sltValueSort:
		slices.Sort(values)
	case sltRowSort:
		if ncols <= 0 || len(values) <= ncols {
			return
		}
		rows := make([][]string, 0, len(values)/ncols)
		for i := 0; i+ncols <= len(values); i += ncols {
			rows = append(rows, values[i:i+ncols:i+ncols])
		}
		slices.SortStableFunc(rows, slices.Compare)
		sorted := make([]string, 0, len(values))
		for _, r := range rows {
			sorted = append(sorted, r...)
		}
		copy(values, sorted)
	}
}

// sltHash is the reference's result hash: the MD5 of every value followed by "\n".
func sltHash(values []string) string {
	h := md5.New()
	for _, v := range values {
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sltOutput is what a query's result looks like in a .test file: the sorted values,
// one per line, or, when there are more than threshold of them (and threshold is
// not 0), the single line "<count> values hashing to <md5>".
func sltOutput(values []string, threshold int) []string {
	if threshold > 0 && len(values) > threshold {
		return []string{fmt.Sprintf("%d values hashing to %s", len(values), sltHash(values))}
	}
	return values
}
