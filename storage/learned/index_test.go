package learned

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tidwall/btree"
)

// refItem is an entry of the reference ordered map the index is checked
// against.
type refItem struct {
	key string
	p   Payload
}

func newRef() *btree.BTreeG[refItem] {
	return btree.NewBTreeGOptions(func(a, b refItem) bool { return a.key < b.key }, btree.Options{NoLocks: true})
}

// keyGen makes keys of one distribution.
type keyGen struct {
	name string
	next func(r *rand.Rand) []byte
}

var shardPrefix = []byte{0, 0, 0, 42}

func intKey(v uint64) []byte {
	k := append([]byte(nil), shardPrefix...)
	return binary.BigEndian.AppendUint64(k, v)
}

// keyGens returns the distributions of the property tests. Each draws from a
// domain small enough that duplicates and re-inserts are frequent.
func keyGens() []keyGen {
	return []keyGen{
		{"sequential", func(r *rand.Rand) []byte { return intKey(uint64(r.IntN(20000))) }},
		{"uniform", func(r *rand.Rand) []byte {
			if r.IntN(4) == 0 {
				return intKey(uint64(r.IntN(3000)) * 0x5851F42D4C957F2D) // repeats
			}
			return intKey(r.Uint64())
		}},
		{"lognormal", func(r *rand.Rand) []byte {
			return intKey(uint64(math.Exp(r.NormFloat64()*2) * 1e6))
		}},
		{"clustered", func(r *rand.Rand) []byte {
			run := uint64(r.IntN(40))
			return intKey(run<<40 + uint64(r.IntN(500)))
		}},
		{"extremes", func(r *rand.Rand) []byte {
			switch r.IntN(6) {
			case 0:
				return intKey(0)
			case 1:
				return intKey(math.MaxUint64)
			case 2:
				return intKey(math.MaxUint64 - uint64(r.IntN(100)))
			case 3:
				return intKey(uint64(r.IntN(100)))
			}
			return intKey(r.Uint64() >> uint(r.IntN(64)))
		}},
		{"text", func(r *rand.Rand) []byte {
			// Variable lengths, including the empty key and keys that are
			// prefixes of others, over a small alphabet.
			k := make([]byte, r.IntN(14))
			for i := range k {
				k[i] = "\x00ab\xff"[r.IntN(4)]
			}
			return k
		}},
		{"common8", func(r *rand.Rand) []byte {
			// Adversarial: all keys but two agree in the first eight bytes
			// after the shard prefix, so the model sees one value and only
			// the last-mile comparison tells them apart.
			switch r.IntN(50) {
			case 0:
				return append(append([]byte(nil), shardPrefix...), 0)
			case 1:
				return append(append([]byte(nil), shardPrefix...), 0xff)
			}
			k := append(append([]byte(nil), shardPrefix...), "AAAAAAAA"...)
			for n := r.IntN(6); n > 0; n-- {
				k = append(k, "\x00Az"[r.IntN(3)])
			}
			return k
		}},
	}
}

// smallConfig makes nodes split and rebuild after a few keys, so that short
// tests exercise every structural change.
func smallConfig() config {
	c := defaultConfig()
	c.leafKeys = 8
	c.maxLeafKeys = 32
	c.maxFanout = 16
	return c
}

func newTestIndex(cfg config) *Index {
	x := New(Options{})
	x.cfg = cfg
	return x
}

// checkEqual compares the whole index with the reference, both ways.
func checkEqual(t *testing.T, what string, tr *tree, ref *btree.BTreeG[refItem]) {
	t.Helper()
	if tr.Len() != ref.Len() {
		t.Fatalf("%s: Len %d, reference %d", what, tr.Len(), ref.Len())
	}
	it := tr.Iter()
	ok := it.First()
	ref.Scan(func(item refItem) bool {
		if !ok {
			t.Fatalf("%s: iteration ended before %x", what, item.key)
		}
		if string(it.Key()) != item.key || it.Payload() != item.p {
			t.Fatalf("%s: at %x %v, reference %x %v", what, it.Key(), it.Payload(), item.key, item.p)
		}
		ok = it.Next()
		return true
	})
	if ok {
		t.Fatalf("%s: extra key %x", what, it.Key())
	}
	ok = it.Last()
	ref.Reverse(func(item refItem) bool {
		if !ok || string(it.Key()) != item.key {
			t.Fatalf("%s: reverse iteration differs at %x", what, item.key)
		}
		ok = it.Prev()
		return true
	})
	if ok {
		t.Fatalf("%s: extra key %x in reverse", what, it.Key())
	}
	ref.Scan(func(item refItem) bool {
		if p, ok := tr.Get([]byte(item.key)); !ok || p != item.p {
			t.Fatalf("%s: Get(%x) = %v %v, want %v", what, item.key, p, ok, item.p)
		}
		return true
	})
}

