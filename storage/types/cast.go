package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// Typmods follow PostgreSQL's encoding: -1 for none; varchar(n) and bpchar(n) store
// n+4; numeric(p,s) stores ((p<<16)|s)+4.
const varHdrSz = 4

// NumericTypmod encodes numeric(precision, scale).
func NumericTypmod(precision, scale int32) int32 { return (precision<<16 | scale&0xffff) + varHdrSz }

// NumericTypmodParts decodes a numeric typmod; ok is false for -1.
func NumericTypmodParts(typmod int32) (precision, scale int32, ok bool) {
	if typmod < varHdrSz {
		return 0, 0, false
	}
	t := typmod - varHdrSz
	return t >> 16 & 0xffff, int32(int16(t & 0xffff)), true
}

// MakeTypmod checks a type's modifiers, as written in SQL (varchar(10),
// numeric(10,2), float(24)), and returns the type (float(p) picks float4 or float8)
// and its typmod.
func MakeTypmod(t T, mods []int64) (T, int32, error) {
	if len(mods) == 0 {
		return t, -1, nil
	}
	if t.IsArray() {
		et, typmod, err := MakeTypmod(t.Elem(), mods)
		if err != nil {
			return t, -1, err
		}
		at, _ := ArrayOf(et)
		return at, typmod, nil
	}
	bad := func() (T, int32, error) {
		return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "invalid type modifier for type %s", t.SQLName())
	}
	switch t {
	case Numeric:
		if len(mods) > 2 {
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "invalid NUMERIC type modifier")
		}
		p := mods[0]
		s := int64(0)
		if len(mods) == 2 {
			s = mods[1]
		}
		if p < 1 || p > numericMaxPrecision {
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "NUMERIC precision %d must be between 1 and %d", p, numericMaxPrecision)
		}
		if s < -numericMaxPrecision || s > numericMaxPrecision {
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "NUMERIC scale %d must be between %d and %d", s, -numericMaxPrecision, numericMaxPrecision)
		}
		return t, NumericTypmod(int32(p), int32(s)), nil
	case Varchar, Bpchar:
		if len(mods) != 1 {
			return bad()
		}
		if mods[0] < 1 {
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "length for type %s must be at least 1", t.Name())
		}
		if mods[0] > 10485760 {
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "length for type %s cannot exceed 10485760", t.Name())
		}
		return t, int32(mods[0]) + varHdrSz, nil
	case TimeT, TimestampT, TimestampTZT, IntervalT:
		if len(mods) != 1 {
			return bad()
		}
		name := map[T]string{TimeT: "TIME", TimestampT: "TIMESTAMP", TimestampTZT: "TIMESTAMP", IntervalT: "INTERVAL"}[t]
		suffix := ""
		if t == TimestampTZT {
			suffix = " WITH TIME ZONE"
		}
		p := mods[0]
		if p < 0 {
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "%s(%d)%s precision must not be negative", name, p, suffix)
		}
		if p > MaxTimePrecision {
			p = MaxTimePrecision // PostgreSQL warns "precision reduced to maximum allowed, 6"
		}
		if t == IntervalT {
			return t, IntervalTypmod(int32(p)), nil
		}
		return t, int32(p), nil
	case Float8, Float4:
		if len(mods) != 1 {
			return bad()
		}
		switch p := mods[0]; {
		case p < 1:
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "precision for type float must be at least 1 bit")
		case p <= 24:
			return Float4, -1, nil
		case p <= 53:
			return Float8, -1, nil
		default:
			return t, -1, pgerr.New(pgerrcode.InvalidParameterValue, "precision for type float must be less than 54 bits")
		}
	}
	return bad()
}

