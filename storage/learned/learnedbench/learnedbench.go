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
//     (tidwall's Load, as "tidwall_load"), and, on request, so is the
//     learned index (Builder, as "learned_load").
//   - Keys are twelve bytes, a 4-byte shard prefix and an 8-byte big-endian
//     integer, encoded into one scratch buffer before every operation for every
//     implementation; lookups pass the B-trees that buffer as a string without
//     copying.
//   - Memory is the heap in use (runtime.MemStats.HeapAlloc) after building
//     minus before, each after a full garbage collection, divided by the keys:
//     the whole structure, keys and payloads included, one structure built at
//     a time. Overhead is that minus the item's own bytes (key length + 16).
//   - Times come from a second build in which the structures take turns in
//     chunks of 65,536 operations, in rotating order, for every phase
//     (inserts, lookups, scans, deletes), so that the load of a shared machine
//     reaches all of them alike; each figure is its implementation's total
//     time over its operations.
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

// Impls are the implementations, in report order: the four of the issue's
// report, then learned_load (the learned index bulk-built from sorted keys),
// which runs only when asked for.
var Impls = []string{"learned", "tidwall", "tidwall_load", "google", "learned_load"}

// DefaultImpls are the implementations run when Config.Impls is empty.
var DefaultImpls = Impls[:4]

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
	Impls         []string // DefaultImpls when empty
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
	impls := cfg.Impls
	if len(impls) == 0 {
		impls = DefaultImpls
	}
	var builders []Builder
	for _, b := range Builders() {
		if slices.Contains(impls, b.Name) {
			builders = append(builders, b)
		}
	}
	var out []Result
	for _, dist := range dists {
		sorted, err := Keys(dist, cfg.Keys, cfg.Seed+1)
		if err != nil {
			return nil, err
		}
		order := slices.Clone(sorted)
		rand.New(rand.NewPCG(cfg.Seed+2, 3)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		res := Measure(builders, dist, sorted, order)
		for _, r := range res {
			if cfg.Progress != nil {
				cfg.Progress(r)
			}
		}
		out = append(out, res...)
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

// chunk is the number of operations an implementation runs before the next
// one takes its turn in the timed phases.
const chunk = 1 << 16

// build makes b's structure over the keys: bulk-built from sorted, or by
// inserting order.
func build(b Builder, sorted, order []uint64) Map {
	if b.Bulk != nil {
		return b.Bulk(sorted)
	}
	m := b.New()
	var buf [KeyLen]byte
	for _, v := range order {
		m.Insert(EncodeKey(&buf, v), v, v)
	}
	return m
}

// Measure measures the implementations on one distribution's keys (sorted;
// order is the insertion order).
//
// Memory comes first, one structure at a time: the heap in use after
// building minus before, each after a full collection, the structure then
// dropped. The timed phases then run all structures side by side, taking
// turns in chunks of operations (in rotating order), so that a change in the
// machine's load while they run reaches every implementation alike.
func Measure(bs []Builder, dist string, sorted, order []uint64) []Result {
	n := len(sorted)
	var out []Result
	res := func(b Builder, metric string, v float64) {
		out = append(out, Result{Distribution: dist, Keys: n, Impl: b.Name, Metric: metric, Value: v})
	}
	bytes := make([]float64, len(bs))
	for i, b := range bs {
		before := heapInUse()
		m := build(b, sorted, order)
		bytes[i] = float64(heapInUse()-before) / float64(n)
		runtime.KeepAlive(m)
	}

	maps := make([]Map, len(bs))
	for i, b := range bs {
		if b.Bulk != nil {
			maps[i] = b.Bulk(sorted)
		} else {
			maps[i] = b.New()
		}
	}
	var buf [KeyLen]byte
	// turns runs op(m, j) for j in [0, count) on every structure in chunks
	// and returns each one's nanoseconds per operation.
	turns := func(count int, only func(Builder) bool, op func(m Map, j int)) []float64 {
		total := make([]time.Duration, len(bs))
		runtime.GC()
		for lo, round := 0, 0; lo < count; lo, round = lo+chunk, round+1 {
			hi := min(lo+chunk, count)
			for t := range bs {
				i := (t + round) % len(bs)
				if !only(bs[i]) {
					continue
				}
				m := maps[i]
				start := time.Now()
				for j := lo; j < hi; j++ {
					op(m, j)
				}
				total[i] += time.Since(start)
			}
		}
		ns := make([]float64, len(bs))
		for i := range ns {
			ns[i] = nsPer(total[i], count)
		}
		return ns
	}
	all := func(Builder) bool { return true }

	insertNs := turns(n, func(b Builder) bool { return b.Bulk == nil }, func(m Map, j int) {
		v := order[j]
		m.Insert(EncodeKey(&buf, v), v, v)
	})

	lookups := min(n, 2_000_000)
	perm := newPerm(n, 1)
	missed := 0
	lookupNs := turns(lookups, all, func(m Map, j int) {
		if !m.Get(EncodeKey(&buf, sorted[perm.at(j)])) {
			missed++
		}
	})
	if missed > 0 {
		panic(fmt.Sprintf("learnedbench: %s: %d lookups of present keys missed", dist, missed))
	}

	scans := max(min(n/10, 100_000), 1)
	scanPerm := newPerm(n, 2)
	scanNs := turns(scans, all, func(m Map, j int) {
		m.Scan(EncodeKey(&buf, sorted[scanPerm.at(j)]), 100)
	})

	deletes := max(n/10, 1)
	delPerm := newPerm(n, 3)
	deleteNs := turns(deletes, all, func(m Map, j int) {
		m.Delete(EncodeKey(&buf, sorted[delPerm.at(j)]))
	})
	runtime.KeepAlive(maps)

	for i, b := range bs {
		if b.Bulk == nil {
			res(b, "insert_ns", insertNs[i])
		}
		res(b, "lookup_ns", lookupNs[i])
		res(b, "delete_ns", deleteNs[i])
		res(b, "scan100_ns", scanNs[i])
		res(b, "bytes_per_key", bytes[i])
		res(b, "overhead_bytes_per_key", bytes[i]-float64(ItemBytes))
	}
	return out
}

func nsPer(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(n) }
