// Package learnedbench measures the learned index against the ordered maps a
// Go programmer would otherwise use, github.com/tidwall/btree and
// github.com/google/btree, on the key distributions of issue 4. It backs
// `augur bench index` and the package's Go benchmarks.
//
// Fairness, as the issue asks:
//   - Every implementation stores the same item: the key bytes, an 8-byte
//     version timestamp and an 8-byte row reference. The B-trees store
//     Item{Key string; Version, Ref uint64} by value, the key copied into a
//     string of its own; the learned index copies the key into its slots.
//   - Every implementation is built by the same inserts in the same (random)
//     order; the B-trees are also reported bulk-built from sorted input
//     (tidwall's Load, as "tidwall_load"), and so is the learned index
//     (Builder, as "learned_load").
//   - Keys are twelve bytes, a 4-byte shard prefix and an 8-byte big-endian
//     integer, encoded into one scratch buffer before every operation for every
//     implementation; lookups pass the B-trees that buffer as a string without
//     copying.
//   - Memory is the heap in use (runtime.MemStats.HeapAlloc) after building
//     minus before, each after a full garbage collection, divided by the keys:
//     the whole structure, keys and payloads included. Overhead is that minus
//     the item's own bytes (key length + 16).
//   - tidwall's trees run without their internal lock (NoLocks), as the learned
//     index has none; both B-trees use degree 32.
package learnedbench

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"
	"unsafe"

	gbtree "github.com/google/btree"
	tbtree "github.com/tidwall/btree"

	"github.com/augurdb/augur/storage/learned"
)

// Distributions are the key distributions, in report order.
var Distributions = []string{"sequential", "uniform", "lognormal", "clustered"}

// Impls are the implementations, in report order.
var Impls = []string{"learned", "learned_load", "tidwall", "tidwall_load", "google"}

// Metrics are the figures reported, in report order.
var Metrics = []string{"lookup_ns", "insert_ns", "delete_ns", "scan100_ns", "bytes_per_key", "overhead_bytes_per_key"}

// KeyPrefix is the shard prefix of every benchmark key.
var KeyPrefix = [4]byte{0, 0, 0, 42}

// KeyLen is the length of a benchmark key.
const KeyLen = len(KeyPrefix) + 8

// ItemBytes is the size of an item's own content: key, version, reference.
const ItemBytes = KeyLen + 16

// EncodeKey writes the key of v into buf.
func EncodeKey(buf *[KeyLen]byte, v uint64) []byte {
	copy(buf[:], KeyPrefix[:])
	binary.BigEndian.PutUint64(buf[len(KeyPrefix):], v)
	return buf[:]
}

// Keys returns n distinct key values of a distribution, sorted.
func Keys(dist string, n int, seed uint64) ([]uint64, error) {
	r := rand.New(rand.NewPCG(seed, 0xA5A5))
	vals := make([]uint64, 0, n)
	switch dist {
	case "sequential":
		for i := 0; i < n; i++ {
			vals = append(vals, uint64(i))
		}
		return vals, nil
	case "clustered":
		// Dense runs of 1 to 1,000 consecutive values separated by gaps of
		// up to 2^32.
		cur := r.Uint64() >> 8
		for len(vals) < n {
			run := 1 + r.IntN(1000)
			for j := 0; j < run && len(vals) < n; j++ {
				vals = append(vals, cur)
				cur++
			}
			cur += 1 + r.Uint64N(1<<32)
		}
		return vals, nil
	case "uniform", "lognormal":
		for len(vals) < n {
			for len(vals) < n {
				if dist == "uniform" {
					vals = append(vals, r.Uint64())
				} else {
					// lognormal(0, 2) scaled by 1e9, as in the ALEX paper.
					vals = append(vals, uint64(math.Exp(r.NormFloat64()*2)*1e9))
				}
			}
			slices.Sort(vals)
			vals = slices.Compact(vals)
		}
		return vals, nil
	}
	return nil, fmt.Errorf("unknown distribution %q", dist)
}

// Item is what the B-trees store.
type Item struct {
	Key     string
	Version uint64
	Ref     uint64
}

