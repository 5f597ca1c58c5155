package types

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Comparable reports whether values of t have PostgreSQL's default ordering (a
// btree operator class). json has none: PostgreSQL refuses json = json.
func Comparable(t T) bool {
	switch t.oid {
	case OIDJSON, OIDVoid:
		return false
	}
	if t.IsArray() {
		return Comparable(t.Elem())
	}
	return t.Valid()
}

// Compare compares two non-NULL values of type t with PostgreSQL's default btree
// order: integers and datetimes numerically (-infinity first, infinity last),
// floats and numerics with NaN above everything, strings bytewise (the C
// collation), bpchar ignoring trailing spaces, bytea and uuid bytewise, intervals
// by their span with 30-day months, jsonb in PostgreSQL's jsonb order
// (JSONBCompare). json has
// no ordering: Compare returns 0 and callers must not use it (see Comparable).
func Compare(t T, a, b Datum) int {
	if t.IsArray() {
		return compareArrays(t.Elem(), a.(*Array), b.(*Array))
	}
	switch t.oid {
	case OIDInt2, OIDInt4, OIDInt8, OIDOid, OIDRegtype:
		return cmpInt64(a.(int64), b.(int64))
	case OIDFloat4, OIDFloat8:
		return FloatCmp(a.(float64), b.(float64))
	case OIDNumeric:
		return NumericCmp(a.(*apd.Decimal), b.(*apd.Decimal))
	case OIDBpchar:
		return strings.Compare(strings.TrimRight(a.(string), " "), strings.TrimRight(b.(string), " "))
	case OIDText, OIDVarchar, OIDName, OIDUnknown:
		return strings.Compare(a.(string), b.(string))
	case OIDJSONB:
		return JSONBCompare(a.(string), b.(string))
	case OIDBool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case y:
			return -1
		}
		return 1
	case OIDBytea:
		return bytes.Compare(a.([]byte), b.([]byte))
	case OIDDate:
		return cmpInt64(int64(a.(Date)), int64(b.(Date)))
	case OIDTime:
		return cmpInt64(int64(a.(Time)), int64(b.(Time)))
	case OIDTimestamp:
		return cmpInt64(int64(a.(Timestamp)), int64(b.(Timestamp)))
	case OIDTimestampTZ:
		return cmpInt64(int64(a.(TimestampTZ)), int64(b.(TimestampTZ)))
	case OIDInterval:
		return IntervalCmp(a.(Interval), b.(Interval))
	case OIDUUID:
		x, y := a.(UUID), b.(UUID)
		return bytes.Compare(x[:], y[:])
	}
	return 0
}

// AppendKey appends to dst a byte string that identifies d among the values of t:
// two values give equal keys exactly when Compare finds them equal (-0 and 0, all
// NaNs, 1.50 and 1.5, 'ab ' and 'ab' as bpchar, '1 mon' and '30 days'). Keys are
// self-delimiting, so the keys of several columns can be concatenated. They are
// for hashing and equality (hash joins, grouping, DISTINCT), not for ordering; the
// caller handles NULL.
func AppendKey(dst []byte, t T, d Datum) []byte {
	if t.IsArray() {
		return appendArrayKey(dst, t.Elem(), d.(*Array))
	}
	switch t.oid {
	case OIDInt2, OIDInt4, OIDInt8, OIDOid, OIDRegtype:
		return binary.BigEndian.AppendUint64(dst, uint64(d.(int64)))
	case OIDFloat4, OIDFloat8:
		f := d.(float64)
		switch {
		case math.IsNaN(f):
			f = math.NaN()
		case f == 0:
			f = 0
		}
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(f))
	case OIDNumeric:
		return appendKeyBytes(dst, numericKey(d.(*apd.Decimal)))
	case OIDBpchar:
		return appendKeyBytes(dst, []byte(strings.TrimRight(d.(string), " ")))
	case OIDBool:
		if d.(bool) {
			return append(dst, 1)
		}
		return append(dst, 0)
	case OIDBytea:
		return appendKeyBytes(dst, d.([]byte))
	case OIDDate:
		return binary.BigEndian.AppendUint32(dst, uint32(d.(Date)))
	case OIDTime:
		return binary.BigEndian.AppendUint64(dst, uint64(d.(Time)))
	case OIDTimestamp:
		return binary.BigEndian.AppendUint64(dst, uint64(d.(Timestamp)))
	case OIDTimestampTZ:
		return binary.BigEndian.AppendUint64(dst, uint64(d.(TimestampTZ)))
	case OIDInterval:
		days, micros := d.(Interval).span()
		dst = binary.BigEndian.AppendUint64(dst, uint64(days))
		return binary.BigEndian.AppendUint64(dst, uint64(micros))
	case OIDUUID:
		u := d.(UUID)
		return append(dst, u[:]...)
	case OIDJSONB:
		return appendKeyBytes(dst, appendJSONBKey(nil, d.(string)))
	}
	return appendKeyBytes(dst, []byte(d.(string)))
}

func appendKeyBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// numericKey is a numeric's value without its display scale.
func numericKey(d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return []byte("NaN")
	case apd.Infinite:
		if d.Negative {
			return []byte("-Inf")
		}
		return []byte("Inf")
	}
	if d.Coeff.Sign() == 0 {
		return []byte("0")
	}
	var r apd.Decimal
	r.Reduce(d)
	return []byte(r.Text('E'))
}
