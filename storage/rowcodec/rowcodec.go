// Package rowcodec frames a table row for storage: a schema version, the row's
// columns, and a CRC32C (Castagnoli) checksum over all of it.
//
// The schema version lets a row written before an ALTER TABLE be read with the
// column list it was written under; the checksum lets reads and `augur verify`
// detect a row damaged on disk instead of returning wrong data. Column values are
// opaque here: each column is the bytes of its value's binary encoding (package
// storage/types owns those), or NULL. Keeping the frame ignorant of SQL types keeps
// this package small and lets the value codecs change without touching the frame.
//
// Layout:
//
//	format (1 byte, currently 1)
//	schema version (uvarint)
//	column count n (uvarint)
//	null bitmap (ceil(n/8) bytes, bit i set when column i is NULL)
//	for each non-NULL column: length (uvarint), bytes
//	CRC32C of everything above (4 bytes, little-endian)
package rowcodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

const format byte = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrChecksum is returned (wrapped) when a row's checksum does not match its bytes.
var ErrChecksum = errors.New("rowcodec: checksum mismatch")

// ErrCorrupt is returned (wrapped) when a row's frame cannot be parsed.
var ErrCorrupt = errors.New("rowcodec: corrupt row")

// Append appends the encoding of a row with the given schema version. A nil column
// is NULL; an empty non-nil column is an empty value.
func Append(dst []byte, schemaVersion uint32, cols [][]byte) []byte {
	start := len(dst)
	dst = append(dst, format)
	dst = binary.AppendUvarint(dst, uint64(schemaVersion))
	dst = binary.AppendUvarint(dst, uint64(len(cols)))
	bm := len(dst)
	dst = append(dst, make([]byte, (len(cols)+7)/8)...)
	for i, c := range cols {
		if c == nil {
			dst[bm+i/8] |= 1 << (i % 8)
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(len(c)))
		dst = append(dst, c...)
	}
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// Verify checks a row's checksum without decoding its columns.
func Verify(row []byte) error {
	if len(row) < 5 {
		return fmt.Errorf("%w: %d bytes", ErrCorrupt, len(row))
	}
	body := row[:len(row)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(row[len(row)-4:]) {
		return ErrChecksum
	}
	return nil
}

// Decode verifies a row and returns its schema version and columns. The columns
// alias row; NULL columns are nil.
func Decode(row []byte) (schemaVersion uint32, cols [][]byte, err error) {
	return DecodeInto(row, nil)
}

// DecodeInto is Decode that appends the columns to buf[:0] (a reader that
// decodes row after row reuses one slice, or a small array on its stack).
func DecodeInto(row []byte, buf [][]byte) (schemaVersion uint32, cols [][]byte, err error) {
	if err := Verify(row); err != nil {
		return 0, nil, err
	}
	b := row[:len(row)-4]
	if b[0] != format {
		return 0, nil, fmt.Errorf("%w: unknown format %d", ErrCorrupt, b[0])
	}
	b = b[1:]
	v, n := binary.Uvarint(b)
	if n <= 0 || v > 1<<32-1 {
		return 0, nil, fmt.Errorf("%w: bad schema version", ErrCorrupt)
	}
	b = b[n:]
	ncols, n := binary.Uvarint(b)
	if n <= 0 || ncols > uint64(len(b))*8 {
		return 0, nil, fmt.Errorf("%w: bad column count", ErrCorrupt)
	}
	b = b[n:]
	bmLen := int((ncols + 7) / 8)
	if len(b) < bmLen {
		return 0, nil, fmt.Errorf("%w: short null bitmap", ErrCorrupt)
	}
	bm, b := b[:bmLen], b[bmLen:]
	if uint64(cap(buf)) >= ncols {
		cols = buf[:ncols]
		clear(cols)
	} else {
		cols = make([][]byte, ncols)
	}
	for i := range cols {
		if bm[i/8]&(1<<(i%8)) != 0 {
			continue
		}
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return 0, nil, fmt.Errorf("%w: column %d: bad length", ErrCorrupt, i)
		}
		cols[i] = b[n : n+int(l) : n+int(l)]
		b = b[n+int(l):]
	}
	if len(b) != 0 {
		return 0, nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(b))
	}
	return uint32(v), cols, nil
}
