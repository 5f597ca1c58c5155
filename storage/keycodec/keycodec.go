// Package keycodec encodes index keys so that comparing the encoded bytes with
// bytes.Compare gives the same order as comparing the values they encode.
//
// Badger, the learned index and every range scan work on raw byte strings; the only
// way for them to keep rows in SQL order without knowing SQL types is for the key
// bytes themselves to sort in that order ("memcomparable" keys). A key is
//
//	table prefix (table id, index id) ++ value ++ value ++ …
//
// where each value is a one-byte tag followed by a payload whose bytes sort like the
// value. Because every value is self-delimiting, a composite key (several columns) is
// just the concatenation of its column encodings, and a prefix of columns is a byte
// prefix of the key, so prefix scans work.
//
// Ordering follows PostgreSQL's default btree opclasses:
//   - NULL sorts after every non-NULL value (NULLS LAST for ascending columns);
//   - float: -Inf < negatives < -0 = +0 < positives < +Inf < NaN, and all NaNs are equal;
//   - numeric: -Inf < negatives < 0 < positives < +Inf < NaN;
//   - text and bytea compare bytewise (the C collation Augur uses).
//
// int2, int4 and int8 share one encoding (as int64) and float4 and float8 share one
// (as float64), so a key compares correctly across integer widths. A descending
// column stores the bitwise complement of its ascending encoding.
//
// The encoding is for ordering and lookup, not for storage of the exact value: -0 is
// stored as 0, a numeric loses its display scale (1.50 and 1.5 encode equally, as
// they compare equally in PostgreSQL). The row (package rowcodec) keeps exact values.
package keycodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Tags. Their order is the order of the values they introduce where kinds mix
// (only NULL mixes with other kinds in one column); gaps leave room for new kinds.
const (
	tagFalse       byte = 0x10
	tagTrue        byte = 0x11
	tagInt         byte = 0x20
	tagFloat       byte = 0x28
	tagNumNegInf   byte = 0x30
	tagNumNeg      byte = 0x31
	tagNumZero     byte = 0x32
	tagNumPos      byte = 0x33
	tagNumPosInf   byte = 0x34
	tagNumNaN      byte = 0x35
	tagText        byte = 0x40
	tagBytea       byte = 0x41
	tagDate        byte = 0x50
	tagTimestamp   byte = 0x51
	tagTimestampTZ byte = 0x52
	tagUUID        byte = 0x60
	tagNull        byte = 0xF0
)

// Reserved key space: keys whose first byte is below TablePrefixByte belong to the
// store itself (its metadata); every table and index key starts with TablePrefixByte.
const TablePrefixByte byte = 0x10

// Direction of a key column.
type Direction uint8

const (
	Asc Direction = iota
	Desc
)

// ErrCorrupt is returned (wrapped) when a key cannot be decoded.
var ErrCorrupt = errors.New("keycodec: corrupt key")

// AppendTablePrefix appends the prefix shared by every key of one index of one table.
// Ids are fixed-width big-endian so that prefixes of different indexes never overlap.
func AppendTablePrefix(dst []byte, tableID, indexID uint32) []byte {
	if cap(dst)-len(dst) < TablePrefixLen {
		// One allocation, with room for the key values that usually follow,
		// rather than one per append (three from nil, and more for the values).
		dst = slices.Grow(dst, TablePrefixLen+tablePrefixSlack)
	}
	dst = append(dst, TablePrefixByte)
	dst = binary.BigEndian.AppendUint32(dst, tableID)
	return binary.BigEndian.AppendUint32(dst, indexID)
}

// TablePrefixLen is the length of the prefix AppendTablePrefix writes.
const TablePrefixLen = 9

// tablePrefixSlack is the room AppendTablePrefix leaves after the prefix when
// it allocates: a few key values (a bigint is 9 bytes) without another one.
const tablePrefixSlack = 23

// DecodeTablePrefix reads the prefix written by AppendTablePrefix.
func DecodeTablePrefix(b []byte) (tableID, indexID uint32, rest []byte, err error) {
	if len(b) < TablePrefixLen || b[0] != TablePrefixByte {
		return 0, 0, nil, fmt.Errorf("%w: bad table prefix", ErrCorrupt)
	}
	return binary.BigEndian.Uint32(b[1:]), binary.BigEndian.Uint32(b[5:]), b[TablePrefixLen:], nil
}

