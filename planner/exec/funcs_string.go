package exec

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/types"
	"github.com/jackc/pgerrcode"
)

// PostgreSQL 15's string functions (func.sgml "String Functions and Operators")
// for a UTF8 database with the C locale: lengths and positions count characters,
// and case mapping changes ASCII letters only.
//
// The SQL-standard forms arrive as pgdialect rewrites them, with PostgreSQL's
// functions: SUBSTRING(s FROM a FOR b) as substring(s, a, b), POSITION(a IN b) as
// position(b, a), OVERLAY(s PLACING r FROM a FOR b) as overlay(s, r, a, b), and
// TRIM(BOTH|LEADING|TRAILING c FROM x) as btrim/ltrim/rtrim(x, c).

func init() {
	t, bp, i4, i8 := types.Text, types.Bpchar, types.Int4, types.Int8

	register("length", strict(sig(t), i4, charLength), strict(sig(bp), i4, bpcharLength))
	alias("char_length", "length")
	alias("character_length", "length")
	register("octet_length", strict(sig(t), i4, octetLength), strict(sig(bp), i4, octetLength))
	register("bit_length", strict(sig(t), i4, func(a []types.Datum) (types.Datum, error) {
		return int64(8 * len(a[0].(string))), nil
	}))
	register("lower", strict(sig(t), t, text1(asciiLower)))
	register("upper", strict(sig(t), t, text1(asciiUpper)))
	register("initcap", strict(sig(t), t, text1(initcap)))
	register("substr", strict(sig(t, i4), t, substrFrom), strict(sig(t, i4, i4), t, substrFor))
	register("substring", strict(sig(t, i4), t, substrFrom), strict(sig(t, i4, i4), t, substrFor),
		strict(sig(t, t), t, regexpSubstring))
	register("overlay", strict(sig(t, t, i4), t, textOverlay), strict(sig(t, t, i4, i4), t, textOverlay))
	register("left", strict(sig(t, i4), t, textLeft))
	register("right", strict(sig(t, i4), t, textRight))
	register("lpad", strict(sig(t, i4), t, textPad(true)), strict(sig(t, i4, t), t, textPad(true)))
	register("rpad", strict(sig(t, i4), t, textPad(false)), strict(sig(t, i4, t), t, textPad(false)))
	register("btrim", strict(sig(t), t, trimFn(true, true)), strict(sig(t, t), t, trimFn(true, true)))
	register("ltrim", strict(sig(t), t, trimFn(true, false)), strict(sig(t, t), t, trimFn(true, false)))
	register("rtrim", strict(sig(t), t, trimFn(false, true)), strict(sig(t, t), t, trimFn(false, true)))
	register("replace", strict(sig(t, t, t), t, func(a []types.Datum) (types.Datum, error) {
		s, from := a[0].(string), a[1].(string)
		if from == "" {
			return s, nil
		}
		return strings.ReplaceAll(s, from, a[2].(string)), nil
	}))
	register("repeat", strict(sig(t, i4), t, textRepeat))
	register("reverse", strict(sig(t), t, text1(textReverse)))
	register("strpos", strict(sig(t, t), i4, func(a []types.Datum) (types.Datum, error) {
		return textPos(a[0].(string), a[1].(string)), nil
	}))
	// position(string, substring): POSITION(substring IN string) as pgdialect
	// rewrites it, and pg_catalog.position called directly.
	register("position", strict(sig(t, t), i4, func(a []types.Datum) (types.Datum, error) {
		return textPos(a[0].(string), a[1].(string)), nil
	}))
	register("split_part", strict(sig(t, t, i4), t, splitPart))
	register("concat", variadic(nil, t, func(a []types.Datum) (types.Datum, error) {
		return joinNonNull(a, ""), nil
	}))
	register("concat_ws", variadic(sig(t), t, func(a []types.Datum) (types.Datum, error) {
		if a[0] == nil {
			return nil, nil
		}
		return joinNonNull(a[1:], a[0].(string)), nil
	}))
	register("md5", strict(sig(t), t, text1(func(s string) string {
		sum := md5.Sum([]byte(s))
		return hex.EncodeToString(sum[:])
	})))
	register("chr", strict(sig(i4), t, textChr))
	register("ascii", strict(sig(t), i4, func(a []types.Datum) (types.Datum, error) {
		r, _ := utf8.DecodeRuneInString(a[0].(string))
		if r == utf8.RuneError {
			return int64(0), nil
		}
		return int64(r), nil
	}))
	register("to_hex",
		strict(sig(i4), t, func(a []types.Datum) (types.Datum, error) {
			return strconv.FormatUint(uint64(uint32(a[0].(int64))), 16), nil
		}),
		strict(sig(i8), t, func(a []types.Datum) (types.Datum, error) {
			return strconv.FormatUint(uint64(a[0].(int64)), 16), nil
		}))
	register("translate", strict(sig(t, t, t), t, textTranslate))
	register("starts_with", strict(sig(t, t), types.Bool, func(a []types.Datum) (types.Datum, error) {
		return strings.HasPrefix(a[0].(string), a[1].(string)), nil
	}))
	register("quote_ident", strict(sig(t), t, text1(quoteIdent)))
	register("quote_literal", strict(sig(t), t, text1(quoteLiteral)))
	register("quote_nullable", nonStrict(sig(t), t, func(a []types.Datum) (types.Datum, error) {
		if a[0] == nil {
			return "NULL", nil
		}
		return quoteLiteral(a[0].(string)), nil
	}))
	register("format", nonStrict(sig(t), t, textFormat), variadic(sig(t), t, textFormat))

	// bytea
	by := types.Bytea
	register("length", strict(sig(by), i4, byteaLength))
	register("octet_length", strict(sig(by), i4, byteaLength))
	register("bit_length", strict(sig(by), i4, func(a []types.Datum) (types.Datum, error) {
		return int64(8 * len(a[0].([]byte))), nil
	}))
	register("md5", strict(sig(by), t, func(a []types.Datum) (types.Datum, error) {
		sum := md5.Sum(a[0].([]byte))
		return hex.EncodeToString(sum[:]), nil
	}))
	register("sha224", strict(sig(by), by, digest(sha256.New224)))
	register("sha256", strict(sig(by), by, digest(sha256.New)))
	register("sha384", strict(sig(by), by, digest(sha512.New384)))
	register("sha512", strict(sig(by), by, digest(sha512.New)))
	register("encode", strict(sig(by, t), t, encode))
	// bytea || bytea binds to byteacat, as in PostgreSQL.
	register("byteacat", strict(sig(by, by), by, func(a []types.Datum) (types.Datum, error) {
		x, y := a[0].([]byte), a[1].([]byte)
		if int64(len(x))+int64(len(y))+4 > maxAlloc {
			return nil, lengthTooLarge()
		}
		return append(append(make([]byte, 0, len(x)+len(y)), x...), y...), nil
	}))
	register("substring", strict(sig(by, i4), by, byteaSubstrFrom), strict(sig(by, i4, i4), by, byteaSubstrFor))
	register("substr", strict(sig(by, i4), by, byteaSubstrFrom), strict(sig(by, i4, i4), by, byteaSubstrFor))
	register("overlay", strict(sig(by, by, i4), by, byteaOverlay), strict(sig(by, by, i4, i4), by, byteaOverlay))
	register("position", strict(sig(by, by), i4, func(a []types.Datum) (types.Datum, error) {
		i := bytes.Index(a[0].([]byte), a[1].([]byte))
		return int64(i + 1), nil
	}))
	register("btrim", strict(sig(by, by), by, byteaTrim(true, true)))
	register("ltrim", strict(sig(by, by), by, byteaTrim(true, false)))
	register("rtrim", strict(sig(by, by), by, byteaTrim(false, true)))
	register("decode", strict(sig(t, t), by, decode))
	register("regexp_replace",
		strict(sig(t, t, t), t, regexpReplace),
		strict(sig(t, t, t, t), t, regexpReplace),
		strict(sig(t, t, t, i4), t, regexpReplace),
		strict(sig(t, t, t, i4, i4), t, regexpReplace),
		strict(sig(t, t, t, i4, i4, t), t, regexpReplace))
}

