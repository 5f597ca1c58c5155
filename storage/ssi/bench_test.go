package ssi

import (
	"fmt"
	"testing"
)

// benchKeys are the keys the benchmarks read and write: a table of 100,000
// rows, so that transactions rarely touch the same keys.
func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "t/%08d", i*7919%n)
	}
	return keys
}

// BenchmarkTxn is one transaction of 10 point reads and 2 writes, with 8
// transactions open at any time (each iteration begins one and ends the
// oldest). Reported per transaction; the sub-benchmarks time the calls of one
// kind alone.
func BenchmarkTxn(b *testing.B) {
	const (
		concurrent = 8
		reads      = 10
		writes     = 2
	)
	keys := benchKeys(100000)
	for _, part := range []string{"whole", "Read", "Write", "PreCommit"} {
		b.Run(part, func(b *testing.B) {
			m := New()
			var ts uint64 = 1
			var open []*Txn
			k := 0
			next := func() []byte { k++; return keys[k%len(keys)] }
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if part != "whole" {
					b.StopTimer()
				}
				tx := m.Begin(ts)
				if part == "Read" {
					b.StartTimer()
				}
				for range reads {
					if err := tx.Read(next()); err != nil {
						b.Fatal(err)
					}
				}
				if part == "Read" {
					b.StopTimer()
				}
				if part == "Write" {
					b.StartTimer()
				}
				for range writes {
					if err := tx.Write(next()); err != nil {
						b.Fatal(err)
					}
				}
				if part == "Write" {
					b.StopTimer()
				}
				open = append(open, tx)
				if len(open) > concurrent {
					first := open[0]
					open = open[1:]
					if part == "PreCommit" {
						b.StartTimer()
					}
					err := first.PreCommit()
					if part == "PreCommit" {
						b.StopTimer()
					}
					if err != nil {
						first.Abort()
					} else {
						ts++
						first.Committed(ts)
					}
				}
				if part != "whole" {
					b.StartTimer()
				}
			}
		})
	}
}

// BenchmarkWriteRangeReaders is the cost of a Write while n transactions hold
// range reads (each a few ranges elsewhere in the key space): every write
// looks at every range reader.
func BenchmarkWriteRangeReaders(b *testing.B) {
	for _, n := range []int{8, 64, 512} {
		b.Run(fmt.Sprintf("readers=%d", n), func(b *testing.B) {
			m := New()
			for i := range n {
				tx := m.Begin(1)
				for j := range 4 {
					start := fmt.Appendf(nil, "r/%04d/%d", i, j)
					if err := tx.ReadRange(start, append(start, 0xff)); err != nil {
						b.Fatal(err)
					}
				}
			}
			keys := benchKeys(100000)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				tx := m.Begin(1)
				if err := tx.Write(keys[i%len(keys)]); err != nil {
					b.Fatal(err)
				}
				tx.Abort()
			}
		})
	}
}

// BenchmarkParallel runs whole transactions (10 reads, 2 writes) on
// GOMAXPROCS goroutines against one manager: the cost of its one mutex.
func BenchmarkParallel(b *testing.B) {
	m := New()
	keys := benchKeys(100000)
	var mu = make(chan struct{}, 1)
	var ts uint64 = 1
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		k := 0
		for pb.Next() {
			mu <- struct{}{}
			snap := ts
			<-mu
			tx := m.Begin(snap)
			for range 10 {
				k += 13
				_ = tx.Read(keys[k%len(keys)])
			}
			for range 2 {
				k += 17
				_ = tx.Write(keys[k%len(keys)])
			}
			if tx.PreCommit() != nil {
				tx.Abort()
				continue
			}
			mu <- struct{}{}
			ts++
			c := ts
			<-mu
			tx.Committed(c)
		}
	})
}