// FormatType returns format_type(t, typmod): "numeric(10,2)", "character varying(5)".
func FormatType(t T, typmod int32) string {
	if t.IsArray() {
		return FormatType(t.Elem(), typmod) + "[]"
	}
	switch t {
	case Numeric:
		if p, s, ok := NumericTypmodParts(typmod); ok {
			return "numeric(" + strconv.Itoa(int(p)) + "," + strconv.Itoa(int(s)) + ")"
		}
	case Varchar, Bpchar:
		if typmod >= varHdrSz {
			return t.SQLName() + "(" + strconv.Itoa(int(typmod-varHdrSz)) + ")"
		}
	case TimeT, TimestampT, TimestampTZT:
		if typmod >= 0 {
			name, rest, _ := strings.Cut(t.SQLName(), " ")
			return name + "(" + strconv.Itoa(int(typmod)) + ") " + rest
		}
	case IntervalT:
		if p := intervalPrecision(typmod); p >= 0 {
			return "interval(" + strconv.Itoa(int(p)) + ")"
		}
	}
	return t.SQLName()
}

// CanCast reports whether PostgreSQL has a cast from one type to another (any
// context). Every type casts to and from the string types through I/O.
func CanCast(from, to T) bool {
	if from == to || from == Unknown || from.IsString() || to.IsString() {
		return true
	}
	if from.IsArray() && to.IsArray() {
		return CanCast(from.Elem(), to.Elem())
	}
	fc, tc := from.Category(), to.Category()
	switch {
	case fc == CatNumeric && tc == CatNumeric:
		return true
	case from == Bool && to == Int4, from == Int4 && to == Bool:
		return true
	}
	return datetimeCasts[[2]T{from, to}] || (from == JSONB && (tc == CatNumeric && to != Oid || to == Bool))
}

// datetimeCasts are the casts among the datetime and json types (pg_cast).
var datetimeCasts = map[[2]T]bool{
	{DateT, TimestampT}: true, {DateT, TimestampTZT}: true,
	{TimestampT, DateT}: true, {TimestampT, TimeT}: true, {TimestampT, TimestampTZT}: true,
	{TimestampTZT, DateT}: true, {TimestampTZT, TimeT}: true, {TimestampTZT, TimestampT}: true,
	{TimeT, IntervalT}: true, {IntervalT, TimeT}: true,
	{JSON, JSONB}: true, {JSONB, JSON}: true,
}

// ImplicitCast reports whether PostgreSQL applies the cast from one of the
// datetime types to another implicitly (pg_cast.castcontext 'i'): date to
// timestamp and timestamptz, timestamp to timestamptz, time to interval. The
// numeric and string widenings are the binder's own rules; json to jsonb is an
// assignment cast only.
func ImplicitCast(from, to T) bool {
	switch [2]T{from, to} {
	case [2]T{DateT, TimestampT}, [2]T{DateT, TimestampTZT}, [2]T{TimestampT, TimestampTZT}, [2]T{TimeT, IntervalT}:
		return true
	}
	return false
}

// Cast converts a non-NULL datum of type from to type to (with typmod, -1 for none)
// with the semantics of an explicit PostgreSQL cast.
func Cast(d Datum, from, to T, typmod int32) (Datum, error) {
	if d == nil {
		return nil, nil
	}
	v, err := castValue(d, from, to)
	if err != nil {
		return nil, err
	}
	return ApplyTypmod(v, to, typmod, true)
}

// ApplyTypmod fits a value of type t to its typmod. explicit selects the explicit
// cast rules (varchar truncates) over the assignment rules (varchar errors).
func ApplyTypmod(d Datum, t T, typmod int32, explicit bool) (Datum, error) {
	if d == nil || typmod < 0 {
		return d, nil
	}
	if t.IsArray() {
		elem := t.Elem()
		return mapArray(d.(*Array), func(e Datum) (Datum, error) { return ApplyTypmod(e, elem, typmod, explicit) })
	}
	switch t {
	case Numeric:
		if p, s, ok := NumericTypmodParts(typmod); ok {
			r, err := ApplyNumericTypmod(d.(*apd.Decimal), p, s)
			if err != nil {
				return nil, err
			}
			return r, nil
		}
	case TimestampT:
		r, err := AdjustTimestamp(int64(d.(Timestamp)), typmod)
		if err != nil {
			return nil, err
		}
		return Timestamp(r), nil
	case TimestampTZT:
		r, err := AdjustTimestamp(int64(d.(TimestampTZ)), typmod)
		if err != nil {
			return nil, err
		}
		return TimestampTZ(r), nil
	case TimeT:
		return Time(roundMicros(int64(d.(Time)), typmod)), nil
	case IntervalT:
		return AdjustInterval(d.(Interval), typmod), nil
	case Varchar, Bpchar:
		n := int(typmod - varHdrSz)
		s := d.(string)
		if i := runeOffset(s, n); i < len(s) {
			if !explicit && strings.TrimRight(s[i:], " ") != "" {
				return nil, pgerr.New(pgerrcode.StringDataRightTruncationDataException, "value too long for type %s", FormatType(t, typmod))
			}
			s = s[:i]
		}
		if t == Bpchar {
			if c := runeCount(s); c < n {
				s += strings.Repeat(" ", n-c)
			}
		}
		return s, nil
	}
	return d, nil
}

