package keycodec

import (
	"bytes"
	"cmp"
	"fmt"
	"math"

	"github.com/augurdb/augur/storage/types"
	"github.com/cockroachdb/apd/v3"
)

// Kind is the kind of a decoded key value.
type Kind uint8

const (
	KindNull Kind = iota
	KindBool
	KindInt // int2, int4, int8
	KindFloat
	KindNumeric
	KindText
	KindBytea
	KindDate
	KindTimestamp
	KindTimestampTZ
	KindUUID
)

// Value is one decoded key column. Only the field of its Kind is meaningful:
// Bool; Int (int, date days, timestamp micros); Float; Numeric; Bytes (text, bytea);
// UUID.
type Value struct {
	Kind    Kind
	Bool    bool
	Int     int64
	Float   float64
	Numeric *apd.Decimal
	Bytes   []byte
	UUID    [16]byte
}

// Append encodes v. It is a convenience over the typed Append functions.
func Append(dst []byte, v Value, dir Direction) []byte {
	switch v.Kind {
	case KindNull:
		return AppendNull(dst, dir)
	case KindBool:
		return AppendBool(dst, v.Bool, dir)
	case KindInt:
		return AppendInt(dst, v.Int, dir)
	case KindFloat:
		return AppendFloat(dst, v.Float, dir)
	case KindNumeric:
		return AppendNumeric(dst, v.Numeric, dir)
	case KindText:
		return AppendText(dst, string(v.Bytes), dir)
	case KindBytea:
		return AppendBytea(dst, v.Bytes, dir)
	case KindDate:
		return AppendDate(dst, int32(v.Int), dir)
	case KindTimestamp:
		return AppendTimestamp(dst, v.Int, dir)
	case KindTimestampTZ:
		return AppendTimestampTZ(dst, v.Int, dir)
	case KindUUID:
		return AppendUUID(dst, v.UUID, dir)
	}
	panic(fmt.Sprintf("keycodec: unknown kind %d", v.Kind))
}

// Decode decodes the first value of b, written with direction dir, and returns the
// rest of b. Decoded byte slices do not alias b.
func Decode(b []byte, dir Direction) (Value, []byte, error) {
	if len(b) == 0 {
		return Value{}, nil, fmt.Errorf("%w: empty", ErrCorrupt)
	}
	at := func(i int) byte {
		if dir == Desc {
			return ^b[i]
		}
		return b[i]
	}
	fixed := func(n int) (uint64, error) {
		if len(b) < 1+n {
			return 0, fmt.Errorf("%w: short value", ErrCorrupt)
		}
		var u uint64
		for i := 1; i <= n; i++ {
			u = u<<8 | uint64(at(i))
		}
		return u, nil
	}
	switch tag := at(0); tag {
	case tagNull:
		return Value{Kind: KindNull}, b[1:], nil
	case tagFalse, tagTrue:
		return Value{Kind: KindBool, Bool: tag == tagTrue}, b[1:], nil
	case tagInt, tagDate, tagTimestamp, tagTimestampTZ:
		u, err := fixed(8)
		if err != nil {
			return Value{}, nil, err
		}
		v := int64(u ^ 1<<63)
		kind := map[byte]Kind{tagInt: KindInt, tagDate: KindDate, tagTimestamp: KindTimestamp, tagTimestampTZ: KindTimestampTZ}[tag]
		if kind == KindDate && (v < math.MinInt32 || v > math.MaxInt32) {
			return Value{}, nil, fmt.Errorf("%w: date out of range", ErrCorrupt)
		}
		return Value{Kind: kind, Int: v}, b[9:], nil
	case tagFloat:
		u, err := fixed(8)
		if err != nil {
			return Value{}, nil, err
		}
		return Value{Kind: KindFloat, Float: floatFromOrderedBits(u)}, b[9:], nil
	case tagUUID:
		if len(b) < 17 {
			return Value{}, nil, fmt.Errorf("%w: short uuid", ErrCorrupt)
		}
		v := Value{Kind: KindUUID}
		for i := range 16 {
			v.UUID[i] = at(1 + i)
		}
		return v, b[17:], nil
	case tagText, tagBytea:
		var out []byte
		i := 1
		for {
			if i >= len(b) {
				return Value{}, nil, fmt.Errorf("%w: unterminated string", ErrCorrupt)
			}
			c := at(i)
			if c != 0 {
				out = append(out, c)
				i++
				continue
			}
			if i+1 >= len(b) {
				return Value{}, nil, fmt.Errorf("%w: unterminated string", ErrCorrupt)
			}
			switch at(i + 1) {
			case 0xFF:
				out = append(out, 0)
				i += 2
				continue
			case 0x01:
			default:
				return Value{}, nil, fmt.Errorf("%w: bad string escape", ErrCorrupt)
			}
			break
		}
		if out == nil {
			out = []byte{}
		}
		kind := KindText
		if tag == tagBytea {
			kind = KindBytea
		}
		return Value{Kind: kind, Bytes: out}, b[i+2:], nil
	case tagNumNaN:
		return Value{Kind: KindNumeric, Numeric: &apd.Decimal{Form: apd.NaN}}, b[1:], nil
	case tagNumPosInf:
		return Value{Kind: KindNumeric, Numeric: &apd.Decimal{Form: apd.Infinite}}, b[1:], nil
	case tagNumNegInf:
		return Value{Kind: KindNumeric, Numeric: &apd.Decimal{Form: apd.Infinite, Negative: true}}, b[1:], nil
	case tagNumZero:
		return Value{Kind: KindNumeric, Numeric: new(apd.Decimal)}, b[1:], nil
	case tagNumPos, tagNumNeg:
		body := b[1:]
		if dir == Desc {
			body = make([]byte, len(b)-1)
			for i := range body {
				body[i] = ^b[1+i]
			}
		}
		d, n, err := decodeNumeric(body, tag == tagNumNeg)
		if err != nil {
			return Value{}, nil, err
		}
		return Value{Kind: KindNumeric, Numeric: d}, b[1+n:], nil
	default:
		return Value{}, nil, fmt.Errorf("%w: unknown tag 0x%02x", ErrCorrupt, tag)
	}
}

// Compare compares two values of the same kind (or NULL) by PostgreSQL's default
// ascending btree order: the order the encoding must reproduce. Tests use it as the
// model the encoding is checked against.
func Compare(a, b Value) int {
	if a.Kind == KindNull || b.Kind == KindNull {
		switch {
		case a.Kind == b.Kind:
			return 0
		case a.Kind == KindNull:
			return 1
		default:
			return -1
		}
	}
	switch a.Kind {
	case KindBool:
		return cmp.Compare(b2i(a.Bool), b2i(b.Bool))
	case KindInt, KindDate, KindTimestamp, KindTimestampTZ:
		return cmp.Compare(a.Int, b.Int)
	case KindFloat:
		// Not cmp.Compare, which orders NaN first; PostgreSQL orders it last.
		return types.FloatCmp(a.Float, b.Float)
	case KindNumeric:
		return types.NumericCmp(a.Numeric, b.Numeric)
	case KindText, KindBytea:
		return bytes.Compare(a.Bytes, b.Bytes)
	case KindUUID:
		return bytes.Compare(a.UUID[:], b.UUID[:])
	}
	panic(fmt.Sprintf("keycodec: compare kind %d", a.Kind))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
