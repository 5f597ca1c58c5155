package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/augurdb/augur/storage/wal"
)

// WAL record types written by the store.
const (
	// recCommit holds a transaction's commit timestamp and its write set (or, for a
	// spilled transaction, the tail of it): one record per commit.
	recCommit wal.RecordType = 1
	// recChain holds part of a spilled write set. Parts are written before their
	// commit record, which names the chain; recovery applies a chain only when it
	// finds the commit record that closes it.
	recChain wal.RecordType = 2
)

// Mutation is one write of a transaction: a put, or a delete when Delete is set.
type Mutation struct {
	Key    []byte
	Value  []byte
	Delete bool
}

const (
	opPut    byte = 1
	opDelete byte = 2
)

func appendMutation(dst []byte, m Mutation) []byte {
	if m.Delete {
		dst = append(dst, opDelete)
		dst = binary.AppendUvarint(dst, uint64(len(m.Key)))
		return append(dst, m.Key...)
	}
	dst = append(dst, opPut)
	dst = binary.AppendUvarint(dst, uint64(len(m.Key)))
	dst = append(dst, m.Key...)
	dst = binary.AppendUvarint(dst, uint64(len(m.Value)))
	return append(dst, m.Value...)
}

// bufferedSize is what a mutation held in a transaction's write buffer costs in
// memory: its key and value, the Mutation itself (64 bytes with allocation
// rounding) and its slot in the buffer's B-tree. Counting only the key and value
// made txn_buffer_max hold about twice its size for small rows.
func bufferedSize(m Mutation) int { return len(m.Key) + len(m.Value) + 96 }

var errBadPayload = errors.New("store: malformed WAL payload")

// decodeMutations calls fn for each mutation in b; the mutations alias b.
func decodeMutations(b []byte, fn func(Mutation) error) error {
	for len(b) > 0 {
		op := b[0]
		b = b[1:]
		if op != opPut && op != opDelete {
			return fmt.Errorf("%w: op %d", errBadPayload, op)
		}
		kl, n := binary.Uvarint(b)
		if n <= 0 || kl > uint64(len(b)-n) {
			return fmt.Errorf("%w: key length", errBadPayload)
		}
		m := Mutation{Key: b[n : n+int(kl)], Delete: op == opDelete}
		b = b[n+int(kl):]
		if op == opPut {
			vl, n := binary.Uvarint(b)
			if n <= 0 || vl > uint64(len(b)-n) {
				return fmt.Errorf("%w: value length", errBadPayload)
			}
			m.Value = b[n : n+int(vl)]
			b = b[n+int(vl):]
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// commitHeader starts a commit record: commit timestamp, chain id (0 for none) and
// the number of chain parts expected.
func appendCommitHeader(dst []byte, ts, chain uint64, parts int) []byte {
	dst = binary.AppendUvarint(dst, ts)
	dst = binary.AppendUvarint(dst, chain)
	return binary.AppendUvarint(dst, uint64(parts))
}

func decodeCommitHeader(b []byte) (ts, chain uint64, parts int, rest []byte, err error) {
	var vals [3]uint64
	for i := range vals {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, 0, 0, nil, fmt.Errorf("%w: commit header", errBadPayload)
		}
		vals[i], b = v, b[n:]
	}
	return vals[0], vals[1], int(vals[2]), b, nil
}

func appendChainHeader(dst []byte, chain uint64, seq int) []byte {
	dst = binary.AppendUvarint(dst, chain)
	return binary.AppendUvarint(dst, uint64(seq))
}

func decodeChainHeader(b []byte) (chain uint64, seq int, rest []byte, err error) {
	c, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, 0, nil, fmt.Errorf("%w: chain header", errBadPayload)
	}
	b = b[n:]
	s, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, 0, nil, fmt.Errorf("%w: chain header", errBadPayload)
	}
	return c, int(s), b[n:], nil
}
