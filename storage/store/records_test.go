package store

import (
	"bytes"
	"testing"
)

func FuzzDecodeMutations(f *testing.F) {
	f.Add(appendMutation(appendMutation(nil, Mutation{Key: []byte("a"), Value: []byte("1")}), Mutation{Key: []byte("b"), Delete: true}))
	f.Add([]byte{opPut, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		var re []byte
		if err := decodeMutations(b, func(m Mutation) error { re = appendMutation(re, m); return nil }); err != nil {
			return
		}
		if !bytes.Equal(re, b) && len(b) < 1<<16 {
			// Non-minimal varints decode too; the re-encoding must decode identically.
			var again []byte
			if err := decodeMutations(re, func(m Mutation) error { again = appendMutation(again, m); return nil }); err != nil || !bytes.Equal(again, re) {
				t.Fatalf("re-encoding unstable: %x -> %x -> %x", b, re, again)
			}
		}
	})
}

func TestCommitHeaderRoundTrip(t *testing.T) {
	tests := []struct {
		ts, chain uint64
		parts     int
	}{{1, 0, 0}, {1 << 60, 12345, 7}}
	for _, tt := range tests {
		b := appendCommitHeader(nil, tt.ts, tt.chain, tt.parts)
		b = append(b, 9)
		ts, chain, parts, rest, err := decodeCommitHeader(b)
		if err != nil || ts != tt.ts || chain != tt.chain || parts != tt.parts || !bytes.Equal(rest, []byte{9}) {
			t.Fatalf("%+v: got %d %d %d %x %v", tt, ts, chain, parts, rest, err)
		}
	}
}