func runeOffset(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}

func runeCount(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

func castValue(d Datum, from, to T) (Datum, error) {
	if from == to {
		return d, nil
	}
	if from.IsArray() && to.IsArray() {
		fe, te := from.Elem(), to.Elem()
		return mapArray(d.(*Array), func(e Datum) (Datum, error) { return castValue(e, fe, te) })
	}
	if to.IsString() {
		if from == Bool {
			if d.(bool) {
				return "true", nil
			}
			return "false", nil
		}
		s := string(EncodeText(from, d))
		if from == Bpchar && to != Bpchar {
			s = strings.TrimRight(s, " ") // rtrim1: char(n) loses its padding as text
		}
		if to == Name && len(s) > 63 {
			s = s[:63]
		}
		return s, nil
	}
	if from.IsString() || from == Unknown {
		return DecodeText(to, []byte(d.(string)))
	}
	switch {
	case from.IsInteger() || from.IsOid():
		i := d.(int64)
		switch {
		case to.IsInteger() || to.IsOid():
			return checkIntRange(to, i)
		case to == Float8 || to == Float4:
			return float64(i), nil
		case to == Numeric:
			return apd.New(i, 0), nil
		case to == Bool:
			return i != 0, nil
		}
	case from == Float8 || from == Float4:
		f := d.(float64)
		switch {
		case to.IsInteger() || to.IsOid():
			r := math.RoundToEven(f)
			if math.IsNaN(r) || r < -9.3e18 || r > 9.3e18 {
				return nil, outOfRange(to)
			}
			if r < -9223372036854775808 || r >= 9223372036854775808 {
				return nil, outOfRange(to)
			}
			return checkIntRange(to, int64(r))
		case to == Float8:
			return f, nil
		case to == Float4:
			if !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
				return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "value out of range: overflow")
			}
			return float64(float32(f)), nil
		case to == Numeric:
			switch {
			case math.IsNaN(f):
				return &apd.Decimal{Form: apd.NaN}, nil
			case math.IsInf(f, 0):
				return &apd.Decimal{Form: apd.Infinite, Negative: f < 0}, nil
			}
			digits := 15 // DBL_DIG
			if from == Float4 {
				digits = 6 // FLT_DIG
			}
			return ParseNumeric(strconv.FormatFloat(f, 'g', digits, 64))
		}
	case from == Numeric:
		n := d.(*apd.Decimal)
		switch {
		case to.IsInteger() || to == Oid:
			switch n.Form {
			case apd.NaN, apd.NaNSignaling:
				return nil, pgerr.New(pgerrcode.FeatureNotSupported, "cannot convert NaN to %s", to.SQLName())
			case apd.Infinite:
				return nil, pgerr.New(pgerrcode.FeatureNotSupported, "cannot convert infinity to %s", to.SQLName())
			}
			r := new(apd.Decimal)
			if _, err := numCtx.Quantize(r, n, 0); err != nil {
				return nil, outOfRange(to)
			}
			i, err := r.Int64()
			if err != nil {
				return nil, outOfRange(to)
			}
			return checkIntRange(to, i)
		case to == Float8 || to == Float4:
			// PostgreSQL converts through the numeric's text and float4in/float8in,
			// which refuse what overflows or underflows to zero.
			text := FormatNumeric(n)
			bits := 64
			if to == Float4 {
				bits = 32
			}
			f, err := strconv.ParseFloat(text, bits)
			if n.Form == apd.Finite && (err != nil || f == 0 && !n.IsZero()) {
				return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "\"%s\" is out of range for type %s", text, to.SQLName())
			}
			return f, nil
		}
	case from.Category() == CatDateTime || from == IntervalT || from == JSON || from == JSONB:
		if r, ok, err := castDatetime(d, from, to); ok {
			return r, err
		}
	case from == Bool:
		if to == Int4 {
			if d.(bool) {
				return int64(1), nil
			}
			return int64(0), nil
		}
	}
	return nil, pgerr.New(pgerrcode.CannotCoerce, "cannot cast type %s to %s", from.SQLName(), to.SQLName())
}