func text1(f func(string) string) pureFn {
	return func(a []types.Datum) (types.Datum, error) { return f(a[0].(string)), nil }
}

func charLength(a []types.Datum) (types.Datum, error) {
	return int64(utf8.RuneCountInString(a[0].(string))), nil
}

// bpcharLength ignores trailing spaces, as character(n) values compare.
func bpcharLength(a []types.Datum) (types.Datum, error) {
	return int64(utf8.RuneCountInString(strings.TrimRight(a[0].(string), " "))), nil
}

func octetLength(a []types.Datum) (types.Datum, error) { return int64(len(a[0].(string))), nil }

func asciiLower(s string) string {
	return mapBytes(s, func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	})
}

func asciiUpper(s string) string {
	return mapBytes(s, func(c byte) byte {
		if 'a' <= c && c <= 'z' {
			return c - ('a' - 'A')
		}
		return c
	})
}

func mapBytes(s string, f func(byte) byte) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = f(c)
	}
	return string(b)
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// initcap upper-cases the first letter of each run of ASCII letters and digits
// and lower-cases the rest (PostgreSQL's C-locale initcap).
func initcap(s string) string {
	b := []byte(s)
	prevAlnum := false
	for i, c := range b {
		switch {
		case prevAlnum && 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case !prevAlnum && 'a' <= c && c <= 'z':
			b[i] = c - ('a' - 'A')
		}
		prevAlnum = isASCIIAlnum(c)
	}
	return string(b)
}