// checkSeek compares Seek and SeekLE for key, and a few steps either way.
func checkSeek(t *testing.T, tr *tree, ref *btree.BTreeG[refItem], key []byte, steps int, forward bool) {
	t.Helper()
	it := tr.Iter()
	var want []string
	if forward {
		ref.Ascend(refItem{key: string(key)}, func(item refItem) bool {
			want = append(want, item.key)
			return len(want) < steps
		})
		ok := it.Seek(key)
		for _, w := range want {
			if !ok || string(it.Key()) != w {
				t.Fatalf("Seek(%x): got %v %x, want %x", key, ok, it.Key(), w)
			}
			ok = it.Next()
		}
		if len(want) < steps && ok {
			t.Fatalf("Seek(%x): extra key %x", key, it.Key())
		}
		return
	}
	ref.Descend(refItem{key: string(key)}, func(item refItem) bool {
		want = append(want, item.key)
		return len(want) < steps
	})
	ok := it.SeekLE(key)
	for _, w := range want {
		if !ok || string(it.Key()) != w {
			t.Fatalf("SeekLE(%x): got %v %x, want %x", key, ok, it.Key(), w)
		}
		ok = it.Prev()
	}
	if len(want) < steps && ok {
		t.Fatalf("SeekLE(%x): extra key %x", key, it.Key())
	}
}

type snapshotCheck struct {
	view *View
	ref  *btree.BTreeG[refItem]
}

// runOps applies a random operation sequence to x and the reference and
// compares them along the way, including snapshots taken on the way.
func runOps(t *testing.T, x *Index, gen keyGen, seed uint64, ops int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	ref := newRef()
	it := x.Iter()
	it.First()
	for ok := it.First(); ok; ok = it.Next() {
		ref.Set(refItem{string(it.Key()), it.Payload()})
	}
	var snaps []snapshotCheck
	var existing []string
	pick := func() []byte {
		if len(existing) > 0 && r.IntN(2) == 0 {
			return []byte(existing[r.IntN(len(existing))])
		}
		return gen.next(r)
	}
	for op := 0; op < ops; op++ {
		switch c := r.IntN(100); {
		case c < 55:
			k := pick()
			p := Payload{Version: uint64(op), Ref: r.Uint64()}
			_, had := ref.Get(refItem{key: string(k)})
			if replaced := x.Insert(k, p); replaced != had {
				t.Fatalf("op %d: Insert(%x) replaced=%v, reference had=%v", op, k, replaced, had)
			}
			ref.Set(refItem{string(k), p})
			if !had && len(existing) < 4096 {
				existing = append(existing, string(k))
			}
		case c < 80:
			k := pick()
			_, had := ref.Delete(refItem{key: string(k)})
			if got := x.Delete(k); got != had {
				t.Fatalf("op %d: Delete(%x) = %v, reference %v", op, k, got, had)
			}
		case c < 90:
			k := pick()
			item, had := ref.Get(refItem{key: string(k)})
			if p, ok := x.Get(k); ok != had || p != item.p {
				t.Fatalf("op %d: Get(%x) = %v %v, reference %v %v", op, k, p, ok, item.p, had)
			}
		case c < 98:
			checkSeek(t, &x.tree, ref, pick(), 1+r.IntN(20), c < 94)
		case c < 99:
			if len(snaps) < 4 {
				snaps = append(snaps, snapshotCheck{x.Snapshot(), ref.Copy()})
			}
		default:
			checkEqual(t, fmt.Sprintf("op %d", op), &x.tree, ref)
		}
	}
	checkEqual(t, "end", &x.tree, ref)
	for i, s := range snaps {
		checkEqual(t, fmt.Sprintf("snapshot %d", i), &s.view.tree, s.ref)
	}
	// Delete everything, then check the empty index.
	ref.Scan(func(item refItem) bool {
		if !x.Delete([]byte(item.key)) {
			t.Fatalf("final Delete(%x) missed", item.key)
		}
		return true
	})
	checkEqual(t, "emptied", &x.tree, newRef())
}

