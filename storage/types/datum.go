package types

import (
	"fmt"
	"strings"

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgerrcode"
)

// Datum is one SQL value. Its dynamic type depends on the SQL type it belongs to:
//
//	bool                 → bool
//	int2, int4, int8, oid → int64
//	float4, float8        → float64
//	numeric               → *apd.Decimal (never mutated once it is a Datum)
//	text, varchar, bpchar, name, unknown → string
//	bytea                 → []byte (never mutated once it is a Datum)
//	date                  → Date: int32 days since 2000-01-01, ±infinity as the int32 extremes
//	time                  → Time: int64 microseconds since midnight
//	timestamp             → Timestamp: int64 microseconds since 2000-01-01 00:00:00
//	timestamptz           → TimestampTZ: int64 microseconds since 2000-01-01 00:00:00 UTC
//	interval              → Interval{Months, Days, Micros}
//	uuid                  → UUID ([16]byte)
//	json                  → string: the text as given (validated)
//	jsonb                 → string: jsonb's normalized text
//	arrays (int4[], ...)  → *Array: dimensions and elements (see array.go)
//
// The datetime representations are PostgreSQL's own (same epoch, same units, same
// infinity sentinels), so their binary wire forms are the values themselves.
//
// NULL is the nil Datum, distinct from every value. A Datum carries no type of its
// own: the plan says which T each column and parameter has, as on the wire.
type Datum any

// Null is the SQL NULL.
var Null Datum

// IsNull reports whether d is NULL.
func IsNull(d Datum) bool { return d == nil }

// NewInt returns an integer datum (int2, int4, int8, oid).
func NewInt(v int64) Datum { return v }

// NewFloat returns a float datum (float4, float8).
func NewFloat(v float64) Datum { return v }

// NewNumeric returns a numeric datum. d must not be changed afterwards.
func NewNumeric(d *apd.Decimal) Datum { return d }

// NewText returns a string datum (text, varchar, bpchar, name, unknown).
func NewText(s string) Datum { return s }

// NewBool returns a boolean datum.
func NewBool(b bool) Datum { return b }

// checkDatum panics with a clear message when d does not hold t's representation:
// that is a bug in the caller, never bad user input.
func wrongDatum(t T, d Datum) string {
	return fmt.Sprintf("types: datum %T does not belong to type %s", d, t.Name())
}

// Coerce converts a Go value to t's representation, accepting the neighbouring Go
// types a caller is likely to hold (int for int64, float32 for float64...). It is
// for tests and glue code; it panics on a value it cannot represent.
func Coerce(t T, v any) Datum {
	if v == nil {
		return nil
	}
	switch t.Category() {
	case CatNumeric:
		switch t {
		case Float4, Float8:
			switch x := v.(type) {
			case float64:
				return x
			case float32:
				return float64(x)
			case int:
				return float64(x)
			}
		case Numeric:
			switch x := v.(type) {
			case *apd.Decimal:
				return x
			case string:
				d, _, err := apd.NewFromString(x)
				if err == nil {
					return d
				}
			case int:
				return apd.New(int64(x), 0)
			case int64:
				return apd.New(x, 0)
			}
		default:
			switch x := v.(type) {
			case int64:
				return x
			case int:
				return int64(x)
			case int32:
				return int64(x)
			case int16:
				return int64(x)
			}
		}
	case CatBool:
		if b, ok := v.(bool); ok {
			return b
		}
	case CatString, CatUnknown:
		switch x := v.(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
	case CatArray:
		switch x := v.(type) {
		case *Array:
			return x
		case string:
			if d, err := DecodeText(t, []byte(x)); err == nil {
				return d
			}
		}
	case CatDateTime, CatTimespan, CatUser:
		switch x := v.(type) {
		case string:
			if t == Bytea {
				return []byte(x)
			}
			if d, err := DecodeText(t, []byte(x)); err == nil {
				return d
			}
		case Date, Time, Timestamp, TimestampTZ, Interval, UUID, []byte:
			return x
		}
	}
	panic(fmt.Sprintf("types: cannot coerce %T to %s", v, t.Name()))
}

func invalidText(t T, s []byte) error {
	return pgerr.New(pgerrcode.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t.SQLName(), string(s))
}

func outOfRange(t T) error {
	return pgerr.New(pgerrcode.NumericValueOutOfRange, "%s out of range", t.SQLName())
}

func badBinary(t T, format string, args ...any) error {
	return pgerr.New(pgerrcode.InvalidBinaryRepresentation, format, args...)
}

// shortBinary is PostgreSQL's answer to a binary value shorter than its type
// needs: the value ran past the end of its field in the message.
func shortBinary() error {
	return pgerr.New(pgerrcode.ProtocolViolation, "insufficient data left in message")
}

// IsBinaryFormatError reports whether err is the 22P03 a binary value longer than
// its type allows gets; PostgreSQL names the bind parameter in that message.
func IsBinaryFormatError(err error) bool {
	return pgerr.Code(err) == pgerrcode.InvalidBinaryRepresentation && strings.HasPrefix(pgerr.From(err).Message, "incorrect binary data format")
}