func itemLess(a, b Item) bool { return a.Key < b.Key }

// Map is the interface the measurements drive. Keys passed in are scratch
// buffers: an implementation copies what it keeps.
type Map interface {
	Insert(key []byte, version, ref uint64)
	Get(key []byte) bool
	Delete(key []byte)
	// Scan seeks to key and visits up to n keys, returning how many.
	Scan(key []byte, n int) int
}

// Builder makes a Map, empty or bulk-loaded from sorted keys.
type Builder struct {
	Name string
	// Bulk is nil for implementations built by inserts.
	New  func() Map
	Bulk func(sorted []uint64) Map
}

// Builders returns the implementations compared.
func Builders() []Builder {
	return []Builder{
		{Name: "learned", New: func() Map { return &learnedMap{x: learned.New(learned.Options{Prefix: KeyPrefix[:]})} }},
		{Name: "learned_load", Bulk: func(sorted []uint64) Map {
			b := learned.NewBuilder()
			var buf [KeyLen]byte
			for _, v := range sorted {
				if err := b.Add(EncodeKey(&buf, v), learned.Payload{Version: v, Ref: v}); err != nil {
					panic(err)
				}
			}
			return &learnedMap{x: b.Build()}
		}},
		{Name: "tidwall", New: func() Map { return newTidwall() }},
		{Name: "tidwall_load", Bulk: func(sorted []uint64) Map {
			m := newTidwall()
			var buf [KeyLen]byte
			for _, v := range sorted {
				m.t.Load(Item{Key: string(EncodeKey(&buf, v)), Version: v, Ref: v})
			}
			return m
		}},
		{Name: "google", New: func() Map { return &googleMap{t: gbtree.NewG(32, itemLess)} }},
	}
}

type learnedMap struct{ x *learned.Index }

func (m *learnedMap) Insert(k []byte, v, r uint64) {
	m.x.Insert(k, learned.Payload{Version: v, Ref: r})
}
func (m *learnedMap) Get(k []byte) bool { _, ok := m.x.Get(k); return ok }
func (m *learnedMap) Delete(k []byte)   { m.x.Delete(k) }
func (m *learnedMap) Scan(k []byte, n int) int {
	it := m.x.Iter()
	c := 0
	for ok := it.Seek(k); ok && c < n; ok = it.Next() {
		_ = it.Payload()
		c++
	}
	return c
}

type tidwallMap struct{ t *tbtree.BTreeG[Item] }

func newTidwall() *tidwallMap {
	return &tidwallMap{t: tbtree.NewBTreeGOptions(itemLess, tbtree.Options{NoLocks: true})}
}

// view returns a string over a scratch key without copying, for lookups.
func view(k []byte) string { return unsafe.String(unsafe.SliceData(k), len(k)) }

func (m *tidwallMap) Insert(k []byte, v, r uint64) {
	m.t.Set(Item{Key: string(k), Version: v, Ref: r})
}
func (m *tidwallMap) Get(k []byte) bool { _, ok := m.t.Get(Item{Key: view(k)}); return ok }
func (m *tidwallMap) Delete(k []byte)   { m.t.Delete(Item{Key: view(k)}) }
func (m *tidwallMap) Scan(k []byte, n int) int {
	it := m.t.Iter()
	c := 0
	for ok := it.Seek(Item{Key: view(k)}); ok && c < n; ok = it.Next() {
		_ = it.Item()
		c++
	}
	it.Release()
	return c
}

type googleMap struct{ t *gbtree.BTreeG[Item] }

func (m *googleMap) Insert(k []byte, v, r uint64) {
	m.t.ReplaceOrInsert(Item{Key: string(k), Version: v, Ref: r})
}
func (m *googleMap) Get(k []byte) bool { _, ok := m.t.Get(Item{Key: view(k)}); return ok }
func (m *googleMap) Delete(k []byte)   { m.t.Delete(Item{Key: view(k)}) }
func (m *googleMap) Scan(k []byte, n int) int {
	c := 0
	m.t.AscendGreaterOrEqual(Item{Key: view(k)}, func(Item) bool {
		c++
		return c < n
	})
	return c
}

