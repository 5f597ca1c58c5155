package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// LSN is a log sequence number: the position of a record's first byte in the
// logical byte stream of the log. Segment files are named by the LSN of their first
// byte, so an LSN names a segment and an offset in it.
type LSN uint64

func (l LSN) String() string { return fmt.Sprintf("%X/%08X", uint64(l)>>32, uint32(l)) }

// RecordType says what a record's payload is. The log does not interpret payloads;
// types 1..127 belong to the log's user (the store), 128..255 to the log itself.
type RecordType uint8

// SyncMarkType is the log's own sync mark: its 8-byte payload is the LSN up to
// which the log was durable when the record was written (see the package doc).
// Replay does not pass sync marks to its callback.
const SyncMarkType RecordType = 255

// syncMarkSize is the framed size of a sync mark.
const syncMarkSize = HeaderSize + 8

// HeaderSize is the size of a record's frame header:
//
//	crc32c (4) | payload length (4) | lsn (8) | type (1)
//
// The CRC covers the rest of the header and the payload. Storing the LSN in the
// record lets recovery tell a stale record left in a reused or misplaced block from a
// real one, and tell a torn tail from garbage that merely checksums.
const HeaderSize = 17

// MaxPayload bounds one record's payload; larger write sets are logged as chains.
const MaxPayload = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Record is one decoded log record.
type Record struct {
	LSN     LSN
	Type    RecordType
	Payload []byte
}

// End is the LSN just after the record.
func (r Record) End() LSN { return r.LSN + LSN(HeaderSize+len(r.Payload)) }

// errBadRecord reports a frame that is not a valid record at its position.
var errBadRecord = errors.New("bad record")

// appendRecord frames payload as a record at lsn.
func appendRecord(dst []byte, lsn LSN, typ RecordType, payload []byte) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(lsn))
	dst = append(dst, byte(typ))
	dst = append(dst, payload...)
	crc := crc32.Checksum(dst[start+4:], castagnoli)
	binary.LittleEndian.PutUint32(dst[start:], crc)
	return dst
}

// parseHeader reads a header and checks what can be checked without the payload.
func parseHeader(h []byte, want LSN) (crc uint32, n int, typ RecordType, err error) {
	if len(h) < HeaderSize {
		return 0, 0, 0, fmt.Errorf("%w: short header", errBadRecord)
	}
	crc = binary.LittleEndian.Uint32(h)
	size := binary.LittleEndian.Uint32(h[4:])
	lsn := LSN(binary.LittleEndian.Uint64(h[8:]))
	typ = RecordType(h[16])
	if lsn != want {
		return 0, 0, 0, fmt.Errorf("%w: lsn %s at position %s", errBadRecord, lsn, want)
	}
	if size > MaxPayload {
		return 0, 0, 0, fmt.Errorf("%w: payload length %d", errBadRecord, size)
	}
	if typ == 0 {
		return 0, 0, 0, fmt.Errorf("%w: type 0", errBadRecord)
	}
	return crc, int(size), typ, nil
}

// DecodeRecord decodes the record at the start of b, which must sit at position
// want. It returns the record (whose payload aliases b) or an error when b does not
// start with a complete, valid record for that position.
func DecodeRecord(b []byte, want LSN) (Record, error) {
	crc, n, typ, err := parseHeader(b, want)
	if err != nil {
		return Record{}, err
	}
	if len(b) < HeaderSize+n {
		return Record{}, fmt.Errorf("%w: truncated payload (%d of %d bytes)", errBadRecord, len(b)-HeaderSize, n)
	}
	if crc32.Checksum(b[4:HeaderSize+n], castagnoli) != crc {
		return Record{}, fmt.Errorf("%w: checksum mismatch", errBadRecord)
	}
	return Record{LSN: want, Type: typ, Payload: b[HeaderSize : HeaderSize+n]}, nil
}
