package learned

import (
	"encoding/binary"
	"testing"
)

// FuzzOperations runs the operations a fuzzer's bytes spell against the index
// and a reference map. Each operation is a code byte and a key; keys come
// from the input, from a small integer space, or share a long common
// stretch, so that the fuzzer reaches duplicates, ext keys and degenerate
// models quickly.
func FuzzOperations(f *testing.F) {
	f.Add([]byte("\x00\x05hello\x00\x05hellp\x01\x05hello\x03\x00"))
	f.Add([]byte("\x10\x01\x10\x02\x10\x03\x11\x02\x13\x00\x14\x01"))
	f.Add([]byte("\x20\x03abc\x20\x00\x20\x09abcdefghi\x23\x02ab"))
	f.Fuzz(fuzzOperations)
}

func fuzzOperations(t *testing.T, data []byte) {
	{
		x := newTestIndex(smallConfig())
		ref := newRef()
		var snaps []snapshotCheck
		for op := 0; len(data) >= 2; op++ {
			code := data[0]
			data = data[1:]
			var key []byte
			switch code >> 4 & 3 {
			case 0: // literal key: length byte then bytes
				l := min(int(data[0])%20, len(data)-1)
				key = append([]byte(nil), data[1:1+l]...)
				data = data[1+l:]
			case 1: // small integer key, often colliding
				key = intKey(uint64(data[0]) * 977)
				data = data[1:]
			case 2: // long shared stretch, short varying tail
				key = append([]byte("tbl\x00AAAAAAAA"), data[0]%5, data[0]/5%3)
				key = key[:len(key)-int(data[0]>>7)]
				data = data[1:]
			default: // extremes of the 64-bit space
				key = binary.BigEndian.AppendUint64([]byte("tbl\x00"), ^uint64(0)-uint64(data[0]&7)<<(data[0]>>3&63))
				data = data[1:]
			}
			switch code & 7 {
			case 0, 1, 2:
				p := Payload{Version: uint64(op), Ref: uint64(len(data))}
				_, had := ref.Get(refItem{key: string(key)})
				if replaced := x.Insert(key, p); replaced != had {
					t.Fatalf("Insert(%x) replaced=%v, want %v", key, replaced, had)
				}
				ref.Set(refItem{string(key), p})
			case 3, 4:
				_, had := ref.Delete(refItem{key: string(key)})
				if got := x.Delete(key); got != had {
					t.Fatalf("Delete(%x) = %v, want %v", key, got, had)
				}
			case 5:
				checkSeek(t, &x.tree, ref, key, 3, code&8 == 0)
			case 6:
				item, had := ref.Get(refItem{key: string(key)})
				if p, ok := x.Get(key); ok != had || p != item.p {
					t.Fatalf("Get(%x) = %v %v, want %v %v", key, p, ok, item.p, had)
				}
			default:
				if len(snaps) < 2 {
					snaps = append(snaps, snapshotCheck{x.Snapshot(), ref.Copy()})
				}
			}
		}
		checkEqual(t, "end", &x.tree, ref)
		for _, s := range snaps {
			checkEqual(t, "snapshot", &s.view.tree, s.ref)
		}
	}
}