// Result is one figure, in the JSON shape other tools read.
type Result struct {
	Distribution string  `json:"distribution"`
	Keys         int     `json:"keys"`
	Impl         string  `json:"impl"`
	Metric       string  `json:"metric"`
	Value        float64 `json:"value"`
}

// Config says what to run.
type Config struct {
	Keys          int
	Distributions []string // all when empty
	Impls         []string // all when empty
	Seed          uint64
	// Progress, if set, is told each result as it is measured.
	Progress func(Result)
}

// Run measures every implementation on every distribution.
func Run(cfg Config) ([]Result, error) {
	dists := cfg.Distributions
	if len(dists) == 0 {
		dists = Distributions
	}
	var out []Result
	for _, dist := range dists {
		sorted, err := Keys(dist, cfg.Keys, cfg.Seed+1)
		if err != nil {
			return nil, err
		}
		order := slices.Clone(sorted)
		rand.New(rand.NewPCG(cfg.Seed+2, 3)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, b := range Builders() {
			if len(cfg.Impls) > 0 && !slices.Contains(cfg.Impls, b.Name) {
				continue
			}
			for _, r := range Measure(b, dist, sorted, order) {
				out = append(out, r)
				if cfg.Progress != nil {
					cfg.Progress(r)
				}
			}
		}
	}
	return out, nil
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// permIndex returns the i-th element of a fixed pseudo-random permutation of
// [0, n), without storing it: i*stride mod n with stride coprime to n.
type permIndex struct{ n, stride uint64 }

func newPerm(n int, salt uint64) permIndex {
	s := uint64(0x9E3779B97F4A7C15^salt) % uint64(n)
	for gcd(s, uint64(n)) != 1 {
		s++
	}
	return permIndex{uint64(n), s}
}

func (p permIndex) at(i int) int { return int((uint64(i) * p.stride) % p.n) }

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Measure builds one implementation over the keys (sorted; order is the
// insertion order) and measures it.
func Measure(b Builder, dist string, sorted, order []uint64) []Result {
	n := len(sorted)
	res := func(metric string, v float64) Result {
		return Result{Distribution: dist, Keys: n, Impl: b.Name, Metric: metric, Value: v}
	}
	var out []Result
	var buf [KeyLen]byte
	before := heapInUse()
	var m Map
	if b.Bulk != nil {
		m = b.Bulk(sorted)
	} else {
		m = b.New()
		start := time.Now()
		for _, v := range order {
			m.Insert(EncodeKey(&buf, v), v, v)
		}
		out = append(out, res("insert_ns", nsPer(time.Since(start), n)))
	}
	bytes := float64(heapInUse()-before) / float64(n)

	lookups := min(n, 2_000_000)
	perm := newPerm(n, 1)
	runtime.GC()
	start := time.Now()
	found := 0
	for i := 0; i < lookups; i++ {
		if m.Get(EncodeKey(&buf, sorted[perm.at(i)])) {
			found++
		}
	}
	lookupNs := nsPer(time.Since(start), lookups)
	if found != lookups {
		panic(fmt.Sprintf("learnedbench: %s/%s found %d of %d keys", b.Name, dist, found, lookups))
	}

	scans := max(min(n/10, 100_000), 1)
	perm = newPerm(n, 2)
	start = time.Now()
	for i := 0; i < scans; i++ {
		m.Scan(EncodeKey(&buf, sorted[perm.at(i)]), 100)
	}
	scanNs := nsPer(time.Since(start), scans)

	deletes := max(n/10, 1)
	perm = newPerm(n, 3)
	runtime.GC()
	start = time.Now()
	for i := 0; i < deletes; i++ {
		m.Delete(EncodeKey(&buf, sorted[perm.at(i)]))
	}
	deleteNs := nsPer(time.Since(start), deletes)
	runtime.KeepAlive(m)

	return append(out,
		res("lookup_ns", lookupNs),
		res("delete_ns", deleteNs),
		res("scan100_ns", scanNs),
		res("bytes_per_key", bytes),
		res("overhead_bytes_per_key", bytes-float64(ItemBytes)),
	)
}

func nsPer(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(n) }