// PrefixEnd returns the smallest key greater than every key that starts with prefix,
// or nil when there is none (prefix is all 0xFF). Use it as the exclusive end of a
// prefix scan.
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// complementFrom inverts b[from:] in place, turning an ascending encoding into a
// descending one.
func complementFrom(b []byte, from int, dir Direction) []byte {
	if dir == Desc {
		for i := from; i < len(b); i++ {
			b[i] = ^b[i]
		}
	}
	return b
}

// AppendNull appends SQL NULL.
func AppendNull(dst []byte, dir Direction) []byte {
	return complementFrom(append(dst, tagNull), len(dst), dir)
}

// AppendBool appends a boolean (false < true).
func AppendBool(dst []byte, v bool, dir Direction) []byte {
	t := tagFalse
	if v {
		t = tagTrue
	}
	return complementFrom(append(dst, t), len(dst), dir)
}

func appendOrderedInt(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(v)^(1<<63))
}

// AppendInt appends an int2, int4 or int8 value.
func AppendInt(dst []byte, v int64, dir Direction) []byte {
	n := len(dst)
	return complementFrom(appendOrderedInt(append(dst, tagInt), v), n, dir)
}

// orderedFloatBits maps a float64 to a uint64 whose unsigned order is the float's
// order, with -0 folded into +0 and every NaN mapped to one value above +Inf.
func orderedFloatBits(f float64) uint64 {
	if math.IsNaN(f) {
		return math.MaxUint64
	}
	if f == 0 {
		f = 0 // folds -0 into +0
	}
	u := math.Float64bits(f)
	if u&(1<<63) != 0 {
		return ^u
	}
	return u | 1<<63
}

func floatFromOrderedBits(u uint64) float64 {
	if u == math.MaxUint64 {
		return math.NaN()
	}
	if u&(1<<63) != 0 {
		return math.Float64frombits(u &^ (1 << 63))
	}
	return math.Float64frombits(^u)
}

// AppendFloat appends a float4 or float8 value.
func AppendFloat(dst []byte, v float64, dir Direction) []byte {
	n := len(dst)
	dst = binary.BigEndian.AppendUint64(append(dst, tagFloat), orderedFloatBits(v))
	return complementFrom(dst, n, dir)
}

// appendEscaped writes b so that the result sorts like b and is self-delimiting:
// 0x00 becomes 0x00 0xFF and the end is marked by 0x00 0x01.
func appendEscaped(dst, b []byte) []byte {
	for _, c := range b {
		if c == 0 {
			dst = append(dst, 0x00, 0xFF)
		} else {
			dst = append(dst, c)
		}
	}
	return append(dst, 0x00, 0x01)
}

// AppendText appends a text (or varchar, char, name) value, compared bytewise.
func AppendText(dst []byte, v string, dir Direction) []byte {
	n := len(dst)
	dst = append(dst, tagText)
	for i := 0; i < len(v); i++ {
		if v[i] == 0 {
			dst = append(dst, 0x00, 0xFF)
		} else {
			dst = append(dst, v[i])
		}
	}
	return complementFrom(append(dst, 0x00, 0x01), n, dir)
}

// AppendBytea appends a bytea value.
func AppendBytea(dst []byte, v []byte, dir Direction) []byte {
	n := len(dst)
	return complementFrom(appendEscaped(append(dst, tagBytea), v), n, dir)
}

// AppendDate appends a date as days since 2000-01-01 (PostgreSQL's epoch);
// ±infinity are math.MinInt32/math.MaxInt32 as in PostgreSQL.
func AppendDate(dst []byte, days int32, dir Direction) []byte {
	n := len(dst)
	return complementFrom(appendOrderedInt(append(dst, tagDate), int64(days)), n, dir)
}

// AppendTimestamp appends a timestamp without time zone as microseconds since
// 2000-01-01 00:00:00; ±infinity are math.MinInt64/math.MaxInt64.
func AppendTimestamp(dst []byte, micros int64, dir Direction) []byte {
	n := len(dst)
	return complementFrom(appendOrderedInt(append(dst, tagTimestamp), micros), n, dir)
}

// AppendTimestampTZ appends a timestamptz as microseconds since 2000-01-01 00:00:00 UTC.
func AppendTimestampTZ(dst []byte, micros int64, dir Direction) []byte {
	n := len(dst)
	return complementFrom(appendOrderedInt(append(dst, tagTimestampTZ), micros), n, dir)
}

// AppendUUID appends a uuid (compared bytewise, as PostgreSQL does).
func AppendUUID(dst []byte, v [16]byte, dir Direction) []byte {
	n := len(dst)
	return complementFrom(append(append(dst, tagUUID), v[:]...), n, dir)
}
