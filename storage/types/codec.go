package types

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// EncodeText formats a non-NULL datum as PostgreSQL's output function does. The
// caller checks IsNull first.
//
// The result is never nil, even for an empty value: on the wire a nil value is NULL.
func EncodeText(t T, d Datum) []byte {
	if b := AppendText(nil, t, d); b != nil {
		return b
	}
	return []byte{}
}

// AppendText appends the text form of a non-NULL datum to buf.
func AppendText(buf []byte, t T, d Datum) []byte {
	if t.IsArray() {
		return appendArrayText(buf, t, mustArray(t, d))
	}
	switch t.oid {
	case OIDBool:
		if mustBool(t, d) {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case OIDInt2, OIDInt4, OIDInt8, OIDOid:
		return strconv.AppendInt(buf, mustInt(t, d), 10)
	case OIDRegtype:
		return append(buf, RegtypeText(mustInt(t, d))...)
	case OIDFloat8:
		return AppendFloat(buf, mustFloat(t, d), 64)
	case OIDFloat4:
		return AppendFloat(buf, mustFloat(t, d), 32)
	case OIDNumeric:
		return append(buf, FormatNumeric(mustNumeric(t, d))...)
	case OIDBytea:
		return AppendBytea(buf, mustBytes(t, d))
	case OIDDate:
		return AppendDate(buf, mustDate(t, d))
	case OIDTime:
		return AppendTime(buf, mustTime(t, d))
	case OIDTimestamp:
		return AppendTimestamp(buf, int64(mustTimestamp(t, d)), false)
	case OIDTimestampTZ:
		return AppendTimestamp(buf, int64(mustTimestampTZ(t, d)), true)
	case OIDInterval:
		return AppendInterval(buf, mustInterval(t, d))
	case OIDUUID:
		return AppendUUID(buf, mustUUID(t, d))
	default:
		return append(buf, mustString(t, d)...)
	}
}

// EncodeBinary formats a non-NULL datum in PostgreSQL's binary (send) format.
func EncodeBinary(t T, d Datum) []byte {
	if t.IsArray() {
		return arraySend(t, mustArray(t, d))
	}
	switch t.oid {
	case OIDBool:
		if mustBool(t, d) {
			return []byte{1}
		}
		return []byte{0}
	case OIDInt2:
		return binary.BigEndian.AppendUint16(nil, uint16(mustInt(t, d)))
	case OIDInt4, OIDOid, OIDRegtype:
		return binary.BigEndian.AppendUint32(nil, uint32(mustInt(t, d)))
	case OIDInt8:
		return binary.BigEndian.AppendUint64(nil, uint64(mustInt(t, d)))
	case OIDFloat4:
		return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(mustFloat(t, d))))
	case OIDFloat8:
		return binary.BigEndian.AppendUint64(nil, math.Float64bits(mustFloat(t, d)))
	case OIDNumeric:
		return numericSend(mustNumeric(t, d))
	case OIDBytea:
		return append([]byte{}, mustBytes(t, d)...)
	case OIDDate:
		return binary.BigEndian.AppendUint32(nil, uint32(mustDate(t, d)))
	case OIDTime:
		return binary.BigEndian.AppendUint64(nil, uint64(mustTime(t, d)))
	case OIDTimestamp:
		return binary.BigEndian.AppendUint64(nil, uint64(mustTimestamp(t, d)))
	case OIDTimestampTZ:
		return binary.BigEndian.AppendUint64(nil, uint64(mustTimestampTZ(t, d)))
	case OIDInterval:
		iv := mustInterval(t, d)
		b := binary.BigEndian.AppendUint64(nil, uint64(iv.Micros))
		b = binary.BigEndian.AppendUint32(b, uint32(iv.Days))
		return binary.BigEndian.AppendUint32(b, uint32(iv.Months))
	case OIDUUID:
		u := mustUUID(t, d)
		return append([]byte{}, u[:]...)
	case OIDJSONB:
		return jsonbSend(mustString(t, d))
	default:
		if v := mustString(t, d); v != "" {
			return []byte(v)
		}
		return []byte{} // never nil: on the wire a nil value is NULL
	}
}