// runeOffset returns the byte offset of character n (0-based) of s, len(s) past
// the end.
func runeOffset(s string, n int64) int {
	if n <= 0 {
		return 0
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// textSubstring is text_substring: characters start .. start+count-1 (1-based),
// clipped to the string; count < 0 means to the end.
func textSubstring(s string, start, count int64) string {
	from := max(start, 1)
	if count < 0 {
		return s[runeOffset(s, from-1):]
	}
	end := start + count // exclusive
	if end <= from {
		return ""
	}
	b := runeOffset(s, from-1)
	return s[b : b+runeOffset(s[b:], end-from)]
}

func substrFrom(a []types.Datum) (types.Datum, error) {
	return textSubstring(a[0].(string), a[1].(int64), -1), nil
}

func negativeLength() error {
	return pgerr.New(pgerrcode.SubstringError, "negative substring length not allowed")
}

func substrFor(a []types.Datum) (types.Datum, error) {
	if a[2].(int64) < 0 {
		return nil, negativeLength()
	}
	return textSubstring(a[0].(string), a[1].(int64), a[2].(int64)), nil
}

// byteaSubstring is bytea_substring: bytes start .. start+count-1 (1-based),
// clipped to the value; count < 0 means to the end.
func byteaSubstring(s []byte, start, count int64) []byte {
	from := min(max(start, 1), int64(len(s))+1)
	if count < 0 {
		return s[from-1:]
	}
	end := min(start+count, int64(len(s))+1) // exclusive
	if end <= from {
		return []byte{}
	}
	return s[from-1 : end-1]
}

func byteaSubstrFrom(a []types.Datum) (types.Datum, error) {
	return byteaSubstring(a[0].([]byte), a[1].(int64), -1), nil
}

func byteaSubstrFor(a []types.Datum) (types.Datum, error) {
	if a[2].(int64) < 0 {
		return nil, negativeLength()
	}
	return byteaSubstring(a[0].([]byte), a[1].(int64), a[2].(int64)), nil
}

// overlayEnd checks an overlay's start and returns the position after the
// replaced part, which PostgreSQL computes in int4.
func overlayEnd(start, count int64) (int64, error) {
	if start <= 0 {
		return 0, negativeLength()
	}
	after := start + count
	if after > 1<<31-1 || after < -1<<31 {
		return 0, intOutOfRange(types.Int4)
	}
	return after, nil
}

// byteaOverlay is textOverlay for bytes.
func byteaOverlay(a []types.Datum) (types.Datum, error) {
	s, with, start := a[0].([]byte), a[1].([]byte), a[2].(int64)
	count := int64(len(with))
	if len(a) > 3 {
		count = a[3].(int64)
	}
	after, err := overlayEnd(start, count)
	if err != nil {
		return nil, err
	}
	out := append([]byte{}, byteaSubstring(s, 1, start-1)...)
	out = append(out, with...)
	return append(out, byteaSubstring(s, after, -1)...), nil
}

// byteaTrim is btrim/ltrim/rtrim for bytea: remove the bytes of the set from the
// chosen ends.
func byteaTrim(leading, trailing bool) pureFn {
	return func(a []types.Datum) (types.Datum, error) {
		s, set := a[0].([]byte), a[1].([]byte)
		in := func(c byte) bool { return bytes.IndexByte(set, c) >= 0 }
		i, j := 0, len(s)
		for leading && i < j && in(s[i]) {
			i++
		}
		for trailing && j > i && in(s[j-1]) {
			j--
		}
		return s[i:j], nil
	}
}

// textOverlay replaces count characters (default: the length of the replacement)
// from position start.
func textOverlay(a []types.Datum) (types.Datum, error) {
	s, with, start := a[0].(string), a[1].(string), a[2].(int64)
	count := int64(utf8.RuneCountInString(with))
	if len(a) > 3 {
		count = a[3].(int64)
	}
	after, err := overlayEnd(start, count)
	if err != nil {
		return nil, err
	}
	head := textSubstring(s, 1, start-1)
	return head + with + textSubstring(s, after, -1), nil
}

func textLeft(a []types.Datum) (types.Datum, error) {
	s, n := a[0].(string), a[1].(int64)
	if n < 0 {
		n = max(int64(utf8.RuneCountInString(s))+n, 0)
	}
	return s[:runeOffset(s, n)], nil
}

func textRight(a []types.Datum) (types.Datum, error) {
	s, n := a[0].(string), a[1].(int64)
	if n >= 0 {
		n = max(int64(utf8.RuneCountInString(s))-n, 0)
	} else {
		n = -n
	}
	return s[runeOffset(s, n):], nil
}

const maxAlloc = 1<<30 - 1 // PostgreSQL's MaxAllocSize

func lengthTooLarge() error {
	return pgerr.New(pgerrcode.ProgramLimitExceeded, "requested length too large")
}

// textPad is lpad/rpad: fill (default one space) repeated before or after s up to n
// characters; a longer s is cut to n characters.
func textPad(leading bool) pureFn {
	return func(a []types.Datum) (types.Datum, error) {
		s, n, fill := a[0].(string), max(a[1].(int64), 0), " "
		if len(a) > 2 {
			fill = a[2].(string)
		}
		have := int64(utf8.RuneCountInString(s))
		if have > n {
			have = n
			s = s[:runeOffset(s, n)]
		}
		if fill == "" {
			n = have
		}
		// PostgreSQL allocates four bytes per character for the result.
		if n*4 > 1<<31-1 {
			return nil, lengthTooLarge()
		}
		if n*4+4 > maxAlloc {
			return nil, pgerr.New(pgerrcode.InternalError, "invalid memory alloc request size %d", n*4+4)
		}
		var b strings.Builder
		if !leading {
			b.WriteString(s)
		}
		fillRunes := []rune(fill)
		for i := int64(0); i < n-have; i++ {
			b.WriteRune(fillRunes[i%int64(len(fillRunes))])
		}
		if leading {
			b.WriteString(s)
		}
		return b.String(), nil
	}
}

// trimFn is btrim/ltrim/rtrim: remove the characters of the set (default a
// space) from the chosen ends.
func trimFn(leading, trailing bool) pureFn {
	return func(a []types.Datum) (types.Datum, error) {
		s, set := a[0].(string), " "
		if len(a) > 1 {
			set = a[1].(string)
		}
		in := func(r rune) bool { return strings.ContainsRune(set, r) }
		if leading {
			s = strings.TrimLeftFunc(s, in)
		}
		if trailing {
			s = strings.TrimRightFunc(s, in)
		}
		return s, nil
	}
}

func textRepeat(a []types.Datum) (types.Datum, error) {
	s, n := a[0].(string), max(a[1].(int64), 0)
	if int64(len(s))*n+4 > maxAlloc { // the result and its varlena header
		return nil, lengthTooLarge()
	}
	return strings.Repeat(s, int(n)), nil
}

func textReverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// textPos is the 1-based character position of sub in s, 0 when absent.
func textPos(s, sub string) int64 {
	i := strings.Index(s, sub)
	if i < 0 {
		return 0
	}
	return int64(utf8.RuneCountInString(s[:i])) + 1
}

func splitPart(a []types.Datum) (types.Datum, error) {
	s, sep, n := a[0].(string), a[1].(string), a[2].(int64)
	if n == 0 {
		return nil, pgerr.New(pgerrcode.InvalidParameterValue, "field position must not be zero")
	}
	if s == "" {
		return "", nil
	}
	fields := []string{s}
	if sep != "" {
		fields = strings.Split(s, sep)
	}
	if n < 0 {
		n += int64(len(fields)) + 1
	}
	if n < 1 || n > int64(len(fields)) {
		return "", nil
	}
	return fields[n-1], nil
}

func joinNonNull(a []types.Datum, sep string) string {
	var b strings.Builder
	first := true
	for _, d := range a {
		if d == nil {
			continue
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(d.(string))
	}
	return b.String()
}

func textChr(a []types.Datum) (types.Datum, error) {
	n := a[0].(int64)
	switch {
	case n < 0:
		return nil, pgerr.New(pgerrcode.InvalidParameterValue, "character number must be positive")
	case n == 0:
		return nil, pgerr.New(pgerrcode.ProgramLimitExceeded, "null character not permitted")
	case n > utf8.MaxRune:
		return nil, pgerr.New(pgerrcode.ProgramLimitExceeded, "requested character too large for encoding: %d", n)
	case !utf8.ValidRune(rune(n)):
		return nil, pgerr.New(pgerrcode.ProgramLimitExceeded, "requested character not valid for encoding: %d", n)
	}
	return string(rune(n)), nil
}

// textTranslate replaces each character of s found in from by the character at the
// same position in to, or deletes it when to is shorter.
func textTranslate(a []types.Datum) (types.Datum, error) {
	s, from, to := a[0].(string), []rune(a[1].(string)), []rune(a[2].(string))
	var b strings.Builder
	for _, r := range s {
		i := indexRune(from, r)
		switch {
		case i < 0:
			b.WriteRune(r)
		case i < len(to):
			b.WriteRune(to[i])
		}
	}
	return b.String(), nil
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

// quotedKeywords are PostgreSQL 15's keywords that quote_ident quotes: the reserved,
// type_func_name and col_name ones (pg_get_keywords() with catcode <> 'U').
const quotedKeywords = " all analyse analyze and any array as asc asymmetric authorization between " +
	"bigint binary bit boolean both case cast char character check coalesce collate " +
	"collation column concurrently constraint create cross current_catalog current_date " +
	"current_role current_schema current_time current_timestamp current_user dec decimal " +
	"default deferrable desc distinct do else end except exists extract false fetch float " +
	"for foreign freeze from full grant greatest group grouping having ilike in initially " +
	"inner inout int integer intersect interval into is isnull join lateral leading least " +
	"left like limit localtime localtimestamp national natural nchar none normalize not " +
	"notnull null nullif numeric offset on only or order out outer overlaps overlay placing " +
	"position precision primary real references returning right row select session_user " +
	"setof similar smallint some substring symmetric table tablesample then time timestamp " +
	"to trailing treat trim true union unique user using values varchar variadic verbose " +
	"when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest " +
	"xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable "

// quoteIdent is quote_identifier: quotes unless s is a lower-case identifier
// that is not a keyword.
func quoteIdent(s string) string {
	safe := s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] == '_')
	for i := 0; i < len(s) && safe; i++ {
		c := s[i]
		safe = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if safe && !strings.Contains(quotedKeywords, " "+s+" ") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteLiteral doubles quotes and backslashes; a backslash also makes the
// literal an escape string (E'...').
func quoteLiteral(s string) string {
	var b strings.Builder
	if strings.Contains(s, `\`) {
		b.WriteByte('E')
	}
	b.WriteByte('\'')
	for _, r := range s {
		if r == '\'' || r == '\\' {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// textFormat is PostgreSQL's format(): %s, %I and %L with optional argument
// positions (%2$s), the - flag and widths (%10s, %*s, %*2$s).
func textFormat(a []types.Datum) (types.Datum, error) {
	if a[0] == nil {
		return nil, nil
	}
	f := &textFormatter{spec: a[0].(string), args: a, next: 1}
	return f.run()
}

type textFormatter struct {
	spec string
	i    int // position in spec
	args []types.Datum
	next int // next argument (args[0] is the format string)
	out  strings.Builder
}

func formatErr(msg string) error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "%s", msg)
}

func unterminated() error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "unterminated format() type specifier").
		WithHint(`For a single "%%" use "%%%%".`)
}

// advance moves past the current character; the specifier must go on.
func (f *textFormatter) advance() error {
	f.i++
	if f.i >= len(f.spec) {
		return unterminated()
	}
	return nil
}

// digits parses a decimal number at the current position.
func (f *textFormatter) digits() (n int64, found bool, err error) {
	for f.spec[f.i] >= '0' && f.spec[f.i] <= '9' {
		n = n*10 + int64(f.spec[f.i]-'0')
		if n > 1<<31-1 {
			return 0, false, pgerr.New(pgerrcode.NumericValueOutOfRange, "number is out of range")
		}
		found = true
		if err := f.advance(); err != nil {
			return 0, false, err
		}
	}
	return n, found, nil
}

func (f *textFormatter) run() (types.Datum, error) {
	for ; f.i < len(f.spec); f.i++ {
		c := f.spec[f.i]
		if c != '%' {
			f.out.WriteByte(c)
			continue
		}
		if err := f.advance(); err != nil {
			return nil, err
		}
		if f.spec[f.i] == '%' {
			f.out.WriteByte('%')
			continue
		}
		if err := f.conversion(); err != nil {
			return nil, err
		}
	}
	return f.out.String(), nil
}

// conversion handles one specifier after its %.
func (f *textFormatter) conversion() error {
	argPos, widthPos, minus, width := int64(-1), int64(-1), false, int64(0)
	n, found, err := f.digits()
	if err != nil {
		return err
	}
	if found && f.spec[f.i] != '$' {
		width = n
	} else {
		if found {
			if n == 0 {
				return formatErr("format specifies argument 0, but arguments are numbered from 1")
			}
			argPos = n
			if err := f.advance(); err != nil {
				return err
			}
		}
		for f.spec[f.i] == '-' {
			minus = true
			if err := f.advance(); err != nil {
				return err
			}
		}
		if f.spec[f.i] == '*' {
			if err := f.advance(); err != nil {
				return err
			}
			n, found, err := f.digits()
			if err != nil {
				return err
			}
			widthPos = 0
			if found {
				if f.spec[f.i] != '$' {
					return formatErr(`width argument position must be ended by "$"`)
				}
				if n == 0 {
					return formatErr("format specifies argument 0, but arguments are numbered from 1")
				}
				widthPos = n
				if err := f.advance(); err != nil {
					return err
				}
			}
		} else if n, found, err := f.digits(); err != nil {
			return err
		} else if found {
			width = n
		}
	}
	kind := f.spec[f.i]
	if kind != 's' && kind != 'I' && kind != 'L' {
		r, _ := utf8.DecodeRuneInString(f.spec[f.i:])
		return pgerr.New(pgerrcode.InvalidParameterValue, "unrecognized format() type specifier \"%c\"", r).
			WithHint(`For a single "%%" use "%%%%".`)
	}
	if widthPos >= 0 {
		v, err := f.arg(widthPos)
		if err != nil {
			return err
		}
		width = 0
		if v != nil {
			w, err := types.DecodeText(types.Int4, []byte(v.(string)))
			if err != nil {
				return err
			}
			width = w.(int64)
		}
	}
	v, err := f.arg(argPos)
	if err != nil {
		return err
	}
	var s string
	switch {
	case v == nil && kind == 'I':
		return pgerr.New(pgerrcode.NullValueNotAllowedDataException, "null values cannot be formatted as an SQL identifier")
	case v == nil && kind == 'L':
		s = "NULL"
	case v == nil:
	case kind == 'I':
		s = quoteIdent(v.(string))
	case kind == 'L':
		s = quoteLiteral(v.(string))
	default:
		s = v.(string)
	}
	return f.appendPadded(s, minus, width)
}

// arg returns argument pos (1-based; -1 or 0: the next one).
func (f *textFormatter) arg(pos int64) (types.Datum, error) {
	if pos <= 0 {
		pos = int64(f.next)
		f.next++
	} else {
		f.next = int(pos) + 1
	}
	if pos >= int64(len(f.args)) {
		return nil, formatErr("too few arguments for format()")
	}
	return f.args[pos], nil
}

func (f *textFormatter) appendPadded(s string, minus bool, width int64) error {
	if width < 0 {
		if width <= -1<<31 {
			return pgerr.New(pgerrcode.NumericValueOutOfRange, "number is out of range")
		}
		minus, width = true, -width
	}
	fill := width - int64(utf8.RuneCountInString(s))
	if fill > 0 && int64(f.out.Len())+int64(len(s))+fill >= maxAlloc {
		return pgerr.New(pgerrcode.ProgramLimitExceeded, "out of memory").
			WithDetail("Cannot enlarge string buffer containing %d bytes by %d more bytes.", f.out.Len()+len(s), fill)
	}
	if !minus && fill > 0 {
		f.out.WriteString(strings.Repeat(" ", int(fill)))
	}
	f.out.WriteString(s)
	if minus && fill > 0 {
		f.out.WriteString(strings.Repeat(" ", int(fill)))
	}
	return nil
}

// Regular expressions. PostgreSQL's are Henry Spencer's ARE; Go's regexp (RE2)
// shares their common syntax. The flags, the escapes that differ (\y \m \M \Y \Z
// for word and string boundaries, \b for backspace), matching the longest
// alternative, and PostgreSQL's error messages are translated; back references
// and lookahead constraints are not supported.

type reFlags struct {
	global, icase, nlStop, nlAnchor, quote, expanded bool
}

// parseREFlags is parse_re_flags; g is accepted only where global allows.
func parseREFlags(opts string, global bool) (reFlags, error) {
	var f reFlags
	for _, c := range opts {
		switch {
		case c == 'g' && global:
			f.global = true
		case c == 'c':
			f.icase = false
		case c == 'i':
			f.icase = true
		case c == 'm' || c == 'n':
			f.nlStop, f.nlAnchor = true, true
		case c == 'p':
			f.nlStop, f.nlAnchor = true, false
		case c == 'w':
			f.nlStop, f.nlAnchor = false, true
		case c == 's':
			f.nlStop, f.nlAnchor = false, false
		case c == 'q':
			f.quote = true
		case c == 'x':
			f.expanded = true
		case c == 't':
			f.expanded = false
		case c == 'e':
		case c == 'b':
			return f, pgerr.FeatureNotSupported("basic regular expressions (flag b) are not supported")
		default:
			return f, pgerr.New(pgerrcode.InvalidParameterValue, "invalid regular expression option: \"%c\"", c)
		}
	}
	return f, nil
}

func badRE(msg string) error {
	return pgerr.New(pgerrcode.InvalidRegularExpression, "invalid regular expression: %s", msg)
}

// compileRE compiles a PostgreSQL regular expression with its flags; it also
// returns the parsed expression.
func compileRE(pattern string, f reFlags) (*regexp.Regexp, *syntax.Regexp, error) {
	switch {
	case strings.HasPrefix(pattern, "***="):
		f.quote, pattern = true, pattern[4:]
	case strings.HasPrefix(pattern, "***:"):
		pattern = pattern[4:]
	}
	if !f.quote {
		// Embedded options (?xyz) at the start override the flags.
		if strings.HasPrefix(pattern, "(?") {
			end := strings.IndexByte(pattern, ')')
			opts := ""
			if end > 0 {
				opts = pattern[2:end]
			}
			if end > 2 && strings.Trim(opts, "abcdefghijklmnopqrstuvwxyz") == "" {
				var err error
				if f, err = parseREFlags(opts, false); err != nil {
					if pgerr.Code(err) == pgerrcode.InvalidParameterValue {
						return nil, nil, badRE("invalid embedded option")
					}
					return nil, nil, err
				}
				pattern = pattern[end+1:]
			}
		}
	}
	var expr string
	if f.quote {
		expr = regexp.QuoteMeta(pattern)
	} else {
		var err error
		if expr, err = translateARE(pattern, f.expanded); err != nil {
			return nil, nil, err
		}
	}
	prefix := ""
	if f.icase {
		prefix += "i"
	}
	if !f.nlStop {
		prefix += "s"
	}
	if f.nlAnchor {
		prefix += "m"
	}
	if prefix != "" {
		expr = "(?" + prefix + ")" + expr
	}
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, nil, reError(err)
	}
	if err := checkRE(tree); err != nil {
		return nil, nil, err
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, nil, reError(err)
	}
	if !hasNonGreedy(tree) {
		re.Longest() // an ARE without non-greedy quantifiers matches the longest
	}
	return re, tree, nil
}

// translateARE rewrites the escapes whose meaning differs between PostgreSQL
// and Go and, in expanded mode, drops white space and comments.
func translateARE(p string, expanded bool) (string, error) {
	var b strings.Builder
	inBracket := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case !inBracket && (strings.HasPrefix(p[i:], "[[:<:]]") || strings.HasPrefix(p[i:], "[[:>:]]")):
			b.WriteString(`\b`) // start and end of a word
			i += len("[[:<:]]") - 1
			continue
		case c == '[' && !inBracket:
			inBracket = true
			b.WriteByte(c)
			// A ] right after [ or [^ is a literal.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case c == '[' && i+1 < len(p) && (p[i+1] == ':' || p[i+1] == '.' || p[i+1] == '='):
			// [:class:] and friends inside a bracket expression
			end := strings.Index(p[i+2:], string(p[i+1])+"]")
			if end < 0 {
				return "", badRE("brackets [] not balanced")
			}
			b.WriteString(p[i : i+2+end+2])
			i += 2 + end + 1
			continue
		case c == ']' && inBracket:
			inBracket = false
		case expanded && !inBracket && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			continue
		case expanded && !inBracket && c == '#':
			for i < len(p) && p[i] != '\n' {
				i++
			}
			continue
		case c == '\\' && i+1 < len(p):
			i++
			if s, err := translateEscape(p[i], inBracket); err != nil {
				return "", err
			} else if s != "" {
				b.WriteString(s)
				continue
			}
			b.WriteByte('\\')
			b.WriteByte(p[i])
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// translateEscape returns Go's spelling of PostgreSQL's escape \c, or "" when
// it is the same.
func translateEscape(c byte, inBracket bool) (string, error) {
	switch c {
	case 'b':
		return `\x08`, nil
	case 'B':
		return `\\`, nil
	case 'e':
		return `\x1b`, nil
	case 'Z':
		return `\z`, nil
	case 'm', 'M', 'y':
		if inBracket {
			return "", badRE(`invalid escape \ sequence`)
		}
		return `\b`, nil
	case 'Y':
		return `\B`, nil
	case '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "", badRE("back references are not supported")
	}
	return "", nil
}

// reError turns Go's regexp errors into PostgreSQL's messages.
func reError(err error) error {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return badRE(err.Error())
	}
	switch se.Code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen:
		return badRE("parentheses () not balanced")
	case syntax.ErrMissingBracket:
		return badRE("brackets [] not balanced")
	case syntax.ErrInvalidRepeatSize:
		return badRE("invalid repetition count(s)")
	case syntax.ErrMissingRepeatArgument, syntax.ErrInvalidRepeatOp:
		return badRE("quantifier operand invalid")
	case syntax.ErrInvalidEscape, syntax.ErrTrailingBackslash:
		return badRE(`invalid escape \ sequence`)
	case syntax.ErrInvalidCharRange:
		return badRE("invalid character range")
	case syntax.ErrInvalidCharClass:
		return badRE("invalid character class")
	case syntax.ErrNestingDepth, syntax.ErrLarge:
		return badRE("regular expression is too complex")
	case syntax.ErrInvalidPerlOp, syntax.ErrInvalidNamedCapture:
		return badRE(fmt.Sprintf("%s is not supported (lookaround constraints)", se.Expr))
	}
	return badRE(se.Code.String())
}

// checkRE enforces PostgreSQL's limit of 255 repetitions.
func checkRE(t *syntax.Regexp) error {
	if t.Op == syntax.OpRepeat && (t.Min > 255 || t.Max > 255) {
		return badRE("invalid repetition count(s)")
	}
	for _, s := range t.Sub {
		if err := checkRE(s); err != nil {
			return err
		}
	}
	return nil
}

func hasNonGreedy(t *syntax.Regexp) bool {
	switch t.Op {
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if t.Flags&syntax.NonGreedy != 0 {
			return true
		}
	}
	for _, s := range t.Sub {
		if hasNonGreedy(s) {
			return true
		}
	}
	return false
}

// leftContext reports whether a match depends on the text before it (^, \b):
// such patterns cannot be matched against a suffix of the string.
func leftContext(t *syntax.Regexp) bool {
	switch t.Op {
	case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, s := range t.Sub {
		if leftContext(s) {
			return true
		}
	}
	return false
}

// regexpSubstring is substring(text FROM pattern): the part the first
// parenthesized subexpression matched (the whole match without one), or NULL.
func regexpSubstring(a []types.Datum) (types.Datum, error) {
	re, _, err := compileRE(a[1].(string), reFlags{})
	if err != nil {
		return nil, err
	}
	s := a[0].(string)
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	if re.NumSubexp() > 0 {
		m = m[2:]
	}
	if m[0] < 0 {
		return nil, nil
	}
	return s[m[0]:m[1]], nil
}

// regexpReplace is regexp_replace(source, pattern, replacement [, start [, n]]
// [, flags]): replace the n-th match at or after character start (n = 0: all of
// them; without n, all with flag g, else the first).
func regexpReplace(a []types.Datum) (types.Datum, error) {
	src, pattern, repl := a[0].(string), a[1].(string), a[2].(string)
	start, n := int64(1), int64(1)
	opts := ""
	switch len(a) {
	case 4:
		if s, ok := a[3].(string); ok {
			opts = s
		} else {
			start = a[3].(int64)
		}
	case 5:
		start, n = a[3].(int64), a[4].(int64)
	case 6:
		start, n, opts = a[3].(int64), a[4].(int64), a[5].(string)
	}
	if start <= 0 {
		return nil, pgerr.New(pgerrcode.InvalidParameterValue, "invalid value for parameter \"%s\": %d", "start", start)
	}
	if n < 0 {
		return nil, pgerr.New(pgerrcode.InvalidParameterValue, "invalid value for parameter \"%s\": %d", "n", n)
	}
	f, err := parseREFlags(opts, true)
	if err != nil {
		return nil, err
	}
	if len(a) <= 4 && f.global {
		n = 0
	}
	re, tree, err := compileRE(pattern, f)
	if err != nil {
		return nil, err
	}
	if int64(utf8.RuneCountInString(src)) < start-1 {
		return src, nil
	}
	r := replacer{src: src, repl: repl, n: n}
	from := runeOffset(src, start-1)
	if leftContext(tree) {
		for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
			if m[0] >= from && r.match(m) {
				break
			}
		}
	} else {
		for pos := from; pos <= len(src); {
			m := re.FindStringSubmatchIndex(src[pos:])
			if m == nil {
				break
			}
			for i := range m {
				if m[i] >= 0 {
					m[i] += pos
				}
			}
			if r.match(m) {
				break
			}
			pos = m[1]
			if m[0] == m[1] {
				_, w := utf8.DecodeRuneInString(src[pos:])
				pos += max(w, 1)
			}
		}
	}
	r.out.WriteString(src[r.done:])
	return r.out.String(), nil
}

// replacer builds regexp_replace's result match by match.
type replacer struct {
	src, repl string
	n         int64 // which match to replace, 0 for all
	count     int64
	done      int // src[:done] has been written
	out       strings.Builder
}

// match handles one match (submatch offsets m) and reports whether to stop.
func (r *replacer) match(m []int) bool {
	r.count++
	if r.n > 0 && r.count != r.n {
		return false
	}
	r.out.WriteString(r.src[r.done:m[0]])
	for i := 0; i < len(r.repl); i++ {
		c := r.repl[i]
		if c != '\\' {
			r.out.WriteByte(c)
			continue
		}
		if i+1 == len(r.repl) {
			r.out.WriteByte('\\')
			break
		}
		k := -1
		switch d := r.repl[i+1]; {
		case d >= '1' && d <= '9':
			k = int(d - '0')
		case d == '&':
			k = 0
		case d == '\\':
			r.out.WriteByte('\\')
			i++
			continue
		default:
			r.out.WriteByte('\\')
			continue
		}
		i++
		if 2*k+1 < len(m) && m[2*k] >= 0 {
			r.out.WriteString(r.src[m[2*k]:m[2*k+1]])
		}
	}
	r.done = m[1]
	return r.n > 0
}

func byteaLength(a []types.Datum) (types.Datum, error) { return int64(len(a[0].([]byte))), nil }

func digest(h func() hash.Hash) pureFn {
	return func(a []types.Datum) (types.Datum, error) {
		d := h()
		d.Write(a[0].([]byte))
		return d.Sum(nil), nil
	}
}

func unknownEncoding(name string) error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "unrecognized encoding: \"%s\"", name)
}

// encode is encode(bytea, format) for the formats hex, base64 and escape.
func encode(a []types.Datum) (types.Datum, error) {
	b, format := a[0].([]byte), a[1].(string)
	switch strings.ToLower(format) {
	case "hex":
		return hex.EncodeToString(b), nil
	case "base64":
		return base64Encode(b), nil
	case "escape":
		var out strings.Builder
		for _, c := range b {
			switch {
			case c == 0 || c >= 0x80:
				fmt.Fprintf(&out, "\\%03o", c)
			case c == '\\':
				out.WriteString(`\\`)
			default:
				out.WriteByte(c)
			}
		}
		return out.String(), nil
	}
	return nil, unknownEncoding(format)
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// base64Encode is PostgreSQL's: a newline after every 76 characters.
func base64Encode(b []byte) string {
	var out strings.Builder
	line := 0
	emit := func(c byte) {
		out.WriteByte(c)
		line++
	}
	for i := 0; i < len(b); i++ {
		if i%3 == 2 {
			v := uint32(b[i-2])<<16 | uint32(b[i-1])<<8 | uint32(b[i])
			for shift := 18; shift >= 0; shift -= 6 {
				emit(base64Alphabet[v>>shift&0x3f])
			}
		}
		if line >= 76 {
			out.WriteByte('\n')
			line = 0
		}
	}
	switch rest := b[len(b)-len(b)%3:]; len(rest) {
	case 1:
		v := uint32(rest[0]) << 16
		emit(base64Alphabet[v>>18&0x3f])
		emit(base64Alphabet[v>>12&0x3f])
		out.WriteString("==")
	case 2:
		v := uint32(rest[0])<<16 | uint32(rest[1])<<8
		emit(base64Alphabet[v>>18&0x3f])
		emit(base64Alphabet[v>>12&0x3f])
		emit(base64Alphabet[v>>6&0x3f])
		out.WriteByte('=')
	}
	return out.String()
}

// decode is decode(text, format) for the formats hex, base64 and escape.
func decode(a []types.Datum) (types.Datum, error) {
	s, format := a[0].(string), a[1].(string)
	switch strings.ToLower(format) {
	case "hex":
		return types.ParseBytea([]byte(`\x` + s))
	case "base64":
		return base64Decode(s)
	case "escape":
		if strings.HasPrefix(s, `\x`) {
			return nil, pgerr.New(pgerrcode.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
		return types.ParseBytea([]byte(s))
	}
	return nil, unknownEncoding(format)
}

// base64Decode is PostgreSQL's: white space is skipped, and "=" may only end a
// group of four.
func base64Decode(s string) ([]byte, error) {
	var out []byte
	var buf uint32
	pos, end := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case c == '=':
			if end == 0 {
				switch pos {
				case 2:
					end = 1
				case 3:
					end = 2
				default:
					return nil, pgerr.New(pgerrcode.InvalidParameterValue, `unexpected "=" while decoding base64 sequence`)
				}
			}
		default:
			v = strings.IndexByte(base64Alphabet, c)
			if v < 0 || c == 0 {
				r, _ := utf8.DecodeRuneInString(s[i:])
				return nil, pgerr.New(pgerrcode.InvalidParameterValue, "invalid symbol \"%c\" found while decoding base64 sequence", r)
			}
		}
		buf = buf<<6 + uint32(v)
		if pos++; pos == 4 {
			out = append(out, byte(buf>>16))
			if end == 0 || end > 1 {
				out = append(out, byte(buf>>8))
			}
			if end == 0 || end > 2 {
				out = append(out, byte(buf))
			}
			buf, pos = 0, 0
		}
	}
	if pos != 0 {
		return nil, pgerr.New(pgerrcode.InvalidParameterValue, "invalid base64 end sequence").
			WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}