func TestRandomOperations(t *testing.T) {
	configs := []struct {
		name string
		cfg  config
	}{
		{"small-nodes", smallConfig()},
		{"default", defaultConfig()},
	}
	for _, gen := range keyGens() {
		for _, c := range configs {
			t.Run(gen.name+"/"+c.name, func(t *testing.T) {
				for seed := uint64(1); seed <= 3; seed++ {
					runOps(t, newTestIndex(c.cfg), gen, seed, 12000)
				}
			})
		}
	}
}

// TestBulkLoadThenOperations bulk-loads each distribution and goes on with
// random operations.
func TestBulkLoadThenOperations(t *testing.T) {
	for _, gen := range keyGens() {
		t.Run(gen.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 7))
			ref := newRef()
			for i := 0; i < 5000; i++ {
				k := gen.next(r)
				ref.Set(refItem{string(k), Payload{uint64(i), uint64(i) * 3}})
			}
			b := NewBuilder()
			b.cfg = smallConfig()
			ref.Scan(func(item refItem) bool {
				if err := b.Add([]byte(item.key), item.p); err != nil {
					t.Fatal(err)
				}
				return true
			})
			x := b.Build()
			checkEqual(t, "loaded", &x.tree, ref)
			runOps(t, x, gen, 11, 5000)
		})
	}
}

func TestBuilderRejectsUnsorted(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		ok   bool
	}{
		{"increasing", []string{"a", "ab", "b"}, true},
		{"equal", []string{"a", "a"}, false},
		{"decreasing", []string{"b", "a"}, false},
		{"prefix after longer", []string{"ab", "a"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder()
			var err error
			for _, k := range tc.keys {
				if err = b.Add([]byte(k), Payload{}); err != nil {
					break
				}
			}
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestSnapshotIsolation checks that a view does not see later writes, down to
// every key, while the index goes through splits and rebuilds.
func TestSnapshotIsolation(t *testing.T) {
	x := newTestIndex(smallConfig())
	for i := uint64(0); i < 2000; i++ {
		x.Insert(intKey(i*2), Payload{Version: 1})
	}
	v := x.Snapshot()
	for i := uint64(0); i < 2000; i++ {
		x.Insert(intKey(i*2+1), Payload{Version: 2})
		x.Insert(intKey(i*2), Payload{Version: 3})
		if i%3 == 0 {
			x.Delete(intKey(i * 2))
		}
	}
	if v.Len() != 2000 {
		t.Fatalf("view Len = %d", v.Len())
	}
	it := v.Iter()
	i := uint64(0)
	for ok := it.First(); ok; ok = it.Next() {
		if !bytes.Equal(it.Key(), intKey(i*2)) || it.Payload().Version != 1 {
			t.Fatalf("view at %x %v, want %x version 1", it.Key(), it.Payload(), intKey(i*2))
		}
		i++
	}
	if i != 2000 {
		t.Fatalf("view iterated %d keys", i)
	}
}

func TestStats(t *testing.T) {
	b := NewBuilder()
	for i := uint64(0); i < 100000; i++ {
		if err := b.Add(intKey(i*7), Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	x := b.Build()
	st := x.Stats()
	if st.Keys != 100000 || st.DataNodes == 0 || st.InnerNodes == 0 || st.Depth < 1 {
		t.Fatalf("unexpected stats %+v", st)
	}
	// Evenly spaced keys fit a line exactly.
	if st.MaxSearchDistance > 1 {
		t.Fatalf("max search distance %d on linear keys", st.MaxSearchDistance)
	}
	if st.Bytes < 100000*24 {
		t.Fatalf("bytes %d below the slots' own size", st.Bytes)
	}
}