// DecodeText parses PostgreSQL's text input form of t.
func DecodeText(t T, b []byte) (Datum, error) {
	if t.IsArray() {
		return parseArrayText(t, b)
	}
	switch t.oid {
	case OIDBool:
		v, ok := ParseBool(b)
		if !ok {
			return nil, invalidText(t, b)
		}
		return v, nil
	case OIDInt2:
		return parseInt(t, b, math.MinInt16, math.MaxInt16)
	case OIDInt4:
		return parseInt(t, b, math.MinInt32, math.MaxInt32)
	case OIDInt8:
		return parseInt(t, b, math.MinInt64, math.MaxInt64)
	case OIDOid:
		return parseOid(b)
	case OIDRegtype:
		return ParseRegtype(string(b))
	case OIDFloat8:
		return parseFloat(t, b, 64)
	case OIDFloat4:
		return parseFloat(t, b, 32)
	case OIDNumeric:
		d, err := ParseNumeric(string(b))
		if err != nil {
			return nil, err
		}
		return d, nil
	case OIDUnknown, OIDText, OIDVarchar, OIDBpchar, OIDName:
		if err := checkText(b); err != nil {
			return nil, err
		}
		return string(b), nil
	case OIDVoid:
		return "", nil
	}
	if err := checkText(b); err != nil {
		return nil, err
	}
	switch t.oid {
	case OIDBytea:
		v, err := ParseBytea(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	case OIDDate:
		v, err := ParseDate(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	case OIDTime:
		v, err := ParseTime(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	case OIDTimestamp:
		v, err := ParseTimestamp(b, false)
		if err != nil {
			return nil, err
		}
		return Timestamp(v), nil
	case OIDTimestampTZ:
		v, err := ParseTimestamp(b, true)
		if err != nil {
			return nil, err
		}
		return TimestampTZ(v), nil
	case OIDInterval:
		v, err := ParseInterval(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	case OIDUUID:
		v, err := ParseUUID(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	case OIDJSON:
		v, err := ParseJSON(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	case OIDJSONB:
		v, err := ParseJSONB(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, pgerr.New(pgerrcode.FeatureNotSupported, "no input function for type %s", t.Name())
}

// binaryWidth is the length of the binary form of a fixed-width type. It is a
// switch, not a map, because every column of every row read goes through
// DecodeBinary.
func binaryWidth(oid uint32) (int, bool) {
	switch oid {
	case OIDBool:
		return 1, true
	case OIDInt2:
		return 2, true
	case OIDInt4, OIDOid, OIDRegtype, OIDFloat4, OIDDate:
		return 4, true
	case OIDInt8, OIDFloat8, OIDTime, OIDTimestamp, OIDTimestampTZ:
		return 8, true
	case OIDInterval, OIDUUID:
		return 16, true
	}
	return 0, false
}

// DecodeBinary parses PostgreSQL's binary (recv) form of t.
func DecodeBinary(t T, b []byte) (Datum, error) {
	if n, ok := binaryWidth(t.oid); ok && len(b) < n {
		return nil, shortBinary()
	} else if ok && len(b) > n {
		return nil, badBinary(t, "incorrect binary data format: %s takes %d bytes, got %d", t.Name(), n, len(b))
	}
	switch t.oid {
	case OIDBool:
		return b[0] != 0, nil
	case OIDInt2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case OIDInt4:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case OIDOid, OIDRegtype:
		return int64(binary.BigEndian.Uint32(b)), nil
	case OIDInt8:
		return int64(binary.BigEndian.Uint64(b)), nil
	case OIDFloat4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case OIDFloat8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case OIDNumeric:
		d, err := numericRecv(b)
		if err != nil {
			return nil, err
		}
		return d, nil
	case OIDUnknown, OIDText, OIDVarchar, OIDBpchar, OIDName:
		if err := checkText(b); err != nil {
			return nil, err
		}
		return string(b), nil
	case OIDVoid:
		return "", nil
	case OIDBytea:
		v := make([]byte, len(b)) // make and copy: the compiler skips zeroing v
		copy(v, b)
		return v, nil
	case OIDDate:
		v := Date(int32(binary.BigEndian.Uint32(b)))
		if v.IsFinite() && !validDate(int64(v)) {
			return nil, ErrDateOutOfRange()
		}
		return v, nil
	case OIDTime:
		v := int64(binary.BigEndian.Uint64(b))
		if v < 0 || v > usecsPerDay {
			return nil, datetimeOverflow("time")
		}
		return Time(v), nil
	case OIDTimestamp, OIDTimestampTZ:
		v := int64(binary.BigEndian.Uint64(b))
		if v != math.MinInt64 && v != math.MaxInt64 && !validTimestamp(v) {
			return nil, ErrTimestampOutOfRange()
		}
		if t.oid == OIDTimestamp {
			return Timestamp(v), nil
		}
		return TimestampTZ(v), nil
	case OIDInterval:
		return Interval{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}, nil
	case OIDUUID:
		return UUID(b), nil
	case OIDJSON:
		v, err := ParseJSON(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	case OIDJSONB:
		v, err := jsonbRecv(b)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	if t.IsArray() { // after the scalar types: a map lookup, on every row decoded
		return arrayRecv(t, b)
	}
	return nil, pgerr.New(pgerrcode.FeatureNotSupported, "no binary input function for type %s", t.Name())
}

// DecodeStored decodes a column value Augur stored itself: text types were
// checked when the value was written, so unlike DecodeBinary it does not check
// them again on every read. The Datum does not alias b.
func DecodeStored(t T, b []byte) (Datum, error) {
	switch t.oid {
	case OIDText, OIDVarchar, OIDBpchar, OIDName:
		return string(b), nil
	}
	return DecodeBinary(t, b)
}

// checkText enforces what PostgreSQL enforces for text in a UTF8 database: valid
// UTF-8 and no NUL byte.
func checkText(b []byte) error {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return pgerr.New(pgerrcode.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x00")
	}
	if !utf8.Valid(b) {
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				return pgerr.New(pgerrcode.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", b[i])
			}
			i += n
		}
	}
	return nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// ParseBool accepts PostgreSQL's boolean spellings: any unambiguous prefix of
// true/false/yes/no, on/off (at least two letters), 1/0, surrounded by whitespace,
// in any case.
func ParseBool(b []byte) (bool, bool) {
	s := string(bytes.ToLower(trimSpace(b)))
	if s == "" {
		return false, false
	}
	prefix := func(word string) bool { return len(s) <= len(word) && word[:len(s)] == s }
	switch s[0] {
	case 't':
		return true, prefix("true")
	case 'f':
		return false, prefix("false")
	case 'y':
		return true, prefix("yes")
	case 'n':
		return false, prefix("no")
	case '1':
		return true, s == "1"
	case '0':
		return false, s == "0"
	case 'o':
		if len(s) >= 2 && prefix("on") {
			return true, true
		}
		if len(s) >= 2 && prefix("off") {
			return false, true
		}
	}
	return false, false
}

func parseInt(t T, b []byte, lo, hi int64) (Datum, error) {
	s := trimSpace(b)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i == len(s) {
		return nil, invalidText(t, b)
	}
	for j := i; j < len(s); j++ {
		if s[j] < '0' || s[j] > '9' {
			return nil, invalidText(t, b)
		}
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil || v < lo || v > hi {
		return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "value %q is out of range for type %s", string(b), t.SQLName())
	}
	return v, nil
}

func parseOid(b []byte) (Datum, error) {
	s := trimSpace(b)
	if len(s) == 0 {
		return nil, invalidText(Oid, b)
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return nil, invalidText(Oid, b)
	}
	// PostgreSQL's oidin accepts negative values down to -2^31 and wraps them.
	if v < math.MinInt32 || v > math.MaxUint32 {
		return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "value %q is out of range for type oid", string(b))
	}
	return int64(uint32(v)), nil
}

func parseFloat(t T, b []byte, bits int) (Datum, error) {
	s := string(trimSpace(b))
	switch lower := string(bytes.ToLower([]byte(s))); lower {
	case "nan", "+nan", "-nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	if s == "" || !floatSyntax(s) {
		return nil, invalidText(t, b)
	}
	v, err := strconv.ParseFloat(s, bits)
	if err != nil || (v == 0 && hasNonZeroMantissa(s)) {
		return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "%q is out of range for type %s", s, t.SQLName())
	}
	return v, nil
}

// floatSyntax accepts strtod's decimal syntax: [sign] digits [. digits] [e [sign] digits].
func floatSyntax(s string) bool {
	i := 0
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ed := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			ed++
		}
		if ed == 0 {
			return false
		}
	}
	return i == len(s)
}

func hasNonZeroMantissa(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 'e' || c == 'E':
			return false
		case c >= '1' && c <= '9':
			return true
		}
	}
	return false
}

// AppendFloat formats f as PostgreSQL 12+ does with extra_float_digits >= 1: the
// shortest text that reads back as the same value, in fixed notation when the
// decimal exponent is in [-4, 15) (float8) or [-4, 6) (float4), else as d.ddde±XX.
func AppendFloat(buf []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(buf, "-0"...)
		}
		return append(buf, '0')
	}
	e := strconv.FormatFloat(f, 'e', -1, bits) // [-]d[.ddd]e±XX
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	ePos := bytes.IndexByte([]byte(e), 'e')
	mant, expStr := e[:ePos], e[ePos+1:]
	exp, _ := strconv.Atoi(expStr)
	digits := make([]byte, 0, len(mant))
	for i := 0; i < len(mant); i++ {
		if mant[i] != '.' {
			digits = append(digits, mant[i])
		}
	}
	maxExp := 15
	if bits == 32 {
		maxExp = 6
	}
	if neg {
		buf = append(buf, '-')
	}
	if exp < -4 || exp >= maxExp {
		buf = append(buf, digits[0])
		if len(digits) > 1 {
			buf = append(buf, '.')
			buf = append(buf, digits[1:]...)
		}
		buf = append(buf, 'e')
		if exp < 0 {
			buf = append(buf, '-')
			exp = -exp
		} else {
			buf = append(buf, '+')
		}
		if exp < 10 {
			buf = append(buf, '0')
		}
		return strconv.AppendInt(buf, int64(exp), 10)
	}
	if exp < 0 {
		buf = append(buf, "0."...)
		for i := 0; i < -exp-1; i++ {
			buf = append(buf, '0')
		}
		return append(buf, digits...)
	}
	if len(digits) <= exp+1 {
		buf = append(buf, digits...)
		for i := len(digits); i <= exp; i++ {
			buf = append(buf, '0')
		}
		return buf
	}
	buf = append(buf, digits[:exp+1]...)
	buf = append(buf, '.')
	return append(buf, digits[exp+1:]...)
}

func mustBool(t T, d Datum) bool {
	v, ok := d.(bool)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustInt(t T, d Datum) int64 {
	v, ok := d.(int64)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustFloat(t T, d Datum) float64 {
	v, ok := d.(float64)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustNumeric(t T, d Datum) *apd.Decimal {
	v, ok := d.(*apd.Decimal)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustString(t T, d Datum) string {
	v, ok := d.(string)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustBytes(t T, d Datum) []byte {
	v, ok := d.([]byte)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustDate(t T, d Datum) Date {
	v, ok := d.(Date)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustTime(t T, d Datum) Time {
	v, ok := d.(Time)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustTimestamp(t T, d Datum) Timestamp {
	v, ok := d.(Timestamp)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustTimestampTZ(t T, d Datum) TimestampTZ {
	v, ok := d.(TimestampTZ)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustInterval(t T, d Datum) Interval {
	v, ok := d.(Interval)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}

func mustUUID(t T, d Datum) UUID {
	v, ok := d.(UUID)
	if !ok {
		panic(wrongDatum(t, d))
	}
	return v
}