func checkIntRange(t T, i int64) (Datum, error) {
	switch t {
	case Int2:
		if i < math.MinInt16 || i > math.MaxInt16 {
			return nil, outOfRange(t)
		}
	case Int4:
		if i < math.MinInt32 || i > math.MaxInt32 {
			return nil, outOfRange(t)
		}
	case Oid, Regtype:
		if i < 0 || i > math.MaxUint32 {
			return nil, pgerr.New(pgerrcode.NumericValueOutOfRange, "OID out of range")
		}
	}
	return i, nil
}

// castDatetime converts among the datetime types and between json and jsonb. ok is
// false when there is no such cast.
func castDatetime(d Datum, from, to T) (Datum, bool, error) {
	ts := func() int64 {
		if from == TimestampT {
			return int64(d.(Timestamp))
		}
		return int64(d.(TimestampTZ))
	}
	switch {
	case from == DateT && (to == TimestampT || to == TimestampTZT):
		v, err := DateToTimestamp(d.(Date))
		if err != nil {
			return nil, true, err
		}
		if to == TimestampT {
			return Timestamp(v), true, nil
		}
		return TimestampTZ(v), true, nil
	case (from == TimestampT || from == TimestampTZT) && to == DateT:
		return TimestampToDate(ts()), true, nil
	case (from == TimestampT || from == TimestampTZT) && to == TimeT:
		v := ts()
		if v == math.MinInt64 || v == math.MaxInt64 {
			return nil, true, nil // PostgreSQL returns NULL for an infinite timestamp
		}
		return TimestampToTime(v), true, nil
	case from == TimestampT && to == TimestampTZT:
		return TimestampTZ(ts()), true, nil // the session zone is UTC
	case from == TimestampTZT && to == TimestampT:
		return Timestamp(ts()), true, nil
	case from == TimeT && to == IntervalT:
		return Interval{Micros: int64(d.(Time))}, true, nil
	case from == IntervalT && to == TimeT:
		v := d.(Interval).Micros % usecsPerDay
		if v < 0 {
			v += usecsPerDay
		}
		return Time(v), true, nil
	case from == JSON && to == JSONB:
		v, err := JSONToJSONB(d.(string))
		if err != nil {
			return nil, true, err
		}
		return v, true, nil
	case from == JSONB && to == JSON:
		return d.(string), true, nil
	case from == JSONB && (to.Category() == CatNumeric && to != Oid || to == Bool):
		v, err := jsonbScalarCast(d.(string), to)
		return v, true, err
	}
	return nil, false, nil
}

// jsonbScalarCast is jsonb's casts to numeric types and boolean.
func jsonbScalarCast(doc string, to T) (Datum, error) {
	v, err := parseJSON([]byte(doc), false)
	if err != nil {
		return nil, err
	}
	kinds := map[byte]string{jsonNull: "null", jsonTrue: "boolean", jsonFalse: "boolean", jsonNumber: "numeric",
		jsonString: "string", jsonArray: "array", jsonObject: "object"}
	fail := func() error {
		return pgerr.New(pgerrcode.InvalidParameterValue, "cannot cast jsonb %s to type %s", kinds[v.kind], to.SQLName())
	}
	if to == Bool {
		if v.kind != jsonTrue && v.kind != jsonFalse {
			return nil, fail()
		}
		return v.kind == jsonTrue, nil
	}
	if v.kind != jsonNumber {
		return nil, fail()
	}
	n, err := ParseNumeric(v.str)
	if err != nil {
		return nil, err
	}
	return castValue(n, Numeric, to)
}
