package learned_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/augurdb/augur/storage/learned"
	"github.com/augurdb/augur/storage/learned/learnedbench"
)

var benchKeys = flag.Int("learned.keys", 1<<18, "keys per structure in the benchmarks")

// benchData is one distribution's keys, sorted and in insertion order.
type benchData struct {
	sorted, order []uint64
}

func loadBenchData(b *testing.B, dist string) benchData {
	b.Helper()
	sorted, err := learnedbench.Keys(dist, *benchKeys, 1)
	if err != nil {
		b.Fatal(err)
	}
	order := slices.Clone(sorted)
	rand.New(rand.NewPCG(2, 3)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	return benchData{sorted, order}
}

// build returns the structure built the way the report builds it.
func build(bl learnedbench.Builder, d benchData) learnedbench.Map {
	if bl.Bulk != nil {
		return bl.Bulk(d.sorted)
	}
	m := bl.New()
	var buf [learnedbench.KeyLen]byte
	for _, v := range d.order {
		m.Insert(learnedbench.EncodeKey(&buf, v), v, v)
	}
	return m
}

// forEach runs fn for every distribution and implementation, side by side.
func forEach(b *testing.B, fn func(b *testing.B, bl learnedbench.Builder, d benchData)) {
	for _, dist := range learnedbench.Distributions {
		d := loadBenchData(b, dist)
		for _, bl := range learnedbench.Builders() {
			b.Run(fmt.Sprintf("%s/%s", dist, bl.Name), func(b *testing.B) { fn(b, bl, d) })
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	forEach(b, func(b *testing.B, bl learnedbench.Builder, d benchData) {
		m := build(bl, d)
		var buf [learnedbench.KeyLen]byte
		i := 0
		for b.Loop() {
			if !m.Get(learnedbench.EncodeKey(&buf, d.order[i])) {
				b.Fatal("key not found")
			}
			if i++; i == len(d.order) {
				i = 0
			}
		}
	})
}

func BenchmarkScan100(b *testing.B) {
	forEach(b, func(b *testing.B, bl learnedbench.Builder, d benchData) {
		m := build(bl, d)
		var buf [learnedbench.KeyLen]byte
		i := 0
		for b.Loop() {
			m.Scan(learnedbench.EncodeKey(&buf, d.order[i]), 100)
			if i++; i == len(d.order) {
				i = 0
			}
		}
	})
}

// BenchmarkInsert builds a structure from empty by inserting every key in
// random order; ns/key is the figure to compare.
func BenchmarkInsert(b *testing.B) {
	forEach(b, func(b *testing.B, bl learnedbench.Builder, d benchData) {
		if bl.Bulk != nil {
			b.Skip("bulk-built")
		}
		for b.Loop() {
			build(bl, d)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(d.order)), "ns/key")
	})
}

// BenchmarkDelete deletes every key, in random order, from a full structure.
func BenchmarkDelete(b *testing.B) {
	forEach(b, func(b *testing.B, bl learnedbench.Builder, d benchData) {
		var buf [learnedbench.KeyLen]byte
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			m := build(bl, d)
			b.StartTimer()
			for _, v := range d.order {
				m.Delete(learnedbench.EncodeKey(&buf, v))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(d.order)), "ns/key")
	})
}

// TestBenchHarness runs the report's measurement once at a small size, so the
// harness is covered by the tests.
func TestBenchHarness(t *testing.T) {
	res, err := learnedbench.Run(learnedbench.Config{Keys: 3000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := len(learnedbench.Distributions) * (3*6 + 5) // tidwall_load has no insert_ns
	if len(res) != want {
		t.Fatalf("%d results, want %d", len(res), want)
	}
}

// BenchmarkInsertAfterSnapshot is the writer's cost of copy-on-write: each
// insert follows a Snapshot, so it copies the path to its data node.
func BenchmarkInsertAfterSnapshot(b *testing.B) {
	d := loadBenchData(b, "sequential")
	bl := learned.NewBuilder()
	var buf [learnedbench.KeyLen]byte
	for _, v := range d.sorted {
		if err := bl.Add(learnedbench.EncodeKey(&buf, v*2), learned.Payload{}); err != nil {
			b.Fatal(err)
		}
	}
	x := bl.Build()
	i := 0
	for b.Loop() {
		x.Snapshot()
		x.Insert(learnedbench.EncodeKey(&buf, d.order[i]*2+1), learned.Payload{})
		if i++; i == len(d.order) {
			i = 0
		}
	}
}
